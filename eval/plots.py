"""PNG plots for the report: where answers go wrong, how confidence separates right from wrong, latency.

Figures are drawn on matplotlib's Agg canvas without pyplot, so no global
backend state is touched and nothing needs a display.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from eval.confidence_metrics import RIGHT_F1, auroc, confidence_pairs, expected_calibration_error, reliability
from eval.latency import stage_timings
from eval.outcome import QuestionOutcome
from eval.question_words import question_word_groups
from eval.squad_metrics import apply_no_ans_threshold


def plot_f1_by_question_word(outcomes: Sequence[QuestionOutcome], path: Path) -> Path:
    """Mean F1 per question word; words asked fewer than ``MIN_GROUP`` times are counted under "other"."""
    groups = {
        word: [outcomes[i].f1 for i in indices]
        for word, indices in question_word_groups([o.question for o in outcomes]).items()
    }
    words = list(groups)
    fig, ax = _figure()
    bars = ax.bar(words, [100.0 * sum(groups[w]) / len(groups[w]) for w in words], color="tab:blue")
    ax.bar_label(bars, labels=[f"n={len(groups[w])}" for w in words], fontsize=8)
    ax.tick_params(axis="x", labelrotation=30)
    ax.set(title="F1 by question word", ylabel="F1 (%)", ylim=(0, 110))
    return _save(fig, path)


def plot_score_distribution(outcomes: Sequence[QuestionOutcome], path: Path) -> Path:
    """Best-candidate scores of exact answers, wrong answers and abstentions: where should the threshold go?"""
    colors = {"right (exact)": "tab:green", "wrong": "tab:red", "abstained": "tab:gray"}
    groups: dict[str, list[float]] = {label: [] for label in colors}
    for outcome in outcomes:
        if outcome.score is None:
            continue
        label = "abstained" if outcome.abstained else "right (exact)" if outcome.exact else "wrong"
        groups[label].append(outcome.score)
    fig, ax = _figure()
    bins = [i / 20 for i in range(21)]
    for label, scores in groups.items():
        ax.hist(scores, bins=bins, histtype="step", lw=2, color=colors[label], label=f"{label} (n={len(scores)})")
    _mark_threshold(ax, outcomes)
    ax.set(title="Best-candidate confidence", xlabel="confidence", ylabel="questions", xlim=(0, 1))
    ax.legend()
    return _save(fig, path)


def plot_threshold_curve(outcomes: Sequence[QuestionOutcome], path: Path, steps: int = 100) -> Path:
    """EM and F1 had the system abstained below each confidence threshold: the chat's slider's scale (the official
    rule, abstain when na_prob > 1 - t), with the best one and the one in use marked."""
    na_probs = {o.id: o.na_prob for o in outcomes}
    has_answer = {o.id: o.answerable for o in outcomes}
    thresholds = [i / steps for i in range(steps + 1)]
    curves = {}
    for name in ("exact", "f1"):
        raw = {o.id: getattr(o, name) for o in outcomes}
        curves[name] = [
            100.0 * sum(apply_no_ans_threshold(raw, na_probs, has_answer, 1.0 - t).values()) / len(raw)
            for t in thresholds
        ]
    fig, ax = _figure()
    for name, label in (("f1", "F1"), ("exact", "EM")):
        ax.plot(thresholds, curves[name], label=label)
    best = max(range(len(thresholds)), key=curves["f1"].__getitem__)
    ax.axvline(thresholds[best], color="gray", linestyle="--", label=f"best F1 at {thresholds[best]:.2f}")
    _mark_threshold(ax, outcomes)
    ax.set(title="Score vs abstention threshold", xlabel="threshold (abstain when confidence < threshold)", ylabel="%")
    ax.legend()
    return _save(fig, path)


def threshold_in_use(outcomes: Sequence[QuestionOutcome]) -> float | None:
    """The abstention threshold most questions were decided at (None when no outcome records one)."""
    counts = Counter(o.threshold for o in outcomes if o.threshold is not None)
    return counts.most_common(1)[0][0] if counts else None


def _mark_threshold(ax, outcomes: Sequence[QuestionOutcome]) -> None:
    threshold = threshold_in_use(outcomes)
    if threshold is not None:
        ax.axvline(threshold, color="black", linestyle=":", label=f"threshold in use {threshold:.2f}")


def plot_reliability(outcomes: Sequence[QuestionOutcome], path: Path) -> Path:
    """Share right per confidence bin against the diagonal a calibrated confidence would follow."""
    scores, right = confidence_pairs(outcomes)
    bins = reliability(scores, right)
    fig, ax = _figure()
    ax.plot([0, 1], [0, 1], color="gray", linestyle="--", label="calibrated")
    if bins:
        means, shares, counts = zip(*bins)
        ax.plot(means, shares, marker="o", label="this run")
        for mean, share, count in bins:
            ax.annotate(f"{count}", (mean, share), textcoords="offset points", xytext=(0, 6), fontsize=7, ha="center")
    ece, area = expected_calibration_error(scores, right), auroc(scores, right)
    subtitle = f"ECE {ece:.3f}" if ece is not None else "no candidates"
    subtitle += f", AUROC {area:.3f}" if area is not None else ""
    ax.set(
        title=f"Reliability ({subtitle})", xlabel="confidence", ylabel=f"share right (F1 >= {RIGHT_F1:g})", xlim=(0, 1)
    )
    ax.set_ylim(0, 1)
    ax.legend()
    return _save(fig, path)


def plot_latency(outcomes: Sequence[QuestionOutcome], path: Path) -> Path:
    import numpy as np

    fig, ax = _figure()
    stages = {stage: [1000.0 * s for s in values] for stage, values in stage_timings(outcomes).items()}
    every = [ms for values in stages.values() for ms in values]
    if every:
        bins = np.geomspace(max(min(every), 1e-3), max(max(every), 1e-3) * 1.01, 30)
        for stage, values in stages.items():
            ax.hist(values, bins=bins, histtype="step", lw=2, label=stage)
        ax.set_xscale("log")
        ax.legend()
    ax.set(title="Latency per stage", xlabel="milliseconds", ylabel="questions")
    return _save(fig, path)


def _figure():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4), layout="constrained")
    return fig, fig.subplots()


def _save(fig, path: Path) -> Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig).print_png(path)
    return path
