"""Load figures for the chat's API, on loopback only: ``python -m ui.load``.

Issue 11 asks that concurrent clients get the answers one client gets, with no errors, and that another user's
answers stay within 1.5x of their idle latency while a 5 MB upload is indexed. This prints those figures:

1. every question of the bundled dev set asked once by one client: the reference answers;
2. ``--clients`` clients asking them all at once, ``--rounds`` times each: errors, answers that differ from the
   reference, questions per second, p50/p95 latency, and the server's resident memory before and after;
3. one client's p50 idle, then while another session's ``--upload-bytes`` document is indexed, and their ratio.

It starts its own ``qa serve`` on a free loopback port, or measures ``--url`` (memory only with its ``--pid``).
The exit status is 1 when any answer failed or differed from the reference.
"""

from __future__ import annotations

import argparse
import html
import math
import re
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from index.loaders import MAX_BYTES
from qa.corpus import BUNDLED_ARTICLE, BUNDLED_QUESTIONS
from qa.squad import load_examples
from qa.timings import percentile
from ui.local_server import started_server
from ui.render import message_text

BOUND = 1.5  # issue 11: another user's p50 while a 5 MB upload indexes, relative to idle


@dataclass
class LoadRun:
    """What concurrent clients got: one latency per answered question, and what went wrong."""

    clients: int
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        asked = len(self.latencies) + len(self.errors)
        return (
            f"{self.clients} client(s): {asked} questions in {self.seconds:.1f} s, "
            f"{asked / self.seconds:.1f} q/s, p50 {percentile(self.latencies, 50) * 1000:.0f} ms, "
            f"p95 {percentile(self.latencies, 95) * 1000:.0f} ms, "
            f"{len(self.errors)} error(s), {len(self.wrong)} wrong answer(s)"
        )


@dataclass(frozen=True)
class IndexingRun:
    """One user's answer latency idle and while another session's upload is indexed."""

    idle_p50: float
    busy_p50: float
    asked_while_indexing: int
    index_seconds: float
    upload_bytes: int
    notice: str

    @property
    def ratio(self) -> float:
        return self.busy_p50 / self.idle_p50

    def line(self) -> str:
        verdict = "within" if self.ratio <= BOUND else "OVER"
        return (
            f"answer p50 idle {self.idle_p50 * 1000:.0f} ms; while a {self.upload_bytes / 1e6:.1f} MB upload "
            f"indexed ({self.index_seconds:.1f} s, {self.asked_while_indexing} questions) "
            f"{self.busy_p50 * 1000:.0f} ms: {self.ratio:.2f}x, {verdict} the {BOUND}x bound"
        )


def bundled_questions() -> list[str]:
    """The bundled dev set's questions, answerable and not, in file order."""
    return [example.question for example in load_examples(BUNDLED_QUESTIONS)]


def answer_text(client, question: str) -> str | None:
    """The answer's text, or None when the server abstains."""
    answer = client.predict(question, api_name="/answer")["answer"]
    return None if answer is None else answer["text"]


def reference_answers(url: str, questions: Sequence[str]) -> dict[str, str | None]:
    """What one client alone gets: the answers every concurrent client must get too."""
    client = _client(url)
    return {question: answer_text(client, question) for question in questions}


