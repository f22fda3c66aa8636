from index.bm25 import BM25, keywords


def test_keywords_keep_numbers_whole_and_drop_stop_words():
    assert keywords("What is the 22.5 percent stake of the 3,500 troops?") == [
        "22.5",
        "percent",
        "stake",
        "3,500",
        "troops",
    ]


def test_rare_names_rank_their_chunk_first():
    texts = [
        "Russia held exercises near the islands.",
        "Maria Zakharova accused the United States.",
        "Russia and Japan.",
    ]
    scores = BM25(texts).scores("What did Zakharova say about Russia?")
    assert max(range(3), key=scores.__getitem__) == 1
    assert BM25(texts).scores("penguins") == [0.0, 0.0, 0.0]
