"""The chat's limits over HTTP, as any client meets them: the upload event is callable by gradio_client, as by a
browser or a script, so each test uploads through it against a server with small limits."""

import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from glob import glob
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from gradio_client import Client, handle_file

from ui.app import Chat, build_app
from ui.limits import MB, Limits
from ui.load import notice as last_notice
from ui.local_server import HOST, free_port
from ui.server import CONCURRENCY
from ui.sessions import SessionRegistry

pytestmark = [pytest.mark.models, pytest.mark.filterwarnings(r"ignore:::gradio\.queueing")]  # pandas 3 in Gradio

KISHIDA = "Who is the Prime Minister of Japan?"
SENTENCES = (
    "The Zorblax festival is held every summer in Quentin Bay. ",
    "It was founded in 1987 by a group of fishermen who wanted to celebrate the first catch of the season. ",
    "Visitors eat grilled mackerel and watch boat races in the harbour. ",
)


@contextmanager
def serving(shared, limits: Limits, queue_size: int = 64) -> Iterator[tuple[str, SessionRegistry]]:
    """The chat in this process with ``limits``, so each test can make its own small ones."""
    sessions = SessionRegistry(limits, log=[].append)
    app = build_app(shared, (), sessions).queue(default_concurrency_limit=CONCURRENCY, max_size=queue_size)
    port = free_port()
    app.launch(server_name=HOST, server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://{HOST}:{port}/", sessions
    finally:
        app.close()
        sessions.close_all()


def document(tmp_path: Path, characters: int = 2000) -> Path:
    """A text file under a name no other test uses, so its copy in Gradio's folder can be found."""
    name = f"notes-{uuid.uuid4().hex}.txt"
    text = "".join(SENTENCES) * (characters // len("".join(SENTENCES)) + 1)
    path = tmp_path / name
    path.write_text(text[:characters], encoding="utf-8")
    return path


def upload(client: Client, *paths: Path) -> tuple[str, str]:
    """The last chat message (text of the notice) and the sources panel after an upload."""
    messages, sources = client.predict([handle_file(str(p)) for p in paths], [], "replace", api_name="/upload")
    return last_notice(messages), sources


def copies(path: Path) -> list[str]:
    """Gradio's copies of an uploaded file on the server's disk."""
    import gradio.utils

    return glob(str(Path(gradio.utils.get_upload_folder()) / "*" / path.name))


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_refused_upload_says_why_and_keeps_what_was_indexed(article_pipeline, tmp_path):
    with serving(article_pipeline, Limits(uploads_per_minute=1)) as (url, _):
        client = Client(url, verbose=False)
        first, second = document(tmp_path), document(tmp_path)
        notice, sources = upload(client, first)
        assert f"Indexed {first.name}" in notice and first.name in sources

        notice, sources = upload(client, first, second)

        assert "Too many uploads: at most 1 a minute per session" in notice
        assert f"Answers still come from your documents: {first.name}." in notice
        assert first.name in sources and second.name not in sources and "article.txt" not in sources
        other, _ = upload(Client(url, verbose=False), second)  # another session is not held back
        assert f"Indexed {second.name}" in other


def test_bytes_per_session(article_pipeline, tmp_path):
    with serving(article_pipeline, Limits(bytes_per_session=MB // 100)) as (url, _):
        client = Client(url, verbose=False)
        notice, _ = upload(client, document(tmp_path, 6000))
        assert "Indexed" in notice
        notice, _ = upload(client, document(tmp_path, 6000))
        limit, made = re.search(
            r"Too much uploaded: at most ([\d.]+) MB per session \(this upload would make it ([\d.]+) MB\)", notice
        ).groups()
        assert float(limit) == round(MB // 100 / MB, 4) and float(made) == round(12_000 / MB, 4) > float(limit)


def test_second_upload_of_a_session_while_it_indexes_is_refused(article_pipeline, tmp_path):
    with serving(article_pipeline, Limits()) as (url, sessions):
        client = Client(url, verbose=False)
        long = document(tmp_path, 200_000)
        job = client.submit([handle_file(str(long))], [], "replace", api_name="/upload")
        wait_for(lambda: sessions.held().indexing == 1)

        notice, _ = upload(client, document(tmp_path))

        assert "Your previous upload is still being indexed" in notice
        messages, sources = job.result(timeout=600)
        assert f"Indexed {long.name}" in last_notice(messages) and long.name in sources


def test_a_flood_of_uploads_leaves_answers_flowing(article_pipeline, tmp_path):
    """Three clients send an upload every 100 ms into a queue of 16: refused at once, they never fill it.

    Without the limits each upload waited in the queue for the one indexer (a second or more each), so it was full
    within two seconds and answers were turned away.
    """
    limits = Limits(uploads_per_minute=100, files_per_session=100, indexing_waiting=1)
    with serving(article_pipeline, limits, queue_size=16) as (url, _):
        flooders = [Client(url, verbose=False) for _ in range(3)]
        asker = Client(url, verbose=False)
        jobs = []
        answers = []
        for n in range(30):
            jobs.append(
                flooders[n % 3].submit(
                    [handle_file(str(document(tmp_path, 20_000)))], [], "replace", api_name="/upload"
                )
            )
            time.sleep(0.1)
            if n % 5 == 0:
                answers.append(asker.submit(KISHIDA, api_name="/answer"))
        texts = [answer.result(timeout=600)["answer"]["text"] for answer in answers]
        notices = [last_notice(job.result(timeout=600)[0]) for job in jobs]
    assert texts == ["Fumio Kishida"] * len(answers)
    refused = [n for n in notices if "still being indexed" in n or "busy indexing" in n]
    assert len(refused) >= 20 and all("Indexed" in n for n in notices if n not in refused)


def test_idle_api_client_expires_with_its_files(article_pipeline, tmp_path):
    limits = Limits(idle_seconds=2, sweep_seconds=0.2)
    with serving(article_pipeline, limits) as (url, _):
        client = Client(url, verbose=False)
        mine = document(tmp_path)
        upload(client, mine)
        assert client.predict(api_name="/status")["sessions"] == 1
        assert copies(mine)

        wait_for(lambda: client.predict(api_name="/status")["sessions"] == 0, timeout=30)

        assert copies(mine) == []


def test_closing_the_page_drops_its_index_soon(article_pipeline, tmp_path):
    with serving(article_pipeline, Limits(closed_seconds=0.5, sweep_seconds=0.2)) as (url, _):
        client = Client(url, verbose=False)
        mine = document(tmp_path)
        with httpx.stream("GET", f"{url}gradio_api/heartbeat/{client.session_hash}", timeout=30) as heartbeat:
            alive = heartbeat.iter_lines()
            assert next(alive) == "data: ALIVE"  # the page's heartbeat is open, as in a browser tab
            upload(client, mine)
            assert client.predict(api_name="/status")["sessions"] == 1
        wait_for(lambda: client.predict(api_name="/status")["sessions"] == 0, timeout=30)
        assert copies(mine) == []


def test_status_reports_sessions_memory_and_limits(article_pipeline, tmp_path):
    with serving(article_pipeline, Limits(sessions=3)) as (url, _):
        client = Client(url, verbose=False)
        upload(client, document(tmp_path, 20_000))
        status = client.predict(api_name="/status")
    assert status["sessions"] == 1 and 0 < status["memory_mb"] < 5
    assert status["limits"]["sessions"] == 3 and status["indexing"] == 0


def test_next_question_after_expiry_says_the_documents_were_dropped(article_pipeline, tmp_path):
    now = [0.0]
    sessions = SessionRegistry(Limits(idle_seconds=60), clock=lambda: now[0], log=[].append)
    chat = Chat(article_pipeline, sessions)
    request = SimpleNamespace(session_hash="mine")
    settings = (3, article_pipeline.default_threshold)
    festival = document(tmp_path)
    chat.load([str(festival)], [], "replace", request, progress=lambda *args, **kwargs: None)
    history, _, _, turns = chat.respond("Where is the Zorblax festival held?", [], *settings, [], request)
    assert "Quentin Bay" in history[-1]["content"]

    now[0] += 61
    history, _, sources, turns = chat.respond(KISHIDA, [], *settings, turns, request)

    assert "Your documents were dropped: they were unused for 1 min." in history[-2]["content"]
    assert "Fumio Kishida" in history[-1]["content"]
    assert "article.txt" in sources and festival.name not in sources
    assert not festival.exists()  # the uploaded file went with the index
    assert [turn.question for turn in turns] == [KISHIDA]  # the conversation about the dropped documents ended
