"""The paper's network: x → ReLU layer (d1) → ReLU layer (d2) → linear output (d_out).

Notation follows the paper so code and equations read side by side:

    h1 = x·w1 + 1·b1            (1)      h1_relu = relu(h1)        (2)
    h2 = h1_relu·w2 + 1·b2      (3)      h2_relu = relu(h2)        (4)
    y_pred = h2_relu·w3 + 1·b3  (5)      L = Σ (y_pred − y)²       (6)

and the gradients (81)–(86), with the masks A (33) and B (64):

    ∂L/∂w3 = h2_reluᵀ·2(y_pred − y)                       (81)
    ∂L/∂b3 → 2(y_pred − y)                                 (82)
    ∂L/∂w2 = h1_reluᵀ·(A ∘ (2(y_pred − y)·w3ᵀ))            (83)
    ∂L/∂b2 → A ∘ (2(y_pred − y)·w3ᵀ)                       (84)
    ∂L/∂w1 = xᵀ·(B ∘ ((A ∘ (2(y_pred − y)·w3ᵀ))·w2ᵀ))      (85)
    ∂L/∂b1 → B ∘ ((A ∘ (2(y_pred − y)·w3ᵀ))·w2ᵀ)           (86)

Matrices are NumPy arrays; every bias is a 1×d row, as in eq. (1). (82), (84), (86) are n×d:
they are gradients with respect to the broadcast matrix 1·b, one row per sample. The parameter b
is 1×d, and since 1·b repeats b in every row, its gradient is the column sum 1ᵀ·G.
:func:`backward` returns the true 1×d gradient; ``bias_form="seed"`` returns the paper's n×d form.

Safety: :func:`backward` checks that its ``cache`` belongs to ``params`` and ``x`` by running the
forward pass again (see :func:`check_cache`): a cache from another x, from other parameters, from
before an update in place, or with an edited array is refused instead of giving wrong gradients.
``forward`` returns a copy of y_pred, so editing it cannot spoil the cache.

Speed: ``forward`` and ``backward`` accept the arrays of a previous call (``cache``, ``grads``) and
write into them; the training loop (:mod:`helpers.training`) calls the unchecked ``_forward`` and
``_backward`` on buffers it owns, so it allocates nothing and checks nothing per step.
"""

import numpy as np

from ._checks import PARAM_NAMES, check_dims, check_plain, check_problem, check_same_shape, make_rng

__all__ = ["PARAM_NAMES", "init_params", "relu", "mask_A", "mask_B", "forward", "loss",
           "backward", "check_cache", "seed_bias_gradient"]


def init_params(d_in, d1, d2, d_out, *, rng=None, scale=None, dtype=np.float64):
    """Random parameters with the shapes of eqs. (1), (3), (5).

    ``w1`` d_in×d1, ``b1`` 1×d1, ``w2`` d1×d2, ``b2`` 1×d2, ``w3`` d2×d_out, ``b3`` 1×d_out.

    Parameters
    ----------
    rng : int, numpy.random.Generator or None
        The random seed (a non-negative integer) or generator to draw from; ``None`` means seed 0,
        so results are reproducible. Bools are refused.
    scale : float or None
        ``None`` (default): He initialisation, weights ~ N(0, 2/fan_in) for the ReLU layers w1, w2
        and N(0, 1/fan_in) for the linear output w3, so activations neither explode nor vanish.
        A float: every weight ~ N(0, scale²), as in the paper's ``randn`` set-up.
    dtype : float64 (default) or float32.

    Biases start at zero.
    """
    check_dims(d_in=d_in, d1=d1, d2=d2, d_out=d_out)
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64; got {dtype}")
    if scale is not None and (isinstance(scale, bool)
                              or not isinstance(scale, (int, float, np.integer, np.floating))):
        raise TypeError(f"scale must be a number or None; got {type(scale).__name__}")
    if scale is not None and not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive number or None; got {scale!r}")
    rng = make_rng(rng)
    params = {}
    for k, (fan_in, fan_out, gain) in enumerate(((d_in, d1, 2.0), (d1, d2, 2.0), (d2, d_out, 1.0)),
                                                start=1):
        std = np.sqrt(gain / fan_in) if scale is None else scale
        params[f"w{k}"] = (rng.standard_normal((fan_in, fan_out)) * std).astype(dtype)
        params[f"b{k}"] = np.zeros((1, fan_out), dtype=dtype)
    return params


