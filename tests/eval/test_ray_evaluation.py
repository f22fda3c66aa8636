"""``qa eval --ray`` on a real two-node Ray cluster: the same report as one process writes."""

import json

from qa.cli import main
from qa.corpus import BUNDLED_QUESTIONS


def test_an_evaluation_spread_over_the_cluster_scores_as_one_process(tmp_path, ray_cluster):
    local, spread = tmp_path / "local", tmp_path / "ray"
    assert main(["eval", str(BUNDLED_QUESTIONS), "--limit", "10", "--out", str(local)]) == 0
    assert main(["eval", str(BUNDLED_QUESTIONS), "--limit", "10", "--out", str(spread), "--ray", "--workers", "2"]) == 0

    for name in ("predictions.json", "na_probs.json"):
        assert json.loads((spread / name).read_text()) == json.loads((local / name).read_text())
    one, other = (
        {k: v for k, v in json.loads((path / "metrics.json").read_text()).items() if "latency" not in k}
        for path in (local, spread)
    )
    assert one == other and other["total"] == 10
