"""Confidence as a word beside its number, so a reader need not know what 0.41 means for this system.

A score is the verifier's calibrated probability that the answer is right (fitted on held-out questions; see
``qa.verifier`` and ``qa/models/reader/verifier.json``), so the words are cut where that calibration puts its
decisions, not where they look round:

- **low**: below the calibrated abstention threshold (``QAPipeline.default_threshold``, the verifier's
  ``threshold``; its value for the shipped reader is in the model card). The system would not answer on its own
  at this level: only best guesses, supporting sentences and answers given under a lowered threshold are shown
  with it. Below the verifier's refusal floor (``refuse_below``) nothing gets a word at all: the documents are
  taken to be silent and no guess is shown (``qa.answer.Result.documents_silent``).
- **medium**: from that threshold up to ``LIKELY_RIGHT``: confident enough to answer, less likely right than wrong.
  Where the fitted threshold is itself at or above ``LIKELY_RIGHT``, every answer given is more likely right than
  wrong and this band is empty: the words are then "low" for best guesses and "high" for answers.
- **high**: ``LIKELY_RIGHT`` and above: a calibrated probability of 0.5 or more means more likely right than wrong.

Every confidence shown, in the chat and by the CLI, has ``DECIMALS`` decimals, as the threshold slider (step 0.01).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qa.pipeline import QAPipeline

DECIMALS = 2
LIKELY_RIGHT = 0.5  # a calibrated probability of being right from which "right" is the better bet


@dataclass(frozen=True)
class ConfidenceLevels:
    """Where the words change: ``medium_from`` is the calibrated abstention threshold, ``high_from`` above it."""

    medium_from: float
    high_from: float = LIKELY_RIGHT

    @classmethod
    def calibrated(cls, threshold: float) -> ConfidenceLevels:
        """The levels for a calibrated ``threshold`` (high never starts below where answering starts)."""
        return cls(threshold, max(LIKELY_RIGHT, threshold))

    @classmethod
    def of(cls, pipeline: QAPipeline) -> ConfidenceLevels:
        """The levels of ``pipeline``'s verifier: its default threshold, not the one a user may have set."""
        return cls.calibrated(pipeline.default_threshold)

    def word(self, score: float) -> str:
        if score >= self.high_from:
            return "high"
        return "medium" if score >= self.medium_from else "low"


def shown_score(score: float) -> str:
    """A confidence or threshold as shown everywhere in the chat."""
    return f"{score:.{DECIMALS}f}"


def confidence_text(score: float, levels: ConfidenceLevels) -> str:
    """ "high confidence 0.72": the number, and before it the word that says what it means here."""
    return f"{levels.word(score)} confidence {shown_score(score)}"
