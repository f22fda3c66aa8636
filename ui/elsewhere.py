"""Answers from the other documents: when documents disagree, the chat shows each one's answer with its source."""

from __future__ import annotations

from dataclasses import replace

from index.records import Passage
from qa.answer import SPAN, Result
from qa.pipeline import QAPipeline


def with_other_documents(pipeline: QAPipeline, result: Result) -> Result:
    """``result`` with, right after its answer, the best answer of each other document among the passages
    retrieved, read from that document's passages alone, when it is confident enough to be given.

    The pipeline reads the best passage alone when that convinces, and otherwise reads the passages as one
    context where answers compete, so a second document's different answer seldom shows among its candidates
    (two festival notes giving two towns: one candidate). Read on its own, each document says what it says. It
    costs one more reading per other document retrieved, none when the passages come from one document. Only a
    quoted answer is compared: a supporting sentence or an abstention is left as it is.
    """
    answer = result.answer
    if answer is None or answer.kind != SPAN:
        return result
    by_document: dict[str, list[Passage]] = {}
    for passage in result.passages:
        if passage.chunk.source != answer.source:
            by_document.setdefault(passage.chunk.source, []).append(passage)
    found = []
    for passages in by_document.values():
        candidates = pipeline.candidates(result.question, passages, result.threshold)
        if candidates and candidates[0].score >= result.threshold:
            found.append(candidates[0])
    return replace(result, candidates=[answer, *found, *result.candidates[1:]]) if found else result
