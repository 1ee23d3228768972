"""The paper's network: x → ReLU layer (d1) → ReLU layer (d2) → linear output (d_out).

Read it beside the paper: :func:`_forward` is (1)–(5), :func:`_loss` (6), :func:`_backward`
(81)–(86), one line each, in order. A bias is a 1×d row that ``x @ w1 + b1`` broadcasts to every
row (the paper's 1·b1); its gradient is the column sum 1ᵀ·G of the n×d (82), (84), (86).
:func:`forward`, :func:`loss`, :func:`backward` check their input, then run those lines; the ``_``
functions also take a :class:`Net`, a variation: the one reference the checks and tests use.
"""

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from . import _checks as check
from ._checks import PARAM_NAMES, check_problem

__all__ = ["PARAM_NAMES", "init_params", "relu", "mask_A", "mask_B", "forward", "loss",
           "backward", "seed_bias_gradient"]


def init_params(d_in, d1, d2, d_out, *, rng=None, scale=None, dtype=np.float64):
    """Random parameters with the shapes of eqs. (1), (3), (5): ``w1`` d_in×d1, ``b1`` 1×d1,
    ``w2`` d1×d2, ``b2`` 1×d2, ``w3`` d2×d_out, ``b3`` 1×d_out; biases start at zero.

    ``rng``: a non-negative integer seed or a Generator (``None``: seed 0). ``scale``: ``None``
    is He initialisation, weights ~ N(0, 2/fan_in) for the ReLU layers, N(0, 1/fan_in) for w3; a
    positive number gives every weight N(0, scale²), the paper's ``randn`` set-up. ``dtype``:
    float64 or float32. Refused: sizes that are not positive integers, bools, other dtypes.
    """
    check.check_dims(d_in=d_in, d1=d1, d2=d2, d_out=d_out)
    dtype = check.check_dtype(dtype)
    if scale is not None:
        check.check_number(scale, "scale", positive=True, what="a number or None")
    rng = check.make_rng(rng)
    params = {}
    for k, (fan_in, fan_out, gain) in enumerate(((d_in, d1, 2), (d1, d2, 2), (d2, d_out, 1)), 1):
        std = np.sqrt(gain / fan_in) if scale is None else scale
        params[f"w{k}"] = (rng.standard_normal((fan_in, fan_out)) * std).astype(dtype)
        params[f"b{k}"] = np.zeros((1, fan_out), dtype=dtype)
    return params


def relu(h):
    """Relu(h) = max(h, 0), elementwise: eqs. (2) and (4)."""
    return np.maximum(h, 0)


def mask_A(h2):
    """A = ∂Relu(h2)/∂h2 elementwise, eq. (33): 1 where h2 ≥ 0, else 0 (boolean n×d2). At the
    kink 0 the paper takes 1 (any value in [0, 1] is a subgradient; biases start at zero)."""
    return np.greater_equal(h2, 0)


def mask_B(h1):
    """B = ∂Relu(h1)/∂h1 elementwise, eq. (64): 1 where h1 ≥ 0, else 0 (boolean n×d1)."""
    return np.greater_equal(h1, 0)


class Activation(NamedTuple):
    """An activation as a pair: its value and its derivative (for ReLU, the masks (64), (33))."""
    value: object
    slope: object


@dataclass(frozen=True)
class Net:
    """A variation: the activations of layers 1 and 2, the mean L / (n·d_out) instead of the sum
    (6), weight decay + lam·(‖w1‖² + ‖w2‖² + ‖w3‖²). :data:`PAPER` is the paper's network."""
    act1: Activation
    act2: Activation
    mean: bool = False
    lam: float = 0.0


def _forward(params, x, net=None):
    """Eqs. (1)–(5) and the masks (64), (33), unchecked. Returns ``(y_pred, cache)``."""
    (relu1, slope1), (relu2, slope2) = (net or PAPER).act1, (net or PAPER).act2
    w1, b1, w2, b2, w3, b3 = (params[k] for k in PARAM_NAMES)
    h1 = x @ w1 + b1                                  # (1)
    h1_relu = relu1(h1)                               # (2)
    h2 = h1_relu @ w2 + b2                            # (3)
    h2_relu = relu2(h2)                               # (4)
    y_pred = h2_relu @ w3 + b3                        # (5)
    B, A = slope1(h1), slope2(h2)                     # (64), (33)
    return y_pred, {"h1": h1, "h1_relu": h1_relu, "B": B, "h2": h2, "h2_relu": h2_relu, "A": A,
                    "y_pred": y_pred}


def _loss(y_pred, y, net=None, params=None):
    """Eq. (6), unchecked, as a Python float (with ``net``'s mean and decay if it has them)."""
    L = float(np.sum((y_pred - y) ** 2))              # (6)
    if net is not None:
        L = L / y.size if net.mean else L
        L += net.lam * sum(float(np.sum(params[k] ** 2)) for k in ("w1", "w2", "w3"))
    return L


