"""The indexing tuner times every (threads, batch size) pair on real chunks and names the fastest."""

import pytest

from eval.tools import tune_indexing
from qa.corpus import BUNDLED_QUESTIONS


def test_real_chunks_come_from_the_files_contexts():
    chunks = tune_indexing.real_chunks(str(BUNDLED_QUESTIONS), 3)
    assert len(chunks) == 3 and all(chunks) and len(set(chunks)) == 3


@pytest.mark.models
def test_every_pair_is_timed_and_the_fastest_named(capsys):
    tune_indexing.main(
        [str(BUNDLED_QUESTIONS), "--chunks", "12", "--batch-sizes", "4", "8", "--threads", "1", "--rounds", "1"]
    )
    lines = capsys.readouterr().out.splitlines()
    rows = [line.split() for line in lines[2:4]]
    assert [row[:2] for row in rows] == [["1", "4"], ["1", "8"]] and all(float(row[2]) > 0 for row in rows)
    assert lines[-1].startswith("fastest: 1 threads, batch ")
