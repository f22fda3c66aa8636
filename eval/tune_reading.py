"""Choose ``accept_first``: what reading the best passage alone first costs in accuracy and saves in time.

    python -m eval.tune_reading qa/data/article_dev.json [--levels 0.5 0.6 0.7 0.8 0.9] [--precision int8]

Every question goes through retrieval over all contexts of the file, then the
reader reads the best passage alone and all ``--k`` passages together (both
timed). Each level is then scored from those two readings, as
``QAPipeline.candidates`` chooses between them (``first_suffices``): F1 and abstentions at the
calibrated threshold, how often the first passage sufficed, and reading time.
"""

from __future__ import annotations

import argparse
import statistics
import time

from eval.runner import context_documents, spread
from eval.squad_metrics import score_prediction
from index.embedder import Embedder
from index.records import Passage
from qa.answer import Answer
from qa.corpus import build_index
from qa.pipeline import QAPipeline, first_suffices
from qa.reader import DEFAULT_PRECISION, PRECISIONS, ExtractiveReader
from qa.squad import load_examples


def _timed(reader: ExtractiveReader, question: str, passages: list[Passage]) -> tuple[list[Answer], float]:
    began = time.perf_counter()
    answers = reader.run(question, passages)
    return answers, time.perf_counter() - began


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions")
    parser.add_argument("--levels", type=float, nargs="+", default=[0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0, help="N questions spread through the file")
    parser.add_argument("--precision", choices=PRECISIONS, default=DEFAULT_PRECISION)
    parser.add_argument("--reader", default=None, help="reader model directory (default: the shipped one)")
    args = parser.parse_args(argv)
    every = load_examples(args.questions)
    embedder = Embedder()
    reader = ExtractiveReader(args.reader, precision=args.precision)
    pipeline = QAPipeline.from_store(build_index(context_documents(every), embedder), embedder, reader, top_k=args.k)
    pipeline.warm_up()
    threshold = pipeline.default_threshold
    readings = []
    for example in spread(every, args.limit):
        passages = pipeline.retriever.run(example.question, args.k)
        first = _timed(reader, example.question, passages[:1])
        joint = _timed(reader, example.question, passages)
        readings.append((example, first, joint))
    print(f"{len(readings)} questions, {args.k} passages, threshold {threshold:.3f}, {args.precision}")
    print(f"{'accept':>7} {'F1':>6} {'HasAns F1':>9} {'NoAns':>11} {'first only':>10} {'read p50':>9} {'mean':>7}")
    for level in [None, *sorted(args.levels)]:
        f1s, has, abstained, no_answer, alone, times = [], [], 0, 0, 0, []
        for example, (first, first_time), (joint, joint_time) in readings:
            taken = first_suffices(first, level, threshold)
            answers = first if taken else joint
            alone += taken
            times.append(first_time if taken else joint_time + (first_time if level is not None else 0.0))
            prediction = answers[0].text if answers and answers[0].score >= threshold else ""
            f1 = score_prediction([a.text for a in example.answers], prediction)[1]
            f1s.append(f1)
            if example.answers:
                has.append(f1)
            else:
                no_answer += 1
                abstained += not prediction
        label = "never" if level is None else f"{level:.2f}"
        print(
            f"{label:>7} {100 * statistics.mean(f1s):>6.1f} {100 * statistics.mean(has or [0]):>9.1f} "
            f"{f'{abstained}/{no_answer}':>11} {f'{alone}/{len(readings)}':>10} "
            f"{1000 * statistics.median(times):>6.1f} ms {1000 * statistics.mean(times):>4.0f} ms"
        )


if __name__ == "__main__":
    main()
