"""The ``qa`` command: ask, chat, index, eval, serve, train."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
from functools import partial
from pathlib import Path

from qa.confidence import ConfidenceLevels, shown_score

# qa train's options: the TrainConfig fields offered, with their help. Each option's type and default come from
# the field itself, and its flag from the field's name unless renamed in _TRAIN_FLAGS.
_TRAIN_HELP = {
    "out_dir": "run directory (checkpoints, features cache)",
    "init_from": "start from this reader/encoder directory (default: the bundled encoder)",
    "max_length": "word pieces per training window",
    "stride": "word pieces shared by consecutive windows of a long context",
    "negative_rate": "share of questions paired with another paragraph",
    "perturb_rate": "share of questions edited into unanswerable ones (entity swap, negation, antonym; qa.negatives)",
    "removal_rate": "share of questions paired with their paragraph less the sentences holding the answer",
    "similar_rate": "share of questions paired with the other paragraph of their article most like them",
    "swap_rate": "share of questions given a name, number or year from elsewhere in their own paragraph",
    "batch_size": "windows per step",
    "learning_rate": "peak learning rate",
    "epochs": "passes over the training windows",
    "max_steps": "schedule length in steps (overrides --epochs)",
    "limit": "use only N questions",
    "seed": "random seed (data order, negatives, initialisation)",
    "bf16": "bf16 autocast (only on CPUs with native bf16, or CUDA)",
    "checkpoint_minutes": "minutes between checkpoints",
    "budget_minutes": "stop cleanly after this long",
}
_TRAIN_FLAGS = {"out_dir": "--out", "learning_rate": "--lr"}


def _add_train_options(command: argparse.ArgumentParser) -> None:
    from qa.train import TrainConfig

    for field in dataclasses.fields(TrainConfig):
        if field.name not in _TRAIN_HELP:
            continue
        flag = _TRAIN_FLAGS.get(field.name, "--" + field.name.replace("_", "-"))
        text = _TRAIN_HELP[field.name]
        if isinstance(field.default, bool):
            command.add_argument(flag, dest=field.name, action="store_true", help=text)
            continue
        text += " (default %(default)s)" if field.default != "" else ""
        metavar = flag[2:].upper().replace("-", "_")
        command.add_argument(
            flag, dest=field.name, type=type(field.default), default=field.default, metavar=metavar, help=text
        )


def train_config(args: argparse.Namespace):
    """The ``TrainConfig`` that ``qa train``'s arguments describe."""
    from qa.train import TrainConfig

    return TrainConfig(train_files=args.files, **{name: getattr(args, name) for name in _TRAIN_HELP})


def _train(args: argparse.Namespace) -> int:
    from qa.train import train

    handlers = [logging.StreamHandler(sys.stderr)]
    if args.log:
        handlers.append(logging.FileHandler(args.log))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", handlers=handlers)
    checkpoint = train(train_config(args), resume=args.resume)
    print(f"checkpoint: {checkpoint}; reader weights: {checkpoint / 'reader'}")
    return 0


def _ask(args: argparse.Namespace) -> int:
    from qa.answer import cite
    from qa.inputs import InputError
    from qa.pipeline import check_question

    batch = args.file is not None or args.question == "-"
    if batch and args.question not in (None, "-"):
        raise InputError("give either a question or --file, not both")
    path = args.file or "-"
    if batch and path != "-" and not os.path.isfile(path):  # fail fast, before loading any model
        raise InputError(f"--file {path}: no such file of questions")
    if not batch:
        question = check_question(args.question or "")
    pipeline = _pipeline(args)
    if batch:
        return _ask_all(path, pipeline)
    result = cite(pipeline.run(question), pipeline.retriever.store.documents)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(_describe(result, ConfidenceLevels.of(pipeline)))
    return 0


