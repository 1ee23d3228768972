"""The paper's network, x → ReLU (d1) → ReLU (d2) → linear (d_out), to read beside the paper:
:func:`_forward` is (1)–(5), :func:`_loss` (6), :func:`_backward` (81)–(86), one line each. The
public functions check their input, then run those lines."""

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from . import _checks as check
from ._checks import PARAM_NAMES, check_problem


def init_params(d_in, d1, d2, d_out, *, rng=None, scale=None, dtype=np.float64):
    """Random parameters with the shapes of eqs. (1), (3), (5), zero biases; ``scale`` None is He
    initialisation, a number N(0, scale²), the paper's ``randn``. Refused: sizes that are not
    positive integers, a bad rng or scale, dtypes but float32 and float64."""
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
    """A = ∂Relu(h2)/∂h2, eq. (33): 1 where h2 ≥ 0 (the paper takes 1 at the kink), else 0."""
    return np.greater_equal(h2, 0)


def mask_B(h1):
    """B = ∂Relu(h1)/∂h1, eq. (64): 1 where h1 ≥ 0, else 0."""
    return np.greater_equal(h1, 0)


class Activation(NamedTuple):
    """An activation and its derivative (for ReLU, the masks (64), (33))."""
    value: object
    slope: object


@dataclass(frozen=True)
class Net:
    """A variation: layers 1, 2's activations, the mean L / (n·d_out), decay + lam·Σ‖w‖²."""
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
    """Eqs. (81)–(86), unchecked, bias gradients 1ᵀ·G; stores dy, dh2, dh1 in ``cache``."""
    w2, w3 = params["w2"], params["w3"]
    h1_relu, B, h2_relu, A, y_pred = (cache[k] for k in ("h1_relu", "B", "h2_relu", "A", "y_pred"))
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
    if net is not None and net.mean:                  # beyond the paper: the mean loss
        grads.update({k: g / y.size for k, g in grads.items()})
        cache.update({k: cache[k] / y.size for k in ("dy", "dh2", "dh1")})
    if net is not None and net.lam:                   # and weight decay
        grads.update({k: grads[k] + 2 * net.lam * params[k] for k in ("w1", "w2", "w3")})
    return grads


RELU = Activation(relu, mask_B)
IDENTITY = Activation(lambda h: h, lambda h: np.ones_like(h))
TANH = Activation(np.tanh, lambda h: 1 - np.tanh(h) ** 2)
PAPER = Net(RELU, RELU)


def leaky_relu(alpha):
    """The leaky ReLU max(h, alpha·h) (0 < alpha < 1): slope 1 where h ≥ 0, alpha below."""
    return Activation(lambda h: np.where(h >= 0, h, alpha * h),
                      lambda h: np.where(h >= 0, 1.0, alpha))


def forward(params, x):
    """Eqs. (1)–(5) for x (n×d_in): ``(y_pred, cache)``, cache holding h1, h1_relu, B, h2,
    h2_relu, A, y_pred. Refused: params not exactly w1 b1 w2 b2 w3 b3, non-arrays, integer,
    complex or mixed dtypes, shapes not fitting (1), (3), (5), a 1-D bias, NaN or inf; an x not
    n×d_in, empty, ragged, None, masked, ``np.matrix``, or a float of the other precision."""
    _, x, _ = check_problem(params, x)
    y_pred, cache = _forward(params, x)
    return y_pred.copy(), cache


def loss(y_pred, y):
    """L = Σ_i Σ_j (y_pred_ij − y_ij)², eq. (6), a float: a sum, not a mean, as (6) and its
    gradients use. Integers become float64. Refused: shapes that differ (no broadcasting), None,
    NaN, inf, masked arrays, ``np.matrix``, forward's (y_pred, cache) pair."""
    y_pred, y = check.check_same_shape(y_pred, y)
    return _loss(y_pred, y)


def backward(params, x, y, cache, *, bias_form="sum"):
    """∂L/∂p, eqs. (81)–(86); bias_form "sum" gives 1ᵀ·G, "seed" the n×d (82), (84), (86). Stores
    dy, dh2, dh1 in ``cache``. Refused: what :func:`forward` refuses, a y None or not n×d_out, a
    cache not forward's for these params and x (another x, an update in place, an edit)."""
    _, x, y = check_problem(params, x, y, needs_y="backward", finite=False)  # the cache check
    if bias_form not in ("sum", "seed"):
        raise ValueError(f"bias_form must be 'sum' or 'seed'; got {bias_form!r}")
    _check_cache(cache, params, x)
    grads = _backward(params, x, y, cache)
    if bias_form == "seed":
        grads.update(b3=cache["dy"].copy(), b2=cache["dh2"].copy(), b1=cache["dh1"].copy())
    return grads


