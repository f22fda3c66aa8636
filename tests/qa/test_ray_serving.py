"""``qa serve --ray``'s answer deployment on a real two-node Ray cluster: replicas over a sharded index, and a
replica killed while questions are being answered is replaced without losing one."""

import threading
import time

import ray
from ray import serve

from index.cluster import connect
from index.ray_indexing import index_on_ray
from qa.corpus import BUNDLED_ARTICLE
from qa.ray_serving import APPLICATION, DEPLOYMENT, serve_on_ray, stop_serving

QUESTIONS = [
    ("How many Russian troops are stationed on the disputed islands?", "3,500"),
    ("How long is the Nile?", "6,650 km"),
    ("Who is the spokeswoman of the Russian Foreign Ministry?", "Maria Zakharova"),
]


def _running_replicas() -> int:
    status = serve.status().applications[APPLICATION].deployments[DEPLOYMENT]
    return status.replica_states.get("RUNNING", 0)


def _is_replica(actor: dict) -> bool:
    return DEPLOYMENT in actor["name"] and "replica" in actor["name"].lower()  # SERVE_REPLICA::qa#AnswerService#...


def _replica_names() -> list[str]:
    return [actor["name"] for actor in ray.util.list_named_actors(all_namespaces=True) if _is_replica(actor)]


def test_replicas_answer_from_the_shards_and_a_killed_one_is_replaced_without_losing_a_question(tmp_path, ray_cluster):
    nile = tmp_path / "nile.txt"
    nile.write_text("The river Nile flows north into the Mediterranean Sea. It is about 6,650 km long.")
    connect()
    index_on_ray([str(BUNDLED_ARTICLE), str(nile)], tmp_path / "sharded", shards=2)
    pipeline = serve_on_ray(tmp_path / "sharded", replicas=2, replica_cpus=0.5)
    try:
        assert sorted(pipeline.retriever.store.documents) == ["article.txt", "nile.txt"]
        for question, expected in QUESTIONS:
            assert expected in pipeline.run(question).answer.text

        answers, errors, stop = [], [], threading.Event()

        def ask_all_the_time():
            try:
                while not stop.is_set() or len(answers) < 12:
                    question, expected = QUESTIONS[len(answers) % len(QUESTIONS)]
                    answers.append((expected, pipeline.run(question)))
            except Exception as error:  # a lost question fails the test below, not just this thread
                errors.append(error)

        asking = threading.Thread(target=ask_all_the_time)
        asking.start()
        while len(answers) < 3 and asking.is_alive():
            time.sleep(0.1)
        replica = next(actor for actor in ray.util.list_named_actors(all_namespaces=True) if _is_replica(actor))
        ray.kill(ray.get_actor(replica["name"], namespace=replica["namespace"]), no_restart=True)
        stop.set()
        asking.join(timeout=300)
        assert not asking.is_alive()
        assert errors == []
        assert len(answers) >= 12
        assert all(result.answer is not None and expected in result.answer.text for expected, result in answers)

        def replaced() -> bool:  # a new replica took the killed one's place, and both serve
            names = _replica_names()
            return replica["name"] not in names and len(names) == 2 and _running_replicas() == 2

        deadline = time.monotonic() + 180
        while not replaced() and time.monotonic() < deadline:
            time.sleep(1)
        assert replaced()
    finally:
        stop_serving(pipeline)
