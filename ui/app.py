"""The chat page over one shared pipeline: per-session history and uploads, the ``/answer`` and ``/status`` APIs.

Gradio is imported at module level because this module is the Gradio app;
only ``qa serve`` and the screenshot script import it, so ``qa ask`` and the
library never pay for it.
"""

import os
import re
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
from ui.elsewhere import with_other_documents
from ui.inflight import InFlight, tracked
from ui.library import index_at_low_priority, read_uploads
from ui.limits import DEFAULT_LIMITS
from ui.overview import Summary
from ui.page import (
    EARLIER_SESSION,
    FORGET_CONVERSATION,
    KEEP_CONVERSATION,
    KEEP_SESSION,
    KEPT_MESSAGES,
    OPEN_LINKS,
    SHOW_MARK,
    SHOW_REPLY,
)
from ui.render import message_text, notice_html, question_html, reply_html, sources_html, viewer_html
from ui.sessions import SessionRegistry

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

ADD, REPLACE = "add", "replace"
UPLOAD_MODES = [("Add them to the shared documents", ADD), ("Ask only them (replace the shared ones)", REPLACE)]
SOURCES_LISTED = 20  # documents described in the side panel; more are counted
NAMED_IN_CHAT = 3  # documents named on the empty chat
GONE = "That document is no longer loaded here: it was one of the shared documents or an earlier upload."

DROPPED = "Your documents were dropped:"
ANSWERING_SHARED = "Answers now come from the shared documents."
UPLOAD_AGAIN = "Upload them again to ask about them."

Message = dict  # a Gradio chat message: {"role": ..., "content": ...}


