"""A cold ``qa ask`` (a new process, the index cached) against a one-shot transformers 4.x pipeline script.

    python -m eval.tools.cold_start [--runs 7] [--hf4-python /root/hf4/bin/python] [--question Q]

Both are timed from process start to exit, in turns within one run (the order alternates each round),
since the machine is shared and only times taken side by side compare. Ours: ``qa ask QUESTION`` over the
bundled article, whose index a first, untimed run caches. The baseline (with ``--hf4-python``, the
interpreter of a separate environment with ``transformers<5``, see ``eval/tools/compare_hf.py``): the
shortest script a user of that pipeline would write, loading ``pipeline("question-answering")`` with the
same reader weights and reading the whole article. Prints every time, each one's answer and the medians.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from eval.tools import run_main
from qa.corpus import BUNDLED_ARTICLE
from qa.modeling import SHIPPED_READER

ONE_SHOT = """
import sys
from transformers import pipeline
reader = pipeline("question-answering", model=sys.argv[1], tokenizer=sys.argv[1], device=-1)
print(reader(question=sys.argv[2], context=open(sys.argv[3], encoding="utf-8").read())["answer"])
"""


def timed(command: list[str]) -> tuple[float, str]:
    """Seconds from start to exit, and the first line printed."""
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds, (done.stdout.splitlines() or [""])[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--question", default="When did the Soviet Union take the islands?")
    parser.add_argument("--hf4-python", default=None, help="python of an environment with transformers<5")
    args = parser.parse_args(argv)
    commands = {"qa ask": [sys.executable, "-m", "qa.cli", "ask", args.question]}
    if args.hf4_python:
        baseline = [args.hf4_python, "-c", ONE_SHOT, str(SHIPPED_READER), args.question, str(BUNDLED_ARTICLE)]
        commands["transformers 4.x one-shot"] = baseline
    timed(commands["qa ask"])  # caches the bundled article's index; not timed
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(args.runs):
        names = list(commands) if round_ % 2 == 0 else list(reversed(commands))
        for name in names:
            seconds, answer = timed(commands[name])
            times[name].append(seconds)
            print(f"round {round_ + 1} {name:<26} {seconds:6.2f} s  {answer[:60]}", flush=True)
    for name, values in times.items():
        print(
            f"{name:<26} median {statistics.median(values):.2f} s over {len(values)} runs, "
            f"min {min(values):.2f}, max {max(values):.2f}"
        )


if __name__ == "__main__":
    run_main(__file__, main)
