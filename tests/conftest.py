"""Shared fixtures: the real tokenizer and embedder, and a tiny random reader for decoding tests."""

from __future__ import annotations

import pytest

# Fixtures that load the real models (the embedder, or the embedder and the shipped reader behind a server):
# a test that uses one is marked ``models`` here; a test that loads a model itself carries the mark.
MODEL_FIXTURES = frozenset({"embedder", "article_store", "article_pipeline", "server_url"})


def pytest_collection_modifyitems(items):
    for item in items:
        if MODEL_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.models)
        if "ray_cluster" in getattr(item, "fixturenames", ()):  # the replicas and workers load the real models
            item.add_marker(pytest.mark.ray)
            item.add_marker(pytest.mark.models)


@pytest.fixture(scope="session")
def ray_cluster():
    """A real Ray cluster of two nodes on this machine (one CPU each, small object stores), joined by the tests.

    The code under test calls ``index.cluster.connect``, which finds this process already joined.
    """
    import ray
    from ray.cluster_utils import Cluster

    cluster = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 1, "object_store_memory": 200 * 2**20, "include_dashboard": False},
    )
    cluster.add_node(num_cpus=1, object_store_memory=200 * 2**20)
    ray.init(address=cluster.address, logging_level="ERROR", log_to_driver=False)
    cluster.wait_for_nodes()
    yield cluster
    ray.shutdown()
    cluster.shutdown()


@pytest.fixture(scope="session")
def tokenizer():
    from index.encoder import encoder_dir
    from index.wordpieces import WordPieces

    return WordPieces(encoder_dir())


@pytest.fixture(scope="session")
def embedder():
    from index.embedder import Embedder

    embedder = Embedder()
    embedder.warm_up()
    return embedder


@pytest.fixture(scope="session")
def tiny_reader_dir(tmp_path_factory, tokenizer):
    """A randomly initialised 2-layer BERT with a span head: exercises decoding, never answer quality."""
    import torch
    from transformers import BertConfig, BertForQuestionAnswering

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
    )
    directory = tmp_path_factory.mktemp("tiny-reader")
    BertForQuestionAnswering(config).save_pretrained(str(directory))
    tokenizer.save(directory)
    return directory


@pytest.fixture(scope="session")
def article_store(embedder):
    from qa.corpus import build_index, bundled_documents

    return build_index(bundled_documents(), embedder)


@pytest.fixture(scope="session")
def article_pipeline(article_store, embedder):
    """The real system over the bundled article: shipped reader, calibrated threshold."""
    from qa.pipeline import QAPipeline

    pipeline = QAPipeline.from_store(article_store, embedder)
    pipeline.warm_up()
    return pipeline
