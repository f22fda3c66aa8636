"""Confidence words: cut where the shipped verifier's calibration puts its decisions."""

from pathlib import Path

import pytest

from qa.confidence import LIKELY_RIGHT, ConfidenceLevels, confidence_text, shown_score
from qa.verifier import DEFAULT_UNANSWERABLE_SHARE, Verifier

VERIFIER = Path(__file__).resolve().parents[2] / "qa" / "models" / "reader" / "verifier.json"


def test_words_change_at_the_calibrated_threshold_and_where_right_is_likelier_than_wrong():
    levels = ConfidenceLevels.calibrated(0.34)
    assert [levels.word(s) for s in (0.02, 0.339, 0.34, 0.49, 0.5, 0.97)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]


def test_high_never_starts_below_answering():
    levels = ConfidenceLevels.calibrated(0.7)
    assert levels.word(0.6) == "low" and levels.word(0.7) == "high"


@pytest.mark.parametrize("share", [DEFAULT_UNANSWERABLE_SHARE, 0.5])
def test_the_shipped_verifier_leaves_a_low_band_above_its_refusal_floor(share):
    verifier = Verifier.load(VERIFIER).for_share(share)
    levels = ConfidenceLevels.calibrated(verifier.threshold)
    # everything shown is at or above the refusal floor: a best guess there must read "low", an answer not
    assert verifier.refuse_below < levels.medium_from <= levels.high_from == max(LIKELY_RIGHT, verifier.threshold)
    assert levels.word(verifier.refuse_below) == "low" and levels.word(verifier.threshold) != "low"


@pytest.mark.parametrize(("score", "text"), [(0.7165, "high confidence 0.72"), (0.05, "low confidence 0.05")])
def test_every_confidence_is_shown_with_two_decimals_and_its_word(score, text):
    assert confidence_text(score, ConfidenceLevels.calibrated(0.34)) == text
    assert shown_score(0.3) == "0.30"
