"""What round-off alone can make |analytic − numerical| in a gradient check, entry by entry:
a difference below it says nothing about the gradient (:mod:`helpers.gradcheck`)."""

import numpy as np

from ._checks import PARAM_NAMES
from .network import _backward, _forward

__all__ = ["EPS", "ROUNDOFF_SAFETY", "roundoff"]

EPS = float(np.finfo(np.float64).eps)
#: the round-off bound is ROUNDOFF_SAFETY × the first-order estimate (see :func:`roundoff`)
ROUNDOFF_SAFETY = 2.0


def roundoff(params, x, y, *, h=1e-5, cache=None, split=False):
    """What round-off alone can make |analytic − numerical| (float64 eps), entry by entry.

    Returns ``{name: array of params[name]'s shape}``, the sum of two terms (module docstring), or
    with ``split=True`` ``{name: (cancellation, propagation)}``, the two terms apart:

    (a) cancellation, ``eps·(3L + 2·Σ(|r| + eps·V)·V) / h``, r = y_pred − y: the two losses
        L(p ± h) differ in their rounding by about eps·L from the sum (6), 2·eps·L from the
        subtraction y_pred − y, and, per output entry, 2|r| times the rounding of the sums that
        the perturbation changes, eps·V;
    (b) propagation, ``eps·Σ_i |∂y_pred_i/∂p|·(2|r_i| + 4V_i)``: the rounding of the residual
        and of the backward pass, which does not shrink with L or with h.

    V is the forward pass (1)–(5) on absolute values, |x|·|w1| + |b1| and so on, with the actual
    masks A (33), B (64), and only from the perturbed layer on: p in layer 3 changes only
    h2_relu·w3 + 1·b3 (a bias only the last addition, V = |y_pred|), and w3 and b3 only their own
    column of y_pred. |∂y_pred/∂p| is bounded by the backward pass (81)–(86) on absolute values.
    Both terms are multiplied by ``ROUNDOFF_SAFETY`` = 2 (on random networks, exact fits and
    weights from 0.1 to 1000 the actual error stayed below half of the first-order estimate).
    ``params``, ``x``, ``y`` must be checked already; ``cache`` is their forward cache (computed
    if omitted).
    """
    if cache is None:
        _, cache = _forward(params, x)
    f64 = {k: np.abs(params[k]).astype(np.float64) for k in PARAM_NAMES}
    w1, b1, w2, b2, w3, b3 = (f64[k] for k in PARAM_NAMES)
    A, B = cache["A"], cache["B"]
    h1_relu, h2_relu = (np.asarray(cache[k], dtype=np.float64) for k in ("h1_relu", "h2_relu"))
    y_pred = np.asarray(cache["y_pred"], dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        r = np.abs(y_pred - y)
        L = float(np.sum(r * r))
        own1 = np.abs(x).astype(np.float64) @ w1 + b1       # rounding of (1), per entry of h1
        own2 = h1_relu @ w2 + b2                             # of (3)
        own3 = h2_relu @ w3 + b3                             # of (5)
        into2 = {"w": (A * ((B * own1) @ w2 + own2)) @ w3,   # layer 1's rounding, reaching y_pred
                 "b": (A * ((B * np.abs(cache["h1"])) @ w2 + own2)) @ w3}
        V = {"w1": into2["w"] + own3, "b1": into2["b"] + own3,
             "w2": (A * own2) @ w3 + own3, "b2": (A * np.abs(cache["h2"])) @ w3 + own3,
             "w3": own3, "b3": np.abs(y_pred)}
        # |∂y_pred/∂p| by the backward pass (81)–(86) on absolute values, with 2|r| + 4V in place
        # of dy = 2(y_pred − y): y_pred = |r| + 2V and y = 0 give it.
        abs_x, abs_cache = np.abs(x).astype(np.float64), {"h1_relu": h1_relu, "B": B,
                                                          "h2_relu": h2_relu, "A": A}
        result = {}
        for name, v in V.items():
            terms = (r + EPS * v) * v
            # layers 1, 2 change every output; w3[k, l] and b3[0, l] only column l
            s = terms.sum(axis=0, keepdims=True) if name[1] == "3" else terms.sum()
            cancellation = EPS * (3.0 * L + 2.0 * s) / h
            propagation = EPS * _backward(f64, abs_x, 0.0 * r,
                                           {**abs_cache, "y_pred": r + 2.0 * v})[name]
            cancellation = np.broadcast_to(cancellation, propagation.shape)
            result[name] = (ROUNDOFF_SAFETY * cancellation, ROUNDOFF_SAFETY * propagation) \
                if split else ROUNDOFF_SAFETY * (cancellation + propagation)
    return result
