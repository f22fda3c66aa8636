"""Many questions in, one JSON record a line out: ``qa ask --file QUESTIONS`` (``-`` for standard input).

The models load once for the whole file, which is what makes a batch worth having. Each question is answered on
its own (no history: lines of a file are not a conversation; ``qa chat`` is). A line the system cannot take gets
a record with its ``error`` and the rest go on, so one bad line does not cost the answers to the others.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TextIO

from index.errors import QAError
from qa.answer import Result


def question_lines(stream: IO[str]) -> Iterator[str]:
    """The questions of a text stream, one a line; blank lines are skipped."""
    for line in stream:
        if line.strip():
            yield line.rstrip("\r\n")


def answer_all(questions: Iterable[str], answer: Callable[[str], Result], out: TextIO) -> int:
    """Write one JSON line per question to ``out`` as it is answered; returns how many were refused.

    A refused question's record is ``{"question": ..., "error": ...}``; any other record is the answer record
    of ``qa ask --json``.
    """
    refused = 0
    for question in questions:
        try:
            record = answer(question).to_dict()
        except QAError as err:
            refused += 1
            record = {"question": question, "error": str(err)}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()  # a reader at the other end of a pipe sees each answer as it comes
    return refused
