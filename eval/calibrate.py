"""Fit how a reader's margins become confidences, and where to abstain; store it beside the weights.

    python -m eval.calibrate QUESTIONS [--mode e2e] [--limit 2000] [--reader DIR]

The system runs uncalibrated with threshold 0 (it always answers), so every
question's best span and its margin over "no answer" are seen. A logistic fit
of "the answer is right" (F1 >= 0.5; any answer to an unanswerable question is
wrong) on the margin turns margins into probabilities a user can trust:
"0.8" should be right about 80% of the time. The abstention threshold is then
the official SQuAD 2.0 best-F1 threshold on those probabilities. Both go to
``calibration.json`` in the reader directory, with where they came from.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

from eval.runner import run_evaluation
from eval.squad_metrics import squad_v2_scores
from eval.system import answer_fn_factory
from qa.modeling import SHIPPED_READER


def fit_logistic(x: np.ndarray, y: np.ndarray, iterations: int = 50, ridge: float = 1e-3) -> tuple[float, float]:
    """Scale and bias of P(y=1 | x) = sigmoid(scale * x + bias), by Newton's method (two parameters)."""
    design = np.stack([x, np.ones_like(x)], axis=1)
    weights = np.zeros(2)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-design @ weights))
        gradient = design.T @ (p - y) + ridge * weights
        hessian = (design * (p * (1 - p))[:, None]).T @ design + ridge * np.eye(2)
        weights -= np.linalg.solve(hessian, gradient)
    return float(weights[0]), float(weights[1])


def calibrate(questions: str, mode: str, limit: int, reader_dir: Path, out_dir: Path, k: int = 3) -> dict:
    factory = answer_fn_factory(reader_dir=reader_dir, threshold=0.0, calibrated=False)
    metrics = run_evaluation(questions, mode, out_dir, factory, limit=limit, k=k)
    if "NoAns_total" not in metrics:
        raise ValueError(f"{questions} has no unanswerable questions; abstention cannot be calibrated on it")
    with (out_dir / "outcomes.jsonl").open() as handle:
        outcomes = [json.loads(line) for line in handle]
    scored = [o for o in outcomes if o["score"] is not None]
    margins = np.array([_logit(o["score"]) for o in scored])
    right = np.array([1.0 if o["gold"] and o["f1"] >= 0.5 else 0.0 for o in scored])
    scale, bias = fit_logistic(margins, right)
    confidence = {o["id"]: 1.0 / (1.0 + math.exp(-(scale * m + bias))) for o, m in zip(scored, margins)}
    na_probs = {o["id"]: 1.0 - confidence.get(o["id"], 0.0) for o in outcomes}
    fitted = squad_v2_scores(
        {o["id"]: o["gold"] for o in outcomes}, {o["id"]: o["prediction"] for o in outcomes}, na_probs
    )
    record = {
        "scale": round(scale, 5),
        "bias": round(bias, 5),
        "threshold": round(1.0 - fitted["best_f1_thresh"], 5),
        "fitted_on": Path(questions).name,
        "mode": mode,
        "passages_read": k if mode == "e2e" else 1,
        "questions": metrics["total"],
        "HasAns_total": metrics["HasAns_total"],
        "NoAns_total": metrics["NoAns_total"],
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
    parser.add_argument("questions", help="a question set with unanswerable questions (SQuAD 2.0 style)")
    parser.add_argument("--mode", choices=["e2e", "reader"], default="e2e")
    parser.add_argument("--limit", type=int, default=2000)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--reader", type=Path, default=SHIPPED_READER)
    parser.add_argument("--out", type=Path, default=Path("eval_out/calibration"))
    args = parser.parse_args(argv)
    print(json.dumps(calibrate(args.questions, args.mode, args.limit, args.reader, args.out, args.k), indent=2))


if __name__ == "__main__":
    main()
