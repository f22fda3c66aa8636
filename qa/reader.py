"""The extractive reader: reads passages and quotes the span that answers the question."""

from __future__ import annotations

import bisect
from pathlib import Path

import numpy as np

from index.errors import QAError
from index.records import Passage
from qa.answer import Answer
from qa.calibration import Calibration
from qa.decoding import snap_to_words, window_spans
from qa.modeling import SHIPPED_READER
from qa.windows import encode_windows, pad_batch

PRECISIONS = ("fp32", "bf16", "int8")
RANGES_FILE = "int8_ranges.safetensors"  # the int8 smoothing's channel ranges, beside the weights
DEFAULT_PRECISION = "int8"  # smoothed int8: as accurate as fp32 and faster (figures in the model card)
_SEAM = "\n\n"


class ExtractiveReader:
    """A question-answering model over passages, decoded with comparable scores.

    Passages given together are read as one context in retrieval order:
    candidates from different passages then compete in one softmax, which tells
    "Prime Minister Fumio Kishida" from "Former Prime Minister Shinzo Abe" better
    than reading each passage apart and taking the best score (the model card
    compares the two). The pipeline gives it the best passage alone first, and all of
    them together only when that one does not answer (``QAPipeline.accept_first``).
    A context longer than one window is read in overlapping windows, ranked by
    margin over each window's no-answer logit; duplicates and overlaps are
    merged (best kept), and the best few returned. The reader never
    abstains by itself: the pipeline compares the best score with its
    threshold, so the same candidates serve the chat and the threshold search.

    ``precision``: int8 (default) linear layers, smoothed with the channel ranges
    stored beside the weights (``index.int8``); fp32; or bf16 autocast (fast only
    on CPUs with native bf16).
    """

    def __init__(
        self,
        model_dir: str | Path | None = None,
        max_length: int = 384,
        stride: int = 128,
        max_answer_tokens: int = 30,
        top_k: int = 5,
        batch_size: int = 16,
        precision: str = DEFAULT_PRECISION,
        calibrated: bool = True,
    ):
        if precision not in PRECISIONS:
            raise QAError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
        self.model_dir = Path(model_dir) if model_dir else SHIPPED_READER
        self.precision = precision
        self.calibrated = calibrated
        self._calibration: Calibration | None = None
        self.max_length = max_length
        self.stride = stride
        self.max_answer_tokens = max_answer_tokens
        self.top_k = top_k
        self.batch_size = batch_size
        self._model = None
        self._tokenizer = None

    def warm_up(self) -> None:
        if self._model is None:
            from index.bert import ModelError, load_bert

            if not (self.model_dir / "config.json").is_file():
                raise ModelError(f"no reader model in {self.model_dir}")
            from index.wordpieces import WordPieces

            self._tokenizer = WordPieces(self.model_dir)
            model = load_bert(self.model_dir, spans=True)
            if self.precision == "int8":
                from index.int8 import load_ranges, quantize_int8

                model = quantize_int8(model, load_ranges(self.model_dir / RANGES_FILE))
            self._model = model

    @property
    def model(self):
        """The loaded model, at this reader's precision."""
        self.warm_up()
        return self._model

    @property
    def tokenizer(self):
        self.warm_up()
        return self._tokenizer

    def calibration(self) -> Calibration:
        """How margins become confidences, fitted on held-out data for these weights (``calibration.json``).

        ``confidence = sigmoid(scale * margin + bias)`` is the fitted probability that the answer is right,
        and ``threshold`` the confidence below which the pipeline abstains. Without a file (or with
        ``calibrated=False``, as when fitting one): scale 1, bias 0, threshold 0.5, the point where the
        model rates "this span" and "no answer here" equally likely.
        """
        if self._calibration is None:
            self._calibration = Calibration.beside(self.model_dir, self.calibrated)
        return self._calibration

    def calibrated_threshold(self) -> float:
        return self.calibration().threshold

    def run(
        self, question: str, passages: list[Passage], top_k: int | None = None, joined: bool = True
    ) -> list[Answer]:
        """Candidate answers from ``passages``, best first (at most ``top_k``).

        ``joined``: the passages are read as one context (their candidates compete in
        one softmax); otherwise each is read as its own context, in one batch.
        """
        self.warm_up()
        if not passages:
            return []
        texts = [p.chunk.text for p in passages]
        if joined:
            joined_text, offsets = _join(texts)
            contexts, owners = [joined_text], [offsets]
        else:
            contexts, owners = texts, [[0]] * len(texts)
        windows = encode_windows(self._tokenizer, [question] * len(contexts), contexts, self.max_length, self.stride)
        start_logits, end_logits = self._logits(windows)
        calibration = self.calibration()
        answers = []
        for window, starts, ends in zip(windows, start_logits, end_logits):
            for span in window_spans(starts, ends, window, self.max_answer_tokens):
                offsets = owners[window.example]
                part = bisect.bisect_right(offsets, span.start) - 1
                which = part if joined else window.example
                chunk = passages[which].chunk
                start, end = span.start - offsets[part], span.end - offsets[part]
                if end > len(chunk.text):
                    continue  # runs across the seam between two passages
                start, end = snap_to_words(chunk.text, start, end)
                if end <= start:
                    continue
                answers.append(
                    Answer(
                        text=chunk.text[start:end],
                        score=calibration.confidence(span.margin),
                        start=chunk.start + start,
                        end=chunk.start + end,
                        source=chunk.source,
                        context=chunk.text,
                        context_start=start,
                        margin=span.margin,
                        passage=which,
                    )
                )
        return _merge(answers)[: top_k or self.top_k]

    def _logits(self, windows) -> tuple[list[np.ndarray], list[np.ndarray]]:
        import torch

        starts, ends = [], []
        for begin in range(0, len(windows), self.batch_size):
            batch = windows[begin : begin + self.batch_size]
            ids, types, mask = pad_batch(batch)
            bf16 = torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16")
            with torch.inference_mode(), bf16:
                start_logits, end_logits = self._model(input_ids=ids, token_type_ids=types, attention_mask=mask)
            for row, w in enumerate(batch):
                starts.append(start_logits[row, : len(w.input_ids)].float().numpy())
                ends.append(end_logits[row, : len(w.input_ids)].float().numpy())
        return starts, ends


def _join(texts: list[str]) -> tuple[str, list[int]]:
    """The passages as one context (best first), and where each one starts in it."""
    offsets, position = [], 0
    for text in texts:
        offsets.append(position)
        position += len(text) + len(_SEAM)
    return _SEAM.join(texts), offsets


def _merge(answers: list[Answer]) -> list[Answer]:
    """Best first; a span overlapping a better one of the same document is the same answer."""
    kept: list[Answer] = []
    for answer in sorted(answers, key=lambda a: -a.score):
        if not any(k.source == answer.source and k.start < answer.end and answer.start < k.end for k in kept):
            kept.append(answer)
    return kept
