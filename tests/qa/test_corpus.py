"""The bundled article's cached index: keyed on what builds it, built once, renamed into place whole."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest

from index.indexer import PIPELINE_VERSION
from index.store import data_dir
from qa import corpus

# The bundled article's chunks as of each index pipeline version: SHA-256 of their (source, start, end, text, headings).
# When this test fails, the chunks changed: bump index.indexer.PIPELINE_VERSION (so cached indexes are rebuilt)
# and record the new digest under the new version.
BUNDLED_CHUNKS = {1: "0b132ed15e9df3b101d74e390448e418f976b67cff3dd7d12e4e67c13232b6b3"}


class CountingEmbedder:
    """The real embedder's name and size with made-up vectors: the cache, not retrieval, is under test."""

    name = "all-MiniLM-L6-v2"
    dimension = 384

    def __init__(self):
        self.documents_embedded = 0

    def encode_document(self, texts: list[str], progress: bool = False) -> np.ndarray:
        self.documents_embedded += len(texts)
        vectors = np.random.default_rng(len(texts)).normal(size=(len(texts), self.dimension)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path))
    return tmp_path / "qa-chat"


def chunk_digest(store) -> str:
    chunks = [(c.source, c.start, c.end, c.text, list(c.headings)) for c in store.chunks]
    return hashlib.sha256(json.dumps(chunks, ensure_ascii=False).encode()).hexdigest()


def test_the_bundled_chunks_change_only_with_the_pipeline_version():
    store = corpus.build_index(corpus.bundled_documents(), CountingEmbedder())
    assert BUNDLED_CHUNKS.get(PIPELINE_VERSION) == chunk_digest(store), (
        "the bundled article's chunks changed: bump index.indexer.PIPELINE_VERSION and record the new digest"
    )


def test_the_index_is_built_once_then_read_from_the_cache(cache):
    first = CountingEmbedder()
    built = corpus.bundled_index(first)
    assert first.documents_embedded == len(built.chunks) > 0
    assert [p.name for p in cache.iterdir()] == [f"bundled-{corpus.bundled_cache_key()}"]  # no staging left over

    again = CountingEmbedder()
    cached = corpus.bundled_index(again)
    assert again.documents_embedded == 0
    assert cached.chunks == built.chunks


def test_a_new_pipeline_version_is_a_new_cache_entry(cache, monkeypatch):
    corpus.bundled_index(CountingEmbedder())
    old_key = corpus.bundled_cache_key()
    monkeypatch.setattr(corpus, "PIPELINE_VERSION", PIPELINE_VERSION + 1)
    assert corpus.bundled_cache_key() != old_key
    embedder = CountingEmbedder()
    corpus.bundled_index(embedder)
    assert embedder.documents_embedded > 0
    assert (cache / f"bundled-{corpus.bundled_cache_key()}" / "manifest.json").is_file()


def test_a_corrupted_cache_entry_is_rebuilt(cache):
    corpus.bundled_index(CountingEmbedder())
    target = cache / f"bundled-{corpus.bundled_cache_key()}"
    (data_dir(target) / "chunks.jsonl").write_text("damaged\n")
    embedder = CountingEmbedder()
    store = corpus.bundled_index(embedder)
    assert embedder.documents_embedded == len(store.chunks) > 0
    assert corpus.open_index(target, embedder).chunks == store.chunks


def test_a_build_that_loses_the_race_keeps_the_winners_index(cache, monkeypatch):
    """Another process renamed its build into place first: ours is dropped, theirs is left whole."""
    target = cache / f"bundled-{corpus.bundled_cache_key()}"
    winner = corpus.build_index(corpus.bundled_documents(), CountingEmbedder(), out_dir=target)
    manifest = (target / "manifest.json").read_bytes()
    (target / "manifest.json").rename(target / "manifest.moved")  # not visible yet when this process looks

    replace = os.replace

    def rename_after_the_winner(source, destination):
        if Path(destination) != target:
            return replace(source, destination)
        (target / "manifest.moved").rename(target / "manifest.json")
        return replace(source, destination)  # the real rename fails: the winner's directory is not empty

    monkeypatch.setattr(corpus.os, "replace", rename_after_the_winner)
    store = corpus.bundled_index(CountingEmbedder())
    assert store.chunks == winner.chunks
    assert [p.name for p in cache.iterdir()] == [target.name]  # the staging directory is gone
    assert (target / "manifest.json").read_bytes() == manifest
