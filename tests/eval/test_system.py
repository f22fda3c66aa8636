"""The system under evaluation, wired for each mode: models load once, whatever the number of corpora."""

import pytest

from eval.system import answer_fn_factory
from index.records import Document
from qa.squad import GoldAnswer, QAExample

pytestmark = pytest.mark.models

CONTEXT = "Fumio Kishida is the Prime Minister of Japan. Tokyo is its capital."
EXAMPLE = QAExample("q", "Who is the Prime Minister of Japan?", CONTEXT, (GoldAnswer("Fumio Kishida", 0),), "Japan")


def test_reader_mode_reads_the_gold_paragraph_and_e2e_mode_retrieves():
    build = answer_fn_factory(threshold=0.0)
    assert build("reader", [], 3)(EXAMPLE).answer.text == "Fumio Kishida"
    e2e = build("e2e", [Document("Japan", CONTEXT)], 3)(EXAMPLE)
    assert e2e.answer.text == "Fumio Kishida" and e2e.passages[0].chunk.source == "Japan"
    other = build("e2e", [Document("Other", "Paris is the capital of France.")], 3)(EXAMPLE)
    assert other.passages[0].chunk.source == "Other"  # a new corpus for each build, the same models
