"""Shards of a sharded index held and searched by Ray actors: the scatter-gather side of serving on a cluster.

Each ``ShardSearcher`` loads one shard's vectors once and answers searches; ``ray_scatter`` sends a search to
every shard at once and waits for all, so the shards search in parallel wherever they run. The documents,
chunks and keyword index stay with whoever answers (``index.shards.ShardedStore``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.embedder import Embedder
from index.shards import Scatter, shard_directories
from index.store import IndexStore

SEARCHER_CPUS = 0.25  # a search of one shard is a few milliseconds; what each searcher needs is memory


class ShardSearcher:
    """One shard's vectors, loaded once."""

    def __init__(self, directory: str):
        self.store = IndexStore.load(directory, Embedder.name, Embedder.dimension)

    def search(self, queries: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        return self.store.search(queries, k)

    def size(self) -> int:
        return len(self.store.chunks)


def start_searchers(directory: str | Path, cpus: float = SEARCHER_CPUS) -> list:
    """One ``ShardSearcher`` actor per shard of the sharded index in ``directory`` (spread over the nodes,
    restarted by Ray if one dies), each loaded before this returns."""
    import ray

    actor = ray.remote(ShardSearcher).options(num_cpus=cpus, max_restarts=-1, scheduling_strategy="SPREAD")
    searchers = [actor.remote(str(path)) for path in shard_directories(directory)]
    ray.get([searcher.size.remote() for searcher in searchers])
    return searchers


def ray_scatter(searchers: list) -> Scatter:
    """The ``Scatter`` that asks every searcher at once (a retried call reaches a restarted searcher)."""

    def scatter(queries: np.ndarray, k: int) -> list[list[list[tuple[int, float]]]]:
        import ray

        return ray.get([searcher.search.options(max_task_retries=3).remote(queries, k) for searcher in searchers])

    return scatter
