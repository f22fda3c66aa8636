"""The words of a text as the verifier, the supporting sentences and the synthetic negatives compare them."""

from __future__ import annotations

import re

WORD = re.compile(r"\w+")  # letters and digits of any script, so a question in another language has words too
STOP_WORDS = set(
    "a an the of in on at to for from by with and or is are was were be been being do does did what which who whom "
    "whose when where why how that this these those it its as into than then there their they he she his her him "
    "i you we our your not no yes can could would should will shall may might must have has had about after before "
    "during over under between many much most more name named called".split()
)


def normal_words(text: str) -> str:
    """``text`` as lower-case words, so that answers differing in case or punctuation compare equal."""
    return " ".join(WORD.findall(text.lower()))


def content_words(text: str) -> set[str]:
    """The words of ``text`` that carry its subject (no question words, pronouns or other function words)."""
    return {w for w in WORD.findall(text.lower()) if w not in STOP_WORDS and len(w) > 1}


def share_found(asked: set[str], text: str) -> float:
    """The share of a question's content words ``asked`` that ``text`` contains (1 when it has none: "Why?")."""
    return len(asked & content_words(text)) / len(asked) if asked else 1.0
