"""An answer verifier: the probability that a candidate answer is right, from signals already at hand.

The reader's margin alone says how much a span beats "no answer" inside its
window; it does not see that the question names something the passage never
mentions, that two passages agree, or that a "when" question got a name.
A logistic model over those signals, fitted on question outcomes of the
tuning half (``python -m eval.tools.tune_reading --write-verifier``), turns them into one calibrated
confidence, and the abstention threshold is chosen on the same outcomes.
The fitted weights live in ``verifier.json`` beside the reader's weights.

Its confidence is P(right) among questions like the tuning half's, half of which cannot be answered. Where
fewer of the questions asked are unanswerable, as when people ask about a document they chose, more answers
are right at every level of the signals: ``Verifier.for_share`` moves the confidence to another share of
unanswerable questions (the prior-shift correction of its log-odds, Saerens et al., 2002; approximate, since
the wrong answers' mix of unanswerable questions and misread answerable ones changes with the share too, so it is
calibrated on the whole rather than at every level) and takes the threshold chosen for that share on the same
outcomes, reweighted.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from index.errors import QAError
from index.files import write_atomic
from index.records import Passage
from qa.answer import Answer
from qa.decoding import confidence
from qa.words import WORD, content_words, normal_words, share_found

VERIFIER_FILE = "verifier.json"
DEFAULT_UNANSWERABLE_SHARE = 0.2
"""The share of unanswerable questions answered for by default: people asking about a document they chose
(SQuAD 2.0's benchmark share is 0.5; the choice and what it does are in the model card)."""
FEATURES = (
    "margin",  # reader's span logit minus its window's no-answer logit
    "gap",  # margin minus the best other candidate's margin
    "agreement",  # other candidates (other windows or passages) quoting the same words
    "passage_rank",  # retrieval rank of the passage it was read from
    "type_fit",  # +1 when the answer's kind fits the question word, -1 when it clashes, 0 otherwise
    "answer_words",  # log(1 + words in the answer)
    "question_in_context",  # share of the question's content words found in the passage read
    "names_missing",  # the question's capitalised words and numbers the passage lacks
    "similarity",  # dense cosine of the question and the passage (``Passage.similarity``; unknown: the fit's mean)
)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_NUMBER_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|hundred|thousand|million|billion|dozen"
_HAS_NUMBER = re.compile(rf"\d|\b({_NUMBER_WORDS})\b", re.IGNORECASE)
_HAS_DATE = re.compile(rf"\d|\b({_MONTHS}|century|centuries|decade|year|years|ago|today|yesterday)\b", re.IGNORECASE)


class VerifierError(QAError):
    """A verifier file that cannot be used."""


def expected_answer_type(question: str) -> str:
    """``date``, ``number``, ``person`` or ``other``: what kind of answer the question word asks for."""
    q = question.lower()
    if re.search(r"\bhow (many|much|long|old|far|large|big|tall|high)\b|\bwhat (percentage|percent|number)\b", q):
        return "number"
    if re.search(r"\bwhen\b|\bwhat (year|date|day|month|century|decade|time)\b|\bin which year\b", q):
        return "date"
    if re.search(r"^\s*(who|whom|whose)\b|\bwho\b", q):
        return "person"
    return "other"


def type_fit(question: str, answer: str) -> float:
    kind = expected_answer_type(question)
    if kind == "number":
        return 1.0 if _HAS_NUMBER.search(answer) else -1.0
    if kind == "date":
        return 1.0 if _HAS_DATE.search(answer) else -1.0
    if kind == "person":
        return 1.0 if any(w[:1].isupper() for w in answer.split()) else -1.0
    return 0.0


def features(question: str, candidate: Answer, others: list[Answer], passages: list[Passage]) -> list[float]:
    """The ``FEATURES`` of one candidate, given the other candidates and the passages read."""
    rivals = [o for o in others if o is not candidate]
    words = normal_words(candidate.text)
    agreement = sum(1 for o in rivals if normal_words(o.text) == words)
    gap = candidate.margin - max((o.margin for o in rivals), default=candidate.margin - 10.0)
    passage = passages[candidate.passage] if candidate.passage < len(passages) else None
    context = passage.chunk.text if passage else candidate.context
    similarity = passage.similarity if passage and passage.similarity is not None else math.nan
    asked = content_words(question)
    names = {w.lower() for w in WORD.findall(question)[1:] if w[:1].isupper() or w[:1].isdigit()}
    return [
        candidate.margin,
        gap,
        float(agreement),
        float(candidate.passage),
        type_fit(question, candidate.text),
        math.log1p(len(candidate.text.split())),
        share_found(asked, context),
        float(len(names - set(WORD.findall(context.lower())))),
        similarity,
    ]


@dataclass(frozen=True)
class OperatingPoint:
    """Where to abstain when ``unanswerable_share`` of the questions asked cannot be answered."""

    unanswerable_share: float
    threshold: float
    refuse_below: float


@dataclass
class Verifier:
    """``confidence = sigmoid(weights . (x - mean) / std + bias)``; abstain below ``threshold``.

    The confidence is P(right) where ``unanswerable_share`` of the questions are unanswerable and
    ``right_share`` of the answers judged are right; ``operating_points`` hold the thresholds chosen for
    other shares (``for_share``).
    """

    weights: list[float]
    bias: float
    mean: list[float]
    std: list[float]
    threshold: float
    feature_names: tuple[str, ...] = FEATURES
    fitted_on: str = ""
    refuse_below: float = 0.0  # a best confidence this low means the documents do not answer (not just "unsure")
    unanswerable_share: float = 0.5
    right_share: float = 0.5
    operating_points: tuple[OperatingPoint, ...] = ()

    def for_share(self, share: float) -> Verifier:
        """This verifier where ``share`` of the questions are unanswerable: its confidence moved there
        (``moved_to``), and the threshold and refusal floor chosen for that share."""
        point = next((p for p in self.operating_points if math.isclose(p.unanswerable_share, share)), None)
        if point is None:
            known = ", ".join(f"{p.unanswerable_share:g}" for p in self.operating_points) or "none"
            raise VerifierError(f"no operating point for an unanswerable share of {share:g} (this verifier's: {known})")
        return replace(self.moved_to(share), threshold=point.threshold, refuse_below=point.refuse_below)

    def moved_to(self, share: float) -> Verifier:
        """The confidence where ``share`` of the questions are unanswerable, the threshold unchanged: right answers
        come only from answerable questions, so their share scales with them, and the log-odds move with it."""
        if not 0.0 <= share < 1.0:
            raise VerifierError(f"an unanswerable share is at least 0 and below 1, not {share:g}")
        right = self.right_share * (1.0 - share) / (1.0 - self.unanswerable_share)
        if not 0.0 < right < 1.0:
            raise VerifierError(f"this verifier's outcomes cannot be moved to an unanswerable share of {share:g}")
        return replace(
            self, bias=self.bias + _logit(right) - _logit(self.right_share), unanswerable_share=share, right_share=right
        )

    def score(self, question: str, candidates: list[Answer], passages: list[Passage]) -> list[Answer]:
        """The candidates with their ``score`` replaced by the verifier's confidence, best first."""
        rescored = [replace(c, score=self.probability(features(question, c, candidates, passages))) for c in candidates]
        return sorted(rescored, key=lambda a: -a.score)

    def probability(self, x: list[float]) -> float:
        """P(right) of a candidate with features ``x``; an unknown feature (NaN) counts as the fit's mean."""
        mean = np.asarray(self.mean)
        z = (np.where(np.isnan(x), mean, x) - mean) / np.asarray(self.std)
        return confidence(float(z @ np.asarray(self.weights)) + self.bias)

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, ridge: float = 1.0) -> Verifier:
        """Logistic regression on standardised features by Newton's method (threshold set to 0.5); an unknown
        feature (NaN) counts as the mean of the known ones."""
        known = ~np.isnan(x)
        mean = np.where(known, x, 0.0).sum(axis=0) / np.maximum(known.sum(axis=0), 1)
        x = np.where(known, x, mean)
        std = x.std(axis=0)
        std[std == 0] = 1.0
        weights = fit_logistic((x - mean) / std, y, ridge)
        bias, right = float(weights[-1]), float(y.mean())
        return cls(weights[:-1].tolist(), bias, mean.tolist(), std.tolist(), 0.5, right_share=right)

    def save(self, path: str | Path) -> None:
        record = asdict(self) | {"feature_names": list(self.feature_names)}
        write_atomic(path, json.dumps(record, indent=2) + "\n")  # a kill while writing must not break the reader

    @classmethod
    def load(cls, path: str | Path) -> Verifier:
        try:
            record = json.loads(Path(path).read_text(encoding="utf-8"))
            points = tuple(OperatingPoint(**p) for p in record.get("operating_points", ()))
            verifier = cls(**{**record, "feature_names": tuple(record["feature_names"]), "operating_points": points})
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as err:
            raise VerifierError(f"{path}: not a usable verifier file: {err}") from err
        if verifier.feature_names != FEATURES:
            raise VerifierError(f"{path}: fitted on features {verifier.feature_names}, this code computes {FEATURES}")
        return verifier


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def fit_logistic(x: np.ndarray, y: np.ndarray, ridge: float = 1e-3, iterations: int = 50) -> np.ndarray:
    """Weights (one per column of ``x``, then the bias) of P(y=1 | x) = sigmoid(x . w + b), by Newton's method.

    The ridge penalty leaves the bias free, so rare outcomes still get a fitting base rate.
    """
    x = np.asarray(x, dtype=np.float64).reshape(len(y), -1)
    design = np.hstack([x, np.ones((len(x), 1))])
    penalty = ridge * np.eye(design.shape[1])
    penalty[-1, -1] = 0.0
    weights = np.zeros(design.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ weights, -60, 60)))
        gradient = design.T @ (p - y) + penalty @ weights
        hessian = (design * (p * (1 - p))[:, None]).T @ design + penalty + 1e-9 * np.eye(design.shape[1])
        weights -= np.linalg.solve(hessian, gradient)
    return weights
