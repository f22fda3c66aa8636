"""A model's word-piece tokenizer, read straight from its ``tokenizer.json`` with the ``tokenizers`` library.

It is the same Rust tokenizer that transformers' fast tokenizers wrap (``tests/index/test_wordpieces.py``
checks that every call here gives the ids, types and offsets they give), without importing ``transformers``,
whose import was a third of a cold ``qa ask``. The saved file carries the truncation and padding it was
last used with; they are cleared on load, and each way of cutting text gets its own configured copy made
once, so concurrent callers never reconfigure a tokenizer another thread is using.
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import numpy as np

from index.errors import QAError

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json")


class TokenizerError(QAError):
    """A model directory without a usable tokenizer."""


class WordPieces:
    """Ids, token types and character offsets of texts and of question/context pairs."""

    def __init__(self, directory: str | Path):
        from tokenizers import Tokenizer

        self.directory = Path(directory)
        try:
            self._json = (self.directory / "tokenizer.json").read_text(encoding="utf-8")
            config_path = self.directory / "tokenizer_config.json"
            config = json.loads(config_path.read_text(encoding="utf-8")) if config_path.is_file() else {}
            self._plain = Tokenizer.from_str(self._json)
        except Exception as err:  # an unreadable file (OSError) or one tokenizers cannot parse (a bare Exception)
            raise TokenizerError(f"{self.directory}: no usable tokenizer.json: {err}") from err
        self._plain.no_truncation()
        self._plain.no_padding()
        self.model_max_length = int(config.get("model_max_length") or 512)
        self._cut: dict[tuple, object] = {}
        self._lock = threading.Lock()

    @property
    def vocab_size(self) -> int:
        return self._plain.get_vocab_size(with_added_tokens=False)

    def offsets(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        """Each text's word pieces as character spans, without special tokens or truncation."""
        return [e.offsets for e in self._plain.encode_batch(texts, add_special_tokens=False)]

    def count(self, text: str) -> int:
        """Word pieces in ``text``, without special tokens."""
        return len(self._plain.encode(text, add_special_tokens=False).ids)

    def encode(self, texts: list[str], max_length: int) -> list:
        """``[CLS] text [SEP]`` for each text, cut to ``max_length`` pieces (``tokenizers.Encoding`` records)."""
        return self._cutter(max_length, 0, "longest_first").encode_batch(texts)

    def encode_pairs(self, questions: list[str], contexts: list[str], max_length: int, stride: int) -> list:
        """``[CLS] question [SEP] context [SEP]`` windows of at most ``max_length`` pieces.

        A context too long for one window continues in the next, ``stride`` pieces overlapping; the result is
        ``(pair index, encoding)`` for every window, in order.
        """
        tokenizer = self._cutter(max_length, stride, "only_second")
        windows = []
        for pair, encoding in enumerate(tokenizer.encode_batch(list(zip(questions, contexts)))):
            windows += [(pair, e) for e in (encoding, *encoding.overflowing)]
        return windows

    def save(self, out_dir: str | Path) -> None:
        """Copy the tokenizer files beside a model written to ``out_dir``."""
        for name in TOKENIZER_FILES:
            if (self.directory / name).is_file():
                shutil.copyfile(self.directory / name, Path(out_dir) / name)

    def _cutter(self, max_length: int, stride: int, strategy: str):
        key = (max_length, stride, strategy)
        with self._lock:
            if key not in self._cut:
                from tokenizers import Tokenizer

                tokenizer = Tokenizer.from_str(self._json)
                tokenizer.no_padding()
                tokenizer.enable_truncation(max_length, stride=stride, strategy=strategy)
                self._cut[key] = tokenizer
            return self._cut[key]


def pad_rows(ids: list, types: list) -> tuple:
    """Tensors (input_ids, token_type_ids, attention_mask) of id and type rows, padded to the longest row only."""
    import torch

    width = max(len(row) for row in ids)
    input_ids = torch.zeros((len(ids), width), dtype=torch.long)
    token_types = torch.zeros_like(input_ids)
    mask = torch.zeros_like(input_ids)
    for row, (row_ids, row_types) in enumerate(zip(ids, types)):
        n = len(row_ids)
        input_ids[row, :n] = torch.from_numpy(np.asarray(row_ids, dtype=np.int64))
        token_types[row, :n] = torch.from_numpy(np.asarray(row_types, dtype=np.int64))
        mask[row, :n] = 1
    return input_ids, token_types, mask
