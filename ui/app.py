"""The chat page over one shared pipeline: per-session history and uploads, the ``/answer`` and ``/status`` APIs.

Gradio is imported at module level because this module is the Gradio app;
only ``qa serve`` and the screenshot script import it, so ``qa ask`` and the
library never pay for it.
"""

from collections.abc import Sequence
from functools import partial

import gradio as gr

from index.errors import QAError
from index.loaders import MAX_BYTES, SUPPORTED_TYPES
from index.records import Document
from qa.answer import cite
from qa.confidence import ConfidenceLevels
from qa.conversation import CHAIN, Turn, follow_up
from qa.inputs import check_threshold, check_top_k
from qa.pipeline import QAPipeline, QuestionError
from ui.inflight import InFlight, tracked
from ui.library import index_at_low_priority, read_uploads
from ui.limits import DEFAULT_LIMITS
from ui.render import notice_html, question_html, reply_html, sources_html
from ui.sessions import SessionRegistry, UploadRefused

API_NAME = "answer"
UPLOAD_API = "upload"  # the upload box's event: undocumented, but any HTTP client can call it, so it is rationed
STATUS_API = "status"
EXAMPLES = (
    "Who is the Prime Minister of Japan?",
    "How many Russian troops are stationed on the disputed islands?",
    "What is the combined stake of Mitsui and Mitsubishi in the Sakhalin project?",
    "What is the population of the Kuril Islands?",
)
MAX_TOP_K = 10
UPLOAD_LABEL = f"Your documents: {' '.join(SUPPORTED_TYPES)}, {MAX_BYTES // (1024 * 1024)} MB each"
INTRO = (
    "Ask a question; the answer is quoted from the documents, with how sure the reader is and where it stands. "
    "When the documents do not say, the bot says so. Upload your own files to ask about them: "
    "they are indexed for your session only."
)

DROPPED = "Your documents were dropped:"
ANSWERING_SHARED = "Answers now come from the shared documents."
UPLOAD_AGAIN = "Upload them again to ask about them."

Message = dict  # a Gradio chat message: {"role": ..., "content": ...}

# The page's own styles, passed to ``launch`` (Gradio 6 takes them there). The highlight's colours are fixed, not
# the theme's: in dark mode the theme's light text on the browser's yellow <mark> cannot be read.
CSS = """
#chat .qa-reply mark { background-color: #ffe27a; color: #1b1b1b; padding: 0 0.1em; border-radius: 2px; }
#chat .qa-follows { font-size: 0.85em; margin-bottom: 0.25em; }
"""

# After a reply: its first lines (the quote or what the document says, then the confidence) at the top of the chat,
# below the chat's label (48 px), and the chat's top on screen. Gradio's autoscroll (off: it ran after this and
# undid it) shows the end of a long reply, and on a phone the quote sits above the screen. Every assistant message
# is one block (``ui.render``), but Gradio renders the Markdown a moment after the event ends, so this waits (at
# most 5 s) until the page holds as many blocks as the chat has assistant messages.
SHOW_REPLY = """
(messages) => {
  const expected = (messages || []).filter((m) => m.role === 'assistant').length;
  const started = Date.now();
  const scrolls = (node) =>
    node.scrollHeight > node.clientHeight && /(auto|scroll)/.test(getComputedStyle(node).overflowY);
  const show = () => {
    const blocks = document.querySelectorAll('#chat .qa-reply, #chat .qa-notice');
    if (!expected || blocks.length < expected) {
      if (expected && Date.now() - started < 5000) setTimeout(show, 50);
      return;
    }
    const last = blocks[blocks.length - 1];
    const lead = last.firstElementChild || last;
    let chat = last.parentElement;
    while (chat && !scrolls(chat)) chat = chat.parentElement;
    if (chat) chat.scrollTop += lead.getBoundingClientRect().top - chat.getBoundingClientRect().top - 48;
    const meta = last.querySelector('.qa-meta');
    if (meta) meta.scrollIntoView({block: 'nearest'});
    lead.scrollIntoView({block: 'nearest'});
  };
  setTimeout(show, 50);
}
"""


