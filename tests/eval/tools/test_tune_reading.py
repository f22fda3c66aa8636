import json
import random

import pytest

from eval.squad_metrics import find_best_thresh
from eval.tools.tune_reading import (
    Setting,
    best_threshold,
    evaluate_rules,
    fit_calibration,
    main,
    merged_readings,
    refeature,
    refusal_floor,
)
from index.errors import QAError
from index.records import Chunk, Passage
from qa.answer import Answer
from qa.verifier import DEFAULT_UNANSWERABLE_SHARE, FEATURES, VERIFIER_FILE, Verifier, features


def test_best_threshold_trades_wrong_answers_for_abstentions():
    decisions = [(0.9, 1.0, True), (0.8, 0.0, False), (0.3, 1.0, True), (0.2, 0.0, False)]
    threshold, f1 = best_threshold(decisions)
    assert threshold == 0.9 and f1 == 75.0  # answer the first only: right, abstain, miss, abstain
    assert best_threshold([(0.5, 0.0, False)])[1] == 100.0  # abstaining on everything wins


def test_setting_parses_and_prints():
    assert Setting.parse("384:separate") == Setting(384, False)
    assert str(Setting.parse("0:joined")) == "0:joined"


@pytest.mark.parametrize("text", ["384", "384:together", "wide:joined", ":joined"])
def test_a_setting_in_another_shape_is_a_users_error(text):
    with pytest.raises(QAError, match="TOKENS:joined or TOKENS:separate"):
        Setting.parse(text)


def _reading(text, margin, f1, seconds=0.1):
    features = [margin, 1.0, 0.0, 0.0, 0.0, 0.7, 1.0 if f1 else 0.2, 0.0, 0.5]
    assert len(features) == len(FEATURES)
    return {"seconds": seconds, "candidates": [{"text": text, "margin": margin, "features": features, "f1": f1}]}


def _records(n=60):
    """Half answerable and answered right; the passage-overlap feature tells them from the rest."""
    return [
        {"id": str(i), "title": f"t{i % 6}", "gold": ["x"] if i % 2 else [],
         "first": _reading("x", 5.0 + i % 3, float(i % 2)), "all": _reading("x", 5.0 + i % 3, float(i % 2), 0.3)}
        for i in range(n)
    ]  # fmt: skip


def test_rules_are_scored_from_recorded_readings():
    records = _records()
    rules = {rule["rule"]: rule for rule in evaluate_rules(records)}
    assert rules["verifier"]["f1"] == 100.0  # the passage-overlap feature tells right from wrong
    assert rules["verifier"]["f1"] > rules["reader"]["f1"]
    assert rules["verifier"]["read_mean_ms"] == pytest.approx(300.0)  # every question read joined
    # the right half is accepted from the first context alone (100 ms); the rest read both (100 + 300 ms)
    assert rules["verifier+first@0.5"]["read_mean_ms"] == pytest.approx(250.0)


def test_the_margin_calibration_rises_with_the_margin_and_abstains_between_wrong_and_right():
    # wrong answers have margins 1-3, right ones 2.5-4.5: the fit must rank them so, and abstain between the two
    records = [
        {"id": str(i), "title": f"t{i % 6}", "gold": ["x"] if i % 2 else [],
         "first": _reading("x", (2.5 if i % 2 else 1.0) + i % 3, float(i % 2)),
         "all": _reading("x", (2.5 if i % 2 else 1.0) + i % 3, float(i % 2))}
        for i in range(60)
    ]  # fmt: skip
    calibration = fit_calibration(records)
    assert calibration.scale > 0
    assert calibration.confidence(1.0) < calibration.threshold < calibration.confidence(4.5)


def test_refusal_floor_keeps_mostly_unanswerable_questions_below_it():
    decisions = [(0.05, 0.0, False)] * 9 + [(0.06, 0.0, True)] + [(0.2, 0.0, True)] * 5 + [(0.9, 1.0, True)]
    floor = refusal_floor(decisions, threshold=0.5)
    assert 0.06 < floor < 0.2  # below: 9 of 10 unanswerable
    assert refusal_floor([(0.1, 0.0, True)] * 3, threshold=0.5) == 0.0
    assert refusal_floor(decisions, threshold=0.055) <= 0.055


def test_saved_readings_of_two_halves_are_scored_and_fitted_together(tmp_path):
    records = _records()
    halves = [tmp_path / "a.json", tmp_path / "b.json"]
    halves[0].write_text(json.dumps({"0:joined": [r for r in records if r["title"] < "t3"]}))
    halves[1].write_text(json.dumps({"0:joined": [r for r in records if r["title"] >= "t3"]}))
    merged = merged_readings(halves)
    assert sorted(r["id"] for r in merged["0:joined"]) == sorted(r["id"] for r in records)
    reader = tmp_path / "reader"
    reader.mkdir()
    main(["q.jsonl", "--from-readings", *map(str, halves), "--reader", str(reader), "--write-verifier", "0:joined"])
    verifier = Verifier.load(reader / VERIFIER_FILE)
    shares = [p.unanswerable_share for p in verifier.operating_points]
    assert DEFAULT_UNANSWERABLE_SHARE in shares and 0.5 in shares  # the default, and SQuAD 2.0's benchmark mix
    assert verifier.unanswerable_share == 0.5  # every other question of the records
    assert "60 questions" in verifier.fitted_on and "a.json" in verifier.fitted_on and "b.json" in verifier.fitted_on
    with pytest.raises(QAError, match="more than one of the readings files"):
        merged_readings([halves[0], halves[0]])
    with pytest.raises(QAError, match="--write-verifier 384:separate: that setting was not read .read: 0:joined."):
        main(
            ["q.jsonl", "--from-readings", str(halves[0]), "--reader", str(reader), "--write-verifier", "384:separate"]
        )


