"""Spans that lose or add words: how often an answer is a strict part of a gold answer, or holds one and more.

"eight years" for "nearly eight years" and "27" for "27 days" are sub-spans:
the reader found the place but cut what matters. Counted over the answerable
questions that were answered, on normalised text (the official SQuAD
normalisation), so a dropped article or punctuation mark is not a miss.
"""

from __future__ import annotations

from collections.abc import Sequence

from eval.outcome import QuestionOutcome
from eval.squad_metrics import normalize_answer


def span_kind(prediction: str, gold: Sequence[str]) -> str:
    """``exact``, ``sub`` (inside a gold answer), ``super`` (holds a gold answer and more) or ``other``."""
    said = normalize_answer(prediction)
    answers = [normalize_answer(g) for g in gold]
    if said in answers:
        return "exact"
    if said and any(_inside(said, answer) for answer in answers):
        return "sub"
    if said and any(answer and _inside(answer, said) for answer in answers):
        return "super"
    return "other"


def _inside(part: str, whole: str) -> bool:
    return f" {part} " in f" {whole} "


def span_error_rates(outcomes: Sequence[QuestionOutcome]) -> dict[str, float]:
    """``subspan_rate`` and ``superspan_rate`` in percent of answered answerable questions."""
    answered = [o for o in outcomes if o.answerable and not o.abstained]
    if not answered:
        return {}
    kinds = [span_kind(o.prediction, o.gold) for o in answered]
    return {
        "subspan_rate": 100.0 * kinds.count("sub") / len(kinds),
        "superspan_rate": 100.0 * kinds.count("super") / len(kinds),
    }