class Chat:
    """The page's event handlers. Models live in ``shared``; each session's own index lives in ``sessions``."""

    def __init__(self, shared: QAPipeline, sessions: SessionRegistry, in_flight: InFlight | None = None):
        self.shared = shared
        self.sessions = sessions
        self.in_flight = in_flight or InFlight()  # what a stopping server waits for (ui.server)

    @tracked
    def respond(
        self,
        question: str,
        history: list[Message],
        top_k: float,
        threshold: float,
        turns: list[Turn],
        request: gr.Request,
    ) -> tuple[list[Message], str, str, list[Turn]]:
        """One chat turn. A question the pipeline refuses gets its reason as the reply, never an error popup, and
        stays in the box to be corrected.

        ``turns`` is this browser session's conversation (a ``gr.State``: each session has its own, and "Clear
        chat" empties it); a follow-up is read in its light, and the answered turn is added to it. If the
        session's documents were dropped since its last turn, the reply says so first, and the sources panel
        goes back to the shared documents.
        """
        session = self.sessions.pipeline(request.session_hash)
        note = self.sessions.take_note(request.session_hash)
        turn = [_message("user", question_html(question))] if question.strip() else []
        if note is not None:
            turn.append(_message("assistant", notice_html(f"{DROPPED} {note}. {ANSWERING_SHARED} {UPLOAD_AGAIN}")))
            turns = []  # the earlier answers stood in documents no longer asked
        pipeline = session or self.shared
        try:
            result = pipeline.run(question, top_k=int(top_k), threshold=threshold, history=turns)
        except QuestionError as error:
            reply, kept = notice_html(str(error)), question
        else:
            follow = follow_up(question, turns)
            result = cite(result, _documents(pipeline))
            reply = reply_html(result, ConfidenceLevels.of(pipeline), follow.previous.question if follow else None)
            kept, turns = "", [*turns, Turn.from_result(result)][-CHAIN:]
        sources = self.sources(session) if note is not None else gr.skip()
        return [*history, *turn, _message("assistant", reply)], kept, sources, turns

    @tracked
    def respond_example(
        self,
        history: list[Message],
        top_k: float,
        threshold: float,
        turns: list[Turn],
        selected: gr.SelectData,
        request: gr.Request,
    ) -> tuple[list[Message], str, str, list[Turn]]:
        return self.respond(selected.value["text"], history, top_k, threshold, turns, request)

    @tracked
    def load(
        self,
        paths: list[str] | None,
        history: list[Message],
        request: gr.Request,
        progress: gr.Progress = gr.Progress(track_tqdm=True),
    ) -> tuple[list[Message], str, list[Turn]]:
        """Index the files now in the upload box for this session; an empty box returns to the shared documents.

        An upload the limits refuse gets one message saying why, and the session keeps what it had indexed. The
        conversation starts over either way: a follow-up must not be read in a passage of other documents.
        """
        session_id = request.session_hash
        if not paths:
            self.sessions.release(session_id)
            lines = ["No uploaded documents: answering from the shared documents again."]
        else:
            try:
                waiting = partial(progress, 0, desc="Waiting for other users' uploads to be indexed")
                with self.sessions.uploading(session_id, paths, wait=waiting):
                    lines = self._index(session_id, paths, progress)
            except UploadRefused as refusal:
                kept = self._kept(session_id)
                lines = [f"{refusal} {kept[0].upper()}{kept[1:]}."]
        session = self.sessions.pipeline(session_id)
        return [*history, _message("assistant", notice_html(*lines))], self.sources(session), []

    def _index(self, session_id: str, paths: list[str], progress: gr.Progress) -> list[str]:
        progress(0, desc="Reading files")
        uploads = read_uploads(paths)
        if not uploads.documents:
            return [*uploads.errors, f"No document could be read, so {self._kept(session_id)}."]
        progress(0.1, desc=f"Indexing {len(uploads.documents)} document(s)")
        self.sessions.hold(session_id, index_at_low_priority(uploads.documents, self.shared))
        names = ", ".join(d.name for d in uploads.documents)
        return [f"Indexed {names}: answers now come from your documents only.", *uploads.errors]

    def _kept(self, session_id: str) -> str:
        """What the session answers from after a refused upload: nothing it had is lost."""
        session = self.sessions.pipeline(session_id)
        if session is None:
            return "answers still come from the shared documents"
        return f"answers still come from your documents: {', '.join(_documents(session))}"

    def forget(self, request: gr.Request) -> None:
        """The tab closed or reloaded: its index and uploaded files go within a minute, not an hour later."""
        self.sessions.close(request.session_hash)

    def status(self) -> dict:
        """What the server holds: private indexes, their estimated memory, upload jobs admitted, and the limits."""
        return self.sessions.held().to_dict()

    def sources(self, session: QAPipeline | None) -> str:
        return sources_html(list(_documents(session or self.shared)), own=session is not None)

    @tracked
    def answer(self, question: str, top_k: int | None = None, threshold: float | None = None) -> dict:
        """Answer from the server's documents. Returns the Result as JSON; "answer" is null when they do not say.

        top_k: passages to read (1-10, default the server's); threshold: abstain below this confidence
        (default: the calibrated one). A question that cannot be taken raises an error with the reason.
        """
        try:
            top_k = None if top_k is None else check_top_k(top_k, "top_k", MAX_TOP_K)
            threshold = None if threshold is None else check_threshold(threshold)
            result = self.shared.run(question, top_k=top_k, threshold=threshold)
            return cite(result, _documents(self.shared)).to_dict()
        except QAError as error:  # a bad question or setting: its reason, not Gradio's generic failure
            raise gr.Error(str(error)) from None


