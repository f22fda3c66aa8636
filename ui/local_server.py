"""``qa serve`` in a child process on a free loopback port, for the tests and the screenshot script."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it), so parallel runs never collide on 7860."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class LocalServer:
    """A running ``qa serve``: where it answers, and its process id (the load figures read its memory)."""

    url: str
    pid: int


@contextmanager
def running_server(index_dir: str | Path | None = None, timeout: float = 600.0) -> Iterator[str]:
    """Start ``qa serve``, yield its URL once the page answers, stop it on exit."""
    with started_server(index_dir, timeout) as server:
        yield server.url


@contextmanager
def started_server(
    index_dir: str | Path | None = None, timeout: float = 600.0, options: Sequence[str] = ()
) -> Iterator[LocalServer]:
    """Start ``qa serve`` (with ``options``, such as ``--ray``), yield it once the page answers, stop it on exit.

    Output goes to a temporary file rather than a pipe (a full pipe would stall
    the server); if the server dies or never answers, its output is in the error.
    """
    port = free_port()
    url = f"http://{HOST}:{port}/"
    command = [sys.executable, "-m", "qa.cli", "serve", "--host", HOST, "--port", str(port)]
    if index_dir is not None:
        command += ["--index", str(index_dir)]
    command += list(options)
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(url, process, log, timeout)
            yield LocalServer(url, process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(url: str, process: subprocess.Popen, log, timeout: float) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback never goes through a proxy
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"qa serve exited with status {process.returncode}:\n{_tail(log)}")
        try:
            with opener.open(url, timeout=5):
                return
        except OSError:
            time.sleep(1)
    raise TimeoutError(f"qa serve did not answer at {url} within {timeout:.0f} s:\n{_tail(log)}")


def _tail(log, size: int = 4000) -> str:
    log.seek(0)
    return log.read().decode("utf-8", "replace")[-size:]