def _ask_all(path: str, pipeline) -> int:
    """``qa ask --file``: every question of the file (``-``: standard input), one JSON line each."""
    from qa.answer import cite
    from qa.batch import answer_all, question_lines

    documents = pipeline.retriever.store.documents
    with _open_questions(path) as stream:
        refused = answer_all(question_lines(stream), lambda q: cite(pipeline.run(q), documents), sys.stdout)
    if refused:
        print(f"qa: error: {refused} question(s) refused; their records say why", file=sys.stderr)
    return 1 if refused else 0


def _open_questions(path: str):
    import contextlib

    if path == "-":
        return contextlib.nullcontext(sys.stdin)
    return open(path, encoding="utf-8")  # noqa: SIM115  (closed by the caller's with)


def _pipeline(args: argparse.Namespace):
    """The pipeline ``qa ask`` and ``qa chat`` answer with, its settings checked before any model loads."""
    from qa.inputs import check_threshold, check_top_k
    from qa.pipeline import QAPipeline
    from qa.reader import ExtractiveReader

    check_top_k(args.top_k, "--top-k")
    if args.threshold is not None:
        check_threshold(args.threshold, "--threshold")
    _check_reader(args.reader, args.unanswerable_share)
    reader = ExtractiveReader(args.reader, precision=args.precision)
    return QAPipeline.from_index(
        args.index,
        mode=args.mode,
        top_k=args.top_k,
        threshold=args.threshold,
        reader=reader,
        unanswerable_share=args.unanswerable_share,
    )


def _chat(args: argparse.Namespace) -> int:
    from qa.answer import cite
    from qa.chat import RESET, converse, typed_lines

    pipeline = _pipeline(args)
    pipeline.warm_up()
    documents = pipeline.retriever.store.documents
    interactive = sys.stdin.isatty()
    if interactive:
        names = ", ".join(sorted(documents))
        print(
            f"Ask about {names}. Follow-ups are read in the light of earlier answers; {RESET} starts over, Ctrl-D ends."
        )
    lines = typed_lines() if interactive else sys.stdin

    def ask(question, history):
        return cite(pipeline.run(question, history=history), documents)

    levels = ConfidenceLevels.of(pipeline)
    converse(lines, ask, lambda result: _describe(result, levels), sys.stdout, as_json=args.json, echo=not interactive)
    return 0


def _describe(result, levels) -> str:
    """The answer as a person reads it: the quote, how sure (in words, ``qa.confidence``), and where it stands; or an
    honest abstention."""
    from qa.answer import abstention_text, citation, reply_text

    if result.answer is not None:
        return "\n".join([reply_text(result.answer), *_where(result.answer, levels)])
    lines = [abstention_text(result)]
    if result.candidates and not result.documents_silent:
        best = result.candidates[0]
        lines += [
            f'  best guess: "{best.text}" (below the {shown_score(result.threshold)} threshold)',
            *_where(best, levels),
        ]
    elif result.passages:
        passage = result.passages[0].chunk
        where = citation(passage.source, headings=passage.headings)
        lines.append(f"  Closest passage ({where}): {_shorten(passage.text, 300)}")
    return "\n".join(lines)


