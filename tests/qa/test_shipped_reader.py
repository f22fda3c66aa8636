"""The committed reader weights: small, loadable offline, and actually able to read."""

import json

import pytest

from index.records import Chunk, Passage
from qa.modeling import SHIPPED_READER
from qa.reader import ExtractiveReader
from qa.verifier import DEFAULT_UNANSWERABLE_SHARE, VERIFIER_FILE, Verifier

PARAGRAPH = (
    "The Rhine bridge at Kehl was opened to traffic in 1861. It was designed by the engineer Heinrich Fuchs, "
    "who later built several railway bridges in Baden. The bridge was destroyed in 1870 during the "
    "Franco-Prussian War and rebuilt two years later."
)


def _read(question):
    passage = Passage(Chunk(0, "bridge.txt", PARAGRAPH, 0, len(PARAGRAPH)), 1.0, 0)
    return ExtractiveReader().run(question, [passage])


def test_weights_are_fp16_safetensors_under_50_mb():
    weights = SHIPPED_READER / "model.safetensors"
    assert weights.stat().st_size < 50 * 1024 * 1024
    header_size = int.from_bytes(weights.read_bytes()[:8], "little")
    header = json.loads(weights.read_bytes()[8 : 8 + header_size])
    assert {v["dtype"] for k, v in header.items() if k != "__metadata__"} == {"F16"}
    assert (SHIPPED_READER / "tokenizer.json").is_file()
    assert 0.0 < json.loads((SHIPPED_READER / "calibration.json").read_text())["threshold"] < 1.0


@pytest.mark.models
def test_reads_a_squad_style_paragraph():
    assert _read("Who designed the Rhine bridge at Kehl?")[0].text == "Heinrich Fuchs"
    assert _read("When was the bridge opened to traffic?")[0].text == "1861"
    assert "Franco-Prussian" in _read("During which war was the bridge destroyed?")[0].text


def test_the_shipped_verifier_has_an_operating_point_for_each_share_it_offers():
    verifier = Verifier.load(SHIPPED_READER / VERIFIER_FILE)
    points = sorted(verifier.operating_points, key=lambda p: p.unanswerable_share)
    assert [p.unanswerable_share for p in points] == [0.1, 0.2, 0.3, 0.5]
    assert DEFAULT_UNANSWERABLE_SHARE in [p.unanswerable_share for p in points]
    typical = verifier.mean  # the average tuning candidate's features
    moved = [verifier.for_share(p.unanswerable_share) for p in points]
    for point, at_share in zip(points, moved):
        assert (at_share.unanswerable_share, at_share.threshold) == (point.unanswerable_share, point.threshold)
        assert 0.0 < at_share.refuse_below < at_share.threshold < 1.0
    # the more unanswerable questions are asked, the less sure the same answer is and the higher the bar
    assert [m.probability(typical) for m in moved] == sorted((m.probability(typical) for m in moved), reverse=True)
    assert [m.threshold for m in moved] == sorted(m.threshold for m in moved)
