"""SIGTERM stops ``qa serve`` as Ctrl-C does: a clean exit, and the files users uploaded are deleted."""

import os
import signal
import subprocess
import sys
import time

import pytest

from ui.local_server import free_port

pytestmark = pytest.mark.models


def test_sigterm_stops_the_server_cleanly_and_deletes_uploads(tmp_path):
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
        response = httpx.post(f"{url}gradio_api/upload", files={"files": ("notes.txt", b"Private notes.")}, timeout=30)
        (uploaded,) = response.json()
        assert os.path.isfile(uploaded)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, output
    assert "qa serve: stopped; uploaded files deleted" in output
    assert "Traceback" not in output
    assert not os.path.exists(uploaded)
