"""Pin eval.squad_metrics to the official SQuAD v2.0 definitions with hand-worked cases."""

import pytest

from eval.squad_metrics import (
    apply_no_ans_threshold,
    compute_exact,
    compute_f1,
    find_best_thresh,
    get_tokens,
    normalize_answer,
    score_prediction,
    squad_v2_scores,
)
from index.errors import QAError


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("The Eiffel Tower", "eiffel tower"),
        ("an apple a day", "apple day"),
        ("Theory of a thing", "theory of thing"),  # articles only as whole words
        ("U.S.-led   sanctions!", "usled sanctions"),  # punctuation removed, not replaced by a space
        ("  A\tcat\n", "cat"),
        ("Café, 1945.", "café 1945"),
        ("the", ""),
    ],
)
def test_normalize_answer(text, normalized):
    assert normalize_answer(text) == normalized


def test_get_tokens():
    assert get_tokens("") == []
    assert get_tokens("The  blue whale.") == ["blue", "whale"]


def test_exact_ignores_case_articles_punctuation():
    assert compute_exact("The Beatles", "beatles!") == 1
    assert compute_exact("Beatles", "The Rolling Stones") == 0


def test_f1_partial_overlap():
    # gold tokens: quick brown fox (3); predicted: quick brown dog jumps (4); common: quick, brown (2)
    precision, recall = 2 / 4, 2 / 3
    assert compute_f1("the quick brown fox", "quick brown dog jumps") == pytest.approx(
        2 * precision * recall / (precision + recall)
    )
    assert compute_f1("the quick brown fox", "quick brown dog jumps") == pytest.approx(4 / 7)


def test_f1_counts_repeated_tokens_once_per_occurrence():
    # gold "go go stop", predicted "go": common = min(2, 1) = 1; P = 1/1, R = 1/3 -> F1 = 2 * 1 * (1/3) / (4/3) = 1/2
    assert compute_f1("go go stop", "go") == pytest.approx(0.5)


def test_f1_empty_sides():
    assert compute_f1("", "") == 1.0
    assert compute_f1("", "Paris") == 0.0
    assert compute_f1("Paris", "") == 0.0
    assert compute_f1("The", "a") == 1.0  # both normalise to nothing
    assert compute_f1("Paris", "London") == 0.0


def test_score_prediction_takes_best_gold():
    exact, f1 = score_prediction(["Denver Broncos", "the Broncos", "Broncos"], "Broncos")
    assert (exact, f1) == (1, 1.0)
    exact, f1 = score_prediction(["Denver Broncos", "Carolina Panthers"], "Broncos team")
    # best gold "Denver Broncos": common 1, P = 1/2, R = 1/2 -> F1 = 1/2
    assert exact == 0
    assert f1 == pytest.approx(0.5)


def test_score_prediction_unanswerable_and_empty_golds():
    assert score_prediction([], "") == (1, 1.0)
    assert score_prediction([], "Paris") == (0, 0.0)
    # a gold that normalises to nothing is dropped, leaving the question scored as unanswerable
    assert score_prediction(["The"], "") == (1, 1.0)


# Hand-made set: two answerable, two unanswerable questions.
GOLD = {"q1": ["Paris"], "q2": ["blue whale"], "q3": [], "q4": []}
PREDICTIONS = {"q1": "Paris", "q2": "whale", "q3": "Rome", "q4": ""}
NA_PROBS = {"q1": 0.1, "q2": 0.4, "q3": 0.5, "q4": 0.9}
# raw exact: q1 1, q2 0, q3 0, q4 1; raw F1: q1 1, q2 2/3 (P = 1, R = 1/2), q3 0, q4 1


def test_aggregate_keys_and_values():
    scores = squad_v2_scores(GOLD, PREDICTIONS)
    assert list(scores) == [
        "exact",
        "f1",
        "total",
        "HasAns_exact",
        "HasAns_f1",
        "HasAns_total",
        "NoAns_exact",
        "NoAns_f1",
        "NoAns_total",
    ]
    assert scores["exact"] == pytest.approx(100 * 2 / 4)
    assert scores["f1"] == pytest.approx(100 * (1 + 2 / 3 + 0 + 1) / 4)
    assert scores["total"] == 4
    assert scores["HasAns_exact"] == pytest.approx(50.0)
    assert scores["HasAns_f1"] == pytest.approx(100 * (1 + 2 / 3) / 2)
    assert scores["HasAns_total"] == 2
    assert scores["NoAns_exact"] == pytest.approx(50.0)
    assert scores["NoAns_f1"] == pytest.approx(50.0)
    assert scores["NoAns_total"] == 2


def test_no_noans_keys_without_unanswerable_questions():
    scores = squad_v2_scores({"q1": ["Paris"]}, {"q1": "Paris"})
    assert scores == {
        "exact": 100.0,
        "f1": 100.0,
        "total": 1,
        "HasAns_exact": 100.0,
        "HasAns_f1": 100.0,
        "HasAns_total": 1,
    }


def test_best_threshold_sweep():
    # Start abstaining on everything: q3 and q4 right -> 2. Answer in na_prob order:
    #   F1: +q1 (1) -> 3 at 0.1; +q2 (2/3) -> 3.67 at 0.4; +q3 (wrong answer, -1) -> 2.67; +q4 ("" , 0) -> 2.67
    #   EM: +q1 -> 3 at 0.1; +q2 (0) -> 3, not better; +q3 -> 2; +q4 -> 2
    scores = squad_v2_scores(GOLD, PREDICTIONS, NA_PROBS)
    assert scores["best_f1"] == pytest.approx(100 * (1 + 2 / 3 + 1 + 1) / 4)
    assert scores["best_f1_thresh"] == 0.4
    assert scores["best_exact"] == pytest.approx(75.0)
    assert scores["best_exact_thresh"] == 0.1
    assert list(scores)[-4:] == ["best_exact", "best_exact_thresh", "best_f1", "best_f1_thresh"]


def test_best_threshold_agrees_with_applying_it():
    # "abstain when na_prob > thresh": at 0.4, q3 and q4 abstain, q1 and q2 answer -> the best F1 above
    at_best = squad_v2_scores(GOLD, PREDICTIONS, NA_PROBS, na_prob_thresh=0.4)
    assert at_best["f1"] == pytest.approx(squad_v2_scores(GOLD, PREDICTIONS, NA_PROBS)["best_f1"])


def test_best_threshold_zero_when_abstaining_on_everything_wins():
    best, thresh = find_best_thresh({"q": "Rome"}, {"q": 0.0}, {"q": 0.3}, {"q": False})
    assert (best, thresh) == (100.0, 0.0)


def test_apply_no_ans_threshold_is_strictly_greater():
    scores = {"a": 0.5, "b": 0.0}
    rescored = apply_no_ans_threshold(scores, {"a": 0.7, "b": 0.7}, {"a": True, "b": False}, 0.7)
    assert rescored == scores  # na_prob == threshold still answers
    rescored = apply_no_ans_threshold(scores, {"a": 0.7, "b": 0.7}, {"a": True, "b": False}, 0.6)
    assert rescored == {"a": 0.0, "b": 1.0}


def test_default_threshold_one_keeps_predictions():
    with_probs = squad_v2_scores(GOLD, PREDICTIONS, dict.fromkeys(GOLD, 1.0))
    assert with_probs["f1"] == pytest.approx(squad_v2_scores(GOLD, PREDICTIONS)["f1"])


def test_missing_prediction_is_an_error():
    with pytest.raises(QAError, match="no prediction"):
        squad_v2_scores(GOLD, {"q1": "Paris"})
