"""Fit how a reader's margins become confidences, and where to abstain; store it beside the weights.

    python -m eval.calibrate QUESTIONS [--limit 2000] [--hide 0.5] [--reader DIR]

It simulates the chat: every question goes through retrieval and reading over
all contexts of the file, and for a share ``--hide`` of them the question's own
article is hidden from retrieval, so the corpus truly does not answer it -- the
"the document does not say" case a chat meets most. (SQuAD 2.0's unanswerable
questions, written to fool a reader inside their own paragraph, are a harder
and different case; they are scored separately by ``qa eval``.)

The reader runs uncalibrated with threshold 0 (it always answers), so every
best span and its margin over "no answer" are seen. A logistic fit of "the
answer is right" (F1 >= 0.5; any answer to an unanswerable question is wrong)
on the margin turns margins into probabilities a user can trust, and the
abstention threshold is the official SQuAD 2.0 best-F1 threshold on them. Both
go to ``calibration.json`` in the reader directory, with where they came from.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import random
from pathlib import Path

import numpy as np

from eval.report import write_report
from eval.runner import context_documents, evaluate
from eval.squad_metrics import squad_v2_scores
from eval.summary import summarize
from index.embedder import Embedder
from qa.corpus import build_index
from qa.modeling import SHIPPED_READER
from qa.pipeline import QAPipeline
from qa.reader import ExtractiveReader
from qa.squad import QAExample, load_examples, spread
from qa.verifier import fit_logistic


def hide_articles(examples: list[QAExample], share: float, seed: int = 13) -> tuple[list[QAExample], dict[str, str]]:
    """Mark a share of questions unanswerable by hiding their article; returns them and {id: hidden title}."""
    rng = random.Random(seed)
    marked, hidden = [], {}
    for example in examples:
        if example.answers and rng.random() < share:
            example = dataclasses.replace(example, id=f"{example.id}-hidden", answers=())
            hidden[example.id] = example.title
        marked.append(example)
    return marked, hidden


def calibrate(questions: str, limit: int, hide: float, reader_dir: Path, out_dir: Path, k: int = 3) -> dict:
    every = load_examples(questions)
    documents = context_documents(every)
    examples, hidden = hide_articles(spread(every, limit), hide)
    embedder = Embedder()
    reader = ExtractiveReader(reader_dir, calibrated=False)
    pipeline = QAPipeline.from_store(build_index(documents, embedder, progress=True), embedder, reader, top_k=k)
    pipeline.warm_up()

    def answer(example: QAExample):
        title = hidden.get(example.id)
        if title is None:
            return pipeline.run(example.question, threshold=0.0)
        found = pipeline.retriever.run(example.question, k + 40)
        others = [p for p in found if not p.chunk.source.startswith(f"{title}#")][:k]
        return pipeline.read(example.question, [dataclasses.replace(p, rank=i) for i, p in enumerate(others)], 0.0)

    outcomes = evaluate(examples, answer, {d.text: d.name for d in documents})
    metrics = summarize(outcomes)
    write_report(out_dir, outcomes, metrics, 20, title=f"calibration on {Path(questions).name}")
    scored = [o for o in outcomes if o.score is not None]
    margins = np.array([_logit(o.score) for o in scored])
    right = np.array([1.0 if o.gold and o.f1 >= 0.5 else 0.0 for o in scored])
    scale, bias = (float(w) for w in fit_logistic(margins, right))
    confidence = {o.id: 1.0 / (1.0 + math.exp(-(scale * m + bias))) for o, m in zip(scored, margins)}
    na_probs = {o.id: 1.0 - confidence.get(o.id, 0.0) for o in outcomes}
    fitted = squad_v2_scores({o.id: o.gold for o in outcomes}, {o.id: o.prediction for o in outcomes}, na_probs)
    record = {
        "scale": round(scale, 5),
        "bias": round(bias, 5),
        "threshold": round(1.0 - fitted["best_f1_thresh"], 5),
        "fitted_on": Path(questions).name,
        "questions": metrics["total"],
        "answerable": metrics.get("HasAns_total", 0),
        "article_hidden": len(hidden),
        "passages_read": k,
        "precision": reader.precision,
        "f1_always_answering": round(metrics["f1"], 2),
        "f1_at_threshold": round(fitted["best_f1"], 2),
        "exact_at_threshold": round(fitted["best_exact"], 2),
    }
    (reader_dir / "calibration.json").write_text(json.dumps(record, indent=2) + "\n")
    return record


def _logit(p: float, eps: float = 1e-12) -> float:
    p = min(max(p, eps), 1.0 - eps)
    return math.log(p / (1.0 - p))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions", help="a held-out question set (SQuAD JSON or JSON Lines)")
    parser.add_argument("--limit", type=int, default=2000)
    parser.add_argument("--hide", type=float, default=0.5, help="share of questions whose article is hidden")
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--reader", type=Path, default=SHIPPED_READER)
    parser.add_argument("--out", type=Path, default=Path("eval_out/calibration"))
    args = parser.parse_args(argv)
    print(json.dumps(calibrate(args.questions, args.limit, args.hide, args.reader, args.out, args.k), indent=2))


if __name__ == "__main__":
    main()
