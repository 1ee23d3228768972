"""Input checks: an error naming the argument, what was expected and what was given."""

import numpy as np

PARAM_NAMES = ("w1", "b1", "w2", "b2", "w3", "b3")
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def check_dims(*, minimum=1, **dims):
    """Check that each size, count or seed is an integer ≥ ``minimum`` (bools are refused)."""
    for name, d in dims.items():
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
            raise TypeError(f"{name} must be an integer; got {d!r} ({type(d).__name__})")
        if d < minimum:
            kind = "a positive integer" if minimum == 1 else f"an integer ≥ {minimum}"
            raise ValueError(f"{name} must be {kind}; got {d!r}")


def check_number(value, name, *, positive=False, what="a number"):
    """A finite real number ≥ 0 (> 0 if ``positive``); bools refused."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be {what}; got {type(value).__name__}")
    if not (np.isfinite(value) and (value > 0 if positive else value >= 0)):
        kind = "positive" if positive else "non-negative"
        raise ValueError(f"{name} must be a {kind} finite number; got {value!r}")


def as_real_array(a, name):
    """``np.asarray(a)``; refused: None, forward's (y_pred, cache) pair, a masked array, an
    ``np.matrix``, a ragged list, anything but real numbers."""
    if a is None:
        raise TypeError(f"{name} is None; expected a matrix of numbers")
    if isinstance(a, tuple) and len(a) == 2 and isinstance(a[1], dict):
        raise TypeError(f"{name} is a pair (array, dict), as forward(params, x) returns "
                        f"(y_pred, cache): take its first element, forward(params, x)[0]")
    check_plain(a, name)
    try:
        arr = np.asarray(a)
    except ValueError as err:
        raise ValueError(f"{name} is not a rectangular matrix: its rows have different lengths "
                         f"(or it mixes numbers and sequences); every row needs the same number "
                         f"of entries ({err})") from None
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers; got dtype {arr.dtype}")
    return arr


def check_grads(grads, params, names=PARAM_NAMES):
    """The arrays of ``grads`` for ``names``: a dict with those keys, real, params' shapes."""
    if not isinstance(grads, dict):
        raise TypeError(f"grads must be a dict with keys {', '.join(PARAM_NAMES)} (as backward "
                        f"returns); got {type(grads).__name__}")
    out = {}
    for name in names:
        if name not in grads:
            raise ValueError(f"grads has no '{name}'; it needs the keys of params")
        g, shape = as_real_array(grads[name], f"grads['{name}']"), params[name].shape
        if g.shape != shape:
            hint = (" (is it the paper's n×d form (82), (84), (86)? The 1×d gradient is its "
                    "column sum)" if name[0] == "b" and g.ndim == 2 and g.shape[1:] == shape[1:]
                    else "")
            raise ValueError(f"grads['{name}'] has shape {g.shape}, expected {shape} (the shape "
                             f"of params['{name}']){hint}")
        out[name] = g
    return out


def check_dtype(dtype):
    """``np.dtype(dtype)`` if it is float32 or float64."""
    if np.dtype(dtype) not in FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64; got {np.dtype(dtype)}")
    return np.dtype(dtype)


def make_rng(rng):
    """A Generator from None (seed 0), a seed ≥ 0 (a 0-d integer array too) or a Generator."""
    if rng is None or isinstance(rng, np.random.Generator):
        return np.random.default_rng(0) if rng is None else rng
    if isinstance(rng, np.ndarray) and rng.ndim == 0 and rng.dtype.kind in "iu":
        rng = rng.item()
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)):
        raise TypeError(f"rng must be a non-negative integer seed, a numpy.random.Generator or "
                        f"None; got {rng!r} ({type(rng).__name__})")
    if rng < 0:
        raise ValueError(f"rng must be a non-negative integer seed; got {rng!r}")
    return np.random.default_rng(int(rng))


def check_problem(params, x, y=None, *, needs_y=None, finite=True):
    """``(dtype, x, y)``: params, x (n×d_in), y (n×d_out) checked together, y None unless
    ``needs_y`` names who needs it; ``finite=False`` leaves NaN, inf in params, x to the caller."""
    if needs_y and y is None:
        raise TypeError(f"y is None: {needs_y} needs the targets y (n × d_out) to form "
                        f"2(y_pred − y), eq. (82)")
    dtype, (d_in, _, _, d_out) = check_params(params, finite=finite)
    x = check_matrix(x, "x", dtype=dtype, columns=d_in, finite=finite)
    y = y if y is None else check_matrix(y, "y", dtype=dtype, columns=d_out, rows=x.shape[0])
    return dtype, x, y


