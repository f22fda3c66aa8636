"""Every bound the web chat puts on one session and on the server, in one place.

One client must not lock the others out (issue 11): uploads are rationed per session, indexing runs one job at a
time with a short waiting line, and the private indexes the server holds are bounded in number and memory and
expire when idle. ``README.md`` ("Limits of the web chat") describes these defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The chat's limits; the defaults are what ``qa serve`` uses, tests pass small ones."""

    uploads_per_minute: int = 4  # indexing jobs one session may start in any 60 s
    files_per_session: int = 20  # distinct files one session may send for indexing, in all
    bytes_per_session: int = 25 * MB  # their total size: five documents at the loader's 5 MB limit
    indexing_jobs: int = 1  # jobs indexing at once, server-wide: indexing is CPU-bound and answers need the cores too
    indexing_waiting: int = 2  # jobs that may wait for the indexer; more are refused at once instead of queueing
    sessions: int = 20  # private indexes held at once; the least recently used is dropped to make room
    memory: int = 1024 * MB  # their estimated total memory; the same rule
    idle_seconds: float = 30 * 60  # a private index unused this long is dropped, heartbeat or not
    closed_seconds: float = 60  # a session whose page closed is dropped this long after, unless it comes back
    sweep_seconds: float = 30  # how often idle sessions are looked for when nobody uses the server
    tracked_sessions: int = 1000  # sessions whose upload counts are remembered (they cost a few hundred bytes each)

    @property
    def indexing_concurrency(self) -> int:
        """Gradio's concurrency for upload events: more than can block (indexing or waiting), so refusals are quick.

        An upload event that cannot start waits in Gradio's one queue, shared with answers; this way the only
        events that ever wait there are the few admitted ones, and a flood of uploads is refused in milliseconds
        instead of filling the queue that answers need.
        """
        return self.indexing_jobs + self.indexing_waiting + 4


DEFAULT_LIMITS = Limits()
