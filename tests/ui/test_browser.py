"""The chat page in headless Chromium (Debian's ``/usr/bin/chromium``), as a person uses it."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gradio_client import Client
from playwright.sync_api import expect

from index.loaders import MAX_BYTES, load_document
from qa.corpus import BUNDLED_ARTICLE
from ui.local_server import started_server
from ui.screenshot import PHONE, REPLY_TIMEOUT_MS, VIEWPORT, ask

KISHIDA = "Who is the Prime Minister of Japan?"
POPULATION = "What is the population of the Kuril Islands?"
ABSTENTION_SILENT = "The document does not answer this question."
ABSTENTION_UNSURE = (
    "No confident answer was found in the document; the best guess is below. "
    "The document may not say; if it should, try rephrasing the question."
)
# Asked after KISHIDA, "he" is Kishida and the answer is in his sentence; asked alone, the reader finds nothing
# it is sure of (checked with `qa chat` and `qa ask`, sitting 22 at the default share: "dialogue with Russia" after
# KISHIDA, an abstention alone at 0.12).
STRESSED = "What did he stress?"
WARSHIPS = "Did Russia send warships to the waters near the islands?"
WARSHIPS_SENTENCE = "Moscow said on Monday that it had sent more than 20 warships to the waters near the islands"
CONFIDENCE = re.compile(r"(high|medium|low) confidence (\d+\.\d+)")
FESTIVAL = "Where is the Zorblax festival held?"
OWN_DOCUMENT = (
    "The Zorblax festival is held every summer in Quentin Bay. "
    "It was founded in 1987 by a group of fishermen who wanted to celebrate the first catch of the season."
)


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


def test_reply_quotes_the_answer_and_highlights_it_in_its_passage(open_session, screenshot_path, article_pipeline):
    page = open_session()
    reply = ask(page, KISHIDA)
    page.screenshot(path=str(screenshot_path))  # before the checks, so a failure can be looked at
    assert screenshot_path.stat().st_size > 10_000
    quote = reply.locator(".qa-answer").inner_text()
    assert "Fumio Kishida" in quote
    highlighted = reply.locator(".qa-passage mark").inner_text()
    assert highlighted == quote.strip().strip("“”")
    meta = reply.locator(".qa-meta").inner_text()
    assert "article.txt" in meta
    # the calibrated probability and its word, as the same weights give them in this process (int8 arithmetic
    # differs a little between CPUs, so the figure is not written here)
    from qa.confidence import ConfidenceLevels, shown_score

    score = article_pipeline.run(KISHIDA).answer.score
    assert CONFIDENCE.search(meta).groups() == (ConfidenceLevels.of(article_pipeline).word(score), shown_score(score))


def test_every_confidence_has_a_word_and_two_decimals(open_session):
    page = open_session()
    page.get_by_text("Settings").click()
    set_number(page.locator("#threshold input[type=number]"), "0", page.locator("#threshold input[type=range]"))
    reply = ask(page, POPULATION)  # answered under a lowered threshold, with runners-up: several confidences
    shown = " ".join(reply.locator(selector).inner_text() for selector in (".qa-meta", ".qa-others"))
    numbers = re.findall(r"\d+\.\d+", shown)
    assert len(numbers) >= 2 and all(re.fullmatch(r"\d\.\d\d", number) for number in numbers)
    confidences = CONFIDENCE.findall(shown)
    assert len(confidences) == len(numbers)  # every number is a confidence, and each has its word
    # below the calibrated threshold (0.30), whatever the slider says: these guesses are "low"
    assert {word for word, _ in confidences} == {"low"}


def test_follow_up_is_read_with_this_sessions_history_only(open_session):
    mine, theirs = open_session(), open_session()
    ask(mine, KISHIDA)
    follow_up = ask(mine, STRESSED)
    assert "dialogue with Russia" in follow_up.locator(".qa-answer").inner_text()
    assert follow_up.locator(".qa-follows").inner_text() == f"A follow-up to “{KISHIDA}”"

    alone = ask(theirs, STRESSED)  # another session: my conversation is not theirs
    assert alone.locator(".qa-follows").count() == 0
    assert "dialogue with Russia" not in alone.locator(".qa-answer, .qa-abstain").first.inner_text()

    mine.get_by_role("button", name="Clear chat").click()
    mine.locator('#chat [data-testid="bot"]').first.wait_for(state="detached")
    assert ask(mine, STRESSED).locator(".qa-follows").count() == 0  # "Clear chat" forgot the conversation


def test_yes_no_question_gets_the_sentence_that_bears_on_it(open_session):
    page = open_session()
    reply = ask(page, WARSHIPS)
    says = reply.locator(".qa-says").inner_text()
    assert says.startswith(f'The document says: "{WARSHIPS_SENTENCE}')  # qa.answer.reply_text, as the CLI says it
    assert reply.locator(".qa-answer").count() == 0  # not passed off as a quoted answer
    highlighted = reply.locator(".qa-passage mark").inner_text()
    assert highlighted.startswith(WARSHIPS_SENTENCE) and says == f'The document says: "{highlighted}"'


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
    ask(page, KISHIDA)
    assert ask(page, "").inner_text() == "Please type a question."
    # in a bubble of its own, not as the last line of the answer before it (Gradio groups a role's messages)
    assert page.locator("#chat .message.bot").count() == page.locator('#chat [data-testid="bot"]').count() == 2
    page.locator("#question textarea").press("Enter")  # the empty box sent again: said once is enough
    page.wait_for_timeout(2000)  # its (empty) reply has come back well within this
    expect(page.locator('#chat [data-testid="bot"]').filter(has_text="Please type a question.")).to_have_count(1)
    assert "no letters or digits" in ask(page, "?!?... ,,,").inner_text()
    assert "10,000 characters long" in ask(page, "a" * 10_000).inner_text()
    assert "(10,000 characters)" in page.locator('#chat [data-testid="user"]').last.inner_text()  # shortened
    assert page.locator("#question textarea").input_value() == "a" * 10_000  # kept, to be shortened and sent again
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
    # out of the box, so the next upload does not read them and say all this again
    for name in files:
        expect(page.locator("#uploads").get_by_role("cell", name=name)).to_have_count(0)


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


IN_VIEW = """(element) => {
  const box = element.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return {top: box.top, bottom: box.bottom, left: box.left, right: box.right, seen: !!hit && element.contains(hit)};
}"""


def _in_view(reply, selectors: tuple[str, ...], timeout: float = 10.0) -> list[dict]:
    """The boxes of the first element of each selector in ``reply``, once all are in view or ``timeout`` passed."""
    deadline = time.monotonic() + timeout  # the page scrolls to the reply once it is rendered
    while True:
        boxes = [reply.locator(selector).first.evaluate(IN_VIEW) for selector in selectors]
        if all(_inside(box) and box["seen"] for box in boxes) or time.monotonic() > deadline:
            return boxes
        time.sleep(0.2)


def _inside(box: dict) -> bool:
    vertical = box["top"] >= 0 and box["bottom"] <= PHONE["height"]
    return vertical and box["left"] >= 0 and box["right"] <= PHONE["width"]


def test_on_a_phone_the_quote_and_confidence_are_in_view_after_answering(open_session):
    page = open_session(viewport=PHONE, is_mobile=True, has_touch=True)
    for question in (KISHIDA, WARSHIPS):  # the second reply is taller than the chat: scrolled to its end, the
        reply = ask(page, question)  # quote would be above the screen (measured: 173 px above, without the fix)
        boxes = _in_view(reply, (".qa-answer, .qa-says", ".qa-meta"))
        assert all(_inside(box) for box in boxes), (question, boxes)  # inside the screen
        assert all(box["seen"] for box in boxes), (question, boxes)  # not hidden by the chat's scrolling or a cover


CONTRAST = """(element) => {
  const layers = [];
  for (let node = element; node; node = node.parentElement) {
    const background = getComputedStyle(node).backgroundColor;
    layers.push(background);
    if (!background.startsWith('rgba') || background.endsWith(', 1)')) break;  // opaque: nothing below shows
  }
  return {color: getComputedStyle(element).color, layers: layers, dark: document.body.classList.contains('dark')};
}"""


def _rgba(css: str) -> tuple[float, float, float, float]:
    values = [float(v) for v in re.findall(r"[\d.]+", css)]
    return (*values[:3], values[3] if len(values) > 3 else 1.0)


def _over(top: tuple, bottom: tuple) -> tuple:
    """``top`` composited over an opaque ``bottom``."""
    alpha = top[3]
    return (*(alpha * t + (1 - alpha) * b for t, b in zip(top[:3], bottom[:3], strict=True)), 1.0)


def _luminance(rgb: tuple) -> float:
    """WCAG 2 relative luminance."""
    channels = [c / 255 for c in rgb[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: tuple, background: tuple) -> float:
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_in_dark_mode_the_highlight_is_readable(open_session):
    page = open_session(color_scheme="dark")
    reply = ask(page, KISHIDA)
    style = reply.locator(".qa-passage mark").evaluate(CONTRAST)
    assert style["dark"]  # Gradio followed the browser into dark mode
    layers = [_rgba(layer) for layer in style["layers"]]
    background = layers[-1] if layers[-1][3] == 1 else (255.0, 255.0, 255.0, 1.0)  # the canvas under it all
    for layer in reversed(layers[:-1]):
        background = _over(layer, background)
    ratio = contrast_ratio(_over(_rgba(style["color"]), background), background)
    assert ratio >= 4.5, (style, ratio)


TROOPS = "How many Russian troops are stationed on the disputed islands?"
ARTICLE = load_document(BUNDLED_ARTICLE)

# Where the viewer's mark is: its box, the box of the text it scrolls in, and the window's height.
MARK_BOX = """(mark) => {
  const box = mark.getBoundingClientRect(), text = mark.closest('.qa-document').getBoundingClientRect();
  return {top: box.top, bottom: box.bottom, textTop: text.top, textBottom: text.bottom, height: innerHeight};
}"""


def open_viewer(page, link) -> dict:
    """Clicks a viewer link and returns the mark's boxes once the page has scrolled to it."""
    link.click()
    mark = page.locator("#viewer #qa-viewer-mark")
    mark.wait_for(timeout=REPLY_TIMEOUT_MS)
    deadline = time.monotonic() + 10
    while True:
        box = mark.evaluate(MARK_BOX)
        seen = box["textTop"] <= box["top"] and box["bottom"] <= box["textBottom"] and box["bottom"] <= box["height"]
        if seen or time.monotonic() > deadline:
            return box
        time.sleep(0.2)


