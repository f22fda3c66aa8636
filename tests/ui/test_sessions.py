"""Sessions' private indexes: uploads rationed, indexes bounded and expired, their files deleted with them."""

import hashlib
import threading
from types import SimpleNamespace

import pytest

from ui.limits import MB, Limits
from ui.sessions import SessionRegistry, UploadRefused


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


def registry(clock, lines=None, **limits) -> SessionRegistry:
    """Pipelines here are stand-ins whose ``size`` is their memory."""
    log = [].append if lines is None else lines.append
    return SessionRegistry(Limits(**limits), measure=lambda p: p.size, clock=clock, log=log)


def upload(tmp_path, name: str, size: int = 10) -> str:
    """A file where Gradio puts an upload: in a folder of its own, named by a SHA-256."""
    folder = tmp_path / hashlib.sha256(name.encode()).hexdigest()
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(b"x" * size)
    return str(path)


def exists(tmp_path, name: str) -> bool:
    return (tmp_path / hashlib.sha256(name.encode()).hexdigest() / name).exists()


def admit(sessions: SessionRegistry, session_id: str, paths: list[str]) -> None:
    """An upload job that indexes nothing: only the admission is tested."""
    with sessions.uploading(session_id, paths):
        pass


def index(sessions: SessionRegistry, session_id: str, paths: list[str], size: int = 1) -> SimpleNamespace:
    pipeline = SimpleNamespace(size=size)
    with sessions.uploading(session_id, paths):
        sessions.hold(session_id, pipeline)
    return pipeline


def test_idle_session_is_dropped_with_its_files_and_told_why(tmp_path, clock):
    lines = []
    sessions = registry(clock, lines, idle_seconds=60)
    mine, theirs = upload(tmp_path, "mine.txt"), upload(tmp_path, "theirs.txt")
    index(sessions, "a", [mine])
    index(sessions, "b", [theirs])

    clock.now += 50
    assert sessions.pipeline("b") is not None  # a question counts as use
    clock.now += 20
    sessions.sweep()

    assert sessions.pipeline("a") is None
    assert sessions.take_note("a") == "they were unused for 1 min"
    assert sessions.take_note("a") is None  # told once
    assert not exists(tmp_path, "mine.txt")
    assert exists(tmp_path, "theirs.txt") and sessions.pipeline("b") is not None
    assert sessions.held().sessions == 1
    assert "dropped idle" in lines[-1] and "1 private index(es) held" in lines[-1]


def test_session_indexing_is_never_expired_midway(tmp_path, clock):
    sessions = registry(clock, idle_seconds=60)
    with sessions.uploading("a", [upload(tmp_path, "slow.txt")]):
        clock.now += 600
        sessions.sweep()
        sessions.hold("a", SimpleNamespace(size=1))
    assert sessions.pipeline("a") is not None


def test_least_recently_used_index_makes_room_when_too_many(tmp_path, clock):
    sessions = registry(clock, sessions=2)
    for name in "ab":
        index(sessions, name, [upload(tmp_path, f"{name}.txt")])
        clock.now += 1
    sessions.pipeline("a")  # a is used after b: b is now the least recently used
    index(sessions, "c", [upload(tmp_path, "c.txt")])

    assert sessions.pipeline("b") is None and "at most 2 sessions" in sessions.take_note("b")
    assert not exists(tmp_path, "b.txt")
    assert sessions.pipeline("a") is not None and sessions.pipeline("c") is not None
    assert sessions.held().sessions == 2


def test_memory_bound_drops_older_indexes(tmp_path, clock):
    sessions = registry(clock, memory=100)
    index(sessions, "a", [upload(tmp_path, "a.txt")], size=60)
    index(sessions, "b", [upload(tmp_path, "b.txt")], size=30)
    index(sessions, "c", [upload(tmp_path, "c.txt")], size=50)

    assert [sessions.pipeline(s) is not None for s in "abc"] == [False, True, True]
    assert sessions.held().memory == 80
    assert "at most 9.54e-05 MB of all sessions' indexes" in sessions.take_note("a")  # the bound that was passed


def test_index_too_large_to_hold_is_refused_and_the_old_one_kept(tmp_path, clock):
    sessions = registry(clock, memory=100)
    old = index(sessions, "a", [upload(tmp_path, "a.txt")], size=10)
    with pytest.raises(UploadRefused, match="more than the"):
        index(sessions, "a", [upload(tmp_path, "huge.txt")], size=101)
    assert sessions.pipeline("a") is old


