"""Ask the chat a question in headless Chromium and save a picture of the reply (the README's docs/chat.png).

    python -m ui.screenshot docs/chat.png             # starts `qa serve` on a free port
    python -m ui.screenshot docs/chat.png --url URL   # or uses a running server

Playwright drives Debian's Chromium (``apt-get install chromium``); it never downloads a browser.
"""

from __future__ import annotations

import argparse
import re
import sys
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


def take(url: str, path: str | Path, question: str) -> Path:
    """Open the chat at ``url``, ask ``question`` and save the page to ``path``."""
    from playwright.sync_api import sync_playwright

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = open_browser(playwright)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(url)
            ask(page, question)
            page.screenshot(path=str(path))
        finally:
            browser.close()
    return path


def main(argv: list[str] | None = None) -> int:
    from ui.app import EXAMPLES

    parser = argparse.ArgumentParser(prog="python -m ui.screenshot", description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="docs/chat.png", help="PNG to write (default docs/chat.png)")
    parser.add_argument("--url", default=None, help="a running chat (default: start `qa serve` on a free port)")
    parser.add_argument("--question", default=EXAMPLES[0])
    args = parser.parse_args(argv)
    if args.url:
        path = take(args.url, args.out, args.question)
    else:
        from ui.local_server import running_server

        with running_server() as url:
            path = take(url, args.out, args.question)
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
