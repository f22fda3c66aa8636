"""The retrieval tuner scores every chunking with every retrieval mode, by the one recall/MRR definition."""

from eval.tools.tune_retrieval import compare_retrieval, corpora, retrieval_modes
from qa.corpus import BUNDLED_QUESTIONS
from qa.squad import GoldAnswer, QAExample, load_examples

ARTICLES = {
    "Penguins": ["Penguins live in Antarctica.", "Emperor penguins stand over a metre tall."],
    "Camels": ["Camels store fat in their humps.", "A camel can drink a hundred litres at once."],
}


def _examples() -> list[QAExample]:
    """Two articles of two paragraphs; one question each paragraph, the second of each article unanswerable."""
    examples = []
    for title, paragraphs in ARTICLES.items():
        first, second = paragraphs
        answer = first.split()[-1].rstrip(".")
        examples.append(
            QAExample(f"{title}-1", f"Where? ({title})", first, (GoldAnswer(answer, first.index(answer)),), title)
        )
        examples.append(QAExample(f"{title}-2", "Unanswerable?", second, (), title))
    return examples


def test_every_chunking_is_scored_in_every_mode(embedder):
    examples = load_examples(BUNDLED_QUESTIONS)
    trials = list(compare_retrieval(examples, [160, 64], [0], [1, 3], embedder, keyword_weights=[0.5, 0.8]))
    labels = [label for label, _, _ in retrieval_modes([0.5, 0.8])]
    assert labels == ["hybrid@0.5", "hybrid@0.8", "dense", "bm25"]
    assert [(t.size, t.mode) for t in trials] == [(160, m) for m in labels] + [(64, m) for m in labels]
    assert trials[-1].chunks > trials[0].chunks  # smaller chunks, more of them
    for trial in trials:
        assert 0 <= trial.scores["recall@1"] <= trial.scores["recall@3"] <= 100
    keyword = next(t for t in trials if t.size == 160 and t.mode == "bm25")
    assert keyword.scores["recall@1"] == 100  # the shipped chunking puts every dev answer's chunk first by keywords


def test_per_article_corpora_hold_whole_articles_and_score_answerable_questions():
    parts = corpora(_examples(), per_article=True)
    assert [[d.name for d in documents] for documents, _ in parts] == [["Penguins"], ["Camels"]]
    for (documents, asked), paragraphs in zip(parts, ARTICLES.values()):
        assert all(p in documents[0].text for p in paragraphs)  # an unanswerable question's paragraph stays
        assert [e.id for e in asked] == [f"{documents[0].name}-1"]
        gold = asked[0].answers[0]
        assert asked[0].context == documents[0].text
        assert documents[0].text[gold.start : gold.start + len(gold.text)] == gold.text


def test_without_per_article_every_answerable_context_is_one_corpus():
    ((documents, asked),) = corpora(_examples(), per_article=False)
    assert [d.text for d in documents] == [paragraphs[0] for paragraphs in ARTICLES.values()]
    assert [e.id for e in asked] == ["Penguins-1", "Camels-1"]


def test_per_article_retrieval_finds_each_articles_answer(embedder):
    (trial,) = [
        t for t in compare_retrieval(_examples(), [160], [0], [1], embedder, per_article=True) if t.mode == "bm25"
    ]
    assert trial.chunks == 2 and trial.scores["recall@1"] == 100
