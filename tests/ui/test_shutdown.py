"""SIGTERM stops ``qa serve`` as Ctrl-C does: requests in flight finish, the exit is clean, and the files users
uploaded are deleted."""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest

from ui.local_server import free_port

pytestmark = pytest.mark.models


@contextmanager
def served(tmp_path):
    """A ``qa serve`` process on a free port, its URL once it answers; killed if the test left it running."""
    import httpx

    port = free_port()
    env = {**os.environ, "GRADIO_TEMP_DIR": str(tmp_path / "gradio")}
    command = [sys.executable, "-m", "qa.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 300
        while True:
            assert process.poll() is None, process.stdout.read()
            try:
                httpx.get(url, timeout=5)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "qa serve did not come up"
                time.sleep(1)
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_sigterm_stops_the_server_cleanly_and_deletes_uploads(tmp_path):
    import httpx

    with served(tmp_path) as (process, url):
        response = httpx.post(f"{url}gradio_api/upload", files={"files": ("notes.txt", b"Private notes.")}, timeout=30)
        (uploaded,) = response.json()
        assert os.path.isfile(uploaded)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "qa serve: stopped; uploaded files deleted" in output
    assert "Traceback" not in output
    assert not os.path.exists(uploaded)


def test_sigterm_lets_an_upload_being_indexed_finish(tmp_path):
    from gradio_client import Client, handle_file

    document = tmp_path / "harbour.txt"
    # Large enough to be seen being indexed, small enough to finish within the server's drain time (10 s) on a slow
    # CPU: 2,000 sentences took longer than that on an AVX2-only machine.
    sentences = [f"Pier {i} of the harbour was rebuilt in {1900 + i % 100} by crew {i}." for i in range(600)]
    document.write_text(" ".join(sentences), encoding="utf-8")
    with served(tmp_path) as (process, url):
        client = Client(url, verbose=False)
        job = client.submit([handle_file(str(document))], [], "replace", api_name="/upload")
        deadline = time.monotonic() + 120
        while client.predict(api_name="/status")["indexing"] == 0:  # until the upload is being worked on
            assert not job.done(), "the upload finished before it could be seen in flight; make it larger"
            assert time.monotonic() < deadline, "the upload never started"
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        messages, _ = job.result(timeout=120)  # answered, not reset
        output, _ = process.communicate(timeout=60)
    assert "Indexed harbour.txt" in str(messages[-1]["content"])
    assert process.returncode == 0, output
    assert "qa serve: stopping; 1 request(s) in flight" in output and "they finished" in output
