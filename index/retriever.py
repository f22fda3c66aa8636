"""Find the chunks most likely to hold the answer: dense, BM25, or both fused."""

from __future__ import annotations

from index.bm25 import BM25
from index.embedder import Embedder
from index.errors import QAError
from index.records import Passage
from index.store import IndexStore

MODES = ("hybrid", "dense", "bm25")


class Retriever:
    """Dense search plus BM25, fused by reciprocal rank (RRF).

    Dense vectors find paraphrases; BM25 finds rare names and numbers
    (``Zakharova``, ``22.5 percent``) that dense vectors blur. RRF needs no
    score calibration between the two: each list contributes 1 / (rrf_k + rank).
    """

    def __init__(
        self,
        store: IndexStore,
        embedder: Embedder,
        mode: str = "hybrid",
        top_k: int = 3,
        candidates: int = 20,
        rrf_k: int = 60,
    ):
        if mode not in MODES:
            raise QAError(f"unknown retrieval mode {mode!r}; choose one of {', '.join(MODES)}")
        self.store = store
        self.embedder = embedder
        self.mode = mode
        self.top_k = top_k
        self.candidates = candidates
        self.rrf_k = rrf_k
        self._bm25: BM25 | None = None
        self._bm25_size = -1

    def warm_up(self) -> None:
        self.embedder.warm_up()
        self._keyword_index()

    def _keyword_index(self) -> BM25:
        if self._bm25 is None or self._bm25_size != len(self.store.chunks):
            self._bm25 = BM25([c.text for c in self.store.chunks])
            self._bm25_size = len(self.store.chunks)
        return self._bm25

    def run(self, question: str, top_k: int | None = None) -> list[Passage]:
        top_k = top_k or self.top_k
        rankings = []
        if self.mode in ("dense", "hybrid"):
            hits = self.store.search(self.embedder.encode_query([question]), self.candidates)[0]
            if self.mode == "dense":
                return self._passages(hits[:top_k])
            rankings.append([i for i, _ in hits])
        scores = self._keyword_index().scores(question)
        ranked = sorted((i for i, s in enumerate(scores) if s > 0), key=lambda i: -scores[i])[: self.candidates]
        if self.mode == "bm25":
            return self._passages([(i, scores[i]) for i in ranked[:top_k]])
        rankings.append(ranked)
        fused: dict[int, float] = {}
        for ranking in rankings:
            for rank, chunk_id in enumerate(ranking):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (self.rrf_k + rank + 1)
        best = sorted(fused.items(), key=lambda item: -item[1])[:top_k]
        return self._passages(best)

    def _passages(self, hits: list[tuple[int, float]]) -> list[Passage]:
        return [Passage(self.store.chunks[i], score, rank) for rank, (i, score) in enumerate(hits)]
