"""An index split into shards by document, so that several processes (or machines) each hold and search a part.

A corpus too large for one process's memory or one CPU's search time is split: each shard is a whole
``IndexStore`` directory of some of the documents (loadable alone), and the vectors are searched where the
shard lives, the best of each merged by cosine similarity (scatter-gather). Cosine scores are comparable across
shards, so merging the shards' exact top k gives the single index's exact top k. BM25 scores are not (each
shard would weigh words by its own document frequencies), so the keyword index is built once over every
chunk and kept beside the shards: keyword search is cheap and memory-mapped, the vectors are what needs
splitting. Hybrid retrieval over the shards thus ranks as over one index of the same documents.

Layout of the directory: ``shards.json`` names the generation ``shards-<id>/`` holding ``shard-000/``,
``shard-001/``, ... and ``bm25/`` (the keyword index over all chunks, numbered shard after shard). As in
``index.store``, a save writes a new generation, switches to it by replacing ``shards.json`` atomically, then
removes the old one, under the directory's lock.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from index import bm25
from index.bm25 import BM25
from index.files import fsync, write_atomic
from index.records import Chunk, Document
from index.store import KEYWORDS, MANIFEST, IndexLoadError, IndexStore, index_lock, sha256, verify

SHARDS_FILE = "shards.json"
FORMAT_VERSION = 1
_GENERATION_PREFIX = "shards-"

# (query vectors, k) -> for each shard, its top k (chunk id within the shard, cosine) per query
Scatter = Callable[[np.ndarray, int], Sequence[list[list[tuple[int, float]]]]]


def is_sharded(directory: str | Path) -> bool:
    return (Path(directory) / SHARDS_FILE).is_file()


def balance(sizes: Sequence[int], parts: int) -> list[list[int]]:
    """Indexes of ``sizes`` in ``parts`` groups of about equal total: the largest first, each into the
    lightest group so far (empty groups dropped, so there are never more groups than items)."""
    groups: list[list[int]] = [[] for _ in range(max(1, parts))]
    totals = [0] * len(groups)
    for item in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        lightest = totals.index(min(totals))
        groups[lightest].append(item)
        totals[lightest] += sizes[item]
    return [sorted(group) for group in groups if group]


def save_shards(directory: str | Path, shards: Sequence[IndexStore]) -> Path:
    """Write ``shards`` as one sharded index in ``directory``, replacing whatever index it held."""
    directory = Path(directory)
    names = [name for shard in shards for name in shard.documents]
    if len(names) != len(set(names)):
        raise IndexLoadError(f"{directory}: two shards hold documents of the same name")
    with index_lock(directory):
        generation = directory / f"{_GENERATION_PREFIX}{uuid.uuid4().hex[:12]}"
        generation.mkdir()
        for number, shard in enumerate(shards):
            shard.save(generation / _shard_name(number), keywords=False)  # one keyword index over all
        keywords = BM25.build(chunk.text for shard in shards for chunk in shard.chunks)
        checksums = {}
        if keywords.saveable:
            keywords.save(generation / KEYWORDS)
            for name in bm25.FILES:
                fsync(generation / KEYWORDS / name)
                checksums[name] = sha256(generation / KEYWORDS / name)
        fsync(generation)
        manifest = {
            "format_version": FORMAT_VERSION,
            "generation": generation.name,
            "chunks": [len(shard.chunks) for shard in shards],
            "keywords_sha256": checksums,
        }
        write_atomic(directory / SHARDS_FILE, json.dumps(manifest, indent=2))
        for path in directory.iterdir():  # older generations, and a single index this one replaces
            if path.is_dir() and path != generation and path.name.startswith((_GENERATION_PREFIX, "generation-")):
                shutil.rmtree(path, ignore_errors=True)
        (directory / MANIFEST).unlink(missing_ok=True)
    return directory


def shard_directories(directory: str | Path) -> list[Path]:
    """The shards' own index directories, in order."""
    directory = Path(directory)
    manifest = _read(directory)
    return [directory / manifest["generation"] / _shard_name(n) for n in range(len(manifest["chunks"]))]


