"""The question-answering pipeline: retrieve passages, read answers, decide whether to abstain."""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Sequence
from pathlib import Path

from index.embedder import Embedder
from index.errors import QAError
from index.records import Passage
from index.retriever import DEFAULT_TOP_K, Retriever
from index.store import IndexStore
from qa.answer import Answer, Result
from qa.contexts import ContextWidener
from qa.conversation import Turn, follow_up
from qa.inputs import InputError, readable_question
from qa.question_kind import question_kind
from qa.reader import ExtractiveReader
from qa.supporting import answer_in_kind
from qa.verifier import DEFAULT_UNANSWERABLE_SHARE, VERIFIER_FILE, Verifier
from qa.words import normal_words

logger = logging.getLogger(__name__)
MAX_QUESTION_CHARS = 1000
# Reading settings, chosen on the tuning half of SQuAD 2.0 dev (``python -m eval.tools.tune_reading``).
DEFAULT_CONTEXT_TOKENS = 0
DEFAULT_JOINED = True
DEFAULT_ACCEPT_FIRST: float | None = 0.5


class QuestionError(QAError):
    """A question the system cannot take, with a message meant for the user."""


def check_question(question: object) -> str:
    """The question with its white space tidied, or ``QuestionError`` saying why it cannot be taken."""
    if not isinstance(question, str) or not question.strip():
        raise QuestionError("Please type a question.")
    try:
        readable_question(question)
    except InputError as err:  # the chat and the API catch QuestionError
        raise QuestionError(str(err)) from err
    question = " ".join(question.split())
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"That question is {len(question):,} characters long; please keep it under {MAX_QUESTION_CHARS:,}."
        )
    return question


