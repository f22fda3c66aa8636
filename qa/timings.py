"""The one percentile every latency figure is read with (eval reports, benchmarks, the chat's load test).

Linear interpolation between the two nearest measurements (numpy's default), so a p50 is the median and two
figures measured by different tools mean the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0-100) of ``values``; NaN when there are none."""
    import numpy as np

    return float(np.percentile(values, p)) if len(values) else float("nan")
