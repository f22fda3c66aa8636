"""Run a question set through the system and record what happened to every question.

The runner knows nothing about models: it calls an answer function per
question. Building that function for a mode is the caller's one small job
(``AnswerFnFactory``), so the scoring loop can be tested with plain functions.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from eval.outcome import QuestionOutcome
from eval.report import write_report
from eval.retrieval_metrics import first_relevant_rank
from eval.squad_metrics import score_prediction
from eval.summary import summarize
from index.records import Document
from qa.answer import Result
from qa.squad import QAExample, load_examples

logger = logging.getLogger(__name__)

MODES = ("e2e", "reader")
AnswerFn = Callable[[QAExample], Result]
# (mode, documents: one per distinct context of the question file, k: passages to retrieve) -> AnswerFn
AnswerFnFactory = Callable[[str, list[Document], int], AnswerFn]


def evaluate(
    examples: Sequence[QAExample],
    answer_fn: AnswerFn,
    sources: Mapping[str, str] | None = None,
    progress: bool = True,
) -> list[QuestionOutcome]:
    """One outcome per example, in order. ``sources`` maps a context's text to its document's name,
    so retrieved passages can be matched to the gold span by position."""
    sources = sources or {}
    with logging_redirect_tqdm():  # failure warnings print above the bar instead of breaking it
        iterator = tqdm(examples, desc="evaluating", unit="question", disable=not progress)
        return [answer_one(example, answer_fn, sources.get(example.context, "")) for example in iterator]


def answer_one(example: QAExample, answer_fn: AnswerFn, source: str = "") -> QuestionOutcome:
    """Ask one question. An exception becomes an ``error`` and an empty prediction, not a crashed run."""
    gold = [answer.text for answer in example.answers]
    started = time.perf_counter()
    try:
        result = answer_fn(example)
        prediction = result.answer.text if result.answer is not None else ""
        scores = [c.score for c in result.candidates] + ([result.answer.score] if result.answer is not None else [])
        best = max(scores, default=None)
        rank = first_relevant_rank(result.passages, example.answers, source) if example.answers else None
        timings, error = dict(result.timings), None
    except Exception as err:  # one bad question must not end a run of thousands
        logger.warning("question %s failed: %s: %s", example.id, type(err).__name__, err)
        prediction, best, rank, timings, error = "", None, None, {}, f"{type(err).__name__}: {err}"
    timings["total"] = time.perf_counter() - started
    exact, f1 = score_prediction(gold, prediction)
    return QuestionOutcome(
        id=example.id,
        question=example.question,
        gold=gold,
        prediction=prediction,
        na_prob=1.0 - best if best is not None else 1.0,
        score=best,
        exact=float(exact),
        f1=f1,
        timings=timings,
        retrieved_rank=rank,
        error=error,
    )


def context_documents(examples: Sequence[QAExample]) -> list[Document]:
    """One document per distinct context, named ``title#n`` (unique even when titles repeat)."""
    documents: dict[str, Document] = {}
    for example in examples:
        if example.context not in documents:
            name = f"{example.title or 'context'}#{len(documents)}"
            documents[example.context] = Document(name, example.context)
    return list(documents.values())


def spread(examples: Sequence[QAExample], limit: int) -> list[QAExample]:
    """``limit`` examples evenly spaced through the file (all if 0): the first N would cover one article."""
    if not 0 < limit < len(examples):
        return list(examples)
    return [examples[i * len(examples) // limit] for i in range(limit)]


def recall_ks(k: int) -> list[int]:
    return [n for n in (1, 3, 5, 10, 20, 50) if n < k] + [k]


def run_evaluation(
    path: str | Path,
    mode: str,
    out_dir: str | Path,
    answer_fn_factory: AnswerFnFactory,
    limit: int = 0,
    k: int = 5,
    worst: int = 20,
    progress: bool = True,
) -> dict:
    """Evaluate the question file at ``path`` in ``mode`` and write the report into ``out_dir``.

    e2e: questions go through retrieval over every distinct context of the
    file (the whole file, even with ``limit``, so retrieval is as hard as the
    real corpus), and recall@k/MRR are reported. reader: only the reader, on the
    gold paragraph. Returns the metrics written to metrics.json.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    examples = load_examples(path)
    documents = context_documents(examples)
    answer_fn = answer_fn_factory(mode, documents, k)
    sources = {document.text: document.name for document in documents}
    outcomes = evaluate(spread(examples, limit), answer_fn, sources, progress)
    metrics = summarize(outcomes, recall_ks(k), retrieval=mode == "e2e")
    write_report(out_dir, outcomes, metrics, worst, title=f"{Path(path).name}: {mode} evaluation")
    return metrics