def test_recorded_candidates_get_this_codes_features_from_the_passages_they_were_read_in():
    passages = ["Fumio Kishida met Joe Biden in Tokyo. It rained.", "Shinzo Abe resigned in 2020."]
    record = {
        "id": "q", "title": "t", "gold": ["2020"], "question": "When did Shinzo Abe resign?", "passages": passages,
        "similarities": [0.25, 0.75],
        "first": {"seconds": 0.1, "candidates": [{"text": "Tokyo", "margin": 1.0, "passage": 0, "context_start": 31,
                                                  "features": [0.0], "f1": 0.0}]},
        "all": {"seconds": 0.2, "candidates": [{"text": "2020", "margin": 4.0, "passage": 1, "context_start": 23,
                                                "features": [0.0], "f1": 1.0},
                                               {"text": "Tokyo", "margin": 1.0, "passage": 0, "context_start": 31,
                                                "features": [0.0], "f1": 0.0}]},
    }  # fmt: skip
    again = refeature(record)
    contexts = [Passage(Chunk(i, "", text, 0, len(text)), 0.0, i, (0.25, 0.75)[i]) for i, text in enumerate(passages)]
    found = [Answer("2020", 0.0, 23, 27, "", passages[1], 23, margin=4.0, passage=1),
             Answer("Tokyo", 0.0, 31, 36, "", passages[0], 31, margin=1.0, passage=0)]  # fmt: skip
    assert again["all"]["candidates"][0]["features"] == features(record["question"], found[0], found, contexts)
    row = dict(zip(FEATURES, again["all"]["candidates"][0]["features"]))
    assert row["passage_rank"] == 1.0 and row["names_missing"] == 0.0 and row["agreement"] == 0.0
    assert row["similarity"] == 0.75  # the second passage's, where the answer was read
    wrong = dict(zip(FEATURES, again["first"]["candidates"][0]["features"]))
    assert wrong["names_missing"] == 2.0 and wrong["question_in_context"] == 0.0  # read in the first passage alone
    assert again["all"]["candidates"][0]["f1"] == 1.0 and record["all"]["candidates"][0]["features"] == [0.0]
    for missing in ("passages", "similarities"):
        old = {k: v for k, v in record.items() if k != missing}
        with pytest.raises(QAError, match="record it again"):
            refeature(old)


def test_the_sweep_is_the_official_one_and_reweights_to_a_share_of_unanswerable_questions():
    rng = random.Random(3)
    decisions = [(rng.random(), rng.choice([0.0, 0.5, 1.0]), rng.random() < 0.5) for _ in range(300)]
    # an unanswerable question scores 0 when answered, or 1 when it had nothing to answer with
    decisions = [(c, f1 if answerable else float(f1 == 1.0), answerable) for c, f1, answerable in decisions]
    ids = [str(i) for i in range(len(decisions))]
    f1, na_threshold = find_best_thresh(
        {i: "" if not a and f else "x" for i, (_, f, a) in zip(ids, decisions)},
        {i: f for i, (_, f, _) in zip(ids, decisions)},
        {i: 1.0 - c for i, (c, _, _) in zip(ids, decisions)},
        {i: a for i, (_, _, a) in zip(ids, decisions)},
    )
    threshold, ours = best_threshold(decisions)
    assert ours == pytest.approx(f1) and threshold == pytest.approx(1.0 - na_threshold)

    def mean_f1(threshold: float, share: float) -> float:  # answering at or above the threshold, by brute force
        def score(c, f, a):
            return (f if c >= threshold else 0.0) if a else float(c < threshold or f == 1.0)

        have = sum(not a for _, _, a in decisions) / len(decisions)
        weights = [(1 - share) / (1 - have) if a else share / have for _, _, a in decisions]
        return 100 * sum(w * score(*d) for w, d in zip(weights, decisions)) / sum(weights)

    for share in (0.2, 0.5):
        threshold, ours = best_threshold(decisions, share)
        assert ours == pytest.approx(mean_f1(threshold, share))
        assert ours == pytest.approx(max(mean_f1(c, share) for c, _, _ in decisions + [(1.1, 0, True)]))
    # fewer unanswerable questions: answering pays more often, so the threshold is lower
    assert best_threshold(decisions, 0.1)[0] < best_threshold(decisions, 0.9)[0]


@pytest.mark.models
def test_readings_keep_each_passages_similarity_as_the_verifier_weighs_it():
    from eval.tools.tune_reading import record_readings
    from qa.corpus import BUNDLED_QUESTIONS
    from qa.reader import ExtractiveReader

    records = record_readings(str(BUNDLED_QUESTIONS), None, 3, [Setting(0, True)], 3, ExtractiveReader())["0:joined"]
    assert records
    for record in records:
        assert len(record["similarities"]) == len(record["passages"]) == 3
        assert all(0 < s < 1 for s in record["similarities"])  # one article: the dense search reaches every chunk
        for reading in ("first", "all"):
            for candidate in record[reading]["candidates"]:
                weighed = candidate["features"][FEATURES.index("similarity")]
                assert weighed == record["similarities"][candidate["passage"]]
        assert refeature(record)["all"]["candidates"] == record["all"]["candidates"]  # computed again the same
