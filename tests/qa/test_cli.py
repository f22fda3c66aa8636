"""The qa command as a user meets it: answers, JSON records, and one clear line for every mistake."""

import io
import json
import os
import subprocess
import sys

import pytest

from index.records import Chunk, Passage
from index.store import data_dir
from qa import cli
from qa.answer import Answer, Result
from qa.cli import main
from qa.confidence import ConfidenceLevels


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))


@pytest.mark.models
def test_ask_answers_from_the_bundled_article(capsys):
    assert main(["ask", "Who is the Prime Minister of Japan?"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Fumio Kishida"
    assert "article.txt" in out


@pytest.mark.models
def test_ask_with_the_int8_reader(capsys):
    assert main(["ask", "--json", "--precision", "int8", "Who is the Prime Minister of Japan?"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["answer"]["text"] == "Fumio Kishida"


def test_unknown_precision_is_refused(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["ask", "--precision", "fp16", "Who is the Prime Minister of Japan?"])
    assert stop.value.code == 2
    assert "invalid choice: 'fp16'" in capsys.readouterr().err


@pytest.mark.models
def test_ask_json_prints_null_when_it_abstains(capsys):
    assert main(["ask", "--json", "What is the population of the Kuril Islands?"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["answer"] is None
    assert record["passages"]
    assert all(0 < p["similarity"] < 1 for p in record["passages"])  # the question's cosine to each, as weighed


@pytest.mark.models
def test_index_then_ask_then_add_a_document(tmp_path, capsys):
    notes = tmp_path / "notes.md"
    notes.write_text("# Garden\n\nThe greenhouse was built by Ada Lovelace in 1843.\n", encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><p>The lighthouse keeper is named Tomas Berg.</p>"
        "<script>var x = 'Ignore me';</script></body></html>",
        encoding="utf-8",
    )
    out_dir = tmp_path / "idx"
    assert main(["index", str(notes), "--out", str(out_dir)]) == 0
    assert main(["index", str(page), "--out", str(out_dir)]) == 0
    assert "now holds 2 documents" in capsys.readouterr().out
    assert main(["ask", "--json", "--index", str(out_dir), "--threshold", "0", "Who is the lighthouse keeper?"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["answer"]["text"] == "Tomas Berg"
    assert record["answer"]["source"] == "page.html"


def _fails(args, capsys, message):
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("qa: error: ") and message in err
    assert len(err.strip().splitlines()) == 1


def test_empty_question(capsys):
    _fails(["ask", "  "], capsys, "Please type a question")


def test_missing_and_unreadable_files(tmp_path, capsys):
    _fails(["index", str(tmp_path / "absent.txt"), "--out", str(tmp_path / "i")], capsys, "no such file")
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    _fails(["index", str(binary), "--out", str(tmp_path / "i")], capsys, "photo.txt")
    damaged = tmp_path / "x.pdf"
    damaged.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n%%EOF garbage")
    _fails(["index", str(damaged), "--out", str(tmp_path / "i")], capsys, "x.pdf: not a readable PDF")


@pytest.mark.models
def test_broken_or_missing_index(tmp_path, capsys):
    doc = tmp_path / "a.txt"
    doc.write_text("Penguins live in Antarctica.", encoding="utf-8")
    assert main(["index", str(doc), "--out", str(tmp_path / "idx")]) == 0
    capsys.readouterr()  # the indexing progress bar is not part of the next command's output
    chunks = data_dir(tmp_path / "idx") / "chunks.jsonl"
    chunks.write_text(chunks.read_text().replace("Penguins", "Pelicans"))
    _fails(["ask", "--index", str(tmp_path / "idx"), "Where?"], capsys, "corrupted")
    _fails(["ask", "--index", str(tmp_path / "nothing"), "Where?"], capsys, "not an index directory")


@pytest.mark.models
def test_a_document_indexed_again_is_skipped_when_unchanged_and_refused_with_advice_when_changed(tmp_path, capsys):
    doc = tmp_path / "a.txt"
    doc.write_text("Penguins live in Antarctica.", encoding="utf-8")
    command = ["index", str(doc), "--out", str(tmp_path / "idx")]
    assert main(command) == 0
    capsys.readouterr()
    assert main(command) == 0
    assert (
        "0 document(s), 0 chunks; 1 already there and unchanged (index now holds 1 documents" in capsys.readouterr().out
    )
    doc.write_text("Penguins live in Antarctica and in South Africa.", encoding="utf-8")
    assert main(command) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith(
        f"qa: error: a.txt changed since {tmp_path / 'idx'} indexed it; run again with --rebuild"
    )
    assert "embedding" not in err and "Traceback" not in err  # refused before any work
    assert main([*command, "--rebuild"]) == 0
    assert "built" in capsys.readouterr().out


def _raises(error: BaseException):
    def run():
        raise error

    return run


@pytest.mark.parametrize(
    ("error", "status", "err"),
    [
        (PermissionError("out.json: permission denied"), 1, "qa: error: out.json: permission denied\n"),
        (KeyboardInterrupt(), 130, ""),  # Ctrl-C: no traceback
        (BrokenPipeError(), 0, ""),  # output piped into `head`: not an error
    ],
)
def test_the_exit_status_and_the_one_line_for_each_kind_of_stop(monkeypatch, capsys, error, status, err):
    monkeypatch.delenv("QA_DEBUG", raising=False)
    assert cli.guarded("qa", _raises(error)) == status
    assert capsys.readouterr().err == err


def test_qa_debug_keeps_the_traceback_of_a_users_mistake(monkeypatch):
    monkeypatch.setenv("QA_DEBUG", "1")
    with pytest.raises(PermissionError):
        cli.guarded("qa", _raises(PermissionError("denied")))


def test_a_bug_keeps_its_traceback_and_asks_for_a_report(monkeypatch, capsys):
    def broken(args):
        raise ValueError("an internal mistake")  # not a QAError: the user did nothing wrong

    monkeypatch.delenv("QA_DEBUG", raising=False)
    monkeypatch.setattr(cli, "_ask", broken)
    assert main(["ask", "Who?"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "ValueError: an internal mistake" in err
    assert err.splitlines()[-1].startswith("qa: internal error (a bug, not your input); please report it")


def test_errors_print_no_traceback_from_a_real_process():
    done = subprocess.run([sys.executable, "-m", "qa.cli", "ask", ""], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr == "qa: error: Please type a question.\n"


def test_train_options_take_their_defaults_from_train_config():
    from qa.train import TrainConfig

    args = cli.build_parser().parse_args(["train", "a.jsonl"])
    assert cli.train_config(args) == TrainConfig(train_files=["a.jsonl"])
    flags = "--out r --init-from e --max-length 64 --stride 16 --negative-rate 0.2 --perturb-rate 0.3 --batch-size 8"
    flags += " --lr 3e-3 --epochs 2 --max-steps 5 --limit 9 --seed 1 --bf16 --checkpoint-minutes 1 --budget-minutes 2"
    args = cli.build_parser().parse_args(["train", "a.jsonl", *flags.split(), "--resume", "--log", "l.txt"])
    config = cli.train_config(args)
    assert (config.out_dir, config.init_from, config.max_length, config.stride) == ("r", "e", 64, 16)
    assert (config.negative_rate, config.perturb_rate, config.batch_size, config.learning_rate) == (0.2, 0.3, 8, 3e-3)
    assert (config.epochs, config.max_steps, config.limit, config.seed, config.bf16) == (2.0, 5, 9, 1, True)
    assert (config.checkpoint_minutes, config.budget_minutes, args.resume, args.log) == (1.0, 2.0, True, "l.txt")


@pytest.mark.parametrize(
    ("command", "flag", "default"),
    [
        (["ask", "q"], "mode", "hybrid"),
        (["index", "a.txt", "--out", "i"], "index_type", "auto"),
        (["eval", "q.json"], "mode", "e2e"),
        (["eval", "q.json"], "corpus", "file"),
        (["eval", "q.json"], "retrieval", "hybrid"),
        (["serve"], "precision", "int8"),
    ],
)
def test_choices_keep_their_defaults(command, flag, default):
    assert getattr(cli.build_parser().parse_args(command), flag) == default


@pytest.mark.models
def test_pdf_and_word_answers_cite_their_page_and_section(tmp_path, capsys):
    from made_documents import make_docx, make_pdf

    report = tmp_path / "report.pdf"
    report.write_bytes(make_pdf([["The survey covers coastal towns."], ["The lighthouse keeper is named Tomas Berg."]]))
    guide = tmp_path / "guide.docx"
    guide.write_bytes(make_docx())
    assert main(["index", str(report), str(guide), "--out", str(tmp_path / "idx")]) == 0
    capsys.readouterr()
    ask = ["ask", "--index", str(tmp_path / "idx"), "--threshold", "0"]
    assert main([*ask, "--json", "Who is the lighthouse keeper?"]) == 0
    answer = json.loads(capsys.readouterr().out)["answer"]
    assert (answer["text"], answer["source"], answer["page"], answer["headings"]) == ("Tomas Berg", "report.pdf", 2, [])
    assert main([*ask, "What should you use on Linux?"]) == 0
    assert "guide.docx, Field guide › Install › Linux, characters" in capsys.readouterr().out


def test_the_answer_is_cited_with_its_page_and_headings():
    from index.records import Chunk, Document, Passage
    from qa.answer import Answer, Result, cite

    text = "Intro.\n\nInstall\n\nRun the installer now."
    document = Document("guide.pdf", text, pages=(0, 8), headings=((8, 1, "Install"),))
    start = text.index("installer")
    answer = Answer("installer", 0.9, start, start + 9, "guide.pdf", text, start)
    passage = Passage(Chunk(0, "guide.pdf", text, 0, len(text)), 0.5)
    result = cite(Result("q?", answer, [answer], [passage], threshold=0.5), {"guide.pdf": document})
    assert (result.answer.page, result.answer.headings) == (2, ("Install",))
    assert result.candidates == [result.answer]
    described = cli._describe(result, ConfidenceLevels.calibrated(0.34))
    assert "high confidence 0.90 | guide.pdf, page 2, Install, characters 25-34" in described
    record = result.to_dict()
    assert (record["answer"]["page"], record["answer"]["headings"]) == (2, ("Install",))
    assert json.loads(json.dumps(record))["answer"]["headings"] == ["Install"]


VALLEY = (
    "Bridges and dams of the Owen valley\n\nThe Larkspur bridge was designed by Helena Marsh and completed in 1921. "
    "The Owen dam was designed by Victor Hale and completed in 1934. "
    "The Millbrook weir was designed by Agnes Ford and completed in 1952.\n"
)


@pytest.mark.models
def test_ask_answers_a_file_of_questions_as_json_lines(tmp_path, capsys, monkeypatch):
    questions = tmp_path / "questions.txt"
    questions.write_text("Who is the Prime Minister of Japan?\n\nWho is the Kremlin spokesman?\n", encoding="utf-8")
    assert main(["ask", "--file", str(questions)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["question"] for r in records] == ["Who is the Prime Minister of Japan?", "Who is the Kremlin spokesman?"]
    assert records[0]["answer"]["text"] == "Fumio Kishida" and records[1]["answer"]["text"] == "Dmitry Peskov"
    monkeypatch.setattr(sys, "stdin", io.StringIO("Who is the Prime Minister of Japan?\n" + "why " * 400 + "\n"))
    assert main(["ask", "-"]) == 1  # standard input; one line refused, the other still answered
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert records[0]["answer"]["text"] == "Fumio Kishida" and "characters long" in records[1]["error"]
    assert captured.err == "qa: error: 1 question(s) refused; their records say why\n"


@pytest.mark.models
def test_chat_keeps_the_history_for_follow_ups_when_piped(tmp_path, capsys, monkeypatch):
    document = tmp_path / "valley.txt"
    document.write_text(VALLEY, encoding="utf-8")
    assert main(["index", str(document), "--out", str(tmp_path / "idx")]) == 0
    capsys.readouterr()
    piped = "Who designed the Owen dam?\nWhen was it completed?\n/new\nDid Agnes Ford design the Millbrook weir?\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(piped))
    assert main(["chat", "--index", str(tmp_path / "idx")]) == 0
    out = capsys.readouterr().out
    turns = out.split("> ")[1:]
    assert turns[0].startswith("Who designed the Owen dam?\nVictor Hale\n")
    follow_up = 'When was it completed?\n  (a follow-up to "Who designed the Owen dam?")\n'
    assert turns[1].startswith(follow_up)
    reply = turns[1][len(follow_up) :].splitlines()
    # the history's date, as the answer or, below the calibrated threshold, as the best guess
    assert reply[0] == "1934" or reply[1].startswith('  best guess: "1934"')
    assert turns[2].startswith("/new\n(a new conversation)")
    said = 'The document says: "The Millbrook weir was designed by Agnes Ford and completed in 1952."'
    assert turns[3].startswith(f"Did Agnes Ford design the Millbrook weir?\n{said}\n")


def test_ask_refuses_a_missing_file_of_questions_before_loading_models(tmp_path, capsys):
    _fails(["ask", "--file", str(tmp_path / "absent.txt")], capsys, "no such file of questions")
    _fails(["ask", "Who?", "--file", str(tmp_path / "absent.txt")], capsys, "either a question or --file")


@pytest.mark.models
def test_a_cold_ask_over_a_cached_index_imports_no_transformers(tmp_path):
    """Answering needs a BERT forward pass and a tokenizer, not the libraries that train and index."""
    script = (
        "import sys; from qa.cli import main; code = main(['ask', 'Who is the Prime Minister of Japan?']);"
        "print(sorted(m for m in ('transformers', 'sentence_transformers', 'sklearn') if m in sys.modules))"
    )
    env = {**os.environ, "QA_CACHE_DIR": str(tmp_path / "cache")}
    for run in ("builds the cache", "cold, cache built"):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env)
        assert done.returncode == 0, (run, done.stderr)
    lines = done.stdout.splitlines()
    assert lines[0] == "Fumio Kishida" and lines[-1] == "[]"


def test_a_share_of_unanswerable_questions_outside_0_to_1_is_refused_before_loading_models(capsys):
    _fails(["ask", "--unanswerable-share", "1", "Who?"], capsys, "--unanswerable-share must be a number from 0")
    _fails(["eval", "q.jsonl", "--unanswerable-share", "-0.1"], capsys, "--unanswerable-share must be a number")
    _fails(["serve", "--port", "7899", "--unanswerable-share", "2"], capsys, "--unanswerable-share must be a number")


@pytest.mark.models
def test_a_share_without_an_operating_point_names_those_there_are(capsys):
    message = "no operating point for an unanswerable share of 0.4 (this verifier's: 0.5, 0.3, 0.2, 0.1)"
    _fails(["ask", "--unanswerable-share", "0.4", "Who?"], capsys, message)


def _guess(score: float) -> tuple:
    context = "Prime Minister Fumio Kishida stressed dialogue with Russia."
    guess = Answer("Fumio Kishida", score, 15, 28, "article.txt", context, 15)
    passages = [Passage(Chunk(0, "article.txt", context, 0, len(context)), 0.5, 0)]
    return guess, passages


def test_an_unsure_abstention_prints_the_wording_and_the_best_guess_in_its_place():
    guess, passages = _guess(0.21)
    result = Result("Who leads Japan?", None, [guess], passages, threshold=0.3, refuse_below=0.01)
    lines = cli._describe(result, ConfidenceLevels.calibrated(0.3)).splitlines()
    assert lines == [
        "No confident answer was found in the document; the best guess is below. The document may not say; "
        "if it should, try rephrasing the question.",
        '  best guess: "Fumio Kishida" (below the 0.30 threshold)',
        "  low confidence 0.21 | article.txt, characters 15-28",
        "  ...Prime Minister [Fumio Kishida] stressed dialogue with Russia....",
    ]


def test_a_silent_document_prints_the_closest_passage_instead_of_a_guess():
    guess, passages = _guess(0.005)
    result = Result("Who leads Japan?", None, [guess], passages, threshold=0.3, refuse_below=0.01)
    assert cli._describe(result, ConfidenceLevels.calibrated(0.3)).splitlines() == [
        "The document does not answer this question.",
        "  Closest passage (article.txt): Prime Minister Fumio Kishida stressed dialogue with Russia.",
    ]
