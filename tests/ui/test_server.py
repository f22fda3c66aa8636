"""``qa serve`` as a user's program sees it: the ``/answer`` API through gradio_client."""

import pytest

KISHIDA = "Who is the Prime Minister of Japan?"
POPULATION = "What is the population of the Kuril Islands?"


@pytest.fixture(scope="module")
def client(server_url):
    from gradio_client import Client

    return Client(server_url, verbose=False)


def test_answer_and_status_are_the_only_documented_endpoints(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert list(endpoints) == ["/answer", "/status"]
    assert [p["parameter_name"] for p in endpoints["/answer"]["parameters"]] == ["question", "top_k", "threshold"]
    assert endpoints["/status"]["parameters"] == []


def test_answers_from_the_bundled_article(client):
    result = client.predict(KISHIDA, api_name="/answer")
    assert result["question"] == KISHIDA
    assert result["answer"]["text"] == "Fumio Kishida"
    assert result["answer"]["source"] == "article.txt"
    assert result["answer"]["score"] >= result["threshold"]


def test_abstains_when_the_article_does_not_say(client):
    result = client.predict(POPULATION, api_name="/answer")
    assert result["answer"] is None
    assert result["passages"]  # the closest passages come back anyway


def test_settings_reach_the_pipeline(client):
    result = client.predict(POPULATION, 1, 0.0, api_name="/answer")
    assert len(result["passages"]) == 1
    assert result["threshold"] == 0.0
    # every confidence is above 0: the best guess becomes the answer
    assert result["answer"] is not None and result["answer"]["text"] == result["candidates"][0]["text"]


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "Please type a question."), ("   ", "Please type a question."), ("a" * 10_000, "under 1,000")],
)
def test_bad_question_gets_a_clear_message(client, question, message):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=message):
        client.predict(question, api_name="/answer")


@pytest.mark.parametrize(
    ("top_k", "threshold", "message"),
    [
        (0, None, "top_k must be a whole number between 1 and 10"),
        (3.7, None, "top_k must be a whole number"),
        ("abc", None, "top_k must be a whole number"),
        (3, "x", "threshold must be a number between 0 and 1"),
    ],
)
def test_bad_settings_get_a_clear_message(client, top_k, threshold, message):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=message):
        client.predict(KISHIDA, top_k, threshold, api_name="/answer")


def test_serves_several_clients_at_once(server_url):
    from gradio_client import Client

    jobs = [Client(server_url, verbose=False).submit(KISHIDA, api_name="/answer") for _ in range(3)]
    results = [job.result(timeout=300) for job in jobs]
    assert {r["answer"]["text"] for r in results} == {"Fumio Kishida"}
