"""Group questions by their question word, to see which kinds of question the system gets wrong."""

from __future__ import annotations

import re

QUESTION_WORDS = ("who", "what", "when", "where", "which", "how many", "how much", "why", "how", "other")

_SINGLE = frozenset(("who", "what", "when", "where", "which", "why", "how"))
_ALIASES = {"whom": "who", "whose": "who"}
_WORD = re.compile(r"[a-z]+")


def question_word(question: str) -> str:
    """The first question word anywhere in the question ("In what year ..." is a *what* question)."""
    words = _WORD.findall(question.lower())
    for i, word in enumerate(words):
        word = _ALIASES.get(word, word)
        if word == "how" and i + 1 < len(words) and words[i + 1] in ("many", "much"):
            return f"how {words[i + 1]}"
        if word in _SINGLE:
            return word
    return "other"
