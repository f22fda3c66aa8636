import numpy as np
import pytest

from index.bm25 import BM25, FILES, keywords

TEXTS = [
    "Russia held exercises near the islands.",
    "Maria Zakharova accused the United States.",
    "Russia and Japan.",
    "About 3,500 troops; a 22.5 percent stake.",
]


def test_keywords_keep_numbers_whole_and_drop_stop_words():
    assert keywords("What is the 22.5 percent stake of the 3,500 troops?") == [
        "22.5",
        "percent",
        "stake",
        "3,500",
        "troops",
    ]


def test_rare_names_and_whole_numbers_rank_their_chunk_first():
    index = BM25.build(TEXTS)
    assert index.top("What did Zakharova say about Russia?", 3)[0][0] == 1
    assert index.top("How many troops, 3,500?", 3)[0][0] == 3
    assert index.top("What is 500?", 3) == []  # "3,500" is one token: a bare 500 does not match it
    assert index.top("penguins", 3) == [] and not index.scores("penguins").any()


def test_scores_are_lucene_bm25():
    """idf log(1 + (n - df + 0.5) / (df + 0.5)) times tf / (tf + k1 (1 - b + b len / avg len))."""
    index = BM25.build(TEXTS)
    lengths = [len(keywords(t)) for t in TEXTS]
    average = sum(lengths) / len(lengths)
    idf = np.log(1 + (4 - 2 + 0.5) / (2 + 0.5))  # "russia" is in two of four texts, once each
    expected = [idf / (1 + 1.5 * (0.25 + 0.75 * n / average)) for n in lengths[:3:2]]
    assert index.scores("russia")[[0, 2]] == pytest.approx(expected, rel=1e-6)


def test_top_keeps_only_matches_best_first_and_breaks_ties_by_id():
    index = BM25.build(["apple pie", "banana", "apple pie", "apple apple pie", "apple pie"])
    hits = index.top("apple", 3)
    assert [i for i, _ in hits] == [3, 0, 2]  # 0, 2 and 4 tie: the lower ids win
    assert hits[0][1] > hits[1][1] == hits[2][1] > 0
    assert [i for i, _ in index.top("apple", 10)] == [3, 0, 2, 4]


def test_a_saved_index_loads_memory_mapped_and_scores_the_same(tmp_path):
    index = BM25.build(TEXTS)
    assert sorted(index.save(tmp_path / "bm25")) == sorted(FILES)
    loaded = BM25.load(tmp_path / "bm25", len(TEXTS))
    assert isinstance(loaded._model.scores["data"], np.memmap)
    for query in ("Russia", "Zakharova and Japan", "3,500 troops"):
        assert loaded.top(query, 4) == index.top(query, 4)
    with pytest.raises(ValueError, match="holds 4 chunks, not 5"):
        BM25.load(tmp_path / "bm25", 5)


def test_a_corpus_without_keywords_scores_nothing_and_is_not_saved(tmp_path):
    index = BM25.build(["the of", "and"])
    assert index.size == 2 and index.top("the", 3) == [] and not index.saveable
    with pytest.raises(ValueError, match="not saved"):
        index.save(tmp_path)
    assert BM25.build([]).top("anything", 3) == []
