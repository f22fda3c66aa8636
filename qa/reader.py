"""The extractive reader: reads passages and quotes the span that answers the question."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from index.records import Passage
from qa.answer import Answer
from qa.decoding import confidence, snap_to_words, window_spans
from qa.modeling import SHIPPED_READER, load_reader_model, load_tokenizer
from qa.windows import encode_windows, pad_batch


class ExtractiveReader:
    """A question-answering model over passages, decoded with comparable scores.

    Passages longer than one window are read in overlapping windows; the
    answers of all windows and passages are ranked together, duplicates and
    overlaps merged (best kept), and the best few returned. The reader never
    abstains by itself: the pipeline compares the best score with its
    threshold, so the same candidates serve the chat and the threshold search.
    """

    def __init__(
        self,
        model_dir: str | Path | None = None,
        max_length: int = 384,
        stride: int = 128,
        max_answer_tokens: int = 30,
        top_k: int = 5,
        batch_size: int = 16,
    ):
        self.model_dir = Path(model_dir) if model_dir else SHIPPED_READER
        self.max_length = max_length
        self.stride = stride
        self.max_answer_tokens = max_answer_tokens
        self.top_k = top_k
        self.batch_size = batch_size
        self._model = None
        self._tokenizer = None

    def warm_up(self) -> None:
        if self._model is None:
            if not (self.model_dir / "config.json").is_file():
                raise FileNotFoundError(f"no reader model in {self.model_dir}")
            self._tokenizer = load_tokenizer(self.model_dir)
            model = load_reader_model(self.model_dir)
            model.eval()
            self._model = model

    def calibrated_threshold(self) -> float:
        """The abstention threshold fitted on held-out data for these weights (``calibration.json``).

        Without one, 0.5: the point where the model rates "a span" and "no answer" equally likely.
        """
        path = self.model_dir / "calibration.json"
        return float(json.loads(path.read_text())["threshold"]) if path.is_file() else 0.5

    def run(self, question: str, passages: list[Passage], top_k: int | None = None) -> list[Answer]:
        """Candidate answers from ``passages``, best first (at most ``top_k``)."""
        self.warm_up()
        if not passages:
            return []
        windows = encode_windows(
            self._tokenizer, [question] * len(passages), [p.chunk.text for p in passages], self.max_length, self.stride
        )
        start_logits, end_logits = self._logits(windows)
        answers = []
        for window, starts, ends in zip(windows, start_logits, end_logits):
            chunk = passages[window.example].chunk
            for span in window_spans(starts, ends, window, self.max_answer_tokens):
                start, end = snap_to_words(chunk.text, span.start, span.end)
                if end <= start:
                    continue
                answers.append(
                    Answer(
                        text=chunk.text[start:end],
                        score=confidence(span.margin),
                        start=chunk.start + start,
                        end=chunk.start + end,
                        source=chunk.source,
                        context=chunk.text,
                        context_start=start,
                    )
                )
        return _merge(answers)[: top_k or self.top_k]

    def _logits(self, windows) -> tuple[list[np.ndarray], list[np.ndarray]]:
        import torch

        starts, ends = [], []
        for begin in range(0, len(windows), self.batch_size):
            batch = windows[begin : begin + self.batch_size]
            ids, types, mask = pad_batch(batch)
            with torch.inference_mode():
                output = self._model(input_ids=ids, token_type_ids=types, attention_mask=mask)
            for row, w in enumerate(batch):
                starts.append(output.start_logits[row, : len(w.input_ids)].float().numpy())
                ends.append(output.end_logits[row, : len(w.input_ids)].float().numpy())
        return starts, ends


def _merge(answers: list[Answer]) -> list[Answer]:
    """Best first; a span overlapping a better one of the same document is the same answer."""
    kept: list[Answer] = []
    for answer in sorted(answers, key=lambda a: -a.score):
        if not any(k.source == answer.source and k.start < answer.end and answer.start < k.end for k in kept):
            kept.append(answer)
    return kept
