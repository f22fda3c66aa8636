"""One ``qa serve`` for all UI tests, so the models load once; it serves the bundled article."""

import pytest

from ui.local_server import running_server


@pytest.fixture(scope="session")
def server_url():
    with running_server() as url:
        yield url