class ShardedStore:
    """The shards read as one index, for ``Retriever`` and the pipeline: documents and chunks of all shards
    (chunk ids numbered across them), the keyword index over all, and dense search scattered to the shards.

    ``scatter`` searches the shards' vectors wherever they are (on a Ray cluster, the actors
    holding them); by default the shards loaded here are searched one after the other.
    """

    def __init__(
        self,
        shards: Sequence[IndexStore],
        keywords: BM25,
        scatter: Scatter | None = None,
    ):
        self.embedder_name = shards[0].embedder_name
        self.dimension = shards[0].dimension
        self.documents: dict[str, Document] = {}
        self.chunks: list[Chunk] = []
        self._offsets: list[int] = []
        for shard in shards:
            self._offsets.append(len(self.chunks))
            self.documents.update(shard.documents)
            self.chunks += [replace(chunk, id=len(self.chunks) + chunk.id) for chunk in shard.chunks]
        self._keywords = keywords
        self._scatter = scatter or (lambda queries, k: [shard.search(queries, k) for shard in shards])

    @classmethod
    def load(
        cls,
        directory: str | Path,
        embedder_name: str,
        dimension: int,
        scatter: Scatter | None = None,
    ) -> ShardedStore:
        """Open a sharded index; with ``scatter`` the shards' vectors are left to whoever it searches."""
        directory = Path(directory)
        manifest = _read(directory)
        shards = [
            IndexStore.load(path, embedder_name, dimension, searchable=scatter is None)
            for path in shard_directories(directory)
        ]
        if [len(shard.chunks) for shard in shards] != manifest["chunks"]:
            raise IndexLoadError(f"{directory}: the shards do not hold the chunks {SHARDS_FILE} lists; rebuild it")
        return cls(shards, _load_keywords(directory, manifest, sum(manifest["chunks"])), scatter)

    def keyword_index(self) -> BM25:
        return self._keywords

    def search(self, queries: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """Top ``k`` (chunk id, cosine similarity) per query vector, over every shard."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        merged: list[list[tuple[int, float]]] = [[] for _ in range(len(queries))]
        for offset, found in zip(self._offsets, self._scatter(queries, k)):
            for hits, row in zip(merged, found):
                hits += [(offset + i, score) for i, score in row]
        return [sorted(hits, key=lambda hit: (-hit[1], hit[0]))[:k] for hits in merged]


def _shard_name(number: int) -> str:
    return f"shard-{number:03d}"


def _read(directory: Path) -> dict:
    try:
        manifest = json.loads((directory / SHARDS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise IndexLoadError(f"{directory}: {SHARDS_FILE} is unreadable ({err}); rebuild the index") from err
    generation = manifest.get("generation") if isinstance(manifest, dict) else None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format_version") != FORMAT_VERSION
        or not isinstance(generation, str)
        or not generation.startswith(_GENERATION_PREFIX)
        or "/" in generation
        or not isinstance(manifest.get("chunks"), list)
        or not manifest["chunks"]
        or not isinstance(manifest.get("keywords_sha256"), dict)
    ):
        raise IndexLoadError(f"{directory}: {SHARDS_FILE} is not a sharded index manifest; rebuild the index")
    return manifest


def _load_keywords(directory: Path, manifest: dict, size: int) -> BM25:
    if not manifest["keywords_sha256"]:  # no chunk had a keyword: nothing was saved
        return BM25.build([""] * size)
    files = directory / manifest["generation"] / KEYWORDS
    verify(directory, files, bm25.FILES, manifest["keywords_sha256"])
    try:
        return BM25.load(files, size)
    except (OSError, ValueError) as err:
        raise IndexLoadError(f"{directory}: cannot read the keyword index ({err}); rebuild it") from err
