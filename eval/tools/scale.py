"""Scale benchmark: how building, storing and searching the index grow with the number of chunks.

    python -m eval.tools.scale DATA_DIR [--sizes 10000 100000 1000000] [--out runs/scale]

DATA_DIR holds question files (``*.jsonl.gz``); their contexts are the real text (``eval.scale_corpus``),
embedded once into a resumable cache under ``--out``. For each size it builds the index the way ``qa
index`` does (``auto``: exact below ``index.vectors.EXACT_BELOW`` chunks, IVF above), saves and reloads it,
and measures build time and throughput, size on disk and memory, retrieval latency per mode (with the
question's embedding, as a user waits for it), exact search's latency and the approximate index's recall@10
against it on questions of the evaluation files (with the lists they need, and the lists questions of the
training files need: index settings are chosen on those, never on the reported ones), and the whole answer's
latency. Sizes past the real text are filled synthetically, and each row
says how many of its chunks are real. Writes ``scale.json``, ``scale.md`` and ``scale.png`` into ``--out``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from eval.scale_corpus import (
    SYNTHETIC_NOISE,
    EmbeddingCache,
    cache_key,
    extend,
    question_files,
    real_corpus,
    say_to_stderr,
)
from index import vectors
from index.errors import QAError
from index.records import Document
from index.retriever import DEFAULT_TOP_K, MODES, Retriever
from index.store import IndexStore
from qa.timings import percentile

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
DEFAULT_OUT = Path("runs/scale")


@dataclass
class SizeResult:
    """One row of the benchmark: an index of ``size`` chunks, ``real`` of them from real text."""

    size: int
    real: int
    index: str  # the FAISS index auto chose: "flat" or "ivf"
    lists: int | None
    nprobe: int | None
    questions_nprobe: int | None  # the fewest lists the report's real questions need for recall@10 0.95
    tuning_nprobe: int | None  # the same for questions of the training files, on which settings may be chosen
    build_s: float  # vector index (with IVF training) plus BM25, from embedded chunks
    build_chunks_per_s: float
    save_s: float
    load_s: float
    disk_mb: float
    vectors_mb: float
    keywords_mb: float
    rss_mb: float  # the process's memory growth from loading the saved index and querying it
    latency_ms: dict[str, tuple[float, float]]  # (p50, p95) per retrieval mode, the question's embedding included
    search_ms: dict[str, tuple[float, float]]  # (p50, p95) of the vector search alone: "index" and "exact"
    recall_at_10: float  # of the index against exact search on the same vectors (1.0 when it is exact)
    answer_ms: tuple[float, float] | None  # (p50, p95) of the whole answer, reader included


def main(argv: Sequence[str] | None = None) -> int:
    """The command, its errors handled as ``qa``'s are (a missing data directory is one line)."""
    from qa.cli import guarded

    return guarded("eval.tools.scale", lambda: _main(argv))


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    from index.embedder import Embedder

    embedder = Embedder()
    answerer = _answerer(embedder) if args.answers else None
    report = run(
        args.data,
        args.sizes,
        args.out,
        embedder,
        queries=args.queries,
        answers=args.answers,
        answerer=answerer,
        max_real=args.max_real,
        seed=args.seed,
        batch=args.batch_size,
        keep=args.keep,
    )
    print(markdown_table(report))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eval.tools.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("data", help="directory of question files (*.jsonl.gz) whose contexts are the real text")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), help="index sizes in chunks")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report, cache and index directory")
    parser.add_argument("--queries", type=int, default=200, help="real questions timed per size (default 200)")
    parser.add_argument("--answers", type=int, default=30, help="questions answered end to end per size, 0: none")
    parser.add_argument("--max-real", type=int, default=None, help="embed at most this many real chunks")
    parser.add_argument("--batch-size", type=int, default=256, help="chunks embedded per cache append")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep each size's saved index")
    return parser


def run(
    data: str | Path,
    sizes: Sequence[int],
    out: Path,
    embedder,
    queries: int = 200,
    answers: int = 0,
    answerer: Callable[[IndexStore], Callable[[str], object]] | None = None,
    max_real: int | None = None,
    seed: int = 0,
    batch: int = 256,
    keep: bool = False,
    say: Callable[[str], None] = say_to_stderr,
) -> dict:
    """Measure every size and write the report files; returns the report (what ``scale.json`` holds)."""
    if not sizes:
        raise QAError("no index sizes to measure")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = question_files(data)
    largest = max(sizes)
    real_limit = largest if max_real is None else min(largest, max_real)
    say(f"chunking up to {real_limit:,} real chunks from {len(files)} files")
    corpus = real_corpus(files, real_limit, seed)
    cache = EmbeddingCache(out / f"embeddings-{cache_key(files, embedder.name, seed)}.f32", embedder.dimension)
    real_vectors = cache.ensure([c.text for c in corpus.chunks], embedder, batch, say)
    rng = np.random.default_rng(seed)
    questions, tuning = (
        [pool[i] for i in rng.choice(len(pool), min(queries, len(pool)), replace=False)]
        for pool in (corpus.questions, corpus.tuning_questions)
    )
    rows = []
    for size in sorted(sizes):
        say(f"size {size:,}")
        documents, chunks, vectors_ = extend(corpus.documents, corpus.chunks, real_vectors, size, seed)
        row = measure(
            size, min(size, len(corpus.chunks)), documents, chunks, vectors_, embedder, questions, out, tuning
        )
        if answerer is not None and answers:
            row.answer_ms = _answer_latency(answerer, out / f"index-{size}", embedder, questions[:answers])
        if not keep:
            shutil.rmtree(out / f"index-{size}", ignore_errors=True)
        rows.append(row)
        say(json.dumps(asdict(row)))
        del documents, chunks, vectors_
        gc.collect()
        report = _report(rows, corpus, files, cache)
        write_report(report, out)  # after every size: a long run that stops keeps what it measured
    return report


