"""What happened to one question: the record every metric, plot and report line is computed from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class QuestionOutcome:
    """One evaluated question.

    ``prediction`` is "" when the system abstained or failed; ``na_prob`` is
    1 - the best candidate's score (1.0 without candidates); ``score`` is that
    best score (None without candidates); ``exact``/``f1`` are 0/1 and 0..1
    against the best gold; ``retrieved_rank`` is the 1-based rank of the first
    passage holding a gold answer; ``error`` says why the question failed.
    ``best_f1`` says whether the confidence was deserved (``eval.confidence_metrics``).
    """

    id: str
    question: str
    gold: list[str]
    prediction: str
    na_prob: float
    score: float | None
    exact: float
    f1: float
    timings: dict[str, float] = field(default_factory=dict)
    retrieved_rank: int | None = None
    error: str | None = None
    best_f1: float | None = None  # F1 of the best candidate, answered or held back (None without candidates)
    threshold: float | None = None  # the confidence below which the system abstained on this question

    @property
    def answerable(self) -> bool:
        return bool(self.gold)

    @property
    def abstained(self) -> bool:
        return not self.prediction

    def to_dict(self) -> dict:
        return asdict(self)
