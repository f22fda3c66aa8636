import numpy as np
import pytest

from eval.calibrate import fit_logistic


def test_logistic_fit_recovers_known_scale_and_bias():
    rng = np.random.default_rng(0)
    margins = rng.normal(size=20000) * 3
    right = (rng.random(20000) < 1 / (1 + np.exp(-(0.5 * margins - 1.0)))).astype(float)
    scale, bias = fit_logistic(margins, right)
    assert scale == pytest.approx(0.5, abs=0.05)
    assert bias == pytest.approx(-1.0, abs=0.08)
