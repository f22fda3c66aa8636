"""The runner and the report on a tiny in-memory question set, with a hand-written answer function."""

import json

import pytest

from eval.report import PLOTS
from eval.runner import (
    answer_one,
    article_documents,
    context_documents,
    evaluate,
    evaluation_jobs,
    recall_ks,
    run_evaluation,
    run_job,
)
from eval.squad_metrics import squad_v2_scores
from index.records import Chunk, Passage
from qa.answer import Answer, Result
from qa.squad import GoldAnswer, QAExample, QuestionSetError

CONTEXT = "Paris is the capital of France. The Seine flows through it."
OTHER = "Berlin is the capital of Germany."
SOURCE = "France#0"
EXAMPLES = [
    QAExample("q1", "What is the capital of France?", CONTEXT, (GoldAnswer("Paris", 0),), "France"),
    QAExample("q2", "Which river flows through Paris?", CONTEXT, (GoldAnswer("The Seine", 32),), "France"),
    QAExample("q3", "Who founded Paris?", CONTEXT, (), "France"),
    QAExample("q4", "How many bridges cross the Seine?", CONTEXT, (GoldAnswer("37", -1),), "France"),
    QAExample("q5", "What is the capital of Germany?", OTHER, (GoldAnswer("Berlin", 0),), "Germany"),
]
FIRST, SECOND = (CONTEXT[:32], 0, 32), (CONTEXT[32:], 32, len(CONTEXT))


def span(text: str, score: float) -> Answer:
    start = CONTEXT.find(text)
    return Answer(text, score, start, start + len(text), SOURCE)


def passages(*chunks: tuple[str, int, int]) -> list[Passage]:
    return [Passage(Chunk(i, SOURCE, *chunk), score=1.0 - i / 10, rank=i) for i, chunk in enumerate(chunks)]


RESULTS = {
    # right, found in the second passage
    "q1": Result("", span("Paris", 0.9), [span("Paris", 0.9), span("France", 0.2)], passages(SECOND, FIRST)),
    # abstained below the threshold; the best candidate scored 0.3
    "q2": Result("", None, [span("Seine", 0.3)], passages(SECOND), threshold=0.5),
    # unanswerable, but answered
    "q3": Result("", span("capital", 0.6), [span("capital", 0.6)], passages(FIRST)),
    # q4 raises
    "q5": Result("", Answer("Berlin", 0.8, 0, 6, "Germany#1"), [], [], timings={"read": 0.02}),
}


def answer(example: QAExample) -> Result:
    if example.id == "q4":
        raise RuntimeError("model exploded")
    result = RESULTS[example.id]
    result.timings.setdefault("retrieve", 0.001)
    return result


def test_answer_one_records_prediction_scores_and_rank():
    outcome = answer_one(EXAMPLES[0], answer, SOURCE)
    assert (outcome.prediction, outcome.exact, outcome.f1) == ("Paris", 1.0, 1.0)
    assert outcome.score == 0.9
    assert outcome.na_prob == pytest.approx(0.1)
    assert outcome.retrieved_rank == 2
    assert outcome.error is None
    assert set(outcome.timings) == {"retrieve", "total"}


def test_abstention_keeps_the_best_candidate_score():
    outcome = answer_one(EXAMPLES[1], answer, SOURCE)
    assert outcome.prediction == ""
    assert outcome.score == 0.3
    assert outcome.na_prob == pytest.approx(0.7)
    assert (outcome.exact, outcome.f1) == (0.0, 0.0)
    assert outcome.retrieved_rank == 1  # the passage held "The Seine" even though the reader abstained
    assert outcome.threshold == 0.5  # what the report's plots mark as the threshold in use


def test_answer_without_candidates_list_still_sets_na_prob():
    outcome = answer_one(EXAMPLES[4], answer)
    assert outcome.score == 0.8
    assert outcome.na_prob == pytest.approx(0.2)
    assert outcome.retrieved_rank is None  # no passages: retrieval missed


