"""The one latency percentile: interpolated between measurements, so p50 is the median."""

import math

import pytest

from qa.timings import percentile


@pytest.mark.parametrize(("p", "expected"), [(0, 1.0), (50, 2.5), (95, 3.85), (100, 4.0)])
def test_percentiles_interpolate_between_measurements(p, expected):
    assert percentile([4.0, 1.0, 3.0, 2.0], p) == pytest.approx(expected)


def test_no_measurement_has_no_percentile():
    assert math.isnan(percentile([], 50))
