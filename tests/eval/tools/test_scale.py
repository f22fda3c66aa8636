import json

import pytest

from eval.tools import scale
from index import vectors
from tests.eval.scale_data import CountingEmbedder, write_questions


@pytest.fixture
def data_dir(tmp_path):
    (tmp_path / "data").mkdir()
    write_questions(tmp_path / "data" / "a.jsonl.gz", 15)
    return tmp_path / "data"


def test_every_size_is_built_measured_and_reported(tmp_path, data_dir, monkeypatch):
    monkeypatch.setattr(vectors, "EXACT_BELOW", 50)
    embedder = CountingEmbedder()
    out = tmp_path / "out"
    report = scale.run(data_dir, [60, 10], out, embedder, queries=12, say=lambda _: None)
    small, large = report["rows"]
    assert (small["size"], small["real"], large["size"], large["real"]) == (10, 10, 60, 15)
    assert small["index"] == "flat" and small["recall_at_10"] == 1.0 and small["lists"] is None
    assert large["index"] == "ivf" and large["nprobe"] >= 1 and 0 < large["recall_at_10"] <= 1
    for row in (small, large):
        assert set(row["latency_ms"]) == {"hybrid", "dense", "bm25"}
        assert all(0 < p50 <= p95 for p50, p95 in [*row["latency_ms"].values(), *row["search_ms"].values()])
        assert row["build_chunks_per_s"] > 0 and row["disk_mb"] > row["vectors_mb"] > 0 and row["keywords_mb"] > 0
        assert row["answer_ms"] is None
    assert report["real_chunks"] == 15 and "vectors drawn around" in report["synthetic"]
    assert json.loads((out / "scale.json").read_text()) == json.loads(json.dumps(report))
    table = (out / "scale.md").read_text()
    assert "| 60 (15) | IVF1 SQ8" in table and "| 10 (10) | flat" in table and "Synthetic: past 15 real" in table
    assert (out / "scale.png").stat().st_size > 10_000
    assert not list(out.glob("index-*"))  # indexes are removed unless kept
    assert embedder.embedded == 15  # each real chunk once...

    again = CountingEmbedder()
    scale.run(data_dir, [10], out, again, queries=12, say=lambda _: None)
    assert again.embedded == 0  # ...and a second run reads their vectors from the cache


def test_a_missing_data_directory_is_one_line(tmp_path, capsys):
    assert scale.main([str(tmp_path), "--answers", "0", "--out", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err.strip() == f"eval.tools.scale: error: {tmp_path}: no *.jsonl.gz question files"
