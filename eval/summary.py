"""The run's headline numbers, as written to metrics.json."""

from __future__ import annotations

from collections.abc import Sequence

from eval.confidence_metrics import confidence_scores
from eval.latency import latency_stats
from eval.outcome import QuestionOutcome
from eval.retrieval_metrics import retrieval_scores
from eval.span_errors import span_error_rates
from eval.squad_metrics import squad_v2_scores


def summarize(outcomes: Sequence[QuestionOutcome], ks: Sequence[int] = (), retrieval: bool = False) -> dict:
    """Official SQuAD v2.0 keys first (so the official script's output can be diffed), then ``errors``, the
    abstention threshold used (when one), AUROC and ECE of the confidence, sub- and super-span rates, then
    recall@k/MRR over answerable questions when the run retrieved its passages, then latency (p50/p95/max
    milliseconds per stage)."""
    metrics = squad_v2_scores(
        {o.id: o.gold for o in outcomes},
        {o.id: o.prediction for o in outcomes},
        {o.id: o.na_prob for o in outcomes},
    )
    metrics["errors"] = sum(o.error is not None for o in outcomes)
    thresholds = {o.threshold for o in outcomes if o.threshold is not None}
    if len(thresholds) == 1:  # the run's operating point, so a figure can be told from one at another share
        metrics["threshold"] = thresholds.pop()
    metrics.update(confidence_scores(outcomes))
    metrics.update(span_error_rates(outcomes))
    if retrieval:
        metrics.update(retrieval_scores([o.retrieved_rank for o in outcomes if o.answerable], ks))
    for stage, stats in latency_stats(outcomes).items():
        metrics.update({f"latency_{stage}_{q}_ms": 1000 * getattr(stats, q) for q in ("p50", "p95", "max")})
    return metrics
