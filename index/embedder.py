"""Sentence embeddings from the bundled all-MiniLM-L6-v2 (no network, 384 dimensions)."""

from __future__ import annotations

import numpy as np


class Embedder:
    """Normalised embeddings, so FAISS inner product is cosine similarity.

    Queries and documents go through separate methods, as in
    sentence-transformers, so an asymmetric model can slot in later.
    """

    name = "all-MiniLM-L6-v2"
    dimension = 384

    def __init__(self, batch_size: int = 32):
        self.batch_size = batch_size
        self._model = None

    def warm_up(self) -> None:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            from qa.modeling import encoder_dir, quiet_loading

            quiet_loading()
            self._model = SentenceTransformer(str(encoder_dir()), device="cpu", local_files_only=True)

    def encode_query(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, progress=False)

    def encode_document(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return self._encode(texts, progress=progress)

    def _encode(self, texts: list[str], progress: bool) -> np.ndarray:
        self.warm_up()
        vectors = self._model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)