def run_clients(
    url: str, questions: Sequence[str], reference: dict[str, str | None], clients: int = 8, rounds: int = 1
) -> LoadRun:
    """``clients`` threads, each its own gradio_client session, ask every question ``rounds`` times at once."""
    run = LoadRun(clients)
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)

    def client_thread(n: int) -> None:
        client = _client(url)
        ready.wait()
        for round_ in range(rounds):
            for i in range(len(questions)):
                question = questions[(i + n + round_) % len(questions)]  # clients start at different questions
                start = time.perf_counter()
                try:
                    text = answer_text(client, question)
                except Exception as error:  # noqa: BLE001 - any failure is counted, and the run goes on
                    with lock:
                        run.errors.append(f"{question}: {error}")
                    continue
                with lock:
                    run.latencies.append(time.perf_counter() - start)
                    if text != reference[question]:
                        run.wrong.append(f"{question}: {text!r}, alone {reference[question]!r}")

    threads = [threading.Thread(target=client_thread, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - start
    return run


def while_indexing(url: str, questions: Sequence[str], upload_bytes: int, folder: Path) -> IndexingRun:
    """One user's p50 over ``questions`` idle, then while another session's upload of ``upload_bytes`` indexes."""
    from gradio_client import handle_file

    asker, uploader = _client(url), _client(url)
    idle = []
    for question in questions:
        idle.append(_timed(asker, question))
    document = write_document(folder / f"upload-{upload_bytes}.txt", upload_bytes)
    start = time.perf_counter()
    job = uploader.submit([handle_file(str(document))], [], "replace", api_name="/upload")
    while asker.predict(api_name="/status")["indexing"] == 0 and not job.done():
        time.sleep(0.05)  # the upload has reached the server and is being read or indexed
    busy = []
    while not job.done():
        busy.append(_timed(asker, questions[len(busy) % len(questions)]))
    messages, _ = job.result()
    seconds = time.perf_counter() - start
    return IndexingRun(percentile(idle, 50), percentile(busy, 50), len(busy), seconds, upload_bytes, notice(messages))


def write_document(path: Path, size: int) -> Path:
    """An English document of ``size`` bytes: the bundled article's paragraphs, numbered, over and over."""
    paragraphs = [p for p in BUNDLED_ARTICLE.read_text(encoding="utf-8").split("\n") if p.strip()]
    parts, total, n = [], 0, 0
    while total < size:
        part = f"Part {n}. {paragraphs[n % len(paragraphs)]}\n\n"
        parts.append(part)
        total += len(part.encode("utf-8"))
        n += 1
    path.write_bytes("".join(parts).encode("utf-8")[:size].decode("utf-8", "ignore").encode("utf-8"))
    return path


def notice(messages: list[dict]) -> str:
    """The text of the chat's last message, without its HTML (Gradio sends the content as a list of parts)."""
    return html.unescape(re.sub(r"<[^>]*>", " ", message_text(messages[-1]))).strip()


def rss_mib(pid: int) -> float:
    """Resident memory of process ``pid`` in MiB, from Linux's /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no VmRSS for process {pid}")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    questions = bundled_questions()[: args.limit]
    with ExitStack() as stack:
        if args.url is None:
            server = stack.enter_context(started_server())
            url, pid = server.url, server.pid
        else:
            url, pid = args.url, args.pid
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        reference = reference_answers(url, questions)
        before = rss_mib(pid) if pid else math.nan
        single = run_clients(url, questions, reference, clients=1, rounds=args.rounds)
        many = run_clients(url, questions, reference, clients=args.clients, rounds=args.rounds)
        after = rss_mib(pid) if pid else math.nan
        print(f"ui.load: {url}, {len(questions)} questions x {args.rounds} round(s) per client")
        print(f"ui.load: {single.line()}")
        print(f"ui.load: {many.line()}")
        print(f"ui.load: server RSS {before:.0f} MiB before, {after:.0f} MiB after")
        for problem in (*many.errors, *many.wrong)[:10]:
            print(f"ui.load:   {problem}")
        if args.upload_bytes:
            indexing = while_indexing(url, questions, args.upload_bytes, folder)
            print(f"ui.load: {indexing.line()}")
            print(f"ui.load: the upload: {indexing.notice}")
            print(f"ui.load: server RSS {rss_mib(pid) if pid else math.nan:.0f} MiB after the upload")
    return 1 if single.errors or many.errors or single.wrong or many.wrong else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ui.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server (default: start qa serve on a free loopback port)")
    parser.add_argument("--pid", type=int, help="the --url server's process id, for its memory")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--rounds", type=int, default=1, help="times each client asks every question (default 1)")
    parser.add_argument("--limit", type=int, default=None, help="ask only the first N questions")
    parser.add_argument(
        "--upload-bytes",
        type=int,
        default=MAX_BYTES - 1024,
        help="size of the document indexed while another user asks (default: just under 5 MB; 0 skips it)",
    )
    return parser


def _client(url: str):
    from gradio_client import Client

    return Client(url, verbose=False)


def _timed(client, question: str) -> float:
    start = time.perf_counter()
    answer_text(client, question)
    return time.perf_counter() - start


if __name__ == "__main__":
    from qa.cli import guarded

    sys.exit(guarded("ui.load", main))