def seed_bias_gradient(G):
    """The 1×d bias gradient from the paper's n×d form (82), (84), (86): 1ᵀ·G, the column sum
    (each row of 1·b is the same b, so ∂L/∂b_l = Σ_i ∂L/∂(1·b)_il)."""
    G = check.as_real_array(G, "G")
    if G.ndim != 2:
        raise ValueError(f"G must be an n×d matrix; got shape {G.shape}")
    return np.ones((1, G.shape[0]), dtype=G.dtype) @ G


# ---- the cache check: is this cache the forward pass of these params and this x? --------------

_LAYERS = (("h1", "x", "w1", "b1", "B"), ("h2", "h1_relu", "w2", "b2", "A"),
           ("y_pred", "h2_relu", "w3", "b3", None))
_STALE = ("cache['{}'] does not match forward(params, x): the cache was computed from another x "
          "or other parameters, or the parameters changed since (an update in place?), or the "
          "cache was edited. Call forward(params, x) again, then backward")


@lru_cache(maxsize=32)
def _probe(d, dtype):
    """Two fixed random columns of length d, for the check of a product (Freivalds' test)."""
    r = np.random.default_rng(d).standard_normal((d, 2)).astype(dtype)
    r.flags.writeable = False
    return r


def _check_cache(cache, params, x):
    """Refuse a ``cache`` that is not forward's for these ``params`` and ``x``, without (1)–(5):
    h·r must match a·(w·r) + b·r within rounding for two fixed random columns r (Freivalds' test);
    it sees a change above ~1e-9 in float64 (a few % of one entry, 1e-5 of all, in float32).
    h_relu must be relu(h); B, A 1 where h > 0, 0 where h < 0 (either at 0)."""
    missing = [k for k in ("h1", "h1_relu", "B", "h2", "h2_relu", "A", "y_pred")
               if not isinstance(cache, dict) or k not in cache]
    if missing:
        got = f"no {', '.join(map(repr, missing))}" if isinstance(cache, dict) else \
            f"type {type(cache).__name__}"
        raise TypeError(f"cache has {got}: pass the dict returned by forward(params, x)")
    dt, n, eps = params["w1"].dtype, x.shape[0], float(np.finfo(params["w1"].dtype).eps)
    for h, a, w, b, mask in _LAYERS:
        rows, cols = params[w].shape
        for k, shape in ((a, (n, rows)), (h, (n, cols)), (mask, (n, cols))):
            c = cache.get(k)
            if k not in (None, "x") and not (isinstance(c, np.ndarray) and c.shape == shape
                                             and (c.dtype == dt or k in ("A", "B"))):
                got = f"shape {c.shape}, dtype {c.dtype}" if isinstance(c, np.ndarray) else \
                    type(c).__name__
                raise ValueError(f"cache['{k}'] has {got}, but forward(params, x) gives shape "
                                 f"{shape}, dtype {dt}: this cache comes from another x or other "
                                 f"parameters; call forward(params, x) with this x first")
        hh, aa, r = cache[h], (x if a == "x" else cache[a]), _probe(cols, dt)
        with np.errstate(over="ignore", invalid="ignore"):
            diff = np.abs(hh @ r - (aa @ (params[w] @ r) + params[b] @ r)).max(axis=1)
            size = (np.sqrt(np.einsum("ij,ij->i", aa, aa) * np.vdot(params[w], params[w]))
                    + np.sqrt(np.einsum("ij,ij->i", hh, hh)) + np.abs(params[b]).sum())
        if not np.isfinite(size).all():     # it read every entry: NaN or inf in params or x?
            check_problem(params, x)        # names the first; else a cache entry is not finite
        if not np.all(diff <= 2 * eps * size * np.sqrt(cols)):     # measured: ≤ 0.25 when honest
            raise ValueError(_STALE.format(h))
        if mask is not None:
            if not np.array_equal(cache[f"{h}_relu"], relu(hh)):
                raise ValueError(_STALE.format(f"{h}_relu"))
            wrong = cache[mask] != (hh >= 0)          # allowed only at a kink, |h| ≤ tol
            if wrong.any() and np.any(np.abs(hh[wrong]) > 64 * eps * np.abs(hh).max()):
                raise ValueError(f"cache['{mask}'] does not match the signs of {h} from "
                                 f"forward(params, x): it must be 1 where the pre-activation is "
                                 f"positive and 0 where it is negative")
