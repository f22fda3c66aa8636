import numpy as np
import pytest

from eval.confidence_metrics import auroc, confidence_scores, expected_calibration_error, reliability
from eval.outcome import QuestionOutcome


def test_auroc_perfect_random_and_ties():
    right = np.array([0, 0, 1, 1], dtype=float)
    assert auroc(np.array([0.1, 0.2, 0.8, 0.9]), right) == 1.0
    assert auroc(np.array([0.9, 0.8, 0.2, 0.1]), right) == 0.0
    assert auroc(np.array([0.5, 0.5, 0.5, 0.5]), right) == 0.5
    assert auroc(np.array([0.1, 0.6, 0.6, 0.9]), right) == pytest.approx(0.875)
    assert auroc(np.array([0.1, 0.2]), np.array([1.0, 1.0])) is None


def test_ece_is_zero_when_confidence_matches_the_share_right_and_large_when_not():
    scores = np.array([0.75] * 4 + [0.25] * 4)
    right = np.array([1, 1, 1, 0, 0, 0, 0, 1], dtype=float)
    assert expected_calibration_error(scores, right) == pytest.approx(0.0)
    assert expected_calibration_error(np.array([0.95] * 4), np.array([0, 0, 0, 1.0])) == pytest.approx(0.7)
    assert reliability(scores, right) == [(0.25, 0.25, 4), (0.75, 0.75, 4)]


def test_confidence_scores_count_each_question_by_its_best_guess():
    def outcome(score, best_f1):
        return QuestionOutcome("q", "?", ["a"], "", 1 - (score or 0), score, 0.0, 0.0, best_f1=best_f1)

    scores = confidence_scores([outcome(0.9, 1.0), outcome(0.2, 0.0), outcome(0.6, 0.4), outcome(None, None)])
    assert scores["confidence_auroc"] == 1.0
    assert scores["confidence_ece"] == pytest.approx((0.1 + 0.2 + 0.6) / 3)  # the F1 0.4 guess counts as wrong
