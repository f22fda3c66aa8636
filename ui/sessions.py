"""The chat sessions' private indexes: uploads rationed, indexes bounded in number and memory, idle ones dropped.

Gradio's own tools do not fit these bounds: ``gr.State(time_to_live=...)`` counts from the last write, not the
last use, and stretches to an hour once a tab closes; its session capacity evicts without calling
``delete_callback``, so uploaded files would stay. Sessions are therefore keyed by Gradio's session hash here, and
dropping one always deletes the files it uploaded (unless another live session sent the same file). Gradio's
``unload`` event (a tab's heartbeat connection closed) marks a session closed, and it goes a minute later unless it
is used again (a heartbeat that only reconnected); clients that send no heartbeat expire when idle.
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from index.errors import QAError
from ui.limits import MB, Limits

if TYPE_CHECKING:
    from qa.pipeline import QAPipeline

# Index memory per character of text and per chunk beyond its vector: an estimate, not an accounting, twice what
# tracemalloc showed for the document and its chunks' copies, so the keyword index is allowed as much again
# (the measurement is in the README's limits section).
BYTES_PER_CHARACTER = 4
BYTES_PER_CHUNK = 2048
GRADIO_FOLDER = re.compile(r"[0-9a-f]{64}")  # Gradio keeps each upload in a folder named by its SHA-256
ADOPT_WAIT = 3.0  # seconds a reloaded page waits for its old page's closing to reach the server
NOTES_KEPT = 1000  # why a session's index was dropped, told on its next question; oldest notes forgotten first


class UploadRefused(QAError):
    """An upload the limits do not allow now; the message is the one line the chat shows."""


@dataclass
class Session:
    """One session's private index, if any, and what it has uploaded (counts kept while the session lives)."""

    last_used: float
    pipeline: QAPipeline | None = None
    memory: int = 0  # the index's estimated bytes
    paths: set[str] = field(default_factory=set)  # uploaded files on disk, deleted with the session
    files_sent: int = 0
    bytes_sent: int = 0
    starts: deque[float] = field(default_factory=deque)  # when its recent indexing jobs started
    uploading: bool = False
    closed: bool = False  # its page's heartbeat connection closed: it expires after the shorter grace time


@dataclass(frozen=True)
class Held:
    """What the server holds now; logged when it changes and returned by the ``/status`` API."""

    sessions: int  # private indexes held
    memory: int  # their estimated bytes
    tracked: int  # sessions whose upload counts are kept
    indexing: int  # upload jobs admitted: indexing now or waiting for the indexer
    limits: Limits

    def line(self) -> str:
        return (
            f"{self.sessions} private index(es) held, about {self.memory / MB:.1f} MB "
            f"(at most {self.limits.sessions} and {self.limits.memory / MB:.0f} MB; "
            f"dropped after {_minutes(self.limits.idle_seconds)} unused)"
        )

    def to_dict(self) -> dict:
        return {
            "sessions": self.sessions,
            "memory_mb": round(self.memory / MB, 1),
            "tracked": self.tracked,
            "indexing": self.indexing,
            "limits": asdict(self.limits),
        }


def index_memory(pipeline: QAPipeline) -> int:
    """Estimated bytes of a session's index: vectors exactly, text and records by the measured rates above."""
    store = pipeline.retriever.store
    characters = sum(len(d.text) for d in store.documents.values()) + sum(len(c.text) for c in store.chunks)
    return BYTES_PER_CHARACTER * characters + len(store.chunks) * (4 * store.dimension + BYTES_PER_CHUNK)


def _log(line: str) -> None:
    print(f"qa serve: {line}", flush=True)


