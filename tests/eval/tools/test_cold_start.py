"""The cold-start benchmark times real ``qa ask`` processes and stops on one that fails."""

import sys

import pytest

from eval.tools import cold_start


@pytest.mark.models
def test_it_times_fresh_qa_ask_processes(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path))
    cold_start.main(["--runs", "2", "--question", "Who is the Prime Minister of Japan?"])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:4] for line in lines[:2]] == [["round", "1", "qa", "ask"], ["round", "2", "qa", "ask"]]
    assert all(line.endswith("Fumio Kishida") for line in lines[:2])
    assert lines[-1].startswith("qa ask") and "median" in lines[-1] and "over 2 runs" in lines[-1]


def test_a_failing_process_is_an_error():
    with pytest.raises(RuntimeError, match="failed"):
        cold_start.timed([sys.executable, "-c", "raise SystemExit(3)"])
