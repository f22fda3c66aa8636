"""Retrieved chunks widened with their neighbours, when the pipeline's ``context_tokens`` asks for it.

Chunks are sized for the embedder (whole sentences, up to 160 word pieces),
which is narrower than what the reader can use (384) and can cut the sentence
before or after an answer away from it. Widening each retrieved chunk with
the chunks around it in its document gives the reader more of its context;
ranges that touch are merged, so no text is read twice. The shipped setting
reads the chunks as retrieved, joined into one context (``0:joined``), which
did as well on the tuning half (``eval.tools.tune_reading``; model card), so
widening is an option, off by default.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from index.records import Chunk, Passage
from index.store import IndexStore
from index.wordpieces import WordPieces


@dataclass
class ContextWidener:
    """Grows each passage, next chunk then previous in turn, while the total stays within ``max_tokens``.

    ``max_tokens`` 0 keeps the chunks as retrieved. ``tokenizer`` counts word
    pieces (the reader's); counts are cached per chunk.
    """

    store: IndexStore
    max_tokens: int = 0
    tokenizer: WordPieces | None = field(default=None, repr=False)
    _lengths: dict[int, int] = field(default_factory=dict, repr=False)

    def run(self, passages: list[Passage]) -> list[Passage]:
        """One passage per retrieved range after widening and merging, in the order of the best passage in it."""
        if self.max_tokens <= 0:
            return list(passages)
        ranges: list[tuple[str, int, int, Passage]] = []  # source, first chunk id, last chunk id, best passage
        for passage in passages:
            first, last = self._grow(passage.chunk)
            for i, (source, lo, hi, best) in enumerate(ranges):
                if source == passage.chunk.source and first <= hi + 1 and lo <= last + 1:
                    ranges[i] = (source, min(lo, first), max(hi, last), best)
                    break
            else:
                ranges.append((passage.chunk.source, first, last, passage))
        return [self._passage(lo, hi, best) for _, lo, hi, best in ranges]

    def _grow(self, chunk: Chunk) -> tuple[int, int]:
        first = last = chunk.id
        total = self._length(chunk.id)
        grew = True
        while grew:
            grew = False
            for candidate in (last + 1, first - 1):
                if not self._same_document(candidate, chunk.source):
                    continue
                size = self._length(candidate)
                if total + size > self.max_tokens:
                    continue
                total += size
                first, last = min(first, candidate), max(last, candidate)
                grew = True
        return first, last

    def _same_document(self, chunk_id: int, source: str) -> bool:
        return 0 <= chunk_id < len(self.store.chunks) and self.store.chunks[chunk_id].source == source

    def _length(self, chunk_id: int) -> int:
        if chunk_id not in self._lengths:
            text = self.store.chunks[chunk_id].text
            self._lengths[chunk_id] = self.tokenizer.count(text)
        return self._lengths[chunk_id]

    def _passage(self, first: int, last: int, best: Passage) -> Passage:
        start, end = self.store.chunks[first].start, self.store.chunks[last].end
        text = self.store.documents[best.chunk.source].text[start:end]
        return replace(best, chunk=Chunk(first, best.chunk.source, text, start, end))  # its best chunk's scores
