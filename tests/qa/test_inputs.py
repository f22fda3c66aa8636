import math

import pytest

from qa.inputs import InputError, check_share, check_threshold, check_top_k, readable_question


@pytest.mark.parametrize("question", ["Who?", "¿Quién es?", "2022", "  What\u200b now?  "])
def test_a_readable_question_is_returned_unchanged(question):
    assert readable_question(question) is question


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("Who \udcff?", "not valid UTF-8"),
        ("\u200b\ufeff \t\n", "Please type a question."),
        ("?!?... ,,,", "no letters or digits"),
    ],
)
def test_an_unreadable_question_is_refused_with_why(question, message):
    with pytest.raises(InputError, match=message):
        readable_question(question)


def test_top_k_is_a_whole_number_within_its_bounds():
    assert check_top_k(1) == 1 and check_top_k(10, maximum=10) == 10
    for value in (0, -1, 2.0, "3", True, None):
        with pytest.raises(InputError, match="top_k must be a whole number 1 or more"):
            check_top_k(value)
    with pytest.raises(InputError, match="--top-k must be a whole number between 1 and 10 .not 11."):
        check_top_k(11, "--top-k", maximum=10)


def test_a_threshold_is_a_number_from_0_to_1_inclusive():
    assert check_threshold(0) == 0.0 and check_threshold(1) == 1.0 and isinstance(check_threshold(1), float)
    for value in (-0.01, 1.01, math.nan, "0.5", False):
        with pytest.raises(InputError, match="threshold must be a number between 0 and 1"):
            check_threshold(value)


def test_an_unanswerable_share_may_be_0_but_not_1():
    assert check_share(0) == 0.0 and check_share(0.999) == 0.999
    for value in (1, 1.0, -0.1, math.nan, "0.2", True):
        with pytest.raises(InputError, match="unanswerable share must be a number from 0 up to .not including. 1"):
            check_share(value)
