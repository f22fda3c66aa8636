"""The embedder: documents in exact fp32 at any precision, int8 queries close to fp32 ones, fp32 queries as
sentence-transformers embeds them, and neither sentence-transformers nor transformers on the query path."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from index.embedder import Embedder
from index.errors import QAError
from index.int8 import SmoothedLinear
from qa.corpus import BUNDLED_QUESTIONS
from qa.squad import load_examples

QUESTIONS = [e.question for e in load_examples(BUNDLED_QUESTIONS)]
LONG = " ".join(["Why did Russia say that Japan's protest over the drills near the Kuril Islands was unfriendly?"] * 20)


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


@pytest.mark.models
def test_fp32_queries_are_the_sentence_transformers_embeddings(fp32):
    questions = [*QUESTIONS[:4], "  what DID Japan protest?  ", LONG]
    assert fp32.tokenizer.count(LONG) > fp32.model.max_seq_length == fp32._max_length == 256
    expected = fp32.model.encode(questions, normalize_embeddings=True, convert_to_numpy=True)
    assert np.allclose(fp32.encode_query(questions), expected, atol=1e-5)
    assert np.allclose(fp32.encode_query(questions[-1:]), expected[-1:], atol=1e-5)  # alone: no padding
    assert fp32.encode_query([]).shape == (0, 384)


def test_the_int8_queries_share_the_word_embeddings_and_smooth_their_layers(embedder):
    queries, documents = embedder._query_model, embedder.model[0].auto_model
    assert queries.embeddings.word_embeddings.weight is documents.embeddings.word_embeddings.weight
    assert isinstance(queries.encoder.layer[0].output.dense, SmoothedLinear)
    assert not isinstance(documents.encoder.layer[0].output.dense, SmoothedLinear)


def _shared(queries, documents) -> set[str]:
    """Names of the query model's parameters that are the document model's own tensors."""
    theirs = dict(documents.named_parameters())
    return {n for n, p in queries.named_parameters() if n in theirs and p is theirs[n]}


@pytest.mark.models
@pytest.mark.parametrize("precision", ["int8", "fp32"])
@pytest.mark.parametrize("documents_first", [True, False])
def test_queries_and_documents_share_the_model_in_either_order(precision, documents_first):
    embedder = Embedder(precision=precision)
    if documents_first:
        embedder.encode_document(["Japan protested."])
    before = embedder.encode_query(QUESTIONS[:3])
    documents = embedder.model[0].auto_model
    queries = embedder._query_model
    names = {n for n, _ in queries.named_parameters()}
    assert _shared(queries, documents) == names  # fp32: every weight; int8: all that stays in floating point
    assert ("encoder.layer.0.output.dense.weight" in names) == (precision == "fp32")
    assert isinstance(queries.encoder.layer[0].output.dense, SmoothedLinear) == (precision == "int8")
    assert not isinstance(documents.encoder.layer[0].output.dense, SmoothedLinear)
    assert np.allclose(embedder.encode_query(QUESTIONS[:3]), before, atol=1e-6)
    fresh = Embedder(precision=precision).encode_query(QUESTIONS[:3])
    assert np.allclose(before, fresh, atol=1e-6)


@pytest.mark.models
def test_embedding_a_query_imports_neither_sentence_transformers_nor_transformers():
    script = textwrap.dedent(
        """
        import sys
        import index.embedder
        vectors = index.embedder.Embedder().encode_query(["Who is the Prime Minister of Japan?"])
        assert vectors.shape == (1, 384), vectors.shape
        heavy = sorted(m for m in ("sentence_transformers", "transformers", "sklearn", "pandas") if m in sys.modules)
        print(",".join(heavy) or "none")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "none"


def test_unknown_precision_is_refused():
    with pytest.raises(QAError, match="unknown precision 'bf16'"):
        Embedder(precision="bf16")
