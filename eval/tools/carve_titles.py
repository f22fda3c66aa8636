"""Carve the tuning half in two by article: one part to train the reader on, the other to decide on.

    python -m eval.tools.carve_titles QUESTIONS --titles TUNE_TITLES --out DIR

No training file holds unanswerable questions written by people to look answerable, as SQuAD 2.0's are; the
synthetic ones (``qa.negatives``) teach the reader only part of what those ask of it. The tuning half has them,
so part of it can be trained on, as long as every decision about the weights trained that way (which to ship,
the verifier, the threshold) is then made on the other part, whose articles the reader never saw. The titles
are sorted and taken alternately (the first, third, ... to train), so the carve is the same on every machine.
Writes ``DIR/train_titles.txt``, ``DIR/tune_titles.txt``, ``DIR/train.jsonl.gz`` (every question of the
training titles, read and written by ``qa.squad``) and ``DIR/tune.jsonl.gz`` (the same for the titles to decide
on: a reader trained on those reads the training titles as unseen, so each half can be read by a reader that
never saw it, and a verifier fitted on both). The report half is never carved.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from eval.tools import run_main
from qa.squad import QuestionSetError, load_examples, write_examples


def carve(titles: list[str]) -> tuple[list[str], list[str]]:
    """(titles to train on, titles to decide on): the sorted titles taken alternately."""
    ordered = sorted(set(titles))
    return ordered[0::2], ordered[1::2]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions", type=Path, help="SQuAD-style questions (.json, .jsonl or .jsonl.gz)")
    parser.add_argument("--titles", type=Path, required=True, help="the tuning half's titles file")
    parser.add_argument("--out", type=Path, required=True, help="directory for the titles and questions of each part")
    args = parser.parse_args(argv)
    titles = [t.strip() for t in args.titles.read_text(encoding="utf-8").splitlines() if t.strip()]
    if len(set(titles)) < 2:
        raise QuestionSetError(f"{args.titles}: at least two titles are needed to carve")
    train, tune = carve(titles)
    args.out.mkdir(parents=True, exist_ok=True)
    examples = load_examples(args.questions)
    counts = {}
    for name, part in (("train", train), ("tune", tune)):
        (args.out / f"{name}_titles.txt").write_text("\n".join(part) + "\n", encoding="utf-8")
        wanted = set(part)
        kept = [example for example in examples if example.title in wanted]
        if not kept:
            raise QuestionSetError(f"{args.questions}: none of the {len(part)} {name} titles occurs in it")
        write_examples(kept, args.out / f"{name}.jsonl.gz")
        counts[name] = len(kept)
    print(
        f"{len(train)} articles to train on ({counts['train']} questions), "
        f"{len(tune)} to decide on ({counts['tune']}), in {args.out}"
    )


if __name__ == "__main__":
    run_main(__file__, main)
