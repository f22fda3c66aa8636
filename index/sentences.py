"""Sentence spans as offsets into untouched text, so chunks can quote the source exactly.

Web-scraped text often loses the space between sentences (``reported.Russia is``), so a period followed
directly by a capital is a boundary too, unless the word before it is an abbreviation or initialism.
"""

from __future__ import annotations

import re

# Terminal punctuation plus any closing quotes or brackets that belong to the sentence it ends.
_TERMINAL = re.compile(r"[.?!]+[\"'”’)\]]*")
# What comes after terminal punctuation: optional space, optional opening quotes, then the first real character.
_FOLLOWER = re.compile(r"(\s*)[\"'“‘(\[]*(.?)", re.DOTALL)
_WORD_BEFORE = re.compile(r"[A-Za-z]+(?:\.[A-Za-z]+)*$")
# Abbreviations usually followed by a capitalised word, so a capital after them is no evidence of a new sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st mt rev hon gen col lt capt sgt sen rep gov pres messrs no nos vs fig vol approx e.g i.e"
    " jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_LIST_MARKER = re.compile(r"\s*(#|[-*+]\s|\d+[.)]\s)")
_HEADING_MAX_WORDS = 10

_BOILERPLATE = re.compile(
    r"(leave a (reply|comment)|your email address will not be published|required fields are marked|share this"
    r"|related (posts|articles|stories)|you may also like|click to share|post navigation)\b",
    re.IGNORECASE,
)
_BOILERPLATE_TAIL = 3000  # only the last few thousand characters are searched for boilerplate
_SHORT_LINE = 80  # comment forms and share bars are short lines; article prose is not


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` spans of the sentences in ``text[start:end]``, surrounding whitespace excluded."""
    end = len(text) if end is None else end
    cuts = {start, end, *_line_cuts(text, start, end)}
    cuts.update(match.end() for match in _TERMINAL.finditer(text, start, end) if _ends_sentence(text, match, end))
    bounds = sorted(cuts)
    spans = []
    for left, right in zip(bounds, bounds[1:]):
        piece = text[left:right]
        stripped = piece.strip()
        if stripped:
            first = left + len(piece) - len(piece.lstrip())
            spans.append((first, first + len(stripped)))
    return spans


def body_end(text: str) -> int:
    """Where trailing boilerplate (comment form, share bar) starts, or ``len(text)``: it is not worth indexing."""
    cut = len(text)
    floor = max(0, len(text) - _BOILERPLATE_TAIL)
    line_end = len(text)
    while line_end >= 0:
        line_start = text.rfind("\n", 0, line_end) + 1
        line = text[line_start:line_end].strip()
        if line_start < floor or len(line) > _SHORT_LINE:
            break  # real prose, or too far from the end: everything above is the body
        if _BOILERPLATE.match(line):
            cut = line_start
        line_end = line_start - 1
    return cut


def _ends_sentence(text: str, match: re.Match, end: int) -> bool:
    follower = _FOLLOWER.match(text, match.end(), end)
    space, first = follower.group(1), follower.group(2)
    if not (first.isupper() or (space and first.isdigit())):
        return False  # lowercase, "-led", or a digit glued on as in "22.5"
    if match.group().rstrip("\"'”’)]") != ".":
        return True  # "?", "!" and "..." have no abbreviation reading
    word = _WORD_BEFORE.search(text, max(0, match.start() - 20), match.start())
    if word is None:
        return True  # "in 2020.Last year"
    word = word.group()
    initials = all(len(part) == 1 for part in word.split(".")) and ("." in word or word.isupper())
    return not (initials or word.lower() in _ABBREVIATIONS)


def _line_cuts(text: str, start: int, end: int) -> list[int]:
    """Line breaks that end a sentence without punctuation: after a blank line, a heading or a list item."""
    cuts = []
    line_start = start
    newline = text.find("\n", start, end)
    while newline != -1:
        next_end = text.find("\n", newline + 1, end)
        next_line = text[newline + 1 : end if next_end == -1 else next_end]
        if _heading_like(text[line_start:newline], next_line):
            cuts.append(newline)
        line_start, newline = newline + 1, next_end
    return cuts


def _heading_like(line: str, next_line: str) -> bool:
    if not line.strip() or _LIST_MARKER.match(line):
        return True
    words = line.split()
    opens_next = next_line.lstrip()[:1]
    return (
        len(words) <= _HEADING_MAX_WORDS
        and words[0][0].isupper()
        and words[-1][-1] not in ",;-–—("
        and (opens_next.isupper() or opens_next.isdigit() or bool(_LIST_MARKER.match(next_line)))
    )
