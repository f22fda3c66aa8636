"""One ``qa serve`` for all UI tests, so the models load once; it serves the bundled article. The browser tests
share one headless Chromium, and open each person's page in a context of its own."""

import pytest

from ui.local_server import started_server
from ui.screenshot import VIEWPORT


@pytest.fixture(scope="session")
def local_server():
    with started_server() as server:
        yield server


@pytest.fixture(scope="session")
def server_url(local_server):
    return local_server.url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from ui.screenshot import open_browser

    with sync_playwright() as playwright:
        browser = open_browser(playwright)
        yield browser
        browser.close()


@pytest.fixture
def open_session(browser, server_url):
    """Opens the chat in a fresh browser context: a separate Gradio session, as another person would have.

    ``url`` opens another server's chat (default: the bundled article's).
    """
    contexts = []

    def open_page(viewport=VIEWPORT, url=None, **options):
        context = browser.new_context(viewport=viewport, **options)
        contexts.append(context)
        page = context.new_page()
        page.goto(url or server_url)
        page.locator("#question textarea").wait_for()
        return page

    yield open_page
    for context in contexts:
        context.close()
