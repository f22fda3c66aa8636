"""The question-answering pipeline: retrieve passages, read answers, decide whether to abstain."""

from __future__ import annotations

import time
from pathlib import Path

from index.embedder import Embedder
from index.records import Passage
from index.retriever import Retriever
from index.store import IndexStore
from qa.answer import Answer, Result
from qa.reader import ExtractiveReader

MAX_QUESTION_CHARS = 1000


class QuestionError(ValueError):
    """A question the system cannot take, with a message meant for the user."""


def check_question(question: object) -> str:
    if not isinstance(question, str) or not question.strip():
        raise QuestionError("Please type a question.")
    question = " ".join(question.split())
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"That question is {len(question):,} characters long; please keep it under {MAX_QUESTION_CHARS:,}."
        )
    return question


class QAPipeline:
    """retriever -> reader -> threshold. Answers below ``threshold`` become an abstention.

    The default threshold is the one calibrated for the shipped reader (see
    ``ExtractiveReader.calibrated_threshold``), not a guess.

    ``accept_first``: the best passage is read alone first, and its answer is
    taken when its confidence reaches this level (and the threshold); only
    otherwise are all ``top_k`` passages read together, so an abstention always
    comes from reading them all. None always reads them together. The model was
    trained on single paragraphs, and a long joined context of several topics
    misleads it more often than it helps: ``python -m eval.tune_reading`` measures
    both ways (figures in the model card).
    """

    def __init__(
        self,
        retriever: Retriever,
        reader: ExtractiveReader,
        threshold: float | None = None,
        top_k: int = 3,
        accept_first: float | None = 0.0,
    ):
        self.retriever = retriever
        self.reader = reader
        self.threshold = threshold
        self.top_k = top_k
        self.accept_first = accept_first

    @classmethod
    def from_store(
        cls,
        store: IndexStore,
        embedder: Embedder | None = None,
        reader: ExtractiveReader | None = None,
        mode: str = "hybrid",
        top_k: int = 3,
        threshold: float | None = None,
        accept_first: float | None = 0.0,
    ) -> QAPipeline:
        retriever = Retriever(store, embedder or Embedder(), mode=mode, top_k=top_k)
        reader = reader or ExtractiveReader()
        return cls(retriever, reader, threshold=threshold, top_k=top_k, accept_first=accept_first)

    @classmethod
    def from_index(cls, index_dir: str | Path | None = None, **options) -> QAPipeline:
        """The pipeline over a saved index, or over the bundled article when ``index_dir`` is None."""
        from qa.corpus import bundled_index, open_index

        embedder = Embedder()
        store = bundled_index(embedder) if index_dir is None else open_index(index_dir, embedder)
        return cls.from_store(store, embedder, **options)

    def warm_up(self) -> None:
        self.retriever.warm_up()
        self.reader.warm_up()

    @property
    def default_threshold(self) -> float:
        return self.threshold if self.threshold is not None else self.reader.calibrated_threshold()

    def run(self, question: str, top_k: int | None = None, threshold: float | None = None) -> Result:
        """Retrieve passages for ``question`` and answer from them."""
        question = check_question(question)
        began = time.perf_counter()
        passages = self.retriever.run(question, top_k or self.top_k)
        result = self.read(question, passages, threshold)
        result.timings = {"retrieve": time.perf_counter() - began - result.timings["read"], **result.timings}
        result.timings["total"] = time.perf_counter() - began
        return result

    def read(self, question: str, passages: list[Passage], threshold: float | None = None) -> Result:
        """Answer from given passages (the reader-only evaluation reads the gold paragraph this way)."""
        threshold = self.default_threshold if threshold is None else threshold
        began = time.perf_counter()
        candidates = self.candidates(question, passages, threshold)
        best = candidates[0] if candidates and candidates[0].score >= threshold else None
        return Result(question, best, candidates, passages, threshold, {"read": time.perf_counter() - began})

    def candidates(self, question: str, passages: list[Passage], threshold: float = 0.0) -> list[Answer]:
        """The reader's answers, best first: from the best passage alone when that one is convincing.

        The first passage's answer must also clear ``threshold``: an abstention always comes from
        reading every passage.
        """
        if self.accept_first is not None and len(passages) > 1:
            first = self.reader.run(question, passages[:1])
            if first_suffices(first, self.accept_first, threshold):
                return first
        return self.reader.run(question, passages)


def first_suffices(first: list[Answer], accept_first: float | None, threshold: float) -> bool:
    """Whether the best passage's own answers settle the question, so the others need not be read."""
    return accept_first is not None and bool(first) and first[0].score >= max(accept_first, threshold)
