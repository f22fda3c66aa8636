"""Which FAISS index holds the chunk vectors, chosen by the collection's size.

Exact search (``IndexFlatIP``) reads every vector for every query: instant for one article, but its cost
grows with the collection and its memory is four bytes a dimension. Above ``EXACT_BELOW`` vectors,
``auto`` (the default) switches to IVF with 8-bit scalar quantisation: k-means on a sample of the
vectors splits them into lists, a query reads only the ``nprobe`` lists nearest to it, and each vector
takes a byte a dimension. ``nprobe`` is set after training to the smallest value whose recall@10
against exact search clears ``CALIBRATION_RECALL`` on probes made from the collection: the normalised
mean of two of its vectors picked at random. A question lies far from every chunk (its best chunk is
only loosely similar), so its neighbours spread over more lists than a chunk's own do: probes at a
chunk would set ``nprobe`` far too low for questions. Probes between two chunks come closer but are
still easier than questions, hence a target well above the 0.95 promised (``python -m eval.tools.scale``
measures recall on real questions, and the lists they need). An IVF index whose collection has grown
about four times past the size it was trained at is retrained, since its lists no longer fit it.
``flat`` and ``ivf`` force either; ``hnsw`` (a graph, fast but four bytes a dimension plus links) stays
available. The threshold is measured by ``python -m eval.tools.scale``; see the README's Scale section.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

INDEX_TYPES = ("auto", "flat", "ivf", "hnsw")  # the first is the default (qa index --index-type)
EXACT_BELOW = 50_000  # auto: exact search below this many vectors, IVF from it on
CALIBRATION_RECALL = 0.995  # the recall@10 nprobe must reach on probes between two of the collection's vectors
CALIBRATION_QUERIES = 200
CEILING_MARGIN = 0.005  # how far under a search of every list calibration may stop, when 8 bits cap recall
RETRAIN_GROWTH = 2  # retrain when the list count the size calls for has doubled (the size quadrupled)
TRAINING_POINTS_PER_LIST = 50  # k-means sample size per list (FAISS warns below 39)
HNSW_EF_SEARCH = 64  # FAISS does not save it, so it is set again on reading
NPROBES = (1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)  # tried in turn


def new_index(kind: str, dimension: int):
    """An empty index of ``kind``: IVF needs vectors to train on, so ``ivf`` and ``auto`` start exact."""
    import faiss

    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = HNSW_EF_SEARCH
        return index
    return faiss.IndexFlatIP(dimension)


def is_ivf(index) -> bool:
    import faiss

    return isinstance(index, faiss.IndexIVF)


def grow(index, kind: str, vectors: np.ndarray, seed: int = 0):
    """``index`` with ``vectors`` added: the same index, or a new IVF one when ``kind`` and the size call for it.

    The returned index is the one to keep; ``index`` may have been replaced.
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    total = index.ntotal + len(vectors)
    wants_ivf = kind == "ivf" or (kind == "auto" and total >= EXACT_BELOW)
    if not wants_ivf or (is_ivf(index) and list_count(total) < RETRAIN_GROWTH * index.nlist):
        index.add(vectors)
        return index
    every = np.concatenate([_all_vectors(index), vectors]) if index.ntotal else vectors
    return build_ivf(every, seed=seed)


def list_count(size: int) -> int:
    """About twice the square root of the size, and few enough lists that each has points to train on."""
    return max(1, min(int(2 * math.sqrt(size)), size // TRAINING_POINTS_PER_LIST))


def build_ivf(vectors: np.ndarray, seed: int = 0):
    """An IVF index with 8-bit scalar quantisation over ``vectors``, trained on a sample, ``nprobe`` calibrated."""
    import faiss

    size, dimension = vectors.shape
    lists = list_count(size)
    rng = np.random.default_rng(seed)
    sample = vectors[np.sort(rng.choice(size, min(size, lists * TRAINING_POINTS_PER_LIST), replace=False))]
    quantizer = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, dimension, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    index.cp.seed = seed
    index.train(sample)
    index.add(vectors)
    index.nprobe = calibrate_nprobe(index, vectors, seed)
    return index


def calibrate_nprobe(index, vectors: np.ndarray, seed: int = 0, k: int = 10) -> int:
    """The smallest ``nprobe`` whose recall@``k`` against exact search reaches ``CALIBRATION_RECALL`` on
    probes between two of ``vectors``."""
    rng = np.random.default_rng(seed + 1)
    count = min(len(vectors), CALIBRATION_QUERIES)
    probes = vectors[rng.choice(len(vectors), count)] + vectors[rng.choice(len(vectors), count)]
    probes /= np.maximum(np.linalg.norm(probes, axis=1, keepdims=True), 1e-12)
    return calibrated_nprobe(index, vectors, probes, k)


def nprobe_for(index, vectors: np.ndarray, queries: np.ndarray, recall: float, k: int = 10) -> int:
    """The smallest ``nprobe`` (of ``NPROBES``, else all lists) at which ``index`` finds ``recall`` of the
    exact top ``k`` of ``queries`` among ``vectors``; ``index`` is left at it."""
    import faiss

    _, truth = faiss.knn(queries, vectors, k, metric=faiss.METRIC_INNER_PRODUCT)  # no second copy of the vectors
    for nprobe in (*(n for n in NPROBES if n < index.nlist), index.nlist):
        index.nprobe = nprobe
        if recall_at_k(index.search(queries, k)[1], truth) >= recall:
            break
    return index.nprobe


def calibrated_nprobe(index, vectors: np.ndarray, queries: np.ndarray, k: int = 10) -> int:
    """``nprobe_for`` ``CALIBRATION_RECALL``, or, where 8-bit codes keep even a search of every list below it
    (near-duplicate vectors swap places), a little under what searching every list reaches."""
    import faiss

    _, truth = faiss.knn(queries, vectors, k, metric=faiss.METRIC_INNER_PRODUCT)
    index.nprobe = index.nlist
    ceiling = recall_at_k(index.search(queries, k)[1], truth)
    return nprobe_for(index, vectors, queries, min(CALIBRATION_RECALL, ceiling - CEILING_MARGIN), k)


def recall_at_k(found: list, truth: list) -> float:
    """The share of each exact top list that the approximate list holds too, averaged over queries."""
    shares = [len(set(map(int, f)) & set(map(int, t))) / len(t) for f, t in zip(found, truth) if len(t)]
    return float(np.mean(shares)) if shares else 1.0


def read(path: Path):
    """Read an index; IVF lists are memory-mapped (read-only: ``writable`` reads it again before a change)."""
    import faiss

    index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP)  # maps only IVF lists; flat and HNSW are read
    if isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = HNSW_EF_SEARCH
    return index


def writable(index, path: Path | None):
    """``index`` in memory: FAISS cannot add to mapped lists, and writing them would save a reference to
    ``path`` instead of the data."""
    import faiss

    return faiss.read_index(str(path)) if path is not None and is_ivf(index) else index


def _all_vectors(index) -> np.ndarray:
    """The vectors an index holds (decoded from 8 bits for IVF, close enough to train on again)."""
    if is_ivf(index):
        index.make_direct_map(True)
        return index.reconstruct_n(0, index.ntotal)
    return index.reconstruct_n(0, index.ntotal)
