"""Checks of what a person passes in: a question's characters and the answering settings, each refused in one line.

``readable_question`` checks that a question is text a reader can take: no undecodable bytes, something
visible, and at least one letter or digit. ``qa.pipeline.check_question``, which the command line, the chat and
its API all call, runs it.
"""

from __future__ import annotations

import unicodedata

from index.errors import QAError

# Characters that show nothing: controls, format marks (zero-width space and joiners, BOM), separators, surrogates.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"})


class InputError(QAError):
    """A question or setting the system cannot take; the message says which and why."""


def readable_question(question: str) -> str:
    """``question`` unchanged if a reader can take it; else ``InputError``."""
    if any(unicodedata.category(c) == "Cs" for c in question):  # how undecodable bytes arrive in a str
        raise InputError("The question is not valid UTF-8 text; please type it again.")
    if all(unicodedata.category(c) in _INVISIBLE for c in question):
        raise InputError("Please type a question.")
    if not any(c.isalnum() for c in question):  # "?!?... ,,," would be searched for and "not answered"
        raise InputError("Please type a question in words; that one has no letters or digits.")
    return question


def check_top_k(value: object, name: str = "top_k", maximum: int | None = None) -> int:
    """A whole number of passages, at least 1 (and at most ``maximum``)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1 or (maximum and value > maximum):
        bound = f"between 1 and {maximum}" if maximum else "1 or more"
        raise InputError(f"{name} must be a whole number {bound} (not {value!r})")
    return value


def check_threshold(value: object, name: str = "threshold") -> float:
    """A confidence between 0 and 1 (the reader's scores lie there; NaN would make every answer an abstention)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise InputError(f"{name} must be a number between 0 and 1 (not {value!r})")
    return float(value)


def check_share(value: object, name: str = "unanswerable share") -> float:
    """A share of unanswerable questions, from 0 up to but not including 1 (all unanswerable leaves nothing to
    answer)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
        raise InputError(f"{name} must be a number from 0 up to (not including) 1 (not {value!r})")
    return float(value)
