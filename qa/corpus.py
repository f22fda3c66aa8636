"""Which documents the system answers from: the bundled article, or a user's own index."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from index.checkpoint import CHECKPOINT_DIR, EmbeddingCheckpoint
from index.chunker import Chunker
from index.embedder import Embedder
from index.indexer import PIPELINE_VERSION, Indexer
from index.records import Document
from index.shards import ShardedStore, is_sharded
from index.store import FORMAT_VERSION, IndexStore

DATA_DIR = Path(__file__).resolve().parent / "data"
BUNDLED_ARTICLE = DATA_DIR / "article.txt"
BUNDLED_QUESTIONS = DATA_DIR / "article_dev.json"


def bundled_documents() -> list[Document]:
    from index.loaders import load_document

    return [load_document(BUNDLED_ARTICLE)]


def cache_dir() -> Path:
    base = os.environ.get("QA_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "qa-chat"


def build_index(
    documents: list[Document],
    embedder: Embedder,
    out_dir: str | Path | None = None,
    index_type: str = "flat",
    progress: bool = False,
    chunker: Chunker | None = None,
    store: IndexStore | None = None,
) -> IndexStore:
    """Chunk, embed and (when ``out_dir`` is given) save ``documents``: the one way an index is built.

    The documents go into ``store`` when given (an index being added to), else into a new one of
    ``index_type``; ``chunker`` replaces the default chunking (``eval.tools.tune_retrieval`` tries others).
    Building into ``out_dir`` keeps the vectors there as they are computed, so a build that is interrupted
    resumes where it stopped when run again (``index.checkpoint``).
    """
    indexer = Indexer(embedder, chunker)
    store = indexer.new_store(index_type) if store is None else store
    checkpoint = None
    if out_dir is not None:
        checkpoint = EmbeddingCheckpoint(Path(out_dir) / CHECKPOINT_DIR, embedder.name, embedder.dimension)
    indexer.run(store, documents, progress=progress, checkpoint=checkpoint)
    if out_dir is not None:
        store.save(out_dir)
        checkpoint.clear()
    return store


def open_index(directory: str | Path, embedder: Embedder) -> IndexStore | ShardedStore:
    """The saved index in ``directory``: a single one, or the shards ``qa index --ray`` wrote, read as one."""
    if is_sharded(directory):
        return ShardedStore.load(directory, embedder.name, embedder.dimension)
    return IndexStore.load(directory, embedder.name, embedder.dimension)


def bundled_cache_key() -> str:
    versions = f"pipeline {PIPELINE_VERSION}, format {FORMAT_VERSION}".encode()
    return hashlib.sha256(BUNDLED_ARTICLE.read_bytes() + versions).hexdigest()[:16]


def bundled_index(embedder: Embedder) -> IndexStore:
    """The bundled article's index, built on first use and cached.

    The cache key covers the article, the index pipeline's version and the
    index format, so a change to any of them rebuilds instead of serving a
    stale index. The build goes to a temporary directory renamed into place, so
    two processes starting at once never see half an index.
    """
    target = cache_dir() / f"bundled-{bundled_cache_key()}"
    if (target / "manifest.json").is_file():
        try:
            return open_index(target, embedder)
        except ValueError:
            shutil.rmtree(target, ignore_errors=True)
    store = build_index(bundled_documents(), embedder)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    store.save(staging)
    try:
        os.replace(staging, target)
    except OSError:  # another process got there first; its index is as good as ours
        shutil.rmtree(staging, ignore_errors=True)
    return store
