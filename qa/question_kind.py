"""What sort of reply a question wants: a span (who, when, how many...), or a sentence (yes/no, why, how).

An extractive reader quotes spans; it cannot say "yes", and a reason or a manner is a clause rather than a name or
a number. For those questions the pipeline replies with the sentence of the document that bears on them
(``qa.supporting``). The kind is read from the question's first words by rule, since questions open with the word
that asks.
"""

from __future__ import annotations

import re

SPAN = "span"  # who, what, when, where, which, how many...: a span of the document answers it
YES_NO = "yes_no"  # opens with an auxiliary verb: "Did Russia send warships?"
WHY = "why"
HOW = "how"  # how it happened or is done; "how many", "how long" and the like ask for a span
SENTENCE_KINDS = (YES_NO, WHY, HOW)  # answered with a supporting sentence

_AUXILIARIES = frozenset(
    "is are was were am do does did has have had can could will would shall should may might must "
    "isn't aren't wasn't weren't don't doesn't didn't hasn't haven't hadn't can't couldn't won't wouldn't "
    "shouldn't".split()
)
# "How" before these asks for a quantity, which a span answers.
_HOW_MUCH = frozenset(
    "many much long old far big large tall high deep wide few often soon fast early late small heavy".split()
)
_OPENERS = frozenset({"and", "but", "so", "then", "ok", "okay", "well"})  # "And why?", "So did he?"
_WORD = re.compile(r"[\w'’]+")


def question_kind(question: str) -> str:
    """``SPAN``, ``YES_NO``, ``WHY`` or ``HOW``, from the question's first words.

    A choice question ("Was it signed in 1955 or 1956?") opens with an auxiliary but is answered by a span.
    """
    words = [w.lower().replace("’", "'") for w in _WORD.findall(question)]
    while words and words[0] in _OPENERS:
        words = words[1:]
    if not words:
        return SPAN
    first = words[0]
    if first == "why":
        return WHY
    if first == "how":
        return HOW if len(words) == 1 or words[1] not in _HOW_MUCH else SPAN
    if first in _AUXILIARIES and "or" not in words:
        return YES_NO
    return SPAN
