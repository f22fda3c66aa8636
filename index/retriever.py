"""Find the chunks most likely to hold the answer: dense, BM25, or both fused."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

from index.embedder import Embedder
from index.errors import QAError
from index.records import Passage
from index.store import IndexStore

Item = TypeVar("Item", bound=Hashable)
MODES = ("hybrid", "dense", "bm25")  # the first is the default (qa ask --mode, qa eval --retrieval)


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[Item]], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[Item, float]]:
    """Items of several rankings (each best first), ordered by their summed ``weight / (k + rank)``, rank from 1.

    ``weights``: one per ranking (default 1 each). An item missing from a ranking gets nothing from it; ties
    keep the order in which items were first seen.
    """
    if weights is not None and len(weights) != len(rankings):
        raise QAError(f"{len(weights)} fusion weights for {len(rankings)} rankings")
    fused: dict[Item, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, item in enumerate(ranking, 1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return sorted(fused.items(), key=lambda pair: -pair[1])


DEFAULT_TOP_K = 3  # passages retrieved and read per question unless a caller asks for another number
KEYWORD_WEIGHT = 0.5  # BM25's share of the hybrid fusion (dense has the rest); the model card says why 0.5


class Retriever:
    """Dense search plus BM25, fused by reciprocal rank (RRF).

    Dense vectors find paraphrases; BM25 finds rare names and numbers
    (``Zakharova``, ``22.5 percent``) that dense vectors blur. RRF needs no
    score calibration between the two: each list contributes weight / (rrf_k + rank)
    (``reciprocal_rank_fusion``), BM25's weight ``2 * keyword_weight`` and dense's the rest of 2 (so 0.5
    is plain RRF). How many passages to return is the caller's (``run``'s ``top_k``; the pipeline holds
    that setting).
    """

    def __init__(
        self,
        store: IndexStore,
        embedder: Embedder,
        mode: str = "hybrid",
        candidates: int = 20,
        rrf_k: int = 60,
        keyword_weight: float = KEYWORD_WEIGHT,
    ):
        if mode not in MODES:
            raise QAError(f"unknown retrieval mode {mode!r}; choose one of {', '.join(MODES)}")
        if not 0.0 <= keyword_weight <= 1.0:
            raise QAError(f"keyword_weight is BM25's share of the fusion, from 0 to 1, not {keyword_weight}")
        self.store = store
        self.embedder = embedder
        self.mode = mode
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.keyword_weight = keyword_weight

    def warm_up(self) -> None:
        self.embedder.warm_up()
        self.store.keyword_index()

    def run(self, question: str, top_k: int = DEFAULT_TOP_K) -> list[Passage]:
        """The ``top_k`` chunks most likely to answer ``question``, best first (each ranking goes at least that
        deep, so a ``top_k`` beyond ``candidates`` is honoured), each with its dense ``similarity`` to the
        question unless retrieval is BM25 alone."""
        depth = max(self.candidates, top_k)
        if self.mode == "bm25":
            return self._passages(self.store.keyword_index().top(question, depth)[:top_k])
        hits = self.store.search(self.embedder.encode_query([question]), depth)[0]
        similarities = dict(hits)
        if self.mode == "dense":
            return self._passages(hits[:top_k], similarities)
        rankings = [[i for i, _ in hits], [i for i, _ in self.store.keyword_index().top(question, depth)]]
        weights = (2.0 * (1.0 - self.keyword_weight), 2.0 * self.keyword_weight)
        return self._passages(reciprocal_rank_fusion(rankings, self.rrf_k, weights)[:top_k], similarities)

    def _passages(self, hits: list[tuple[int, float]], similarities: dict[int, float] | None = None) -> list[Passage]:
        """Passages of ``hits``, each with its cosine to the question where the dense search reached it
        (``similarities``): every chunk of a collection no larger than its depth; in a larger one a chunk only BM25
        ranked high stays unknown (None) rather than costing a second embedding."""
        known = similarities or {}
        return [Passage(self.store.chunks[i], score, rank, known.get(i)) for rank, (i, score) in enumerate(hits)]
