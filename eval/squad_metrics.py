"""The official SQuAD v2.0 evaluation, definition for definition.

Numbers are only comparable with published ones if they are computed the same
way, so every rule here (normalisation, tokens, F1 edge cases, the no-answer
threshold and the best-threshold sweep) follows the official v2.0 script.
Scores are in percent, as the official script prints them.
"""

from __future__ import annotations

import re
import string
from collections import Counter

from index.errors import QAError

_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCTUATION = frozenset(string.punctuation)


def normalize_answer(text: str) -> str:
    """Lower case, drop punctuation, drop the articles a/an/the, collapse whitespace."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def get_tokens(text: str) -> list[str]:
    return normalize_answer(text).split() if text else []


def compute_exact(gold: str, prediction: str) -> int:
    return int(normalize_answer(gold) == normalize_answer(prediction))


def compute_f1(gold: str, prediction: str) -> float:
    """Token-overlap F1; an empty side scores 1 only if both sides are empty (a correct abstention)."""
    gold_tokens, pred_tokens = get_tokens(gold), get_tokens(prediction)
    if not gold_tokens or not pred_tokens:
        return float(gold_tokens == pred_tokens)
    same = sum((Counter(gold_tokens) & Counter(pred_tokens)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred_tokens), same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def score_prediction(gold: list[str], prediction: str) -> tuple[int, float]:
    """(exact, F1) against the best-matching gold answer.

    Golds that normalise to nothing are dropped, and a question left without
    golds is scored against the empty answer, as in the official script.
    """
    golds = [text for text in gold if normalize_answer(text)] or [""]
    return max(compute_exact(g, prediction) for g in golds), max(compute_f1(g, prediction) for g in golds)


def apply_no_ans_threshold(
    scores: dict[str, float], na_probs: dict[str, float], has_answer: dict[str, bool], threshold: float
) -> dict[str, float]:
    """Rescore the questions whose no-answer probability exceeds ``threshold`` as abstentions."""
    return {qid: float(not has_answer[qid]) if na_probs[qid] > threshold else score for qid, score in scores.items()}


def find_best_thresh(
    predictions: dict[str, str],
    scores: dict[str, float],
    na_probs: dict[str, float],
    has_answer: dict[str, bool],
    weights: dict[str, float] | None = None,
) -> tuple[float, float]:
    """(best score in percent, its threshold), sweeping thresholds from "abstain on everything" upwards.

    Start with every question abstained, then answer them in increasing order
    of no-answer probability; the threshold is the last probability answered.
    ``weights`` (not in the official script; each question 1 without them) count some questions more, to score
    the sweep on another mix of answerable and unanswerable questions.
    """
    weight = weights or dict.fromkeys(scores, 1.0)
    current = best = sum(weight[qid] for qid in scores if not has_answer[qid])
    best_thresh = 0.0
    for qid in sorted(na_probs, key=na_probs.__getitem__):
        if qid not in scores:
            continue
        if has_answer[qid]:
            current += weight[qid] * scores[qid]
        elif predictions[qid]:
            current -= weight[qid]
        if current > best:
            best, best_thresh = current, na_probs[qid]
    return 100.0 * best / sum(weight[qid] for qid in scores), best_thresh


def squad_v2_scores(
    gold: dict[str, list[str]],
    predictions: dict[str, str],
    na_probs: dict[str, float] | None = None,
    na_prob_thresh: float = 1.0,
) -> dict:
    """The official metrics dict for ``gold`` ({qid: answer texts, [] if unanswerable}).

    ``predictions`` maps every qid to its answer text ("" to abstain). With
    ``na_probs`` the best-threshold keys are added, as with the official
    ``--na-prob-file``. Missing predictions are an error here rather than the
    official script's crash further down.
    """
    if not gold:
        raise QAError("no questions to score")
    missing = [qid for qid in gold if qid not in predictions]
    if missing:
        raise QAError(f"{len(missing)} questions have no prediction, e.g. {missing[:3]}")
    has_answer = {qid: bool(answers) for qid, answers in gold.items()}
    raw = {qid: score_prediction(answers, predictions[qid]) for qid, answers in gold.items()}
    exact_raw = {qid: float(exact) for qid, (exact, _) in raw.items()}
    f1_raw = {qid: f1 for qid, (_, f1) in raw.items()}
    probs = na_probs if na_probs is not None else dict.fromkeys(gold, 0.0)
    exact = apply_no_ans_threshold(exact_raw, probs, has_answer, na_prob_thresh)
    f1 = apply_no_ans_threshold(f1_raw, probs, has_answer, na_prob_thresh)

    result = _totals(exact, f1, list(gold))
    for prefix, wanted in (("HasAns", True), ("NoAns", False)):
        qids = [qid for qid in gold if has_answer[qid] == wanted]
        if qids:
            result.update({f"{prefix}_{key}": value for key, value in _totals(exact, f1, qids).items()})
    if na_probs is not None:
        for name, raw_scores in (("exact", exact_raw), ("f1", f1_raw)):
            best, thresh = find_best_thresh(predictions, raw_scores, na_probs, has_answer)
            result[f"best_{name}"], result[f"best_{name}_thresh"] = best, thresh
    return result


def _totals(exact: dict[str, float], f1: dict[str, float], qids: list[str]) -> dict:
    total = len(qids)
    return {
        "exact": 100.0 * sum(exact[q] for q in qids) / total,
        "f1": 100.0 * sum(f1[q] for q in qids) / total,
        "total": total,
    }
