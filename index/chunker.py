"""Documents to retrievable chunks: whole sentences, sized for the embedder, quoting the document exactly."""

from __future__ import annotations

from dataclasses import dataclass, field

from index.records import Chunk, Document
from index.sentences import body_end, split_sentences
from index.wordpieces import WordPieces


@dataclass
class Chunker:
    """Packs consecutive sentences into chunks of at most ``max_tokens`` word pieces.

    all-MiniLM-L6-v2 reads at most 256 word pieces. Neighbouring chunks may share ``overlap_sentences``
    sentences, for context that straddles a chunk edge. ``tokenizer`` (the embedder's word pieces, one copy per
    process: ``index.encoder.encoder_wordpieces``) is looked up on first use unless given.

    Defaults chosen with ``python -m eval.tools.tune_retrieval`` (sizes and overlaps compared; README's row
    "retrieval and chunking choice"): answers do not cross sentence boundaries, so overlap adds chunks and
    reading time without finding more.
    """

    max_tokens: int = 160
    overlap_sentences: int = 0
    tokenizer: WordPieces | None = field(default=None, repr=False)

    def chunk(self, document: Document, first_id: int = 0) -> list[Chunk]:
        """Chunks of the document body (trailing boilerplate left out), ids consecutive from ``first_id``, each with
        the headings it starts under."""
        text = document.text
        units = self._units(text, split_sentences(text, 0, body_end(text)))
        spans = []
        first = 0
        while first < len(units):
            last, total = first, 0
            while last < len(units) and total + units[last][2] <= self.max_tokens:
                total += units[last][2]
                last += 1
            spans.append((units[first][0], units[last - 1][1]))
            if last == len(units):
                break
            first = max(last - self.overlap_sentences, first + 1)
        return [
            Chunk(
                id=first_id + i,
                source=document.name,
                text=text[start:end],
                start=start,
                end=end,
                headings=document.heading_path(start),
            )
            for i, (start, end) in enumerate(spans)
        ]

    def _units(self, text: str, sentences: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
        """``(start, end, tokens)`` per sentence; a sentence over ``max_tokens`` becomes several pieces."""
        if not sentences:
            return []
        if self.tokenizer is None:
            from index.encoder import encoder_wordpieces

            self.tokenizer = encoder_wordpieces()
        units = []
        for (start, end), offsets in zip(sentences, self.tokenizer.offsets([text[s:e] for s, e in sentences])):
            if len(offsets) <= self.max_tokens:
                units.append((start, end, len(offsets)))
            else:
                units.extend(_split_long(text, start, end, offsets, self.max_tokens))
        return units


def _split_long(
    text: str, start: int, end: int, offsets: list[tuple[int, int]], max_tokens: int
) -> list[tuple[int, int, int]]:
    """Cut a sentence into pieces of at most ``max_tokens`` tokens, at a space where there is one."""
    pieces = []
    first, left = 0, start
    while first < len(offsets):
        stop = min(first + max_tokens, len(offsets))
        if stop < len(offsets):
            # back off to a token that starts a word; a single huge "word" is cut between tokens
            stop = next((k for k in range(stop, first, -1) if text[start + offsets[k][0] - 1].isspace()), stop)
            right = start + offsets[stop][0]
        else:
            right = end
        pieces.append((left, left + len(text[left:right].rstrip()), stop - first))
        first, left = stop, right
    return pieces
