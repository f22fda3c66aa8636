"""BERT inference in plain torch, loading the weights transformers writes, for the embedder and the reader.

Answering needs only a BERT forward pass, and importing ``transformers`` 5 to get one (it pulls in
``torch.distributed`` and ``torch._dynamo``) was half of a cold ``qa ask``. These modules carry the
parameter names of transformers' ``BertModel`` and ``BertForQuestionAnswering``, so the same
``model.safetensors`` loads strictly into either, and int8 channel ranges measured on one apply to the
other; ``tests/index/test_bert.py`` checks that their outputs are transformers' own. Training keeps
transformers' models (``qa.modeling``): only inference is here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional

from index.errors import QAError

_UNUSED = ("embeddings.position_ids", "pooler.")  # a stored position range, the sentence pooler: not used here


class ModelError(QAError):
    """A model directory this code cannot load."""


@dataclass(frozen=True)
class BertConfig:
    """The fields of a transformers ``config.json`` that shape a BERT."""

    vocab_size: int
    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    max_position_embeddings: int
    type_vocab_size: int
    layer_norm_eps: float

    @classmethod
    def read(cls, directory: Path) -> BertConfig:
        try:
            record = json.loads((directory / "config.json").read_text(encoding="utf-8"))
            config = cls(**{f.name: record[f.name] for f in fields(cls)})
        except (OSError, ValueError, KeyError) as err:
            raise ModelError(f"{directory}: no usable BERT config.json: {err}") from err
        kind = (record.get("model_type"), record.get("hidden_act"), record.get("position_embedding_type", "absolute"))
        if kind != ("bert", "gelu", "absolute"):
            raise ModelError(f"{directory}: a {kind} model; this code runs BERT with gelu and absolute positions")
        return config


class _Embeddings(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        total = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        return self.LayerNorm(total + self.position_embeddings(positions))


class _Projection(nn.Module):
    """A dense layer whose output is added to the layer's input and normalised."""

    def __init__(self, config: BertConfig, inputs: int):
        super().__init__()
        self.dense = nn.Linear(inputs, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dense(x) + residual)


class _SelfAttention(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.heads = config.num_attention_heads
        self.query = nn.Linear(config.hidden_size, config.hidden_size)
        self.key = nn.Linear(config.hidden_size, config.hidden_size)
        self.value = nn.Linear(config.hidden_size, config.hidden_size)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, length, width = x.shape

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, length, self.heads, width // self.heads).transpose(1, 2)

        mixed = functional.scaled_dot_product_attention(
            split(self.query(x)), split(self.key(x)), split(self.value(x)), attn_mask=mask
        )
        return mixed.transpose(1, 2).reshape(batch, length, width)


class _Attention(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.self = _SelfAttention(config)
        self.output = _Projection(config, config.hidden_size)


class _Intermediate(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)


class _Layer(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.attention = _Attention(config)
        self.intermediate = _Intermediate(config)
        self.output = _Projection(config, config.intermediate_size)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = self.attention.output(self.attention.self(x, mask), x)
        return self.output(functional.gelu(self.intermediate.dense(x)), x)


class _Encoder(nn.Module):
    def __init__(self, config: BertConfig):
        super().__init__()
        self.layer = nn.ModuleList(_Layer(config) for _ in range(config.num_hidden_layers))


class Bert(nn.Module):
    """Token vectors (batch, tokens, hidden) of a BERT encoder, as transformers' ``BertModel`` gives them."""

    def __init__(self, config: BertConfig):
        super().__init__()
        self.embeddings = _Embeddings(config)
        self.encoder = _Encoder(config)

    def forward(
        self, input_ids: torch.Tensor, token_type_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> torch.Tensor:
        mask = attention_mask.bool()[:, None, None, :]  # every query token sees the row's real tokens
        x = self.embeddings(input_ids, token_type_ids)
        for layer in self.encoder.layer:
            x = layer(x, mask)
        return x


class BertSpans(nn.Module):
    """Start and end logits (batch, tokens) of an extractive reader, as ``BertForQuestionAnswering`` gives them."""

    def __init__(self, config: BertConfig):
        super().__init__()
        self.bert = Bert(config)
        self.qa_outputs = nn.Linear(config.hidden_size, 2)

    def forward(
        self, input_ids: torch.Tensor, token_type_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        logits = self.qa_outputs(self.bert(input_ids, token_type_ids, attention_mask))
        return logits[..., 0], logits[..., 1]


def load_bert(directory: str | Path, spans: bool = False) -> Bert | BertSpans:
    """The encoder (or, with ``spans``, the reader) in ``directory``, in fp32 and evaluation mode."""
    from safetensors.torch import load_file

    directory = Path(directory)
    config = BertConfig.read(directory)
    try:
        stored = load_file(str(directory / "model.safetensors"))
    except (OSError, ValueError) as err:
        raise ModelError(f"{directory}: unreadable model.safetensors: {err}") from err
    state = {name: t.float() for name, t in stored.items() if not name.removeprefix("bert.").startswith(_UNUSED)}
    with torch.device("meta"):  # no random initialisation of weights that are replaced at once
        model = BertSpans(config) if spans else Bert(config)
    try:
        model.load_state_dict(state, strict=True, assign=True)
    except RuntimeError as err:
        raise ModelError(f"{directory}: weights do not fit a {type(model).__name__}: {err}") from err
    return model.eval()


def share_parameters(model: nn.Module, source: nn.Module) -> None:
    """Point ``model``'s parameters at ``source``'s of the same name and shape, so memory holds one copy.

    Layers of ``model`` already replaced (int8 ones keep no float weights) have nothing to share.
    """
    theirs = dict(source.named_parameters())
    for name, parameter in list(model.named_parameters()):
        other = theirs.get(name)
        if other is not None and other.shape == parameter.shape:
            owner, _, attribute = name.rpartition(".")
            setattr(model.get_submodule(owner), attribute, other)
