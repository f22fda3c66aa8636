"""Reader weights for training: transformers' model, from the shipped checkpoint or the bundled encoder.

Answering loads the same files with ``index.bert`` (plain torch), never through this module's transformers.
"""

from __future__ import annotations

from pathlib import Path

from index.encoder import quiet_loading

SHIPPED_READER = Path(__file__).resolve().parent / "models" / "reader"


def load_reader_model(model_dir: str | Path, **config_overrides):
    """An ``AutoModelForQuestionAnswering`` in fp32; a bare encoder gets a fresh span head."""
    import torch
    from transformers import AutoModelForQuestionAnswering
    from transformers.utils import logging

    quiet_loading()
    verbosity = logging.get_verbosity()
    logging.set_verbosity_error()  # a bare encoder rightly lacks the span head; don't alarm users
    try:
        model = AutoModelForQuestionAnswering.from_pretrained(
            str(model_dir), local_files_only=True, dtype=torch.float32, **config_overrides
        )
    finally:
        logging.set_verbosity(verbosity)
    return model


def save_reader(model, tokenizer, out_dir: str | Path) -> Path:
    """Write fp16 safetensors plus tokenizer files: half the size, same answers."""
    import copy

    import torch

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    half = copy.deepcopy(model).to(torch.float16)
    half.save_pretrained(str(out_dir), safe_serialization=True)
    tokenizer.save(out_dir)
    return out_dir
