"""The embedder: documents in exact fp32 at any precision, int8 queries close to fp32 ones."""

import numpy as np
import pytest

from index.embedder import Embedder
from index.errors import QAError
from index.int8 import SmoothedLinear
from qa.corpus import BUNDLED_QUESTIONS
from qa.squad import load_examples

QUESTIONS = [e.question for e in load_examples(BUNDLED_QUESTIONS)]


@pytest.fixture(scope="module")
def fp32():
    embedder = Embedder(precision="fp32")
    embedder.warm_up()
    return embedder


def test_documents_are_embedded_in_fp32_whatever_the_precision(embedder, fp32):
    texts = ["Japan protested Russia's military drills on the disputed islands.", "About 3,500 troops."]
    assert np.array_equal(embedder.encode_document(texts), fp32.encode_document(texts))


def test_int8_queries_are_unit_vectors_close_to_fp32_ones(embedder, fp32):
    assert embedder.precision == "int8"
    int8, exact = embedder.encode_query(QUESTIONS), fp32.encode_query(QUESTIONS)
    assert int8.shape == (len(QUESTIONS), 384) and int8.dtype == np.float32
    assert np.allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-5)
    assert (int8 * exact).sum(axis=1).min() >= 0.98
    assert not np.array_equal(int8, exact)  # the int8 layers really ran


def test_the_int8_copy_shares_the_word_embeddings_and_smooths_its_layers(embedder):
    queries, documents = embedder._query_model[0].auto_model, embedder.model[0].auto_model
    assert queries.embeddings.word_embeddings.weight is documents.embeddings.word_embeddings.weight
    assert isinstance(queries.encoder.layer[0].output.dense, SmoothedLinear)
    assert not isinstance(documents.encoder.layer[0].output.dense, SmoothedLinear)


def test_unknown_precision_is_refused():
    with pytest.raises(QAError, match="unknown precision 'bf16'"):
        Embedder(precision="bf16")