def test_a_file_another_session_still_holds_is_not_deleted(tmp_path, clock):
    sessions = registry(clock)
    same = upload(tmp_path, "same.txt")  # Gradio stores identical uploads once, at one path
    index(sessions, "a", [same])
    index(sessions, "b", [same])
    sessions.release("a")
    assert exists(tmp_path, "same.txt")
    sessions.release("b")
    assert not exists(tmp_path, "same.txt")


def test_closed_page_is_dropped_after_a_grace_unless_it_comes_back(tmp_path, clock):
    sessions = registry(clock, closed_seconds=60, idle_seconds=1800)
    index(sessions, "a", [upload(tmp_path, "a.txt")])
    sessions.close("a")  # a heartbeat that only reconnected: the page asks again within the minute
    clock.now += 30
    assert sessions.pipeline("a") is not None
    clock.now += 300
    sessions.sweep()
    assert sessions.pipeline("a") is not None  # back in use: the idle time applies again

    sessions.close("a")
    clock.now += 61
    sessions.sweep()
    assert sessions.pipeline("a") is None and sessions.take_note("a") == "this page lost its connection to the server"
    assert not exists(tmp_path, "a.txt")


def test_emptied_upload_box_goes_back_to_shared_documents(tmp_path, clock):
    sessions = registry(clock)
    index(sessions, "a", [upload(tmp_path, "a.txt")])
    sessions.release("a")
    assert sessions.pipeline("a") is None and sessions.held().sessions == 0
    assert not exists(tmp_path, "a.txt")


def test_close_drops_everything(tmp_path, clock):
    sessions = registry(clock)
    index(sessions, "a", [upload(tmp_path, "a.txt")])
    index(sessions, "b", [upload(tmp_path, "b.txt")])
    other = tmp_path / "other"
    other.mkdir()
    (other / "c.txt").write_text("not in a folder of Gradio's")
    index(sessions, "c", [str(other / "c.txt")])
    sessions.close_all()
    assert sessions.held().sessions == 0 and list(tmp_path.iterdir()) == [other]  # Gradio's folders went too
    assert list(other.iterdir()) == []


def test_uploads_per_minute(tmp_path, clock):
    sessions = registry(clock, uploads_per_minute=2)
    kept = index(sessions, "a", [upload(tmp_path, "1.txt")])
    clock.now += 10
    kept = index(sessions, "a", [upload(tmp_path, "2.txt")])
    clock.now += 10
    with pytest.raises(UploadRefused, match=r"at most 2 a minute per session; try again in 40 s"):
        index(sessions, "a", [upload(tmp_path, "3.txt")])
    assert sessions.pipeline("a") is kept  # nothing lost
    index(sessions, "b", [upload(tmp_path, "b.txt")])  # another session is not held back
    clock.now += 41
    index(sessions, "a", [upload(tmp_path, "3.txt")])


