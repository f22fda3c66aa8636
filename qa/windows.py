"""Question + context windows: the one tokenisation shared by training and reading.

Long contexts are cut into overlapping windows (``stride`` tokens of overlap)
so no answer is lost at a window edge, and every context token keeps its
character offsets so a predicted span maps back to the exact source text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.wordpieces import WordPieces, pad_rows


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
    tokenizer: WordPieces,
    questions: list[str],
    contexts: list[str],
    max_length: int = 384,
    stride: int = 128,
    max_question_tokens: int = 64,
) -> list[Window]:
    """Tokenise question/context pairs into windows of at most ``max_length`` tokens."""
    questions = [_clip_question(q, o, max_question_tokens) for q, o in zip(questions, tokenizer.offsets(questions))]
    windows = []
    for pair, encoding in tokenizer.encode_pairs(questions, contexts, max_length, stride):
        sequence_ids = encoding.sequence_ids
        context_tokens = [t for t, s in enumerate(sequence_ids) if s == 1]
        if not context_tokens:
            continue
        offsets = np.array(
            [off if s == 1 else (-1, -1) for off, s in zip(encoding.offsets, sequence_ids)], dtype=np.int32
        )
        windows.append(
            Window(
                example=pair,
                input_ids=np.asarray(encoding.ids, dtype=np.int32),
                token_type_ids=np.asarray(encoding.type_ids, dtype=np.int8),
                context_start=context_tokens[0],
                context_end=context_tokens[-1],
                offsets=offsets,
            )
        )
    return windows


def _clip_question(question: str, offsets: list[tuple[int, int]], max_tokens: int) -> str:
    """Cut an over-long question (its word pieces' ``offsets``) so the context always keeps most of the window."""
    if len(offsets) <= max_tokens:
        return question
    return question[: offsets[max_tokens - 1][1]]


def pad_batch(items: list) -> tuple:
    """Tensors (input_ids, token_type_ids, attention_mask) of windows (or features), padded to the longest."""
    return pad_rows([item.input_ids for item in items], [item.token_type_ids for item in items])