def test_the_viewer_opens_the_document_at_the_highlighted_answer(open_session, tmp_path):
    page = open_session()
    reply = ask(page, TROOPS)
    assert reply.locator(".qa-answer").inner_text() == "“3,500”"
    box = open_viewer(page, reply.locator(".qa-meta a.qa-open"))

    place = page.locator("#viewer .qa-viewer-place strong").inner_text()
    start, end = map(int, re.fullmatch(r"article\.txt, characters (\d+)-(\d+)", place).groups())
    assert ARTICLE.text[start:end] == "3,500"  # the reply's offsets, exact in the document's text
    assert page.locator("#viewer mark").inner_text() == "3,500"
    text = page.locator("#viewer .qa-document").inner_text()
    assert text.startswith(ARTICLE.text[:60]) and text.rstrip().endswith(ARTICLE.text.rstrip()[-40:])  # all of it
    # the answer stands 4,409 characters in, far below the viewer's first lines: it was scrolled into view
    assert box["textTop"] <= box["top"] and box["bottom"] <= box["textBottom"] and box["bottom"] <= box["height"], box
    assert page.locator("#viewer .qa-document").evaluate("(text) => text.scrollTop") > 0

    page.locator("#viewer a.qa-close").click()
    expect(page.locator("#viewer .qa-document")).to_have_count(0)

    open_viewer(page, reply.locator(".qa-meta a.qa-open"))
    festival = tmp_path / "festival.txt"
    festival.write_text(OWN_DOCUMENT, encoding="utf-8")
    upload(page, festival, "Indexed festival.txt: answers now come from your documents only.")
    expect(page.locator("#viewer .qa-document")).to_have_count(0)  # the article is no longer asked: closed