def test_files_and_bytes_per_session(tmp_path, clock):
    sessions = registry(clock, files_per_session=3, bytes_per_session=MB)
    first = [upload(tmp_path, "1.txt", 4 * MB // 10), upload(tmp_path, "2.txt", 4 * MB // 10)]
    index(sessions, "a", first)
    kept = index(sessions, "a", first)  # the same files again (the box re-sends them) count once
    with pytest.raises(UploadRefused, match=r"at most 1 MB per session \(this upload would make it 1.1 MB\)"):
        index(sessions, "a", [*first, upload(tmp_path, "3.txt", 3 * MB // 10)])
    assert sessions.pipeline("a") is kept
    with pytest.raises(UploadRefused, match="at most 3 per session"):
        index(sessions, "a", [upload(tmp_path, f"{n}.txt", 1) for n in range(4, 6)])


def test_one_indexing_job_per_session_and_a_short_line_for_the_indexer(tmp_path, clock):
    sessions = registry(clock, indexing_jobs=1, indexing_waiting=1)
    waited = threading.Event()
    release = threading.Event()

    def first():
        with sessions.uploading("a", [upload(tmp_path, "a.txt")]):
            release.wait(10)

    def second():
        with sessions.uploading("b", [upload(tmp_path, "b.txt")], wait=waited.set):
            pass

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    while sessions.held().indexing < 1:
        threading.Event().wait(0.01)
    threads[1].start()
    assert waited.wait(10)  # b waits for the indexer, and is told so
    with pytest.raises(UploadRefused, match="still being indexed"):
        admit(sessions, "a", [upload(tmp_path, "a2.txt")])
    with pytest.raises(UploadRefused, match="busy indexing other users"):
        admit(sessions, "c", [upload(tmp_path, "c.txt")])
    release.set()
    for thread in threads:
        thread.join(10)
    assert sessions.held().indexing == 0
    admit(sessions, "c", [upload(tmp_path, "c.txt")])  # the line is free again


def test_sessions_without_an_index_are_forgotten_beyond_the_tracked_bound(tmp_path, clock):
    sessions = registry(clock, tracked_sessions=3, uploads_per_minute=1)
    for n in range(5):
        admit(sessions, f"s{n}", [])
    assert sessions.held().tracked == 3
    admit(sessions, "s0", [])  # forgotten, so its count starts again
    with pytest.raises(UploadRefused):
        admit(sessions, "s4", [])


def test_status_reports_what_is_held(tmp_path, clock):
    sessions = registry(clock, sessions=5)
    index(sessions, "a", [upload(tmp_path, "a.txt")], size=3 * 1024 * 1024)
    status = sessions.held().to_dict()
    assert (status["sessions"], status["memory_mb"], status["tracked"], status["indexing"]) == (1, 3.0, 1, 0)
    assert status["limits"]["sessions"] == 5


def test_sweeper_thread_expires_without_any_call(tmp_path):
    sessions = SessionRegistry(Limits(idle_seconds=0.2, sweep_seconds=0.05), measure=lambda p: 1, log=[].append)
    path = upload(tmp_path, "a.txt")
    with sessions.uploading("a", [path]):
        sessions.hold("a", object())
    sessions.start()
    try:
        for _ in range(100):
            if not exists(tmp_path, "a.txt"):
                break
            threading.Event().wait(0.05)
        assert not exists(tmp_path, "a.txt")
    finally:
        sessions.close_all()


def test_a_reloaded_page_takes_over_its_earlier_session_with_its_files(tmp_path, clock):
    sessions = registry(clock, closed_seconds=60, idle_seconds=600)
    mine = upload(tmp_path, "mine.txt")
    pipeline = index(sessions, "before-reload", [mine])
    sessions.close("before-reload")  # the old page's heartbeat closed
    clock.now += 30

    assert sessions.adopt("before-reload", "after-reload")

    assert sessions.pipeline("after-reload") is pipeline and sessions.pipeline("before-reload") is None
    assert sessions.files("after-reload") == [mine] and sessions.files("before-reload") == []
    clock.now += 599  # in use again: the closed page's grace no longer applies, the idle limit does
    assert sessions.pipeline("after-reload") is pipeline
    assert exists(tmp_path, "mine.txt")
    assert not sessions.adopt("before-reload", "third")  # taken once: a second page cannot take it too
    assert not sessions.adopt("never-seen", "third") and sessions.pipeline("third") is None


def test_a_reload_after_the_session_was_dropped_keeps_nothing_but_says_why(tmp_path, clock):
    sessions = registry(clock, closed_seconds=60)
    index(sessions, "before-reload", [upload(tmp_path, "mine.txt")])
    sessions.close("before-reload")
    clock.now += 61

    assert not sessions.adopt("before-reload", "after-reload")

    assert sessions.pipeline("after-reload") is None and not exists(tmp_path, "mine.txt")
    assert sessions.take_note("after-reload") == "this page lost its connection to the server"


def test_a_page_still_open_keeps_its_session_and_one_closing_meanwhile_is_taken_over(tmp_path, clock):
    sessions = registry(clock)
    pipeline = index(sessions, "original", [upload(tmp_path, "mine.txt")])

    assert not sessions.adopt("original", "duplicated-tab", wait=0.05)  # its page is open: it keeps its documents
    assert sessions.pipeline("original") is pipeline and sessions.pipeline("duplicated-tab") is None

    threading.Timer(0.1, sessions.close, ["original"]).start()  # the old page's closing arrives after the new load
    assert sessions.adopt("original", "reloaded", wait=5)
    assert sessions.pipeline("reloaded") is pipeline
