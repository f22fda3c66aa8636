"""One ``qa serve`` for all UI tests, so the models load once; it serves the bundled article."""

import pytest

from ui.local_server import started_server


@pytest.fixture(scope="session")
def local_server():
    with started_server() as server:
        yield server


@pytest.fixture(scope="session")
def server_url(local_server):
    return local_server.url
