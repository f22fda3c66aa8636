"""Tools that prepare models and choose settings, apart from the evaluation library in ``eval``.

Each is ``python -m eval.tools.NAME``: compute functions plus a thin ``main`` run through the ``qa`` command's
error handler (``run_main``), so a bad input prints one line, as ``qa`` does. ``quantize`` measures int8 channel
ranges, ``tune_reading`` chooses reading settings and fits the verifier, ``carve_titles`` splits the tuning half
into articles to train on and articles to decide on, ``tune_retrieval`` compares chunkings, ``tune_indexing``
chooses the embedding batch and threads, ``tune_sentences`` when a supporting sentence is given, ``bench`` times the
system, ``scale`` measures the index at up to a million chunks, ``compare_hf`` measures the system against the
transformers 4.x pipeline and ``cold_start`` times a new ``qa ask`` process against a one-shot script of that
pipeline.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path


def run_main(module_file: str, main: Callable[[], object]) -> None:
    """Exit with ``main``'s status, its errors handled as ``qa``'s are, under the module's dotted name."""
    from qa.cli import guarded

    parts = Path(module_file).with_suffix("").parts
    package = max((i for i, part in enumerate(parts) if part == "eval"), default=None)  # the last "eval" in the path
    name = ".".join(parts[package:]) if package is not None else f"eval.tools.{parts[-1]}"
    sys.exit(guarded(name, main))