class Chat:
    """The page's event handlers. Models live in ``shared``; each session's own index lives in ``sessions``."""

    def __init__(
        self,
        shared: QAPipeline,
        sessions: SessionRegistry,
        in_flight: InFlight | None = None,
        examples: Sequence[str] = (),
    ):
        self.shared = shared
        self.sessions = sessions
        self.in_flight = in_flight or InFlight()  # what a stopping server waits for (ui.server)
        self.examples = list(examples)  # questions about the shared documents, offered on the empty chat

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
            if not turn and history and message_text(history[-1]) == reply:  # an empty box sent again: said already
                return history, kept, gr.skip(), turns
        else:
            follow = follow_up(question, turns)
            if follow is None:  # a follow-up was read in its own light, which another document's reading lacks
                result = with_other_documents(pipeline, result)
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
        mode: str,
        request: gr.Request,
        progress: gr.Progress = gr.Progress(track_tqdm=True),
    ) -> tuple[list[Message], str, list[Turn]]:
        """Index the files now in the upload box for this session, added to the shared documents or instead of
        them (``mode``): after an upload, a file removed, or the add-or-replace choice changed. An emptied box
        returns to the shared documents; with nothing uploaded, the choice just waits for the first upload.

        An upload the limits refuse gets one message saying why, and the session keeps what it had indexed. The
        conversation starts over either way: a follow-up must not be read in a passage of other documents.
        """
        session_id = request.session_hash
        if not paths:
            if not self.sessions.release(session_id):
                return gr.skip(), gr.skip(), gr.skip()
            lines = ["No uploaded documents: answering from the shared documents again."]
        else:
            try:
                waiting = partial(progress, 0, desc="Waiting for other users' uploads to be indexed")
                with self.sessions.uploading(session_id, paths, wait=waiting):
                    lines = self._index(session_id, paths, mode == ADD, progress)
            except QAError as refusal:  # UploadRefused among them
                kept = self._kept(session_id)
                lines = [f"{refusal} {kept[0].upper()}{kept[1:]}."]
        session = self.sessions.pipeline(session_id)
        return [*history, _message("assistant", notice_html(*lines))], self.sources(session), []

    def _index(self, session_id: str, paths: list[str], add: bool, progress: gr.Progress) -> list[str]:
        progress(0, desc="Reading files")
        uploads = read_uploads(paths, taken=_documents(self.shared) if add else ())
        if not uploads.documents:
            return [*uploads.errors, f"No document could be read, so {self._kept(session_id)}."]
        progress(0.1, desc=f"Indexing {len(uploads.documents)} document(s)")
        self.sessions.hold(session_id, index_at_low_priority(uploads.documents, self.shared, add))
        names = ", ".join(d.name for d in uploads.documents)
        source = "the shared documents and yours" if add else "your documents only"
        return [f"Indexed {names}: answers now come from {source}.", *uploads.errors]

    def resume(
        self, earlier_session: str, kept: object, request: gr.Request
    ) -> tuple[str, str, str, list[str], dict, list[Turn]]:
        """The page (re)loaded: take over the tab's earlier session, if it had one, so the uploads survive a
        reload, and show the conversation the tab kept (``remember``) again. Returns the new session id for the
        tab to keep, the side panel, the add-or-replace choice the documents were indexed with, their files,
        back in the upload box (setting it is no upload: nothing is indexed again), the chat (its messages, and
        the empty chat's welcome for those documents) and the turns a follow-up leans on."""
        session_id = request.session_hash
        session = self.sessions.pipeline(session_id) if self.sessions.adopt(earlier_session, session_id) else None
        messages, turns = self._kept_conversation(kept, session)
        shown = {"value": messages} if messages else {}
        if session is None:
            return session_id, gr.skip(), gr.skip(), gr.skip(), gr.update(**shown) if shown else gr.skip(), turns
        files = self._held_files(session_id, session)
        return (
            session_id,
            self.sources(session),
            self._mode_of(session),
            files,
            {**self.welcome(session), **shown},
            turns,
        )

    def remember(self, history: list[Message], turns: list[Turn]) -> dict:
        """The conversation as the tab keeps it across a reload: its latest messages, and the turns a follow-up
        leans on (none once the chat is cleared)."""
        messages = [_message(m["role"], message_text(m)) for m in history][-KEPT_MESSAGES:]
        return {"messages": messages, "turns": [turn.to_dict() for turn in turns] if messages else []}

    def _kept_conversation(self, kept: object, session: QAPipeline | None) -> tuple[list[Message], list[Turn]]:
        """The messages and turns of a conversation kept by ``remember``. It comes from the browser, so what is
        not in that form is left out rather than refused, and each turn's passage is cut again from the
        documents now asked (``Turn.from_dict``)."""
        if not isinstance(kept, dict) or not isinstance(kept.get("messages"), list):
            return [], []
        messages = [
            _message(m["role"], m["content"])
            for m in kept["messages"]
            if isinstance(m, dict) and m.get("role") in ("user", "assistant") and isinstance(m.get("content"), str)
        ][-KEPT_MESSAGES:]
        stored = kept.get("turns") if messages and isinstance(kept.get("turns"), list) else []
        documents = _documents(session or self.shared)
        turns = [turn for turn in (Turn.from_dict(t, documents) for t in stored[-CHAIN:]) if turn is not None]
        return messages, turns

    def loaded(self, request: gr.Request) -> tuple[list[str], dict, str]:
        """After an upload: the upload box holds only the files the session answers from, so that a file that
        could not be read is said once and does not come back with the next upload; the empty chat's welcome
        names the documents now asked; and the viewer is closed, as its document may no longer be asked."""
        session = self.sessions.pipeline(request.session_hash)
        return self._held_files(request.session_hash, session), self.welcome(session), ""

    def _held_files(self, session_id: str, session: QAPipeline | None) -> list[str]:
        """The session's uploaded files that it answers from (none when it answers from the shared documents)."""
        if session is None:
            return []
        documents = _documents(session)
        return [path for path in self.sessions.files(session_id) if os.path.basename(path) in documents]

    def view(self, opened: gr.EventData, request: gr.Request) -> str:
        """The viewer: the document a link names, from this session's own documents (or the shared ones when it
        has none), at the link's offsets; nothing of another session's can be opened."""
        pipeline = self.sessions.pipeline(request.session_hash) or self.shared
        document = _documents(pipeline).get(str(getattr(opened, "source", "")))
        try:
            start, end = int(getattr(opened, "start", 0)), int(getattr(opened, "end", 0))
        except (TypeError, ValueError):
            start = end = 0
        return notice_html(GONE) if document is None else viewer_html(document, start, end)

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
        """The side panel: whose documents are answered from, and what each is about."""
        if session is None:
            heading = "Shared documents:"
        elif self._mode_of(session) == ADD:
            heading = "Shared documents and yours (yours for this session only):"
        else:
            heading = "Your documents (this session only):"
        documents = list(_documents(session or self.shared).values())
        summaries = [Summary.of(document) for document in documents[:SOURCES_LISTED]]
        more = len(documents) - len(summaries)
        return sources_html(summaries, heading + (f" ({more} more not listed)" if more > 0 else ""))

    def _mode_of(self, session: QAPipeline) -> str:
        """How a session's uploads were indexed: with every shared document, or instead of them."""
        return ADD if _documents(self.shared).keys() <= _documents(session).keys() else REPLACE

    def placeholder(self, session: QAPipeline | None = None) -> str:
        """The empty chat: which documents are asked (described in the side panel) and how to start."""
        names = list(_documents(session or self.shared))
        shown = ", ".join(f"**{_markdown_text(name)}**" for name in names[:NAMED_IN_CHAT])
        more = f" and {len(names) - NAMED_IN_CHAT} more" if len(names) > NAMED_IN_CHAT else ""
        offered = self.offered(session)
        start = "Try one of these questions, or type your own below." if offered else "Type a question below."
        about = "what they are about" if len(names) > 1 else "what it is about"
        return f"Answering from {shown}{more} ({about} is beside the chat). {start}"

    def welcome(self, session: QAPipeline | None) -> dict:
        """The empty chat's welcome for the session's documents: the example questions only while the shared
        documents are asked, since they are about those."""
        return gr.update(placeholder=self.placeholder(session), examples=self.offered(session))

    def offered(self, session: QAPipeline | None) -> list[dict]:
        """The example questions the empty chat offers a session (as the chat takes them)."""
        asks_shared = session is None or self._mode_of(session) == ADD
        return [{"text": example} for example in self.examples] if asks_shared else []

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
    chat = Chat(shared, sessions, in_flight, examples)
    # Uploaded files are private documents: Gradio's copies are deleted after an hour (checked every 10 minutes).
    with gr.Blocks(title="Ask the document", delete_cache=(600, 3600)) as app:
        gr.Markdown(f"# Ask the document\n{INTRO}")
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    elem_id="chat",
                    label="Chat",
                    show_label=False,  # a floating "Chat" label covered the first line of a scrolled reply
                    height=560,
                    examples=chat.offered(None) or None,
                    placeholder=chat.placeholder(),
                    latex_delimiters=[],  # documents quote prices in dollars; "$" must stay text
                    autoscroll=False,  # scrolled to the reply's top instead (SHOW_REPLY), not to a long reply's end
                    group_consecutive_messages=False,  # a notice is its own bubble, not part of the last reply
                    feedback_options=None,
                    buttons=["copy", "copy_all"],  # no "share": it would post the chat to Hugging Face
                )
                question = gr.Textbox(
                    elem_id="question",
                    label="Your question",  # hidden, but what a screen reader announces
                    show_label=False,
                    placeholder="Ask a question and press Enter",
                    submit_btn="Ask",
                    autofocus=True,
                )
                turns = gr.State([])  # this session's conversation, for follow-ups (server-side, one per session)
                clear = gr.ClearButton([chatbot, question, turns], value="Clear chat")
                clear.click(None, None, None, js=FORGET_CONVERSATION, api_visibility="private")
                kept = gr.JSON(visible=False)  # the conversation as the tab keeps it (``Chat.remember``)
                viewer = gr.HTML("", elem_id="viewer", js_on_load=OPEN_LINKS, padding=False)
            with gr.Column(scale=1):
                sources = gr.HTML(chat.sources(None), elem_id="sources")
                mode = gr.Radio(
                    UPLOAD_MODES, value=REPLACE, label="Your uploads", elem_id="upload-mode", interactive=True
                )
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
                        info="Below this confidence the bot answers only with a best guess (default: calibrated).",
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
        # What people do to the box and the choice, never the box being set by ``resume``: that indexes nothing.
        for listener in (files.upload, files.delete, files.clear, mode.input):
            uploaded = listener(
                chat.load,
                [files, chatbot, mode],
                [chatbot, sources, turns],
                api_name=UPLOAD_API if listener == files.upload else None,
                # Jobs past the limits are refused inside at once; only admitted ones ever wait, for the one indexer.
                concurrency_limit=sessions.limits.indexing_concurrency,
                show_progress_on=sources,
                api_visibility="undocumented" if listener == files.upload else "private",
            )
            uploaded.then(None, [chatbot], None, js=SHOW_REPLY, api_visibility="private")
            uploaded.then(chat.loaded, None, [files, chatbot, viewer], show_progress="hidden", api_visibility="private")
        viewer.click(chat.view, None, viewer, api_visibility="private").then(
            None, [viewer], None, js=SHOW_MARK, api_visibility="private"
        )
        # Every change of the chat, by a reply, an upload's notice, "Clear chat" or a reload, is kept in the tab.
        chatbot.change(
            chat.remember,
            [chatbot, turns],
            [kept],
            show_progress="hidden",
            concurrency_limit=None,
            api_visibility="private",
        ).then(None, [kept, chatbot], None, js=KEEP_CONVERSATION, api_visibility="private")
        session_id = gr.Textbox(visible=False)
        app.load(
            chat.resume,
            [session_id, kept],
            [session_id, sources, mode, files, chatbot, turns],
            js=EARLIER_SESSION,
            show_progress="hidden",
            api_visibility="private",
        ).then(None, [session_id], None, js=KEEP_SESSION, api_visibility="private")
        app.unload(chat.forget)
        gr.api(chat.answer, api_name=API_NAME, concurrency_id=API_NAME)
        gr.api(chat.status, api_name=STATUS_API, queue=False)  # answers even when the queue is full
    return app


def _documents(pipeline: QAPipeline) -> dict[str, Document]:
    """The documents ``pipeline`` answers from, by name."""
    return pipeline.retriever.store.documents


def _markdown_text(text: str) -> str:
    """``text`` shown as itself in Markdown: its punctuation escaped."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!<>|~])", r"\\\1", text)


def _message(role: str, content: str) -> Message:
    return {"role": role, "content": content}
