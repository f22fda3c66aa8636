"""Faults an index directory meets: a save killed at any step, two writers at once, altered or malformed files."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from index_child import HashEmbedder, add_document

from index.store import FORMAT_VERSION, IndexLoadError, IndexStore, data_dir
from qa.cli import main

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("index_child.py")
EMBEDDER = HashEmbedder()
QUESTION = "How many troops are stationed there?"


def child(*args: str, wait: bool = True, **env: str):
    """``qa`` in a child process with the made-up embedder; ``env`` sets its fault switches."""
    command = [sys.executable, str(CHILD), *args]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", **env}
    if not wait:
        return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


def load(directory: Path) -> IndexStore:
    return IndexStore.load(directory, EMBEDDER.name, EMBEDDER.dimension)


def answers(store: IndexStore) -> list:
    """What the index retrieves for a fixed question: what a user would be answered from."""
    hits = store.search(EMBEDDER.encode_query([QUESTION]), 3)[0]
    return [(store.chunks[i].source, store.chunks[i].text, round(score, 5)) for i, score in hits]


TEXTS = {
    "news.txt": "Tokyo says it has lodged a protest. About 3,500 Russian troops are stationed there.",
    "more.txt": "Maria Zakharova is the spokeswoman. She said the troops would stay.",
    "third.txt": "The islands lie north of Hokkaido. Fishing boats work their waters.",
}


@pytest.fixture
def documents(tmp_path) -> dict[str, Path]:
    for name, text in TEXTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return {name: tmp_path / name for name in TEXTS}


@pytest.fixture
def first_index(tmp_path) -> Path:
    add_document(tmp_path / "idx", "news.txt", TEXTS["news.txt"])
    return tmp_path / "idx"


def generations(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("generation-"))


def test_a_save_killed_at_any_step_leaves_an_index_that_answers(tmp_path, first_index):
    """SIGKILL at every step of adding a document: the index loads and answers as before, or with the document."""
    expected_before = answers(load(first_index))
    add = ("--add",)
    document = ("more.txt", TEXTS["more.txt"])

    listing = child(*add, str(shutil.copytree(first_index, tmp_path / "listed")), *document, QA_TEST_STEPS="1")
    assert listing.returncode == 0, listing.stderr
    steps = [line.split(": ", 1)[1] for line in listing.stderr.splitlines() if line.startswith("step ")]
    assert steps[0] == "save started" and "manifest replaced" in steps
    switch = steps.index("manifest replaced")
    after = answers(load(tmp_path / "listed"))
    assert after != expected_before

    for n, step in enumerate(steps):
        directory = shutil.copytree(first_index, tmp_path / f"killed-{n}")
        killed = child(*add, str(directory), *document, QA_TEST_KILL_AT=str(n))
        assert killed.returncode == -9, f"step {n} ({step}): {killed.stderr}"
        store = load(directory)  # never "corrupted", never "missing"
        if n < switch:
            assert set(store.documents) == {"news.txt"}, step
            assert answers(store) == expected_before, step
        else:
            assert set(store.documents) == {"news.txt", "more.txt"}, step
            assert answers(store) == after, step
        add_document(directory, "third.txt", TEXTS["third.txt"])  # the next save recovers and tidies up
        assert len(generations(directory)) == 1, step
        assert not [p for p in directory.iterdir() if p.name.endswith(".tmp")], step
        assert "third.txt" in load(directory).documents


def test_two_writers_at_once_lose_no_document(documents, first_index):
    """Two ``qa index`` add a document each while the other is embedding: the second waits, and both stay."""
    writers = [
        child("index", str(documents[name]), "--out", str(first_index), wait=False, QA_TEST_SLOW="1.5")
        for name in ("more.txt", "third.txt")
    ]
    results = [(w.wait(timeout=120), w.stderr.read().decode()) for w in writers]
    assert [code for code, _ in results] == [0, 0], results
    assert any("waiting" in err for _, err in results)  # the one that came second said why it paused
    store = load(first_index)
    assert set(store.documents) == {"news.txt", "more.txt", "third.txt"}
    assert [c.id for c in store.chunks] == list(range(len(store.chunks)))
    assert len(generations(first_index)) == 1


def test_a_writer_that_cannot_get_the_lock_fails_in_one_line(documents, first_index, monkeypatch, capsys):
    monkeypatch.setattr("index.embedder.Embedder", HashEmbedder)
    holder = child("--hold", str(first_index), wait=False)
    try:
        assert holder.stdout.readline().strip() == b"locked"
        assert main(["index", str(documents["more.txt"]), "--out", str(first_index), "--wait", "0.3"]) == 1
    finally:
        holder.kill()
        holder.wait()
    err = capsys.readouterr().err
    assert err.splitlines()[0].startswith("qa: ") and "waiting up to 0.3 s" in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("qa: error: ") and "another process is still writing" in last and "Traceback" not in err
    assert set(load(first_index).documents) == {"news.txt"}
    assert main(["index", str(documents["more.txt"]), "--out", str(first_index), "--wait", "-1"]) == 1
    assert capsys.readouterr().err.startswith("qa: error: --wait must be")


def _rewrite_manifest(directory: Path, **changes) -> None:
    path = directory / "manifest.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


def _rechecksum(directory: Path) -> None:
    """What someone who edits the files by hand does next: make the checksums match again."""
    files = data_dir(directory)
    manifest = json.loads((directory / "manifest.json").read_text())
    sums = {name: hashlib.sha256((files / name).read_bytes()).hexdigest() for name in manifest["sha256"]}
    _rewrite_manifest(directory, sha256=sums)


def test_an_edited_chunk_is_refused_even_with_matching_checksums(tmp_path):
    add_document(tmp_path, "news.txt", TEXTS["news.txt"])
    chunks = data_dir(tmp_path) / "chunks.jsonl"
    chunks.write_text(chunks.read_text().replace("About 3,500 Russian troops", "Zed Attacker's troops"))
    _rechecksum(tmp_path)
    with pytest.raises(IndexLoadError, match="chunk 1 does not match its document news.txt"):
        load(tmp_path)


def test_a_document_record_without_its_name_is_refused(tmp_path):
    add_document(tmp_path, "news.txt", TEXTS["news.txt"])
    documents = data_dir(tmp_path) / "documents.jsonl"
    records = [json.loads(line) for line in documents.read_text().splitlines()]
    del records[0]["name"]
    documents.write_text("".join(json.dumps(r) + "\n" for r in records))
    _rechecksum(tmp_path)
    with pytest.raises(IndexLoadError, match="cannot read the index .*rebuild it"):
        load(tmp_path)


def test_a_chunk_pointing_past_its_document_is_refused(tmp_path):
    add_document(tmp_path, "news.txt", TEXTS["news.txt"])
    chunks = data_dir(tmp_path) / "chunks.jsonl"
    records = [json.loads(line) for line in chunks.read_text().splitlines()]
    records[1]["source"] = "elsewhere.txt"
    chunks.write_text("".join(json.dumps(r) + "\n" for r in records))
    _rechecksum(tmp_path)
    with pytest.raises(IndexLoadError, match="chunk 1 does not match its document elsewhere.txt"):
        load(tmp_path)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sha256": None}, "checksums"),
        ({"sha256": ["a", "b"]}, "checksums"),
        ({"sha256": {"documents.jsonl": 5}}, "corrupted"),
        ({"format_version": "1"}, "index format '1'"),
        ({"format_version": True}, "index format True"),
        ({"generation": "../../elsewhere"}, "generation"),
        ({"chunks": "2"}, "disagree"),
        ({"index_type": "annoy"}, "index type"),
        ({"keywords": "tantivy"}, "keyword index"),
    ],
)
def test_a_malformed_manifest_is_refused_in_one_line(tmp_path, changes, message):
    add_document(tmp_path, "news.txt", TEXTS["news.txt"])
    _rewrite_manifest(tmp_path, **changes)
    with pytest.raises(IndexLoadError, match=message) as refused:
        load(tmp_path)
    assert "\n" not in str(refused.value) and str(tmp_path) in str(refused.value)


@pytest.mark.parametrize("content", ["[]", "42", '"manifest"', "null"])
def test_a_manifest_that_is_not_an_object_is_refused(tmp_path, content):
    add_document(tmp_path, "news.txt", TEXTS["news.txt"])
    (tmp_path / "manifest.json").write_text(content)
    with pytest.raises(IndexLoadError, match="not an index manifest"):
        load(tmp_path)


def test_an_index_in_the_first_layout_is_read_then_replaced_on_its_next_save(tmp_path):
    """Format 1 kept its files beside the manifest; such an index still loads, and a save moves it over."""
    add_document(tmp_path, "news.txt", TEXTS["news.txt"])
    store = load(tmp_path)
    for path in data_dir(tmp_path).iterdir():
        path.rename(tmp_path / path.name)
    shutil.rmtree(data_dir(tmp_path))
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    del manifest["generation"]
    (tmp_path / "manifest.json").write_text(json.dumps({**manifest, "format_version": 1}))
    assert data_dir(tmp_path) == tmp_path
    old = load(tmp_path)
    assert old.chunks == store.chunks and answers(old) == answers(store)

    old.save(tmp_path)
    assert json.loads((tmp_path / "manifest.json").read_text())["format_version"] == FORMAT_VERSION
    assert not (tmp_path / "chunks.jsonl").exists() and len(generations(tmp_path)) == 1
    assert answers(load(tmp_path)) == answers(store)
