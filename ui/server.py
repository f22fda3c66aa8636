"""``qa serve``: load the models once, then serve the chat page and the API on one port."""

from __future__ import annotations

import signal
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from qa.reader import DEFAULT_PRECISION, ExtractiveReader  # importing qa sets the offline environment first
from qa.verifier import DEFAULT_UNANSWERABLE_SHARE

if TYPE_CHECKING:
    from ui.inflight import InFlight

CONCURRENCY = 2  # answers computed at once: reading is CPU-bound, so more would only slow each one down
QUEUE_SIZE = 64  # waiting requests beyond this are turned away instead of waiting for minutes
# The transport's limit, a guard for the server's disk. Files up to it reach the loader, whose 5 MB
# per-document limit is then explained in the chat; only larger ones get Gradio's own upload error.
MAX_UPLOAD = "50mb"
DRAIN_SECONDS = 10  # on stopping, how long requests being answered or indexed get to finish


def serve(
    host: str = "127.0.0.1",
    port: int = 7860,
    index_dir: str | Path | None = None,
    precision: str = DEFAULT_PRECISION,
    ray_address: str | None = None,
    replicas: int = 2,
    unanswerable_share: float = DEFAULT_UNANSWERABLE_SHARE,
) -> None:
    """Serve the documents in ``index_dir`` (default: the bundled article) until interrupted.

    With ``ray_address`` the questions about them are answered by ``replicas`` replicas on that Ray cluster
    (``qa.ray_serving``); this process keeps the page, the sessions and their own uploads.
    """
    from qa.pipeline import QAPipeline
    from ui.app import EXAMPLES, build_app
    from ui.inflight import InFlight
    from ui.limits import DEFAULT_LIMITS
    from ui.overview import example_questions
    from ui.page import CSS
    from ui.sessions import SessionRegistry

    if ray_address is None:
        reader = ExtractiveReader(precision=precision)
        pipeline = QAPipeline.from_index(index_dir, reader=reader, unanswerable_share=unanswerable_share)
        concurrency = CONCURRENCY
    else:
        from qa.ray_serving import serve_on_ray

        pipeline = serve_on_ray(index_dir, precision, ray_address, replicas, unanswerable_share=unanswerable_share)
        concurrency = max(CONCURRENCY, 2 * replicas)  # the reading is done by the replicas
    pipeline.warm_up()  # load before the first visitor arrives, not during their first question
    # The written examples ask about the bundled article; another index gets questions built from its documents.
    documents = list(pipeline.retriever.store.documents.values())
    examples = EXAMPLES if index_dir is None else example_questions(documents)
    sessions = SessionRegistry(DEFAULT_LIMITS)
    in_flight = InFlight()
    app = build_app(pipeline, examples, sessions, in_flight)
    app.queue(default_concurrency_limit=concurrency, max_size=QUEUE_SIZE)
    _, url, _ = app.launch(
        server_name=host,
        server_port=port,
        share=False,
        quiet=True,
        prevent_thread_lock=True,
        max_file_size=MAX_UPLOAD,
        run_history=False,  # a shared machine's browser should not keep other people's questions
        footer_links=["api"],
        css=CSS,  # Gradio 6 takes the page's styles here, not in Blocks
    )
    where = "" if ray_address is None else f" with {replicas} replica(s) on Ray"
    print(f"qa serve: answering from {index_dir or 'the bundled article'}{where} at {url}", flush=True)
    print(f"qa serve: sessions' own uploads: {sessions.held().line()}", flush=True)
    stop = partial(_stop, in_flight)
    signal.signal(signal.SIGTERM, stop)  # kill, docker stop and systemd stop as Ctrl-C does
    signal.signal(signal.SIGINT, stop)
    try:
        app.block_thread()  # until interrupted: the server stops, and Gradio deletes the files it was sent
    finally:
        sessions.close_all()  # the private indexes and their files, whatever Gradio's cache cleanup missed
        if ray_address is not None:
            from qa.ray_serving import stop_serving

            stop_serving(pipeline)  # a cluster that outlives this server gets its replicas' CPUs back
    print("qa serve: stopped; uploaded files deleted", flush=True)


def _stop(in_flight: InFlight, signum: int, frame: object) -> None:
    """SIGTERM and Ctrl-C: take no new requests, let those in flight finish (up to ``DRAIN_SECONDS``), then raise
    the KeyboardInterrupt that ``block_thread`` turns into a clean shutdown.

    Python's default for SIGTERM ends the process at once: requests in flight are reset and the uploads stay in
    Gradio's temporary folder. This way every way of stopping the server finishes and cleans up alike.
    """
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal while draining must not cut it short
    signal.signal(signal.SIGINT, signal.default_int_handler)  # but a second Ctrl-C still stops at once
    running = in_flight.count
    print(f"qa serve: stopping; {running} request(s) in flight, given up to {DRAIN_SECONDS} s", flush=True)
    finished = in_flight.stop(DRAIN_SECONDS)
    if running:
        print(f"qa serve: {'they finished' if finished else 'some did not finish in time'}", flush=True)
        time.sleep(1)  # their replies are on their way to the clients
    raise KeyboardInterrupt
