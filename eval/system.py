"""The system under evaluation: our pipeline, wired for each evaluation mode."""

from __future__ import annotations

from pathlib import Path

from eval.runner import AnswerFn
from index.embedder import Embedder
from index.records import Chunk, Document, Passage
from qa.corpus import build_index, open_index
from qa.pipeline import QAPipeline, check_question, read_only
from qa.reader import DEFAULT_PRECISION, ExtractiveReader
from qa.squad import QAExample
from qa.verifier import DEFAULT_UNANSWERABLE_SHARE


def answer_fn_factory(
    index_dir: str | Path | None = None,
    reader_dir: str | Path | None = None,
    threshold: float | None = None,
    retrieval: str = "hybrid",
    calibrated: bool = True,
    precision: str = DEFAULT_PRECISION,
    unanswerable_share: float = DEFAULT_UNANSWERABLE_SHARE,
):
    """An ``AnswerFnFactory`` for ``run_evaluation``, with the chat's own pipeline inside.

    The models load once, however many corpora (one per article in the per-article mode) it is built for.
    """
    embedder = Embedder()
    reader = ExtractiveReader(reader_dir, calibrated=calibrated, precision=precision)

    def build(mode: str, documents: list[Document], k: int) -> AnswerFn:
        if mode == "reader":
            reader.warm_up()
            # the question is checked as the chat and e2e mode check it, so one it refuses is an error here too
            return lambda example: read_only(
                reader, check_question(example.question), [_gold_passage(example)], threshold
            )
        store = open_index(index_dir, embedder) if index_dir else build_index(documents, embedder, progress=False)
        pipeline = QAPipeline.from_store(
            store, embedder, reader, mode=retrieval, top_k=k, threshold=threshold, unanswerable_share=unanswerable_share
        )
        pipeline.warm_up()
        return lambda example: pipeline.run(example.question)

    return build


def _gold_passage(example: QAExample) -> Passage:
    return Passage(Chunk(0, example.title or "context", example.context, 0, len(example.context)), 1.0, 0)
