"""The hidden tests: sizes and seeds a student never saw, and finite-difference references.

Teacher material only: never copy this file into student/ (a test checks it). Each case is a
problem with n, d_in, d1, d2, d_out pairwise different, and different from every notebook's own
sizes, so a transposed product, a hard-coded shape or a value copied from an output fails here
even where the notebook's sizes let it pass. The grader re-runs a student's exercise cell in a
fresh namespace built by :func:`problem`, then runs the exercise's own check cell there and, for
a gradient, compares it with central differences of the loss (6), not with a stored value.
"""

import numpy as np

import helpers
from exercises.context import loss_of
from helpers.gradcheck import numerical_gradient, rel_error
from helpers.network import _forward, _loss

CASES = (
    {"n": 6, "d_in": 2, "d1": 7, "d2": 3, "d_out": 4, "seed": 2024},
    {"n": 9, "d_in": 5, "d1": 3, "d2": 8, "d_out": 6, "seed": 777},
)
LR = 1e-3
FD_STEP = 1e-6
FD_RTOL = 1e-6


def label(case):
    return (f"hidden case n={case['n']}, d_in={case['d_in']}, d1={case['d1']}, d2={case['d2']}, "
            f"d_out={case['d_out']}, seed {case['seed']}")


def problem(case):
    """Fresh arrays for one case: every name of the paper's notation a notebook cell may use."""
    rng = np.random.default_rng(case["seed"])
    dims = [case[k] for k in ("n", "d_in", "d1", "d2", "d_out")]
    n, d_in, d1, d2, d_out = dims
    params = helpers.init_params(d_in, d1, d2, d_out, rng=rng)
    for k in ("b1", "b2", "b3"):
        params[k] = 0.5 * rng.standard_normal(params[k].shape)
    x, y = helpers.random_data(n, d_in, d_out, rng=rng)
    y_pred, cache = helpers.forward(params, x)
    grads = helpers.backward(params, x, y, cache)          # also stores dy, dh2, dh1 in cache
    ns = {"n": n, "d_in": d_in, "d1": d1, "d2": d2, "d_out": d_out, "params": params, "x": x,
          "y": y, "y_pred": y_pred, "cache": cache, "grads": grads, "lr": LR, "h": 1e-5,
          "L": helpers.loss(y_pred, y), "rng": np.random.default_rng(case["seed"] + 1)}
    ns.update(params)
    ns.update({k: cache[k] for k in ("h1", "h1_relu", "h2", "h2_relu", "A", "B", "dy", "dh2",
                                     "dh1")})
    ns.update({f"d{k}": v for k, v in grads.items()})
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in ns.items()}


def _loss_of(ns, name):
    """L (6) as a function of the array it perturbs, for gradient ``name``; (f, array).

    Both come from the reference network: a parameter's loss is its forward pass, dy's, dh2's
    and dh1's the forward pass from y_pred, h2 or h1 on (:func:`exercises.context.loss_of`)."""
    p = {k: ns["params"][k].copy() for k in ns["params"]}
    x, y = ns["x"], ns["y"]
    if name[1:] in p:                                      # dw1 … db3
        return (lambda: _loss(_forward(p, x)[0], y)), p[name[1:]]
    arr = ns[{"dy": "y_pred", "dh2": "h2", "dh1": "h1"}[name]].copy()
    return (lambda: loss_of(p, y, name, arr)), arr


FD_NAMES = ("dw1", "db1", "dw2", "db2", "dw3", "db3", "dy", "dh2", "dh1")


_REFERENCE = {}


def reference_gradient(name, ns):
    """Central differences of L (6) for gradient ``name`` in the problem ``ns``, computed once
    per problem object (the grader's problems live as long as it does and are never changed)."""
    key = (name, id(ns))
    if _REFERENCE.get(key, (None,))[0] is not ns:
        f, arr = _loss_of(ns, name)
        _REFERENCE[key] = ns, numerical_gradient(f, arr, h=FD_STEP)
    return _REFERENCE[key][1]


def finite_difference_check(name, value, ns):
    """Raise AssertionError unless ``value`` is ∂L/∂(…) by central differences (name in FD_NAMES).

    ``ns`` is the case's original :func:`problem` (not the student's namespace).
    """
    numerical = reference_gradient(name, ns)
    value = np.asarray(value, dtype=np.float64)
    if value.shape != numerical.shape:
        raise AssertionError(f"{name} has shape {value.shape}; central differences of L give "
                             f"{numerical.shape}")
    err = float(rel_error(value, numerical, floor=1e-3 * float(np.abs(numerical).max())).max())
    if not np.isfinite(err) or err > FD_RTOL:
        raise AssertionError(f"{name} disagrees with central differences of L (6): max relative "
                             f"error {err:.1e} > {FD_RTOL:.0e}")
