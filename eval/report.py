"""Write a run to disk: the official SQuAD files, per-question records, plots and a Markdown report.

predictions.json ({qid: text, "" to abstain}) and na_probs.json ({qid: float})
are the official evaluation script's input formats, so any run can be
re-scored independently; metrics.json is its output format plus our extras.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from eval.latency import latency_stats
from eval.outcome import QuestionOutcome
from eval.plots import (
    plot_f1_by_question_word,
    plot_latency,
    plot_reliability,
    plot_score_distribution,
    plot_threshold_curve,
)

PLOTS = {
    "f1_by_question_word.png": ("F1 by question word", plot_f1_by_question_word),
    "score_distribution.png": ("Score distribution", plot_score_distribution),
    "threshold_curve.png": ("Threshold curve", plot_threshold_curve),
    "reliability.png": ("Reliability of the confidence", plot_reliability),
    "latency.png": ("Latency", plot_latency),
}


# Readable names for the report's table; metrics.json keeps the official script's keys.
METRIC_NAMES = {
    "exact": "exact match",
    "f1": "F1",
    "total": "questions",
    "HasAns_exact": "exact match, answerable questions",
    "HasAns_f1": "F1, answerable questions",
    "HasAns_total": "answerable questions",
    "NoAns_exact": "abstained correctly, unanswerable questions (exact)",
    "NoAns_f1": "F1, unanswerable questions",
    "NoAns_total": "unanswerable questions",
    "best_exact": "exact match at the best threshold",
    "best_exact_thresh": "best threshold for exact match (on no-answer probability)",
    "best_f1": "F1 at the best threshold",
    "best_f1_thresh": "best threshold for F1 (on no-answer probability)",
    "errors": "questions refused with an error",
    "threshold": "abstention threshold of the run (--threshold, or --unanswerable-share's operating point)",
    "confidence_auroc": "AUROC of confidence, right vs wrong",
    "confidence_ece": "expected calibration error of confidence",
    "subspan_rate": "answers inside a gold answer, cut short (%)",
    "superspan_rate": "answers holding a gold answer and more (%)",
    "mrr": "MRR of the gold passage",
    "duplicate_ids": "questions dropped for a repeated id",
}
WARM_UP_NOTE = (
    "Models are loaded (each component's warm_up) before the first question, so loading is not counted here; "
    "the first few questions may still run slower."
)


def write_report(
    out_dir: str | Path, outcomes: Sequence[QuestionOutcome], metrics: dict, worst: int = 20, title: str = "Evaluation"
) -> Path:
    """Write every file of the run into ``out_dir`` and return the path of report.md."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _write_json(out / "metrics.json", metrics)
    _write_json(out / "predictions.json", {o.id: o.prediction for o in outcomes})
    _write_json(out / "na_probs.json", {o.id: o.na_prob for o in outcomes})
    with open(out / "outcomes.jsonl", "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(o.to_dict(), ensure_ascii=False) + "\n" for o in outcomes)
    for name, (_, plot) in PLOTS.items():
        plot(outcomes, out / name)
    report = out / "report.md"
    report.write_text(render_markdown(outcomes, metrics, worst, title), encoding="utf-8")
    return report


def render_markdown(outcomes: Sequence[QuestionOutcome], metrics: dict, worst: int, title: str) -> str:
    lines = [f"# {title}", "", f"{len(outcomes)} questions.", "", "## Metrics", "", "| metric | value |", "|---|---:|"]
    lines += [
        f"| {METRIC_NAMES.get(key, key)} | {_number(key, value)} |"
        for key, value in metrics.items()
        if not key.startswith("latency_")  # the latency table below holds them
    ]
    lines += ["", "## Latency (ms)", "", WARM_UP_NOTE, ""]
    lines += ["| stage | p50 | p95 | max | n |", "|---|---:|---:|---:|---:|"]
    lines += [
        f"| {stage} | {1000 * s.p50:.1f} | {1000 * s.p95:.1f} | {1000 * s.max:.1f} | {s.count} |"
        for stage, s in latency_stats(outcomes).items()
    ]
    lines += ["", "## Plots", ""]
    lines += [f"![{caption}]({name})\n" for name, (caption, _) in PLOTS.items()]
    failures = worst_failures(outcomes, worst)
    lines += [f"## {len(failures)} worst failures", "", "Errors first, then lowest F1, then most confident.", ""]
    lines += [_failure(i, o) for i, o in enumerate(failures, 1)]
    return "\n".join(lines) + "\n"


def worst_failures(outcomes: Sequence[QuestionOutcome], n: int) -> list[QuestionOutcome]:
    """Errors, then the lowest F1, then the most confident (a confident wrong answer misleads most)."""
    failed = [o for o in outcomes if o.error is not None or o.f1 < 1.0]
    return sorted(failed, key=lambda o: (o.error is None, o.f1, -(o.score or 0.0)))[:n]


def _failure(number: int, outcome: QuestionOutcome) -> str:
    gold = " / ".join(f"`{g}`" for g in outcome.gold) or "*unanswerable*"
    prediction = f"`{outcome.prediction}`" if outcome.prediction else "*abstained*"
    score = "none" if outcome.score is None else f"{outcome.score:.3f}"
    lines = [
        f"{number}. **{_inline(outcome.question)}** (`{outcome.id}`, F1 {outcome.f1:.2f}, score {score})",
        f"   - gold: {_inline(gold)}",
        f"   - predicted: {_inline(prediction)}",
    ]
    if outcome.error is not None:
        lines.append(f"   - error: {_inline(outcome.error)}")
    return "\n".join(lines)


def _number(key: str, value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if key.endswith("_thresh") or key == "mrr" else f"{value:.2f}"
    return str(value)


def _inline(text: str) -> str:
    return " ".join(text.split())


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
