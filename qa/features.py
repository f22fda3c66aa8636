"""Training features: windows labelled with the answer's token span, or no-answer.

A window that does not hold the whole answer is labelled no-answer (the [CLS]
token, position 0), which is what teaches the reader to abstain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.squad import QAExample
from qa.windows import Window, encode_windows


@dataclass
class Feature:
    input_ids: np.ndarray
    token_type_ids: np.ndarray
    start: int  # answer's first token, 0 for no answer
    end: int  # answer's last token, 0 for no answer


def label_window(window: Window, answer_start: int | None, answer_end: int | None) -> tuple[int, int]:
    """Token span of the character span [answer_start, answer_end) in ``window``, or (0, 0)."""
    if answer_start is None or answer_end is None:
        return 0, 0
    offsets = window.offsets
    first, last = window.context_start, window.context_end
    if offsets[first][0] > answer_start or offsets[last][1] < answer_end:
        return 0, 0
    start = first
    while start <= last and offsets[start][1] <= answer_start:
        start += 1
    end = last
    while end >= first and offsets[end][0] >= answer_end:
        end -= 1
    if start > end:
        return 0, 0
    return start, end


def build_features(
    tokenizer,
    examples: list[QAExample],
    max_length: int = 256,
    stride: int = 128,
    batch_size: int = 1000,
    progress=None,
) -> list[Feature]:
    """Windows of every example, each labelled with the first gold answer's tokens."""
    features = []
    for begin in range(0, len(examples), batch_size):
        batch = examples[begin : begin + batch_size]
        windows = encode_windows(tokenizer, [e.question for e in batch], [e.context for e in batch], max_length, stride)
        for window in windows:
            example = batch[window.example]
            if example.answers:
                gold = example.answers[0]
                start, end = label_window(window, gold.start, gold.start + len(gold.text))
            else:
                start, end = 0, 0
            features.append(Feature(window.input_ids, window.token_type_ids, start, end))
        if progress is not None:
            progress.update(len(batch))
    return features
