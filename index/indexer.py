"""Chunk and embed documents into a store: the write side of the index."""

from __future__ import annotations

import numpy as np

from index.chunker import Chunker
from index.embedder import Embedder
from index.records import Chunk, Document
from index.store import IndexStore

# The version of what turns a file into chunks (loaders, sentences, chunker and its defaults). Bump it whenever
# the chunks of a document change, so a cached index built the old way is rebuilt; a test holds the bundled
# article's chunks to it (tests/qa/test_corpus.py).
PIPELINE_VERSION = 1


class Indexer:
    """Adds documents to an existing store, so a corpus grows without a rebuild."""

    def __init__(self, embedder: Embedder, chunker: Chunker | None = None):
        self.embedder = embedder
        self.chunker = chunker or Chunker()

    def new_store(self, index_type: str = "flat") -> IndexStore:
        return IndexStore(self.embedder.name, self.embedder.dimension, index_type)

    def prepare(
        self, documents: list[Document], first_id: int = 0, progress: bool = False
    ) -> tuple[list[Chunk], np.ndarray]:
        """The chunks of ``documents``, numbered from ``first_id``, and one vector each: the costly part of
        indexing, which a cluster's workers do in parallel (``index.ray_indexing``)."""
        chunks = []
        for document in documents:
            chunks += self.chunker.chunk(document, first_id=first_id + len(chunks))
        return chunks, self.embedder.encode_document([c.text for c in chunks], progress=progress)

    def run(self, store: IndexStore, documents: list[Document], progress: bool = False) -> int:
        """Index ``documents`` into ``store``; returns the number of chunks added."""
        chunks, vectors = self.prepare(documents, len(store.chunks), progress)
        store.add(documents, chunks, vectors)
        return len(chunks)
