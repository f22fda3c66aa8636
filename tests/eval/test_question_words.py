import pytest

from eval.question_words import QUESTION_WORDS, question_word


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
