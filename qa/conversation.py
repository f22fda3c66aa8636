"""A conversation's earlier turns, and how a follow-up question is read in their light.

"When did that happen?", "Why?" or "Where does he work?" name nothing a retriever or a reader could look for:
their subject is in the previous turn. Such a question is read with the previous turn added (its question and
the sentence of its answer) to what is retrieved and to what the reader is asked, the previous answer's passage
read first, and the previous answer itself set aside, since a follow-up asks for something new. A question that
stands on its own is read as it is, history or not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from index.records import Chunk, Document, Passage
from qa.answer import Result
from qa.supporting import sentence_of
from qa.words import normal_words

# Words that point back into the conversation: a question holding one is a follow-up.
_POINTERS = frozenset("he she him her his hers it its they them their theirs there then one ones".split())
# "that"/"this" point back only as a pronoun: last in the question, or after a verb or preposition
# ("did that", "after this"); elsewhere they open a relative clause ("the islands that ...").
_DEMONSTRATIVES = frozenset("that this these those".split())
_BEFORE_DEMONSTRATIVE = frozenset(
    "is was are were do does did has have had about after before of for like from since by with at in on say said "
    "mean means happen".split()
)
_OPENERS = frozenset("and but so what about how".split())  # "And the second one?", "What about Germany?"
_SHORT = 3  # a question this short with no name in it ("Why not?", "In which month?") continues the last turn
CHAIN = 3  # turns a follow-up may lean on: a follow-up to a follow-up carries the turn that one leaned on
_WORD = re.compile(r"[\w'’.-]+")
KEPT_CHARS = 10_000  # the longest question, answer or sentence a kept turn may bring back (a sentence is far shorter)


@dataclass(frozen=True)
class Turn:
    """One exchange of a conversation: what was asked, and what the system answered ("" when it abstained).

    ``sentence`` is the document's sentence holding the answer and ``chunk`` the passage it came from, so a
    follow-up can be read where the last answer stood.
    """

    question: str
    answer: str = ""
    sentence: str = ""
    chunk: Chunk | None = None

    @classmethod
    def from_result(cls, result: Result) -> Turn:
        """The turn a result makes, for the history of the next question."""
        answer = result.answer
        if answer is None:
            return cls(result.question)
        chunk = result.passages[answer.passage].chunk if answer.passage < len(result.passages) else None
        return cls(result.question, answer.text, sentence_of(answer).text, chunk)

    def to_dict(self) -> dict:
        """The turn as JSON, to be kept outside the server (a browser tab's storage): the passage by its place only."""
        place = None if self.chunk is None else [self.chunk.source, self.chunk.id, self.chunk.start, self.chunk.end]
        return {"question": self.question, "answer": self.answer, "sentence": self.sentence, "passage": place}

    @classmethod
    def from_dict(cls, data: object, documents: Mapping[str, Document]) -> Turn | None:
        """A turn kept by ``to_dict``, or None when ``data`` is not one. It came from outside, so its passage is
        cut again from ``documents`` (the text read is always the document's own), and is left out when its
        document is no longer asked or the place does not fit it."""
        fields = ("question", "answer", "sentence")
        if not isinstance(data, dict) or not all(
            isinstance(data.get(k), str) and len(data[k]) <= KEPT_CHARS for k in fields
        ):
            return None
        return cls(data["question"], data["answer"], data["sentence"], _chunk_at(data.get("passage"), documents))


def _chunk_at(place: object, documents: Mapping[str, Document]) -> Chunk | None:
    """The chunk at ``place`` ([source, id, start, end]) of ``documents``, or None when there is none there."""
    if not isinstance(place, list) or len(place) != 4 or not isinstance(place[0], str):
        return None
    source, *numbers = place
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
        return None
    chunk_id, start, end = numbers
    document = documents.get(source)
    if document is None or not 0 <= start < end <= len(document.text):
        return None
    return Chunk(chunk_id, source, document.text[start:end], start, end, document.heading_path(start))


def is_follow_up(question: str) -> bool:
    """Whether ``question`` leans on the previous turn: a pronoun pointing back, or too short to stand alone.

    A pronoun after a name of the question's own points back to that name ("When did Germany found their first
    settlement?", "Which Japanese companies own part of the project, and how big is their share?"), not to the
    conversation.
    """
    words = _WORD.findall(question)
    lower = [w.lower().strip(".") for w in words]
    if any(w in _POINTERS and not _names(words[1:i]) for i, w in enumerate(lower)):
        return True
    for i, word in enumerate(lower):
        if word in _DEMONSTRATIVES and (i == len(lower) - 1 or (i > 0 and lower[i - 1] in _BEFORE_DEMONSTRATIVE)):
            return True
    if lower and lower[0] in _OPENERS and len(lower) > 1 and lower[1] in {"about", "the", "and"}:
        return True
    return len(words) <= _SHORT and not _names(words[1:]) and _latin(question)


def _latin(text: str) -> bool:
    """Whether every letter of ``text`` is a Latin one. Words are told apart by spaces, so a question in a script
    written without them ("日本の首相は誰ですか？") is one "word" long: short by count, not a follow-up."""
    return all(unicodedata.name(c, "").startswith("LATIN") for c in text if c.isalpha())


def _names(words: Sequence[str]) -> bool:
    """Whether ``words`` (none of them the question's first) name something: a capitalised word or a number."""
    return any(w[:1].isupper() or w[:1].isdigit() for w in words)


@dataclass(frozen=True)
class FollowUp:
    """How to read a follow-up question given the turn before it.

    ``earlier``: the turns before ``previous`` that it leans on in turn, newest first, when ``previous`` was
    itself a follow-up ("Who designed the dam?", "When was it completed?", "Why was it built?").
    """

    question: str
    previous: Turn
    earlier: tuple[Turn, ...] = ()

    @property
    def _turns(self) -> tuple[Turn, ...]:
        return (self.previous, *self.earlier)

    @property
    def query(self) -> str:
        """What is retrieved: the question with the previous questions and the sentences of their answers."""
        parts = [self.question, *(part for turn in self._turns for part in (turn.question, turn.sentence))]
        return " ".join(part for part in parts if part)

    @property
    def reading(self) -> str:
        """What the reader is asked: the question first (its question word decides what kind of answer fits),
        then the previous turns that say what it is about."""
        parts = [self.question, *(part for turn in self._turns for part in (turn.question, turn.answer))]
        return " ".join(part for part in parts if part)

    @property
    def set_aside(self) -> frozenset[str]:
        """Answers not to give again: those of the turns leaned on, which a follow-up does not ask for."""
        return frozenset(normal_words(turn.answer) for turn in self._turns) - {""}

    def passages(self, retrieved: Sequence[Passage], top_k: int) -> list[Passage]:
        """The previous answer's passage first, then the retrieved ones, ``top_k`` in all (its similarity to the
        question is known only when retrieval found it again)."""
        chunk = self.previous.chunk
        if chunk is None:
            return list(retrieved[:top_k])
        place = (chunk.source, chunk.start)
        again = next((p for p in retrieved if (p.chunk.source, p.chunk.start) == place), None)
        rest = [p for p in retrieved if (p.chunk.source, p.chunk.start) != place]
        first = Passage(chunk, rest[0].score if rest else 1.0, 0, again.similarity if again else None)
        return [first, *(replace(p, rank=rank) for rank, p in enumerate(rest[: top_k - 1], 1))]


def follow_up(question: str, history: Sequence[Turn] | None) -> FollowUp | None:
    """The follow-up reading of ``question`` when it leans on the last turn of ``history``, else None.

    When that turn was a follow-up too, the turns it leaned on come along (at most ``CHAIN`` turns in all).
    """
    if not history or not is_follow_up(question):
        return None
    earlier: list[Turn] = []
    newer = history[-1]
    for turn in reversed(history[-CHAIN:-1]):
        if not is_follow_up(newer.question):
            break
        earlier.append(turn)
        newer = turn
    return FollowUp(question, history[-1], tuple(earlier))
