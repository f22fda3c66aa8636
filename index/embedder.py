"""Sentence embeddings from the bundled all-MiniLM-L6-v2 (no network, 384 dimensions)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.errors import QAError

PRECISIONS = ("fp32", "int8")
# Channel ranges for smoothed int8 queries, measured on 1,000 SQuAD training questions (python -m eval.tools.quantize).
QUERY_RANGES = Path(__file__).resolve().parent / "models" / "query_int8_ranges.safetensors"


class Embedder:
    """Normalised embeddings, so FAISS inner product is cosine similarity.

    Queries and documents go through separate methods, as in
    sentence-transformers, so an asymmetric model can slot in later.

    ``precision="int8"`` (default) embeds queries with smoothed int8 linear
    layers (``index.int8``). A query is a dozen tokens, so its cost is reading
    the weights, and int8 reads a quarter of the bytes; its vectors stay close
    enough to fp32 ones to retrieve the same passages (measurements: the model
    card, ``qa/models/reader/README.md``). Documents are always embedded in
    fp32, so an index never depends on the precision it is queried at.
    """

    name = "all-MiniLM-L6-v2"
    dimension = 384

    def __init__(self, batch_size: int = 32, precision: str = "int8"):
        if precision not in PRECISIONS:
            raise QAError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
        self.batch_size = batch_size
        self.precision = precision
        self._model = None
        self._query_model = None

    def warm_up(self) -> None:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            from index.encoder import encoder_dir, quiet_loading

            quiet_loading()
            model = SentenceTransformer(str(encoder_dir()), device="cpu", local_files_only=True)
            self._query_model = _int8_copy(model) if self.precision == "int8" else model
            self._model = model

    @property
    def model(self):
        """The fp32 sentence-transformers model (documents)."""
        self.warm_up()
        return self._model

    def encode_query(self, texts: list[str]) -> np.ndarray:
        """Straight through the model's modules: ``encode``'s batching machinery is a noticeable share of a query."""
        import torch

        self.warm_up()
        batches = []
        with torch.inference_mode():
            for begin in range(0, len(texts), self.batch_size):
                features = self._query_model.preprocess(texts[begin : begin + self.batch_size])
                batches.append(self._query_model(features)["sentence_embedding"])
        vectors = torch.nn.functional.normalize(torch.cat(batches), dim=-1) if batches else torch.empty(0)
        return np.ascontiguousarray(vectors.numpy(), dtype=np.float32).reshape(len(texts), self.dimension)

    def encode_document(self, texts: list[str], progress: bool = False) -> np.ndarray:
        self.warm_up()
        vectors = self._model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)


def _int8_copy(model):
    """A copy of ``model`` with smoothed int8 linear layers; its other parameters are shared, not copied."""
    import copy

    from index.int8 import load_ranges, quantize_int8

    shared = {id(p): p for p in model.parameters()}
    queries = copy.deepcopy(model, memo=shared)
    quantize_int8(queries[0].auto_model, load_ranges(QUERY_RANGES))
    return queries
