"""Smoothed int8 quantisation: the smoothing is exact in fp32, ranges are per-channel input maxima,
and smoothing brings int8 closer to fp32."""

import copy

import torch

from index.int8 import (
    DEFAULT_ALPHA,
    ChannelRanges,
    SmoothedLinear,
    activation_ranges,
    load_ranges,
    quantize_int8,
    save_ranges,
)


class TwoLayers(torch.nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.first = torch.nn.Linear(8, 6)
        self.second = torch.nn.Linear(6, 3)

    def forward(self, x):
        return self.second(torch.nn.functional.gelu(self.first(x)))


def _inputs(seed: int = 0) -> torch.Tensor:
    x = torch.randn(20, 8, generator=torch.Generator().manual_seed(seed))
    x[:, 2] *= 30  # one outlier channel, as after GELU in the real reader
    return x


def test_smoothing_leaves_the_fp32_product_unchanged():
    linear = torch.nn.Linear(8, 4)
    x = _inputs()
    expected = linear(x)
    smoothed = SmoothedLinear(linear, x.abs().amax(0))
    assert torch.allclose(smoothed(x), expected, atol=1e-4)
    assert smoothed.inverse_scale[2] < smoothed.inverse_scale[0]  # the outlier channel is divided most


def test_activation_ranges_are_per_channel_input_maxima_over_all_batches():
    model = TwoLayers()
    a, b = _inputs(1), _inputs(2)
    ranges = activation_ranges(model, [{"x": a}, {"x": b}])
    both = torch.cat([a, b])
    assert torch.equal(ranges["first"], both.abs().amax(0))
    with torch.no_grad():
        hidden = torch.nn.functional.gelu(model.first(both))
    assert torch.allclose(ranges["second"], hidden.abs().amax(0))


def test_quantize_int8_smooths_the_layers_it_has_ranges_for():
    ranges = activation_ranges(TwoLayers(), [{"x": _inputs()}])
    quantized = quantize_int8(TwoLayers(), ChannelRanges({"second": ranges["second"]}))
    assert isinstance(quantized.first, torch.ao.nn.quantized.dynamic.Linear)
    assert isinstance(quantized.second, SmoothedLinear)
    assert isinstance(quantized.second.linear, torch.ao.nn.quantized.dynamic.Linear)


def test_smoothed_int8_is_closer_to_fp32_than_plain_int8():
    x = _inputs()
    with torch.no_grad():
        expected = TwoLayers()(x)
        ranges = activation_ranges(TwoLayers(), [{"x": x}])
        plain = (quantize_int8(TwoLayers(), None)(x) - expected).abs().max()
        smoothed = (quantize_int8(TwoLayers(), ChannelRanges(ranges))(x) - expected).abs().max()
    assert smoothed < 0.75 * plain


def test_a_model_without_ranges_has_none(tmp_path):
    assert load_ranges(tmp_path / "int8_ranges.safetensors") is None


def test_the_smoothing_strength_travels_with_the_ranges_and_is_the_one_used(tmp_path):
    x = _inputs()
    layers = activation_ranges(TwoLayers(), [{"x": x}])
    path = save_ranges(ChannelRanges(layers, alpha=0.9), tmp_path / "r.safetensors", questions="q")
    stored = load_ranges(path)
    assert stored.alpha == 0.9 and torch.equal(stored.layers["first"], layers["first"])
    quantized = quantize_int8(TwoLayers(), stored)
    assert torch.allclose(
        quantized.first.inverse_scale, SmoothedLinear(TwoLayers().first, layers["first"], 0.9).inverse_scale
    )
    assert not torch.allclose(
        quantized.first.inverse_scale, SmoothedLinear(TwoLayers().first, layers["first"]).inverse_scale
    )


def test_ranges_stored_without_a_strength_were_measured_for_the_default(tmp_path):
    from safetensors.torch import save_file

    save_file({"first": torch.ones(8)}, str(tmp_path / "old.safetensors"), metadata={"count": "3"})
    assert load_ranges(tmp_path / "old.safetensors").alpha == DEFAULT_ALPHA


def test_quantizing_a_copy_that_shares_the_parameters_leaves_the_original_intact():
    model, x = TwoLayers(), _inputs()
    with torch.no_grad():
        expected = model(x)
        ranges = activation_ranges(model, [{"x": x}])
        shallow = copy.deepcopy(model, memo={id(p): p for p in model.parameters()})
        quantize_int8(shallow, ChannelRanges(ranges))
        assert torch.equal(model(x), expected)
    assert type(model.first) is torch.nn.Linear and type(model.second) is torch.nn.Linear
    assert isinstance(shallow.first, SmoothedLinear)
