"""The chat page's handlers, called as Gradio calls them: here, the conversation a tab keeps across a reload."""

import json
from types import SimpleNamespace

import gradio as gr

from ui.app import KEPT_MESSAGES, Chat
from ui.limits import Limits
from ui.sessions import SessionRegistry

KISHIDA = "Who is the Prime Minister of Japan?"
STRESSED = "What did he stress?"  # a follow-up: "he" is the last answer's Kishida


def chat_over(pipeline) -> Chat:
    return Chat(pipeline, SessionRegistry(Limits(), log=[].append))


def test_a_reloaded_tab_shows_its_conversation_again_and_follow_ups_still_lean_on_it(article_pipeline):
    chat = chat_over(article_pipeline)
    settings = (3, article_pipeline.default_threshold)
    history, _, _, turns = chat.respond(KISHIDA, [], *settings, [], SimpleNamespace(session_hash="before"))
    kept = json.loads(json.dumps(chat.remember(history, turns)))  # as the tab's storage holds it

    reloaded = SimpleNamespace(session_hash="after")
    session_id, _, _, _, shown, restored = chat.resume("before", kept, reloaded)

    assert session_id == "after"
    assert shown["value"] == history  # the question and its reply, as they were
    assert restored == turns and restored[0].chunk is not None  # the passage too, cut again from the article
    history, *_ = chat.respond(STRESSED, shown["value"], *settings, restored, reloaded)
    assert f"A follow-up to “{KISHIDA}”" in history[-1]["content"]
    history, *_ = chat.respond(STRESSED, [], *settings, [], reloaded)
    assert "A follow-up to" not in history[-1]["content"]  # which the restored turns made the difference for


def test_a_cleared_chat_keeps_no_turns_and_a_long_one_keeps_its_latest_messages(article_pipeline):
    chat = chat_over(article_pipeline)
    history, _, _, turns = chat.respond(KISHIDA, [], 3, 0.5, [], SimpleNamespace(session_hash="mine"))
    assert turns and chat.remember([], turns) == {"messages": [], "turns": []}
    long = [{"role": "user", "content": str(i)} for i in range(KEPT_MESSAGES + 5)]
    assert chat.remember(long, [])["messages"] == long[5:]
    # Gradio may hand a message's content back as a list of parts; it is kept as its text
    parts = [{"role": "assistant", "content": [{"type": "text", "text": "<p>Kishida</p>"}]}]
    assert chat.remember(parts, [])["messages"] == [{"role": "assistant", "content": "<p>Kishida</p>"}]


def test_what_a_tab_sends_back_that_is_not_a_kept_conversation_is_left_out(article_pipeline):
    chat = chat_over(article_pipeline)
    reloaded = SimpleNamespace(session_hash="after")
    for kept in (
        None,
        "junk",
        {"messages": "junk"},
        {"messages": [{"role": "system", "content": "x"}, {"role": "user"}]},
    ):
        *_, shown, turns = chat.resume("", kept, reloaded)
        assert shown == gr.skip() and turns == []
    good = {"role": "user", "content": KISHIDA}
    turn = {"question": KISHIDA, "answer": "Fumio Kishida", "sentence": "", "passage": ["elsewhere.txt", 0, 0, 5]}
    *_, shown, turns = chat.resume(
        "", {"messages": [good, {"role": "user", "content": 3}], "turns": [turn, 7]}, reloaded
    )
    assert shown["value"] == [good]
    assert [(t.question, t.answer, t.chunk) for t in turns] == [(KISHIDA, "Fumio Kishida", None)]
