"""Bad input to the qa command: each gets one `qa: error:` line and exit status 1, before any model loads."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

from index.shards import SHARDS_FILE
from index.store import MANIFEST
from qa.cli import main


@pytest.fixture(autouse=True)
def _no_models(tmp_path, monkeypatch):
    """Every refusal below must come before a model is loaded: loading one fails the test instead."""
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))

    def no_model(*args, **kwargs):
        raise AssertionError("a model was loaded before the input was checked")

    monkeypatch.setattr("qa.reader.ExtractiveReader.warm_up", no_model)
    monkeypatch.setattr("index.embedder.Embedder.encode_document", no_model)


def fails(args: list[str], capsys, *messages: str) -> str:
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("qa: error: ") and len(err.strip().splitlines()) == 1, err
    for message in messages:
        assert message in err, err
    return err


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("Who is \udcff\udcfe Japan?", "not valid UTF-8"),  # how Python hands over undecodable bytes in argv
        ("\u200b\u200b\u200b", "Please type a question"),
        ("\x01\x02\x7f", "Please type a question"),
        ("\u2028\ufeff \u200d", "Please type a question"),
        ("?!?... ,,, ???", "no letters or digits"),
    ],
)
def test_questions_that_cannot_be_read(question, message, capsys):
    fails(["ask", question], capsys, message)


def test_undecodable_question_bytes_from_a_real_process():
    done = subprocess.run(
        [sys.executable, "-m", "qa.cli", "ask", b"Who is \xff\xfe Japan?"], capture_output=True, timeout=120
    )
    assert done.returncode == 1
    assert done.stderr.decode().startswith("qa: error: ") and len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--top-k", "0", "--top-k must be"),
        ("--top-k", "-5", "--top-k must be"),
        ("--threshold", "nan", "--threshold must be"),
        ("--threshold", "inf", "--threshold must be"),
        ("--threshold", "1.5", "--threshold must be"),
        ("--threshold", "-0.1", "--threshold must be"),
    ],
)
def test_ask_settings_out_of_range(option, value, message, capsys):
    fails(["ask", option, value, "Who is the Prime Minister of Japan?"], capsys, message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--k", "0"], "--k must be"),
        (["--threshold", "nan"], "--threshold must be"),
        (["--limit", "-3"], "--limit must be"),
    ],
)
def test_eval_settings_out_of_range(tmp_path, args, message, capsys):
    fails(["eval", "questions.jsonl", "--out", str(tmp_path / "o"), *args], capsys, message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "70000"], "--port must be"),
        (["--port", "-1"], "--port must be"),
        (["--host", "256.1.1.1"], "256.1.1.1"),
        (["--host", "no such host.invalid"], "no such host.invalid"),
    ],
)
def test_serve_address_refused_before_loading(args, message, capsys):
    fails(["serve", *args], capsys, message)


def test_a_busy_port_is_named_at_once(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        err = fails(["serve", "--port", str(port)], capsys, f"port {port}", "--port")
    assert "GRADIO" not in err and "server_port" not in err


def test_a_file_name_that_is_not_utf8_is_refused_before_embedding(tmp_path, capsys):
    doc = tmp_path / "caf\udce9.txt"  # the byte 0xE9 on disk, as Latin-1 systems write "café"
    doc.write_text("Penguins live in Antarctica.", encoding="utf-8")
    fails(["index", str(doc), "--out", str(tmp_path / "idx")], capsys, "file name is not valid UTF-8")
    assert not (tmp_path / "idx").exists()


def test_a_symlink_loop_is_not_called_missing(tmp_path, capsys):
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    err = fails(["index", str(loop), "--out", str(tmp_path / "idx")], capsys, "loop.txt")
    assert "no such file" not in err and "symbolic links" in err


@pytest.mark.parametrize("line", ["[1, 2, 3]", "42", '"text"', "null"])
def test_a_question_line_that_is_not_an_object(tmp_path, line, capsys):
    questions = tmp_path / "q.jsonl"
    good = json.dumps({"id": "a", "question": "Who?", "context": "Ada.", "answers": []})
    questions.write_text(f"{good}\n{line}\n", encoding="utf-8")
    fails(["eval", str(questions), "--out", str(tmp_path / "o")], capsys, "q.jsonl:2: expected an object")


def test_an_answer_start_outside_its_context(tmp_path, capsys):
    questions = tmp_path / "q.jsonl"
    record = {"id": "a", "question": "Who?", "context": "Ada.", "answers": [{"text": "Ada", "answer_start": 40}]}
    questions.write_text(json.dumps(record) + "\n", encoding="utf-8")
    fails(["eval", str(questions), "--out", str(tmp_path / "o")], capsys, "q.jsonl:1", "answer_start 40")


class SilentReader:
    """Stands in for the reader in ``qa eval``: it never answers; the question checks, not reading, are under test."""

    calibrated = False

    def __init__(self, *args, **kwargs):
        pass

    def warm_up(self) -> None:
        pass

    def calibrated_threshold(self) -> float:
        return 0.5

    def run(self, question, passages, joined=True):
        return []


def test_eval_counts_what_it_cannot_score(tmp_path, monkeypatch, caplog):
    """Reader mode: empty and over-long questions are errors, as in e2e mode; a repeated id is counted and said."""
    monkeypatch.setattr("eval.system.ExtractiveReader", SilentReader)
    context = "Ada Lovelace built the greenhouse in 1843."
    records = [
        {"id": "ok", "question": "Who built the greenhouse?", "answers": [{"text": "Ada Lovelace", "answer_start": 0}]},
        {"id": "empty", "question": "   ", "answers": []},
        {"id": "long", "question": "Who? " * 400, "answers": []},
        {"id": "ok", "question": "When was it built?", "answers": [{"text": "1843", "answer_start": 37}]},
    ]
    questions = tmp_path / "q.jsonl"
    questions.write_text("".join(json.dumps({**r, "context": context}) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "report"
    assert main(["eval", str(questions), "--mode", "reader", "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["total"] == 3 and metrics["errors"] == 2
    assert metrics["duplicate_ids"] == 1
    assert "1 question(s) repeat an earlier id" in caplog.text


def test_an_index_is_never_built_over_one_of_the_other_kind_without_rebuild(tmp_path, capsys):
    doc = tmp_path / "news.txt"
    doc.write_text("Penguins live in Antarctica.", encoding="utf-8")
    single, sharded = tmp_path / "single", tmp_path / "sharded"
    single.mkdir(), sharded.mkdir()
    (single / MANIFEST).write_text("{}")  # what is there is never read: only its kind decides
    (sharded / SHARDS_FILE).write_text("{}")
    fails(["index", str(doc), "--out", str(single), "--ray"], capsys, "holds an index; --ray", "add --rebuild")
    fails(["index", str(doc), "--out", str(sharded)], capsys, "holds a sharded index", "--ray --rebuild")
    fails(["index", str(doc), "--out", str(sharded), "--ray", "--shards", "-1"], capsys, "--shards must be 0")
    assert (single / MANIFEST).read_text() == (sharded / SHARDS_FILE).read_text() == "{}"  # both left as they were


def test_a_negative_worker_count_is_refused(tmp_path, capsys):
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "a", "question": "Who?", "context": "Ada.", "answers": []}) + "\n")
    fails(["eval", str(questions), "--workers", "-2"], capsys, "--workers must be 0 (one per CPU of the cluster)")


@pytest.mark.parametrize("command", [["ask", "Who?"], ["chat"], ["eval", "q.jsonl"]])
def test_a_reader_folder_without_a_model_is_refused_before_anything_loads(tmp_path, capsys, command):
    fails([*command, "--reader", str(tmp_path)], capsys, f"--reader {tmp_path}: no reader model there")
