"""qa chat's conversation loop: history passed on, echoed when piped, /new to start over, errors kept in line."""

import io
import json

from qa.answer import Answer, Result
from qa.chat import RESET, converse
from qa.conversation import CHAIN
from qa.pipeline import QuestionError


def _fake_ask(calls):
    def ask(question, history):
        calls.append((question, [turn.question for turn in history]))
        if question == "bad":
            raise QuestionError("Please type a question.")
        answer = Answer(f"answer to {question}", 0.9, 0, 5, "d.txt", "hello", 0)
        return Result(question, answer, [answer])

    return ask


def test_each_question_gets_the_turns_before_it():
    calls, out = [], io.StringIO()
    lines = ["Who built the dam?\n", "\n", "When was it completed?\n", f"{RESET}\n", "Why?\n"]
    history = converse(lines, _fake_ask(calls), lambda r: r.answer.text, out, echo=True)
    assert calls == [
        ("Who built the dam?", []),
        ("When was it completed?", ["Who built the dam?"]),
        ("Why?", []),  # after /new
    ]
    assert [turn.question for turn in history] == ["Why?"]
    text = out.getvalue()
    assert "> When was it completed?\n" in text and "answer to When was it completed?" in text
    assert '(a follow-up to "Who built the dam?")' in text
    assert "(a new conversation)" in text


def test_json_lines_and_a_refused_question_that_does_not_end_the_session():
    calls, out = [], io.StringIO()
    converse(["bad", "Who?"], _fake_ask(calls), str, out, as_json=True, echo=True)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert records[0] == {"question": "bad", "error": "Please type a question."}
    assert records[1]["answer"]["text"] == "answer to Who?" and records[1]["reply"] == "answer to Who?"
    assert calls[1] == ("Who?", [])  # a refused question is no turn


def test_the_history_is_bounded():
    calls = []
    questions = [f"q{i}" for i in range(CHAIN + 3)]
    converse(questions, _fake_ask(calls), str, io.StringIO())
    assert len(calls[-1][1]) == CHAIN