def test_glued_sentences_are_spaced_on_screen_while_offsets_stay_exact(open_session):
    glued = "northern territories.”It is"  # as the article has it: no space after the sentence's end
    assert glued in ARTICLE.text
    page = open_session()
    reply = ask(page, KISHIDA)
    passage = reply.locator(".qa-passage").inner_text()
    assert "northern territories.” It is" in passage and glued not in passage
    open_viewer(page, reply.locator(".qa-meta a.qa-open"))
    place = page.locator("#viewer .qa-viewer-place strong").inner_text()
    start, end = map(int, re.search(r"characters (\d+)-(\d+)", place).groups())
    assert ARTICLE.text[start:end] == page.locator("#viewer mark").inner_text() == "Fumio Kishida"
    viewer = page.locator("#viewer .qa-document").inner_text()
    assert "is invaded. Russia is" in viewer and "invaded.Russia" not in viewer and "invaded.Russia" in ARTICLE.text


# The glyphs' fonts as Chromium drew them (DevTools' CSS.getPlatformFontsForNode), not just the CSS asked for.
def drawn_fonts(page, selector: str) -> list[str]:
    devtools = page.context.new_cdp_session(page)
    devtools.send("DOM.enable")
    devtools.send("CSS.enable")
    root = devtools.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = devtools.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return [font["postScriptName"] for font in devtools.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]]


