import json
import shutil

import numpy as np
import pytest

from index.errors import QAError
from index.records import Chunk, Document
from index.store import IndexLoadError, IndexStore, data_dir

TEXTS = ["Tokyo says it has lodged a protest.", "About 3,500 Russian troops are stationed there.", "Kishida said."]


def _store(embedder, index_type="flat"):
    document = Document("news.txt", " ".join(TEXTS))
    chunks, start = [], 0
    for i, text in enumerate(TEXTS):
        chunks.append(Chunk(i, document.name, text, start, start + len(text)))
        start += len(text) + 1
    store = IndexStore(embedder.name, embedder.dimension, index_type)
    store.add([document], chunks, embedder.encode_document(TEXTS))
    return store


@pytest.mark.parametrize("index_type", ["flat", "hnsw", "ivf", "auto"])
def test_round_trip_keeps_chunks_and_search_results(tmp_path, embedder, index_type):
    store = _store(embedder, index_type)
    query = embedder.encode_query(["How many troops are there?"])
    store.save(tmp_path)
    loaded = IndexStore.load(tmp_path, embedder.name, embedder.dimension)
    assert loaded.chunks == store.chunks
    assert loaded.documents == store.documents
    assert loaded.index_type == index_type
    assert loaded.search(query, 3) == store.search(query, 3)
    assert loaded.search(query, 1)[0][0][0] == 1


def test_every_chunk_quotes_its_document(embedder):
    store = _store(embedder)
    for chunk in store.chunks:
        assert store.documents[chunk.source].text[chunk.start : chunk.end] == chunk.text


def test_adding_documents_extends_the_saved_index(tmp_path, embedder):
    _store(embedder).save(tmp_path)
    store = IndexStore.load(tmp_path, embedder.name, embedder.dimension)
    extra = Document("more.txt", "Maria Zakharova is the spokeswoman.")
    store.add([extra], [Chunk(3, extra.name, extra.text, 0, len(extra.text))], embedder.encode_document([extra.text]))
    store.save(tmp_path)
    reloaded = IndexStore.load(tmp_path, embedder.name, embedder.dimension)
    assert len(reloaded.chunks) == 4
    hits = reloaded.search(embedder.encode_query(["Who is the spokeswoman?"]), 1)[0]
    assert reloaded.chunks[hits[0][0]].source == "more.txt"


def test_duplicate_document_names_are_refused(embedder):
    store = _store(embedder)
    with pytest.raises(QAError, match="already in the index"):
        store.add([Document("news.txt", "x")], [], np.zeros((0, embedder.dimension), dtype=np.float32))


@pytest.mark.parametrize(
    "victim", ["chunks.jsonl", "vectors.faiss", "documents.jsonl", "bm25/data.csc.index.npy", "bm25/vocab.index.json"]
)
def test_a_corrupted_file_is_refused_with_a_clear_message(tmp_path, embedder, victim):
    _store(embedder).save(tmp_path)
    path = data_dir(tmp_path) / victim
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexLoadError, match=f"{victim} is corrupted"):
        IndexStore.load(tmp_path, embedder.name, embedder.dimension)


def test_missing_file_wrong_version_and_wrong_embedder_are_refused(tmp_path, embedder):
    _store(embedder).save(tmp_path / "lost")
    (data_dir(tmp_path / "lost") / "vectors.faiss").unlink()
    with pytest.raises(IndexLoadError, match="vectors.faiss is missing; rebuild the index"):
        IndexStore.load(tmp_path / "lost", embedder.name, embedder.dimension)
    _store(embedder).save(tmp_path)
    with pytest.raises(IndexLoadError, match="embedder"):
        IndexStore.load(tmp_path, "another-model", 768)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    (tmp_path / "manifest.json").write_text(json.dumps({**manifest, "format_version": 99}))
    with pytest.raises(IndexLoadError, match="format 99"):
        IndexStore.load(tmp_path, embedder.name, embedder.dimension)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(IndexLoadError, match="unreadable"):
        IndexStore.load(tmp_path, embedder.name, embedder.dimension)
    (tmp_path / "manifest.json").unlink()
    with pytest.raises(IndexLoadError, match="not an index directory"):
        IndexStore.load(tmp_path, embedder.name, embedder.dimension)


def test_the_keyword_index_is_saved_and_loaded_memory_mapped(tmp_path, embedder):
    store = _store(embedder)
    store.save(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["keywords"] == "bm25" and "bm25/data.csc.index.npy" in manifest["sha256"]
    loaded = IndexStore.load(tmp_path, embedder.name, embedder.dimension)
    assert isinstance(loaded._keywords._model.scores["data"], np.memmap)  # read from disk, not rebuilt
    assert loaded.keyword_index() is loaded._keywords
    assert loaded.keyword_index().top("3,500 troops", 3) == store.keyword_index().top("3,500 troops", 3)


def test_an_index_saved_without_its_keyword_index_loads_and_rebuilds_it(tmp_path, embedder):
    """Indexes saved before BM25 was kept hold no bm25/ files and no "keywords" entry: they still answer."""
    store = _store(embedder)
    store.save(tmp_path)
    shutil.rmtree(data_dir(tmp_path) / "bm25")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    del manifest["keywords"]
    manifest["sha256"] = {name: digest for name, digest in manifest["sha256"].items() if "/" not in name}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    loaded = IndexStore.load(tmp_path, embedder.name, embedder.dimension)
    assert loaded._keywords is None
    assert loaded.keyword_index().top("Kishida", 3) == store.keyword_index().top("Kishida", 3) != []
    loaded.save(tmp_path)  # its next save keeps the keyword index
    assert json.loads((tmp_path / "manifest.json").read_text())["keywords"] == "bm25"


def test_an_ivf_index_stays_whole_after_its_old_generation_is_gone(tmp_path, embedder):
    """A loaded IVF index maps its file; saving it must write its data, not a reference to the old file."""
    store = _store(embedder, "ivf")
    store.save(tmp_path / "a")
    loaded = IndexStore.load(tmp_path / "a", embedder.name, embedder.dimension)
    loaded.save(tmp_path / "b")
    shutil.rmtree(tmp_path / "a")
    query = embedder.encode_query(["How many troops are there?"])
    assert IndexStore.load(tmp_path / "b", embedder.name, embedder.dimension).search(query, 3) == store.search(query, 3)
