import threading
import time

import gradio as gr
import pytest

from ui.inflight import STOPPING, InFlight


def test_stop_waits_for_running_requests_then_turns_new_ones_away():
    in_flight, started, release = InFlight(), threading.Event(), threading.Event()

    def request():
        with in_flight.track():
            started.set()
            release.wait(5)

    worker = threading.Thread(target=request)
    worker.start()
    started.wait(5)
    assert in_flight.count == 1
    assert in_flight.stop(0.05) is False  # still running
    threading.Timer(0.1, release.set).start()
    began = time.monotonic()
    assert in_flight.stop(5) is True and time.monotonic() - began < 4
    worker.join(5)
    with pytest.raises(gr.Error, match=STOPPING), in_flight.track():
        pass
