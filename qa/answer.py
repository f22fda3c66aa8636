"""What the system tells the user: an answer quoted from a document, or a plain abstention."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace

from index.records import HEADING_SEPARATOR, Document, Passage
from qa.words import STOP_WORDS, WORD

SPAN = "span"  # an answer quoted as a span: a name, a date, a number, a phrase
SENTENCE = "sentence"  # a whole sentence offered for a yes/no, why or how question (``qa.supporting``)
# Above this share of a question's words missing from the passages found, it may be in another language; chosen
# on the tuning half's English questions so that few of them are asked it (the README gives the share).
FOREIGN_SHARE = 2 / 3


@dataclass(frozen=True)
class Answer:
    """A span of a source document. ``text == document.text[start:end]``.

    ``score`` is the reader's confidence in (0, 1): how far the span's logit
    beats the "this passage does not say" logit of its window (so it compares
    across passages), mapped to the probability of being right by a fit on
    held-out data (``calibration.json`` beside the reader weights). ``context`` is the passage around the answer;
    the answer sits at ``context[context_start:context_start + len(text)]``.
    """

    text: str
    score: float
    start: int
    end: int
    source: str
    context: str = ""
    context_start: int = 0
    margin: float = 0.0  # the reader's raw span logit minus its window's no-answer logit
    passage: int = 0  # which of the passages read it came from (0 = the best retrieved)
    page: int | None = None  # the page it starts on (1 = first), for a document with pages (PDF); see ``cite``
    headings: tuple[str, ...] = ()  # the headings it sits under, outermost first; see ``cite``
    kind: str = SPAN  # SENTENCE: the sentence that bears on the question, not an answer to it (``reply_text``)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Result:
    """The reply to one question. ``answer`` is None when the documents do not answer it."""

    question: str
    answer: Answer | None
    candidates: list[Answer] = field(default_factory=list)  # best first, ``answer`` included when given
    passages: list[Passage] = field(default_factory=list)  # what retrieval found, best first
    threshold: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    # Below this best confidence the evidence says the documents do not answer; between it and ``threshold``
    # the system only found no confident answer (the verifier's ``refuse_below``; without one, the threshold).
    refuse_below: float = 1.0

    @property
    def abstained(self) -> bool:
        return self.answer is None

    @property
    def documents_silent(self) -> bool:
        """An abstention the evidence supports: nothing found, or the best guess far below the threshold."""
        return self.abstained and (not self.candidates or self.candidates[0].score < self.refuse_below)

    @property
    def words_unseen(self) -> bool:
        """Most of the question's words occur nowhere in the passages found: it is likely asked in another language
        than the documents'. More than ``FOREIGN_SHARE`` of all its words are missing there, English's little words
        counting as seen (the models read English, and news prose rarely says "what" or "did"): "Quel est le rôle
        de Fumio Kishida ?" shares only the name. An English question about what the documents never name ("Who is
        the Prime Minister of Japan?" over a text on bees) keeps its little words, so it is told only that the
        documents do not answer, not asked about its language."""
        if not self.passages:
            return False
        seen = {_stem(word) for p in self.passages for word in WORD.findall(p.chunk.text.lower())}
        words = WORD.findall(self.question.lower())
        unseen = sum(_stem(word) not in seen for word in words if word not in STOP_WORDS)
        return unseen > FOREIGN_SHARE * len(words)

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.answer.to_dict() if self.answer else None,
            "reply": reply_text(self.answer) if self.answer else abstention_text(self),  # as a person reads it
            "candidates": [c.to_dict() for c in self.candidates],
            "passages": [
                {
                    "source": p.chunk.source,
                    "start": p.chunk.start,
                    "end": p.chunk.end,
                    "score": p.score,
                    "similarity": p.similarity,
                    "text": p.chunk.text,
                    "headings": list(p.chunk.headings),
                }
                for p in self.passages
            ],
            "threshold": self.threshold,
            "documents_silent": self.documents_silent,
            "timings": self.timings,
        }


def _stem(word: str) -> str:
    """A word's first five letters: enough to see "stress" in "stressed" and "invade" in "invaded"."""
    return word[:5]


def abstention_text(result: Result) -> str:
    """The one wording of an abstention, for the command line and the chat alike.

    "Do not answer" only when the evidence supports it (``Result.documents_silent``); a best guess that merely
    missed the threshold is "no confident answer": the documents may not say it, or say it in other words, so
    rephrasing is offered only for the second case.
    """
    several = len({p.chunk.source for p in result.passages}) > 1
    documents = "documents" if several else "document"
    if result.documents_silent:
        said = f"The {documents} {'do' if several else 'does'} not answer this question."
    else:
        said = f"No confident answer was found in the {documents}; the best guess is below."
        said += f" The {documents} may not say; if {'they' if several else 'it'} should, try rephrasing the question."
    if result.words_unseen:
        whose = "documents'" if several else "document's"
        said += f" Few or none of its words occur in the passages closest to it: is it asked in the {whose} language?"
    return said


def reply_text(answer: Answer) -> str:
    """How an answer is put to the user: a span as it stands, a sentence as what the document says.

    A sentence answers a yes/no, why or how question only by what it says, so it is quoted as such rather
    than passed off as the answer.
    """
    return f'The document says: "{answer.text}"' if answer.kind == SENTENCE else answer.text


def cite(result: Result, documents: Mapping[str, Document]) -> Result:
    """``result`` with the page and heading path of each answer and candidate, looked up in its document."""

    def placed(answer: Answer) -> Answer:
        document = documents.get(answer.source)
        if document is None:
            return answer
        return replace(answer, page=document.page_at(answer.start), headings=document.heading_path(answer.start))

    return replace(
        result,
        answer=placed(result.answer) if result.answer is not None else None,
        candidates=[placed(candidate) for candidate in result.candidates],
    )


def citation(source: str, page: int | None = None, headings: Sequence[str] = ()) -> str:
    """Where a quote or passage stands, for people to find it: "report.pdf, page 3, Install › Linux"."""
    parts = [source]
    if page is not None:
        parts.append(f"page {page}")
    if headings:
        parts.append(HEADING_SEPARATOR.join(headings))
    return ", ".join(parts)
