import pytest

from eval.question_words import QUESTION_WORDS, question_word, question_word_groups


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("Who signed the treaty?", "who"),
        ("Whose troops seized the islands?", "who"),
        ("What did Moscow send?", "what"),
        ("In what year were the islands seized?", "what"),
        ("When did Soviet forces seize the islands?", "when"),
        ("Where are the exercises held?", "where"),
        ("Which country relies on Russian energy?", "which"),
        ("How many warships were sent?", "how many"),
        ("How much gas does Japan import?", "how much"),
        ("Why is Japan wary?", "why"),
        ("How did Tokyo respond?", "how"),
        ("Name the other islands the Soviets took, and where they lie.", "where"),
        ("Kishida stressed dialogue with Russia.", "other"),
    ],
)
def test_question_word(question, word):
    assert question_word(question) == word
    assert word in QUESTION_WORDS


def test_small_groups_join_other_and_every_question_is_counted_once():
    questions = ["Who won?"] * 10 + ["Why?"] * 3 + ["Name the winner."] * 2 + ["When?"] * 12
    groups = question_word_groups(questions)
    assert list(groups) == ["who", "when", "other"]
    assert groups["other"] == list(range(10, 15)) and len(groups["who"]) == 10
    assert sorted(i for indices in groups.values() for i in indices) == list(range(len(questions)))
