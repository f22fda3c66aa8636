"""Run a question set through the system and record what happened to every question.

The runner knows nothing about models: it calls an answer function per
question. Building that function for a mode is the caller's one small job
(``AnswerFnFactory``), so the scoring loop can be tested with plain functions.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from eval.choices import CORPORA, MODES
from eval.outcome import QuestionOutcome
from eval.report import write_report
from eval.retrieval_metrics import first_relevant_rank
from eval.squad_metrics import score_prediction
from eval.summary import summarize
from index.errors import QAError
from index.records import Document
from qa.answer import Answer, Result
from qa.squad import GoldAnswer, QAExample, QuestionSetError, load_examples, spread

logger = logging.getLogger(__name__)

AnswerFn = Callable[[QAExample], Result]
# (mode, documents: one per distinct context of the question file, k: passages to retrieve) -> AnswerFn
AnswerFnFactory = Callable[[str, list[Document], int], AnswerFn]
ARTICLE_SEAM = "\n\n"  # between paragraphs when an article becomes one document


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
        top = best_offered(result)
        best = top.score if top is not None else None
        best_f1 = score_prediction(gold, top.text)[1] if top is not None else None
        rank = first_relevant_rank(result.passages, example.answers, source) if example.answers else None
        timings, error, threshold = dict(result.timings), None, result.threshold
    except Exception as err:  # one bad question must not end a run of thousands
        logger.warning("question %s failed: %s: %s", example.id, type(err).__name__, err)
        prediction, best, rank, timings, error = "", None, None, {}, f"{type(err).__name__}: {err}"
        best_f1 = threshold = None
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
        best_f1=best_f1,
        threshold=threshold,
    )


def best_offered(result: Result) -> Answer | None:
    """The most confident of the result's candidates and answer, given or held back: what its confidence is of."""
    offered = list(result.candidates) + ([result.answer] if result.answer is not None else [])
    return max(offered, key=lambda a: a.score, default=None)


@dataclass(frozen=True)
class EvaluationJob:
    """Questions answered from one corpus, indexed as the evaluation's mode and corpus say: a unit of work a
    worker can take on its own (``run_job``; ``eval.ray_evaluation`` spreads them over a Ray cluster)."""

    mode: str
    documents: list[Document]
    examples: list[QAExample]
    k: int


# Runs the jobs, wherever, and returns all their outcomes (in any order).
JobRunner = Callable[[list[EvaluationJob]], list[QuestionOutcome]]


def run_job(job: EvaluationJob, answer_fn_factory: AnswerFnFactory, progress: bool = True) -> list[QuestionOutcome]:
    answer_fn = answer_fn_factory(job.mode, job.documents, job.k)
    return evaluate(job.examples, answer_fn, {document.text: document.name for document in job.documents}, progress)


