"""Speed and memory of the whole system on this machine: prints figures, asserts nothing.

    python -m eval.tools.bench [--repeat 3] [--reader DIR] [--against DIR]

Reports index build time for the bundled article (the first build, which loads
the document model, and one with it loaded); end-to-end latency per
question of the bundled dev set (p50/p95, split into retrieval and reading) for
each precision of the query embedder and the reader, with the dev F1 each one
reaches, so a faster setting is only kept if accuracy holds; reader latency for
one question over one 384-token window; and the peak memory of the default
system. The machine is shared and noisy: the settings take turns question by
question, so their ratios within one run are fair; absolute times drift
between runs. ``--against`` adds a second reader's default system to those
turns, so a candidate reader is timed against the shipped one in the same run.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from pathlib import Path

from eval.squad_metrics import score_prediction
from eval.tools import run_main
from index.embedder import Embedder
from index.records import Chunk, Passage
from qa.cli import add_reader_option
from qa.corpus import BUNDLED_QUESTIONS, build_index, bundled_documents
from qa.pipeline import QAPipeline
from qa.reader import DEFAULT_PRECISION, ExtractiveReader
from qa.squad import QAExample, load_examples
from qa.timings import percentile
from qa.windows import encode_windows

# (label, query embedder, reader, reading options); the default system first, so the memory figure is its own.
# "no verifier" is how the system read before issue 10: the best chunk's answer taken when it clears the reader's
# own threshold, no verifier; kept to measure what the verifier costs in the same run.
SETTINGS = (
    ("default", "int8", DEFAULT_PRECISION, {}),
    ("no verifier", "int8", DEFAULT_PRECISION, {"accept_first": 0.0, "verify": False}),
    ("fp32", "fp32", "fp32", {}),
    ("int8 queries, fp32 reader", "int8", "fp32", {}),
    ("int8 queries, bf16 reader", "int8", "bf16", {}),
)
STAGES = ("retrieve", "read", "total")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="passes over the dev questions (default 3)")
    add_reader_option(parser)
    parser.add_argument(
        "--against",
        type=Path,
        metavar="DIR",
        help="also time this reader's default system, question by question in the same run",
    )
    args = parser.parse_args(argv)
    settings = [(label, queries, reading, options, args.reader) for label, queries, reading, options in SETTINGS]
    if args.against:
        settings.insert(1, (f"default, reader {args.against}", "int8", DEFAULT_PRECISION, {}, args.against))
    examples = load_examples(BUNDLED_QUESTIONS)

    embedder = Embedder()
    embedder.warm_up()  # the query model; the document model loads on the first build, as in the chat
    builds = []
    for _ in range(2):
        began = time.perf_counter()
        store = build_index(bundled_documents(), embedder)
        builds.append(1000 * (time.perf_counter() - began))
    print(
        f"index build (bundled article, {len(store.chunks)} chunks): {builds[1]:.0f} ms with the models loaded, "
        f"{builds[0]:.0f} ms the first time (loading the document model)"
    )

    pipelines = {}
    for label, queries, reading, options, reader in settings:
        pipeline = QAPipeline.from_store(
            store, Embedder(precision=queries), ExtractiveReader(reader, precision=reading), **options
        )
        pipeline.warm_up()
        for example in examples:  # first calls allocate; the first setting's pass also sets the memory peak
            pipeline.run(example.question)
        if not pipelines:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"peak memory, default system answering (max RSS of this process): {peak:.0f} MiB")
        pipelines[label] = pipeline

    timings = {label: {stage: [] for stage in STAGES} for label in pipelines}
    f1s: dict[str, list[float]] = {label: [] for label in pipelines}
    for _ in range(args.repeat):
        for example in examples:
            for label, pipeline in pipelines.items():
                result = pipeline.run(example.question)
                for stage in STAGES:
                    timings[label][stage].append(result.timings[stage])
                f1s[label].append(_f1(example, result.answer.text if result.answer else ""))
    for label, pipeline in pipelines.items():
        figures = "  ".join(
            f"{stage} p50 {1000 * percentile(v, 50):.1f} ms p95 {1000 * percentile(v, 95):.1f} ms"
            for stage, v in timings[label].items()
        )
        print(
            f"[{label}] dev F1 {100 * statistics.mean(f1s[label]):.1f}  "
            f"{figures}  reader, one 384-token window: {1000 * _window_latency(pipeline.reader):.1f} ms"
        )


def _f1(example: QAExample, prediction: str) -> float:
    return score_prediction([a.text for a in example.answers], prediction)[1]


def _window_latency(reader: ExtractiveReader, runs: int = 10) -> float:
    """Median time to read one question against one full 384-token window of the article."""
    question = "Who seized the islands?"
    article = bundled_documents()[0].text
    first = encode_windows(reader.tokenizer, [question], [article], 384, reader.stride)[0]
    text = article[: int(first.offsets[first.context_end][1])]
    passage = Passage(Chunk(0, "bench", text, 0, len(text)), 1.0, 0)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        reader.run(question, [passage])
        times.append(time.perf_counter() - began)
    return percentile(times, 50)


if __name__ == "__main__":
    run_main(__file__, main)