def _where(answer, levels) -> list[str]:
    """Confidence and place of a span (document, page, section, characters), and the text around it with the span
    in brackets."""
    from qa.answer import citation
    from qa.confidence import confidence_text

    before = answer.context[max(0, answer.context_start - 120) : answer.context_start]
    after = answer.context[answer.context_start + len(answer.text) : answer.context_start + len(answer.text) + 120]
    place = citation(answer.source, answer.page, answer.headings)
    return [
        f"  {confidence_text(answer.score, levels)} | {place}, characters {answer.start}-{answer.end}",
        f"  ...{' '.join(before.split())} [{answer.text}] {' '.join(after.split())}...",
    ]


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _index(args: argparse.Namespace) -> int:
    from index.embedder import Embedder
    from index.errors import QAError
    from index.loaders import load_document
    from index.shards import is_sharded
    from index.store import index_lock
    from qa.corpus import build_index, open_index

    if not args.wait >= 0:
        raise QAError(f"--wait must be a number of seconds, 0 or more (not {args.wait})")
    if args.ray is not None:
        return _index_on_ray(args)
    if is_sharded(args.out):
        raise QAError(f"{args.out} holds a sharded index (qa index --ray): build it again with --ray --rebuild")
    documents = [load_document(path) for path in args.files]  # all readable before any work is done
    embedder = Embedder()
    # Read, add and save under the directory's lock: a second writer would otherwise save over this one's documents.
    with index_lock(args.out, timeout=args.wait, waiting=lambda message: print(f"qa: {message}", file=sys.stderr)):
        existing = os.path.isfile(os.path.join(args.out, "manifest.json")) and not args.rebuild
        store = open_index(args.out, embedder) if existing else None
        held = store.documents if store else {}
        changed = [d.name for d in documents if d.name in held and held[d.name].text != d.text]
        if changed:
            raise QAError(
                f"{', '.join(changed)} changed since {args.out} indexed it; run again with --rebuild to index "
                "every file anew (an index does not replace one document's chunks)"
            )
        unchanged = sum(d.name in held for d in documents)
        documents = [d for d in documents if d.name not in held]
        chunks_before = len(store.chunks) if store else 0
        store = build_index(documents, embedder, args.out, args.index_type, progress=True, store=store)
        added = len(store.chunks) - chunks_before
    verb = "added to" if existing else "built"
    skipped = f"; {unchanged} already there and unchanged" if unchanged else ""
    print(
        f"{verb} {args.out}: {len(documents)} document(s), {added} chunks{skipped} "
        f"(index now holds {len(store.documents)} documents, {len(store.chunks)} chunks)"
    )
    return 0


def _index_on_ray(args: argparse.Namespace) -> int:
    """``qa index --ray``: the files loaded, chunked and embedded by the cluster's workers, saved as shards."""
    from index.errors import QAError
    from index.ray_indexing import index_on_ray
    from index.shards import is_sharded
    from index.store import MANIFEST

    if args.shards < 0:
        raise QAError(f"--shards must be 0 (one per CPU of the cluster) or more (not {args.shards})")
    held = os.path.isfile(os.path.join(args.out, MANIFEST)) or is_sharded(args.out)
    if held and not args.rebuild:
        raise QAError(f"{args.out} holds an index; --ray builds a new sharded one: add --rebuild to replace it")
    for path in args.files:  # every file there before the cluster starts
        if not os.path.isfile(path):
            raise QAError(f"{path}: no such file")

    def done(finished: int, total: int) -> None:
        print(f"qa index: shard {finished} of {total} embedded", file=sys.stderr, flush=True)

    shards = index_on_ray(args.files, args.out, args.shards, args.ray, args.index_type, done)
    chunks = sum(len(shard.chunks) for shard in shards)
    print(f"built {args.out}: {len(args.files)} document(s), {chunks} chunks in {len(shards)} shard(s)")
    return 0


def _serve(args: argparse.Namespace) -> int:
    _check_address(args.host, args.port)  # seconds before the models load, not after
    _check_reader(None, args.unanswerable_share)
    from ui.server import serve

    serve(
        args.host,
        args.port,
        args.index,
        precision=args.precision,
        ray_address=args.ray,
        replicas=args.replicas,
        unanswerable_share=args.unanswerable_share,
    )
    return 0


def _check_reader(reader_dir: Path | None, share: float) -> None:
    """``--reader`` holds a model, and ``--unanswerable-share`` is a share its verifier has an operating point for:
    both refused before any model loads (on a Ray cluster, before any replica or worker would fail on them)."""
    from qa.inputs import InputError, check_share
    from qa.modeling import SHIPPED_READER
    from qa.verifier import VERIFIER_FILE, Verifier

    if reader_dir is not None and not (reader_dir / "config.json").is_file():
        raise InputError(f"--reader {reader_dir}: no reader model there (no config.json)")
    check_share(share, "--unanswerable-share")
    path = (reader_dir or SHIPPED_READER) / VERIFIER_FILE
    if path.is_file() and (verifier := Verifier.load(path)).operating_points:
        verifier.for_share(share)  # a VerifierError names the shares there are


