"""The chat page over one shared pipeline: per-session history and uploads, and the ``/answer`` API.

Gradio is imported at module level because this module is the Gradio app;
only ``qa serve`` and the screenshot script import it, so ``qa ask`` and the
library never pay for it.
"""

from collections.abc import Sequence

import gradio as gr

from index.errors import QAError
from index.loaders import MAX_BYTES, SUPPORTED_TYPES
from index.records import Document
from qa.answer import cite
from qa.inputs import check_threshold, check_top_k
from qa.pipeline import QAPipeline, QuestionError
from ui.library import read_uploads, session_pipeline
from ui.render import notice_html, question_html, reply_html, sources_html

API_NAME = "answer"
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

Message = dict  # a Gradio chat message: {"role": ..., "content": ...}


class Chat:
    """The page's event handlers. Models live in ``shared``; everything per user arrives as an argument."""

    def __init__(self, shared: QAPipeline):
        self.shared = shared

    def respond(
        self, question: str, history: list[Message], session: QAPipeline | None, top_k: float, threshold: float
    ) -> tuple[list[Message], str]:
        """One chat turn. A question the pipeline refuses gets its reason as the reply, never an error popup."""
        turn = [_message("user", question_html(question))] if question.strip() else []
        try:
            pipeline = session or self.shared
            result = cite(pipeline.run(question, top_k=int(top_k), threshold=threshold), _documents(pipeline))
            reply = reply_html(result)
        except QuestionError as error:
            reply = notice_html(str(error))
        return [*history, *turn, _message("assistant", reply)], ""

    def respond_example(
        self,
        history: list[Message],
        session: QAPipeline | None,
        top_k: float,
        threshold: float,
        selected: gr.SelectData,
    ) -> tuple[list[Message], str]:
        return self.respond(selected.value["text"], history, session, top_k, threshold)

    def load(
        self, paths: list[str] | None, history: list[Message], progress: gr.Progress = gr.Progress(track_tqdm=True)
    ) -> tuple[QAPipeline | None, list[Message], str]:
        """Index the files now in the upload box for this session; an empty box returns to the shared documents."""
        session = None
        if not paths:
            lines = ["No uploaded documents: answering from the shared documents again."]
        else:
            progress(0, desc="Reading files")
            uploads = read_uploads(paths)
            if uploads.documents:
                progress(0.1, desc=f"Indexing {len(uploads.documents)} document(s)")
                session = session_pipeline(uploads.documents, self.shared)
                names = ", ".join(d.name for d in uploads.documents)
                lines = [f"Indexed {names}: answers now come from your documents only.", *uploads.errors]
            else:
                lines = [*uploads.errors, "No document could be read, so answers still come from the shared documents."]
        return session, [*history, _message("assistant", notice_html(*lines))], self.sources(session)

    def sources(self, session: QAPipeline | None) -> str:
        return sources_html(list(_documents(session or self.shared)), own=session is not None)

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


def build_app(shared: QAPipeline, examples: Sequence[str] = EXAMPLES) -> gr.Blocks:
    """The page and the API over ``shared``; call ``queue()`` and ``launch()`` on the result.

    ``examples`` are offered on the first screen: questions about the shared documents (none for an unknown index).
    """
    chat = Chat(shared)
    # Uploaded files are private documents: Gradio's copies are deleted after an hour (checked every 10 minutes).
    with gr.Blocks(title="Ask the document", delete_cache=(600, 3600)) as app:
        session = gr.State(None)  # this browser session's own pipeline, or None for the shared one
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
                gr.ClearButton([chatbot, question], value="Clear chat")
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
        settings = [session, top_k, threshold]
        question.submit(
            chat.respond,
            [question, chatbot, *settings],
            [chatbot, question],
            concurrency_id=API_NAME,
            api_visibility="private",
        )
        chatbot.example_select(
            chat.respond_example,
            [chatbot, *settings],
            [chatbot, question],
            concurrency_id=API_NAME,
            api_visibility="private",
        )
        files.change(
            chat.load,
            [files, chatbot],
            [session, chatbot, sources],
            concurrency_limit=1,  # indexing is the heaviest job; one at a time keeps answers flowing
            show_progress_on=sources,
            api_visibility="private",
        )
        gr.api(chat.answer, api_name=API_NAME, concurrency_id=API_NAME)
    return app


def _documents(pipeline: QAPipeline) -> dict[str, Document]:
    """The documents ``pipeline`` answers from, by name."""
    return pipeline.retriever.store.documents


def _message(role: str, content: str) -> Message:
    return {"role": role, "content": content}
