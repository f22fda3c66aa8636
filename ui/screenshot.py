"""Ask the chat questions in headless Chromium and save a picture of the reply (the README's pictures in docs/).

    python -m ui.screenshot docs/chat.png             # starts `qa serve` on a free port
    python -m ui.screenshot docs/chat.png --url URL   # or uses a running server
    python -m ui.screenshot docs/chat-phone.png --phone --dark   # a 390x844 phone screen, in dark mode
    python -m ui.screenshot docs/chat-follow-up.png --question "Who is ...?" --question "What did he stress?"
    python -m ui.screenshot docs/chat-viewer.png --question "How many ...?" --open   # the answer in its document

Playwright drives Debian's Chromium (``apt-get install chromium``); it never downloads a browser.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
# No sandbox (containers run as root), and none of Chromium's own calls home.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
VIEWPORT = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}  # the issue's phone screen (an iPhone 12-14's CSS pixels)
REPLY_TIMEOUT_MS = 120_000


def open_browser(playwright):
    """Headless Debian Chromium, for a ``playwright.sync_api.Playwright``."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS))


def ask(page, question: str):
    """Type ``question`` into the chat on ``page``, press Enter, and return the reply's element once it is shown."""
    replies = page.locator('#chat [data-testid="bot"]')
    before = replies.count()
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    reply = replies.nth(before)
    # The message element is attached before its markdown is rendered into it, so wait for its words.
    reply.get_by_text(re.compile(r"\S")).first.wait_for(timeout=REPLY_TIMEOUT_MS)
    return reply


def take(
    url: str,
    path: str | Path,
    questions: Sequence[str],
    phone: bool = False,
    dark: bool = False,
    open_answer: bool = False,
) -> Path:
    """Open the chat at ``url``, ask ``questions`` in turn (one conversation) and save the page to ``path``.

    ``phone``: a 390x844 touch screen instead of a desktop window; ``dark``: the browser prefers a dark theme;
    ``open_answer``: the last reply's quote is opened in the document viewer, which the picture then shows.
    """
    from playwright.sync_api import sync_playwright

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    screen = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if phone else {"viewport": VIEWPORT}
    with sync_playwright() as playwright:
        browser = open_browser(playwright)
        try:
            page = browser.new_context(**screen, color_scheme="dark" if dark else "light").new_page()
            page.goto(url)
            for question in questions:
                reply = ask(page, question)
            page.wait_for_timeout(1000)  # the page scrolls the reply's quote into view once it is rendered
            if open_answer:
                reply.locator(".qa-meta a.qa-open").click()
                page.locator("#viewer #qa-viewer-mark").wait_for(timeout=REPLY_TIMEOUT_MS)
                page.wait_for_timeout(1000)  # the viewer scrolls to the mark
            page.screenshot(path=str(path))
        finally:
            browser.close()
    return path


def main(argv: list[str] | None = None) -> int:
    from ui.app import EXAMPLES

    parser = argparse.ArgumentParser(prog="python -m ui.screenshot", description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="docs/chat.png", help="PNG to write (default docs/chat.png)")
    parser.add_argument("--url", default=None, help="a running chat (default: start `qa serve` on a free port)")
    parser.add_argument(
        "--question", action="append", help=f"asked in turn, repeat for a conversation (default {EXAMPLES[0]!r})"
    )
    parser.add_argument("--phone", action="store_true", help="a 390x844 phone screen")
    parser.add_argument("--dark", action="store_true", help="the browser prefers dark mode")
    parser.add_argument("--open", action="store_true", help="open the last answer in the document viewer")
    args = parser.parse_args(argv)
    questions = args.question or [EXAMPLES[0]]
    if args.url:
        path = take(args.url, args.out, questions, args.phone, args.dark, args.open)
    else:
        from ui.local_server import running_server

        with running_server() as url:
            path = take(url, args.out, questions, args.phone, args.dark, args.open)
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    from qa.cli import guarded

    sys.exit(guarded("ui.screenshot", main))