def _check_address(host: str, port: int) -> None:
    """Refuse an address the server could not listen on now, naming the option to change."""
    import errno
    import socket

    from qa.inputs import InputError

    if not 1 <= port <= 65535:
        raise InputError(f"--port must be between 1 and 65535 (not {port})")
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (OSError, UnicodeError) as err:
        raise InputError(f"--host {host}: not an address of this machine ({err})") from None
    with socket.socket(family, kind, protocol) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: a closed port is free
        try:
            probe.bind(address)
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise InputError(f"port {port} is in use on {host}; choose another with --port") from None
            raise InputError(f"cannot listen on {host} port {port} ({err.strerror}); check --host") from None


def _eval(args: argparse.Namespace) -> int:
    from eval.runner import run_evaluation
    from eval.system import answer_fn_factory
    from qa.inputs import InputError, check_threshold, check_top_k

    check_top_k(args.k, "--k")
    if args.threshold is not None:
        check_threshold(args.threshold, "--threshold")
    _check_reader(args.reader, args.unanswerable_share)
    if args.limit < 0:
        raise InputError(f"--limit must be 0 (every question) or more (not {args.limit})")
    if args.workers < 0:
        raise InputError(f"--workers must be 0 (one per CPU of the cluster) or more (not {args.workers})")
    make_factory = partial(
        answer_fn_factory,
        args.index,
        args.reader,
        args.threshold,
        args.retrieval,
        precision=args.precision,
        unanswerable_share=args.unanswerable_share,
    )
    run_jobs, parts = None, 1
    if args.ray is not None:
        from eval.ray_evaluation import evaluate_on_ray
        from index.cluster import connect, worker_count

        connect(args.ray)
        parts = args.workers or worker_count()

        def done(finished: int, total: int) -> None:
            print(f"qa eval: {finished} of {total} job(s) answered", file=sys.stderr, flush=True)

        run_jobs = partial(evaluate_on_ray, make_factory=make_factory, address=args.ray, workers=parts, done=done)
    metrics = run_evaluation(
        args.questions,
        args.mode,
        args.out,
        make_factory() if run_jobs is None else None,
        limit=args.limit,
        k=args.k,
        corpus=args.corpus,
        titles=args.titles,
        run_jobs=run_jobs,
        parts=parts,
    )
    width = max(len(key) for key in metrics)
    for key, value in metrics.items():
        print(f"{key:<{width}}  {value:.3f}" if isinstance(value, float) else f"{key:<{width}}  {value}")
    print(f"report: {os.path.join(args.out, 'report.md')}")
    return 0


def _add_choice(command: argparse.ArgumentParser, flag: str, choices: tuple[str, ...], default: str = "", **options):
    """An option taking one of ``choices``, the tuple declared where the choice is checked (never retyped here).

    The default is the first choice unless given.
    """
    command.add_argument(flag, choices=choices, default=default or choices[0], **options)


def add_precision_option(command: argparse.ArgumentParser) -> None:
    """``--precision``: the reader's arithmetic, for the commands here and the tools in ``eval.tools``."""
    from qa.reader import DEFAULT_PRECISION, PRECISIONS

    text = (
        f"reader arithmetic (default {DEFAULT_PRECISION}: smoothed int8 is faster than fp32 and nearly as accurate, "
        "see the model card)"
    )
    _add_choice(command, "--precision", PRECISIONS, DEFAULT_PRECISION, help=text)