def build_app(
    shared: QAPipeline,
    examples: Sequence[str] = EXAMPLES,
    sessions: SessionRegistry | None = None,
    in_flight: InFlight | None = None,
) -> gr.Blocks:
    """The page and the API over ``shared``; call ``queue()`` and ``launch()`` on the result.

    ``examples`` are offered on the first screen: questions about the shared documents (none for an unknown index).
    ``sessions`` holds the sessions' own indexes (default: a new registry with the default limits); whoever
    serves the app calls its ``close_all()`` when the server stops. ``in_flight`` counts the requests being
    answered or indexed, for the server to let them finish when it stops.
    """
    if sessions is None:
        sessions = SessionRegistry(DEFAULT_LIMITS)
    sessions.start()
    chat = Chat(shared, sessions, in_flight)
    # Uploaded files are private documents: Gradio's copies are deleted after an hour (checked every 10 minutes).
    with gr.Blocks(title="Ask the document", delete_cache=(600, 3600)) as app:
        gr.Markdown(f"# Ask the document\n{INTRO}")
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    elem_id="chat",
                    label="Chat",
                    height=560,
                    examples=[{"text": example} for example in examples] or None,
                    placeholder="Try one of these questions, or type your own below." if examples else None,
                    latex_delimiters=[],  # documents quote prices in dollars; "$" must stay text
                    autoscroll=False,  # scrolled to the reply's top instead (SHOW_REPLY), not to a long reply's end
                    feedback_options=None,
                    buttons=["copy", "copy_all"],  # no "share": it would post the chat to Hugging Face
                )
                question = gr.Textbox(
                    elem_id="question",
                    show_label=False,
                    placeholder="Ask a question and press Enter",
                    submit_btn="Ask",
                    autofocus=True,
                )
                turns = gr.State([])  # this session's conversation, for follow-ups (server-side, one per session)
                gr.ClearButton([chatbot, question, turns], value="Clear chat")
            with gr.Column(scale=1):
                sources = gr.HTML(chat.sources(None), elem_id="sources")
                files = gr.File(
                    label=UPLOAD_LABEL,
                    file_count="multiple",
                    file_types=list(SUPPORTED_TYPES),  # the picker offers only what can be read
                    type="filepath",
                    elem_id="uploads",
                )
                with gr.Accordion("Settings", open=False):
                    top_k = gr.Slider(
                        1, MAX_TOP_K, value=shared.top_k, step=1, label="Passages to read (top-k)", elem_id="top-k"
                    )
                    threshold = gr.Slider(
                        0.0,
                        1.0,
                        value=shared.default_threshold,
                        step=0.01,
                        label="Abstention threshold",
                        elem_id="threshold",
                        info="Below this confidence the bot says the documents do not answer (default: calibrated).",
                    )
        settings = [top_k, threshold]
        for event in (
            question.submit(
                chat.respond,
                [question, chatbot, *settings, turns],
                [chatbot, question, sources, turns],
                concurrency_id=API_NAME,
                api_visibility="private",
            ),
            chatbot.example_select(
                chat.respond_example,
                [chatbot, *settings, turns],
                [chatbot, question, sources, turns],
                concurrency_id=API_NAME,
                api_visibility="private",
            ),
        ):
            event.then(None, [chatbot], None, js=SHOW_REPLY, api_visibility="private")
        uploaded = files.change(
            chat.load,
            [files, chatbot],
            [chatbot, sources, turns],
            api_name=UPLOAD_API,
            # Jobs past the limits are refused inside at once; only admitted ones ever wait, for the one indexer.
            concurrency_limit=sessions.limits.indexing_concurrency,
            show_progress_on=sources,
            api_visibility="undocumented",
        )
        uploaded.then(None, [chatbot], None, js=SHOW_REPLY, api_visibility="private")
        app.unload(chat.forget)
        gr.api(chat.answer, api_name=API_NAME, concurrency_id=API_NAME)
        gr.api(chat.status, api_name=STATUS_API, queue=False)  # answers even when the queue is full
    return app


def _documents(pipeline: QAPipeline) -> dict[str, Document]:
    """The documents ``pipeline`` answers from, by name."""
    return pipeline.retriever.store.documents


def _message(role: str, content: str) -> Message:
    return {"role": role, "content": content}
