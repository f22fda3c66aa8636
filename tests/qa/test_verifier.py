"""The answer verifier: its logistic fit, what its features see, and its file."""

import json
from dataclasses import replace

import numpy as np
import pytest

from eval.confidence_metrics import auroc
from index.records import Chunk, Passage
from qa.answer import Answer
from qa.modeling import SHIPPED_READER
from qa.verifier import (
    DEFAULT_UNANSWERABLE_SHARE,
    FEATURES,
    VERIFIER_FILE,
    OperatingPoint,
    Verifier,
    VerifierError,
    expected_answer_type,
    features,
    fit_logistic,
    type_fit,
)

CONTEXT = "Prime Minister Fumio Kishida said on Monday that 3,500 troops were on the islands since 1945."
PASSAGES = [Passage(Chunk(0, "doc", CONTEXT, 0, len(CONTEXT)), 1.0, 0)]


def answer(text: str, margin: float) -> Answer:
    start = CONTEXT.index(text)
    return Answer(text, 0.5, start, start + len(text), "doc", CONTEXT, start, margin=margin, passage=0)


def test_logistic_fit_recovers_known_weights():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20000, 2)) * 3
    y = (rng.random(20000) < 1 / (1 + np.exp(-(0.5 * x[:, 0] - 0.2 * x[:, 1] - 1.0)))).astype(float)
    weights = fit_logistic(x, y)
    assert weights == pytest.approx([0.5, -0.2, -1.0], abs=0.08)


