import pytest

from index.errors import QAError
from index.retriever import Retriever, reciprocal_rank_fusion


@pytest.mark.parametrize("mode", ["hybrid", "bm25"])
@pytest.mark.parametrize(
    ("question", "needle"),
    [
        ("Who is the spokeswoman of the Russian Foreign Ministry?", "Maria Zakharova"),
        ("What is the combined stake of Mitsui and Mitsubishi in the Sakhalin project?", "22.5 percent"),
        ("How many Russian troops are stationed on the disputed islands?", "3,500"),
    ],
)
def test_the_answering_chunk_is_retrieved_first(article_store, embedder, mode, question, needle):
    passages = Retriever(article_store, embedder, mode=mode).run(question, 3)
    assert needle in passages[0].chunk.text
    assert [p.rank for p in passages] == list(range(len(passages)))
    assert 1 <= len({p.chunk.id for p in passages}) == len(passages) <= 3  # BM25 returns only matching chunks


def test_hybrid_order_fuses_the_dense_and_keyword_rankings(article_store, embedder):
    """Hybrid ranks by reciprocal-rank fusion of its dense and BM25 candidates, so either can lift a chunk.

    Why hybrid is the default: a rare name ("Zakharova") is an exact keyword match even where dense search
    ranks its chunk lower; the parametrised test above holds hybrid to ranking that chunk first.
    """
    question = "Who is the spokeswoman of the Russian Foreign Ministry?"
    candidates, rrf_k = 20, 60
    rankings = [
        [p.chunk.id for p in Retriever(article_store, embedder, mode=mode).run(question, candidates)]
        for mode in ("dense", "bm25")
    ]
    expected = reciprocal_rank_fusion(rankings, rrf_k)[:3]  # the default share is plain RRF; fusion tested below
    hybrid = Retriever(article_store, embedder, candidates=candidates, rrf_k=rrf_k).run(question, 3)
    assert [(p.chunk.id, p.score) for p in hybrid] == expected


@pytest.mark.parametrize("question", ["Who is the Kremlin spokesman?", "What did Japan add to its sanctions?"])
def test_the_keyword_weight_moves_hybrid_from_dense_to_bm25(article_store, embedder, question):
    """At the ends of its range the fusion orders chunks as one ranking alone (the other only breaks ties)."""
    for weight, alone in ((0.0, "dense"), (1.0, "bm25")):
        alone_ids = [p.chunk.id for p in Retriever(article_store, embedder, mode=alone).run(question, 20)]
        fused = Retriever(article_store, embedder, keyword_weight=weight).run(question, 20)
        assert [p.chunk.id for p in fused][: len(alone_ids)] == alone_ids


def test_hybrid_scores_are_fused_reciprocal_ranks(article_store, embedder):
    passages = Retriever(article_store, embedder, rrf_k=60).run("Who is the Kremlin spokesman?", 5)
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 2 / 61 for s in scores)


@pytest.mark.parametrize("mode", ["hybrid", "dense"])
def test_passages_carry_their_dense_similarity_to_the_question(article_store, embedder, mode):
    question = "Who is the Kremlin spokesman?"
    cosines = dict(article_store.search(embedder.encode_query([question]), len(article_store.chunks))[0])
    passages = Retriever(article_store, embedder, mode=mode).run(question, 3)
    assert [p.similarity for p in passages] == pytest.approx([cosines[p.chunk.id] for p in passages])
    assert all(p.similarity is None for p in Retriever(article_store, embedder, mode="bm25").run(question, 3))


def test_a_chunk_the_dense_search_did_not_reach_has_no_similarity(article_store, embedder):
    """In a collection deeper than the dense search, a chunk only BM25 ranked high is not embedded again."""
    question = "Who is the spokeswoman of the Russian Foreign Ministry?"
    reached = {p.chunk.id for p in Retriever(article_store, embedder, mode="dense").run(question, 2)}
    passages = Retriever(article_store, embedder, candidates=2, keyword_weight=0.9).run(question, 2)
    assert any(p.chunk.id not in reached for p in passages)  # BM25 brought one the dense search's top 2 lacks
    assert all((p.similarity is not None) == (p.chunk.id in reached) for p in passages)


def test_the_keyword_index_follows_documents_added_later(article_store, embedder):
    from index.indexer import Indexer
    from index.records import Document

    indexer = Indexer(embedder)
    store = indexer.new_store()
    indexer.run(store, [Document("a.txt", "Penguins live in Antarctica.")])
    retriever = Retriever(store, embedder, mode="bm25")
    assert retriever.run("Where do penguins live?")[0].chunk.source == "a.txt"
    indexer.run(store, [Document("b.txt", "Camels live in the Sahara desert.")])
    assert retriever.run("Where do camels live?")[0].chunk.source == "b.txt"


@pytest.mark.parametrize("mode", ["dense", "hybrid"])
def test_more_passages_than_candidates_can_be_asked_for(article_store, embedder, mode):
    assert len(article_store.chunks) >= 6
    passages = Retriever(article_store, embedder, mode=mode, candidates=3).run("Who is the Kremlin spokesman?", 6)
    assert len({p.chunk.id for p in passages}) == 6


def test_unknown_mode_is_refused(article_store, embedder):
    with pytest.raises(QAError, match="unknown retrieval mode"):
        Retriever(article_store, embedder, mode="magic")
    with pytest.raises(QAError, match="share of the fusion"):
        Retriever(article_store, embedder, keyword_weight=1.5)


def test_reciprocal_rank_fusion_sums_reciprocal_ranks():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "a"]], k=60)
    assert [item for item, _ in fused] == ["a", "c", "b"]
    assert dict(fused) == pytest.approx({"a": 1 / 61 + 1 / 62, "c": 1 / 63 + 1 / 61, "b": 1 / 62})
    assert reciprocal_rank_fusion([[1, 2], [2, 1]], k=0) == [(1, 1.5), (2, 1.5)]  # a tie keeps first-seen order
    assert reciprocal_rank_fusion([[7], []]) == [(7, 1 / 61)] and reciprocal_rank_fusion([]) == []


def test_weights_scale_each_ranking_in_the_fusion():
    rankings = [["a", "b"], ["b", "a"]]
    assert [item for item, _ in reciprocal_rank_fusion(rankings, k=0, weights=(1.0, 3.0))] == ["b", "a"]
    assert dict(reciprocal_rank_fusion(rankings, k=0, weights=(1.0, 3.0))) == pytest.approx({"a": 2.5, "b": 3.5})
    assert reciprocal_rank_fusion(rankings, weights=(1.0, 1.0)) == reciprocal_rank_fusion(rankings)
    with pytest.raises(QAError, match="2 rankings"):
        reciprocal_rank_fusion(rankings, weights=(1.0,))