def test_a_raising_question_is_an_error_not_a_crash():
    outcomes = evaluate(EXAMPLES, answer, progress=False)
    assert [o.id for o in outcomes] == ["q1", "q2", "q3", "q4", "q5"]
    failed = outcomes[3]
    assert failed.error == "RuntimeError: model exploded"
    assert (failed.prediction, failed.score, failed.na_prob) == ("", None, 1.0)
    assert (failed.exact, failed.f1) == (0.0, 0.0)
    assert set(failed.timings) == {"total"}
    assert all(o.error is None for o in outcomes if o.id != "q4")


def test_context_documents_one_per_distinct_context():
    documents = context_documents(EXAMPLES)
    assert [(d.name, d.text) for d in documents] == [("France#0", CONTEXT), ("Germany#1", OTHER)]


def test_recall_ks():
    assert recall_ks(5) == [1, 3, 5]
    assert recall_ks(1) == [1]
    assert recall_ks(12) == [1, 3, 5, 10, 12]


@pytest.fixture
def squad_file(tmp_path):
    paragraphs = {}
    for e in EXAMPLES:
        answers = [{"text": a.text, "answer_start": a.start} for a in e.answers]
        qa = {"id": e.id, "question": e.question, "answers": answers, "is_impossible": e.is_impossible}
        paragraphs.setdefault((e.title, e.context), []).append(qa)
    data = [{"title": t, "paragraphs": [{"context": c, "qas": qas}]} for (t, c), qas in paragraphs.items()]
    path = tmp_path / "dev.json"
    path.write_text(json.dumps({"version": "v2.0", "data": data}))
    return path


