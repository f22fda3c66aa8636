from eval.outcome import QuestionOutcome
from eval.plots import threshold_in_use


def outcome(threshold: float | None) -> QuestionOutcome:
    return QuestionOutcome("q", "?", [], "", 1.0, None, 1.0, 1.0, threshold=threshold)


def test_the_threshold_in_use_is_the_one_most_questions_were_decided_at():
    assert threshold_in_use([outcome(0.34), outcome(0.34), outcome(0.2), outcome(None)]) == 0.34
    assert threshold_in_use([outcome(None), outcome(None)]) is None