def evaluation_jobs(
    examples: Sequence[QAExample], mode: str, corpus: str, k: int, limit: int = 0, parts: int = 1
) -> tuple[list[EvaluationJob], list[QAExample]]:
    """The jobs that answer ``limit`` questions spread through ``examples`` (all with 0), and those questions
    in file order.

    e2e over the title corpus: one job per article, indexed whole and alone. Otherwise every distinct context
    of the file is the corpus (the whole file, even with ``limit``, so retrieval is as hard as the real corpus),
    and the questions are cut into ``parts`` jobs (one per worker).
    """
    if mode == "e2e" and corpus == "title":
        groups, asked = article_groups(examples, limit)
        return [EvaluationJob(mode, [document], own, k) for document, own in groups], asked
    documents = context_documents(examples)
    asked = spread(examples, limit)
    size = -(-len(asked) // max(1, parts))
    cuts = [asked[start : start + size] for start in range(0, len(asked), size)] or [[]]
    return [EvaluationJob(mode, documents, cut, k) for cut in cuts], asked


def article_groups(
    examples: Sequence[QAExample], limit: int = 0
) -> tuple[list[tuple[Document, list[QAExample]]], list[QAExample]]:
    """[(an article, whole, as one document; the questions asked of it)] and every question asked, in file order.

    ``limit`` questions are spread through ``examples`` (all with 0), moved onto their article
    (``article_documents``); articles none of them asks about are left out.
    """
    documents, moved = article_documents(examples)
    asked = spread(moved, limit)
    own: dict[str, list[QAExample]] = {}
    for example in asked:
        own.setdefault(example.title or "article", []).append(example)
    return [(document, own[document.name]) for document in documents if document.name in own], asked


def context_documents(examples: Sequence[QAExample]) -> list[Document]:
    """One document per distinct context, named ``title#n`` (unique even when titles repeat)."""
    documents: dict[str, Document] = {}
    for example in examples:
        if example.context not in documents:
            name = f"{example.title or 'context'}#{len(documents)}"
            documents[example.context] = Document(name, example.context)
    return list(documents.values())


def article_documents(examples: Sequence[QAExample]) -> tuple[list[Document], list[QAExample]]:
    """One document per title, its paragraphs joined in file order, as a user's own document would be;
    and the examples moved onto it (context = the whole article, answer offsets shifted to match)."""
    paragraphs: dict[str, dict[str, int]] = {}
    for example in examples:
        placed = paragraphs.setdefault(example.title, {})
        if example.context not in placed:
            placed[example.context] = sum(len(p) + len(ARTICLE_SEAM) for p in placed)
    texts = {title: ARTICLE_SEAM.join(placed) for title, placed in paragraphs.items()}
    moved = [
        replace(
            example,
            context=texts[example.title],
            answers=tuple(
                GoldAnswer(a.text, a.start + paragraphs[example.title][example.context] if a.start >= 0 else -1)
                for a in example.answers
            ),
        )
        for example in examples
    ]
    return [Document(title or "article", text) for title, text in texts.items()], moved


def select_titles(examples: Sequence[QAExample], titles_file: str | Path | None) -> list[QAExample]:
    """The examples whose article is listed (one title per line) in ``titles_file``; all when None."""
    if titles_file is None:
        return list(examples)
    wanted = {line.strip() for line in Path(titles_file).read_text(encoding="utf-8").splitlines() if line.strip()}
    chosen = [e for e in examples if e.title in wanted]
    if not chosen:
        raise QuestionSetError(f"{titles_file}: none of its {len(wanted)} titles occurs in the question file")
    return chosen


def first_of_each_id(examples: Sequence[QAExample]) -> tuple[list[QAExample], int]:
    """The examples with each id's first only, and how many were left out: the official metric keys its
    predictions by id, so a repeated id would silently replace an earlier question's answer."""
    seen: set[str] = set()
    kept = [e for e in examples if not (e.id in seen or seen.add(e.id))]
    return kept, len(examples) - len(kept)


def recall_ks(k: int) -> list[int]:
    return [n for n in (1, 3, 5, 10, 20, 50) if n < k] + [k]


def run_evaluation(
    path: str | Path,
    mode: str,
    out_dir: str | Path,
    answer_fn_factory: AnswerFnFactory | None,
    limit: int = 0,
    k: int = 5,
    worst: int = 20,
    progress: bool = True,
    corpus: str = "file",
    titles: str | Path | None = None,
    run_jobs: JobRunner | None = None,
    parts: int = 1,
) -> dict:
    """Evaluate the question file at ``path`` in ``mode`` and write the report into ``out_dir``.

    e2e: questions go through retrieval over every distinct context of the
    file (``corpus="file"``: the whole file, even with ``limit``, so retrieval
    is as hard as the real corpus), or over their own article alone
    (``corpus="title"``: each article indexed by itself, as a user's document
    is in the chat), and recall@k/MRR are reported. reader: only the reader, on
    the gold paragraph. ``titles``: a file listing the articles to keep (a
    tuning or report half). ``run_jobs``: where the work runs (default: here, one job after the other, with
    ``answer_fn_factory``); ``parts``: how many jobs the questions of one corpus are cut into, for it. Returns
    the metrics written to metrics.json.
    """
    if mode not in MODES:
        raise QAError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    if corpus not in CORPORA:
        raise QAError(f"unknown corpus {corpus!r}; expected one of {', '.join(CORPORA)}")
    examples, repeated = first_of_each_id(select_titles(load_examples(path), titles))
    if repeated:
        logger.warning("%s: %d question(s) repeat an earlier id; only the first of each id is scored", path, repeated)
    jobs, asked = evaluation_jobs(examples, mode, corpus, k, limit, parts)
    if run_jobs is None:
        outcomes = [outcome for job in jobs for outcome in run_job(job, answer_fn_factory, progress)]
    else:
        outcomes = run_jobs(jobs)
    by_id = {outcome.id: outcome for outcome in outcomes}
    outcomes = [by_id[example.id] for example in asked]
    metrics = summarize(outcomes, recall_ks(k), retrieval=mode == "e2e")
    metrics["duplicate_ids"] = repeated
    write_report(out_dir, outcomes, metrics, worst, title=f"{Path(path).name}: {mode} evaluation")
    return metrics