def relu(h, out=None):
    """Relu(h) = max(h, 0), elementwise: eqs. (2) and (4)."""
    h = np.asarray(h)
    return np.maximum(h, h.dtype.type(0), out=out)   # a 0 of h's own dtype keeps its type


def mask_A(h2, out=None):
    """A = ∂Relu(h2)/∂h2 elementwise, eq. (33): 1 where h2 ≥ 0, else 0 (boolean n×d2).

    Relu is not differentiable at 0; the paper takes the derivative there to be 1 (the ``≥``),
    and so does this code. Any value in [0, 1] is a valid subgradient, and the choice changes the
    gradients wherever an entry is exactly 0. That is not rare: biases start at zero, so a zero
    input row, or a unit of layer 2 whose inputs are all switched off, gives h = 0 exactly.
    """
    return np.greater_equal(h2, 0, out=out)


def mask_B(h1, out=None):
    """B = ∂Relu(h1)/∂h1 elementwise, eq. (64): 1 where h1 ≥ 0, else 0 (boolean n×d1)."""
    return np.greater_equal(h1, 0, out=out)


def forward(params, x, cache=None):
    """Forward pass, eqs. (1)–(5). Returns ``(y_pred, cache)``.

    ``x`` is n×d_in (one sample per row). ``cache`` is a dict holding ``h1``, ``h1_relu``, ``B``
    (eq. 64), ``h2``, ``h2_relu``, ``A`` (eq. 33) and ``y_pred``: what :func:`backward` needs, so
    the forward pass is not redone by hand. Pass the cache of a previous call with the same shapes
    to have its arrays overwritten instead of allocating new ones. The returned ``y_pred`` is a
    copy of ``cache["y_pred"]``: yours to change.
    """
    _, x, _ = check_problem(params, x)
    _check_dict_or_none(cache, "cache", "the dict returned by forward(params, x)")
    y_pred, cache = _forward(params, x, cache)
    return y_pred.copy(), cache


def _check_dict_or_none(value, name, what):
    if value is not None and not isinstance(value, dict):
        raise TypeError(f"{name} must be {what}, or None; got {type(value).__name__}")


_BOOL = np.dtype(bool)          # a dtype object: comparing dtypes with it is quicker than with bool


def _buffers(cache, specs):
    """Return ``cache`` if its arrays match ``specs`` (name → (shape, dtype)), else new ones."""
    if cache is not None and all(k in cache and isinstance(cache[k], np.ndarray)
                                 and cache[k].shape == s and cache[k].dtype == t
                                 and cache[k].flags.writeable for k, (s, t) in specs.items()):
        return cache
    fresh = {k: np.empty(s, dtype=t) for k, (s, t) in specs.items()}
    if cache is not None:
        cache.update(fresh)
        return cache
    return fresh


def _forward(params, x, cache=None):
    """:func:`forward` without input checks (for loops that checked once)."""
    w1, b1, w2, b2, w3, b3 = (params[k] for k in PARAM_NAMES)
    n, dt = x.shape[0], w1.dtype
    d1, d2, d_out = w1.shape[1], w2.shape[1], w3.shape[1]
    c = _buffers(cache, {"h1": ((n, d1), dt), "h1_relu": ((n, d1), dt), "B": ((n, d1), _BOOL),
                         "h2": ((n, d2), dt), "h2_relu": ((n, d2), dt), "A": ((n, d2), _BOOL),
                         "y_pred": ((n, d_out), dt)})
    h1 = np.matmul(x, w1, out=c["h1"])
    h1 += b1                                          # (1): 1·b1 is b1 broadcast to every row
    h1_relu = relu(h1, out=c["h1_relu"])              # (2)
    mask_B(h1, out=c["B"])                            # (64)
    h2 = np.matmul(h1_relu, w2, out=c["h2"])
    h2 += b2                                          # (3)
    h2_relu = relu(h2, out=c["h2_relu"])              # (4)
    mask_A(h2, out=c["A"])                            # (33)
    y_pred = np.matmul(h2_relu, w3, out=c["y_pred"])
    y_pred += b3                                      # (5)
    return y_pred, c


