"""``qa index --ray``: load, chunk and embed documents on a Ray cluster's workers and write a sharded index.

Each worker is an actor that loads the embedder once and turns its share of the files into chunks and vectors
(the costly part); the driver gathers each shard, adds it to a store and saves them together
(``index.shards``). The files are read by the workers, so on several machines they must sit on a file system
every node sees.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from index.cluster import LOCAL, connect, worker_count
from index.embedder import Embedder
from index.indexer import Indexer
from index.loaders import load_document
from index.shards import balance, save_shards
from index.store import IndexStore


class ShardBuilder:
    """A worker's indexer: the embedder loads once, then each call indexes one shard's files."""

    def __init__(self):
        self.indexer = Indexer(Embedder())

    def build(self, paths: Sequence[str]):
        documents = [load_document(path) for path in paths]
        chunks, vectors = self.indexer.prepare(documents)
        return documents, chunks, vectors


def index_on_ray(
    paths: Sequence[str],
    out_dir: str | Path,
    shards: int = 0,
    address: str = LOCAL,
    index_type: str = "flat",
    done: Callable[[int, int], None] | None = None,
) -> list[IndexStore]:
    """Index ``paths`` into ``shards`` shards (0: one per CPU of the cluster, never more than files) built in
    parallel, saved in ``out_dir``; returns the shards. ``done(finished, total)`` follows the progress."""
    import ray

    connect(address)
    paths = [os.path.abspath(path) for path in paths]  # workers do not run in this directory
    groups = balance([os.path.getsize(path) for path in paths], shards or worker_count())
    builder = ray.remote(num_cpus=1)(ShardBuilder)
    workers = [builder.options(scheduling_strategy="SPREAD").remote() for _ in groups]
    pending = {
        worker.build.remote([paths[i] for i in group]): number
        for number, (worker, group) in enumerate(zip(workers, groups))
    }
    stores: list[IndexStore | None] = [None] * len(groups)
    try:
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            number = pending.pop(ready[0])
            documents, chunks, vectors = ray.get(ready[0])
            store = IndexStore(Embedder.name, Embedder.dimension, index_type)
            store.add(documents, chunks, vectors)
            stores[number] = store
            if done is not None:
                done(len(groups) - len(pending), len(groups))
    finally:
        for worker in workers:  # their CPUs go back to the cluster now, not when this process ends
            ray.kill(worker)
    save_shards(out_dir, stores)
    return stores
