"""Group questions by their question word, to see which kinds of question the system gets wrong."""

from __future__ import annotations

import re

MIN_GROUP = 10  # a group smaller than this says nothing on its own; it joins "other"
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


def question_word_groups(questions: list[str]) -> dict[str, list[int]]:
    """{question word: indices of its questions}, in ``QUESTION_WORDS`` order, groups of fewer than ``MIN_GROUP``
    questions merged into "other" (which is kept whatever its size, so every question is counted once)."""
    groups: dict[str, list[int]] = {}
    for i, question in enumerate(questions):
        groups.setdefault(question_word(question), []).append(i)
    merged: dict[str, list[int]] = {}
    for word in QUESTION_WORDS:
        if word in groups:
            key = word if len(groups[word]) >= MIN_GROUP else "other"
            merged.setdefault(key, []).extend(groups[word])
    return {word: sorted(merged[word]) for word in QUESTION_WORDS if word in merged}
