"""Choose when a yes/no, why or how question gets its supporting sentence, on the tuning half.

    python -m eval.tools.tune_sentences QUESTIONS --titles TUNE_TITLES [--reader DIR] [--out FILE]

Every question of the kept articles that ``qa.question_kind`` calls yes/no, why or how is asked as in the chat
(each article indexed alone, ``eval.runner.article_groups``) and scored twice from one reading: the pipeline's
answer as it stands, and with the supporting sentence (``qa.supporting``) whatever the best candidate's
confidence. Per kind, the confidence floor with the best summed F1 is printed: a sentence below it would have
cost more (it quotes a document that does not answer) than it gains; ``qa.supporting`` uses the abstention
threshold as that floor. Unanswerable questions count, with F1 1 for a refusal, as in SQuAD 2.0.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from eval.runner import article_groups, first_of_each_id, select_titles
from eval.squad_metrics import score_prediction
from eval.tools import run_main
from index.embedder import Embedder
from qa.cli import add_reader_option
from qa.corpus import build_index
from qa.pipeline import QAPipeline, check_question
from qa.question_kind import SENTENCE_KINDS, question_kind
from qa.reader import ExtractiveReader
from qa.squad import load_examples
from qa.supporting import answer_in_kind


@dataclass(frozen=True)
class SentenceTrial:
    """One question read once, scored without and with a sentence reply."""

    id: str
    kind: str
    confidence: float  # the best candidate's; -1 when the reader offered none
    f1_without: float
    f1_with: float


def best_floor(trials: list[SentenceTrial]) -> tuple[float, float]:
    """(floor, summed F1): the confidence floor at which sentence replies give the most F1 over ``trials``.

    Candidates are 0 (always a sentence), each trial's confidence, and above them all (never). Ties go to the
    higher floor: fewer sentences quoted for the same score.
    """
    floors = sorted({0.0, *(t.confidence for t in trials), max((t.confidence for t in trials), default=0.0) + 1e-6})
    scored = [(sum(t.f1_with if t.confidence >= floor else t.f1_without for t in trials), floor) for floor in floors]
    total, floor = max(scored)
    return floor, total


def read_trials(questions: str, titles: str, reader_dir: str | None) -> list[SentenceTrial]:
    examples, _ = first_of_each_id(select_titles(load_examples(questions), titles))
    groups, _ = article_groups(examples)
    embedder, reader = Embedder(), ExtractiveReader(reader_dir)
    trials = []
    for document, own in groups:
        asked = [e for e in own if question_kind(e.question) in SENTENCE_KINDS]
        if not asked:
            continue
        pipeline = QAPipeline.from_store(build_index([document], embedder, progress=False), embedder, reader)
        pipeline.warm_up()
        for example in asked:
            question = check_question(example.question)
            kind = question_kind(question)
            result = pipeline.read(question, pipeline.retriever.run(question, pipeline.top_k))
            sentence = answer_in_kind(result, kind, floor=0.0)
            gold = [a.text for a in example.answers]
            trials.append(
                SentenceTrial(
                    example.id,
                    kind,
                    result.candidates[0].score if result.candidates else -1.0,
                    score_prediction(gold, result.answer.text if result.answer else "")[1],
                    score_prediction(gold, sentence.answer.text if sentence.answer else "")[1],
                )
            )
    return trials


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("questions")
    parser.add_argument("--titles", required=True, help="the tuning half's titles file")
    add_reader_option(parser)
    parser.add_argument("--out", default=None, help="also write every trial here (JSON)")
    args = parser.parse_args()
    trials = read_trials(args.questions, args.titles, args.reader)
    by_kind: dict[str, list[SentenceTrial]] = defaultdict(list)
    for trial in trials:
        by_kind[trial.kind].append(trial)
    print("| kind | questions | F1 without sentences | F1 always a sentence | best floor | F1 at it |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for kind in SENTENCE_KINDS:
        own = by_kind.get(kind, [])
        if not own:
            continue
        floor, total = best_floor(own)
        without = 100 * sum(t.f1_without for t in own) / len(own)
        always = 100 * sum(t.f1_with for t in own) / len(own)
        print(f"| {kind} | {len(own)} | {without:.2f} | {always:.2f} | {floor:.3f} | {100 * total / len(own):.2f} |")
    if args.out:
        Path(args.out).write_text(json.dumps([asdict(t) for t in trials], indent=1), encoding="utf-8")


if __name__ == "__main__":
    run_main(__file__, main)
