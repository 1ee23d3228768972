"""Is the backward pass (81)–(86) right? Each entry's central difference against the analytic
gradient, ``|a − n| / max(|a| + |n|, floor)``, floor = max(rel_floor × the largest |entry|, the
round-off bound (:func:`roundoff`) / rtol); an entry whose ±h step crosses a kink is left out."""

from dataclasses import dataclass

import numpy as np

from ._checks import PARAM_NAMES, as_real_array, check_grads, check_number, check_problem
from .network import _backward, _forward, _loss

EPS = float(np.finfo(np.float64).eps)
ROUNDOFF_SAFETY = 2.0      # the round-off bound is this × the first-order estimate


def numerical_gradient(f, array, *, h=1e-5):
    """Central-difference ∂f/∂array (float64): ``f()`` reads ``array``, whose entries are set to
    a ± h in place and always restored; divides by the step actually taken after rounding.
    Refused: a non-float or subclassed array, an h that is not positive or too small for a ± h."""
    if type(array) is not np.ndarray or array.dtype.kind != "f":
        kind = type(array).__name__ + (f" of dtype {array.dtype}"
                                       if isinstance(array, np.ndarray) else "")
        raise TypeError("array must be a floating NumPy array that f reads (it is perturbed in "
                        f"place; not a subclass such as a masked array or np.matrix); got {kind}")
    check_number(h, "h", positive=True)
    grad = np.zeros(array.shape, dtype=np.float64)
    for idx in np.ndindex(array.shape):
        original = array[idx]
        try:
            array[idx] = original + h
            plus, f_plus = float(array[idx]), f()
            array[idx] = original - h
            minus, f_minus = float(array[idx]), f()
        finally:
            array[idx] = original
        if plus == minus:
            raise ValueError(f"h = {h!r} is too small for {array.dtype} at index {idx} (value "
                             f"{float(original)!r}): a ± h round to the same number")
        grad[idx] = (f_plus - f_minus) / (plus - minus)
    return grad


def rel_error(a, b, *, floor=0.0):
    """``|a − b| / max(|a| + |b|, floor)`` elementwise: 0 where both are 0, NaN where either is
    NaN or inf. Refused: shapes that differ, complex input, a negative floor."""
    a, b, floor = (as_real_array(v, name).astype(np.float64)
                   for v, name in ((a, "a"), (b, "b"), (floor, "floor")))
    if a.shape != b.shape:
        raise ValueError(f"cannot compare shapes {a.shape} and {b.shape}")
    if not (floor >= 0).all():
        raise ValueError(f"floor must be a non-negative number or array; got {floor!r}")
    with np.errstate(invalid="ignore", over="ignore"):
        denom, diff = np.maximum(np.abs(a) + np.abs(b), floor), np.abs(a - b)
        return np.divide(diff, denom, out=np.zeros_like(diff, shape=denom.shape),
                         where=denom != 0)


@dataclass
class ParamCheck:
    """The check of one parameter, entry by entry (the floor: see the module docstring)."""
    name: str
    analytic: np.ndarray
    numerical: np.ndarray
    kinks: np.ndarray            # boolean, True where the ±h step crosses a ReLU kink
    rtol: float
    scale_floor: float           # rel_floor × the largest |entry| off the kinks
    roundoff: np.ndarray         # per entry: what round-off alone can make |analytic − numerical|

    def __post_init__(self):
        self.floor = (np.maximum(self.scale_floor, self.roundoff / self.rtol) if self.rtol
                      else np.full(self.analytic.shape, self.scale_floor))
        self.errors = rel_error(self.analytic, self.numerical,
                                floor=np.where(np.isfinite(self.floor), self.floor, 0.0))
        self.checked, self.n_kinks = not self.kinks.all(), int(self.kinks.sum())
        masked = np.where(self.kinks, -1.0, self.errors)
        self.worst_index = (tuple(int(i) for i in np.unravel_index(np.argmax(masked), masked.shape))
                            if self.checked else None)
        self.max_error = float(self.errors[self.worst_index]) if self.checked else 0.0
        self.passed = self.checked and self.max_error <= self.rtol
        self.verdict = (("ok" if self.passed else f"FAIL (> {self.rtol:.0e})") if self.checked
                        else "not checked (every entry is a kink)")


class GradCheckReport(dict):
    """The :class:`ParamCheck` of each parameter checked, by name (``.checks`` is the same dict)."""
    checks = property(lambda self: self)
    passed = property(lambda self: all(c.passed for c in self.values()))

    def __str__(self):
        lines = [f"{'param':<6}{'shape':>12}{'max rel error':>16}{'worst index':>14}{'kinks':>7}"
                 f"  verdict"]
        for c in self.checks.values():
            worst = "-" if c.worst_index is None else str(c.worst_index)
            error = f"{c.max_error:>16.2e}" if c.checked else f"{'-':>16}"
            lines.append(f"{c.name:<6}{str(c.analytic.shape):>12}{error}{worst:>14}"
                         f"{c.n_kinks:>7}  {c.verdict}")
        return "\n".join(lines)

    def assert_ok(self):
        """AssertionError naming each parameter that failed or could not be checked."""
        bad = [c for c in self.checks.values() if not c.passed]
        if bad:
            raise AssertionError("gradient check failed: " + "; ".join(
                f"{c.name}: relative error {c.max_error:.2e} > {c.rtol:.0e} at index "
                f"{c.worst_index} (analytic {c.analytic[c.worst_index]:.6g}, numerical "
                f"{c.numerical[c.worst_index]:.6g})" if c.checked else
                f"{c.name}: not checked, the ±h step of every entry crosses a ReLU kink "
                f"(try a smaller h, or move the parameters off the kinks)" for c in bad))