def _report(rows: list[SizeResult], corpus, files: list[Path], cache: EmbeddingCache) -> dict:
    return {
        "rows": [asdict(r) for r in rows],
        "real_chunks": len(corpus.chunks),
        "real_contexts": corpus.contexts,
        "files": [p.name for p in files],
        "embedding_chunks_per_s": cache.throughput,
        "synthetic": (
            f"past {len(corpus.chunks):,} real chunks: reused real chunk texts for BM25, and vectors drawn "
            f"around the reused chunk's vector (Gaussian noise of norm {SYNTHETIC_NOISE}, renormalised)"
        ),
        "exact_below": vectors.EXACT_BELOW,
        "machine": _machine(),
    }


def measure(
    size: int,
    real: int,
    documents: list[Document],
    chunks: list,
    embeddings: np.ndarray,
    embedder,
    questions: list[str],
    out: Path,
    tuning: Sequence[str] = (),
) -> SizeResult:
    """Build, save, reload and query an index of these chunks (``auto`` index type); recall is measured on
    ``questions``, and the lists ``tuning`` questions need are reported beside (settings are chosen on those)."""
    directory = out / f"index-{size}"
    shutil.rmtree(directory, ignore_errors=True)
    begin = time.perf_counter()
    store = IndexStore(embedder.name, embedder.dimension, "auto")
    store.add(documents, chunks, embeddings)
    store.keyword_index()
    build_s = time.perf_counter() - begin
    begin = time.perf_counter()
    store.save(directory)
    save_s = time.perf_counter() - begin
    del store
    gc.collect()

    embedder.warm_up()  # its model is not part of the index's memory
    before = _rss_mb()
    begin = time.perf_counter()
    loaded = IndexStore.load(directory, embedder.name, embedder.dimension)
    retrievers = {mode: Retriever(loaded, embedder, mode=mode) for mode in MODES}
    retrievers["hybrid"].warm_up()
    load_s = time.perf_counter() - begin
    latency = {
        mode: _timed(lambda q, r=retriever: r.run(q, DEFAULT_TOP_K), questions)
        for mode, retriever in retrievers.items()
    }
    rss = _rss_mb() - before

    query_vectors = embedder.encode_query(questions)
    exact = vectors.new_index("flat", embedder.dimension)
    exact.add(np.ascontiguousarray(embeddings))
    rows = [query_vectors[i : i + 1] for i in range(len(questions))]
    search = {
        "index": _timed(lambda v: loaded.search(v, 10), rows),
        "exact": _timed(lambda v: exact.search(v, 10), rows),
    }
    found = [[i for i, _ in hits] for hits in loaded.search(query_vectors, 10)]
    truth = exact.search(query_vectors, 10)[1]
    index = loaded.vector_index
    chosen = index.nprobe if vectors.is_ivf(index) else None
    needed = vectors.nprobe_for(index, embeddings, query_vectors, 0.95) if chosen else None
    tuning_needed = None
    if chosen and tuning:
        tuning_needed = vectors.nprobe_for(index, embeddings, embedder.encode_query(list(tuning)), 0.95)
    if chosen:
        index.nprobe = chosen
    generation = next(directory.glob("generation-*"))
    return SizeResult(
        size=size,
        real=real,
        index="ivf" if vectors.is_ivf(index) else "flat",
        lists=index.nlist if vectors.is_ivf(index) else None,
        nprobe=chosen,
        questions_nprobe=needed,
        tuning_nprobe=tuning_needed,
        build_s=build_s,
        build_chunks_per_s=size / build_s if build_s else float("nan"),
        save_s=save_s,
        load_s=load_s,
        disk_mb=_mb(generation),
        vectors_mb=_mb(generation / "vectors.faiss"),
        keywords_mb=_mb(generation / "bm25"),
        rss_mb=rss,
        latency_ms=latency,
        search_ms=search,
        recall_at_10=vectors.recall_at_k(found, truth),
        answer_ms=None,
    )


def _timed(call: Callable, items: Sequence) -> tuple[float, float]:
    """(p50, p95) in milliseconds of ``call`` on each item, after one untimed call to warm caches."""
    if not items:
        return (float("nan"), float("nan"))
    call(items[0])
    times = []
    for item in items:
        begin = time.perf_counter()
        call(item)
        times.append((time.perf_counter() - begin) * 1000)
    return (percentile(times, 50), percentile(times, 95))


