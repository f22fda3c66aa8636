"""Uploads: refused files are reported one line each; a session's index never touches the shared one."""

import contextvars
import os
import threading

import pytest

import ui.library
from index.errors import QAError
from index.loaders import MAX_BYTES
from index.records import Document
from index.shards import save_shards
from qa.corpus import build_index, open_index
from qa.pipeline import QAPipeline
from qa.reader import ExtractiveReader
from ui.library import read_uploads, session_pipeline


def test_good_files_load_and_bad_ones_are_reported(tmp_path):
    (tmp_path / "notes.md").write_text("# Notes\n\nThe meeting is on Friday.", encoding="utf-8")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "slides.pdf").write_bytes(b"%PDF-1.7 ...")
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "huge.txt").write_bytes(b"a" * (MAX_BYTES + 1))
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.md").write_text("Another file, same name.", encoding="utf-8")
    names = ["notes.md", "image.txt", "slides.pdf", "old.doc", "huge.txt", "other/notes.md"]

    uploads = read_uploads([str(tmp_path / name) for name in names])

    assert uploads.documents == [
        Document("notes.md", "# Notes\n\nThe meeting is on Friday.", headings=((0, 1, "Notes"),))
    ]
    assert len(uploads.errors) == 5
    binary, damaged, unsupported, oversized, duplicate = uploads.errors
    assert binary.startswith("image.txt:") and "binary" in binary
    assert damaged.startswith("slides.pdf: not a readable PDF (")
    assert unsupported.startswith("old.doc:") and "unsupported file type '.doc'" in unsupported
    assert oversized.startswith("huge.txt:") and "larger than the 5.0 MB limit" in oversized
    assert duplicate.startswith("notes.md:") and "same name" in duplicate


def test_session_index_is_new_and_shares_the_models(embedder):
    shared_store = build_index([Document("article.txt", "The shared article. It says little.")], embedder)
    shared = QAPipeline.from_store(shared_store, embedder=embedder, reader=ExtractiveReader(), top_k=4, threshold=0.3)

    session = session_pipeline([Document("mine.txt", "My own private notes. Nobody else reads them.")], shared)

    assert list(session.retriever.store.documents) == ["mine.txt"]
    assert list(shared.retriever.store.documents) == ["article.txt"]  # the shared index is untouched
    assert session.retriever.store is not shared_store
    assert session.retriever.embedder is embedder and session.reader is shared.reader  # loaded once
    assert (session.top_k, session.threshold) == (4, 0.3)
    passages = session.retriever.run("private notes")
    assert passages and all(p.chunk.source == "mine.txt" for p in passages)


def test_indexing_runs_on_a_low_priority_thread_and_answers_keep_theirs(monkeypatch):
    progress = contextvars.ContextVar("progress")  # Gradio's progress bar finds its event through the context
    progress.set("this upload")
    seen = {}

    def fake_session_pipeline(documents, shared, add=False):
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        seen["thread"] = threading.current_thread().name
        seen["progress"] = progress.get()
        return "pipeline"

    monkeypatch.setattr(ui.library, "session_pipeline", fake_session_pipeline)
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    assert ui.library.index_at_low_priority([], None) == "pipeline"

    assert seen == {"nice": ui.library.INDEXING_NICE, "thread": "qa-indexing", "progress": "this upload"}
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before  # the caller's is unchanged


def test_an_indexing_error_reaches_the_caller(monkeypatch):
    def failing(documents, shared, add=False):
        raise ValueError("no vectors")

    monkeypatch.setattr(ui.library, "session_pipeline", failing)
    with pytest.raises(ValueError, match="no vectors"):
        ui.library.index_at_low_priority([], None)


def test_uploads_can_be_added_to_the_shared_documents_without_changing_them(embedder):
    shared_store = build_index([Document("article.txt", "The shared article. It speaks of ships.")], embedder)
    shared = QAPipeline.from_store(shared_store, embedder=embedder, reader=ExtractiveReader())
    vectors_before = shared_store.vector_index.reconstruct_n(0, shared_store.vector_index.ntotal).copy()

    session = session_pipeline([Document("mine.txt", "My own private notes about trains.")], shared, add=True)

    store = session.retriever.store
    assert list(store.documents) == ["article.txt", "mine.txt"]
    assert [c.source for c in store.chunks] == ["article.txt", "mine.txt"]
    assert store.vector_index.ntotal == 2
    assert (store.vector_index.reconstruct_n(0, 1) == vectors_before).all()  # copied, not embedded again
    assert list(shared_store.documents) == ["article.txt"] and shared_store.vector_index.ntotal == 1  # untouched
    assert session.retriever.run("ships")[0].chunk.source == "article.txt"
    assert session.retriever.run("private notes about trains")[0].chunk.source == "mine.txt"


def test_adding_uploads_to_a_sharded_index_is_refused_with_a_message(embedder, tmp_path):
    shards = [build_index([Document(f"{name}.txt", f"The {name} article. It speaks of ships.")], embedder)
              for name in ("first", "second")]  # fmt: skip
    save_shards(tmp_path, shards)
    shared = QAPipeline.from_store(open_index(tmp_path, embedder), embedder=embedder, reader=ExtractiveReader())

    with pytest.raises(QAError, match="too many to add yours to; choose to replace them"):
        session_pipeline([Document("mine.txt", "My own notes about trains.")], shared, add=True)
    replaced = session_pipeline([Document("mine.txt", "My own notes about trains.")], shared)
    assert list(replaced.retriever.store.documents) == ["mine.txt"]


def test_an_upload_named_like_a_shared_document_is_skipped_when_adding(tmp_path):
    (tmp_path / "article.txt").write_text("My own article.", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("My notes.", encoding="utf-8")

    uploads = read_uploads([str(tmp_path / "article.txt"), str(tmp_path / "notes.txt")], taken={"article.txt"})

    assert [d.name for d in uploads.documents] == ["notes.txt"]
    [error] = uploads.errors
    assert error.startswith("article.txt:") and "same name" in error


def test_a_sessions_uploads_are_answered_for_the_servers_share_of_unanswerable_questions(embedder):
    store = build_index([Document("article.txt", "The shared article. It speaks of ships.")], embedder)
    shared = QAPipeline.from_store(store, embedder=embedder, reader=ExtractiveReader(), unanswerable_share=0.5)
    session = session_pipeline([Document("mine.txt", "My own notes about trains.")], shared)
    assert session.verifier.unanswerable_share == 0.5
    assert session.default_threshold == shared.default_threshold