class QAPipeline:
    """retriever -> widen -> reader -> verifier -> threshold. Answers below ``threshold`` become an abstention.

    The default threshold is the one fitted for the shipped reader (the
    verifier's, or else ``ExtractiveReader.calibrated_threshold``), not a guess.

    ``context_tokens``: each retrieved chunk is widened with its neighbours up to
    this many word pieces before reading (0: read the chunks as retrieved).
    ``joined``: the contexts are read as one (candidates compete in one softmax)
    or each on its own. ``accept_first``: the best context is read alone first,
    and its answer is taken when its confidence reaches this level (and the
    threshold); only otherwise are all of them read, so an abstention always
    comes from reading them all. None reads them all at once. ``verifier``
    rescores every candidate (``qa.verifier``). All of these are chosen on the
    tuning half of SQuAD 2.0 dev (``python -m eval.tools.tune_reading``; figures in the
    model card).
    """

    def __init__(
        self,
        retriever: Retriever,
        reader: ExtractiveReader,
        threshold: float | None = None,
        top_k: int = DEFAULT_TOP_K,
        accept_first: float | None = DEFAULT_ACCEPT_FIRST,
        context_tokens: int = DEFAULT_CONTEXT_TOKENS,
        joined: bool = DEFAULT_JOINED,
        verifier: Verifier | None = None,
    ):
        self.retriever = retriever
        self.reader = reader
        self.threshold = threshold
        self.top_k = top_k
        self.accept_first = accept_first
        self.context_tokens = context_tokens
        self.joined = joined
        self.verifier = verifier
        self._widener: ContextWidener | None = None

    @classmethod
    def from_store(
        cls,
        store: IndexStore,
        embedder: Embedder | None = None,
        reader: ExtractiveReader | None = None,
        mode: str = "hybrid",
        top_k: int = DEFAULT_TOP_K,
        threshold: float | None = None,
        verify: bool = True,
        unanswerable_share: float = DEFAULT_UNANSWERABLE_SHARE,
        **reading,
    ) -> QAPipeline:
        """The pipeline over ``store``, with the verifier fitted for the reader when it has one, set for questions
        of which ``unanswerable_share`` cannot be answered (``Verifier.for_share``)."""
        retriever = Retriever(store, embedder or Embedder(), mode=mode)
        reader = reader or ExtractiveReader()
        verifier_path = reader.model_dir / VERIFIER_FILE
        verifier = None
        if verify and reader.calibrated and verifier_path.is_file():
            verifier = Verifier.load(verifier_path)
            if verifier.operating_points:
                verifier = verifier.for_share(unanswerable_share)
            else:  # written before there were operating points: it answers at the share it was fitted on
                logger.warning(
                    "%s has no operating points, so its own threshold is used whatever the share of unanswerable "
                    "questions; write it again with python -m eval.tools.tune_reading --write-verifier",
                    verifier_path,
                )
        return cls(retriever, reader, threshold=threshold, top_k=top_k, verifier=verifier, **reading)

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
        if self.threshold is not None:
            return self.threshold
        return self.verifier.threshold if self.verifier else self.reader.calibrated_threshold()

    def contexts(self, passages: list[Passage]) -> list[Passage]:
        """What the reader reads for these retrieved passages (widened and merged)."""
        if self.context_tokens <= 0:
            return passages
        if self._widener is None or self._widener.store is not self.retriever.store:
            self._widener = ContextWidener(self.retriever.store, self.context_tokens, self.reader.tokenizer)
        return self._widener.run(passages)

    def run(
        self,
        question: str,
        top_k: int | None = None,
        threshold: float | None = None,
        history: Sequence[Turn] | None = None,
    ) -> Result:
        """Retrieve passages for ``question`` and answer from them.

        ``top_k``: passages to retrieve and read, this time (default: the pipeline's own ``top_k``, the one
        setting of how many; the retriever holds none). ``history``: the conversation's earlier turns, oldest
        first; a question that leans on the last one ("When did he resign?") is read in its light
        (``qa.conversation``), any other is read as without history. A yes/no, why or how question may be
        answered with a supporting sentence (``qa.supporting``).
        """
        question = check_question(question)
        began = time.perf_counter()
        k = top_k or self.top_k
        follow = follow_up(question, history)
        if follow is None:
            passages = self.retriever.run(question, k)
            result = self.read(question, passages, threshold)
        else:
            passages = follow.passages(self.retriever.run(follow.query, k), k)
            result = self.read(follow.reading, passages, threshold, set_aside=follow.set_aside, asked=question)
            result.question = question
        result = answer_in_kind(result, question_kind(question))
        result.timings = {"retrieve": time.perf_counter() - began - result.timings["read"], **result.timings}
        result.timings["total"] = time.perf_counter() - began
        return result

    def read(
        self,
        question: str,
        passages: list[Passage],
        threshold: float | None = None,
        set_aside: Collection[str] = (),
        asked: str | None = None,
    ) -> Result:
        """Answer from given passages: widened, read, verified, and abstaining below the threshold.

        ``set_aside``: answers (normalised words) not to give, such as the one a follow-up already got.
        ``asked``: the question as the user put it, for the verifier, when the reader is asked a longer one.
        """
        threshold = self.default_threshold if threshold is None else threshold
        began = time.perf_counter()
        found = self.candidates(question, passages, threshold, set_aside, asked)
        result = _decide(question, found, passages, threshold, began)
        result.refuse_below = min(self.verifier.refuse_below, threshold) if self.verifier else threshold
        return result

    def candidates(
        self,
        question: str,
        passages: list[Passage],
        threshold: float = 0.0,
        set_aside: Collection[str] = (),
        asked: str | None = None,
    ) -> list[Answer]:
        """The candidate answers, best first: from the best context alone when that one is convincing.

        The first context's answer must also clear ``threshold``: an abstention always comes from
        reading every context. ``set_aside`` and ``asked``: as in ``read``.
        """
        contexts = self.contexts(passages)
        if self.accept_first is not None and len(contexts) > 1:
            first = self._read(question, contexts[:1], True, set_aside, asked)
            if first_suffices(first, self.accept_first, threshold):
                return first
        return self._read(question, contexts, self.joined, set_aside, asked)

    def _read(
        self, question: str, contexts: list[Passage], joined: bool, set_aside: Collection[str], asked: str | None
    ) -> list[Answer]:
        found = self.reader.run(question, contexts, joined=joined)
        if set_aside:
            found = [answer for answer in found if normal_words(answer.text) not in set_aside]
        return self.verifier.score(asked or question, found, contexts) if self.verifier else found


def read_only(
    reader: ExtractiveReader, question: str, passages: list[Passage], threshold: float | None = None
) -> Result:
    """The reader alone on given passages, read as one context, abstaining below ``threshold``.

    No retrieval, widening or verifier: the reader-only evaluation reads the gold paragraph this way, and its
    default threshold is the reader's own calibrated one. ``question`` is taken as given (check it first with
    ``check_question``, as the pipeline does).
    """
    threshold = reader.calibrated_threshold() if threshold is None else threshold
    began = time.perf_counter()
    return _decide(question, reader.run(question, passages), passages, threshold, began)


def _decide(question: str, candidates: list[Answer], passages: list[Passage], threshold: float, began: float) -> Result:
    """The best candidate as the answer when it reaches ``threshold``, else an abstention; timed from ``began``."""
    best = candidates[0] if candidates and candidates[0].score >= threshold else None
    return Result(question, best, candidates, passages, threshold, {"read": time.perf_counter() - began})


def first_suffices(first: list[Answer], accept_first: float | None, threshold: float) -> bool:
    """Whether the best passage's own answers settle the question, so the others need not be read."""
    return accept_first is not None and bool(first) and first[0].score >= max(accept_first, threshold)
