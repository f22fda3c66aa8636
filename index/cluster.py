"""Joining a Ray cluster: the one place that starts or connects to one, for indexing, serving and evaluating.

Ray is imported only here and in the modules that run work on it, and only when ``--ray`` asks for it, so the
single-process paths neither need nor load it.
"""

from __future__ import annotations

import os

from index.errors import QAError

LOCAL = "local"  # --ray without an address: a cluster on this machine only


class ClusterError(QAError):
    """Ray is missing, or the cluster cannot be reached."""


def connect(address: str = LOCAL) -> None:
    """Join the Ray cluster at ``address`` ("auto": the one ``ray start`` runs here), or start one on this
    machine (``LOCAL``); nothing when this process has joined one already (a test's cluster, a Serve replica).

    The workers import this project as the driver does, so it must be installed on every node.
    """
    try:
        import ray
    except ImportError:
        raise ClusterError("--ray needs Ray: pip install 'ray[serve]'") from None
    if ray.is_initialized():
        return
    # the workers run this project's code on its files; they must not try the network for the models either
    env = {name: value for name, value in os.environ.items() if name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    try:
        ray.init(
            address=None if address == LOCAL else address,
            logging_level="ERROR",
            log_to_driver=False,
            include_dashboard=False if address == LOCAL else None,
            runtime_env={"env_vars": env},
        )
    except (ConnectionError, RuntimeError, ValueError) as err:
        raise ClusterError(f"cannot join the Ray cluster at {address}: {err}") from err


def worker_count() -> int:
    """The cluster's CPUs: how many workers to start when the user does not say."""
    import ray

    return max(1, int(ray.cluster_resources().get("CPU", 1)))
