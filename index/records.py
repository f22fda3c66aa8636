"""The records that flow from a document to the retriever."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    """A loaded document. ``text`` is what answers are quoted from; all offsets index into it."""

    name: str
    text: str


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences of one document: ``text == document.text[start:end]``."""

    id: int
    source: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Passage:
    """A chunk retrieved for a question, with its retrieval score and rank (0 = best)."""

    chunk: Chunk
    score: float
    rank: int = 0
