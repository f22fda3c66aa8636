"""Did retrieval hand the reader a passage that holds the answer? Recall@k and MRR.

The reader cannot quote what retrieval missed, so these separate retrieval
failures from reading failures. Only answerable questions have a target.
"""

from __future__ import annotations

from collections.abc import Sequence

from index.records import Passage
from qa.squad import GoldAnswer


def first_relevant_rank(passages: Sequence[Passage], answers: Sequence[GoldAnswer], source: str = "") -> int | None:
    """1-based rank of the first passage that holds a gold answer, None if none does.

    A passage holds an answer if its text contains the answer text, or, when
    it comes from ``source`` (the document made from the question's context),
    if its character span contains the gold span.
    """
    for rank, passage in enumerate(passages, 1):
        chunk = passage.chunk
        for answer in answers:
            if answer.text and answer.text in chunk.text:
                return rank
            in_source = source and chunk.source == source and answer.start >= 0
            if in_source and chunk.start <= answer.start and answer.start + len(answer.text) <= chunk.end:
                return rank
    return None


def retrieval_scores(ranks: Sequence[int | None], ks: Sequence[int]) -> dict[str, float]:
    """``recall@k`` (percent of questions answered within the top k) for each k, and MRR in [0, 1]."""
    if not ranks:
        return {}
    scores = {f"recall@{k}": 100.0 * sum(r is not None and r <= k for r in ranks) / len(ranks) for k in ks}
    scores["mrr"] = sum(1.0 / r for r in ranks if r is not None) / len(ranks)
    return scores
