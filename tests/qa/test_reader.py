"""The reader's decoding on a tiny random model: offsets, ordering and merging, not answer quality."""

import pytest

from index.errors import QAError
from index.records import Chunk, Passage
from qa.reader import ExtractiveReader

TEXT = (
    "Prime Minister Fumio Kishida stressed dialogue with Russia at an annual gathering this week. "
    "About 3,500 Russian troops are stationed there, according to Japan's defense ministry. "
) * 12  # long enough to need several windows


def _passages():
    first = Chunk(0, "a.txt", TEXT, 0, len(TEXT))
    offset = 1000
    second = Chunk(1, "b.txt", TEXT[:200], offset, offset + 200)
    return [Passage(first, 0.9, 0), Passage(second, 0.5, 1)]


def test_answers_quote_their_passage_exactly(tiny_reader_dir):
    reader = ExtractiveReader(tiny_reader_dir, max_length=96, stride=32, top_k=20)
    passages = _passages()
    answers = reader.run("Who stressed dialogue?", passages)
    assert answers
    documents = {"a.txt": TEXT, "b.txt": " " * 1000 + TEXT[:200]}
    for answer in answers:
        assert answer.text == documents[answer.source][answer.start : answer.end]
        assert answer.context[answer.context_start : answer.context_start + len(answer.text)] == answer.text
        assert answer.text == answer.text.strip() and answer.text
        assert 0.0 < answer.score < 1.0


def test_answers_are_ranked_and_never_overlap(tiny_reader_dir):
    reader = ExtractiveReader(tiny_reader_dir, max_length=96, stride=32, top_k=50)
    answers = reader.run("How many troops?", _passages())
    assert len(answers) > 1
    assert [a.score for a in answers] == sorted((a.score for a in answers), reverse=True)
    for i, a in enumerate(answers):
        for b in answers[i + 1 :]:
            assert a.source != b.source or a.end <= b.start or b.end <= a.start


def test_top_k_and_no_passages(tiny_reader_dir):
    reader = ExtractiveReader(tiny_reader_dir, top_k=2)
    assert len(reader.run("Who?", _passages())) == 2
    assert reader.run("Who?", []) == []


def test_a_folder_without_a_reader_is_refused_as_a_model_error(tmp_path):
    with pytest.raises(QAError, match=f"no reader model in {tmp_path}"):
        ExtractiveReader(tmp_path).warm_up()
