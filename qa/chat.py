"""``qa chat``: a conversation in the terminal, the models loaded once and the history kept for follow-ups.

Questions come one a line, typed or piped; either way each is read in the light of the turns before it
("Who designed the dam?" then "When was it completed?"), as in the web chat. Piped questions are echoed, so the
transcript reads as a conversation. ``/new`` starts the conversation over; end of input (Ctrl-D) ends it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Sequence
from typing import TextIO

from index.errors import QAError
from qa.answer import Result
from qa.conversation import CHAIN, Turn, is_follow_up

RESET = "/new"
PROMPT = "> "

Ask = Callable[[str, Sequence[Turn]], Result]  # (question, history) -> reply


def converse(
    lines: Iterable[str],
    ask: Ask,
    describe: Callable[[Result], str],
    out: TextIO,
    as_json: bool = False,
    echo: bool = False,
) -> list[Turn]:
    """Answer each line in the light of the turns before it; returns the history at the end.

    ``describe``: how a reply is printed for a person (``as_json``: the answer record, one JSON line each).
    ``echo``: print each question first, for input that was not typed at a terminal.
    """
    history: list[Turn] = []
    for line in lines:
        question = line.strip()
        if not question:
            continue
        if echo and not as_json:
            print(f"{PROMPT}{question}", file=out)
        if question == RESET:
            history.clear()
            if not as_json:
                print("(a new conversation)", file=out)
            continue
        try:
            result = ask(question, tuple(history))
        except QAError as err:
            print(json.dumps({"question": question, "error": str(err)}) if as_json else str(err), file=out)
            continue
        if as_json:
            print(json.dumps(result.to_dict(), ensure_ascii=False), file=out)
        else:
            if history and is_follow_up(question):
                print(f'  (a follow-up to "{history[-1].question}")', file=out)
            print(describe(result), file=out)
        out.flush()
        history = [*history, Turn.from_result(result)][-CHAIN:]  # all a follow-up can lean on
    return history


def typed_lines(prompt: str = PROMPT) -> Iterable[str]:
    """Lines typed at a terminal, with line editing where the platform has it, until end of input."""
    with contextlib.suppress(ImportError):  # not on every platform
        import readline  # noqa: F401  (gives input() history and editing)
    while True:
        try:
            yield input(prompt)
        except EOFError:
            print()
            return
