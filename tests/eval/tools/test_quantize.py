"""``python -m eval.tools.quantize``: a range per linear layer, and the shipped ranges fit the shipped models."""

import pytest
import torch

from eval.tools.quantize import main
from index.embedder import QUERY_RANGES, Embedder
from index.int8 import load_ranges
from qa.corpus import BUNDLED_QUESTIONS
from qa.modeling import SHIPPED_READER, load_reader_model
from qa.reader import RANGES_FILE


def _assert_covers(ranges: dict, model: torch.nn.Module) -> None:
    linears = {n: m for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)}
    assert set(ranges) == set(linears)
    for name, linear in linears.items():
        assert ranges[name].shape == (linear.in_features,)
        assert bool((ranges[name] > 0).all())


@pytest.mark.models
def test_shipped_reader_ranges_cover_every_linear_layer():
    _assert_covers(load_ranges(SHIPPED_READER / RANGES_FILE), load_reader_model(SHIPPED_READER))


@pytest.mark.models
def test_shipped_query_ranges_cover_every_linear_layer_of_the_embedder():
    _assert_covers(load_ranges(QUERY_RANGES), Embedder(precision="fp32").model[0].auto_model)


def test_measuring_the_reader_writes_a_range_per_linear_layer(tiny_reader_dir, tmp_path, capsys):
    out = tmp_path / RANGES_FILE
    main(["reader", str(BUNDLED_QUESTIONS), "--limit", "3", "--reader", str(tiny_reader_dir), "--out", str(out)])
    assert f"wrote {out} (13 layers, 3 questions)" in capsys.readouterr().out
    ranges = load_ranges(out)
    assert ranges["qa_outputs"].shape == (32,)  # the tiny model's hidden size
    _assert_covers(ranges, load_reader_model(tiny_reader_dir))  # six layers in each of two blocks, plus the head


@pytest.mark.models
def test_measuring_the_embedder_writes_a_range_per_linear_layer(tmp_path, capsys):
    out = tmp_path / "query.safetensors"
    main(["embedder", str(BUNDLED_QUESTIONS), "--limit", "5", "--out", str(out)])
    assert f"wrote {out} (37 layers, 5 questions)" in capsys.readouterr().out
    _assert_covers(load_ranges(out), Embedder(precision="fp32").model[0].auto_model)
