"""A bounded loopback load test: 8 concurrent clients get exactly the answers one client gets, with no error.

Run with ``-s`` to see the figures (q/s, p50/p95, the server's memory before and after).
"""

import pytest

from ui.load import bundled_questions, main, reference_answers, rss_mib, run_clients

pytestmark = pytest.mark.models


def test_eight_concurrent_clients_get_the_single_client_answers(local_server):
    questions = bundled_questions()
    reference = reference_answers(local_server.url, questions)
    before = rss_mib(local_server.pid)

    run = run_clients(local_server.url, questions, reference, clients=8)

    after = rss_mib(local_server.pid)
    print(f"\n{run.line()}; server RSS {before:.0f} -> {after:.0f} MiB")
    assert run.errors == []
    assert run.wrong == []
    assert len(run.latencies) == 8 * len(questions)
    # the reference is mostly answers, so that "the same answers" means something (17 of 24 with sitting 22)
    assert sum(text is not None for text in reference.values()) >= 2 * len(questions) // 3


def test_load_script_prints_every_figure_on_a_small_run(local_server, capsys):
    status = main(
        ["--url", local_server.url, "--pid", str(local_server.pid), "--clients", "2", "--limit", "3"]
        + ["--upload-bytes", "30000"]
    )
    out = capsys.readouterr().out
    assert status == 0, out
    assert "2 client(s): 6 questions in" in out and "0 error(s), 0 wrong answer(s)" in out
    assert "server RSS" in out and "MiB before" in out
    assert "answer p50 idle" in out and "x bound" in out
    assert "the upload: Indexed upload-30000.txt" in out
