"""A FAISS index plus chunk metadata, persisted in a directory that can be verified and is never half-written.

The directory holds ``manifest.json`` (format version, embedder, index type,
counts, the generation holding the data and the SHA-256 of each of its files)
beside that generation, a sub-directory ``generation-<id>/`` with
``documents.jsonl``, ``chunks.jsonl``, ``vectors.faiss`` and the keyword index's files under ``bm25/``
(``index.bm25``; indexes saved before it was kept rebuild it from their chunks when loaded). A save writes a
whole new generation beside the old one, makes it durable, then switches to it
by atomically replacing the manifest, and only then removes stale generations:
a save killed at any point leaves the previous index or the new one, whole.
Format 1 (the files directly beside the manifest) is still read; its next save
moves it to a generation.

Loading checks all of it, and that every chunk quotes its document at its
offsets, and refuses a corrupted, altered or mismatched index with a clear
message: a wrong index would answer wrongly, which is worse than not answering.
Writers take the directory's exclusive lock (``index_lock``), so two of them
never both read the same index and each save only their own documents.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from index import bm25, vectors
from index.bm25 import BM25
from index.errors import QAError
from index.files import fsync
from index.records import Chunk, Document
from index.vectors import INDEX_TYPES

FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)  # 1: the data files beside the manifest; 2: in the generation the manifest names
MANIFEST = "manifest.json"
LOCK_FILE = "index.lock"
LOCK_TIMEOUT = 600.0  # seconds a writer waits for another one to finish (indexing many files takes minutes)
_FILES = ("documents.jsonl", "chunks.jsonl", "vectors.faiss")
KEYWORDS = "bm25"  # the keyword index's sub-directory of a generation, and the manifest's "keywords" value
_KEYWORD_FILES = tuple(f"{KEYWORDS}/{name}" for name in bm25.FILES)
_GENERATION = re.compile(r"generation-[0-9a-f]{12}")


class IndexLoadError(QAError):
    """The index directory is missing, corrupted or was built by something else."""


class IndexLockError(QAError):
    """Another process is writing the index directory and did not finish in time."""


def _reached(step: str) -> None:
    """Called after each step of a save; fault-injection tests replace it to kill the process there."""


class IndexStore:
    """Documents, their chunks, one vector per chunk in FAISS (inner product on unit vectors) and a BM25
    keyword index over the chunks. ``index_type`` chooses the FAISS index (``index.vectors``)."""

    def __init__(self, embedder_name: str, dimension: int, index_type: str = "flat"):
        if index_type not in INDEX_TYPES:
            raise QAError(f"unknown index type {index_type!r}; choose one of {', '.join(INDEX_TYPES)}")
        self.embedder_name = embedder_name
        self.dimension = dimension
        self.index_type = index_type
        self.documents: dict[str, Document] = {}
        self.chunks: list[Chunk] = []
        self._faiss = None
        self._mapped_from: Path | None = None  # the file a loaded index is memory-mapped from
        self._keywords: BM25 | None = None

    def _index(self):
        if self._faiss is None:
            self._faiss = vectors.new_index(self.index_type, self.dimension)
        return self._faiss

    def _writable_index(self):
        """The FAISS index, read into memory first if it is memory-mapped (FAISS cannot change or save those)."""
        self._faiss = vectors.writable(self._index(), self._mapped_from)
        self._mapped_from = None
        return self._faiss

    @property
    def vector_index(self):
        """The FAISS index itself (flat, IVF or HNSW), for measuring it."""
        return self._index()

    def keyword_index(self) -> BM25:
        """The BM25 index over the chunks: the saved one, or built from the chunk texts when there is none
        or documents were added since."""
        if self._keywords is None or self._keywords.size != len(self.chunks):
            self._keywords = BM25.build(c.text for c in self.chunks)
        return self._keywords

    def add(self, documents: list[Document], chunks: list[Chunk], embeddings: np.ndarray) -> None:
        """Append already chunked and embedded documents; ids continue where the index ends."""
        if len(chunks) != len(embeddings):
            raise ValueError("one vector per chunk is required")
        for document in documents:
            if document.name in self.documents:
                raise QAError(f"a document named {document.name!r} is already in the index")
        expected = list(range(len(self.chunks), len(self.chunks) + len(chunks)))
        if [c.id for c in chunks] != expected:
            raise ValueError("chunk ids must continue the index's numbering")
        if len(embeddings):
            self._faiss = vectors.grow(self._writable_index(), self.index_type, embeddings)
        self.documents.update((d.name, d) for d in documents)
        self.chunks.extend(chunks)

    def search(self, queries: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """Top ``k`` (chunk id, cosine similarity) per query vector."""
        if not self.chunks:
            return [[] for _ in range(len(queries))]
        scores, ids = self._index().search(np.ascontiguousarray(queries, dtype=np.float32), min(k, len(self.chunks)))
        return [
            [(int(i), float(s)) for i, s in zip(row_ids, row_scores) if i >= 0]
            for row_ids, row_scores in zip(ids, scores)
        ]

    def save(self, directory: str | Path, keywords: bool = True) -> Path:
        """Write a new generation, then switch the manifest to it in one atomic step (see the module's doc).

        ``keywords=False`` leaves the keyword index out: a shard's, which is searched by the one kept over every
        shard (``index.shards``); opened on its own, such an index builds it from its chunks.
        """
        import faiss

        directory = Path(directory)
        with index_lock(directory):
            _reached("save started")
            generation = directory / f"generation-{uuid.uuid4().hex[:12]}"
            generation.mkdir()
            _reached("generation created")
            _write_jsonl(generation / "documents.jsonl", (asdict(d) for d in self.documents.values()))
            _reached("documents written")
            _write_jsonl(generation / "chunks.jsonl", (asdict(c) for c in self.chunks))
            _reached("chunks written")
            faiss.write_index(self._writable_index(), str(generation / "vectors.faiss"))
            fsync(generation / "vectors.faiss")
            _reached("vectors written")
            keyword_index = self.keyword_index() if keywords else None
            saved_keywords = keyword_index is not None and keyword_index.saveable
            files = _FILES
            if saved_keywords:
                keyword_index.save(generation / KEYWORDS)
                files += _KEYWORD_FILES
                for name in _KEYWORD_FILES:
                    fsync(generation / name)
                fsync(generation / KEYWORDS)
            fsync(generation)
            _reached("keywords written")
            manifest = {
                "format_version": FORMAT_VERSION,
                "embedder": self.embedder_name,
                "dimension": self.dimension,
                "index_type": self.index_type,
                "documents": len(self.documents),
                "chunks": len(self.chunks),
                "generation": generation.name,
                "keywords": KEYWORDS if saved_keywords else None,
                "sha256": {name: sha256(generation / name) for name in files},
            }
            staged = directory / f"{MANIFEST}.tmp"
            with staged.open("w", encoding="utf-8") as handle:
                handle.write(json.dumps(manifest, indent=2))
                handle.flush()
                os.fsync(handle.fileno())
            _reached("manifest staged")
            os.replace(staged, directory / MANIFEST)
            _reached("manifest replaced")
            fsync(directory)  # the switch itself survives a power cut
            _reached("switch made durable")
            _remove_stale(directory, generation.name)
            _reached("stale generations removed")
        return directory

    @classmethod
    def load(cls, directory: str | Path, embedder_name: str, dimension: int, searchable: bool = True) -> IndexStore:
        """Open a saved index, refusing anything that does not verify.

        A writer may switch generations and remove the old one while this reads it: when loading fails and
        the manifest has changed meanwhile, the new generation is read instead. ``searchable=False`` reads
        only the documents and chunks (a shard whose vectors and keywords another process searches).
        """
        directory = Path(directory)
        manifest = _read_manifest(directory)
        try:
            return cls._load(directory, manifest, embedder_name, dimension, searchable)
        except IndexLoadError:
            latest = _read_manifest(directory)
            if latest == manifest:
                raise
            return cls._load(directory, latest, embedder_name, dimension, searchable)

    @classmethod
    def _load(
        cls, directory: Path, manifest: dict, embedder_name: str, dimension: int, searchable: bool = True
    ) -> IndexStore:
        _check_manifest(directory, manifest, embedder_name, dimension)
        files = _files_of(directory, manifest)
        keywords = searchable and manifest.get("keywords") == KEYWORDS
        names = (_FILES if searchable else _FILES[:2]) + (_KEYWORD_FILES if keywords else ())
        verify(directory, files, names, manifest["sha256"])
        store = cls(embedder_name, dimension, manifest.get("index_type", "flat"))
        try:
            store.documents = {d["name"]: Document(**d) for d in _read_jsonl(files / "documents.jsonl")}
            store.chunks = [Chunk(**c) for c in _read_jsonl(files / "chunks.jsonl")]
            if searchable:
                store._faiss = vectors.read(files / "vectors.faiss")
                store._mapped_from = files / "vectors.faiss" if vectors.is_ivf(store._faiss) else None
            if keywords:
                store._keywords = BM25.load(files / KEYWORDS, len(store.chunks))
        except (OSError, ValueError, TypeError, KeyError, RuntimeError) as err:
            raise IndexLoadError(f"{directory}: cannot read the index ({err}); rebuild it") from err
        vector_count = store._faiss.ntotal if searchable else len(store.chunks)
        if vector_count != len(store.chunks) or len(store.chunks) != manifest.get("chunks"):
            raise IndexLoadError(f"{directory}: vectors and chunks disagree in number; rebuild the index")
        _check_quotes(directory, store)
        _check_places(directory, store)
        return store


@contextmanager
def index_lock(
    directory: str | Path, timeout: float = LOCK_TIMEOUT, waiting: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the exclusive write lock of the index in ``directory`` (created if need be).

    Taken again by the same thread, it is the same lock. A writer that finds another process holding it
    calls ``waiting`` with a message, waits up to ``timeout`` seconds, then raises ``IndexLockError``.
    The lock is the operating system's (``filelock``), so it is released when its holder dies.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    lock = FileLock(directory.resolve() / LOCK_FILE, is_singleton=True)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if waiting is not None:
            waiting(f"{directory}: another process is writing this index; waiting up to {timeout:g} s for it")
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            raise IndexLockError(
                f"{directory}: another process is still writing this index after {timeout:g} s; "
                "try again when it has finished"
            ) from None
    try:
        yield
    finally:
        lock.release()


def data_dir(directory: str | Path) -> Path:
    """Where the data files of the index in ``directory`` are now: its current generation (or, format 1, itself)."""
    directory = Path(directory)
    manifest = _read_manifest(directory)
    if not isinstance(manifest, dict):
        raise IndexLoadError(f"{directory}: manifest.json is not an index manifest; rebuild the index")
    return _files_of(directory, manifest)


def _read_manifest(directory: Path) -> object:
    path = directory / MANIFEST
    if not path.is_file():
        raise IndexLoadError(f"{directory}: not an index directory (no manifest.json); build one with 'qa index'")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise IndexLoadError(f"{directory}: manifest.json is unreadable ({err}); rebuild the index") from err


def _check_manifest(directory: Path, manifest: object, embedder_name: str, dimension: int) -> None:
    """Every field loading relies on has the type it needs, so a malformed manifest is refused in one line."""
    if not isinstance(manifest, dict):
        raise IndexLoadError(f"{directory}: manifest.json is not an index manifest; rebuild the index")
    version = manifest.get("format_version")
    if type(version) is not int or version not in READABLE_VERSIONS:
        readable = " and ".join(map(str, READABLE_VERSIONS))
        raise IndexLoadError(f"{directory}: index format {version!r}, this version reads {readable}; rebuild it")
    if manifest.get("embedder") != embedder_name or manifest.get("dimension") != dimension:
        raise IndexLoadError(
            f"{directory}: built with embedder {manifest.get('embedder')} ({manifest.get('dimension')} dims), "
            f"but this system uses {embedder_name} ({dimension} dims); rebuild it"
        )
    if manifest.get("index_type", "flat") not in INDEX_TYPES:
        raise IndexLoadError(f"{directory}: unknown index type {manifest.get('index_type')!r}; rebuild the index")
    if manifest.get("keywords") not in (None, KEYWORDS):
        raise IndexLoadError(f"{directory}: unknown keyword index {manifest.get('keywords')!r}; rebuild the index")
    if not isinstance(manifest.get("sha256"), dict):
        raise IndexLoadError(f"{directory}: manifest.json has no checksums; rebuild the index")
    _files_of(directory, manifest)


def _files_of(directory: Path, manifest: dict) -> Path:
    if manifest.get("format_version") == 1:
        return directory
    generation = manifest.get("generation")
    if not isinstance(generation, str) or not _GENERATION.fullmatch(generation):
        raise IndexLoadError(f"{directory}: manifest.json names no valid generation; rebuild the index")
    return directory / generation


def _check_quotes(directory: Path, store: IndexStore) -> None:
    """Every chunk is its document's text at its offsets, numbered in order: checksums cannot tell an edit
    whose author re-checksummed the files, and an answer quoted from an edited chunk would be made up."""
    for position, chunk in enumerate(store.chunks):
        document = store.documents.get(chunk.source)
        spans = type(chunk.start) is int and type(chunk.end) is int
        if (
            chunk.id != position
            or document is None
            or not spans
            or not isinstance(document.text, str)
            or document.text[chunk.start : chunk.end] != chunk.text
        ):
            raise IndexLoadError(
                f"{directory}: chunk {position} does not match its document {chunk.source} "
                f"at characters {chunk.start}-{chunk.end}; the index was altered: rebuild it"
            )


def _check_places(directory: Path, store: IndexStore) -> None:
    """Page starts and headings (absent from indexes built before they were kept) have the shape citing them
    relies on: a page or section cited from a damaged list would send the reader to the wrong place."""
    for document in store.documents.values():
        pages = all(type(start) is int for start in document.pages) and list(document.pages) == sorted(document.pages)
        headings = all(
            len(heading) == 3 and type(heading[0]) is int and type(heading[1]) is int and isinstance(heading[2], str)
            for heading in document.headings
        )
        if not (pages and headings):
            raise IndexLoadError(f"{directory}: pages or headings of {document.name} are damaged; rebuild the index")
    for chunk in store.chunks:
        if not all(isinstance(title, str) for title in chunk.headings):
            raise IndexLoadError(f"{directory}: the headings of chunk {chunk.id} are damaged; rebuild the index")


def _remove_stale(directory: Path, current: str) -> None:
    """Generations other than ``current`` (older ones, or one a killed save left half-written), format 1's
    data files and a staged manifest: nothing the manifest points to."""
    for path in directory.iterdir():
        if path.name.startswith("generation-") and path.name != current and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.name in _FILES or path.name == f"{MANIFEST}.tmp":  # format 1 had no keyword files
            path.unlink(missing_ok=True)


def verify(directory: Path, files: Path, names: Iterable[str], checksums: dict) -> None:
    """Each of ``names`` under ``files`` has the SHA-256 ``checksums`` gives it, or ``IndexLoadError`` says which
    is missing or corrupted (naming the index ``directory``)."""
    for name in names:
        try:
            digest = sha256(files / name)
        except OSError:
            raise IndexLoadError(f"{directory}: {name} is missing; rebuild the index") from None
        if digest != checksums.get(name):
            raise IndexLoadError(f"{directory}: {name} is corrupted (checksum mismatch); rebuild the index")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_jsonl(path: Path, records) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
