"""The requests a server is working on, so that stopping it lets them finish instead of cutting them off."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import gradio as gr

STOPPING = "The server is stopping; try again in a moment."

F = TypeVar("F", bound=Callable)


class InFlight:
    """Counts the event handlers running now; once ``stop`` is called, new ones are turned away with a message."""

    def __init__(self) -> None:
        self._count = 0
        self._stopping = False
        self._changed = threading.Condition()

    @property
    def count(self) -> int:
        with self._changed:
            return self._count

    @contextmanager
    def track(self) -> Iterator[None]:
        with self._changed:
            if self._stopping:
                raise gr.Error(STOPPING)
            self._count += 1
        try:
            yield
        finally:
            with self._changed:
                self._count -= 1
                self._changed.notify_all()

    def stop(self, timeout: float) -> bool:
        """Take no new requests and wait up to ``timeout`` seconds for those running; True if they all finished."""
        with self._changed:
            self._stopping = True
            return self._changed.wait_for(lambda: self._count == 0, timeout)


def tracked(method: F) -> F:
    """A handler method counted in its object's ``in_flight`` (signature kept, for Gradio's introspection)."""

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        with self.in_flight.track():
            return method(self, *args, **kwargs)

    return run  # type: ignore[return-value]
