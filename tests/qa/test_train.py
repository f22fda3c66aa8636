"""Training on a tiny random model: the loss goes down, and a resumed run equals an uninterrupted one."""

import json

import pytest
import torch

import qa.train
from qa.features import build_features
from qa.modeling import load_reader_model
from qa.squad import load_examples
from qa.train import TrainConfig, _span_loss, collate, prepare_features, train

ROWS = [
    ("Japanese trading companies have a combined 22.5 percent stake in the project.", "What stake?", "22.5 percent"),
    ("About 3,500 Russian troops are stationed there.", "How many troops?", "About 3,500"),
    ("Maria Zakharova accused the United States.", "Who accused the United States?", "Maria Zakharova"),
    ("Kremlin spokesman Dmitry Peskov told reporters on Monday.", "Who is the spokesman?", "Dmitry Peskov"),
]


def _data(tmp_path):
    path = tmp_path / "train.jsonl"
    with path.open("w") as handle:
        for i, (context, question, answer) in enumerate(ROWS * 4):
            record = {
                "id": str(i),
                "title": "t",
                "context": context,
                "question": question,
                "answers": [{"text": answer, "answer_start": context.index(answer)}],
                "is_impossible": False,
            }
            handle.write(json.dumps(record) + "\n")
    return path


def _config(tmp_path, data, name, **overrides):
    values = {
        "train_files": [str(data)],
        "out_dir": str(tmp_path / name),
        "init_from": "",
        "max_length": 64,
        "stride": 16,
        "negative_rate": 0.0,
        "batch_size": 8,
        "learning_rate": 3e-3,
        "max_steps": 12,
        "checkpoint_minutes": 60.0,
    }
    return TrainConfig(**{**values, **overrides})


def _loss(model_dir, tokenizer, data):
    model = load_reader_model(model_dir)
    model.eval()
    features = build_features(tokenizer, load_examples(data), 64, 16)
    ids, types, mask, starts, ends = collate(features, list(range(len(features))))
    with torch.no_grad():
        out = model(input_ids=ids, token_type_ids=types, attention_mask=mask)
    return _span_loss(out.start_logits, out.end_logits, mask, starts, ends).item()


def test_a_few_steps_reduce_the_loss(tmp_path, tiny_reader_dir, tokenizer):
    data = _data(tmp_path)
    checkpoint = train(_config(tmp_path, data, "run", init_from=str(tiny_reader_dir)))
    assert json.loads((checkpoint / "progress.json").read_text())["step"] == 12
    assert _loss(checkpoint / "reader", tokenizer, data) < 0.85 * _loss(tiny_reader_dir, tokenizer, data)


def test_resume_continues_exactly_where_it_stopped(tmp_path, tiny_reader_dir):
    data = _data(tmp_path)
    straight = train(_config(tmp_path, data, "straight", init_from=str(tiny_reader_dir)))
    stopped = train(_config(tmp_path, data, "split", init_from=str(tiny_reader_dir), budget_minutes=1e-9))
    assert json.loads((stopped / "progress.json").read_text())["step"] == 1
    resumed = train(_config(tmp_path, data, "split", init_from=str(tiny_reader_dir)), resume=True)
    assert json.loads((resumed / "progress.json").read_text())["step"] == 12
    a = torch.load(straight / "state.pt", weights_only=False)["model"]
    b = torch.load(resumed / "state.pt", weights_only=False)["model"]
    assert all(torch.equal(a[name], b[name]) for name in a)


def test_the_features_cache_follows_the_negatives_mix(tmp_path, tokenizer):
    """A changed mix of negatives must build new windows, never reuse the cached ones of another mix."""
    data = tmp_path / "train.jsonl"
    with data.open("w") as handle:
        context = "The islands were seized in 1945. Japan still claims them. Talks stalled in 2019. Boats are detained."
        record = {"id": "0", "title": "t", "context": context, "question": "When were the islands seized?"}
        handle.write(json.dumps(record | {"answers": [{"text": "1945", "answer_start": 27}], "is_impossible": False}))
    plain = prepare_features(_config(tmp_path, data, "run"), tokenizer)
    cut = prepare_features(_config(tmp_path, data, "run", removal_rate=1.0), tokenizer)
    assert len(list((tmp_path / "run").glob("features-*.pkl"))) == 2
    assert all(f.start > 0 for f in plain)
    assert len(cut) == len(plain) + 1 and cut[-1].start == cut[-1].end == 0


def test_a_save_cut_short_leaves_the_last_checkpoint_to_resume_from(tmp_path, tiny_reader_dir, monkeypatch):
    data = _data(tmp_path)
    config = _config(tmp_path, data, "run", init_from=str(tiny_reader_dir), budget_minutes=1e-9)
    checkpoint = train(config)  # stops after its first step, saved
    before = (checkpoint / "reader" / "model.safetensors").read_bytes()

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies while the reader's weights are written

    monkeypatch.setattr(qa.train, "save_reader", killed)
    with pytest.raises(KeyboardInterrupt):
        train(config, resume=True)
    assert json.loads((checkpoint / "progress.json").read_text())["step"] == 1
    assert (checkpoint / "reader" / "model.safetensors").read_bytes() == before

    checkpoint.rename(tmp_path / "run" / "checkpoint.old")  # cut between moving the old one aside and the new one in
    monkeypatch.undo()
    resumed = train(_config(tmp_path, data, "run", init_from=str(tiny_reader_dir)), resume=True)
    assert json.loads((resumed / "progress.json").read_text())["step"] == 12
    assert not (tmp_path / "run" / "checkpoint.old").exists() and not (tmp_path / "run" / "checkpoint.new").exists()
