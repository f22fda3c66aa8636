import faiss
import numpy as np
import pytest

from index import vectors

DIMENSION = 32


def clustered(count: int, seed: int = 0, centres: int = 40) -> np.ndarray:
    """Unit vectors around a few centres, as sentence embeddings of a few topics are."""
    rng = np.random.default_rng(seed)
    middle = rng.standard_normal((centres, DIMENSION))
    points = middle[rng.integers(centres, size=count)] + 0.6 * rng.standard_normal((count, DIMENSION))
    points = points.astype(np.float32)
    return points / np.linalg.norm(points, axis=1, keepdims=True)


def exact_top(data: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    index = faiss.IndexFlatIP(data.shape[1])
    index.add(data)
    return index.search(queries, k)[1]


def test_auto_is_exact_below_the_threshold_and_ivf_from_it(monkeypatch):
    monkeypatch.setattr(vectors, "EXACT_BELOW", 3000)
    data = clustered(4000)
    index = vectors.grow(vectors.new_index("auto", DIMENSION), "auto", data[:2999])
    assert isinstance(index, faiss.IndexFlatIP) and index.ntotal == 2999
    index = vectors.grow(index, "auto", data[2999:])
    assert vectors.is_ivf(index) and index.ntotal == 4000
    assert isinstance(vectors.grow(vectors.new_index("flat", DIMENSION), "flat", data), faiss.IndexFlatIP)


def test_nprobe_is_the_fewest_lists_that_reach_the_recall_asked():
    points = clustered(6300)
    data, queries = points[:6000], points[6000:]  # held out: the index never saw them
    index = vectors.build_ivf(data)
    nprobe = vectors.nprobe_for(index, data, queries, 0.95)
    assert 1 <= nprobe < index.nlist and index.nprobe == nprobe
    truth = exact_top(data, queries, 10)
    assert vectors.recall_at_k(index.search(queries, 10)[1], truth) >= 0.95
    index.nprobe = max(n for n in vectors.NPROBES if n < nprobe)
    assert vectors.recall_at_k(index.search(queries, 10)[1], truth) < 0.95


def test_ivf_is_trained_with_8_bit_codes_and_calibrated_on_probes_between_two_vectors():
    data = clustered(6000)
    index = vectors.build_ivf(data)
    assert index.nlist == vectors.list_count(6000) and index.code_size == DIMENSION  # a byte a dimension
    chosen = index.nprobe
    assert vectors.calibrate_nprobe(index, data) == chosen  # the same probes: the same answer


def test_an_ivf_index_is_retrained_when_the_collection_has_quadrupled():
    data = clustered(8000)
    small = vectors.grow(vectors.new_index("ivf", DIMENSION), "ivf", data[:500])
    same = vectors.grow(small, "ivf", data[500:600])
    assert same is small and same.nlist == vectors.list_count(500)
    bigger = vectors.grow(same, "ivf", data[600:])
    assert bigger.nlist == vectors.list_count(8000) > 2 * small.nlist and bigger.ntotal == 8000
    found = bigger.search(data[:50], 1)[1][:, 0]
    assert (found == np.arange(50)).mean() > 0.9  # the vectors decoded for retraining are still themselves


def test_recall_at_k_is_the_share_of_exact_hits_found():
    assert vectors.recall_at_k([[1, 2, 3]], [[3, 4, 5]]) == pytest.approx(1 / 3)
    assert vectors.recall_at_k([[1, 2], [7, 8]], [[1, 2], [8, 9]]) == pytest.approx(0.75)


def test_read_maps_ivf_lists_and_writable_reads_them_back_into_memory(tmp_path):
    data = clustered(3000)
    index = vectors.build_ivf(data)
    faiss.write_index(index, str(tmp_path / "v.faiss"))
    mapped = vectors.read(tmp_path / "v.faiss")
    assert mapped.nprobe == index.nprobe
    assert (mapped.search(data[:5], 5)[1] == index.search(data[:5], 5)[1]).all()
    # (adding to the mapped index itself aborts the process in some FAISS builds, so it is never tried)
    loaded = vectors.writable(mapped, tmp_path / "v.faiss")
    loaded.add(data[:1])
    assert loaded.ntotal == 3001


def test_hnsw_keeps_its_search_breadth_after_reading(tmp_path):
    index = vectors.new_index("hnsw", DIMENSION)
    index.add(clustered(100))
    faiss.write_index(index, str(tmp_path / "h.faiss"))
    assert vectors.read(tmp_path / "h.faiss").hnsw.efSearch == vectors.HNSW_EF_SEARCH
