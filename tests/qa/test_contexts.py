"""Widening retrieved chunks into the reader's contexts."""

import numpy as np

from index.records import Chunk, Document, Passage
from index.store import IndexStore
from qa.contexts import ContextWidener

SENTENCES = [f"Sentence {i} has five words." for i in range(8)]
TEXT = " ".join(SENTENCES)


class Words:
    """Counts words, standing in for the reader's word pieces."""

    def count(self, text: str) -> int:
        return len(text.split())


def store() -> IndexStore:
    store = IndexStore("test", 2)
    chunks, position = [], 0
    for i, sentence in enumerate(SENTENCES):
        start = TEXT.index(sentence, position)
        chunks.append(Chunk(i, "doc", sentence, start, start + len(sentence)))
        position = start + len(sentence)
    other = Chunk(len(chunks), "other", "Another document.", 0, 17)
    store.add([Document("doc", TEXT), Document("other", "Another document.")], [*chunks, other], np.eye(9, 2))
    return store


def passage(s: IndexStore, chunk_id: int, rank: int) -> Passage:
    return Passage(s.chunks[chunk_id], 1.0 - rank / 10, rank, 0.5 - rank / 10)


def test_zero_budget_keeps_the_chunks():
    s = store()
    retrieved = [passage(s, 3, 0), passage(s, 6, 1)]
    assert ContextWidener(s, 0, Words()).run(retrieved) == retrieved


def test_widening_adds_neighbours_within_the_budget_and_quotes_the_document():
    s = store()
    (context,) = ContextWidener(s, 15, Words()).run([passage(s, 3, 0)])
    assert context.chunk.text == TEXT[context.chunk.start : context.chunk.end]
    assert context.chunk.text.startswith("Sentence 2") and context.chunk.text.endswith("Sentence 4 has five words.")
    assert context.rank == 0 and context.chunk.source == "doc"
    assert (context.score, context.similarity) == (1.0, 0.5)  # the retrieved chunk's, which the verifier weighs


def test_touching_ranges_merge_and_documents_stay_apart():
    s = store()
    contexts = ContextWidener(s, 10, Words()).run([passage(s, 5, 0), passage(s, 3, 1), passage(s, 8, 2)])
    assert len(contexts) == 2  # 5-6 and 3-4 touch; the other document stays its own
    assert contexts[0].chunk.text.startswith("Sentence 3") and contexts[0].chunk.text.endswith(
        "Sentence 6 has five words."
    )
    assert contexts[0].rank == 0
    assert contexts[1].chunk.text == "Another document."
