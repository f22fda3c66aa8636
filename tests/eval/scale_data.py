"""Made question files and a counting embedder for the scale benchmark's tests (its corpus and its tool)."""

import gzip
import json

import numpy as np

WORDS = "harbour lighthouse keeper ferry island storm tide fishing village winter summer market".split()


class CountingEmbedder:
    """Vectors from each text's hash; counts the texts it embeds, to see what a cache saves."""

    name = "counting"
    dimension = 8

    def __init__(self):
        self.embedded = 0

    def encode_document(self, texts, progress=False):
        self.embedded += len(texts)
        rows = [np.random.default_rng(abs(hash(t)) % 2**32).standard_normal(self.dimension) for t in texts]
        vectors = np.array(rows, dtype=np.float32).reshape(len(texts), self.dimension)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def encode_query(self, texts):
        embedded = self.embedded
        vectors = self.encode_document(texts)
        self.embedded = embedded  # only documents are counted
        return vectors

    def warm_up(self):
        pass


def write_questions(path, contexts: int, seed: int = 0) -> None:
    """A made question file: each context a few sentences of made words, two questions each."""
    rng = np.random.default_rng(seed)
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for c in range(contexts):
            sentences = [" ".join(rng.choice(WORDS, 12)).capitalize() + f" number {c}-{s}." for s in range(4)]
            context = " ".join(sentences)
            for q in range(2):
                record = {"id": f"{path.name}-{c}-{q}", "question": f"Where is the keeper {c}-{q}?", "context": context}
                handle.write(json.dumps({**record, "title": "made", "answers": [], "is_impossible": True}) + "\n")
