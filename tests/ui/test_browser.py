"""The chat page in headless Chromium (Debian's ``/usr/bin/chromium``), as a person uses it."""

import json
import os
from pathlib import Path

import pytest
from gradio_client import Client
from playwright.sync_api import expect, sync_playwright

from index.loaders import MAX_BYTES
from ui.screenshot import REPLY_TIMEOUT_MS, VIEWPORT, ask, open_browser

KISHIDA = "Who is the Prime Minister of Japan?"
POPULATION = "What is the population of the Kuril Islands?"
ABSTENTION_SILENT = "The document does not answer this question."
ABSTENTION_UNSURE = (
    "No confident answer was found in the document; the best guess is below. Try rephrasing the question."
)
FESTIVAL = "Where is the Zorblax festival held?"
OWN_DOCUMENT = (
    "The Zorblax festival is held every summer in Quentin Bay. "
    "It was founded in 1987 by a group of fishermen who wanted to celebrate the first catch of the season."
)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = open_browser(playwright)
        yield browser
        browser.close()


@pytest.fixture
def open_session(browser, server_url):
    """Opens the chat in a fresh browser context: a separate Gradio session, as another person would have."""
    contexts = []

    def open_page():
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        page = context.new_page()
        page.goto(server_url)
        page.locator("#question textarea").wait_for()
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot_path(tmp_path):
    return Path(os.environ.get("QA_SCREENSHOT") or tmp_path / "chat.png")


def notices(page):
    return page.locator("#chat .qa-notice")


def set_number(box, value: str, slider) -> None:
    """Types ``value`` into a slider's number box and leaves it, as a person would, until the slider shows it.

    On a loaded machine Gradio can still be mounting the just-opened accordion's slider when the first keys
    arrive, and the mount puts the old value back (CI saw this once); a person whose number snapped back types
    it again, and so does this, at most three times.
    """
    for _ in range(3):
        box.fill(value)
        box.press("Tab")  # leaving the box commits the number
        try:
            expect(slider).to_have_value(value, timeout=10_000)
            return
        except AssertionError:
            continue
    expect(slider).to_have_value(value)


def test_reply_quotes_the_answer_and_highlights_it_in_its_passage(open_session, screenshot_path):
    page = open_session()
    reply = ask(page, KISHIDA)
    page.screenshot(path=str(screenshot_path))  # before the checks, so a failure can be looked at
    assert screenshot_path.stat().st_size > 10_000
    quote = reply.locator(".qa-answer").inner_text()
    assert "Fumio Kishida" in quote
    highlighted = reply.locator(".qa-passage mark").inner_text()
    assert highlighted == quote.strip().strip("“”")
    assert "article.txt" in reply.locator(".qa-meta").inner_text()


def test_first_screen_offers_examples_and_an_example_asks_itself(open_session):
    page = open_session()
    for question in (KISHIDA, POPULATION):
        assert page.get_by_text(question, exact=True).is_visible()
    page.get_by_text(POPULATION, exact=True).click()
    reply = page.locator('#chat [data-testid="bot"]').first
    expect(reply.locator(".qa-abstain")).to_be_visible(timeout=REPLY_TIMEOUT_MS)
    abstention = reply.locator(".qa-abstain").inner_text()
    assert abstention in {ABSTENTION_SILENT, ABSTENTION_UNSURE}
    # what came closest is shown anyway: the best guess in its passage, or the closest passages
    assert reply.locator(".qa-passage mark").count() + reply.locator(".qa-passages li").count() >= 1


def test_bad_questions_get_a_message_in_the_chat(open_session):
    page = open_session()
    assert ask(page, "").inner_text() == "Please type a question."
    assert "10,000 characters long" in ask(page, "a" * 10_000).inner_text()
    assert "(10,000 characters)" in page.locator('#chat [data-testid="user"]').last.inner_text()  # shortened
    page.get_by_role("button", name="Clear chat").click()
    page.locator('#chat [data-testid="bot"]').first.wait_for(state="detached")
    assert page.get_by_text(KISHIDA, exact=True).is_visible()  # back to the first screen


def test_threshold_setting_applies_to_the_next_answer(open_session):
    page = open_session()
    assert ask(page, POPULATION).locator(".qa-abstain").count() == 1  # at the calibrated threshold
    page.get_by_text("Settings").click()
    threshold = page.locator("#threshold input[type=number]")
    expect(threshold).to_be_editable()  # the accordion has opened
    set_number(threshold, "0", page.locator("#threshold input[type=range]"))
    reply = ask(page, POPULATION)  # every confidence is above 0, so the best guess is given
    expect(reply.locator(".qa-answer")).to_have_count(1)
    assert "does not answer" not in reply.inner_text()


def test_bad_uploads_are_refused_with_a_message_each(open_session, tmp_path):
    files = {
        "scan.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "slides.pdf": b"%PDF-1.7 not text",
        "big.txt": b"word " * (MAX_BYTES // 5 + 1),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    page = open_session()
    page.locator("#uploads input[type=file]").set_input_files([str(tmp_path / name) for name in files])
    notice = notices(page).first
    notice.wait_for(timeout=120_000)
    text = notice.inner_text()
    assert "scan.txt: looks like a binary file" in text
    assert "slides.pdf: not a readable PDF" in text
    assert "big.txt: file is 5.0 MB, larger than the 5.0 MB limit" in text
    assert "answers still come from the shared documents" in text
    assert "article.txt" in page.locator("#sources").inner_text()


def test_own_document_is_answered_in_its_session_only(open_session, server_url, tmp_path):
    upload = tmp_path / "festival.txt"
    upload.write_text(OWN_DOCUMENT, encoding="utf-8")
    mine, theirs = open_session(), open_session()

    mine.locator("#uploads input[type=file]").set_input_files(str(upload))
    notices(mine).first.wait_for(timeout=300_000)
    assert "Indexed festival.txt" in notices(mine).first.inner_text()
    sources = mine.locator("#sources").inner_text()
    assert "festival.txt" in sources and "article.txt" not in sources
    my_reply = ask(mine, FESTIVAL)

    assert "Quentin Bay" not in ask(theirs, FESTIVAL).inner_text()
    assert "festival.txt" not in theirs.locator("#sources").inner_text()
    assert theirs.locator('#chat [data-testid="user"]').count() == 1  # their own question, not my history
    api_result = Client(server_url, verbose=False).predict(FESTIVAL, api_name="/answer")
    assert "Quentin" not in json.dumps(api_result)

    assert "Quentin Bay" in my_reply.locator(".qa-answer").inner_text()


def test_page_loads_nothing_from_outside_the_server(browser, server_url):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(server_url)
    ask(page, KISHIDA)
    context.close()
    assert requested
    assert [url for url in requested if not url.startswith((server_url, "data:", "blob:"))] == []
