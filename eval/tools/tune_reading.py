"""Choose how to read and when to abstain, on the tuning half, in the chat's own setting.

    python -m eval.tools.tune_reading QUESTIONS --titles TUNE_TITLES [--limit 900] \\
        [--settings 0:joined 384:separate 384:joined] [--write-verifier [SETTING]]

QUESTIONS is a SQuAD 2.0-style file and TUNE_TITLES the tuning half's list of
articles (the model card gives the command used for the shipped files).

Each article is indexed alone (as in ``qa eval --corpus title``). For every
reading setting (``TOKENS:joined|separate``: chunks widened to TOKENS word
pieces, 0 = as retrieved; contexts read as one or each on its own) every
question is read twice: the best context alone, and all ``--k`` contexts.
Every candidate is recorded with its verifier features, its F1 and where it
stands in the passages read (kept too, with each one's similarity to the
question from retrieval), so each decision rule is
then scored offline from the same readings, and ``--from-readings`` computes
the features again with the code that scores them:

- ``reader``: the reader's margin alone, at its best-F1 threshold;
- ``verifier``: the verifier, fitted in folds by article (each article scored
  by a fit that never saw it), at its best-F1 threshold;
- ``verifier+first@L``: the best context alone is taken when the verifier
  gives it at least L, else all contexts (faster; L chosen here too).

``--write-verifier [SETTING]`` fits the verifier on every recorded question of
the best setting (or the one named) and writes it, with its threshold, beside the reader
(``verifier.json``), with the threshold and refusal floor for each of ``--shares`` of unanswerable
questions (``qa.verifier.OperatingPoint``), and with it the margin-only fit the reader falls back on
without a verifier (``calibration.json``). Reading settings then go into
``qa.pipeline``'s defaults.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from eval.confidence_metrics import RIGHT_F1
from eval.runner import article_groups, select_titles
from eval.squad_metrics import find_best_thresh, score_prediction
from eval.tools import run_main
from index.embedder import Embedder
from index.errors import QAError
from index.records import Chunk, Passage
from index.retriever import DEFAULT_TOP_K, KEYWORD_WEIGHT, Retriever
from qa.answer import Answer
from qa.calibration import CALIBRATION_FILE, Calibration
from qa.cli import add_precision_option, add_reader_option
from qa.corpus import build_index
from qa.modeling import SHIPPED_READER
from qa.pipeline import QAPipeline
from qa.reader import ExtractiveReader
from qa.squad import load_examples
from qa.verifier import (
    DEFAULT_UNANSWERABLE_SHARE,
    FEATURES,
    VERIFIER_FILE,
    OperatingPoint,
    Verifier,
    features,
    fit_logistic,
)

FIRST_LEVELS = (0.5, 0.6, 0.7, 0.8, 0.9)


@dataclass(frozen=True)
class Setting:
    context_tokens: int
    joined: bool

    @classmethod
    def parse(cls, text: str) -> Setting:
        tokens, _, how = text.partition(":")
        if how not in ("joined", "separate") or not tokens.isdigit():
            raise QAError(
                f"a reading setting is TOKENS:joined or TOKENS:separate (0 tokens: as retrieved), not {text!r}"
            )
        return cls(int(tokens), how == "joined")

    def __str__(self) -> str:
        return f"{self.context_tokens}:{'joined' if self.joined else 'separate'}"


def _read(pipeline: QAPipeline, question: str, contexts, joined: bool, gold: list[str]) -> dict:
    """One reading's candidates, each with what ``refeature`` needs to compute the verifier's features again."""
    began = time.perf_counter()
    found = pipeline.reader.run(question, contexts, joined=joined)
    seconds = time.perf_counter() - began
    return {
        "seconds": seconds,
        "candidates": [
            {
                "text": c.text,
                "margin": c.margin,
                "passage": c.passage,
                "context_start": c.context_start,
                "features": features(question, c, found, contexts),
                "f1": score_prediction(gold, c.text)[1],
            }
            for c in found
        ],
    }


def record_readings(
    questions: str,
    titles: str | None,
    limit: int,
    settings: list[Setting],
    k: int,
    reader: ExtractiveReader,
    keyword_weight: float = KEYWORD_WEIGHT,
) -> dict[str, list[dict]]:
    """For each setting, one record per question: the two readings and their candidates (retrieved with
    BM25's share of the fusion ``keyword_weight``)."""
    groups, _ = article_groups(select_titles(load_examples(questions), titles), limit)  # the articles stay whole
    embedder = Embedder()
    records: dict[str, list[dict]] = defaultdict(list)
    for document, own in groups:
        retriever = Retriever(build_index([document], embedder), embedder, keyword_weight=keyword_weight)
        retriever.warm_up()
        for setting in settings:
            pipeline = QAPipeline(retriever, reader, context_tokens=setting.context_tokens, joined=setting.joined)
            for example in own:
                gold = [a.text for a in example.answers]
                contexts = pipeline.contexts(retriever.run(example.question, k))
                records[str(setting)].append(
                    {
                        "id": example.id,
                        "title": example.title,
                        "gold": gold,
                        "question": example.question,
                        "passages": [c.chunk.text for c in contexts],
                        "similarities": [c.similarity for c in contexts],
                        "first": _read(pipeline, example.question, contexts[:1], True, gold),
                        "all": _read(pipeline, example.question, contexts, setting.joined, gold),
                    }
                )
        print(f"  {document.name}: {len(own)} questions", flush=True)
    return records


def _design(records: list[dict], reading: str) -> tuple[np.ndarray, np.ndarray]:
    """Features and right/wrong of each reading's best candidate by margin: the one the verifier must judge."""
    rows = [max(r[reading]["candidates"], key=lambda c: c["margin"]) for r in records if r[reading]["candidates"]]
    x = np.array([c["features"] for c in rows], dtype=np.float64).reshape(len(rows), len(FEATURES))
    y = np.array([1.0 if c["f1"] >= RIGHT_F1 else 0.0 for c in rows])
    return x, y


def fit_verifier(records: list[dict]) -> Verifier:
    """A verifier fitted on the reader's best candidate of both readings of ``records``.

    (Fitting on every candidate, mostly low-ranked wrong ones, scored lower on the tuning half: the model card.)
    """
    xs, ys = zip(*(_design(records, reading) for reading in ("first", "all")))
    verifier = Verifier.fit(np.vstack(xs), np.concatenate(ys))
    judged = [not r["gold"] for reading in ("first", "all") for r in records if r[reading]["candidates"]]
    verifier.unanswerable_share = sum(judged) / len(judged)
    return verifier


def operating_point(verifier: Verifier, records: list[dict], share: float) -> OperatingPoint:
    """The threshold and refusal floor of ``verifier``'s confidence moved to ``share``, chosen on ``records``
    reweighted to that share."""
    moved = verifier.moved_to(share)
    decisions = [(*_best(r, "all", lambda c: moved.probability(c["features"])), bool(r["gold"])) for r in records]
    threshold = best_threshold(decisions, share)[0]
    return OperatingPoint(share, round(threshold, 5), round(refusal_floor(decisions, threshold, share=share), 5))


def fit_calibration(records: list[dict]) -> Calibration:
    """The reader's own margin-to-confidence fit (``calibration.json``) on the same candidates, and its threshold."""
    rows = [c for r in records for reading in ("first", "all") for c in r[reading]["candidates"]]
    margins = np.array([c["margin"] for c in rows])
    scale, bias = (
        float(w) for w in fit_logistic(margins, np.array([1.0 if c["f1"] >= RIGHT_F1 else 0.0 for c in rows]))
    )
    fitted = Calibration(scale, bias)
    decisions = [(*_best(r, "all", lambda c: fitted.confidence(c["margin"])), bool(r["gold"])) for r in records]
    return Calibration(round(scale, 5), round(bias, 5), round(best_threshold(decisions)[0], 5))


def _best(record: dict, reading: str, score) -> tuple[float, float]:
    """(confidence, F1) of the reading's best candidate under ``score``; (0, F1 of abstaining) without one."""
    candidates = record[reading]["candidates"]
    if not candidates:
        return 0.0, 0.0 if record["gold"] else 1.0
    best = max(candidates, key=score)
    return score(best), best["f1"]


def best_threshold(decisions: list[tuple[float, float, bool]], share: float | None = None) -> tuple[float, float]:
    """(threshold, F1 in percent) maximising mean F1, abstaining below the threshold.

    ``decisions``: (confidence, F1 if answered, answerable) per question; abstaining scores 1 on an
    unanswerable question and 0 on an answerable one. The sweep is the official one (``find_best_thresh``),
    with each question weighted so that unanswerable ones make up ``share`` of the whole (None: as they come);
    an unanswerable question with F1 1 had nothing to answer with.
    """
    ids = [str(i) for i in range(len(decisions))]
    has_answer = {i: answerable for i, (_, _, answerable) in zip(ids, decisions)}
    predictions = {i: "" if not answerable and f1 else "x" for i, (_, f1, answerable) in zip(ids, decisions)}
    f1, na_threshold = find_best_thresh(
        predictions,
        {i: f1 for i, (_, f1, _) in zip(ids, decisions)},
        {i: 1.0 - level for i, (level, _, _) in zip(ids, decisions)},
        has_answer,
        dict(zip(ids, _weights(decisions, share))),
    )
    return 1.0 - na_threshold, f1


def refusal_floor(
    decisions: list[tuple[float, float, bool]], threshold: float, purity: float = 0.9, share: float | None = None
) -> float:
    """The highest confidence below which at least ``purity`` of the questions are truly unanswerable (weighted
    as in ``best_threshold``).

    Below it the chat says the documents do not answer; between it and ``threshold`` only that no confident
    answer was found. 0 when even the least confident questions are not unanswerable often enough.
    """
    weight = _weights(decisions, share)
    floor, seen, unanswerable = 0.0, 0.0, 0.0
    for i in sorted(range(len(decisions)), key=lambda i: decisions[i][0]):
        level, _, answerable = decisions[i]
        if level >= threshold:
            break
        seen, unanswerable = seen + weight[i], unanswerable + weight[i] * (not answerable)
        if unanswerable >= purity * seen:
            floor = level + 1e-9
    return min(floor, threshold)


def _weights(decisions: list[tuple[float, float, bool]], share: float | None) -> list[float]:
    """Per question, the weight that makes unanswerable ones ``share`` of the whole (all 1 for None)."""
    if share is None:
        return [1.0] * len(decisions)
    have = sum(not answerable for _, _, answerable in decisions) / len(decisions)
    if not 0.0 < have < 1.0:
        raise QAError("reweighting needs both answerable and unanswerable questions")
    return [(1.0 - share) / (1.0 - have) if answerable else share / have for _, _, answerable in decisions]


def evaluate_rules(records: list[dict], folds: int = 5) -> list[dict]:
    """Each decision rule's best-threshold F1 and reading time over ``records``."""
    by_title: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        by_title[record["title"]].append(record)
    titles = sorted(by_title)
    fold_of = {title: i % folds for i, title in enumerate(titles)}
    verifiers = [fit_verifier([r for r in records if fold_of[r["title"]] != f]) for f in range(folds)]

    def verified(record: dict):
        verifier = verifiers[fold_of[record["title"]]]
        return lambda c: verifier.probability(c["features"])

    rules = []
    decisions = [(*_best(r, "all", lambda c: c["margin"]), bool(r["gold"])) for r in records]
    times = [r["all"]["seconds"] for r in records]
    rules.append(_rule("reader", decisions, times))
    decisions = [(*_best(r, "all", verified(r)), bool(r["gold"])) for r in records]
    rules.append(_rule("verifier", decisions, times))
    for level in FIRST_LEVELS:
        decisions, times = [], []
        for r in records:
            first = _best(r, "first", verified(r))
            if first[0] >= level:
                decisions.append((*first, bool(r["gold"])))
                times.append(r["first"]["seconds"])
            else:
                decisions.append((*_best(r, "all", verified(r)), bool(r["gold"])))
                times.append(r["first"]["seconds"] + r["all"]["seconds"])
        rules.append(_rule(f"verifier+first@{level:.1f}", decisions, times))
    return rules


def _rule(name: str, decisions: list[tuple[float, float, bool]], times: list[float]) -> dict:
    threshold, f1 = best_threshold(decisions)
    has = [f1_ if c >= threshold else 0.0 for c, f1_, answerable in decisions if answerable]
    no = [c < threshold for c, _, answerable in decisions if not answerable]
    return {
        "rule": name,
        "threshold": threshold,
        "f1": f1,
        "has_ans_f1": 100.0 * statistics.mean(has or [0.0]),
        "no_ans": 100.0 * statistics.mean(no or [0.0]),
        "read_p50_ms": 1000 * statistics.median(times),
        "read_mean_ms": 1000 * statistics.mean(times),
    }


def refeature(record: dict) -> dict:
    """The record with every candidate's verifier features computed again by this code, from the passages read.

    So readings recorded once serve every later set of ``FEATURES``. A record without its passages (recorded by
    older code) is kept as it is when its features are this code's, and refused otherwise; one with passages but
    without their similarities (recorded before the verifier weighed them) is refused.
    """
    if "passages" not in record:
        if any(len(c["features"]) != len(FEATURES) for r in ("first", "all") for c in record[r]["candidates"]):
            raise QAError(f"question {record['id']}: recorded with other verifier features; record it again")
        return record
    if "similarities" not in record:
        raise QAError(f"question {record['id']}: recorded before the passages' similarities were kept; record it again")
    passages = [
        Passage(Chunk(i, "", text, 0, len(text)), 0.0, i, similarity)
        for i, (text, similarity) in enumerate(zip(record["passages"], record["similarities"], strict=True))
    ]
    again = dict(record)
    for reading, contexts in (("first", passages[:1]), ("all", passages)):
        stored = record[reading]["candidates"]
        found = [
            Answer(
                c["text"],
                0.0,
                c["context_start"],
                c["context_start"] + len(c["text"]),
                "",
                contexts[c["passage"]].chunk.text,
                c["context_start"],
                margin=c["margin"],
                passage=c["passage"],
            )
            for c in stored
        ]
        candidates = [
            c | {"features": features(record["question"], answer, found, contexts)} for c, answer in zip(stored, found)
        ]
        again[reading] = record[reading] | {"candidates": candidates}
    return again


def merged_readings(paths: list[Path]) -> dict[str, list[dict]]:
    """The records of several saved readings, setting by setting, with this code's features (``refeature``).

    A question read twice is a user's error.
    """
    merged: dict[str, list[dict]] = defaultdict(list)
    for path in paths:
        for setting, rows in json.loads(path.read_text()).items():
            merged[setting].extend(refeature(row) for row in rows)
    for setting, rows in merged.items():
        if len({r["id"] for r in rows}) < len(rows):
            raise QAError(f"{setting}: the same question is in more than one of the readings files")
    return dict(merged)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions")
    parser.add_argument("--titles", default=None, help="the tuning half's titles file")
    parser.add_argument("--limit", type=int, default=0, help="N questions spread through the kept articles")
    parser.add_argument("--settings", nargs="+", default=["0:joined", "384:separate"])
    parser.add_argument("--k", type=int, default=DEFAULT_TOP_K)
    parser.add_argument("--keyword-weight", type=float, default=KEYWORD_WEIGHT, help="BM25's share of the fusion")
    add_precision_option(parser)
    add_reader_option(parser)
    parser.add_argument("--out", type=Path, default=Path("eval_out/tune_reading"))
    parser.add_argument(
        "--write-verifier",
        nargs="?",
        const="best",
        default=None,
        metavar="SETTING",
        help="fit the verifier on this setting's readings (default: the best by verifier F1) and save it",
    )
    parser.add_argument(
        "--shares",
        type=float,
        nargs="+",
        default=sorted({0.5, 0.3, DEFAULT_UNANSWERABLE_SHARE, 0.1}, reverse=True),
        help="with --write-verifier: the shares of unanswerable questions to choose a threshold for",
    )
    parser.add_argument(
        "--from-readings",
        type=Path,
        nargs="+",
        default=None,
        help="score saved readings.json files, read nothing (several: their questions together, e.g. each half of "
        "the tuning half read by a reader that never saw it)",
    )
    args = parser.parse_args(argv)
    args.reader = args.reader or SHIPPED_READER
    if args.from_readings:
        records = merged_readings(args.from_readings)
    else:
        settings = [Setting.parse(s) for s in args.settings]
        reader = ExtractiveReader(args.reader, precision=args.precision)
        records = record_readings(
            args.questions, args.titles, args.limit, settings, args.k, reader, args.keyword_weight
        )
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "readings.json").write_text(json.dumps(records))
    print(f"{'setting':<14} {'rule':<20} {'thresh':>6} {'F1':>6} {'HasAns':>6} {'NoAns':>6} {'p50 ms':>7} {'mean':>6}")
    best = (-1.0, "")
    for setting, rows in records.items():
        for rule in evaluate_rules(rows):
            print(
                f"{setting:<14} {rule['rule']:<20} {rule['threshold']:>6.3f} {rule['f1']:>6.2f} "
                f"{rule['has_ans_f1']:>6.2f} {rule['no_ans']:>6.2f} {rule['read_p50_ms']:>7.1f} "
                f"{rule['read_mean_ms']:>6.1f}"
            )
            if rule["rule"] == "verifier":
                best = max(best, (rule["f1"], setting))
    if args.write_verifier:
        chosen = best[1] if args.write_verifier == "best" else str(Setting.parse(args.write_verifier))
        best = (0.0, chosen)
        if not records.get(chosen):
            raise QAError(
                f"--write-verifier {chosen}: that setting was not read (read: {', '.join(records) or 'none'})"
            )
        rows = records[chosen]
        verifier = fit_verifier(rows)
        decisions = [(*_best(r, "all", lambda c: verifier.probability(c["features"])), bool(r["gold"])) for r in rows]
        verifier.threshold = round(best_threshold(decisions)[0], 5)
        verifier.refuse_below = round(refusal_floor(decisions, verifier.threshold), 5)
        verifier.operating_points = tuple(operating_point(verifier, rows, share) for share in args.shares)
        read = ", ".join(str(p) for p in args.from_readings) if args.from_readings else Path(args.questions).name
        verifier.fitted_on = f"{read} ({args.titles or 'all titles'}), {len(rows)} questions"
        verifier.fitted_on += f", setting {best[1]}, k {args.k}, {args.precision}"
        verifier.save(args.reader / VERIFIER_FILE)
        replace(fit_calibration(rows), fitted_on=verifier.fitted_on).save(args.reader / CALIBRATION_FILE)
        print(f"verifier for {best[1]} written to {args.reader / VERIFIER_FILE}, threshold {verifier.threshold}")
        for point in verifier.operating_points:
            share, threshold, floor = point.unanswerable_share, point.threshold, point.refuse_below
            print(f"  unanswerable share {share:g}: threshold {threshold}, floor {floor}")


if __name__ == "__main__":
    run_main(__file__, main)
