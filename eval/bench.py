"""Speed and memory of the whole system on this machine: prints figures, asserts nothing.

    python -m eval.bench [--repeat 3] [--reader DIR]

Reports index build time for the bundled article, end-to-end latency per
question of the bundled dev set (p50/p95, split into retrieval and reading),
reader latency for one question over one 384-token window at each precision
(with the article dev F1 each one reaches, so a faster setting is only kept if
accuracy holds), and the process's peak memory. The machine is shared: compare
ratios within one run, not absolute times across runs.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

from eval.squad_metrics import score_prediction
from index.embedder import Embedder
from index.records import Chunk, Passage
from qa.corpus import BUNDLED_QUESTIONS, build_index, bundled_documents
from qa.pipeline import QAPipeline
from qa.reader import PRECISIONS, ExtractiveReader
from qa.squad import load_examples
from qa.windows import encode_windows


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="passes over the dev questions (default 3)")
    parser.add_argument("--reader", default=None, help="reader model directory (default: the shipped one)")
    args = parser.parse_args(argv)
    examples = load_examples(BUNDLED_QUESTIONS)

    embedder = Embedder()
    embedder.warm_up()
    began = time.perf_counter()
    store = build_index(bundled_documents(), embedder)
    print(
        f"index build (bundled article, {len(store.chunks)} chunks, models warm): "
        f"{1000 * (time.perf_counter() - began):.0f} ms"
    )

    for precision in PRECISIONS:
        reader = ExtractiveReader(args.reader, precision=precision)
        pipeline = QAPipeline.from_store(store, embedder, reader)
        pipeline.warm_up()
        pipeline.run(examples[0].question)  # first call allocates
        stages: dict[str, list[float]] = {"retrieve": [], "read": [], "total": []}
        f1s = []
        for _ in range(args.repeat):
            for example in examples:
                result = pipeline.run(example.question)
                for stage in stages:
                    stages[stage].append(result.timings[stage])
                prediction = result.answer.text if result.answer else ""
                f1s.append(score_prediction([a.text for a in example.answers], prediction)[1])
        window = _window_latency(reader)
        figures = "  ".join(
            f"{stage} p50 {1000 * statistics.median(v):.1f} ms p95 {1000 * percentile(v, 0.95):.1f} ms"
            for stage, v in stages.items()
        )
        print(
            f"[{precision}] dev F1 {100 * statistics.mean(f1s):.1f}  {figures}  "
            f"reader, one 384-token window: {1000 * window:.1f} ms"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS of this process): {peak:.0f} MiB")


def _window_latency(reader: ExtractiveReader, runs: int = 10) -> float:
    """Median time to read one question against one full 384-token window of the article."""
    question = "Who seized the islands?"
    article = bundled_documents()[0].text
    first = encode_windows(reader.tokenizer, [question], [article], 384, reader.stride)[0]
    text = article[: int(first.offsets[first.context_end][1])]
    passage = Passage(Chunk(0, "bench", text, 0, len(text)), 1.0, 0)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        reader.run(question, [passage])
        times.append(time.perf_counter() - began)
    return statistics.median(times)


if __name__ == "__main__":
    main()
