"""Shared set-up for the unit tests of ``helpers``.

* matplotlib draws off screen (Agg), whatever the machine's default backend;
* hypothesis is deterministic (``derandomize=True``), keeps no example database in the repository,
  has no deadline (the machine is shared and its timing is not ours) and runs few examples, so the
  whole unit suite stays fast;
* ``make_problem``, a factory for parameters and data, as a session fixture (test modules cannot
  ``import conftest``: tests/browser has a conftest too, and the name would be ambiguous).
"""

import matplotlib

matplotlib.use("Agg", force=True)

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from helpers import init_params, random_data  # noqa: E402

settings.register_profile(
    "unit", max_examples=25, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow], print_blob=False)
settings.load_profile("unit")

def _make_problem(n, d_in, d1, d2, d_out, *, seed=0, scale=None, bias=0.5, dtype=np.float64):
    """Parameters with non-zero biases, and x, y: a generic point for gradients (no exact 0s)."""
    rng = np.random.default_rng(seed)
    params = init_params(d_in, d1, d2, d_out, rng=rng, scale=scale, dtype=dtype)
    for k in ("b1", "b2", "b3"):
        params[k] = (bias * rng.standard_normal(params[k].shape)).astype(dtype)
    x, y = random_data(n, d_in, d_out, rng=rng, dtype=dtype)
    return params, x, y


@pytest.fixture(scope="session")
def make_problem():
    """``make_problem(n, d_in, d1, d2, d_out, *, seed=0, scale=None, bias=0.5, dtype=float64)``
    returns fresh ``(params, x, y)`` (session scope, so hypothesis tests may use it)."""
    return _make_problem


@pytest.fixture
def problem():
    """A fixed small problem: n=4, d_in=3, d1=5, d2=4, d_out=2, float64."""
    return _make_problem(4, 3, 5, 4, 2, seed=1)
