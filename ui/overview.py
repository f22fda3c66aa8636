"""What the loaded documents are about, for the first screen: each one's title and first sentence, and questions
to try on documents nobody wrote example questions for (``qa serve --index DIR``), so the chat never opens empty."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, zip_longest

from index.records import Document
from index.sentences import split_sentences

HEAD_CHARS = 5000  # where a document's title and first sentence are looked for
TITLE_WORDS = 15  # a first line this short, without a sentence's end, is the document's title
HEADING_WORDS = 8  # a longer heading makes a poor question
EXAMPLES = 4
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
# "The Zorblax festival is held ..." -> "What is the Zorblax festival?": the subject of a first sentence.
_SUBJECT = re.compile(r"(?P<subject>[^,;:()]{3,60}?) (?P<verb>is|was|are|were) ")


@dataclass(frozen=True)
class Summary:
    """A document as the first screen introduces it."""

    name: str
    title: str  # its first heading, or a short first line that ends no sentence; "" when it has neither
    opening: str  # its first sentence of prose, as written (the page hides Markdown's markup when showing it)

    @classmethod
    def of(cls, document: Document) -> Summary:
        head = document.text[:HEAD_CHARS]
        lines = [head[start:end] for start, end in split_sentences(head)]
        headings = {title for _, _, title in document.headings}
        title = document.headings[0][2] if document.headings else ""
        if not title and lines and len(lines[0].split()) <= TITLE_WORDS and not _SENTENCE_END.search(lines[0]):
            title = lines[0]
        prose = [line for line in lines if _SENTENCE_END.search(line) and line.lstrip("# ") not in headings]
        return cls(document.name, title, prose[0] if prose else "")


def example_questions(documents: Sequence[Document], limit: int = EXAMPLES) -> list[str]:
    """Questions to try: one about each section heading, taking the documents in turn, then one about each
    document's first sentence's subject ("What is the Zorblax festival?") or what it is about.

    They are built from the text, not checked against the reader: some may get "no confident answer", which
    is still a true picture of what the chat does with the documents.
    """
    by_document = [_heading_questions(document) for document in documents]
    summaries = [Summary.of(document) for document in documents]
    questions = [q for q in chain(*zip_longest(*by_document)) if q]
    questions += [_opening_question(summary) for summary in summaries]
    return list(dict.fromkeys(questions))[:limit]


def _heading_questions(document: Document) -> list[str]:
    titles = [title.rstrip(" :.") for _, _, title in document.headings[1:]]  # the first names the whole document
    return [f"What is said about {title}?" for title in titles if 0 < len(title.split()) <= HEADING_WORDS]


def _opening_question(summary: Summary) -> str:
    found = _SUBJECT.match(summary.opening)
    if found:
        subject = found["subject"]
        subject = subject[0].lower() + subject[1:] if subject.split()[0] in {"The", "A", "An"} else subject
        return f"What {found['verb']} {subject}?"
    return f"What is {summary.title or summary.name} about?"
