"""Okapi BM25 keyword scoring: catches names and numbers that dense vectors blur."""

from __future__ import annotations

import math
import re
from collections import Counter

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|\w+")
_STOPWORDS = frozenset(
    """a an and are as at be by did do does for from had has have he her his how in is it its of on or our she
    that the their them they this to was were what when where which who whom why will with you""".split()
)


def keywords(text: str) -> list[str]:
    """Lower-cased word and number tokens without stop words (``3,500`` and ``22.5`` stay whole)."""
    return [t for t in _TOKEN.findall(text.lower()) if t not in _STOPWORDS]


class BM25:
    """Scores every chunk against a query; rebuilt from chunk texts, so it needs no file of its own."""

    def __init__(self, texts: list[str], k1: float = 1.5, b: float = 0.75):
        self.k1, self.b = k1, b
        self._docs = [Counter(keywords(t)) for t in texts]
        self._lengths = [sum(d.values()) for d in self._docs]
        self._average = (sum(self._lengths) / len(self._lengths)) if self._docs else 0.0
        frequency = Counter(term for d in self._docs for term in d)
        n = len(self._docs)
        self._idf = {term: math.log(1 + (n - df + 0.5) / (df + 0.5)) for term, df in frequency.items()}

    def scores(self, query: str) -> list[float]:
        terms = [t for t in keywords(query) if t in self._idf]
        result = []
        for doc, length in zip(self._docs, self._lengths):
            norm = self.k1 * (1 - self.b + self.b * length / (self._average or 1.0))
            result.append(sum(self._idf[t] * doc[t] * (self.k1 + 1) / (doc[t] + norm) for t in terms if t in doc))
        return result
