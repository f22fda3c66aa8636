from eval.outcome import QuestionOutcome
from eval.span_errors import span_error_rates, span_kind


def test_span_kinds():
    assert span_kind("27", ["27 days"]) == "sub"
    assert span_kind("eight years", ["nearly eight years"]) == "sub"
    assert span_kind("nearly eight years ago", ["eight years"]) == "super"
    assert span_kind("The Senate", ["Senate"]) == "exact"  # articles do not count
    assert span_kind("7", ["27 days"]) == "other"  # inside the text, but not a whole word of it
    assert span_kind("Tokyo", ["Osaka"]) == "other"


def test_rates_count_answered_answerable_questions_only():
    def outcome(prediction, gold):
        return QuestionOutcome("q", "?", gold, prediction, 0.0, 0.9, 0.0, 0.0)

    outcomes = [outcome("27", ["27 days"]), outcome("27 days", ["27 days"]), outcome("", ["x"]), outcome("y", [])]
    assert span_error_rates(outcomes) == {"subspan_rate": 50.0, "superspan_rate": 0.0}
    assert span_error_rates([outcome("", ["x"])]) == {}