def _answerer(embedder):
    """A whole-pipeline answer function per index, the reader loaded once for all sizes."""
    from qa.pipeline import QAPipeline
    from qa.reader import ExtractiveReader

    reader = ExtractiveReader()

    def answer_with(store: IndexStore) -> Callable[[str], object]:
        pipeline = QAPipeline.from_store(store, embedder, reader)
        pipeline.warm_up()
        return pipeline.run

    return answer_with


def _answer_latency(answerer, directory: Path, embedder, questions: list[str]) -> tuple[float, float]:
    store = IndexStore.load(directory, embedder.name, embedder.dimension)
    return _timed(answerer(store), questions)


def _rss_mb() -> float:
    """The process's resident memory now (Linux), in MiB; 0 where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 2**20


def _machine() -> dict:
    import faiss

    return {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "faiss_threads": faiss.omp_get_max_threads(),
        "python": platform.python_version(),
    }


def markdown_table(report: dict) -> str:
    """One line per size: what it costs to build, store and search, and how exact the search is."""
    header = (
        "| chunks (real) | index | build s (chunks/s) | disk MiB (vectors, BM25) | memory MiB "
        "| dense p50/p95 ms | BM25 p50/p95 | hybrid p50/p95 | vector search: index / exact p50 | recall@10 "
        "| answer p50/p95 ms |"
    )
    lines = [header, "|" + " --- |" * 11]
    for row in report["rows"]:
        kind = "flat" if row["index"] == "flat" else f"IVF{row['lists']} SQ8, nprobe {row['nprobe']}"
        if row["questions_nprobe"]:
            kind += f" (questions need {row['questions_nprobe']}, tuning questions {row.get('tuning_nprobe')})"
        answer = "" if row["answer_ms"] is None else _pair(row["answer_ms"])
        latency, search = row["latency_ms"], row["search_ms"]
        lines.append(
            f"| {row['size']:,} ({row['real']:,}) | {kind} | {row['build_s']:.1f} ({row['build_chunks_per_s']:,.0f}) "
            f"| {row['disk_mb']:.0f} ({row['vectors_mb']:.0f}, {row['keywords_mb']:.0f}) | {row['rss_mb']:.0f} "
            f"| {_pair(latency['dense'])} | {_pair(latency['bm25'])} | {_pair(latency['hybrid'])} "
            f"| {search['index'][0]:.2f} / {search['exact'][0]:.2f} | {row['recall_at_10']:.3f} | {answer} |"
        )
    notes = [
        "",
        f"Real text: {report['real_chunks']:,} chunks of {report['real_contexts']:,} contexts "
        f"({', '.join(report['files'])}); embedding {report['embedding_chunks_per_s']:.1f} chunks/s.",
        f"Synthetic: {report['synthetic']}.",
        f"Machine: {report['machine']}.",
    ]
    return "\n".join(lines + notes)


def _pair(values: Sequence[float]) -> str:
    return f"{values[0]:.1f} / {values[1]:.1f}"


def write_report(report: dict, out: Path) -> None:
    (out / "scale.json").write_text(json.dumps(report, indent=2))
    (out / "scale.md").write_text(markdown_table(report) + "\n")
    plot(report, out / "scale.png")


def plot(report: dict, path: Path) -> None:
    """Retrieval latency, build time and memory against size, on log axes: straight lines show how each grows."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = report["rows"]
    sizes = [r["size"] for r in rows]
    figure, (latency, build, memory) = plt.subplots(1, 3, figsize=(15, 4.2))
    for mode in MODES:
        latency.plot(sizes, [r["latency_ms"][mode][0] for r in rows], "o-", label=f"{mode} p50")
    latency.plot(sizes, [r["search_ms"]["exact"][0] for r in rows], "k--", label="exact vector search p50")
    latency.set(xscale="log", yscale="log", xlabel="chunks", ylabel="ms", title="retrieval latency")
    build.plot(sizes, [r["build_s"] for r in rows], "o-", label="build (vectors + BM25)")
    build.plot(sizes, [r["load_s"] for r in rows], "o-", label="load (checksums included)")
    build.set(xscale="log", yscale="log", xlabel="chunks", ylabel="s", title="build and load time")
    memory.plot(sizes, [r["disk_mb"] for r in rows], "o-", label="on disk")
    memory.plot(sizes, [max(r["rss_mb"], 1e-3) for r in rows], "o-", label="memory growth")
    memory.set(xscale="log", yscale="log", xlabel="chunks", ylabel="MiB", title="size")
    real = report["real_chunks"]
    for axes in (latency, build, memory):
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize=8)
        if real < max(sizes):
            axes.axvline(real, color="grey", alpha=0.5)
    figure.suptitle(f"scale benchmark (grey line: real text ends at {real:,} chunks; synthetic beyond)", fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


if __name__ == "__main__":
    raise SystemExit(main())
