"""Pages and headings: kept in a saved index, absent from older ones, refused when damaged."""

import hashlib
import json

import numpy as np
import pytest

from index.records import Chunk, Document
from index.store import IndexLoadError, IndexStore, data_dir

NAME, DIMENSION = "all-MiniLM-L6-v2", 384
TEXT = "Install\n\nRun it.\n\nLinux\n\nUse the script."


def _save(directory) -> IndexStore:
    document = Document("guide.pdf", TEXT, pages=(0, 17), headings=((0, 1, "Install"), (17, 2, "Linux")))
    spans = [(0, 16), (17, len(TEXT))]
    chunks = [Chunk(i, document.name, TEXT[a:b], a, b, document.heading_path(a)) for i, (a, b) in enumerate(spans)]
    store = IndexStore(NAME, DIMENSION)
    vectors = np.random.default_rng(0).normal(size=(len(chunks), DIMENSION)).astype(np.float32)
    store.add([document], chunks, vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
    store.save(directory)
    return store


def _edit(directory, file: str, edit) -> None:
    """Rewrite each record of ``file``, then make the checksums match, as someone editing by hand would."""
    files = data_dir(directory)
    path = files / file
    path.write_text("".join(json.dumps(edit(json.loads(line))) + "\n" for line in path.read_text().splitlines()))
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["sha256"] = {name: hashlib.sha256((files / name).read_bytes()).hexdigest() for name in manifest["sha256"]}
    (directory / "manifest.json").write_text(json.dumps(manifest))


def test_pages_and_headings_survive_a_save(tmp_path):
    store = _save(tmp_path)
    loaded = IndexStore.load(tmp_path, NAME, DIMENSION)
    assert loaded.documents == store.documents and loaded.chunks == store.chunks
    document = loaded.documents["guide.pdf"]
    assert document.page_at(TEXT.index("script")) == 2 and document.page_at(0) == 1
    assert [c.headings for c in loaded.chunks] == [("Install",), ("Install", "Linux")]


def test_an_index_saved_before_pages_and_headings_still_loads(tmp_path):
    _save(tmp_path)
    _edit(tmp_path, "documents.jsonl", lambda d: {k: v for k, v in d.items() if k not in ("pages", "headings")})
    _edit(tmp_path, "chunks.jsonl", lambda c: {k: v for k, v in c.items() if k != "headings"})
    loaded = IndexStore.load(tmp_path, NAME, DIMENSION)
    assert loaded.documents["guide.pdf"].page_at(0) is None
    assert loaded.documents["guide.pdf"].heading_path(20) == ()
    assert all(c.headings == () for c in loaded.chunks)


@pytest.mark.parametrize(
    ("file", "field", "value"),
    [
        ("documents.jsonl", "pages", [17, 0]),
        ("documents.jsonl", "pages", ["0"]),
        ("documents.jsonl", "pages", 5),
        ("documents.jsonl", "headings", [[0, "Install"]]),
        ("documents.jsonl", "headings", "Install"),
        ("chunks.jsonl", "headings", [1, 2]),
    ],
)
def test_damaged_pages_or_headings_are_refused(tmp_path, file, field, value):
    _save(tmp_path)
    _edit(tmp_path, file, lambda record: {**record, field: value})
    with pytest.raises(IndexLoadError, match="rebuild"):
        IndexStore.load(tmp_path, NAME, DIMENSION)
