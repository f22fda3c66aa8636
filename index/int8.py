"""int8 linear layers at fp32 accuracy: move activation outliers into the weights, then quantise.

Dynamic int8 quantisation gives each activation matrix one scale, set by its
largest value. A few channels (after GELU above all) run far above the rest,
so the others get a handful of levels and the reader quantised that way loses
several F1 points on SQuAD. SmoothQuant (Xiao et al. 2023) divides each input
channel of a linear layer by
``s = max|x|^alpha / max|W|^(1 - alpha)`` and multiplies the weight's column by
``s``: the fp32 product is unchanged, the activations become even, and the
weights, quantised per output channel, absorb the range. Both the embedder and
the reader use it; the channel ranges are measured once (``python -m
eval.tools.quantize``) and stored beside each model, as a calibration is, with
the alpha chosen for that model: the best strength differs between models and
moves as a model is trained further, and a verifier fitted on one strength's
readings belongs with it. The figures behind these choices are in the model
card, ``qa/models/reader/README.md``.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import torch

# The strength a ranges file without one was measured for (every file written before the alpha was stored).
DEFAULT_ALPHA = 0.8


@dataclass(frozen=True)
class ChannelRanges:
    """Per-layer input channel maxima of one model, and the smoothing strength chosen for it."""

    layers: dict[str, torch.Tensor]
    alpha: float = DEFAULT_ALPHA


class SmoothedLinear(torch.nn.Module):
    """``linear(x)`` computed as ``(x / s) @ (W * s)^T + b``: equal in fp32, even activations for int8.

    The scaled weights are a new layer: ``linear`` itself is only read, so a model sharing it is not changed.
    """

    def __init__(self, linear: torch.nn.Linear, input_range: torch.Tensor, alpha: float = DEFAULT_ALPHA):
        super().__init__()
        weight_range = linear.weight.detach().abs().amax(0).clamp(min=1e-5)
        scale = (input_range.clamp(min=1e-5) ** alpha / weight_range ** (1 - alpha)).clamp(min=1e-5)
        self.register_buffer("inverse_scale", (1.0 / scale).contiguous())
        self.linear = torch.nn.utils.skip_init(  # no random initialisation: the weights are set just below
            torch.nn.Linear, linear.in_features, linear.out_features, bias=linear.bias is not None
        )
        with torch.no_grad():
            self.linear.weight.copy_(linear.weight * scale)
            if linear.bias is not None:
                self.linear.bias.copy_(linear.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x * self.inverse_scale)


def activation_ranges(model: torch.nn.Module, batches: Iterable[dict]) -> dict[str, torch.Tensor]:
    """Largest absolute input, per channel, of every linear layer over ``batches`` (model keyword inputs)."""
    ranges: dict[str, torch.Tensor] = {}

    def record(name: str):
        def hook(module, inputs, output):
            seen = inputs[0].detach().abs().reshape(-1, inputs[0].shape[-1]).amax(0)
            ranges[name] = torch.maximum(ranges[name], seen) if name in ranges else seen

        return hook

    hooks = [m.register_forward_hook(record(n)) for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)]
    try:
        with torch.inference_mode():
            for batch in batches:
                model(**batch)
    finally:
        for hook in hooks:
            hook.remove()
    return ranges


def quantize_int8(model: torch.nn.Module, ranges: ChannelRanges | None) -> torch.nn.Module:
    """Replace ``model``'s linear layers by int8 ones (weights per output channel), smoothed where ``ranges`` has one.

    One layer at a time, so at most one layer's fp32 copy exists at once; the old layers' weights are only read,
    so a copy of a model that shares its parameters with the original leaves the original as it was.
    """
    linears = [(n, m) for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)]
    for name, linear in linears:
        parent, _, attribute = name.rpartition(".")
        if ranges and name in ranges.layers:
            layer = SmoothedLinear(linear, ranges.layers[name], ranges.alpha)
            layer.linear = _int8_linear(layer.linear)
        else:
            layer = _int8_linear(linear)
        setattr(model.get_submodule(parent), attribute, layer)
    return model


def _int8_linear(linear: torch.nn.Linear) -> torch.nn.Module:
    from torch.ao.nn.quantized.dynamic import Linear

    with warnings.catch_warnings():  # torch 2.13 says this API moves to torchao; it works as pinned
        warnings.simplefilter("ignore")
        float_linear = copy.copy(linear)  # the qconfig goes on a shallow copy, never on a shared layer
        float_linear.qconfig = torch.ao.quantization.per_channel_dynamic_qconfig
        return Linear.from_float(float_linear)


def load_ranges(path: str | Path) -> ChannelRanges | None:
    """Stored channel ranges, or None where a model has none (it is then quantised unsmoothed)."""
    from safetensors import safe_open

    if not Path(path).is_file():
        return None
    with safe_open(str(path), framework="pt") as stored:
        names = stored.keys()  # a safe_open is not iterable itself
        layers = {name: stored.get_tensor(name) for name in names}
        alpha = (stored.metadata() or {}).get("alpha")
    return ChannelRanges(layers, float(alpha) if alpha is not None else DEFAULT_ALPHA)


def save_ranges(ranges: ChannelRanges, path: str | Path, **metadata: str) -> Path:
    """Write ``ranges`` as safetensors, the alpha and ``metadata`` (where the ranges came from) in its header."""
    from safetensors.torch import save_file

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {name: r.contiguous() for name, r in ranges.layers.items()}
    save_file(tensors, str(path), metadata={**metadata, "alpha": repr(ranges.alpha)})
    return path