def _backward(params, x, y, cache, net=None):
    """Eqs. (81)–(86), unchecked; the biases' gradients summed, 1ᵀ·G. Stores dy (82), dh2 (84)
    and dh1 (86) in ``cache`` and returns the gradients, a dict with the keys of ``params``."""
    w2, w3 = params["w2"], params["w3"]
    h1_relu, B, h2_relu, A, y_pred = (cache[k] for k in ("h1_relu", "B", "h2_relu", "A",
                                                          "y_pred"))
    dy = 2 * (y_pred - y)                             # (82), n×d_out
    dw3 = h2_relu.T @ dy                              # (81)
    db3 = dy.sum(axis=0, keepdims=True)               # 1ᵀ·(82)
    dh2 = A * (dy @ w3.T)                             # (84)
    dw2 = h1_relu.T @ dh2                             # (83)
    db2 = dh2.sum(axis=0, keepdims=True)              # 1ᵀ·(84)
    dh1 = B * (dh2 @ w2.T)                            # (86)
    dw1 = x.T @ dh1                                   # (85)
    db1 = dh1.sum(axis=0, keepdims=True)              # 1ᵀ·(86)
    grads = {"w1": dw1, "b1": db1, "w2": dw2, "b2": db2, "w3": dw3, "b3": db3}
    cache.update(dy=dy, dh2=dh2, dh1=dh1)
    if net is not None and (net.mean or net.lam):
        _beyond_the_paper(params, y, cache, grads, net)
    return grads


def _beyond_the_paper(params, y, cache, grads, net):
    """The mean loss scales every gradient by 1/(n·d_out); decay adds 2·lam·w to dw."""
    if net.mean:
        for d in (grads, cache):
            d.update({k: d[k] / y.size for k in (PARAM_NAMES if d is grads else ("dy", "dh2",
                                                                                 "dh1"))})
    for k in ("w1", "w2", "w3"):
        grads[k] = grads[k] + 2 * net.lam * params[k]


RELU = Activation(relu, mask_B)
IDENTITY = Activation(lambda h: h, lambda h: np.ones_like(h))
TANH = Activation(np.tanh, lambda h: 1 - np.tanh(h) ** 2)
PAPER = Net(RELU, RELU)


def leaky_relu(alpha):
    """The leaky ReLU max(h, alpha·h) (0 < alpha < 1): slope 1 where h ≥ 0, alpha below."""
    return Activation(lambda h: np.where(h >= 0, h, alpha * h),
                      lambda h: np.where(h >= 0, 1.0, alpha))


def forward(params, x):
    """Forward pass, eqs. (1)–(5). Returns ``(y_pred, cache)``; ``x`` is n×d_in, one sample per
    row. ``cache`` holds ``h1``, ``h1_relu``, ``B`` (64), ``h2``, ``h2_relu``, ``A`` (33) and
    ``y_pred``, what :func:`backward` needs; the returned ``y_pred`` is a copy, yours to change.

    Refused with a message naming what is wrong (``TypeError`` or ``ValueError``): params that are
    not a dict of exactly ``w1 b1 w2 b2 w3 b3``, non-arrays, integer, complex or mixed dtypes,
    shapes that do not fit eqs. (1), (3), (5), a 1-D bias (with the reshape that fixes it), NaN or
    inf anywhere; an x that is not n×d_in, empty, ragged, None, a masked array or an ``np.matrix``,
    or a float array of the other precision than params.
    """
    _, x, _ = check_problem(params, x)
    y_pred, cache = _forward(params, x)
    return y_pred.copy(), cache


def loss(y_pred, y):
    """L = Σ_i Σ_j (y_pred_ij − y_ij)², eq. (6), as a Python float: a *sum*, not a mean (the
    paper's text says "mean squared error", but (6) and every gradient after it use the sum).

    Shapes must match exactly (no broadcasting);
    integer input is converted to float64 first (squares of integers would overflow silently);
    None, NaN, inf, masked arrays, ``np.matrix`` and the pair that forward returns are refused.
    """
    y_pred, y = check.check_same_shape(y_pred, y)
    return _loss(y_pred, y)


def backward(params, x, y, cache, *, bias_form="sum"):
    """Gradients of L (eq. 6) with respect to every parameter, eqs. (81)–(86).

    Returns a dict with the keys of ``params``. The weight gradients are (81), (83), (85). For the
    biases, ``bias_form="sum"`` (default) gives the true gradient of the 1×d parameter, the column
    sum 1ᵀ·G of the paper's n×d matrices (82), (84), (86); ``bias_form="seed"`` gives those n×d
    matrices themselves (the gradients with respect to the broadcast matrix 1·b). backward also
    stores ``dy`` = 2(y_pred − y) (82), ``dh2`` (84) and ``dh1`` (86) in ``cache``.

    ``cache`` must be the one :func:`forward` returned for these ``params`` and this ``x``: a cache
    from another x or other parameters, from before an update of the parameters in place, or with
    an edited array is refused (``ValueError``), without running the forward pass again (see
    :func:`_check_cache`). ``y`` is checked as x is (n×d_out, the rows of x); ``y=None`` is refused.
    """
    if y is None:
        raise TypeError("y is None: backward needs the targets y (n × d_out) to form "
                        "2(y_pred − y), eq. (82)")
    _, x, y = check_problem(params, x, y)
    if bias_form not in ("sum", "seed"):
        raise ValueError(f"bias_form must be 'sum' or 'seed'; got {bias_form!r}")
    _check_cache(cache, params, x)
    grads = _backward(params, x, y, cache)
    if bias_form == "seed":
        grads = {**grads, "b3": cache["dy"].copy(), "b2": cache["dh2"].copy(),
                 "b1": cache["dh1"].copy()}
    return grads


