"""Choose chunk size, overlap and retrieval mode on a question set: recall@k and MRR per setting.

    python -m eval.tune_retrieval qa/data/article_dev.json --sizes 64 96 128 200 --overlaps 0 1 2

A retrieved chunk counts as a hit when it contains a gold answer's character span.
"""

from __future__ import annotations

import argparse
import itertools

from index.chunker import Chunker
from index.embedder import Embedder
from index.indexer import Indexer
from index.records import Document
from index.retriever import MODES, Retriever
from qa.squad import load_examples


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("questions")
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 96, 128, 160, 200])
    parser.add_argument("--overlaps", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--k", type=int, nargs="+", default=[1, 2, 3, 5])
    args = parser.parse_args(argv)
    examples = [e for e in load_examples(args.questions) if e.answers]
    contexts = list(dict.fromkeys(e.context for e in examples))
    documents = [Document(f"context-{i}", text) for i, text in enumerate(contexts)]
    source = {text: f"context-{i}" for i, text in enumerate(contexts)}
    embedder = Embedder()
    print(f"{len(examples)} answerable questions, {len(documents)} contexts")
    header = f"{'size':>5} {'overlap':>7} {'chunks':>6} {'mode':>7} " + " ".join(f"{'R@' + str(k):>6}" for k in args.k)
    print(header + f" {'MRR':>6}")
    for size, overlap in itertools.product(args.sizes, args.overlaps):
        indexer = Indexer(embedder, Chunker(max_tokens=size, overlap_sentences=overlap))
        store = indexer.new_store()
        indexer.run(store, documents)
        for mode in MODES:
            retriever = Retriever(store, embedder, mode=mode, top_k=max(args.k))
            ranks = []
            for example in examples:
                passages = retriever.run(example.question)
                spans = [(a.start, a.start + len(a.text)) for a in example.answers]
                rank = next(
                    (
                        p.rank
                        for p in passages
                        if p.chunk.source == source[example.context]
                        and any(p.chunk.start <= s and e <= p.chunk.end for s, e in spans)
                    ),
                    None,
                )
                ranks.append(rank)
            recalls = [sum(r is not None and r < k for r in ranks) / len(ranks) for k in args.k]
            mrr = sum(1 / (r + 1) for r in ranks if r is not None) / len(ranks)
            print(
                f"{size:>5} {overlap:>7} {len(store.chunks):>6} {mode:>7} "
                + " ".join(f"{r:>6.3f}" for r in recalls)
                + f" {mrr:>6.3f}"
            )


if __name__ == "__main__":
    main()
