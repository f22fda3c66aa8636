"""Choose chunk size, overlap, retrieval mode and BM25's share of the fusion: recall@k and MRR per setting.

    python -m eval.tools.tune_retrieval qa/data/article_dev.json --sizes 64 96 128 200 --overlaps 0 1 2
    python -m eval.tools.tune_retrieval SQUAD20_DEV --titles TUNE_TITLES --per-article --keyword-weights 0.5 0.7

A retrieved chunk counts as a hit by ``eval.retrieval_metrics.first_relevant_rank`` (as in ``qa eval``'s
recall@k): it contains a gold answer's text, or its character span. Recall is printed as a share (0-1).
``--per-article`` indexes each article alone, as ``qa eval --corpus title`` does (the chat's own setting);
otherwise all the file's contexts are one corpus. ``hybrid@W`` is the fusion with BM25's share W.
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from eval.retrieval_metrics import first_relevant_rank, retrieval_scores
from eval.runner import article_groups, context_documents, select_titles
from eval.tools import run_main
from index.chunker import Chunker
from index.embedder import Embedder
from index.records import Document
from index.retriever import KEYWORD_WEIGHT, MODES, Retriever
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


def corpora(examples: Sequence[QAExample], per_article: bool) -> list[tuple[list[Document], list[QAExample]]]:
    """The corpora to index and the answerable questions asked of each: one per article, or the file's contexts
    as one corpus. Each question's ``context`` is then the text of the document it was asked about."""
    if per_article:  # the whole article, as in the e2e evaluation, though only answerable questions are scored
        groups, _ = article_groups(examples)
        return [([document], [e for e in own if e.answers]) for document, own in groups]
    answerable = [e for e in examples if e.answers]
    return [(context_documents(answerable), answerable)]


def retrieval_modes(keyword_weights: Sequence[float]) -> list[tuple[str, str, float]]:
    """(label, mode, BM25's share) for every mode, hybrid once per weight."""
    modes = []
    for mode in MODES:
        weights = keyword_weights if mode == "hybrid" else [KEYWORD_WEIGHT]
        modes += [(f"{mode}@{w:g}" if mode == "hybrid" else mode, mode, w) for w in weights]
    return modes


def compare_retrieval(
    examples: Sequence[QAExample],
    sizes: Sequence[int],
    overlaps: Sequence[int],
    ks: Sequence[int],
    embedder: Embedder,
    per_article: bool = False,
    keyword_weights: Sequence[float] = (KEYWORD_WEIGHT,),
) -> Iterator[RetrievalTrial]:
    """Index the answerable questions' documents once per (size, overlap) and score every retrieval mode on them
    (each trial as soon as it is scored)."""
    parts = corpora(examples, per_article)
    modes = retrieval_modes(keyword_weights)
    for size, overlap in itertools.product(sizes, overlaps):
        chunker = Chunker(max_tokens=size, overlap_sentences=overlap)
        ranks: dict[str, list[int | None]] = {label: [] for label, _, _ in modes}
        chunks = 0
        for documents, asked in parts:
            store = build_index(documents, embedder, chunker=chunker)
            chunks += len(store.chunks)
            source = {document.text: document.name for document in documents}
            for label, mode, weight in modes:
                retriever = Retriever(store, embedder, mode=mode, keyword_weight=weight)
                ranks[label] += [
                    first_relevant_rank(retriever.run(e.question, max(ks)), e.answers, source[e.context]) for e in asked
                ]
        for label, _, _ in modes:
            yield RetrievalTrial(size, overlap, label, chunks, retrieval_scores(ranks[label], ks))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions")
    parser.add_argument("--titles", default=None, help="keep the articles listed in this file (one title a line)")
    parser.add_argument("--per-article", action="store_true", help="index each article alone")
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 96, 128, 160, 200])
    parser.add_argument("--overlaps", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--k", type=int, nargs="+", default=[1, 2, 3, 5])
    parser.add_argument("--keyword-weights", type=float, nargs="+", default=[KEYWORD_WEIGHT])
    args = parser.parse_args(argv)
    examples = select_titles(load_examples(args.questions), args.titles)
    answerable = [e for e in examples if e.answers]
    print(f"{len(answerable)} answerable questions, {len({e.context for e in answerable})} contexts")
    header = f"{'size':>5} {'overlap':>7} {'chunks':>6} {'mode':>11} " + " ".join(f"{'R@' + str(k):>6}" for k in args.k)
    print(header + f" {'MRR':>6}")
    trials = compare_retrieval(
        examples, args.sizes, args.overlaps, args.k, Embedder(), args.per_article, args.keyword_weights
    )
    for trial in trials:
        print(
            f"{trial.size:>5} {trial.overlap:>7} {trial.chunks:>6} {trial.mode:>11} "
            + " ".join(f"{trial.scores[f'recall@{k}'] / 100:>6.3f}" for k in args.k)
            + f" {trial.scores['mrr']:>6.3f}",
            flush=True,
        )


if __name__ == "__main__":
    run_main(__file__, main)