def loss(y_pred, y):
    """L = Σ_i Σ_j (y_pred_ij − y_ij)², eq. (6), as a Python float.

    A *sum* over all n·d_out entries, not a mean (the paper's text says "mean squared error", but
    eq. (6) and every gradient after it use the sum). Shapes must match exactly. Integer input is
    converted to float64 first (squares of integers would overflow silently).
    """
    y_pred, y = check_same_shape(y_pred, y)
    return _loss(y_pred, y)


def _loss(y_pred, y):
    diff = (y_pred - y).ravel()
    return float(diff @ diff)


def backward(params, x, y, cache, grads=None, *, bias_form="sum"):
    """Gradients of L (eq. 6) with respect to every parameter, eqs. (81)–(86).

    Returns a dict with the keys of ``params``. The weight gradients are (81), (83), (85). For the
    biases, ``bias_form="sum"`` (default) gives the true gradient of the 1×d parameter, the column
    sum 1ᵀ·G of the paper's n×d matrices (82), (84), (86); ``bias_form="seed"`` gives those n×d
    matrices themselves (the gradients with respect to the broadcast matrix 1·b).

    ``cache`` is the one :func:`forward` returned for the same ``params`` and ``x``; it is checked
    against a fresh forward pass (:func:`check_cache`) and refused if it does not match. backward
    also stores its intermediates in it: ``dy`` = 2(y_pred − y) (82), ``dh2`` = ∂L/∂h2 (84) and
    ``dh1`` = ∂L/∂h1 (86). Pass the ``grads`` dict of a previous call to have it overwritten.
    """
    if y is None:
        raise TypeError("y is None: backward needs the targets y (n × d_out) to form "
                        "2(y_pred − y), eq. (82)")
    _, x, y = check_problem(params, x, y)
    if bias_form not in ("sum", "seed"):
        raise ValueError(f"bias_form must be 'sum' or 'seed'; got {bias_form!r}")
    _check_dict_or_none(grads, "grads", "the dict returned by an earlier backward call")
    check_cache(cache, params, x)
    grads = _backward(params, x, y, cache, grads)
    if bias_form == "seed":
        grads = {**grads, "b3": cache["dy"].copy(), "b2": cache["dh2"].copy(),
                 "b1": cache["dh1"].copy()}
    return grads


_USED = ("h1_relu", "B", "h2_relu", "A", "y_pred")     # what backward reads from the cache


