"""Sharded indexes without Ray: the layout, its checks, and search that equals one index of the same chunks."""

import json

import numpy as np
import pytest

from index.records import Chunk, Document
from index.shards import SHARDS_FILE, ShardedStore, balance, is_sharded, save_shards, shard_directories
from index.store import IndexLoadError, IndexStore

DIMENSION = 8
WORDS = "ship island treaty sanctions troops missile fishing border summit oil gas winter".split()


def _documents(count: int, rng) -> list[Document]:
    documents = []
    for number in range(count):
        sentences = [" ".join(rng.choice(WORDS, 5)) + "." for _ in range(3)]
        documents.append(Document(f"doc{number}.txt", " ".join(sentences)))
    return documents


def _chunks(document: Document, first_id: int) -> list[Chunk]:
    """One chunk per sentence, offsets exact."""
    chunks, start = [], 0
    for sentence in document.text.split(". "):
        text = sentence if sentence.endswith(".") else sentence + "."
        start = document.text.index(text, start)
        chunks.append(Chunk(first_id + len(chunks), document.name, text, start, start + len(text)))
        start += len(text)
    return chunks


def _store(documents: list[Document], vectors_of: dict[str, np.ndarray]) -> IndexStore:
    store = IndexStore("test-embedder", DIMENSION)
    chunks = []
    for document in documents:
        chunks += _chunks(document, len(chunks))
    store.add(documents, chunks, np.stack([vectors_of[(c.source, c.start)] for c in chunks]))
    return store


@pytest.fixture()
def corpus():
    rng = np.random.default_rng(0)
    documents = _documents(7, rng)
    vectors_of = {}
    for document in documents:
        for chunk in _chunks(document, 0):
            vector = rng.normal(size=DIMENSION).astype(np.float32)
            vectors_of[(chunk.source, chunk.start)] = vector / np.linalg.norm(vector)
    return documents, vectors_of


def test_balance_spreads_sizes_evenly_and_keeps_every_item_once():
    groups = balance([50, 10, 40, 10, 30, 20], 3)
    assert sorted(i for group in groups for i in group) == list(range(6))
    assert sorted(sum([50, 10, 40, 10, 30, 20][i] for i in group) for group in groups) == [50, 50, 60]
    assert balance([5, 5], 4) == [[0], [1]]  # never an empty shard


def test_sharded_search_equals_one_index_of_the_same_documents(tmp_path, corpus):
    documents, vectors_of = corpus
    single = _store(documents, vectors_of)
    groups = balance([len(d.text) for d in documents], 3)
    save_shards(tmp_path, [_store([documents[i] for i in group], vectors_of) for group in groups])
    assert is_sharded(tmp_path) and len(shard_directories(tmp_path)) == 3
    shard_files = [{p.name for p in d.glob("generation-*/*")} for d in shard_directories(tmp_path)]
    assert all("vectors.faiss" in names and "bm25" not in names for names in shard_files)  # one keyword index
    sharded = ShardedStore.load(tmp_path, "test-embedder", DIMENSION)

    assert sorted(sharded.documents) == sorted(single.documents)
    assert [c.id for c in sharded.chunks] == list(range(len(single.chunks)))
    key = {(c.source, c.start): c for c in single.chunks}  # the same chunk, however the shards number it
    queries = np.random.default_rng(1).normal(size=(5, DIMENSION)).astype(np.float32)
    for found, expected in zip(sharded.search(queries, 6), single.search(queries, 6)):
        ids = [key[(sharded.chunks[i].source, sharded.chunks[i].start)].id for i, _ in found]
        assert ids == [i for i, _ in expected]
        assert [s for _, s in found] == pytest.approx([s for _, s in expected], abs=1e-6)
    for question in ("island troops", "oil gas summit", "winter"):  # every matching chunk (ties order by id)
        found = sharded.keyword_index().top(question, 100)
        expected = dict(single.keyword_index().top(question, 100))
        scores = {key[(sharded.chunks[i].source, sharded.chunks[i].start)].id: score for i, score in found}
        assert scores == pytest.approx(expected)  # one keyword index over all chunks: the same scores


def test_a_new_sharded_index_replaces_the_old_one_whole(tmp_path, corpus):
    documents, vectors_of = corpus
    single = _store(documents, vectors_of)
    single.save(tmp_path)
    save_shards(tmp_path, [_store(documents[:2], vectors_of), _store(documents[2:], vectors_of)])
    save_shards(tmp_path, [_store(documents[:3], vectors_of)])
    assert not (tmp_path / "manifest.json").exists()
    assert [p.name.split("-")[0] for p in tmp_path.iterdir() if p.is_dir()] == ["shards"]
    assert sorted(ShardedStore.load(tmp_path, "test-embedder", DIMENSION).documents) == [d.name for d in documents[:3]]


def test_a_damaged_sharded_index_is_refused_with_a_clear_message(tmp_path, corpus):
    documents, vectors_of = corpus
    save_shards(tmp_path, [_store(documents[:2], vectors_of), _store(documents[2:], vectors_of)])
    manifest = json.loads((tmp_path / SHARDS_FILE).read_text())
    keywords = tmp_path / manifest["generation"] / "bm25" / "vocab.index.json"
    keywords.write_text(keywords.read_text().replace("island", "islanx"))
    with pytest.raises(IndexLoadError, match="corrupted"):
        ShardedStore.load(tmp_path, "test-embedder", DIMENSION)
    manifest["chunks"][0] += 1
    (tmp_path / SHARDS_FILE).write_text(json.dumps(manifest))
    with pytest.raises(IndexLoadError, match="do not hold the chunks"):
        ShardedStore.load(tmp_path, "test-embedder", DIMENSION)
    (tmp_path / SHARDS_FILE).write_text("{")
    with pytest.raises(IndexLoadError, match="unreadable"):
        ShardedStore.load(tmp_path, "test-embedder", DIMENSION)
    for not_a_manifest in ("[]", "7", '"shards"'):
        (tmp_path / SHARDS_FILE).write_text(not_a_manifest)
        with pytest.raises(IndexLoadError, match="not a sharded index manifest"):
            ShardedStore.load(tmp_path, "test-embedder", DIMENSION)


def test_documents_of_the_same_name_in_two_shards_are_refused(tmp_path, corpus):
    documents, vectors_of = corpus
    with pytest.raises(IndexLoadError, match="same name"):
        save_shards(tmp_path, [_store(documents[:2], vectors_of), _store(documents[1:3], vectors_of)])
