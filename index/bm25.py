"""BM25 keyword search with ``bm25s``: catches names and numbers that dense vectors blur.

``bm25s`` precomputes every (term, chunk) score into a sparse matrix, so a query sums a few matrix columns
instead of scoring every chunk in Python, and the matrix saves as ``.npy`` files that load memory-mapped:
a large index opens without re-reading its chunk texts. Tokens are ours (``keywords``), handed to ``bm25s``
as ids, because its own tokenizer splits ``3,500`` and ``22.5`` and those numbers are often the answer.
Scores are Lucene's BM25 (idf ``log(1 + (n - df + 0.5) / (df + 0.5))``, k1 1.5, b 0.75).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|\w+")
_STOPWORDS = frozenset(
    """a an and are as at be by did do does for from had has have he her his how in is it its of on or our she
    that the their them they this to was were what when where which who whom why will with you""".split()
)
# What bm25s writes for a Lucene-method index without a corpus; the store checksums exactly these.
FILES = (
    "data.csc.index.npy",
    "indices.csc.index.npy",
    "indptr.csc.index.npy",
    "vocab.index.json",
    "params.index.json",
)


def keywords(text: str) -> list[str]:
    """Lower-cased word and number tokens without stop words (``3,500`` and ``22.5`` stay whole)."""
    return [t for t in _TOKEN.findall(text.lower()) if t not in _STOPWORDS]


class BM25:
    """A keyword index over chunk texts, chunk ``i`` being text ``i``; built, saved and loaded whole.

    ``bm25s`` cannot add documents to a built index, so an index that grows is rebuilt from all its texts
    (the store does this when its chunk count no longer matches ``size``).
    """

    def __init__(self, model, size: int):
        self._model = model  # a bm25s.BM25, or None when no chunk has a keyword
        self.size = size

    @classmethod
    def build(cls, texts: Iterable[str], k1: float = 1.5, b: float = 0.75) -> BM25:
        import bm25s

        vocabulary: dict[str, int] = {}
        ids = [[vocabulary.setdefault(token, len(vocabulary)) for token in keywords(text)] for text in texts]
        if not vocabulary:
            return cls(None, len(ids))
        model = bm25s.BM25(k1=k1, b=b, method="lucene")
        model.index((ids, vocabulary), create_empty_token=False, show_progress=False)
        return cls(model, len(ids))

    @classmethod
    def load(cls, directory: Path, size: int) -> BM25:
        """Read a saved index with its score matrix memory-mapped (pages are read as queries touch them)."""
        import bm25s

        model = bm25s.BM25.load(directory, mmap=True, show_progress=False)
        if model.scores["num_docs"] != size:
            raise ValueError(f"the keyword index holds {model.scores['num_docs']} chunks, not {size}")
        return cls(model, size)

    def save(self, directory: Path) -> list[str]:
        """Write the index into ``directory``; returns the names of the files written (``FILES``)."""
        if self._model is None:
            raise ValueError("an index without keywords is not saved; it is rebuilt when loaded")
        directory.mkdir(parents=True, exist_ok=True)
        self._model.save(directory, show_progress=False)
        written = sorted(p.name for p in directory.iterdir())
        if written != sorted(FILES):
            raise RuntimeError(f"bm25s wrote {written}, expected {sorted(FILES)}")
        return list(FILES)

    @property
    def saveable(self) -> bool:
        return self._model is not None

    def scores(self, query: str) -> np.ndarray:
        """The BM25 score of every chunk for ``query`` (0 where it shares no keyword)."""
        if self._model is None:
            return np.zeros(self.size, dtype=np.float32)
        ids = self._model.get_tokens_ids(keywords(query))
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        return self._model.get_scores_from_ids(ids)

    def top(self, query: str, k: int) -> list[tuple[int, float]]:
        """Up to ``k`` (chunk id, score) best first, only chunks sharing a keyword; ties go to the lower id,
        so the order does not depend on how the selection breaks them."""
        scores = self.scores(query)
        matching = np.flatnonzero(scores > 0)
        if len(matching) > k:
            kth = np.partition(scores[matching], len(matching) - k)[len(matching) - k]
            matching = matching[scores[matching] >= kth]  # every chunk tied with the k-th stays in the running
        order = np.lexsort((matching, -scores[matching]))[:k]
        return [(int(matching[i]), float(scores[matching[i]])) for i in order]
