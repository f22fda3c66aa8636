"""Chunk and embed documents into a store: the write side of the index."""

from __future__ import annotations

from index.chunker import Chunker
from index.embedder import Embedder
from index.records import Document
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

    def run(self, store: IndexStore, documents: list[Document], progress: bool = False) -> int:
        """Index ``documents`` into ``store``; returns the number of chunks added."""
        chunks = []
        for document in documents:
            chunks += self.chunker.chunk(document, first_id=len(store.chunks) + len(chunks))
        vectors = self.embedder.encode_document([c.text for c in chunks], progress=progress)
        store.add(documents, chunks, vectors)
        return len(chunks)
