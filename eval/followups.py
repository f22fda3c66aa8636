"""Follow-up questions answered with and without the conversation's history.

    python -m eval.followups [PAIRS.jsonl] [--out DIR] [--top-k 3]

Each pair is a first question and a follow-up that leans on it ("Who is the Prime Minister of Japan?", then
"What did he stress at the annual gathering?"), with the follow-up's gold answers, about one document (the
bundled article or a document beside the pairs file). Each document is indexed alone, as a user's own would be;
the first question is answered as the chat would answer it, and the follow-up twice: alone, and with the first
turn as history, exactly as ``qa chat`` keeps it. The follow-up is scored with the official SQuAD metric.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from eval.squad_metrics import score_prediction
from index.errors import QAError
from index.retriever import DEFAULT_TOP_K
from qa.answer import Result
from qa.chat import Ask
from qa.cli import add_reader_option
from qa.conversation import Turn

PAIRS = Path(__file__).resolve().parent / "data" / "followups" / "pairs.jsonl"


@dataclass(frozen=True)
class FollowUpPair:
    """A first question, a follow-up to it and the follow-up's gold answers, about ``document``."""

    id: str
    document: str
    question: str
    followup: str
    answers: tuple[str, ...]


@dataclass(frozen=True)
class PairOutcome:
    """What happened to one pair: the first answer, and the follow-up without and with history, scored."""

    id: str
    first: str
    without: str
    with_history: str
    exact_without: int
    f1_without: float
    exact_with: int
    f1_with: float


def load_pairs(path: str | Path) -> list[FollowUpPair]:
    """The pairs of a JSON Lines file, one object a line; a malformed line is refused with its number."""
    pairs = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            pairs.append(
                FollowUpPair(
                    record["id"], record["document"], record["question"], record["followup"], tuple(record["answers"])
                )
            )
        except (ValueError, KeyError, TypeError) as err:
            raise QAError(f"{path}, line {number}: not a follow-up pair ({err})") from None
    return pairs


def answer_pair(pair: FollowUpPair, ask: Ask) -> PairOutcome:
    """Ask the first question, then the follow-up alone and with the first turn as history."""
    first = ask(pair.question, ())
    alone = ask(pair.followup, ())
    followed = ask(pair.followup, (Turn.from_result(first),))
    without, with_history = _text(alone), _text(followed)
    exact_without, f1_without = score_prediction(list(pair.answers), without)
    exact_with, f1_with = score_prediction(list(pair.answers), with_history)
    return PairOutcome(pair.id, _text(first), without, with_history, exact_without, f1_without, exact_with, f1_with)


def summarize(outcomes: Sequence[PairOutcome]) -> dict[str, float]:
    """EM and F1 (percent) of the follow-ups without and with history."""
    count = len(outcomes) or 1
    return {
        "pairs": len(outcomes),
        "exact_without_history": 100.0 * sum(o.exact_without for o in outcomes) / count,
        "f1_without_history": 100.0 * sum(o.f1_without for o in outcomes) / count,
        "exact_with_history": 100.0 * sum(o.exact_with for o in outcomes) / count,
        "f1_with_history": 100.0 * sum(o.f1_with for o in outcomes) / count,
    }


def _text(result: Result) -> str:
    return result.answer.text if result.answer is not None else ""


def _document_path(pairs_file: Path, name: str) -> Path:
    from qa.corpus import BUNDLED_ARTICLE

    beside = pairs_file.parent / name
    return beside if beside.is_file() else BUNDLED_ARTICLE.parent / name


def run(pairs_file: str | Path, top_k: int = DEFAULT_TOP_K, reader_dir: str | Path | None = None) -> list[PairOutcome]:
    """Every pair of ``pairs_file`` through the real pipeline, each document indexed alone; the models load once."""
    from index.embedder import Embedder
    from index.loaders import load_document
    from qa.corpus import build_index
    from qa.pipeline import QAPipeline
    from qa.reader import ExtractiveReader

    pairs_file = Path(pairs_file)
    pairs = load_pairs(pairs_file)
    embedder, reader = Embedder(), ExtractiveReader(reader_dir)
    outcomes = []
    for name in dict.fromkeys(pair.document for pair in pairs):
        store = build_index([load_document(_document_path(pairs_file, name))], embedder)
        pipeline = QAPipeline.from_store(store, embedder, reader, top_k=top_k)
        pipeline.warm_up()

        def ask(question: str, history: Sequence[Turn], pipeline: QAPipeline = pipeline) -> Result:
            return pipeline.run(question, history=history)

        outcomes += [answer_pair(pair, ask) for pair in pairs if pair.document == name]
    return outcomes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pairs", nargs="?", default=str(PAIRS), help="JSON Lines pairs (default: the bundled set)")
    parser.add_argument("--out", default="eval_out", help="writes followups.json here (default eval_out)")
    parser.add_argument("--top-k", type=int, default=DEFAULT_TOP_K, help="passages to read (default %(default)s)")
    add_reader_option(parser)
    args = parser.parse_args(argv)
    outcomes = run(args.pairs, args.top_k, args.reader)
    for outcome in outcomes:
        mark = "+" if outcome.f1_with > outcome.f1_without else ("-" if outcome.f1_with < outcome.f1_without else " ")
        print(f"{mark} {outcome.id}: without {outcome.without!r:45.45} with {outcome.with_history!r:.45}")
    summary = summarize(outcomes)
    for key, value in summary.items():
        print(f"{key:<24} {value:.1f}" if isinstance(value, float) else f"{key:<24} {value}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    record = {"summary": summary, "pairs": [asdict(o) for o in outcomes]}
    (out / "followups.json").write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"details: {out / 'followups.json'}")


if __name__ == "__main__":
    from eval.tools import run_main

    run_main(__file__, main)