def test_run_evaluation_writes_the_official_files_report_and_plots(squad_file, tmp_path):
    calls = []

    def factory(mode, documents, k):
        calls.append((mode, [d.name for d in documents], k))
        return answer

    out = tmp_path / "out"
    metrics = run_evaluation(squad_file, "e2e", out, factory, k=3, worst=2, progress=False)

    assert calls == [("e2e", ["France#0", "Germany#1"], 3)]
    assert json.loads((out / "metrics.json").read_text()) == metrics
    predictions = json.loads((out / "predictions.json").read_text())
    assert predictions == {"q1": "Paris", "q2": "", "q3": "capital", "q4": "", "q5": "Berlin"}
    na_probs = json.loads((out / "na_probs.json").read_text())
    assert set(na_probs) == set(predictions)
    assert all(isinstance(p, float) for p in na_probs.values())

    # the written files re-score to the written metrics, as the official script would
    gold = {e.id: [a.text for a in e.answers] for e in EXAMPLES}
    official = squad_v2_scores(gold, predictions, na_probs)
    assert {key: metrics[key] for key in official} == official
    assert metrics["exact"] == pytest.approx(100 * 2 / 5)  # q1 and q5
    assert metrics["errors"] == 1
    # answerable q1, q2, q4, q5: ranks 2, 1, None (error), None (no passages)
    assert metrics["recall@1"] == pytest.approx(25.0)
    assert metrics["recall@3"] == pytest.approx(50.0)
    assert metrics["mrr"] == pytest.approx((1 / 2 + 1) / 4)

    lines = (out / "outcomes.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == list(predictions)
    for name in PLOTS:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name

    report = (out / "report.md").read_text()
    assert "| recall@3 | 50.00 |" in report
    assert "| total |" in report and "| retrieve |" in report
    assert "![Threshold curve](threshold_curve.png)" in report
    assert "## 2 worst failures" in report
    assert "error: RuntimeError: model exploded" in report


def test_reader_mode_reports_no_retrieval(squad_file, tmp_path):
    metrics = run_evaluation(squad_file, "reader", tmp_path / "out", lambda *_: answer, limit=2, progress=False)
    assert metrics["total"] == 2
    assert not any(key.startswith("recall@") or key == "mrr" for key in metrics)


def test_unknown_mode(squad_file, tmp_path):
    with pytest.raises(ValueError, match="unknown mode 'bm25'"):
        run_evaluation(squad_file, "bm25", tmp_path, lambda *_: answer)


PARAGRAPH_2 = "The Louvre is in Paris."


def test_article_documents_join_each_titles_paragraphs_and_move_the_answers():
    examples = [*EXAMPLES, QAExample("q6", "Where is the Louvre?", PARAGRAPH_2, (GoldAnswer("Paris", 17),), "France")]
    documents, moved = article_documents(examples)
    assert [d.name for d in documents] == ["France", "Germany"]
    assert documents[0].text == CONTEXT + "\n\n" + PARAGRAPH_2
    assert [e.id for e in moved] == [e.id for e in examples]
    for example in moved:
        document = next(d for d in documents if d.name == example.title)
        assert example.context == document.text
        for gold in example.answers:
            if gold.start >= 0:
                assert document.text[gold.start : gold.start + len(gold.text)] == gold.text
    assert moved[-1].answers[0].start == len(CONTEXT) + 2 + 17
    assert moved[3].answers[0].start == -1  # an unknown offset stays unknown


def test_per_article_mode_indexes_each_article_alone(squad_file, tmp_path):
    calls, asked = [], []

    def factory(mode, documents, k):
        names = [d.name for d in documents]
        calls.append((mode, names))

        def answer(example):
            asked.append((example.title, names))
            return Result(example.question, None, [], [])

        return answer

    metrics = run_evaluation(squad_file, "e2e", tmp_path / "out", factory, k=3, corpus="title", progress=False)
    assert calls == [("e2e", ["France"]), ("e2e", ["Germany"])]
    assert len(asked) == 5 and all(names == [title] for title, names in asked)  # each against its own article
    predictions = json.loads((tmp_path / "out" / "predictions.json").read_text())
    assert list(predictions) == ["q1", "q2", "q3", "q4", "q5"]  # the file's order, whatever the grouping
    assert metrics["total"] == 5


def test_titles_file_keeps_one_half(squad_file, tmp_path):
    titles = tmp_path / "titles.txt"
    titles.write_text("Germany\n")
    metrics = run_evaluation(squad_file, "e2e", tmp_path / "out", lambda *_: answer, titles=titles, progress=False)
    assert metrics["total"] == 1
    titles.write_text("Atlantis\n")
    with pytest.raises(QuestionSetError, match="none of its 1 titles"):
        run_evaluation(squad_file, "e2e", tmp_path / "out", lambda *_: answer, titles=titles, progress=False)


def test_outcomes_keep_the_best_guess_f1_even_when_abstaining():
    assert answer_one(EXAMPLES[1], answer, SOURCE).best_f1 == 1.0  # "Seine" held back, and right
    assert answer_one(EXAMPLES[2], answer, SOURCE).best_f1 == 0.0  # any answer to an unanswerable question


def test_per_article_mode_indexes_the_whole_article_even_for_a_sample_of_its_questions(squad_file, tmp_path):
    indexed = []

    def factory(mode, documents, k):
        indexed.extend(d.text for d in documents)
        return lambda example: Result(example.question, None, [], [])

    metrics = run_evaluation(squad_file, "e2e", tmp_path / "out", factory, limit=1, corpus="title", progress=False)
    assert metrics["total"] == 1
    assert indexed == [CONTEXT]  # the one sampled question's article, whole


def test_questions_of_one_corpus_are_cut_into_jobs_that_together_ask_each_once():
    jobs, asked = evaluation_jobs(EXAMPLES, "e2e", "file", k=3, parts=2)
    assert [len(job.examples) for job in jobs] == [3, 2]
    assert [e.id for job in jobs for e in job.examples] == [e.id for e in asked] == [e.id for e in EXAMPLES]
    assert all(len(job.documents) == 2 and job.k == 3 for job in jobs)  # each job retrieves over the whole file
    per_article, _ = evaluation_jobs(EXAMPLES, "e2e", "title", k=3, parts=2)
    assert [[d.name for d in job.documents] for job in per_article] == [["France"], ["Germany"]]


def test_a_job_runner_replaces_the_local_loop_and_outcomes_come_back_in_file_order(squad_file, tmp_path):
    def backwards(jobs):
        return [outcome for job in reversed(jobs) for outcome in run_job(job, lambda *_: answer, progress=False)]

    metrics = run_evaluation(squad_file, "e2e", tmp_path / "out", None, run_jobs=backwards, parts=3, progress=False)
    predictions = json.loads((tmp_path / "out" / "predictions.json").read_text())
    assert list(predictions) == ["q1", "q2", "q3", "q4", "q5"]
    assert metrics["total"] == 5
