import pytest

from eval.tools import run_main
from index.errors import QAError


def _raise(error: Exception):
    def main():
        raise error

    return main


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (QAError("questions.json: no such file"), "eval.tools.tune_reading: error: questions.json: no such file\n"),
        (KeyError("oops"), "eval.tools.tune_reading: internal error"),
    ],
)
def test_a_tool_fails_in_one_line_for_bad_input_and_with_a_traceback_for_a_bug(capsys, error, expected):
    with pytest.raises(SystemExit) as stop:
        run_main("/x/eval/tools/tune_reading.py", _raise(error))
    assert stop.value.code == 1
    err = capsys.readouterr().err
    if isinstance(error, QAError):
        assert err == expected
    else:
        assert "Traceback" in err and expected in err


def test_a_tool_that_finishes_exits_0():
    with pytest.raises(SystemExit) as stop:
        run_main("bench.py", lambda: None)
    assert stop.value.code == 0


def test_an_evaluation_script_outside_the_tools_is_named_as_it_is_run(capsys):
    with pytest.raises(SystemExit):
        run_main("/repo/eval/followups.py", _raise(QAError("pairs.json: no such file")))
    assert capsys.readouterr().err == "eval.followups: error: pairs.json: no such file\n"
