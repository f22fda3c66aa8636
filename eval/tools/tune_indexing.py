"""Choose the embedding batch size and torch threads for indexing, by chunks embedded a second on this CPU.

    python -m eval.tools.tune_indexing QUESTIONS [--chunks 1024] [--batch-sizes 8 16 32 64 128] [--threads 1 2]

The chunks are real ones: the contexts of a SQuAD-style file (a training file, so nothing reported is
touched), chunked as ``qa index`` chunks them. Every (threads, batch size) pair embeds the same chunks once per
round, the pairs taking turns within each round, since only times taken side by side compare on a shared
machine. Prints chunks a second per pair (the best of the rounds) and the fastest pair; the chosen defaults
and the figures behind them are in the README's Scale section.
"""

from __future__ import annotations

import argparse
import time

from eval.tools import run_main
from index.chunker import Chunker
from index.embedder import Embedder
from index.records import Document
from qa.squad import load_examples


def real_chunks(questions: str, count: int) -> list[str]:
    """The first ``count`` chunks of the file's distinct contexts."""
    chunker, texts, seen = Chunker(), [], set()
    for example in load_examples(questions):
        if example.context not in seen:
            seen.add(example.context)
            texts += [c.text for c in chunker.chunk(Document(example.title, example.context))]
            if len(texts) >= count:
                break
    return texts[:count]


def throughput(embedder: Embedder, texts: list[str], threads: int, batch_size: int) -> float:
    """Chunks a second embedding ``texts`` with ``threads`` torch threads and ``batch_size`` chunks a batch."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    embedder.batch_size = batch_size
    try:
        began = time.perf_counter()
        embedder.encode_document(texts)
        return len(texts) / (time.perf_counter() - began)
    finally:
        torch.set_num_threads(previous)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions", help="a SQuAD-style training file whose contexts are chunked")
    parser.add_argument("--chunks", type=int, default=1024)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[8, 16, 32, 64, 128])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    texts = real_chunks(args.questions, args.chunks)
    embedder = Embedder()
    embedder.encode_document(texts[:64])  # loads the model; not timed
    pairs = [(t, b) for t in args.threads for b in args.batch_sizes]
    best: dict[tuple[int, int], float] = {}
    for round_ in range(args.rounds):
        for pair in pairs if round_ % 2 == 0 else reversed(pairs):
            best[pair] = max(best.get(pair, 0.0), throughput(embedder, texts, *pair))
    print(f"{len(texts)} chunks, best of {args.rounds} rounds")
    print(f"{'threads':>7} {'batch':>5} {'chunks/s':>9}")
    for (threads, batch_size), rate in sorted(best.items()):
        print(f"{threads:>7} {batch_size:>5} {rate:>9.1f}")
    (threads, batch_size), rate = max(best.items(), key=lambda item: item[1])
    print(f"fastest: {threads} threads, batch {batch_size}: {rate:.1f} chunks/s")


if __name__ == "__main__":
    run_main(__file__, main)