class SessionRegistry:
    """Every session's private index and upload counts, safe to use from Gradio's worker threads."""

    def __init__(
        self,
        limits: Limits,
        measure: Callable[[QAPipeline], int] = index_memory,
        clock: Callable[[], float] = time.monotonic,
        log: Callable[[str], None] = _log,
    ):
        self.limits = limits
        self._measure = measure
        self._clock = clock
        self._log = log
        self._lock = threading.Lock()
        self._closing = threading.Condition(self._lock)  # notified when a page closes, for ``adopt``
        self._sessions: OrderedDict[str, Session] = OrderedDict()  # least recently used first
        self._notes: OrderedDict[str, str] = OrderedDict()
        self._indexer = threading.Semaphore(limits.indexing_jobs)
        self._admitted = 0
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None

    def pipeline(self, session_id: str) -> QAPipeline | None:
        """The session's own pipeline, or None for the shared one; a question counts as use."""
        with self._lock:
            self._expire()
            session = self._sessions.get(session_id)
            if session is None:
                return None
            self._use(session_id, session)
            return session.pipeline

    def take_note(self, session_id: str) -> str | None:
        """Why this session's index was dropped, once: its next reply says so instead of silently changing source."""
        with self._lock:
            return self._notes.pop(session_id, None)

    @contextmanager
    def uploading(
        self, session_id: str, paths: Iterable[str], wait: Callable[[], None] | None = None
    ) -> Iterator[None]:
        """Admit one indexing job for ``session_id`` or raise ``UploadRefused``; the body runs when the indexer is free.

        ``wait`` is called when the job has to wait for another session's, so the user is told why.
        """
        paths = list(paths)
        with self._lock:
            self._expire()
            session = self._sessions.get(session_id) or Session(self._clock())
            self._admit(session, paths)
            self._sessions[session_id] = session
            self._use(session_id, session)
            self._count(session, paths)
            session.uploading = True
            self._admitted += 1
            self._bound_tracked()
        try:
            if not self._indexer.acquire(blocking=False):
                if wait is not None:
                    wait()
                self._indexer.acquire()
            try:
                yield
            finally:
                self._indexer.release()
        finally:
            with self._lock:
                session.uploading = False
                session.last_used = self._clock()
                self._admitted -= 1

    def hold(self, session_id: str, pipeline: QAPipeline) -> None:
        """Keep ``pipeline`` as the session's index, dropping the least recently used others to stay in bounds.

        An index too large to hold even alone is refused (``UploadRefused``) and the session keeps its old one.
        """
        memory = self._measure(pipeline)
        if memory > self.limits.memory:
            raise UploadRefused(
                f"These documents make an index of about {memory / MB:.1f} MB, more than the "
                f"{_mb(self.limits.memory)} this server keeps for all sessions together."
            )
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:  # dropped while indexing (the server is stopping): nobody is left to ask
                return
            session.pipeline, session.memory = pipeline, memory
            self._use(session_id, session)
            dropped = self._make_room(session_id)
            held = self._held()
        self._log(f"indexed an upload; {held.line()}" + (f"; {dropped} dropped to make room" if dropped else ""))

    def adopt(self, earlier_id: str, session_id: str, wait: float = ADOPT_WAIT) -> bool:
        """A reloaded page: its browser tab's earlier session (its id kept in the tab's sessionStorage) becomes
        ``session_id``, with its index, files, counts and any note, so the user's documents survive the reload.
        Returns whether there was such a session; one already dropped stays gone, and its note (why) is told on
        the reloaded page's next question.

        Gradio gives a reloaded page a new session id, and the old page's closing only marks its session closed
        (``close``), so within ``limits.closed_seconds`` it is still here to be taken over. Only a closed one is
        taken: a page still open (a duplicated tab carries its original's sessionStorage) keeps its documents,
        and the new page starts on its own. The old page's closing can reach the server just after the new page
        loads, so this waits up to ``wait`` seconds for it.
        """
        with self._lock:
            self._closing.wait_for(lambda: not self._open(earlier_id), timeout=wait)
            self._expire()
            if earlier_id == session_id or self._open(earlier_id):
                return False
            if earlier_id in self._notes:
                self._notes[session_id] = self._notes.pop(earlier_id)
            session = self._sessions.pop(earlier_id, None)
            if session is None:
                return False
            self._sessions[session_id] = session
            self._use(session_id, session)
            return True

    def release(self, session_id: str) -> bool:
        """The session's upload box was emptied: back to the shared documents, its files deleted. Returns whether
        it had any to let go."""
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None or session.pipeline is None and not session.paths:
                return False
            self._forget_index(session_id, session)
            held = self._held()
        self._log(f"a session went back to the shared documents; {held.line()}")
        return True

    def files(self, session_id: str) -> list[str]:
        """The files the session has uploaded and still holds (deleted ones gone), in name order."""
        with self._lock:
            session = self._sessions.get(session_id)
            paths = sorted(session.paths, key=os.path.basename) if session is not None else []
        return [path for path in paths if os.path.isfile(path)]

    def close(self, session_id: str) -> None:
        """The session's page closed its heartbeat connection: drop it after ``limits.closed_seconds`` unless used."""
        with self._lock:
            session = self._sessions.get(session_id)
            if session is not None:
                session.closed = True
                session.last_used = self._clock()
                self._closing.notify_all()

    def held(self) -> Held:
        with self._lock:
            self._expire()
            return self._held()

    def sweep(self) -> None:
        """Drop idle sessions now (the sweeper thread calls this; every other call does it too)."""
        with self._lock:
            self._expire()

    def start(self) -> None:
        """Sweep every ``limits.sweep_seconds`` in a daemon thread, so idle files go even when nobody calls."""
        if self._sweeper is None:
            self._sweeper = threading.Thread(target=self._sweep_until_closed, name="qa-session-sweeper", daemon=True)
            self._sweeper.start()

    def close_all(self) -> None:
        """Stop sweeping and drop every session with its files: the server is stopping."""
        self._stop.set()
        with self._lock:
            for session_id in list(self._sessions):
                self._delete(self._sessions.pop(session_id).paths)

    def _sweep_until_closed(self) -> None:
        while not self._stop.wait(self.limits.sweep_seconds):
            self.sweep()

    # Everything below runs with the lock held.

    def _open(self, session_id: str) -> bool:
        session = self._sessions.get(session_id)
        return session is not None and not session.closed

    def _admit(self, session: Session, paths: list[str]) -> None:
        limits, now = self.limits, self._clock()
        if session.uploading:
            raise UploadRefused("Your previous upload is still being indexed; wait for it to finish, then try again.")
        while session.starts and now - session.starts[0] >= 60:
            session.starts.popleft()
        if len(session.starts) >= limits.uploads_per_minute:
            wait = math.ceil(60 - (now - session.starts[0]))
            raise UploadRefused(
                f"Too many uploads: at most {limits.uploads_per_minute} a minute per session; try again in {wait} s."
            )
        new = [p for p in dict.fromkeys(paths) if p not in session.paths]
        if session.files_sent + len(new) > limits.files_per_session:
            raise UploadRefused(f"Too many files: at most {limits.files_per_session} per session.")
        size = session.bytes_sent + sum(_size(p) for p in new)
        if size > limits.bytes_per_session:
            raise UploadRefused(
                f"Too much uploaded: at most {_mb(limits.bytes_per_session)} per session "
                f"(this upload would make it {_mb(size)})."
            )
        if self._admitted >= limits.indexing_jobs + limits.indexing_waiting:
            raise UploadRefused("The server is busy indexing other users' documents; try again in a minute.")

    def _count(self, session: Session, paths: list[str]) -> None:
        new = [p for p in dict.fromkeys(paths) if p not in session.paths]
        session.files_sent += len(new)
        session.bytes_sent += sum(_size(p) for p in new)
        session.paths.update(new)
        session.starts.append(self._clock())

    def _use(self, session_id: str, session: Session) -> None:
        session.last_used, session.closed = self._clock(), False
        self._sessions.move_to_end(session_id)

    def _expire(self) -> None:
        now, limits = self._clock(), self.limits
        idle = [
            (session_id, session)
            for session_id, session in self._sessions.items()
            if not session.uploading
            and now - session.last_used > (limits.closed_seconds if session.closed else limits.idle_seconds)
        ]
        for session_id, session in idle:
            del self._sessions[session_id]
            self._delete(session.paths)
            if session.pipeline is not None:
                reason = "this page lost its connection to the server" if session.closed else ""
                self._note(session_id, reason or f"they were unused for {_minutes(limits.idle_seconds)}")
        if any(session.pipeline is not None for _, session in idle):
            self._log(f"dropped idle or closed session(s) and their files; {self._held().line()}")

    def _make_room(self, keep: str) -> int:
        """Drop the least recently used indexes until the bounds hold; returns how many were dropped."""
        dropped = 0
        for session_id, session in list(self._sessions.items()):
            held = self._held()
            if held.sessions <= self.limits.sessions and held.memory <= self.limits.memory:
                break
            if session_id != keep and session.pipeline is not None and not session.uploading:  # its files are read now
                self._forget_index(session_id, session)
                if held.sessions > self.limits.sessions:
                    self._note(session_id, f"the server keeps at most {self.limits.sessions} sessions' documents")
                else:
                    self._note(
                        session_id, f"the server keeps at most {_mb(self.limits.memory)} of all sessions' indexes"
                    )
                dropped += 1
        return dropped

    def _bound_tracked(self) -> None:
        """Forget the upload counts of the least recently used sessions without an index beyond the tracked limit."""
        extra = len(self._sessions) - self.limits.tracked_sessions
        for session_id, session in list(self._sessions.items()):
            if extra <= 0:
                return
            if session.pipeline is None and not session.uploading:
                del self._sessions[session_id]
                self._delete(session.paths)
                extra -= 1

    def _forget_index(self, session_id: str, session: Session) -> None:
        session.pipeline, session.memory = None, 0
        paths, session.paths = session.paths, set()
        self._delete(paths)

    def _delete(self, paths: Iterable[str]) -> None:
        """Delete uploaded files that no live session still holds (Gradio stores identical uploads once)."""
        in_use = set().union(*(s.paths for s in self._sessions.values()))
        for path in set(paths) - in_use:
            try:
                os.remove(path)
                folder = os.path.dirname(path)
                if GRADIO_FOLDER.fullmatch(os.path.basename(folder)):
                    os.rmdir(folder)  # Gradio's folder for this one upload (named by its hash), now empty
            except OSError:
                pass

    def _note(self, session_id: str, reason: str) -> None:
        self._notes[session_id] = reason
        while len(self._notes) > NOTES_KEPT:
            self._notes.popitem(last=False)

    def _held(self) -> Held:
        indexes = [s for s in self._sessions.values() if s.pipeline is not None]
        return Held(len(indexes), sum(s.memory for s in indexes), len(self._sessions), self._admitted, self.limits)


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:  # the loader reports a missing file with its own message
        return 0


def _mb(size: int) -> str:
    return f"{size / MB:.3g} MB"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} min"
