import json

from eval.outcome import QuestionOutcome
from eval.report import render_markdown, worst_failures, write_report
from eval.summary import summarize


def outcome(qid: str, f1: float, score: float | None, error: str | None = None, **fields) -> QuestionOutcome:
    values = {"question": f"Question {qid}?", "gold": ["gold"], "prediction": "x" if f1 else "", "timings": {}}
    values.update(fields)
    na_prob = 1.0 - score if score is not None else 1.0
    return QuestionOutcome(qid, exact=float(f1 == 1.0), f1=f1, score=score, na_prob=na_prob, error=error, **values)


def test_worst_failures_errors_then_lowest_f1_then_most_confident():
    outcomes = [
        outcome("right", 1.0, 0.9),
        outcome("partial", 0.5, 0.9),
        outcome("unsure", 0.0, 0.2),
        outcome("confident", 0.0, 0.8),
        outcome("crashed", 0.0, None, error="ValueError: boom"),
    ]
    assert [o.id for o in worst_failures(outcomes, 10)] == ["crashed", "confident", "unsure", "partial"]
    assert [o.id for o in worst_failures(outcomes, 2)] == ["crashed", "confident"]


def test_markdown_lists_metrics_latency_and_failures():
    outcomes = [
        outcome("a", 1.0, 0.9, timings={"read": 0.010, "total": 0.020}),
        outcome("b", 0.0, 0.4, question="Who | what\nnow?", gold=[], prediction="Tokyo", timings={"total": 0.030}),
    ]
    metrics = {"exact": 50.0, "total": 2, "best_f1_thresh": 0.25, "mrr": 0.5, "latency_total_p50_ms": 25.0}
    text = render_markdown(outcomes, metrics, 5, "Run")
    assert text.startswith("# Run\n")
    assert "| exact match | 50.00 |" in text
    assert "| questions | 2 |" in text
    assert "| best threshold for F1 (on no-answer probability) | 0.250 |" in text
    assert "| MRR of the gold passage | 0.500 |" in text
    assert "| read | 10.0 | 10.0 | 10.0 | 1 |" in text
    assert "| total | 25.0 | 29.5 | 30.0 | 2 |" in text
    assert "latency_total_p50_ms" not in text  # once, in the latency table
    assert "before the first question, so loading is not counted" in text
    assert "## 1 worst failures" in text
    assert "1. **Who | what now?** (`b`, F1 0.00, score 0.400)" in text
    assert "   - gold: *unanswerable*" in text
    assert "   - predicted: `Tokyo`" in text


def test_report_survives_a_run_where_everything_failed(tmp_path):
    outcomes = [outcome(f"q{i}", 0.0, None, error="OSError: index missing", timings={"total": 0.001}) for i in range(3)]
    report = write_report(tmp_path, outcomes, summarize(outcomes), worst=5)
    assert report == tmp_path / "report.md"
    assert json.loads((tmp_path / "predictions.json").read_text()) == {"q0": "", "q1": "", "q2": ""}
    assert json.loads((tmp_path / "na_probs.json").read_text()) == {"q0": 1.0, "q1": 1.0, "q2": 1.0}
    assert json.loads((tmp_path / "metrics.json").read_text())["errors"] == 3
    assert len(list(tmp_path.glob("*.png"))) == 5
    assert report.read_text().count("error: OSError: index missing") == 3


def test_the_runs_threshold_is_among_the_metrics_when_it_had_one():
    at = [outcome("a", 1.0, 0.9, threshold=0.30229), outcome("b", 0.0, 0.1, threshold=0.30229)]
    assert summarize(at)["threshold"] == 0.30229
    assert "threshold" not in summarize([at[0], outcome("c", 1.0, 0.8, threshold=0.5)])
