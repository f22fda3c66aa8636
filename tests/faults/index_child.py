"""Index writers as separate processes, with a made-up embedder: the index on disk, not retrieval, is under test.

    python index_child.py qa-arguments...              run ``qa`` (``qa index ...``) and exit with its status
    python index_child.py --add DIRECTORY NAME TEXT    add one document with the store alone (no model, fast)
    python index_child.py --hold DIRECTORY             take DIRECTORY's write lock, say "locked", hold it

``QA_TEST_KILL_AT=N`` makes the process SIGKILL itself at the N-th step of a save (0: as it starts);
``QA_TEST_STEPS=1`` prints each step's name to stderr; ``QA_TEST_SLOW=S`` makes embedding take S seconds,
so two writers overlap. Tests import ``HashEmbedder`` and ``add_document`` from here too.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import sys
import time
from pathlib import Path

import numpy as np


class HashEmbedder:
    """The real embedder's name and size, with a vector drawn from each text's hash (same text, same vector)."""

    name = "all-MiniLM-L6-v2"
    dimension = 384

    def __init__(self, slow: float = 0.0):
        self.slow = slow

    def encode_document(self, texts: list[str], progress: bool = False) -> np.ndarray:
        time.sleep(self.slow)
        rows = [
            np.random.default_rng(int.from_bytes(hashlib.sha256(t.encode()).digest()[:8], "big")).normal(
                size=self.dimension
            )
            for t in texts
        ]
        vectors = np.array(rows, dtype=np.float32).reshape(len(texts), self.dimension)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    encode_query = encode_document


def add_document(directory: str | Path, name: str, text: str) -> None:
    """Load the index in ``directory`` (or start one), add ``text`` as one chunk per sentence, save it."""
    from index.records import Chunk, Document
    from index.store import IndexStore

    embedder = HashEmbedder()
    directory = Path(directory)
    if (directory / "manifest.json").is_file():
        store = IndexStore.load(directory, embedder.name, embedder.dimension)
    else:
        store = IndexStore(embedder.name, embedder.dimension)
    spans = [match.span() for match in re.finditer(r"[^.]+\.", text)]
    chunks = [Chunk(len(store.chunks) + i, name, text[start:end], start, end) for i, (start, end) in enumerate(spans)]
    store.add([Document(name, text)], chunks, embedder.encode_document([c.text for c in chunks]))
    store.save(directory)


def _install_faults() -> None:
    from index import store

    kill_at = int(os.environ.get("QA_TEST_KILL_AT", "-1"))
    show = bool(os.environ.get("QA_TEST_STEPS"))
    count = 0

    def reached(step: str) -> None:
        nonlocal count
        if show:
            print(f"step {count}: {step}", file=sys.stderr, flush=True)
        if count == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        count += 1

    store._reached = reached


def main(argv: list[str]) -> int:
    if argv[:1] == ["--hold"]:
        from index.store import index_lock

        with index_lock(argv[1]):
            print("locked", flush=True)
            time.sleep(600)
        return 0
    _install_faults()
    if argv[:1] == ["--add"]:
        add_document(*argv[1:4])
        return 0
    import index.embedder

    slow = float(os.environ.get("QA_TEST_SLOW", "0"))
    index.embedder.Embedder = lambda: HashEmbedder(slow)
    from qa.cli import main as qa_main

    return qa_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
