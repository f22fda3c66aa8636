"""Sentence embeddings from the bundled all-MiniLM-L6-v2 (no network, 384 dimensions).

Queries are embedded with ``index.bert`` and the model's own tokenizer alone (the model's own recipe:
truncated at the ``max_seq_length`` of its sentence-transformers config, mean pooling over the attention
mask, L2 normalisation), so answering a question imports neither ``sentence_transformers`` (scikit-learn,
SciPy, pandas) nor ``transformers``, whose imports and model set-up were most of a cold ``qa ask``.
Documents are embedded by sentence-transformers itself, loaded on first use: indexing is where its batching pays.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.errors import QAError
from index.wordpieces import WordPieces, pad_rows

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
        self._model = None  # sentence-transformers, for documents
        self._query_model = None  # the bare transformer, for queries
        self._max_length = None
        self._lower_case = False

    def warm_up(self) -> None:
        """Load what embedding a query needs; the document model loads on the first ``encode_document``."""
        if self._query_model is None:
            from index.bert import load_bert, share_parameters
            from index.encoder import encoder_dir, sentence_config

            directory = encoder_dir()
            config = sentence_config(directory)
            self._max_length = min(config.get("max_seq_length") or 512, self.tokenizer.model_max_length)
            self._lower_case = bool(config.get("do_lower_case"))
            model = load_bert(directory)
            if self._model is not None:  # documents came first: hold one copy of what the two share
                share_parameters(model, self._model[0].auto_model)
            self._query_model = _int8(model) if self.precision == "int8" else model

    @property
    def tokenizer(self) -> WordPieces:
        """The encoder's word pieces (the same object the chunker counts chunk sizes with)."""
        from index.encoder import encoder_wordpieces

        return encoder_wordpieces()

    @property
    def model(self):
        """The fp32 sentence-transformers model (documents), loaded on first use."""
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            from index.encoder import encoder_dir, quiet_loading

            quiet_loading()
            model = SentenceTransformer(str(encoder_dir()), device="cpu", local_files_only=True)
            if self._query_model is not None:  # queries came first: hold one copy of what the two share
                from index.bert import share_parameters

                share_parameters(self._query_model, model[0].auto_model)
            self._model = model
        return self._model

    def encode_query(self, texts: list[str]) -> np.ndarray:
        """Mean of the token vectors under the attention mask, normalised, as the model's sentence-transformers
        modules compute it (to 1e-5; ``tests/index/test_embedder.py``)."""
        import torch

        self.warm_up()
        model, batches = self._query_model, []
        with torch.inference_mode():
            for begin in range(0, len(texts), self.batch_size):
                batch = texts[begin : begin + self.batch_size]
                if self._lower_case:
                    batch = [text.lower() for text in batch]
                encodings = self.tokenizer.encode(batch, self._max_length)
                ids, types, attention = pad_rows([e.ids for e in encodings], [e.type_ids for e in encodings])
                tokens = model(input_ids=ids, token_type_ids=types, attention_mask=attention)
                mask = attention.unsqueeze(-1).to(tokens.dtype)
                batches.append((tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9))
        vectors = torch.nn.functional.normalize(torch.cat(batches), dim=-1) if batches else torch.empty(0)
        return np.ascontiguousarray(vectors.numpy(), dtype=np.float32).reshape(len(texts), self.dimension)

    def encode_document(self, texts: list[str], progress: bool = False) -> np.ndarray:
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)


def _int8(model):
    """``model`` with smoothed int8 linear layers."""
    from index.int8 import load_ranges, quantize_int8

    return quantize_int8(model, load_ranges(QUERY_RANGES))
