import pytest

from eval.retrieval_metrics import first_relevant_rank, retrieval_scores
from index.records import Chunk, Passage
from qa.squad import GoldAnswer

DOC = "Moscow sent more than 20 warships. Tokyo lodged a protest. Talks continue."


def passage(start: int, end: int, source: str = "doc#0", text: str | None = None) -> Passage:
    return Passage(Chunk(0, source, DOC[start:end] if text is None else text, start, end), score=0.0)


def test_rank_by_answer_text():
    answers = (GoldAnswer("Tokyo", DOC.index("Tokyo")),)
    passages = [passage(0, 34), passage(35, 58), passage(59, len(DOC))]
    assert first_relevant_rank(passages, answers) == 2


def test_rank_by_gold_span_in_the_same_document():
    # the chunk text was re-spaced by the chunker, so only its span says it holds the answer
    start = DOC.index("20 warships")
    answers = (GoldAnswer("20 warships", start),)
    respaced = passage(0, 34, text="Moscow sent more than 20  warships.")
    assert first_relevant_rank([respaced], answers, source="doc#0") == 1
    assert first_relevant_rank([respaced], answers, source="doc#1") is None  # another context
    assert first_relevant_rank([respaced], answers) is None


def test_span_must_contain_the_whole_answer():
    start = DOC.index("20 warships")
    answers = (GoldAnswer("20 warships", start),)
    cut = passage(0, start + 5, text="x")  # ends inside the answer
    assert first_relevant_rank([cut], answers, source="doc#0") is None


def test_any_gold_answer_counts():
    answers = (GoldAnswer("Osaka", -1), GoldAnswer("protest", DOC.index("protest")))
    assert first_relevant_rank([passage(0, 34), passage(35, 58)], answers) == 2


def test_no_passages():
    assert first_relevant_rank([], (GoldAnswer("Tokyo", 35),)) is None


def test_recall_and_mrr():
    ranks = [1, 3, None, 2]
    scores = retrieval_scores(ranks, ks=[1, 3, 5])
    assert scores["recall@1"] == pytest.approx(25.0)
    assert scores["recall@3"] == pytest.approx(75.0)
    assert scores["recall@5"] == pytest.approx(75.0)
    assert scores["mrr"] == pytest.approx((1 + 1 / 3 + 0 + 1 / 2) / 4)


def test_no_answerable_questions_gives_no_scores():
    assert retrieval_scores([], ks=[1]) == {}