def add_reader_option(command: argparse.ArgumentParser) -> None:
    """``--reader DIR`` (None: the shipped reader), for the commands here and the tools in ``eval.tools``."""
    command.add_argument(
        "--reader",
        type=lambda text: Path(text) if text else None,
        help="reader model directory (default: the shipped one)",
    )


def add_share_option(command: argparse.ArgumentParser) -> None:
    """``--unanswerable-share``: the share of questions the documents do not answer, which sets the threshold."""
    from qa.verifier import DEFAULT_UNANSWERABLE_SHARE

    command.add_argument(
        "--unanswerable-share",
        type=float,
        default=DEFAULT_UNANSWERABLE_SHARE,
        help="share of the questions asked that the documents do not answer; sets the verifier's confidence and "
        "threshold: one the verifier has a threshold for (the shipped one: 0.1, 0.2, 0.3, 0.5; default %(default)s: "
        "people asking about their own documents; 0.5: SQuAD 2.0's benchmark mix)",
    )


def _add_answering(command: argparse.ArgumentParser) -> None:
    """The options of ``qa ask`` and ``qa chat``: what to answer from, and how."""
    from index.retriever import DEFAULT_TOP_K
    from index.retriever import MODES as RETRIEVAL_MODES

    command.add_argument("--index", default=None, help="index directory from 'qa index' (default: the bundled article)")
    command.add_argument("--top-k", type=int, default=DEFAULT_TOP_K, help="passages to read (default %(default)s)")
    command.add_argument(
        "--threshold", type=float, default=None, help="abstain below this confidence (default: calibrated)"
    )
    _add_choice(command, "--mode", RETRIEVAL_MODES, help="retrieval (default %(default)s)")
    add_share_option(command)
    add_reader_option(command)
    add_precision_option(command)


def _add_ray(command: argparse.ArgumentParser, what: str) -> None:
    from index.cluster import LOCAL

    command.add_argument(
        "--ray",
        nargs="?",
        const=LOCAL,
        default=None,
        metavar="ADDRESS",
        help=f"{what}: the cluster at ADDRESS ('auto': the one 'ray start' runs here), or without one a cluster "
        "started on this machine",
    )


