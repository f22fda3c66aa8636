"""Nothing phones home: importing the package sets the offline environment, whatever the caller's says."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_chat_server_is_offline_whatever_the_environment_says():
    online = {"HF_HUB_OFFLINE": "0", "TRANSFORMERS_OFFLINE": "0", "GRADIO_ANALYTICS_ENABLED": "True"}
    code = "import os, ui.server; print(*(os.environ[name] for name in " + repr(tuple(online)) + "))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **online},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.split() == ["1", "1", "False"], done.stderr
