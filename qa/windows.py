"""Question + context windows: the one tokenisation shared by training and reading.

Long contexts are cut into overlapping windows (``stride`` tokens of overlap)
so no answer is lost at a window edge, and every context token keeps its
character offsets so a predicted span maps back to the exact source text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Window:
    """One model input: a question and a slice of one context."""

    example: int  # index of the (question, context) pair it came from
    input_ids: np.ndarray
    token_type_ids: np.ndarray
    context_start: int  # first context token
    context_end: int  # last context token (inclusive)
    offsets: np.ndarray  # (tokens, 2) character offsets into the context; (-1, -1) outside it


def encode_windows(
    tokenizer,
    questions: list[str],
    contexts: list[str],
    max_length: int = 384,
    stride: int = 128,
    max_question_tokens: int = 64,
) -> list[Window]:
    """Tokenise question/context pairs into windows of at most ``max_length`` tokens."""
    questions = [_clip_question(tokenizer, q, max_question_tokens) for q in questions]
    encoded = tokenizer(
        questions,
        contexts,
        truncation="only_second",
        max_length=max_length,
        stride=stride,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
        return_token_type_ids=True,
        padding=False,
    )
    windows = []
    for i, input_ids in enumerate(encoded["input_ids"]):
        sequence_ids = encoded.sequence_ids(i)
        context_tokens = [t for t, s in enumerate(sequence_ids) if s == 1]
        if not context_tokens:
            continue
        offsets = np.array(
            [off if s == 1 else (-1, -1) for off, s in zip(encoded["offset_mapping"][i], sequence_ids)],
            dtype=np.int32,
        )
        windows.append(
            Window(
                example=encoded["overflow_to_sample_mapping"][i],
                input_ids=np.asarray(input_ids, dtype=np.int32),
                token_type_ids=np.asarray(encoded["token_type_ids"][i], dtype=np.int8),
                context_start=context_tokens[0],
                context_end=context_tokens[-1],
                offsets=offsets,
            )
        )
    return windows


def _clip_question(tokenizer, question: str, max_tokens: int) -> str:
    """Cut an over-long question so the context always keeps most of the window."""
    encoding = tokenizer(question, add_special_tokens=False, return_offsets_mapping=True)
    if len(encoding["input_ids"]) <= max_tokens:
        return question
    return question[: encoding["offset_mapping"][max_tokens - 1][1]]


def pad_batch(items: list) -> tuple:
    """Tensors (input_ids, token_type_ids, attention_mask) padded to the batch's longest item only."""
    import torch

    width = max(len(item.input_ids) for item in items)
    ids = torch.zeros((len(items), width), dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros_like(ids)
    for row, item in enumerate(items):
        n = len(item.input_ids)
        ids[row, :n] = torch.from_numpy(item.input_ids.astype(np.int64))
        types[row, :n] = torch.from_numpy(item.token_type_ids.astype(np.int64))
        mask[row, :n] = 1
    return ids, types, mask
