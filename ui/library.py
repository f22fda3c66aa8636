"""A user's own documents: uploads read, checked and indexed into a pipeline for that session alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from index.loaders import DocumentError, load_document
from index.records import Document
from qa.corpus import build_index
from qa.pipeline import QAPipeline


@dataclass
class Uploads:
    """What a batch of uploaded files gave: the readable documents, and one message per refused file."""

    documents: list[Document] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def read_uploads(paths: list[str]) -> Uploads:
    """Load every file; a bad file is reported and skipped instead of failing the batch."""
    uploads = Uploads()
    for path in paths:
        name = Path(path).name
        if any(d.name == name for d in uploads.documents):
            uploads.errors.append(f"{name}: a file with the same name is already loaded; skipped")
            continue
        try:
            uploads.documents.append(load_document(path))
        except DocumentError as error:
            uploads.errors.append(str(error))
    return uploads


def session_pipeline(documents: list[Document], shared: QAPipeline) -> QAPipeline:
    """A new index over ``documents`` with the shared pipeline's models and settings.

    The models are shared (loaded once, read-only at inference); the index is
    new, so no other session, and not the shared index, ever sees these documents.
    """
    embedder = shared.retriever.embedder
    store = build_index(documents, embedder, progress=True)
    pipeline = QAPipeline.from_store(
        store,
        embedder=embedder,
        reader=shared.reader,
        mode=shared.retriever.mode,
        top_k=shared.top_k,
        threshold=shared.threshold,
    )
    pipeline.retriever.warm_up()  # the keyword index is built now, under the progress bar, not on the first question
    return pipeline