def check_gradients(params, x, y, *, grads=None, backward=None, h=1e-5, rtol=1e-7,
                    rel_floor=1e-3, names=PARAM_NAMES):
    """A :class:`GradCheckReport`: ``grads`` (default ``backward(params, x, y, cache)``, the
    project's own if None) against central differences, every entry of ``names``; kinks left out,
    a parameter of kinks only "not checked". Refused: what backward refuses, unknown or no names,
    h, rtol, rel_floor not finite numbers ≥ 0 (h > 0). ``params`` is left unchanged."""
    _, x, y = check_problem(params, x, y, needs_y="check_gradients")
    names = (names,) if isinstance(names, str) else tuple(names)
    if not names:
        raise ValueError(f"names is empty: name at least one of {', '.join(PARAM_NAMES)}")
    unknown = [k for k in names if k not in PARAM_NAMES]
    if unknown:
        raise ValueError(f"unknown parameter names {unknown}; choose from {PARAM_NAMES}")
    for value, name in ((h, "h"), (rtol, "rtol"), (rel_floor, "rel_floor")):
        check_number(value, name, positive=name == "h")
    base, loss_and_kinks, crossed = kink_watching_loss(params, x, y)
    noise = roundoff(params, x, y, h=h, cache=base)
    grads = (backward or _backward)(params, x, y, base) if grads is None else grads
    report = GradCheckReport()
    for name, analytic in check_grads(grads, params, names).items():
        p, analytic = params[name], analytic.astype(np.float64)
        numerical = numerical_gradient(loss_and_kinks, p, h=h)
        kinks = np.array(crossed).reshape(-1, 2).any(axis=1).reshape(p.shape)
        crossed.clear()
        scale = (max(np.abs(analytic[~kinks]).max(), np.abs(numerical[~kinks]).max())
                 if not kinks.all() else 0.0)
        scale_floor = float(rel_floor * scale) if np.isfinite(scale) else 0.0
        report.checks[name] = ParamCheck(name, analytic, numerical, kinks, float(rtol),
                                         scale_floor, noise[name])
    return report


def kink_watching_loss(params, x, y):
    """``(base, f, crossed)``: the forward cache now, ``f()`` the loss (6) at the params then, and
    one bool per call on ``crossed``: did mask A or B differ from base's? x, y checked already."""
    _, base = _forward(params, x)
    base_A, base_B = base["A"].copy(), base["B"].copy()   # a user's backward may modify base
    crossed = []

    def f():
        y_pred, c = _forward(params, x)
        crossed.append(not (np.array_equal(c["A"], base_A) and np.array_equal(c["B"], base_B)))
        return _loss(y_pred, y)

    return base, f, crossed


def roundoff(params, x, y, *, h=1e-5, cache=None, split=False):
    """What round-off alone can make |analytic − numerical|, ``{name: bound}`` (``split=True``:
    (cancellation, propagation)): eps·(3L + 2·Σ(|r| + eps·V)·V) / h, r = y_pred − y, V the forward
    pass on absolute values from the perturbed layer on, plus eps·Σ_i |∂y_pred_i/∂p|·(2|r_i| + 4V_i)
    by the backward pass on absolute values; both × ``ROUNDOFF_SAFETY``. Inputs checked already."""
    cache = _forward(params, x)[1] if cache is None else cache
    f64 = {k: np.abs(params[k]).astype(np.float64) for k in PARAM_NAMES}
    w1, b1, w2, b2, w3, b3 = (f64[k] for k in PARAM_NAMES)
    A, B = cache["A"], cache["B"]
    h1_relu, h2_relu = (np.asarray(cache[k], dtype=np.float64) for k in ("h1_relu", "h2_relu"))
    y_pred, abs_x = np.asarray(cache["y_pred"], dtype=np.float64), np.abs(x).astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        r = np.abs(y_pred - y)
        L = float(np.sum(r * r))
        own1 = abs_x @ w1 + b1                               # rounding of (1), per entry of h1
        own2 = h1_relu @ w2 + b2                             # of (3)
        own3 = h2_relu @ w3 + b3                             # of (5)
        into2 = {"w": (A * ((B * own1) @ w2 + own2)) @ w3,   # layer 1's rounding, reaching y_pred
                 "b": (A * ((B * np.abs(cache["h1"])) @ w2 + own2)) @ w3}
        V = {"w1": into2["w"] + own3, "b1": into2["b"] + own3,
             "w2": (A * own2) @ w3 + own3, "b2": (A * np.abs(cache["h2"])) @ w3 + own3,
             "w3": own3, "b3": np.abs(y_pred)}
        # |∂y_pred/∂p| by the backward pass (81)–(86) on absolute values, with 2|r| + 4V in place
        # of dy = 2(y_pred − y): y_pred = |r| + 2V and y = 0 give it.
        abs_cache = {"h1_relu": h1_relu, "B": B, "h2_relu": h2_relu, "A": A}
        result = {}
        for name, v in V.items():
            terms = (r + EPS * v) * v
            # layers 1, 2 change every output; w3[k, l] and b3[0, l] only column l
            s = terms.sum(axis=0, keepdims=True) if name[1] == "3" else terms.sum()
            propagation = EPS * _backward(f64, abs_x, 0.0 * r,
                                           {**abs_cache, "y_pred": r + 2.0 * v})[name]
            cancellation = np.broadcast_to(EPS * (3.0 * L + 2.0 * s) / h, propagation.shape)
            result[name] = (ROUNDOFF_SAFETY * cancellation, ROUNDOFF_SAFETY * propagation) \
                if split else ROUNDOFF_SAFETY * (cancellation + propagation)
    return result
