"""Turn start/end logits into answer spans: the part transformers 5 no longer does for us.

Every span is scored by its margin over its own window's no-answer logit
([CLS] start + [CLS] end). Softmax-trained logits are only defined up to a
per-window shift; the margin cancels that shift, so spans from different
windows and passages can be ranked against each other, and one threshold on
it decides abstention.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from qa.windows import Window


@dataclass(frozen=True)
class Span:
    start: int  # character offsets into the window's context
    end: int
    margin: float  # span logit minus the window's no-answer logit


def window_spans(
    start_logits: np.ndarray, end_logits: np.ndarray, window: Window, max_answer_tokens: int = 30, n_best: int = 20
) -> list[Span]:
    """The best valid spans of one window: inside the context, end >= start, not too long."""
    first, last = window.context_start, window.context_end
    null = float(start_logits[0] + end_logits[0])
    context_starts = start_logits[first : last + 1]
    context_ends = end_logits[first : last + 1]
    starts = np.argsort(context_starts)[::-1][:n_best] + first
    ends = np.argsort(context_ends)[::-1][:n_best] + first
    spans = []
    for s in starts:
        for e in ends:
            if e < s or e - s + 1 > max_answer_tokens:
                continue
            char_start, char_end = int(window.offsets[s][0]), int(window.offsets[e][1])
            if char_end <= char_start:
                continue
            spans.append(Span(char_start, char_end, float(start_logits[s] + end_logits[e]) - null))
    spans.sort(key=lambda span: -span.margin)
    return spans[:n_best]


_TRAILING = ",;:!?"
_PAIRS = {"(": ")", "[": "]", "“": "”", '"': '"', "‘": "’"}


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span that cuts a word in two, then trim white space and dangling punctuation."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while start < end and (text[start].isspace() or text[start] in ",;:.!?)]”’"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _TRAILING or _dangling_period(text, start, end)):
        end -= 1
    while end > start and text[start] in _PAIRS and _PAIRS[text[start]] not in text[start + 1 : end]:
        start += 1
    while end > start and text[end - 1] in _PAIRS.values() and not _opened(text[start : end - 1], text[end - 1]):
        end -= 1
    return start, end


def _dangling_period(text: str, start: int, end: int) -> bool:
    """A sentence-final period, not the end of ``U.S.`` or ``Mr.``."""
    if text[end - 1] != ".":
        return False
    word = text[start : end - 1].split()[-1] if text[start : end - 1].split() else ""
    return "." not in word and len(word) > 3


def _opened(inside: str, closer: str) -> bool:
    return any(opener in inside for opener, close in _PAIRS.items() if close == closer)


def confidence(margin: float) -> float:
    """Margin to (0, 1): 0.5 means span and no-answer are equally likely."""
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, margin))))
