"""``python -m eval.tools.quantize``: a range per linear layer, and the shipped ranges fit the shipped models."""

import pytest
import torch

from eval.tools.quantize import main
from index.embedder import QUERY_RANGES, Embedder
from index.errors import QAError
from index.int8 import DEFAULT_ALPHA, ChannelRanges, load_ranges
from qa.corpus import BUNDLED_QUESTIONS
from qa.modeling import SHIPPED_READER, load_reader_model
from qa.reader import RANGES_FILE


def _assert_covers(ranges: ChannelRanges, model: torch.nn.Module) -> None:
    linears = {n: m for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)}
    assert set(ranges.layers) == set(linears)
    for name, linear in linears.items():
        assert ranges.layers[name].shape == (linear.in_features,)
        assert bool((ranges.layers[name] > 0).all())


@pytest.mark.parametrize("path", [SHIPPED_READER / RANGES_FILE, QUERY_RANGES], ids=["reader", "embedder"])
def test_shipped_ranges_state_the_smoothing_strength_they_were_chosen_with(path):
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as stored:
        assert 0 < float(stored.metadata()["alpha"]) <= 1


@pytest.mark.models
def test_shipped_reader_ranges_cover_every_linear_layer():
    _assert_covers(load_ranges(SHIPPED_READER / RANGES_FILE), load_reader_model(SHIPPED_READER))


@pytest.mark.models
def test_shipped_query_ranges_cover_every_linear_layer_of_the_embedder():
    _assert_covers(load_ranges(QUERY_RANGES), Embedder(precision="fp32").model[0].auto_model)


def test_measuring_the_reader_writes_a_range_per_linear_layer(tiny_reader_dir, tmp_path, capsys):
    out = tmp_path / RANGES_FILE
    main(["reader", str(BUNDLED_QUESTIONS), "--limit", "3", "--reader", str(tiny_reader_dir), "--out", str(out)])
    assert f"wrote {out} (13 layers, 3 questions, alpha {DEFAULT_ALPHA})" in capsys.readouterr().out
    ranges = load_ranges(out)
    assert ranges.layers["qa_outputs"].shape == (32,)  # the tiny model's hidden size
    _assert_covers(ranges, load_reader_model(tiny_reader_dir))  # six layers in each of two blocks, plus the head


def test_measuring_again_keeps_the_stored_strength_unless_told_another(tiny_reader_dir, tmp_path, capsys):
    out, common = tmp_path / RANGES_FILE, ["--limit", "2", "--reader", str(tiny_reader_dir)]
    main(["reader", str(BUNDLED_QUESTIONS), *common, "--out", str(out), "--alpha", "0.9"])
    main(["reader", str(BUNDLED_QUESTIONS), *common, "--out", str(out)])
    assert load_ranges(out).alpha == 0.9
    main(["reader", str(BUNDLED_QUESTIONS), *common, "--out", str(out), "--alpha", "0.5"])
    assert load_ranges(out).alpha == 0.5
    assert capsys.readouterr().out.count("alpha 0.9") == 2


def test_a_strength_outside_zero_to_one_is_a_users_error(tiny_reader_dir, tmp_path):
    with pytest.raises(QAError, match="between 0 and 1"):
        main(["reader", str(BUNDLED_QUESTIONS), "--limit", "1", "--reader", str(tiny_reader_dir), "--alpha", "2"])


@pytest.mark.models
def test_measuring_the_embedder_writes_a_range_per_linear_layer(tmp_path, capsys):
    out = tmp_path / "query.safetensors"
    main(["embedder", str(BUNDLED_QUESTIONS), "--limit", "5", "--out", str(out)])
    assert f"wrote {out} (37 layers, 5 questions, alpha {DEFAULT_ALPHA})" in capsys.readouterr().out
    _assert_covers(load_ranges(out), Embedder(precision="fp32").model[0].auto_model)
