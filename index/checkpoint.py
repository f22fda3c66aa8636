"""Embeddings kept on disk as they are computed, so an interrupted indexing resumes instead of starting over.

Embedding is nearly all of the cost of indexing a large collection. The vectors of each block of chunks are
saved under a name made of the block's texts (content-addressed), written whole or not at all: a run that
is killed keeps every block it finished, and the next run over the same files finds them and embeds only the
rest. A changed file changes its blocks' names, so nothing stale is ever reused.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

CHECKPOINT_DIR = ".embedding"  # inside the index directory being written; removed once the index is saved


class EmbeddingCheckpoint:
    """The blocks of vectors saved so far in ``directory`` for one embedder."""

    def __init__(self, directory: str | Path, embedder_name: str, dimension: int):
        self.directory = Path(directory)
        self.embedder_name = embedder_name
        self.dimension = dimension

    def _path(self, texts: Sequence[str]) -> Path:
        digest = hashlib.sha256(self.embedder_name.encode())
        for text in texts:
            digest.update(hashlib.sha256(text.encode()).digest())
        return self.directory / f"block-{digest.hexdigest()[:24]}.npy"

    def load(self, texts: Sequence[str]) -> np.ndarray | None:
        """The saved vectors of this block of texts, or None when there are none (or they are unreadable)."""
        path = self._path(texts)
        try:
            vectors = np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            return None
        return vectors if vectors.shape == (len(texts), self.dimension) else None

    def save(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Keep this block's vectors, atomically (a kill leaves the whole file or none)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._path(texts)
        staged = path.with_suffix(".tmp")
        with staged.open("wb") as handle:
            np.save(handle, vectors, allow_pickle=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(staged, path)

    def clear(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)