def test_first_screen_says_what_the_documents_are_about_and_opens_them(open_session):
    page = open_session()
    assert drawn_fonts(page, "h1") == ["SourceSans3-Bold"]  # every letter of the title, the first one included
    assert page.locator("h1").inner_text() == "Ask the document"
    sources = page.locator("#sources")
    assert sources.locator(".qa-title").inner_text() == ARTICLE.text.split("\n")[0]
    assert sources.locator(".qa-opening").inner_text().startswith("Washington’s broad coalition campaign")
    assert "Answering from article.txt (what it is about is beside the chat)" in page.locator("#chat").inner_text()

    sources.locator("a.qa-open").click()
    expect(page.locator("#viewer .qa-viewer-place strong")).to_have_text("article.txt", timeout=REPLY_TIMEOUT_MS)
    assert page.locator("#viewer mark").count() == 0  # opened at the top, nothing marked
    assert page.locator("#viewer .qa-document").inner_text().startswith(ARTICLE.text.split("\n")[0])


def upload(page, path: Path, expected: str) -> str:
    """Sends ``path`` through the upload box and returns the chat's notice once it says ``expected``."""
    before = notices(page).count()
    page.locator("#uploads input[type=file]").set_input_files(str(path))
    notice = notices(page).nth(before)
    expect(notice).to_contain_text(expected, timeout=300_000)
    return notice.inner_text()


def test_uploads_and_the_conversation_survive_a_reload(open_session, tmp_path):
    festival = tmp_path / "festival.txt"
    festival.write_text(OWN_DOCUMENT, encoding="utf-8")
    page = open_session()
    sources = page.locator("#sources")
    replace_them = page.get_by_label("Ask only them (replace the shared ones)")
    expect(replace_them).to_be_checked()  # the default
    upload(page, festival, "Indexed festival.txt: answers now come from your documents only.")
    assert sources.locator("strong").all_inner_texts()[1:] == ["festival.txt"]
    page.get_by_role("button", name="Clear chat").click()  # the empty chat names what is asked now
    expect(page.locator("#chat")).to_contain_text("Answering from festival.txt")
    expect(page.get_by_text(KISHIDA, exact=True)).to_have_count(0)  # the article's examples are not offered
    assert "Fumio Kishida" not in ask(page, KISHIDA).inner_text()

    page.get_by_label("Add them to the shared documents").check()  # the file in the box is indexed again
    expect(notices(page).last).to_contain_text(
        "Indexed festival.txt: answers now come from the shared documents and yours.", timeout=300_000
    )
    assert "Shared documents and yours" in sources.inner_text()
    assert sources.locator("strong").all_inner_texts()[1:] == ["article.txt", "festival.txt"]
    assert "Quentin Bay" in ask(page, FESTIVAL).locator(".qa-answer").inner_text()
    assert "Fumio Kishida" in ask(page, KISHIDA).locator(".qa-answer").inner_text()  # the article is asked too

    replies = page.locator("#chat .qa-reply").all_inner_texts()
    told = notices(page).all_inner_texts()
    page.reload()
    page.locator("#question textarea").wait_for()
    expect(sources).to_contain_text("Shared documents and yours", timeout=30_000)
    assert sources.locator("strong").all_inner_texts()[1:] == ["article.txt", "festival.txt"]
    expect(page.get_by_label("Add them to the shared documents")).to_be_checked()  # as they were indexed
    expect(page.locator("#uploads").get_by_role("cell", name="festival.txt")).to_be_visible()  # back in the box
    # the conversation is shown again as it was, and the files were not indexed again (no new notice)
    expect(page.locator("#chat .qa-reply")).to_have_count(len(replies))
    assert page.locator("#chat .qa-reply").all_inner_texts() == replies
    assert notices(page).all_inner_texts() == told
    follows = ask(page, STRESSED).locator(".qa-follows")  # and a follow-up still leans on the last question
    expect(follows).to_have_text(f"A follow-up to “{KISHIDA}”")
    assert "Quentin Bay" in ask(page, FESTIVAL).locator(".qa-answer").inner_text()  # the upload survived

    page.get_by_role("button", name="Clear chat").click()
    expect(page.locator("#chat .qa-reply")).to_have_count(0)
    page.reload()  # a cleared chat stays cleared
    page.locator("#question textarea").wait_for()
    expect(page.locator("#chat")).to_contain_text(
        "Answering from article.txt, festival.txt (what they are about is beside the chat)", timeout=30_000
    )
    expect(page.get_by_text(KISHIDA, exact=True)).to_be_visible()  # the shared documents are asked too
    expect(page.locator("#chat .qa-reply")).to_have_count(0)

    other = open_session()  # another person's page: the upload stays private
    assert "festival.txt" not in other.locator("#sources").inner_text()
    assert "Quentin Bay" not in ask(other, FESTIVAL).inner_text()