def check_params(params, *, finite=True):
    """``(dtype, (d_in, d1, d2, d_out))`` of a dict of exactly w1 b1 w2 b2 w3 b3: 2-D arrays of
    one dtype, float32 or float64, shapes of eqs. (1), (3), (5), none of size 0, finite."""
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict with keys {', '.join(PARAM_NAMES)}; "
                        f"got {type(params).__name__}")
    parts = [f"{what} {', '.join(repr(k) for k in keys)}" for what, keys in (
        ("missing", [k for k in PARAM_NAMES if k not in params]),
        ("unexpected", sorted(str(k) for k in params if k not in PARAM_NAMES))) if keys]
    if parts:
        raise ValueError(f"params must have exactly the keys {', '.join(PARAM_NAMES)}: "
                         + "; ".join(parts))
    for name in PARAM_NAMES:
        p = params[name]
        if not isinstance(p, np.ndarray):
            raise TypeError(f"params['{name}'] must be a NumPy array; got {type(p).__name__}")
        check_plain(p, f"params['{name}']")
        if p.dtype not in FLOAT_DTYPES:
            raise TypeError(f"params['{name}'] has dtype {p.dtype}; parameters must be float32 or "
                            f"float64 (convert with .astype(np.float64))")
        if p.ndim != 2:
            hint = (f"; the paper's biases are 1×d row matrices (eq. 1): use "
                    f"params['{name}'].reshape(1, -1)" if name[0] == "b" and p.ndim == 1 else "")
            raise ValueError(f"params['{name}'] must be 2-D; got shape {p.shape}{hint}")
    if len({params[k].dtype for k in PARAM_NAMES}) > 1:
        listing = ", ".join(f"{k}: {params[k].dtype}" for k in PARAM_NAMES)
        raise TypeError(f"all parameters must share one dtype; got {listing}")
    w1, w2, w3 = params["w1"], params["w2"], params["w3"]
    (d_in, d1), (d2, d_out) = w1.shape, w3.shape
    for name, shape in zip(PARAM_NAMES, ((d_in, d1), (1, d1), (d1, d2), (1, d2), (d2, d_out),
                                         (1, d_out)), strict=True):
        if params[name].shape != shape:
            raise ValueError(
                f"params['{name}'] has shape {params[name].shape}, expected {shape} to fit "
                f"w1 {w1.shape}, w2 {w2.shape}, w3 {w3.shape} "
                f"(eqs. 1, 3, 5: w1 d_in×d1, b1 1×d1, w2 d1×d2, b2 1×d2, w3 d2×d_out, b3 1×d_out)")
    if 0 in (d_in, d1, d2, d_out):
        raise ValueError(f"params have a dimension of size 0 (d_in, d1, d2, d_out = {d_in}, {d1}, "
                         f"{d2}, {d_out}); every layer needs at least one unit")
    for name in PARAM_NAMES if finite else ():
        check_finite(params[name], f"params['{name}']")
    return w1.dtype, (d_in, d1, d2, d_out)


def check_plain(a, name):
    """Refuse a masked array (its mask would be ignored) and ``np.matrix`` (``*`` multiplies)."""
    if isinstance(a, np.ma.MaskedArray):
        raise TypeError(f"{name} is a masked array; the mask would be ignored: pass plain data, "
                        f"e.g. {name}.filled(np.nan) or only the unmasked rows")
    if isinstance(a, np.matrix):
        raise TypeError(f"{name} is an np.matrix; pass a plain 2-D array, np.asarray({name})")


def check_finite(arr, name):
    """Raise ValueError naming the first NaN or inf entry of ``arr``."""
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.vdot(arr, arr)):          # one pass; NaN or inf make it NaN or inf
            return
    bad = ~np.isfinite(arr)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name} contains NaN or inf ({int(bad.sum())} of {arr.size} entries; "
                         f"the first is {arr[index]} at index {index})")


_WHERE = {"x": ("d_in", "the number of rows of params['w1'] (eq. 1: h1 = x·w1 + 1·b1)"),
          "y": ("d_out", "the number of columns of params['w3'] (eq. 5: y_pred = h2_relu·w3 "
                         "+ 1·b3)")}


def check_matrix(a, name, *, dtype, columns, rows=None, finite=True):
    """``a`` as an n×columns array of ``dtype``, finite; lists and integers are converted, a float
    array of the other precision is refused (float32 and float64 give different numbers)."""
    arr, (column_name, where) = as_real_array(a, name), _WHERE[name]
    if isinstance(a, np.ndarray) and arr.dtype.kind == "f" and arr.dtype != dtype:
        raise TypeError(f"{name} has dtype {arr.dtype} but the parameters are {dtype}; "
                        f"convert one of them, e.g. {name}.astype(np.{dtype})")
    if arr.ndim != 2:
        hint = "" if arr.ndim != 1 else (
            f"; for n samples of one {'feature' if name == 'x' else 'output'} use "
            f"{name}.reshape(-1, 1)" if columns == 1
            else f"; for a single sample use {name}.reshape(1, -1)")
        raise ValueError(f"{name} must be a 2-D matrix (n × {column_name}); got shape "
                         f"{arr.shape}{hint}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is an empty batch (shape {arr.shape}): n must be at least 1")
    if rows is not None and arr.shape[0] != rows:
        raise ValueError(f"{name} has {arr.shape[0]} rows but x has {rows}: every sample needs one "
                         f"row in each ({name} has shape {arr.shape}, expected ({rows}, "
                         f"{columns}))")
    if arr.shape[1] != columns:
        raise ValueError(f"{name} has shape {arr.shape}, expected (n, {columns}): its "
                         f"{arr.shape[1]} columns do not match {column_name} = {columns}, "
                         f"{where}")
    arr = arr.astype(dtype, copy=False)
    if finite:
        check_finite(arr, name)
    return arr


def check_same_shape(y_pred, y):
    """Return ``(y_pred, y)`` as arrays of one shape: eq. (6) allows no broadcasting."""
    y_pred, y = as_real_array(y_pred, "y_pred"), as_real_array(y, "y")
    # integers are squared in (6): as integers they would overflow silently (uint8: 16² = 0)
    y_pred, y = (a.astype(np.float64) if a.dtype.kind in "iu" else a for a in (y_pred, y))
    if y_pred.shape != y.shape:
        raise ValueError(f"y_pred has shape {y_pred.shape} but y has shape {y.shape}; "
                         f"eq. (6) compares them element by element, so they must match")
    if y.size == 0:
        raise ValueError(f"y is empty (shape {y.shape})")
    check_finite(y_pred, "y_pred")
    check_finite(y, "y")
    return y_pred, y
