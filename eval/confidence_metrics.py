"""Does the confidence mean what it says? AUROC of right versus wrong, and expected calibration error.

A question counts once, by its best candidate (given or held back): *right*
when that candidate's F1 against the gold is at least 0.5, so any answer to an
unanswerable question is wrong. AUROC is the chance that a right answer got a
higher confidence than a wrong one (0.5: the number says nothing); ECE is the
mean gap between confidence and the share right, over equal-width bins,
weighted by how many answers fall in each (0: "0.8" is right 80% of the time).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from eval.outcome import QuestionOutcome

RIGHT_F1 = 0.5


def confidence_pairs(outcomes: Sequence[QuestionOutcome]) -> tuple[np.ndarray, np.ndarray]:
    """(confidence, right as 0/1) of every question that had a candidate."""
    scored = [o for o in outcomes if o.score is not None and o.best_f1 is not None]
    return (
        np.array([o.score for o in scored], dtype=np.float64),
        np.array([1.0 if o.best_f1 >= RIGHT_F1 else 0.0 for o in scored]),
    )


def auroc(scores: np.ndarray, right: np.ndarray) -> float | None:
    """Area under the ROC curve (Mann-Whitney, ties counted half); None without both classes."""
    positives, negatives = int(right.sum()), int(len(right) - right.sum())
    if positives == 0 or negatives == 0:
        return None
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return float((ranks[right == 1].sum() - positives * (positives + 1) / 2.0) / (positives * negatives))


def reliability(scores: np.ndarray, right: np.ndarray, bins: int = 10) -> list[tuple[float, float, int]]:
    """(mean confidence, share right, count) per non-empty equal-width confidence bin."""
    which = np.minimum((scores * bins).astype(int), bins - 1)
    return [
        (float(scores[which == b].mean()), float(right[which == b].mean()), int((which == b).sum()))
        for b in range(bins)
        if (which == b).any()
    ]


def expected_calibration_error(scores: np.ndarray, right: np.ndarray, bins: int = 10) -> float | None:
    if len(scores) == 0:
        return None
    return sum(count * abs(mean - share) for mean, share, count in reliability(scores, right, bins)) / len(scores)


def confidence_scores(outcomes: Sequence[QuestionOutcome]) -> dict[str, float]:
    """``confidence_auroc`` and ``confidence_ece`` (where defined), for metrics.json."""
    scores, right = confidence_pairs(outcomes)
    found = {"confidence_auroc": auroc(scores, right), "confidence_ece": expected_calibration_error(scores, right)}
    return {key: value for key, value in found.items() if value is not None}
