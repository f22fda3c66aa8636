"""Embedding checkpoints: blocks kept whole, found again by their texts, and an interrupted build resumes."""

import numpy as np
import pytest

from index import indexer as indexer_module
from index.checkpoint import EmbeddingCheckpoint
from index.indexer import Indexer
from index.records import Document


class FlakyEmbedder:
    """Made-up vectors (a function of the text); raises once ``fail_after`` blocks were embedded, as a kill would."""

    name = "all-MiniLM-L6-v2"
    dimension = 4

    def __init__(self, fail_after: int | None = None):
        self.fail_after = fail_after
        self.embedded: list[str] = []

    def encode_document(self, texts, progress=False):
        if self.fail_after is not None and len(self.embedded) >= self.fail_after * indexer_module.BLOCK:
            raise KeyboardInterrupt
        self.embedded += texts
        return np.array([[len(t), t.count("e"), t.count(" "), 1.0] for t in texts], dtype=np.float32)


def test_a_saved_block_is_found_by_its_texts_only(tmp_path):
    checkpoint = EmbeddingCheckpoint(tmp_path, "model", 2)
    vectors = np.arange(4, dtype=np.float32).reshape(2, 2)
    checkpoint.save(["a", "b"], vectors)
    assert np.array_equal(checkpoint.load(["a", "b"]), vectors)
    assert checkpoint.load(["a", "c"]) is None  # other texts, another block
    assert EmbeddingCheckpoint(tmp_path, "other model", 2).load(["a", "b"]) is None
    assert not list(tmp_path.glob("*.tmp"))
    next(tmp_path.glob("block-*.npy")).write_bytes(b"half a file")
    assert checkpoint.load(["a", "b"]) is None  # unreadable: embedded again
    checkpoint.clear()
    assert not tmp_path.exists()


def test_an_interrupted_build_resumes_and_embeds_only_what_was_left(tmp_path, monkeypatch, tokenizer):
    monkeypatch.setattr(indexer_module, "BLOCK", 3)
    text = " ".join(f"Sentence number {n} tells one more thing about the sea." for n in range(240))
    documents = [Document("sea.txt", text)]
    checkpoint = EmbeddingCheckpoint(tmp_path / "checkpoint", FlakyEmbedder.name, FlakyEmbedder.dimension)

    interrupted = FlakyEmbedder(fail_after=2)
    with pytest.raises(KeyboardInterrupt):
        Indexer(interrupted).prepare(documents, checkpoint=checkpoint)
    assert len(interrupted.embedded) == 6  # two blocks done, kept

    resumed = FlakyEmbedder()
    chunks, vectors = Indexer(resumed).prepare(documents, checkpoint=checkpoint)
    assert len(chunks) > 6 and len(resumed.embedded) == len(chunks) - 6
    assert resumed.embedded == [c.text for c in chunks[6:]]
    _, fresh = Indexer(FlakyEmbedder()).prepare(documents)
    assert np.array_equal(vectors, fresh)
