"""A user's own documents: uploads read, checked and indexed into a pipeline for that session alone."""

from __future__ import annotations

import contextlib
import contextvars
import os
import sys
import threading
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import QAError
from index.loaders import DocumentError, load_document
from index.records import Document
from index.shards import ShardedStore
from index.store import IndexStore
from qa.corpus import build_index
from qa.pipeline import QAPipeline
from qa.verifier import DEFAULT_UNANSWERABLE_SHARE

INDEXING_NICE = 19  # the indexing threads' Linux nice value: answers come first when both want the cores


def _lower_priority() -> None:
    """Lower this thread's priority, and so its OpenMP workers' (created from it, they inherit it).

    On Linux, niceness belongs to each thread, so answers, on other threads, keep theirs: when both want the
    cores, the scheduler gives indexing the time answering leaves. Elsewhere this is skipped (it would lower the
    whole process).
    """
    if sys.platform == "linux":
        with contextlib.suppress(OSError):  # a sandbox that forbids it: indexing just competes as before
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), INDEXING_NICE)


@dataclass
class Uploads:
    """What a batch of uploaded files gave: the readable documents, and one message per refused file."""

    documents: list[Document] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def read_uploads(paths: list[str], taken: Collection[str] = ()) -> Uploads:
    """Load every file; a bad file is reported and skipped instead of failing the batch, and so is one named
    like a document already loaded (in the batch, or in ``taken``: the shared documents uploads are added to),
    since answers cite documents by name."""
    uploads = Uploads()
    for path in paths:
        name = Path(path).name
        if name in taken or any(d.name == name for d in uploads.documents):
            uploads.errors.append(f"{name}: a file with the same name is already loaded; skipped")
            continue
        try:
            uploads.documents.append(load_document(path))
        except DocumentError as error:
            uploads.errors.append(str(error))
    return uploads


def index_at_low_priority(documents: list[Document], shared: QAPipeline, add: bool = False) -> QAPipeline:
    """``session_pipeline`` on a low-priority thread, so another user's answers keep their speed meanwhile.

    A thread of its own for each job, started as a daemon so that stopping the server never waits for an upload
    to finish indexing; the caller's context goes along, so Gradio's progress bar still follows the embedding.
    """
    context = contextvars.copy_context()
    outcome: dict[str, object] = {}

    def index() -> None:
        _lower_priority()
        try:
            outcome["pipeline"] = context.run(session_pipeline, documents, shared, add)
        except BaseException as error:  # handed to the caller's thread, which raises it
            outcome["error"] = error

    thread = threading.Thread(target=index, name="qa-indexing", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["pipeline"]


def session_pipeline(documents: list[Document], shared: QAPipeline, add: bool = False) -> QAPipeline:
    """A new index over ``documents`` (and, when ``add``, the shared documents) with the shared pipeline's
    models and settings.

    The models are shared (loaded once, read-only at inference); the index is
    new, so no other session, and not the shared index, ever sees these documents.
    """
    embedder = shared.retriever.embedder
    store = build_index(documents, embedder, progress=True, store=copy_of(shared.retriever.store) if add else None)
    pipeline = QAPipeline.from_store(
        store,
        embedder=embedder,
        reader=shared.reader,
        mode=shared.retriever.mode,
        top_k=shared.top_k,
        threshold=shared.threshold,
        unanswerable_share=shared.verifier.unanswerable_share if shared.verifier else DEFAULT_UNANSWERABLE_SHARE,
    )
    pipeline.retriever.warm_up()  # the keyword index is built now, under the progress bar, not on the first question
    return pipeline


def copy_of(store: IndexStore | ShardedStore) -> IndexStore:
    """A new exact-search store holding ``store``'s documents, chunks and vectors: the shared documents a
    session's uploads are added to. The vectors are copied, not embedded again, and the shared index is never
    changed. An index that keeps no vectors to copy (IVF's 8-bit lists) or keeps them in shards is refused: both
    are built for corpora too large to copy into each session.
    """
    too_many = "The shared documents are too many to add yours to; choose to replace them."
    if isinstance(store, ShardedStore):
        raise QAError(too_many)
    index = store.vector_index
    try:
        vectors = index.reconstruct_n(0, index.ntotal)
    except RuntimeError:
        raise QAError(too_many) from None
    copy = IndexStore(store.embedder_name, store.dimension)
    copy.add(list(store.documents.values()), list(store.chunks), vectors)
    return copy
