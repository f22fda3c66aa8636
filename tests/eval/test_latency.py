import pytest

from eval.latency import latency_stats
from eval.outcome import QuestionOutcome


def outcome(qid: str, timings: dict[str, float]) -> QuestionOutcome:
    return QuestionOutcome(qid, "q?", [], "", 1.0, None, 1.0, 1.0, timings=timings)


def test_percentiles_per_stage_in_first_seen_order():
    outcomes = [outcome(f"q{i}", {"retrieve": i / 10, "total": float(i)}) for i in range(1, 6)]
    outcomes.append(outcome("failed", {"total": 5.0}))  # a failed question has only its total time
    stats = latency_stats(outcomes)
    assert list(stats) == ["retrieve", "total"]
    # retrieve 0.1..0.5: median 0.3; p95 at position 0.95 * 4 = 3.8 -> 0.4 + 0.8 * 0.1 = 0.48
    assert stats["retrieve"].p50 == pytest.approx(0.3)
    assert stats["retrieve"].p95 == pytest.approx(0.48)
    assert stats["retrieve"].max == pytest.approx(0.5)
    assert stats["retrieve"].count == 5
    # total 1, 2, 3, 4, 5, 5: median 3.5
    assert stats["total"].p50 == pytest.approx(3.5)
    assert stats["total"].max == 5.0
    assert stats["total"].count == 6


def test_no_outcomes():
    assert latency_stats([]) == {}
