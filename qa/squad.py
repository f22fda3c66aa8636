"""Question sets in SQuAD JSON (v1.1/v2.0) or our JSON Lines (optionally gzipped).

One loader serves training and evaluation, so both read a file the same way
and report a malformed one the same way; the one writer writes the JSON Lines
records that loader reads, so a file written here reads back unchanged.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import QAError


class QuestionSetError(QAError):
    """A question file that cannot be read; the message says where and why."""


@dataclass(frozen=True)
class GoldAnswer:
    text: str
    start: int


@dataclass(frozen=True)
class QAExample:
    """One question about one context, with its gold answers (none if unanswerable)."""

    id: str
    question: str
    context: str
    answers: tuple[GoldAnswer, ...] = field(default_factory=tuple)
    title: str = ""

    @property
    def is_impossible(self) -> bool:
        return not self.answers


def load_examples(path: str | Path) -> list[QAExample]:
    """Read every question of a SQuAD ``.json`` or a ``.jsonl``/``.jsonl.gz`` file."""
    path = Path(path)
    if not path.is_file():
        raise QuestionSetError(f"{path}: no such file")
    name = path.name.lower()
    opener = gzip.open if name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            if name.endswith((".jsonl", ".jsonl.gz")):
                return _from_lines(handle, path)
            return _from_squad(json.load(handle), path)
    except (OSError, UnicodeDecodeError, EOFError) as err:
        raise QuestionSetError(f"{path}: cannot read: {err}") from err
    except json.JSONDecodeError as err:
        raise QuestionSetError(f"{path}: not valid JSON: {err}") from err


def write_examples(examples: Sequence[QAExample], path: str | Path) -> None:
    """Write ``examples`` as JSON Lines (gzipped if the name ends in ``.gz``), one record per question."""
    path = Path(path)
    if not path.name.lower().endswith((".jsonl", ".jsonl.gz")):
        raise QuestionSetError(f"{path}: questions are written as .jsonl or .jsonl.gz")
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as out:
        for example in examples:
            record = {
                "id": example.id,
                "title": example.title,
                "context": example.context,
                "question": example.question,
                "answers": [{"text": a.text, "answer_start": a.start} for a in example.answers],
                "is_impossible": example.is_impossible,
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def spread(examples: Sequence[QAExample], limit: int) -> list[QAExample]:
    """``limit`` examples evenly spaced through the file (all if 0): the first N would cover one article."""
    if not 0 < limit < len(examples):
        return list(examples)
    return [examples[i * len(examples) // limit] for i in range(limit)]


def _from_lines(handle, path: Path) -> list[QAExample]:
    examples = []
    for number, line in enumerate(handle, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise QuestionSetError(f"{path}:{number}: not valid JSON: {err}") from err
        if not isinstance(record, dict):
            raise QuestionSetError(f"{path}:{number}: expected an object")
        examples.append(_example(record, record.get("context"), record.get("title", ""), f"{path}:{number}"))
    if not examples:
        raise QuestionSetError(f"{path}: contains no questions")
    return examples


def _from_squad(data: object, path: Path) -> list[QAExample]:
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise QuestionSetError(f"{path}: expected a SQuAD object with a 'data' list")
    examples = []
    for a, article in enumerate(data["data"]):
        paragraphs = article.get("paragraphs") if isinstance(article, dict) else None
        if not isinstance(paragraphs, list):
            raise QuestionSetError(f"{path}: data[{a}] has no 'paragraphs' list")
        for p, paragraph in enumerate(paragraphs):
            where = f"{path}: data[{a}].paragraphs[{p}]"
            if not isinstance(paragraph, dict) or not isinstance(paragraph.get("qas"), list):
                raise QuestionSetError(f"{where} has no 'qas' list")
            for q, record in enumerate(paragraph["qas"]):
                examples.append(
                    _example(record, paragraph.get("context"), article.get("title", ""), f"{where}.qas[{q}]")
                )
    if not examples:
        raise QuestionSetError(f"{path}: contains no questions")
    return examples


def _example(record: object, context: object, title: str, where: str) -> QAExample:
    if not isinstance(record, dict):
        raise QuestionSetError(f"{where}: expected an object")
    for key, value in (("id", record.get("id")), ("question", record.get("question")), ("context", context)):
        if not isinstance(value, str):
            raise QuestionSetError(f"{where}: missing or non-text '{key}'")
    raw_answers = record.get("answers", [])
    if not isinstance(raw_answers, list):
        raise QuestionSetError(f"{where}: 'answers' must be a list")
    answers = []
    for answer in raw_answers:
        if not isinstance(answer, dict) or not isinstance(answer.get("text"), str):
            raise QuestionSetError(f"{where}: every answer needs a 'text'")
        start = answer.get("answer_start", -1)  # -1: not known
        if not isinstance(start, int) or isinstance(start, bool):
            raise QuestionSetError(f"{where}: 'answer_start' must be an integer")
        if start != -1 and not 0 <= start <= len(context) - len(answer["text"]):
            raise QuestionSetError(
                f"{where}: answer_start {start} puts {answer['text']!r} outside the context ({len(context)} characters)"
            )
        answers.append(GoldAnswer(answer["text"], start))
    if record.get("is_impossible") and answers:
        answers = []  # SQuAD 2.0 keeps "plausible answers" elsewhere; impossible means no gold.
    return QAExample(record["id"], record["question"], context, tuple(answers), str(title or ""))
