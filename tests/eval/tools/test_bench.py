"""The benchmark times a second reader in the same run, question by question, beside the default system."""

import pytest

from eval.tools import bench
from qa.modeling import SHIPPED_READER


@pytest.mark.models
def test_against_times_a_second_reader_beside_the_default(monkeypatch, capsys):
    monkeypatch.setattr(bench, "SETTINGS", bench.SETTINGS[:1])  # the default system only, to keep the test short
    bench.main(["--repeat", "1", "--against", str(SHIPPED_READER)])
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("[")]
    assert [row.split("]")[0] for row in rows] == ["[default", f"[default, reader {SHIPPED_READER}"]
    f1s = [row.split("dev F1 ")[1].split()[0] for row in rows]
    assert f1s[0] == f1s[1]  # the same weights answer the same, whichever turn they take
    assert all("total p50" in row for row in rows)
