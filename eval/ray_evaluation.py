"""``qa eval --ray``: a question set's jobs spread over a Ray cluster's workers, their outcomes merged into the
one report.

Each worker is an actor that builds the system under evaluation once (the models load once per worker) and
answers the jobs it is handed, as many as there are; the runner puts the outcomes back in file order, so
the report is the one a single process writes.
"""

from __future__ import annotations

from collections.abc import Callable

from eval.outcome import QuestionOutcome
from eval.runner import AnswerFnFactory, EvaluationJob, run_job
from index.cluster import LOCAL, connect, worker_count


class EvaluationWorker:
    """One worker: the system built once by ``make_factory``, then any number of jobs."""

    def __init__(self, make_factory: Callable[[], AnswerFnFactory]):
        self.answer_fn_factory = make_factory()

    def run(self, job: EvaluationJob) -> list[QuestionOutcome]:
        return run_job(job, self.answer_fn_factory, progress=False)


def evaluate_on_ray(
    jobs: list[EvaluationJob],
    make_factory: Callable[[], AnswerFnFactory],
    address: str = LOCAL,
    workers: int = 0,
    done: Callable[[int, int], None] | None = None,
) -> list[QuestionOutcome]:
    """The outcomes of every job, answered by ``workers`` actors (0: one per CPU of the cluster).

    ``make_factory`` is sent to the workers, so it must pickle (a module-level function, or a partial of one).
    ``done(finished, total)`` follows the progress.
    """
    import ray
    from ray.util import ActorPool

    connect(address)
    actor = ray.remote(num_cpus=1)(EvaluationWorker)
    count = min(workers or worker_count(), len(jobs))
    actors = [actor.options(scheduling_strategy="SPREAD").remote(make_factory) for _ in range(count)]
    outcomes: list[QuestionOutcome] = []
    try:
        answered = ActorPool(actors).map_unordered(lambda worker, job: worker.run.remote(job), jobs)
        for finished, found in enumerate(answered, 1):
            outcomes += found
            if done is not None:
                done(finished, len(jobs))
    finally:
        for worker in actors:  # their CPUs go back to the cluster now, not when this process ends
            ray.kill(worker)
    return outcomes
