"""Measure the channel ranges that let a model run in int8 at fp32 accuracy (see ``index.int8``).

    python -m eval.tools.quantize reader QUESTIONS [--limit 256] [--reader DIR] [--out FILE] [--alpha A]
    python -m eval.tools.quantize embedder QUESTIONS [--limit 1000] [--out FILE] [--alpha A]

The reader's ranges come from what it reads, question plus paragraph windows;
the embedder's from questions alone, since only queries are embedded in int8.
Use training questions, never the ones an evaluation scores. The smoothing
strength is stored with the ranges; without ``--alpha`` the one already stored
at the output is kept, so measuring again never changes it silently. Choose it
on a tuning split, and refit the reader's verifier after changing it.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

from eval.tools import run_main
from index.embedder import QUERY_RANGES, Embedder
from index.errors import QAError
from index.int8 import DEFAULT_ALPHA, ChannelRanges, activation_ranges, load_ranges, save_ranges
from qa.cli import add_reader_option
from qa.modeling import SHIPPED_READER
from qa.reader import RANGES_FILE, ExtractiveReader
from qa.squad import QAExample, load_examples, spread
from qa.windows import encode_windows, pad_batch


def reader_ranges(examples: list[QAExample], reader_dir: Path) -> dict:
    """Channel ranges of the fp32 reader over each example's question and paragraph, in the reader's windows."""
    reader = ExtractiveReader(reader_dir, precision="fp32")

    def batches() -> Iterator[dict]:
        for example in examples:
            windows = encode_windows(
                reader.tokenizer, [example.question], [example.context], reader.max_length, reader.stride
            )
            ids, types, mask = pad_batch(windows)
            yield {"input_ids": ids, "token_type_ids": types, "attention_mask": mask}

    return activation_ranges(reader.model, batches())


def embedder_ranges(examples: list[QAExample], batch_size: int = 32) -> dict:
    """Channel ranges of the fp32 embedder's transformer over the examples' questions."""
    model = Embedder(precision="fp32").model

    def batches() -> Iterator[dict]:
        for begin in range(0, len(examples), batch_size):
            features = model.preprocess([e.question for e in examples[begin : begin + batch_size]])
            yield {k: v for k, v in features.items() if k in ("input_ids", "token_type_ids", "attention_mask")}

    return activation_ranges(model[0].auto_model, batches())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", choices=["reader", "embedder"])
    parser.add_argument("questions", help="SQuAD-style training questions (.json, .jsonl, .jsonl.gz)")
    parser.add_argument("--limit", type=int, default=0, help="questions to use (default 256 reader, 1000 embedder)")
    add_reader_option(parser)
    parser.add_argument("--out", type=Path, default=None, help="where to write (default: beside the model)")
    parser.add_argument(
        "--alpha",
        type=float,
        default=None,
        help=f"smoothing strength, 0 to 1 (default: the one stored at the output, else {DEFAULT_ALPHA})",
    )
    args = parser.parse_args(argv)
    if args.alpha is not None and not 0 <= args.alpha <= 1:
        raise QAError(f"--alpha must lie between 0 and 1, not {args.alpha}")
    reader_dir = args.reader or SHIPPED_READER
    limit = args.limit or (256 if args.target == "reader" else 1000)
    examples = [e for e in spread(load_examples(args.questions), limit) if e.context]
    if args.target == "reader":
        layers, out = reader_ranges(examples, reader_dir), args.out or reader_dir / RANGES_FILE
    else:
        layers, out = embedder_ranges(examples), args.out or QUERY_RANGES
    stored = load_ranges(out)
    alpha = args.alpha if args.alpha is not None else stored.alpha if stored else DEFAULT_ALPHA
    ranges = ChannelRanges(layers, alpha)
    save_ranges(ranges, out, questions=Path(args.questions).name, count=str(len(examples)))
    print(f"wrote {out} ({len(layers)} layers, {len(examples)} questions, alpha {alpha})")


if __name__ == "__main__":
    run_main(__file__, main)
