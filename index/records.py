"""The records that flow from a document to the retriever."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

HEADING_SEPARATOR = " › "  # between the headings of a path, as shown: "Install › Linux"


@dataclass(frozen=True)
class Document:
    """A loaded document. ``text`` is what answers are quoted from; all offsets index into it.

    ``pages``: where each page starts in ``text`` (PDF; empty for formats without pages), so a quote can cite
    its page. ``headings``: ``(offset, level, title)`` of each heading (Markdown ``#``, HTML h1-h6, Word's
    heading styles; level 1 the outermost), in text order, so a quote can cite the section it sits in. Both
    are read back from a saved index as JSON lists, hence turned into tuples here.
    """

    name: str
    text: str
    pages: tuple[int, ...] = ()
    headings: tuple[tuple[int, int, str], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "pages", tuple(self.pages))
        object.__setattr__(self, "headings", tuple(tuple(heading) for heading in self.headings))

    def page_at(self, offset: int) -> int | None:
        """The page (1 = first) holding the character at ``offset``, or None when the document has no pages."""
        if not self.pages:
            return None
        return max(1, bisect.bisect_right(self.pages, offset))

    def heading_path(self, offset: int) -> tuple[str, ...]:
        """The titles of the headings the character at ``offset`` sits under, outermost first.

        A heading's section runs from the heading itself to the next heading of the same or a higher level.
        """
        path: list[tuple[int, str]] = []  # (level, title) of the open sections
        for start, level, title in self.headings:
            if start > offset:
                break
            while path and path[-1][0] >= level:
                path.pop()
            path.append((level, title))
        return tuple(title for _, title in path)


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences of one document: ``text == document.text[start:end]``.

    ``headings``: the path of headings the chunk starts under (see ``Document.heading_path``).
    """

    id: int
    source: str
    text: str
    start: int
    end: int
    headings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "headings", tuple(self.headings))


@dataclass(frozen=True)
class Passage:
    """A chunk retrieved for a question, with its retrieval score and rank (0 = best).

    ``similarity``: the cosine of the question's and the chunk's dense vectors, whatever the ranking that found it
    (the verifier weighs it: a question far from the passage an answer comes from is less likely answered there);
    None when no dense vector was compared (BM25-only retrieval, passages given directly).
    """

    chunk: Chunk
    score: float
    rank: int = 0
    similarity: float | None = None
