"""The follow-up evaluation: pairs read, each follow-up asked alone and with the first turn, scored by SQuAD's F1."""

import json

import pytest

from eval.followups import PAIRS, FollowUpPair, _document_path, answer_pair, load_pairs, summarize
from index.errors import QAError
from qa.answer import Answer, Result


def test_the_bundled_pairs_load_and_name_documents_that_exist():
    pairs = load_pairs(PAIRS)
    assert len(pairs) >= 20
    assert len({pair.id for pair in pairs}) == len(pairs)
    assert all(pair.answers and pair.followup for pair in pairs)
    assert all(_document_path(PAIRS, pair.document).is_file() for pair in pairs)


def test_a_malformed_line_is_refused_with_its_number(tmp_path):
    path = tmp_path / "pairs.jsonl"
    good = {"id": "a", "document": "d.txt", "question": "Who?", "followup": "When?", "answers": ["1900"]}
    path.write_text(json.dumps(good) + "\n\n" + json.dumps({"id": "b"}) + "\n", encoding="utf-8")
    with pytest.raises(QAError, match="line 3"):
        load_pairs(path)


def _reply(question: str, text: str | None) -> Result:
    answer = Answer(text, 0.9, 0, len(text), "d.txt") if text else None
    return Result(question, answer, [answer] if answer else [])


def test_the_follow_up_is_asked_alone_and_with_the_first_turn():
    asked = []

    def ask(question, history):
        asked.append((question, [turn.answer for turn in history]))
        if question == "Who built the dam?":
            return _reply(question, "Victor Hale")
        return _reply(question, "1934" if history else None)

    pair = FollowUpPair("p1", "d.txt", "Who built the dam?", "When was it completed?", ("1934", "in 1934"))
    outcome = answer_pair(pair, ask)
    assert asked == [
        ("Who built the dam?", []),
        ("When was it completed?", []),
        ("When was it completed?", ["Victor Hale"]),
    ]
    assert (outcome.first, outcome.without, outcome.with_history) == ("Victor Hale", "", "1934")
    assert (outcome.exact_without, outcome.f1_without, outcome.exact_with, outcome.f1_with) == (0, 0.0, 1, 1.0)
    summary = summarize([outcome, outcome])
    assert summary == {
        "pairs": 2,
        "exact_without_history": 0.0,
        "f1_without_history": 0.0,
        "exact_with_history": 100.0,
        "f1_with_history": 100.0,
    }
