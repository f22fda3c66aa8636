"""A FAISS index plus chunk metadata, persisted in a directory that can be verified.

The directory holds ``manifest.json`` (format version, embedder, index type,
counts and the SHA-256 of every other file), ``documents.jsonl``,
``chunks.jsonl`` and ``vectors.faiss``. Loading checks all of it and refuses a
corrupted or mismatched index with a clear message: a wrong index would
answer wrongly, which is worse than not answering.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path

import numpy as np

from index.errors import QAError
from index.records import Chunk, Document

FORMAT_VERSION = 1
INDEX_TYPES = ("flat", "hnsw")
_FILES = ("documents.jsonl", "chunks.jsonl", "vectors.faiss")


class IndexLoadError(QAError):
    """The index directory is missing, corrupted or was built by something else."""


class IndexStore:
    """Documents, their chunks and one vector per chunk, in FAISS (inner product on unit vectors)."""

    def __init__(self, embedder_name: str, dimension: int, index_type: str = "flat"):
        if index_type not in INDEX_TYPES:
            raise QAError(f"unknown index type {index_type!r}; choose one of {', '.join(INDEX_TYPES)}")
        self.embedder_name = embedder_name
        self.dimension = dimension
        self.index_type = index_type
        self.documents: dict[str, Document] = {}
        self.chunks: list[Chunk] = []
        self._faiss = None

    def _index(self):
        if self._faiss is None:
            import faiss

            if self.index_type == "hnsw":
                self._faiss = faiss.IndexHNSWFlat(self.dimension, 32, faiss.METRIC_INNER_PRODUCT)
                self._faiss.hnsw.efSearch = 64
            else:
                self._faiss = faiss.IndexFlatIP(self.dimension)
        return self._faiss

    def add(self, documents: list[Document], chunks: list[Chunk], vectors: np.ndarray) -> None:
        """Append already chunked and embedded documents; ids continue where the index ends."""
        if len(chunks) != len(vectors):
            raise ValueError("one vector per chunk is required")
        for document in documents:
            if document.name in self.documents:
                raise QAError(f"a document named {document.name!r} is already in the index")
        expected = list(range(len(self.chunks), len(self.chunks) + len(chunks)))
        if [c.id for c in chunks] != expected:
            raise ValueError("chunk ids must continue the index's numbering")
        if len(vectors):
            self._index().add(np.ascontiguousarray(vectors, dtype=np.float32))
        self.documents.update((d.name, d) for d in documents)
        self.chunks.extend(chunks)

    def search(self, vectors: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """Top ``k`` (chunk id, cosine similarity) per query vector."""
        if not self.chunks:
            return [[] for _ in range(len(vectors))]
        scores, ids = self._index().search(np.ascontiguousarray(vectors, dtype=np.float32), min(k, len(self.chunks)))
        return [
            [(int(i), float(s)) for i, s in zip(row_ids, row_scores) if i >= 0]
            for row_ids, row_scores in zip(ids, scores)
        ]

    def save(self, directory: str | Path) -> Path:
        """Write every file, then the manifest with their checksums (a half-written save fails to load)."""
        import faiss

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        _write_jsonl(directory / "documents.jsonl", (asdict(d) for d in self.documents.values()))
        _write_jsonl(directory / "chunks.jsonl", (asdict(c) for c in self.chunks))
        faiss.write_index(self._index(), str(directory / "vectors.faiss"))
        manifest = {
            "format_version": FORMAT_VERSION,
            "embedder": self.embedder_name,
            "dimension": self.dimension,
            "index_type": self.index_type,
            "documents": len(self.documents),
            "chunks": len(self.chunks),
            "sha256": {name: _sha256(directory / name) for name in _FILES},
        }
        tmp = directory / "manifest.json.tmp"
        tmp.write_text(json.dumps(manifest, indent=2))
        os.replace(tmp, directory / "manifest.json")
        return directory

    @classmethod
    def load(cls, directory: str | Path, embedder_name: str, dimension: int) -> IndexStore:
        """Open a saved index, refusing anything that does not verify."""
        import faiss

        directory = Path(directory)
        manifest_path = directory / "manifest.json"
        if not manifest_path.is_file():
            raise IndexLoadError(f"{directory}: not an index directory (no manifest.json); build one with 'qa index'")
        try:
            manifest = json.loads(manifest_path.read_text())
        except (OSError, ValueError) as err:
            raise IndexLoadError(f"{directory}: manifest.json is unreadable ({err}); rebuild the index") from err
        version = manifest.get("format_version")
        if version != FORMAT_VERSION:
            raise IndexLoadError(
                f"{directory}: index format {version}, this version reads {FORMAT_VERSION}; rebuild it"
            )
        if manifest.get("embedder") != embedder_name or manifest.get("dimension") != dimension:
            raise IndexLoadError(
                f"{directory}: built with embedder {manifest.get('embedder')} ({manifest.get('dimension')} dims), "
                f"but this system uses {embedder_name} ({dimension} dims); rebuild it"
            )
        for name in _FILES:
            path = directory / name
            if not path.is_file():
                raise IndexLoadError(f"{directory}: {name} is missing; rebuild the index")
            if _sha256(path) != manifest.get("sha256", {}).get(name):
                raise IndexLoadError(f"{directory}: {name} is corrupted (checksum mismatch); rebuild the index")
        store = cls(embedder_name, dimension, manifest.get("index_type", "flat"))
        try:
            store.documents = {d["name"]: Document(**d) for d in _read_jsonl(directory / "documents.jsonl")}
            store.chunks = [Chunk(**c) for c in _read_jsonl(directory / "chunks.jsonl")]
            store._faiss = faiss.read_index(str(directory / "vectors.faiss"))
        except (OSError, ValueError, TypeError, RuntimeError) as err:
            raise IndexLoadError(f"{directory}: cannot read the index ({err}); rebuild it") from err
        if store._faiss.ntotal != len(store.chunks) or len(store.chunks) != manifest.get("chunks"):
            raise IndexLoadError(f"{directory}: vectors and chunks disagree in number; rebuild the index")
        return store


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_jsonl(path: Path, records) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
