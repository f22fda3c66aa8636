"""``qa serve --ray``: the web chat's ``/answer`` API answered by a Ray Serve replica on a real two-node cluster."""

from gradio_client import Client
from ray import serve

from qa.ray_serving import APPLICATION, DEPLOYMENT
from ui.local_server import started_server


def test_the_api_is_answered_by_the_deployment_and_stopping_removes_it(ray_cluster):
    with started_server(options=["--ray", ray_cluster.address, "--replicas", "1"]) as server:
        deployment = serve.status().applications[APPLICATION].deployments[DEPLOYMENT]
        assert deployment.replica_states.get("RUNNING") == 1
        result = Client(server.url, verbose=False).predict("Who is the Prime Minister of Japan?", api_name="/answer")
        assert result["answer"]["text"] == "Fumio Kishida"
        assert result["answer"]["source"] == "article.txt"
    assert APPLICATION not in serve.status().applications  # its replica's CPU is the cluster's again
