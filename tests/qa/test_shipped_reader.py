"""The committed reader weights: small, loadable offline, and actually able to read."""

import json

import pytest

from index.records import Chunk, Passage
from qa.modeling import SHIPPED_READER
from qa.reader import ExtractiveReader

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