def build_parser() -> argparse.ArgumentParser:
    from eval.choices import CORPORA, MODES
    from index.loaders import SUPPORTED_TYPES
    from index.retriever import DEFAULT_TOP_K
    from index.retriever import MODES as RETRIEVAL_MODES
    from index.store import INDEX_TYPES, LOCK_TIMEOUT
    from index.vectors import EXACT_BELOW

    parser = argparse.ArgumentParser(prog="qa", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    ask = commands.add_parser(
        "ask", help="answer a question, or a file of them, from the bundled article or your index"
    )
    ask.add_argument("question", nargs="?", help="the question ('-': read questions from standard input)")
    ask.add_argument(
        "--file",
        default=None,
        metavar="QUESTIONS",
        help="answer every line of this file ('-': standard input) as JSON Lines",
    )
    _add_answering(ask)
    ask.add_argument("--json", action="store_true", help="print the answer record as JSON")
    ask.set_defaults(run=_ask)

    chat = commands.add_parser("chat", help="a conversation in the terminal: follow-up questions, models loaded once")
    _add_answering(chat)
    chat.add_argument("--json", action="store_true", help="print each answer record as one JSON line")
    chat.set_defaults(run=_chat)

    index = commands.add_parser("index", help=f"index your own documents ({' '.join(SUPPORTED_TYPES)})")
    index.add_argument("files", nargs="+")
    index.add_argument("--out", required=True, help="index directory; documents are added if it already holds one")
    index.add_argument("--rebuild", action="store_true", help="start a new index even if --out holds one")
    types_help = f"auto: exact, IVF from {EXACT_BELOW:,} chunks (default); flat: exact; ivf, hnsw: approximate"
    _add_choice(index, "--index-type", INDEX_TYPES, help=types_help)
    index.add_argument(
        "--wait",
        type=float,
        default=LOCK_TIMEOUT,
        metavar="SECONDS",
        help=f"how long to wait for another 'qa index' writing to --out (default {LOCK_TIMEOUT:g})",
    )
    _add_ray(index, "load, chunk and embed on a Ray cluster's workers and write a sharded index")
    index.add_argument(
        "--shards", type=int, default=0, help="with --ray: shards to write (default 0: one per CPU of the cluster)"
    )
    index.set_defaults(run=_index)

    serve = commands.add_parser("serve", help="serve the web chat and its API (models load once, at start)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    serve.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    serve.add_argument("--index", default=None, help="index directory from 'qa index' (default: the bundled article)")
    add_precision_option(serve)
    add_share_option(serve)
    _add_ray(serve, "answer with replicas on a Ray cluster (Ray Serve), the index's shards held by actors")
    serve.add_argument("--replicas", type=int, default=2, help="with --ray: answer replicas (default 2)")
    serve.set_defaults(run=_serve)

    evaluate = commands.add_parser("eval", help="score a question set with the official SQuAD metric")
    evaluate.add_argument("questions", help="SQuAD v1.1/v2.0 .json, or .jsonl / .jsonl.gz")
    modes_help = "e2e: retrieval + reading over all contexts (default); reader: the gold paragraph only"
    _add_choice(evaluate, "--mode", MODES, help=modes_help)
    evaluate.add_argument("--index", default=None, help="e2e: use this index instead of indexing the file's contexts")
    corpus_help = (
        "e2e: retrieve over every context of the file (default), or index each article (title) alone, "
        "as a user's own document is indexed in the chat"
    )
    _add_choice(evaluate, "--corpus", CORPORA, help=corpus_help)
    evaluate.add_argument(
        "--titles", default=None, help="keep only the articles listed in this file (a tuning or report half)"
    )
    evaluate.add_argument("--out", default="eval_out", help="report directory (default eval_out)")
    evaluate.add_argument("--limit", type=int, default=0, help="evaluate N questions spread through the file")
    evaluate.add_argument(
        "--k", type=int, default=DEFAULT_TOP_K, help="passages retrieved and read per question (default %(default)s)"
    )
    evaluate.add_argument("--threshold", type=float, default=None, help="abstention threshold (default: calibrated)")
    add_share_option(evaluate)
    _add_choice(evaluate, "--retrieval", RETRIEVAL_MODES, help="retrieval (default %(default)s)")
    add_reader_option(evaluate)
    add_precision_option(evaluate)
    _add_ray(evaluate, "spread the questions over a Ray cluster's workers, merged into the one report")
    evaluate.add_argument(
        "--workers", type=int, default=0, help="with --ray: workers (default 0: one per CPU of the cluster)"
    )
    evaluate.set_defaults(run=_eval)

    train = commands.add_parser("train", help="fine-tune the extractive reader")
    train.add_argument("files", nargs="+", help="SQuAD .json or .jsonl(.gz) training files")
    _add_train_options(train)
    train.add_argument("--resume", action="store_true", help="continue the run in --out where it stopped")
    train.add_argument("--log", default="", help="also write progress to this file")
    train.set_defaults(run=_train)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return guarded("qa", lambda: args.run(args))


def guarded(prog: str, run) -> int:
    """Run ``run()`` as a command: a mistake in the user's input or files is one line, a bug keeps its traceback.

    Returns the exit status. The ``qa`` command and the tools in ``eval.tools`` all go through it.
    """
    from index.errors import QAError

    try:
        return run() or 0
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        return 0
    except (QAError, OSError) as err:  # a mistake in the user's input or files: one line that says what
        if os.environ.get("QA_DEBUG"):
            raise
        print(f"{prog}: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception:  # anything else is a bug: keep the traceback, and say so
        if os.environ.get("QA_DEBUG"):
            raise
        import traceback

        traceback.print_exc()
        print(
            f"{prog}: internal error (a bug, not your input); please report it with the traceback above",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
