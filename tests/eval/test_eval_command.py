"""`qa eval` end to end with the real models, on a small question file."""

import json

import pytest

from eval.squad_metrics import squad_v2_scores
from qa.cli import main
from qa.corpus import BUNDLED_QUESTIONS
from qa.squad import load_examples


@pytest.mark.models
def test_qa_eval_on_the_bundled_dev_questions(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "report"
    assert main(["eval", str(BUNDLED_QUESTIONS), "--limit", "6", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "HasAns_f1" in printed and "recall@1" in printed and "latency_total_p50_ms" in printed
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["total"] == 6 and metrics["errors"] == 0
    predictions = json.loads((out / "predictions.json").read_text())
    na_probs = json.loads((out / "na_probs.json").read_text())
    assert len(predictions) == 6 and set(na_probs) == set(predictions)
    # the written files re-score to the written metrics, as the official script would score them
    gold = {e.id: [a.text for a in e.answers] for e in load_examples(BUNDLED_QUESTIONS) if e.id in predictions}
    official = squad_v2_scores(gold, predictions, na_probs)
    assert {key: metrics[key] for key in official} == official
    assert any(predictions.values())  # the bundled questions are mostly answerable: not every one abstained
    assert (out / "report.md").is_file() and (out / "threshold_curve.png").is_file()


def test_qa_eval_reports_a_malformed_file_in_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"data": [{"paragraphs": [{"context": "x", "qas": [{"question": "q?"}]}]}]}))
    assert main(["eval", str(bad), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("qa: error: ") and "missing or non-text 'id'" in err
