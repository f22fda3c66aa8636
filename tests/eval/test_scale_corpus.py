import numpy as np
import pytest

from eval.scale_corpus import EmbeddingCache, extend, question_files, real_corpus
from index.records import Chunk, Document
from tests.eval.scale_data import CountingEmbedder, write_questions


@pytest.fixture
def data_dir(tmp_path):
    (tmp_path / "data").mkdir()
    write_questions(tmp_path / "data" / "a.jsonl.gz", 12)
    write_questions(tmp_path / "data" / "b.jsonl.gz", 8, seed=1)
    return tmp_path / "data"


def test_real_chunks_quote_their_contexts_and_stop_at_the_limit(data_dir):
    corpus = real_corpus(question_files(data_dir), limit=10**6)
    assert corpus.contexts == 20 and len(corpus.questions) == 40
    assert [c.id for c in corpus.chunks] == list(range(len(corpus.chunks)))
    documents = {d.name: d for d in corpus.documents}
    assert all(documents[c.source].text[c.start : c.end] == c.text for c in corpus.chunks)
    assert {d.name.split("-")[0] for d in corpus.documents[:8]} == {"a", "b"}  # shuffled: sources mixed
    few = real_corpus(question_files(data_dir), limit=3)
    assert len(few.chunks) == 3 and few.chunks == corpus.chunks[:3]


def test_questions_of_training_files_are_kept_apart_for_tuning(data_dir):
    write_questions(data_dir / "train_c.jsonl.gz", 5, seed=2)
    corpus = real_corpus(question_files(data_dir), limit=10**6)
    assert len(corpus.questions) == 40 and len(corpus.tuning_questions) == 10
    assert sorted(corpus.tuning_questions) == sorted(
        f"Where is the keeper {c}-{q}?" for c in range(5) for q in range(2)
    )
    alone = real_corpus(question_files(data_dir)[:1], limit=10**6)  # one kind of file: both are all of it
    assert alone.questions == alone.tuning_questions and len(alone.questions) == 24


def test_the_cache_embeds_each_chunk_once_and_resumes_after_a_torn_write(tmp_path):
    texts = [f"text {i}" for i in range(50)]
    embedder = CountingEmbedder()
    cache = EmbeddingCache(tmp_path / "e.f32", embedder.dimension)
    first = cache.ensure(texts[:20], embedder, batch=8, say=lambda _: None)
    with (tmp_path / "e.f32").open("ab") as handle:
        handle.write(b"\0" * 5)  # a run killed while appending
    cache = EmbeddingCache(tmp_path / "e.f32", embedder.dimension)
    assert cache.rows == 20
    every = cache.ensure(texts, embedder, batch=8, say=lambda _: None)
    assert embedder.embedded == 50 and every.shape == (50, 8)
    assert np.array_equal(every[:20], first) and np.allclose(every, CountingEmbedder().encode_document(texts))
    assert cache.embedded == 50 and cache.throughput > 0


def test_past_the_real_chunks_texts_are_reused_and_vectors_drawn_around_real_ones():
    documents = [Document(f"d{i}", f"real text {i}") for i in range(5)]
    chunks = [Chunk(i, d.name, d.text, 0, len(d.text)) for i, d in enumerate(documents)]
    real = CountingEmbedder().encode_document([c.text for c in chunks])
    same_documents, same_chunks, same = extend(documents, chunks, real, 3)
    assert same_chunks == chunks[:3] and len(same_documents) == 3 and np.array_equal(same, real[:3])
    all_documents, all_chunks, vectors = extend(documents, chunks, real, 40)
    assert len(all_chunks) == 40 and [c.id for c in all_chunks] == list(range(40))
    assert all(c.text in {d.text for d in documents} for c in all_chunks[5:])
    assert {c.source for c in all_chunks} == {d.name for d in all_documents}
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    nearest = (vectors[5:] @ real.T).max(axis=1)
    # near a real vector (cosine about 0.9; in 8 dimensions the noise's norm varies: a loose bound), never a copy
    assert nearest.min() > 0.5 and nearest.max() < 0.9999
