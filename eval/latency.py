"""Latency per pipeline stage: the median says what a user usually waits, p95 and max say the worst."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eval.outcome import QuestionOutcome
from qa.timings import percentile


@dataclass(frozen=True)
class LatencyStats:
    """Seconds."""

    p50: float
    p95: float
    max: float
    count: int


def stage_timings(outcomes: Sequence[QuestionOutcome]) -> dict[str, list[float]]:
    """Seconds per stage, stages in the order they first appear."""
    stages: dict[str, list[float]] = {}
    for outcome in outcomes:
        for stage, seconds in outcome.timings.items():
            stages.setdefault(stage, []).append(seconds)
    return stages


def latency_stats(outcomes: Sequence[QuestionOutcome]) -> dict[str, LatencyStats]:
    return {
        stage: LatencyStats(
            p50=percentile(values, 50),
            p95=percentile(values, 95),
            max=max(values),
            count=len(values),
        )
        for stage, values in stage_timings(outcomes).items()
    }
