"""``qa index --ray`` on a real two-node Ray cluster: the sharded index answers as the single one does."""

import json

from index.shards import ShardedStore, shard_directories
from qa.cli import main
from qa.corpus import BUNDLED_ARTICLE, BUNDLED_QUESTIONS, open_index
from qa.pipeline import QAPipeline

OTHERS = {
    "nile.txt": "The river Nile flows north into the Mediterranean Sea. It is about 6,650 km long.",
    "cats.md": "# Cats\n\nCats sleep sixteen hours a day. They hunt mice at night, mostly alone.",
}


def test_a_sharded_index_built_on_the_cluster_answers_as_the_single_index(tmp_path, ray_cluster, embedder, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the other files are named relative to here, as a user types them
    files = [str(BUNDLED_ARTICLE)]
    for name, text in OTHERS.items():
        (tmp_path / name).write_text(text)
        files.append(name)
    assert main(["index", *files, "--out", str(tmp_path / "single")]) == 0
    assert main(["index", *files, "--out", str(tmp_path / "sharded"), "--ray", "--shards", "2"]) == 0

    sharded = open_index(tmp_path / "sharded", embedder)
    assert isinstance(sharded, ShardedStore) and len(shard_directories(tmp_path / "sharded")) == 2
    single = open_index(tmp_path / "single", embedder)
    assert sorted(sharded.documents) == sorted(single.documents)
    assert sorted((c.source, c.start, c.end) for c in sharded.chunks) == sorted(
        (c.source, c.start, c.end) for c in single.chunks
    )

    questions = [
        qa["question"]
        for article in json.loads(BUNDLED_QUESTIONS.read_text())["data"]
        for paragraph in article["paragraphs"]
        for qa in paragraph["qas"]
    ]
    pipelines = [QAPipeline.from_store(store, embedder) for store in (single, sharded)]
    for question in questions:
        one, other = (pipeline.run(question) for pipeline in pipelines)
        assert [(p.chunk.source, p.chunk.start) for p in one.passages] == [
            (p.chunk.source, p.chunk.start) for p in other.passages
        ], question
        assert (one.answer and (one.answer.text, one.answer.source, one.answer.start)) == (
            other.answer and (other.answer.text, other.answer.source, other.answer.start)
        ), question