def test_documents_that_disagree_each_give_their_answer_with_its_source(open_session, tmp_path):
    notes = {
        "festival-2024.txt": "The Zorblax festival is held every summer in Quentin Bay. It was founded in 1987.",
        "festival-2025.txt": "Since 2025 the Zorblax festival is held in Port Ellery. It moved: the bay was too small.",
    }
    for name, text in notes.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    page = open_session()
    page.locator("#uploads input[type=file]").set_input_files([str(tmp_path / name) for name in notes])
    expect(notices(page).first).to_contain_text("Indexed festival-2024.txt, festival-2025.txt", timeout=300_000)

    reply = ask(page, FESTIVAL)
    answer, source = reply.locator(".qa-answer").inner_text(), reply.locator(".qa-meta em").inner_text()
    assert (answer, source) in {("“Port Ellery”", "festival-2025.txt"), ("“Quentin Bay”", "festival-2024.txt")}
    expect(reply.locator(".qa-elsewhere-lead")).to_have_text("Another document gives a different answer:")
    other = reply.locator(".qa-elsewhere li").inner_text()
    other_place, other_source = {"festival-2025.txt": ("Quentin Bay", "festival-2024.txt")}.get(
        source, ("Port Ellery", "festival-2025.txt")
    )
    assert other.startswith(f"“{other_place}”") and other_source in other and CONFIDENCE.search(other)
    open_viewer(page, reply.locator(".qa-elsewhere a.qa-open"))  # the other answer opens in its own document
    expect(page.locator("#viewer .qa-viewer-place strong")).to_contain_text(other_source)
    assert page.locator("#viewer mark").inner_text() == other_place


HANDBOOK = """# Staff handbook

The handbook says how the Zorblax team works.

## Budget approval

The yearly budget is approved by Ana Ferreira, the finance director, every March.

## Leave

Every employee has twenty-five days of paid leave a year.
"""


@pytest.fixture(scope="module")
def index_server(tmp_path_factory):
    """``qa serve --index DIR`` over a handbook and the festival note, built by ``qa index``."""
    folder = tmp_path_factory.mktemp("own-index")
    (folder / "handbook.md").write_text(HANDBOOK, encoding="utf-8")
    (folder / "festival.txt").write_text(OWN_DOCUMENT, encoding="utf-8")
    files = [str(folder / "handbook.md"), str(folder / "festival.txt")]
    subprocess.run([sys.executable, "-m", "qa.cli", "index", *files, "--out", str(folder / "index")], check=True)
    with started_server(folder / "index") as server:
        yield server.url


def test_an_index_first_screen_shows_what_is_loaded_and_example_questions(open_session, index_server):
    page = open_session(url=index_server)
    chat = page.locator("#chat").inner_text()
    assert "Answering from handbook.md, festival.txt" in chat
    examples = ["What is said about Budget approval?", "What is said about Leave?", "What is Staff handbook about?"]
    for example in [*examples, "What is the Zorblax festival?"]:
        assert page.get_by_text(example, exact=True).is_visible()
    assert page.locator("#sources .qa-title").all_inner_texts() == ["Staff handbook"]
    assert page.locator("#sources .qa-opening").all_inner_texts() == [
        "The handbook says how the Zorblax team works.",
        "The Zorblax festival is held every summer in Quentin Bay.",
    ]
    page.get_by_text(examples[0], exact=True).click()  # an example asks itself, of these documents
    reply = page.locator('#chat [data-testid="bot"]').first
    expect(reply).to_contain_text("handbook.md", timeout=REPLY_TIMEOUT_MS)  # an answer, or where it looked