def check_cache(cache, params, x):
    """Refuse a ``cache`` that is not the forward pass of these ``params`` and ``x``.

    The forward pass (1)–(5) is run again, and every array backward reads must match it: shape,
    dtype, and values (``h1_relu``, ``h2_relu``, ``y_pred`` to within a few rounding errors). The
    masks B (64) and A (33) must be 1 where the pre-activation is positive and 0 where it is
    negative; where it is 0 (a kink, or within rounding of it) either value is accepted, so a
    backward with ReLU'(0) = 0 can be checked too. ``params`` and ``x`` must be checked already.
    """
    if not isinstance(cache, dict):
        raise TypeError(f"cache must be the dict returned by forward(params, x); got "
                        f"{type(cache).__name__}")
    missing = [k for k in _USED if k not in cache]
    if missing:
        raise TypeError(f"cache has no {', '.join(repr(k) for k in missing)}: pass the dict "
                        f"returned by forward(params, x)")
    _, fresh = _forward(params, x)
    for k in _USED:
        c, f = cache[k], fresh[k]
        if not isinstance(c, np.ndarray) or c.shape != f.shape or (
                c.dtype != f.dtype and k not in ("A", "B")):
            got = (f"shape {c.shape}, dtype {c.dtype}" if isinstance(c, np.ndarray)
                   else type(c).__name__)
            raise ValueError(f"cache['{k}'] has {got}, but forward(params, x) gives shape "
                             f"{f.shape}, dtype {f.dtype}: this cache comes from another x or "
                             f"other parameters; call forward(params, x) with this x first")
    for k in ("h1_relu", "h2_relu", "y_pred"):
        c, f = cache[k], fresh[k]
        tol = 64 * np.finfo(f.dtype).eps * max(float(np.abs(f).max()), 1e-300)
        if not np.all(np.abs(c - f) <= tol):
            raise ValueError(
                f"cache['{k}'] does not match forward(params, x): the cache was computed from "
                f"another x or other parameters, or the parameters changed since (an update in "
                f"place?), or the cache was edited. Call forward(params, x) again, then backward")
    for k, h in (("B", fresh["h1"]), ("A", fresh["h2"])):
        m, tol = cache[k], 64 * np.finfo(h.dtype).eps * float(np.abs(h).max())
        if np.any(m[h > tol] == 0) or np.any(m[h < -tol] != 0):
            raise ValueError(f"cache['{k}'] does not match the signs of "
                             f"{'h1' if k == 'B' else 'h2'} from forward(params, x): it must be 1 "
                             f"where the pre-activation is positive and 0 where it is negative")


def _backward(params, x, y, c, grads=None, scale=2.0):
    """:func:`backward` (bias_form "sum") without input checks; writes into ``grads`` if given.

    ``scale`` is the 2 of (82). Every gradient is linear in dy, so ``scale = 2·lr`` gives
    lr·∂L/∂p, the update itself, at no extra cost (:func:`helpers.training.train` does that).
    """
    w2, w3 = params["w2"], params["w3"]
    n, dt = x.shape[0], w2.dtype
    d1, d2, d_out = w2.shape[0], w2.shape[1], w3.shape[1]
    c = _buffers(c, {"dy": ((n, d_out), dt), "dh2": ((n, d2), dt), "dh1": ((n, d1), dt)})
    g = _buffers(grads, {k: (params[k].shape, dt) for k in PARAM_NAMES})
    ones = np.ones((1, n), dtype=dt)                   # 1ᵀ: 1ᵀ·G sums the rows of G

    dy = np.subtract(c["y_pred"], y, out=c["dy"])
    dy *= scale                                        # 2(y_pred − y): (82), n×d_out
    np.matmul(c["h2_relu"].T, dy, out=g["w3"])         # (81)
    np.matmul(ones, dy, out=g["b3"])                   # 1ᵀ·(82)

    dh2 = np.matmul(dy, w3.T, out=c["dh2"])
    dh2 *= c["A"]                                      # (84) = A ∘ (2(y_pred − y)·w3ᵀ)
    np.matmul(c["h1_relu"].T, dh2, out=g["w2"])        # (83)
    np.matmul(ones, dh2, out=g["b2"])                  # 1ᵀ·(84)

    dh1 = np.matmul(dh2, w2.T, out=c["dh1"])
    dh1 *= c["B"]                                      # (86) = B ∘ ((84)·w2ᵀ)
    np.matmul(x.T, dh1, out=g["w1"])                   # (85)
    np.matmul(ones, dh1, out=g["b1"])                  # 1ᵀ·(86)
    return g


def seed_bias_gradient(G):
    """The 1×d gradient of a bias from the paper's n×d form (82), (84) or (86): 1ᵀ·G.

    Each row of 1·b is the same b, so ∂L/∂b_l = Σ_i ∂L/∂(1·b)_il: the column sum.
    """
    check_plain(G, "G")
    G = np.asarray(G)
    if G.dtype == bool or G.dtype.kind not in "iuf":
        raise TypeError(f"G must hold real numbers; got dtype {G.dtype}")
    if G.ndim != 2:
        raise ValueError(f"G must be an n×d matrix; got shape {G.shape}")
    return np.ones((1, G.shape[0]), dtype=G.dtype) @ G
