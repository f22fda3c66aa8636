"""The retrieval tuner scores every chunking with every retrieval mode, by the one recall/MRR definition."""

from eval.tools.tune_retrieval import compare_retrieval
from index.retriever import MODES
from qa.corpus import BUNDLED_QUESTIONS
from qa.squad import load_examples


def test_every_chunking_is_scored_in_every_mode(embedder):
    examples = load_examples(BUNDLED_QUESTIONS)
    trials = list(compare_retrieval(examples, [160, 64], [0], [1, 3], embedder))
    assert [(t.size, t.mode) for t in trials] == [(160, m) for m in MODES] + [(64, m) for m in MODES]
    assert trials[-1].chunks > trials[0].chunks  # smaller chunks, more of them
    for trial in trials:
        assert 0 <= trial.scores["recall@1"] <= trial.scores["recall@3"] <= 100
    keyword = next(t for t in trials if t.size == 160 and t.mode == "bm25")
    assert keyword.scores["recall@1"] == 100  # the shipped chunking puts every dev answer's chunk first by keywords