def test_fitting_on_more_signals_separates_right_from_wrong_better_than_the_margin_alone():
    rng = np.random.default_rng(1)
    n = 4000
    right = rng.random(n) < 0.5
    x = np.zeros((n, len(FEATURES)))
    x[:, 0] = rng.normal(size=n) + 0.5 * right  # the margin: a weak signal
    x[:, 6] = rng.normal(size=n) * 0.2 + 0.6 * right  # question words found in the passage: a strong one
    verifier = Verifier.fit(x[: n // 2], right[: n // 2].astype(float))
    held_out = x[n // 2 :]
    fitted = np.array([verifier.probability(list(row)) for row in held_out])
    by_margin = auroc(held_out[:, 0], right[n // 2 :].astype(float))
    assert auroc(fitted, right[n // 2 :].astype(float)) > by_margin + 0.2


def test_expected_answer_types_and_type_fit():
    assert expected_answer_type("How many troops are there?") == "number"
    assert expected_answer_type("When did the Soviet Union take the islands?") == "date"
    assert expected_answer_type("In what year was it signed?") == "date"
    assert expected_answer_type("Who is the Prime Minister?") == "person"
    assert type_fit("How many troops?", "3,500") == 1.0
    assert type_fit("How many troops?", "Kishida") == -1.0
    assert type_fit("When was it?", "1945") == 1.0
    assert type_fit("Who said it?", "Fumio Kishida") == 1.0
    assert type_fit("Why?", "because") == 0.0


def test_features_see_agreement_missing_names_and_rank():
    best, other = answer("Fumio Kishida", 6.0), answer("3,500", 2.0)
    row = dict(zip(FEATURES, features("Who did Shinzo Abe meet on Monday?", best, [best, other], PASSAGES)))
    assert row["margin"] == 6.0 and row["gap"] == 4.0 and row["passage_rank"] == 0
    assert row["names_missing"] == 2.0  # "shinzo", "abe"; "monday" is there
    assert row["type_fit"] == 1.0
    assert 0 < row["question_in_context"] < 1
    twice = dict(zip(FEATURES, features("Who?", best, [best, other, answer("Fumio Kishida", 1.0)], PASSAGES)))
    assert twice["agreement"] == 1.0


def test_the_similarity_is_the_passage_the_answer_came_from_and_unknown_counts_as_the_mean():
    passages = [replace(PASSAGES[0], similarity=0.2), replace(PASSAGES[0], rank=1, similarity=0.7)]
    second = replace(answer("3,500", 2.0), passage=1)
    assert features("How many troops?", second, [second], passages)[FEATURES.index("similarity")] == 0.7
    unknown = features("How many troops?", second, [second], PASSAGES * 2)[FEATURES.index("similarity")]
    assert np.isnan(unknown)
    weights = [0.0] * len(FEATURES)
    weights[FEATURES.index("similarity")] = 2.0
    mean = [0.0] * len(FEATURES)
    mean[FEATURES.index("similarity")] = 0.5
    verifier = Verifier(weights, 0.0, mean, [1.0] * len(FEATURES), 0.5)
    row = [0.0] * len(FEATURES)
    row[FEATURES.index("similarity")] = unknown
    assert verifier.probability(row) == pytest.approx(0.5)  # at the mean: the weight moves nothing


def test_a_fit_counts_an_unknown_feature_as_the_mean_of_the_known_ones():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2000, len(FEATURES)))
    y = (x[:, -1] > 0).astype(float)
    x[::4, -1] = np.nan  # a quarter of the rows without the signal
    verifier = Verifier.fit(x, y)
    assert np.isfinite(verifier.weights).all() and verifier.weights[-1] > 1.0
    assert verifier.mean[-1] == pytest.approx(np.nanmean(x[:, -1]))


def test_score_rescores_and_reorders(tmp_path):
    weights = [0.0] * len(FEATURES)
    weights[FEATURES.index("type_fit")] = 3.0
    verifier = Verifier(weights, 0.0, [0.0] * len(FEATURES), [1.0] * len(FEATURES), 0.5)
    ranked = verifier.score("How many troops?", [answer("Fumio Kishida", 6.0), answer("3,500", 5.0)], PASSAGES)
    assert [a.text for a in ranked] == ["3,500", "Fumio Kishida"]
    assert ranked[0].score > 0.9 > 0.1 > ranked[1].score
    path = tmp_path / "verifier.json"
    verifier.save(path)
    assert Verifier.load(path) == verifier


def test_a_verifier_for_other_features_is_refused(tmp_path):
    path = tmp_path / "verifier.json"
    path.write_text(json.dumps({"weights": [1.0], "bias": 0, "mean": [0], "std": [1], "threshold": 0.5,
                                "feature_names": ["margin"]}))  # fmt: skip
    with pytest.raises(VerifierError, match="features"):
        Verifier.load(path)
    for damaged in ("{", "[]", '"verifier"'):  # not JSON, or JSON that is no verifier record
        path.write_text(damaged)
        with pytest.raises(VerifierError, match="not a usable verifier file"):
            Verifier.load(path)


def _outcomes(rng, n: int, unanswerable_share: float) -> tuple[np.ndarray, np.ndarray]:
    """A margin per question and whether its answer is right: unanswerable questions are never answered right,
    answerable ones more often the higher their margin."""
    answerable = rng.random(n) >= unanswerable_share
    margin = rng.normal(size=n) + 1.5 * answerable
    right = answerable & (rng.random(n) < 1 / (1 + np.exp(-2 * margin)))
    x = np.zeros((n, len(FEATURES)))
    x[:, 0] = margin
    return x, right.astype(float)


def test_moved_to_another_share_the_confidence_is_calibrated_there():
    rng = np.random.default_rng(2)
    x, right = _outcomes(rng, 20000, 0.5)
    verifier = Verifier.fit(x, right)
    verifier.unanswerable_share = 0.5
    there_x, there_right = _outcomes(rng, 20000, 0.2)  # people asking about their own document
    before = np.array([verifier.probability(list(row)) for row in there_x])
    moved = verifier.moved_to(0.2)
    after = np.array([moved.probability(list(row)) for row in there_x])
    assert after.mean() == pytest.approx(there_right.mean(), abs=0.02)  # calibrated in the large
    assert before.mean() < there_right.mean() - 0.1  # unmoved, it says far too little where most questions answer
    assert moved.right_share == pytest.approx(verifier.right_share * 0.8 / 0.5)
    # only the bias moves: the order of the answers, and so AUROC, is kept
    assert auroc(after, there_right) == pytest.approx(auroc(before, there_right))
    assert verifier.moved_to(0.5).bias == pytest.approx(verifier.bias)


def test_for_share_takes_the_operating_point_chosen_for_it(tmp_path):
    points = (OperatingPoint(0.5, 0.42, 0.013), OperatingPoint(0.2, 0.30, 0.008))
    zeros, ones = [0.0] * len(FEATURES), [1.0] * len(FEATURES)
    verifier = Verifier([1.0, *zeros[1:]], -0.5, zeros, ones, 0.4, unanswerable_share=0.5, right_share=0.35,
                        operating_points=points)  # fmt: skip
    path = tmp_path / "verifier.json"
    verifier.save(path)
    assert Verifier.load(path) == verifier
    for_people = Verifier.load(path).for_share(0.2)
    assert (for_people.threshold, for_people.refuse_below, for_people.unanswerable_share) == (0.30, 0.008, 0.2)
    assert for_people.probability([0.0] * len(FEATURES)) > verifier.probability([0.0] * len(FEATURES))
    assert verifier.for_share(0.5).threshold == 0.42
    with pytest.raises(VerifierError, match="no operating point for an unanswerable share of 0.3 .*0.5, 0.2"):
        verifier.for_share(0.3)
    with pytest.raises(VerifierError, match="below 1"):
        verifier.moved_to(1.0)


def test_the_shipped_verifier_has_the_default_operating_point():
    shipped = Verifier.load(SHIPPED_READER / VERIFIER_FILE)
    for_people = shipped.for_share(DEFAULT_UNANSWERABLE_SHARE)
    assert 0 < for_people.refuse_below < for_people.threshold < shipped.for_share(0.5).threshold
    weights = dict(zip(shipped.feature_names, shipped.weights))
    assert weights["margin"] > weights["similarity"] > 0  # a question closer to its passage is more often answered
