"""Writing files so that a crash never leaves half of one: the index's manifests and the reader's fitted files."""

from __future__ import annotations

import os
from pathlib import Path


def fsync(path: Path) -> None:
    """Flush a file's or a directory's contents (a directory: the names in it) to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` beside ``path``, flush it, then rename it over ``path``: a reader of ``path`` sees the old
    file whole or the new one whole, even across a kill or a power cut."""
    path = Path(path)
    staged = path.with_name(f"{path.name}.tmp")
    with staged.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(staged, path)
    fsync(path.parent)
