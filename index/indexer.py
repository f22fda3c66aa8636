"""Chunk and embed documents into a store: the write side of the index."""

from __future__ import annotations

import numpy as np

from index.checkpoint import EmbeddingCheckpoint
from index.chunker import Chunker
from index.embedder import Embedder
from index.records import Chunk, Document
from index.store import IndexStore

# The version of what turns a file into chunks (loaders, sentences, chunker and its defaults). Bump it whenever
# the chunks of a document change, so a cached index built the old way is rebuilt; a test holds the bundled
# article's chunks to it (tests/qa/test_corpus.py).
PIPELINE_VERSION = 1
BLOCK = 1024  # chunks embedded between two checkpoints (and progress updates)


class Indexer:
    """Adds documents to an existing store, so a corpus grows without a rebuild."""

    def __init__(self, embedder: Embedder, chunker: Chunker | None = None):
        self.embedder = embedder
        self.chunker = chunker or Chunker()

    def new_store(self, index_type: str = "flat") -> IndexStore:
        return IndexStore(self.embedder.name, self.embedder.dimension, index_type)

    def prepare(
        self,
        documents: list[Document],
        first_id: int = 0,
        progress: bool = False,
        checkpoint: EmbeddingCheckpoint | None = None,
    ) -> tuple[list[Chunk], np.ndarray]:
        """The chunks of ``documents``, numbered from ``first_id``, and one vector each: the costly part of
        indexing, which a cluster's workers do in parallel (``index.ray_indexing``).

        The chunks are embedded ``BLOCK`` at a time under one progress bar; with ``checkpoint``, each block's
        vectors are kept as soon as they are computed and blocks kept by an interrupted run are not embedded
        again.
        """
        from tqdm import tqdm

        chunks = []
        for document in documents:
            chunks += self.chunker.chunk(document, first_id=first_id + len(chunks))
        texts = [chunk.text for chunk in chunks]
        blocks = []
        with tqdm(total=len(texts), desc="embedding", unit="chunk", disable=not progress) as bar:
            for begin in range(0, len(texts), BLOCK):
                block = texts[begin : begin + BLOCK]
                vectors = checkpoint.load(block) if checkpoint else None
                if vectors is None:
                    vectors = self.embedder.encode_document(block)
                    if checkpoint:
                        checkpoint.save(block, vectors)
                blocks.append(vectors)
                bar.update(len(block))
        empty = np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return chunks, np.concatenate(blocks) if blocks else empty

    def run(
        self,
        store: IndexStore,
        documents: list[Document],
        progress: bool = False,
        checkpoint: EmbeddingCheckpoint | None = None,
    ) -> int:
        """Index ``documents`` into ``store``; returns the number of chunks added."""
        chunks, vectors = self.prepare(documents, len(store.chunks), progress, checkpoint)
        store.add(documents, chunks, vectors)
        return len(chunks)
