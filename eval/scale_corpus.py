"""The scale benchmark's corpus: real chunks of question-answering contexts, their cached embeddings, and a
synthetic extension past the real text, said as such.

Real text comes first: every distinct context of the question files, shuffled (so each size mixes sources)
and cut by our chunker. Embedding a hundred thousand chunks takes hours on a few shared cores, so vectors
are appended to a cache file batch by batch and an interrupted run resumes where it stopped. Beyond the
real chunks, an index of a given size is filled with reused real chunk texts (for BM25) and vectors drawn
around real ones (a real chunk's vector plus Gaussian noise, renormalised): enough to measure cost, not
answer quality.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from index.chunker import Chunker
from index.indexer import PIPELINE_VERSION
from index.records import Chunk, Document
from qa.squad import load_examples

TRAINING_PREFIX = "train_"  # question files whose questions the index's settings may be tuned on
SYNTHETIC_NOISE = 0.5  # the norm of the noise added to a real vector (cosine to it about 0.9)


class DocumentEmbedder(Protocol):
    name: str
    dimension: int

    def encode_document(self, texts: list[str], progress: bool = False) -> np.ndarray: ...


@dataclass
class RealCorpus:
    """Real chunks (each context a document of its own) and real questions, in a fixed shuffled order."""

    documents: list[Document]
    chunks: list[Chunk]
    questions: list[str]  # of the evaluation files: what the benchmark reports recall on
    contexts: int  # distinct contexts read (all of them, or as many as the chunk limit needed)
    # Of the training files (``train_*``): what index settings may be chosen on. With only one kind of file,
    # both lists hold all questions.
    tuning_questions: list[str] = field(default_factory=list)


def question_files(data_dir: str | Path) -> list[Path]:
    files = sorted(Path(data_dir).glob("*.jsonl.gz"))
    if not files:
        raise FileNotFoundError(f"{data_dir}: no *.jsonl.gz question files")
    return files


def real_corpus(files: Sequence[Path], limit: int, seed: int = 0, chunker: Chunker | None = None) -> RealCorpus:
    """Up to ``limit`` chunks of the distinct contexts of ``files``, and all their questions."""
    contexts: dict[str, str] = {}
    questions: dict[bool, list[str]] = {True: [], False: []}  # training file or not: their questions
    for path in files:
        for example in load_examples(path):
            contexts.setdefault(example.context, f"{path.name.split('.')[0]}-{len(contexts)}")
            questions[path.name.startswith(TRAINING_PREFIX)].append(example.question)
    order = np.random.default_rng(seed).permutation(len(contexts))
    texts = list(contexts)
    chunker = chunker or Chunker()
    documents: list[Document] = []
    chunks: list[Chunk] = []
    for position in order:
        if len(chunks) >= limit:
            break
        document = Document(contexts[texts[position]], texts[position])
        documents.append(document)
        chunks += chunker.chunk(document, first_id=len(chunks))
    report, tuning = questions[False] or questions[True], questions[True] or questions[False]
    return RealCorpus(documents, chunks[:limit], report, len(documents), tuning)


def cache_key(files: Sequence[Path], embedder_name: str, seed: int) -> str:
    """What the cached vectors depend on: the files, the chunking, the embedder and the shuffle."""
    described = [(p.name, p.stat().st_size) for p in files] + [embedder_name, PIPELINE_VERSION, seed]
    return hashlib.sha256(json.dumps(described).encode()).hexdigest()[:16]


class EmbeddingCache:
    """Document vectors in a raw float32 file, one row per chunk in corpus order, appended batch by batch.

    A run killed mid-batch leaves a partial row at most, which is cut off when the cache is next opened.
    ``seconds`` and ``embedded`` (in the ``.json`` beside it) add up the time spent, for throughput.
    """

    def __init__(self, path: Path, dimension: int):
        self.path, self.dimension = path, dimension
        self.meta_path = path.with_suffix(".json")
        path.parent.mkdir(parents=True, exist_ok=True)
        row = dimension * 4
        if path.exists() and path.stat().st_size % row:
            with path.open("r+b") as handle:
                handle.truncate(path.stat().st_size - path.stat().st_size % row)
        meta = json.loads(self.meta_path.read_text()) if self.meta_path.exists() else {}
        self.seconds, self.embedded = float(meta.get("seconds", 0.0)), int(meta.get("embedded", 0))

    @property
    def rows(self) -> int:
        return self.path.stat().st_size // (self.dimension * 4) if self.path.exists() else 0

    def ensure(
        self, texts: Sequence[str], embedder: DocumentEmbedder, batch: int = 256, say: Callable[[str], None] = print
    ) -> np.ndarray:
        """Vectors for ``texts`` (the first rows of the corpus), embedding only those not cached yet."""
        done = self.rows
        while done < len(texts):
            begin = time.perf_counter()
            vectors = embedder.encode_document(list(texts[done : done + batch]))
            with self.path.open("ab") as handle:
                handle.write(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
            self.seconds += time.perf_counter() - begin
            self.embedded += len(vectors)
            self.meta_path.write_text(json.dumps({"seconds": self.seconds, "embedded": self.embedded}))
            done += len(vectors)
            say(f"embedded {done:,} of {len(texts):,} chunks ({self.throughput:.1f} chunks/s)")
        if not len(texts):
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.fromfile(self.path, dtype=np.float32, count=len(texts) * self.dimension).reshape(-1, self.dimension)

    @property
    def throughput(self) -> float:
        """Chunks embedded per second, over every run that added to this cache."""
        return self.embedded / self.seconds if self.seconds else float("nan")


def extend(
    real_documents: list[Document], real_chunks: list[Chunk], real_vectors: np.ndarray, size: int, seed: int = 0
) -> tuple[list[Document], list[Chunk], np.ndarray]:
    """``size`` chunks: the real ones, then reused real texts (a document each) with vectors drawn around
    the reused chunk's vector."""
    documents = list(real_documents)
    chunks = list(real_chunks[:size])
    if size <= len(real_chunks):
        used = {c.source for c in chunks}
        return [d for d in documents if d.name in used], chunks, np.asarray(real_vectors[:size])
    rng = np.random.default_rng(seed)
    parents = rng.integers(len(real_chunks), size=size - len(real_chunks))
    for offset, parent in enumerate(parents):
        text = real_chunks[parent].text
        document = Document(f"synthetic-{len(real_chunks) + offset}", text)
        documents.append(document)
        chunks.append(Chunk(len(chunks), document.name, text, 0, len(text)))
    vectors = np.empty((size, real_vectors.shape[1]), dtype=np.float32)
    vectors[: len(real_chunks)] = real_vectors
    for begin in range(0, len(parents), 65536):
        picked = parents[begin : begin + 65536]
        noise = rng.standard_normal((len(picked), vectors.shape[1]), dtype=np.float32)
        drawn = real_vectors[picked] + noise * (SYNTHETIC_NOISE / np.sqrt(vectors.shape[1]))
        start = len(real_chunks) + begin
        vectors[start : start + len(picked)] = drawn / np.linalg.norm(drawn, axis=1, keepdims=True)
    return documents, chunks, vectors


def say_to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
