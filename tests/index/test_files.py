import subprocess
import sys

from index.files import write_atomic

# A process that dies after staging the new text, before it can take the old file's place.
_KILLED = """
import os, sys
from index.files import write_atomic
os.replace = lambda source, target: os._exit(3)
write_atomic(sys.argv[1], sys.argv[2])
"""


def test_a_file_is_replaced_whole(tmp_path):
    path = tmp_path / "verifier.json"
    write_atomic(path, "old")
    write_atomic(path, "new")
    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["verifier.json"]  # nothing staged is left behind


def test_a_write_killed_before_the_rename_leaves_the_old_file_whole(tmp_path):
    path = tmp_path / "verifier.json"
    write_atomic(path, '{"threshold": 0.3}')
    killed = subprocess.run([sys.executable, "-c", _KILLED, str(path), '{"threshold": 0.4}' + " " * 100_000])
    assert killed.returncode == 3
    assert path.read_text() == '{"threshold": 0.3}'
    write_atomic(path, "{}")  # the next write goes through over the stale staged file
    assert path.read_text() == "{}" and [p.name for p in tmp_path.iterdir()] == ["verifier.json"]
