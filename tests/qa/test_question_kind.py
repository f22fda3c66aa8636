"""Which questions get a supporting sentence: yes/no, why and how-it-happened ones, read from their first words."""

import pytest

from qa.question_kind import HOW, SPAN, WHY, YES_NO, question_kind


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Did Russia send warships to the islands?", YES_NO),
        ("Is Japan dependent on Russian gas?", YES_NO),
        ("Hasn't Tokyo lodged a protest?", YES_NO),
        ("And does Japan import gas?", YES_NO),
        ("Was the treaty signed in 1955 or 1956?", SPAN),  # a choice: a span answers it
        ("Why?", WHY),
        ("But why did Abe resign?", WHY),
        ("How did Russia react?", HOW),
        ("How?", HOW),
        ("How many troops are stationed there?", SPAN),
        ("How long does the crossing take?", SPAN),
        ("Who is the Prime Minister of Japan?", SPAN),
        ("When did it happen?", SPAN),
        ("Russia's troops, where are they?", SPAN),
        ("?", SPAN),
    ],
)
def test_kind_of_question(question, kind):
    assert question_kind(question) == kind
