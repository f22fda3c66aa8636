"""BERT in plain torch: transformers' own outputs from the same files, and clear errors for other models."""

import json
import shutil

import pytest
import torch

from index.bert import Bert, BertSpans, load_bert, share_parameters
from index.encoder import encoder_dir
from index.errors import QAError
from index.wordpieces import WordPieces, pad_rows
from qa.modeling import SHIPPED_READER

TEXTS = ["When did the Soviet Union take the islands?", "How many troops?", "Kishida " * 200]


def _batch(directory):
    encodings = WordPieces(directory).encode(TEXTS, 256)
    ids, types, mask = pad_rows([e.ids for e in encodings], [e.type_ids for e in encodings])
    types[1, 3:] = 1  # a second segment, so token types matter
    return {"input_ids": ids, "token_type_ids": types, "attention_mask": mask}


@pytest.mark.models
def test_the_encoder_gives_transformers_token_vectors():
    from transformers import AutoModel

    batch = _batch(encoder_dir())
    ours = load_bert(encoder_dir())
    theirs = AutoModel.from_pretrained(str(encoder_dir()), local_files_only=True, add_pooling_layer=False).eval()
    with torch.inference_mode():
        expected = theirs(**batch).last_hidden_state
        got = ours(**batch)
    mask = batch["attention_mask"].bool()
    assert isinstance(ours, Bert) and not ours.training
    assert torch.allclose(got[mask], expected[mask], atol=1e-5)


@pytest.mark.models
@pytest.mark.parametrize("which", ["shipped", "tiny"])
def test_the_reader_gives_transformers_span_logits(which, tiny_reader_dir):
    from transformers import AutoModelForQuestionAnswering

    directory = SHIPPED_READER if which == "shipped" else tiny_reader_dir
    batch = _batch(directory)
    ours = load_bert(directory, spans=True)
    theirs = AutoModelForQuestionAnswering.from_pretrained(str(directory), dtype=torch.float32).eval()
    with torch.inference_mode():
        expected = theirs(**batch)
        starts, ends = ours(**batch)
    mask = batch["attention_mask"].bool()
    assert isinstance(ours, BertSpans)
    assert torch.allclose(starts[mask], expected.start_logits[mask], atol=1e-4)
    assert torch.allclose(ends[mask], expected.end_logits[mask], atol=1e-4)


def test_shared_parameters_are_the_source_tensors(tiny_reader_dir):
    reader, other = load_bert(tiny_reader_dir, spans=True), load_bert(tiny_reader_dir, spans=True)
    share_parameters(other, reader)
    assert all(p is dict(reader.named_parameters())[n] for n, p in other.named_parameters())
    assert other.bert.embeddings.word_embeddings.weight is reader.bert.embeddings.word_embeddings.weight


def test_another_kind_of_model_or_missing_weights_are_clear_errors(tmp_path, tiny_reader_dir):
    with pytest.raises(QAError, match="no usable BERT config.json"):
        load_bert(tmp_path)
    shutil.copy(tiny_reader_dir / "config.json", tmp_path / "config.json")
    with pytest.raises(QAError, match="unreadable model.safetensors"):
        load_bert(tmp_path, spans=True)
    shutil.copy(tiny_reader_dir / "model.safetensors", tmp_path / "model.safetensors")
    with pytest.raises(QAError, match="do not fit a Bert"):
        load_bert(tmp_path)  # a reader's weights are not a bare encoder
    config = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**config, "model_type": "roberta"}))
    with pytest.raises(QAError, match="this code runs BERT"):
        load_bert(tmp_path, spans=True)
