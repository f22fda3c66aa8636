"""qa ask --file: questions one a line, JSON Lines out, a refused line recorded without stopping the rest."""

import io
import json

from qa.answer import Answer, Result
from qa.batch import answer_all, question_lines
from qa.pipeline import check_question


def test_blank_lines_are_skipped_and_line_ends_dropped():
    stream = io.StringIO("Who?\r\n\n  \nWhen?\n")
    assert list(question_lines(stream)) == ["Who?", "When?"]


def test_every_question_gets_a_record_and_refusals_are_counted():
    def answer(question):
        check_question(question)
        found = Answer("Kishida", 0.8, 0, 7, "a.txt")
        return Result(question, found, [found])

    out = io.StringIO()
    refused = answer_all(["Who?", "x" * 2000, "When?"], answer, out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert refused == 1
    assert [r["question"] for r in records] == ["Who?", "x" * 2000, "When?"]
    assert records[0]["answer"]["text"] == "Kishida" and records[2]["reply"] == "Kishida"
    assert "characters long" in records[1]["error"] and "answer" not in records[1]
