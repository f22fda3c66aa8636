"""Question files as training and evaluation read them: a malformed file must say where and why."""

import gzip
import json
from pathlib import Path

import pytest

from qa.squad import GoldAnswer, QAExample, QuestionSetError, load_examples, spread, write_examples

ARTICLE_DEV = Path(__file__).resolve().parents[2] / "qa" / "data" / "article_dev.json"


def test_article_dev_set_loads():
    examples = load_examples(ARTICLE_DEV)
    assert len(examples) == 24
    assert sum(e.is_impossible for e in examples) == 4
    for example in examples:
        for answer in example.answers:
            assert example.context[answer.start : answer.start + len(answer.text)] == answer.text


def test_squad_question_without_text_names_its_place(tmp_path):
    path = tmp_path / "dev.json"
    qas = [{"id": "ok", "question": "Who?", "answers": []}, {"id": "bad", "answers": []}]
    path.write_text(json.dumps({"data": [{"title": "T", "paragraphs": [{"context": "C", "qas": qas}]}]}))
    with pytest.raises(QuestionSetError) as err:
        load_examples(path)
    assert str(err.value) == f"{path}: data[0].paragraphs[0].qas[1]: missing or non-text 'question'"


def test_jsonl_bad_line_names_its_number(tmp_path):
    path = tmp_path / "dev.jsonl.gz"
    good = json.dumps({"id": "a", "question": "Who?", "context": "C", "answers": []})
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(good + "\n{not json\n")
    with pytest.raises(QuestionSetError, match=r"dev\.jsonl\.gz:2: not valid JSON"):
        load_examples(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", "expected a SQuAD object with a 'data' list"),
        ('{"data": []}', "contains no questions"),
        ("{", "not valid JSON"),
    ],
)
def test_malformed_squad_file(tmp_path, content, message):
    path = tmp_path / "dev.json"
    path.write_text(content)
    with pytest.raises(QuestionSetError, match=message):
        load_examples(path)


def test_missing_file(tmp_path):
    with pytest.raises(QuestionSetError, match="no such file"):
        load_examples(tmp_path / "absent.json")


def test_spread_covers_the_whole_file():
    examples = [QAExample(f"q{i}", "Who?", "C") for i in range(1, 6)]
    assert [e.id for e in spread(examples, 2)] == ["q1", "q3"]
    assert [e.id for e in spread(examples, 3)] == ["q1", "q2", "q4"]
    assert spread(examples, 0) == examples
    assert spread(examples, 99) == examples


@pytest.mark.parametrize("start", [-5, 3, 99])
def test_an_answer_outside_its_context_names_its_place(tmp_path, start):
    path = tmp_path / "dev.json"
    qas = [{"id": "q", "question": "Who?", "answers": [{"text": "Ada", "answer_start": start}]}]
    path.write_text(json.dumps({"data": [{"title": "T", "paragraphs": [{"context": "Ada.", "qas": qas}]}]}))
    with pytest.raises(QuestionSetError) as err:
        load_examples(path)
    assert str(err.value) == (
        f"{path}: data[0].paragraphs[0].qas[0]: answer_start {start} puts 'Ada' outside the context (4 characters)"
    )


def test_an_answer_without_a_known_start_is_kept(tmp_path):
    path = tmp_path / "dev.jsonl"
    answers = [{"text": "Ada"}, {"text": "Ada.", "answer_start": -1}]
    path.write_text(json.dumps({"id": "q", "question": "Who?", "context": "Ada.", "answers": answers}) + "\n")
    assert [a.start for a in load_examples(path)[0].answers] == [-1, -1]


@pytest.mark.parametrize("name", ["q.jsonl", "q.jsonl.gz"])
def test_written_questions_read_back_unchanged(tmp_path, name):
    examples = [
        QAExample(
            "a", "Who built it?", "Ōno built it in 1901.", (GoldAnswer("Ōno", 0), GoldAnswer("Ōno built", 0)), "Ōno"
        ),
        QAExample("b", "When was it painted?", "Ōno built it in 1901.", (), "Ōno"),
    ]
    write_examples(examples, tmp_path / name)
    assert load_examples(tmp_path / name) == examples


def test_questions_are_written_only_as_json_lines(tmp_path):
    with pytest.raises(QuestionSetError, match=r"\.jsonl or \.jsonl\.gz"):
        write_examples([], tmp_path / "q.json")
