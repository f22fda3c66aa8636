"""Choose chunk size, overlap and retrieval mode on a question set: recall@k and MRR per setting.

    python -m eval.tools.tune_retrieval qa/data/article_dev.json --sizes 64 96 128 200 --overlaps 0 1 2

A retrieved chunk counts as a hit by ``eval.retrieval_metrics.first_relevant_rank`` (as in ``qa eval``'s
recall@k): it contains a gold answer's text, or its character span. Recall is printed as a share (0-1).
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from eval.retrieval_metrics import first_relevant_rank, retrieval_scores
from eval.tools import run_main
from index.chunker import Chunker
from index.embedder import Embedder
from index.records import Document
from index.retriever import MODES, Retriever
from qa.corpus import build_index
from qa.squad import QAExample, load_examples


@dataclass(frozen=True)
class RetrievalTrial:
    """One chunking and retrieval mode, and how early it ranked the gold chunk (``eval.retrieval_metrics``)."""

    size: int
    overlap: int
    mode: str
    chunks: int
    scores: dict[str, float]


def compare_retrieval(
    examples: Sequence[QAExample], sizes: Sequence[int], overlaps: Sequence[int], ks: Sequence[int], embedder: Embedder
) -> Iterator[RetrievalTrial]:
    """Index the answerable questions' contexts once per (size, overlap) and score every retrieval mode on them
    (each trial as soon as it is scored)."""
    examples = [e for e in examples if e.answers]
    contexts = list(dict.fromkeys(e.context for e in examples))
    documents = [Document(f"context-{i}", text) for i, text in enumerate(contexts)]
    source = {text: f"context-{i}" for i, text in enumerate(contexts)}
    for size, overlap in itertools.product(sizes, overlaps):
        store = build_index(documents, embedder, chunker=Chunker(max_tokens=size, overlap_sentences=overlap))
        for mode in MODES:
            retriever = Retriever(store, embedder, mode=mode)
            ranks = [
                first_relevant_rank(retriever.run(e.question, max(ks)), e.answers, source[e.context]) for e in examples
            ]
            yield RetrievalTrial(size, overlap, mode, len(store.chunks), retrieval_scores(ranks, ks))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions")
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 96, 128, 160, 200])
    parser.add_argument("--overlaps", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--k", type=int, nargs="+", default=[1, 2, 3, 5])
    args = parser.parse_args(argv)
    examples = load_examples(args.questions)
    answerable = [e for e in examples if e.answers]
    print(f"{len(answerable)} answerable questions, {len({e.context for e in answerable})} contexts")
    header = f"{'size':>5} {'overlap':>7} {'chunks':>6} {'mode':>7} " + " ".join(f"{'R@' + str(k):>6}" for k in args.k)
    print(header + f" {'MRR':>6}")
    for trial in compare_retrieval(examples, args.sizes, args.overlaps, args.k, Embedder()):
        print(
            f"{trial.size:>5} {trial.overlap:>7} {trial.chunks:>6} {trial.mode:>7} "
            + " ".join(f"{trial.scores[f'recall@{k}'] / 100:>6.3f}" for k in args.k)
            + f" {trial.scores['mrr']:>6.3f}"
        )


if __name__ == "__main__":
    run_main(__file__, main)
