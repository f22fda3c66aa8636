"""``qa serve --ray``: the answer function as a Ray Serve deployment of N replicas, each loading the models once.

The shards of a sharded index (``qa index --ray``) are held by searcher actors (``index.ray_search``) that every
replica asks at once and merges (scatter-gather); a single index, or the bundled article, is loaded by each
replica. The web front end keeps what it shows (documents and chunks) and its own models for the files a user
uploads, which stay in that user's session on the front end; every question about the shared documents goes to
the deployment. Serve replaces a replica that dies, and a question that died with it is asked again of another,
so none is lost.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from index.cluster import LOCAL, ClusterError, connect
from index.embedder import Embedder
from index.shards import ShardedStore, is_sharded
from qa.answer import Result
from qa.conversation import Turn
from qa.pipeline import QAPipeline, check_question
from qa.reader import DEFAULT_PRECISION, ExtractiveReader
from qa.verifier import DEFAULT_UNANSWERABLE_SHARE

APPLICATION = "qa"
DEPLOYMENT = "AnswerService"
ATTEMPTS = 4  # a question is asked again this many times in all when the replica answering it dies
RETRY_PAUSE = 1.0  # seconds between attempts: time for the router to learn that a replica is gone


class AnswerService:
    """One replica: the whole pipeline over the shared documents, its models loaded once."""

    def __init__(self, index_dir: str | None, precision: str, searchers: Sequence, unanswerable_share: float):
        embedder = Embedder()
        reader = ExtractiveReader(precision=precision)
        store = _store(index_dir, embedder, searchers)
        self.pipeline = QAPipeline.from_store(store, embedder, reader, unanswerable_share=unanswerable_share)
        self.pipeline.warm_up()

    def answer(self, question: str, top_k: int, threshold: float | None, history: list[Turn]) -> Result:
        return self.pipeline.run(question, top_k=top_k, threshold=threshold, history=history)


class RemotePipeline(QAPipeline):
    """The front end's pipeline: its own store and models, for showing documents and reading a session's uploads,
    but ``run`` is answered by the deployment's replicas."""

    handle = None  # the deployment's handle, set by ``serve_on_ray``
    searchers: Sequence = ()  # the actors holding a sharded index's shards, set by ``serve_on_ray``

    def run(
        self,
        question: str,
        top_k: int | None = None,
        threshold: float | None = None,
        history: Sequence[Turn] | None = None,
    ) -> Result:
        from ray.exceptions import ActorUnavailableError, RayActorError

        question = check_question(question)  # refused here, without a round trip
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = self.handle.answer.remote(question, top_k or self.top_k, threshold, list(history or ()))
                return response.result()
            except (RayActorError, ActorUnavailableError) as err:  # the replica died: ask another
                if attempt == ATTEMPTS:
                    raise ClusterError(f"no replica could answer after {ATTEMPTS} attempts ({err})") from err
                time.sleep(RETRY_PAUSE)
        raise AssertionError("unreachable")


def serve_on_ray(
    index_dir: str | Path | None = None,
    precision: str = DEFAULT_PRECISION,
    address: str = LOCAL,
    replicas: int = 2,
    replica_cpus: float = 1.0,
    unanswerable_share: float = DEFAULT_UNANSWERABLE_SHARE,
) -> RemotePipeline:
    """Deploy ``replicas`` answer replicas over ``index_dir`` (default: the bundled article) on the Ray cluster
    at ``address``, and return the front end's pipeline that asks them."""
    from ray import serve

    from index.ray_search import start_searchers

    if replicas < 1:
        raise ClusterError(f"--replicas must be 1 or more (not {replicas})")
    connect(address)
    searchers = start_searchers(index_dir) if index_dir is not None and is_sharded(index_dir) else []
    serve.start(proxy_location="Disabled")  # the web front end is Gradio's; Serve needs no HTTP server of its own
    deployment = serve.deployment(
        AnswerService,
        name=DEPLOYMENT,
        num_replicas=replicas,
        ray_actor_options={"num_cpus": replica_cpus},
        health_check_period_s=2,
        health_check_timeout_s=10,
    )
    name = None if index_dir is None else str(index_dir)
    bound = deployment.bind(name, precision, searchers, unanswerable_share)
    handle = serve.run(bound, name=APPLICATION, route_prefix=None)
    embedder = Embedder()
    reader = ExtractiveReader(precision=precision)
    store = _store(name, embedder, searchers)
    pipeline = RemotePipeline.from_store(store, embedder, reader, unanswerable_share=unanswerable_share)
    pipeline.handle, pipeline.searchers = handle, searchers
    return pipeline


def stop_serving(pipeline: RemotePipeline) -> None:
    """Remove the deployment and the shards' searchers: a cluster that outlives this server gets their CPUs back."""
    import ray
    from ray import serve

    serve.delete(APPLICATION)
    for searcher in pipeline.searchers:
        ray.kill(searcher)


def _store(index_dir: str | None, embedder: Embedder, searchers: Sequence):
    """The shared documents: a sharded index searched by ``searchers``, else the index (or the article) itself."""
    from qa.corpus import bundled_index, open_index

    if searchers:
        from index.ray_search import ray_scatter

        return ShardedStore.load(index_dir, embedder.name, embedder.dimension, scatter=ray_scatter(searchers))
    return bundled_index(embedder) if index_dir is None else open_index(index_dir, embedder)