def seed_bias_gradient(G):
    """The 1×d gradient of a bias from the paper's n×d form (82), (84) or (86): 1ᵀ·G, the column
    sum (each row of 1·b is the same b, so ∂L/∂b_l = Σ_i ∂L/∂(1·b)_il)."""
    G = check.as_real_array(G, "G")
    if G.ndim != 2:
        raise ValueError(f"G must be an n×d matrix; got shape {G.shape}")
    return np.ones((1, G.shape[0]), dtype=G.dtype) @ G


# ---- the cache check: is this cache the forward pass of these params and this x? --------------

_LAYERS = (("h1", "x", "w1", "b1", "B"), ("h2", "h1_relu", "w2", "b2", "A"),
           ("y_pred", "h2_relu", "w3", "b3", None))


@lru_cache(maxsize=32)
def _probe(d, dtype):
    """Two fixed random columns of length d, for the check of a product (Freivalds' test)."""
    r = np.random.default_rng(d).standard_normal((d, 2)).astype(dtype)
    r.flags.writeable = False
    return r


def _check_cache(cache, params, x):
    """Refuse a ``cache`` that is not the forward pass of these ``params`` and ``x``.

    Without running (1)–(5) again: both sides of (1), (3), (5), h = a·w + 1·b, are multiplied by
    two fixed random columns r, and h·r must match a·(w·r) + b·r to within rounding (Freivalds'
    test, one pass over each array). It sees a change of an entry of a parameter, of x or of the
    cache by more than about 1e-9 of it in float64; in float32, of one entry by a few %, or of
    all of them by 1e-5. h1_relu, h2_relu must be relu of h1, h2; the masks B (64), A (33) must
    be 1 where h > 0 and 0 where h < 0 (either at 0, so ReLU'(0) = 0 is accepted too).
    """
    if not isinstance(cache, dict):
        raise TypeError(f"cache must be the dict returned by forward(params, x); got "
                        f"{type(cache).__name__}")
    missing = [k for k in ("h1", "h1_relu", "B", "h2", "h2_relu", "A", "y_pred") if k not in cache]
    if missing:
        raise TypeError(f"cache has no {', '.join(repr(k) for k in missing)}: pass the dict "
                        f"returned by forward(params, x)")
    dt, n = params["w1"].dtype, x.shape[0]
    eps = float(np.finfo(dt).eps)
    for h, a, w, b, mask in _LAYERS:
        rows, cols = params[w].shape
        for k, shape in ((a, (n, rows)), (h, (n, cols)), (mask, (n, cols))):
            if k not in (None, "x"):
                _check_array(k, cache[k], shape, dt)
        hh, aa, r = cache[h], (x if a == "x" else cache[a]), _probe(cols, dt)
        with np.errstate(over="ignore", invalid="ignore"):
            diff = np.abs(hh @ r - (aa @ (params[w] @ r) + params[b] @ r)).max(axis=1)
            size = (np.sqrt(np.einsum("ij,ij->i", aa, aa) * np.vdot(params[w], params[w]))
                    + np.sqrt(np.einsum("ij,ij->i", hh, hh)) + np.abs(params[b]).sum())
        if not np.all(diff <= 2 * eps * size * np.sqrt(cols)):     # measured: ≤ 0.25 when honest
            _stale(h)
        if mask is not None:
            if not np.array_equal(cache[f"{h}_relu"], relu(hh)):
                _stale(f"{h}_relu")
            wrong = cache[mask] != (hh >= 0)          # allowed only at a kink, |h| ≤ tol
            if wrong.any() and np.any(np.abs(hh[wrong]) > 64 * eps * np.abs(hh).max()):
                raise ValueError(f"cache['{mask}'] does not match the signs of {h} from "
                                 f"forward(params, x): it must be 1 where the pre-activation is "
                                 f"positive and 0 where it is negative")


def _check_array(k, c, shape, dtype):
    if not isinstance(c, np.ndarray) or c.shape != shape or (c.dtype != dtype
                                                             and k not in ("A", "B")):
        got = f"shape {c.shape}, dtype {c.dtype}" if isinstance(c, np.ndarray) else \
            type(c).__name__
        raise ValueError(f"cache['{k}'] has {got}, but forward(params, x) gives shape {shape}, "
                         f"dtype {dtype}: this cache comes from another x or other parameters; "
                         f"call forward(params, x) with this x first")


def _stale(k):
    raise ValueError(
        f"cache['{k}'] does not match forward(params, x): the cache was computed from another x "
        f"or other parameters, or the parameters changed since (an update in place?), or the "
        f"cache was edited. Call forward(params, x) again, then backward")
