"""Numerical gradient checking: is the backward pass (81)–(86) right?

Perturb one entry of a parameter by ±h, evaluate the loss (6) twice, and compare the central
difference (L(p + h) − L(p − h)) / 2h with the analytic gradient through a relative error
(as in CS231n's ``gradient_check.py``). Three things make this trustworthy here:

* **float64.** The round-off in the estimate is about eps·|L|/h: 1e-10·|L| in float64 with
  h = 1e-5, but 1e-2·|L| in float32, where right and subtly wrong look alike.
* **A relative error with a floor**, ``|a − n| / max(|a| + |n|, floor)``: two exact zeros give 0,
  a NaN gives NaN (a failure). Each entry's floor is the larger of ``scale_floor`` (``rel_floor``
  × the parameter's largest |entry|) and ``roundoff / rtol``, where :func:`roundoff` bounds what
  round-off alone can make |a − n| for that entry, following the computation actually done; it
  stays above 0 at an exact fit (L ≈ 0). An entry passes when |a − n| ≤ ``rtol``·(|a| + |n|),
  or ≤ ``rtol`` × that scale, or ≤ its round-off.
* **Kinks.** If the ±h step moves a pre-activation h1 or h2 across 0, the loss is not smooth on
  [p − h, p + h] and the difference is *meant* to disagree: such entries are flagged as kinks
  and left out of the verdict, not counted as failures.

Away from kinks the loss is quadratic in any single parameter: the central difference has no
truncation error, only round-off.
"""

from dataclasses import dataclass, field

import numpy as np

from ._checks import PARAM_NAMES, as_real_array, check_grads, check_number, check_problem
from .network import _backward, _forward, _loss
from .roundoff import roundoff

__all__ = ["numerical_gradient", "rel_error", "roundoff", "ParamCheck", "GradCheckReport",
           "check_gradients"]


def numerical_gradient(f, array, *, h=1e-5):
    """Central-difference estimate of ∂f/∂array, entry by entry (float64, ``array``'s shape).

    ``f()`` returns a float and reads ``array``, whose entries are perturbed *in place* to a ± h
    and always restored, also when ``f`` raises. The estimate divides f(a + h) − f(a − h) by the
    step actually taken, (a + h) − (a − h) once rounded to the array's dtype. ``ValueError`` if h
    is so small that a + h and a − h are the same number (the estimate would be a silent 0).
    """
    if (not isinstance(array, np.ndarray) or type(array) is not np.ndarray
            or array.dtype.kind != "f"):
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
            plus = float(array[idx])
            f_plus = f()
            array[idx] = original - h
            minus = float(array[idx])
            f_minus = f()
        finally:
            array[idx] = original
        if plus == minus:
            raise ValueError(f"h = {h!r} is too small for {array.dtype} at index {idx} (value "
                             f"{float(original)!r}): a ± h round to the same number")
        grad[idx] = (f_plus - f_minus) / (plus - minus)
    return grad


def rel_error(a, b, *, floor=0.0):
    """Elementwise relative error ``|a − b| / max(|a| + |b|, floor)``: 0 where both are 0, NaN
    (a failure) where either is NaN or inf. ``floor``: a number or an array that broadcasts to
    a's shape. Complex input is refused (the imaginary part would be lost)."""
    a, b, floor = (as_real_array(v, name).astype(np.float64)
                   for v, name in ((a, "a"), (b, "b"), (floor, "floor")))
    if a.shape != b.shape:
        raise ValueError(f"cannot compare shapes {a.shape} and {b.shape}")
    if not (floor >= 0).all():
        raise ValueError(f"floor must be a non-negative number or array; got {floor!r}")
    with np.errstate(invalid="ignore", over="ignore"):
        denom = np.maximum(np.abs(a) + np.abs(b), floor)
        diff = np.abs(a - b)
        return np.divide(diff, denom, out=np.zeros_like(diff, shape=denom.shape),
                         where=denom != 0)


@dataclass
class ParamCheck:
    """The check of one parameter, entry by entry; each entry's floor is
    ``max(scale_floor, roundoff / rtol)`` (:attr:`floor`, see the module docstring)."""
    name: str
    analytic: np.ndarray
    numerical: np.ndarray
    errors: np.ndarray
    kinks: np.ndarray            # boolean, True where the ±h step crosses a ReLU kink
    rtol: float
    scale_floor: float = 0.0     # rel_floor × the largest |entry| off the kinks
    roundoff: np.ndarray = None  # per entry: what round-off alone can make |analytic − numerical|

    @property
    def floor(self):
        if self.roundoff is None or self.rtol == 0:
            return np.full(self.analytic.shape, self.scale_floor)
        return np.maximum(self.scale_floor, self.roundoff / self.rtol)

    @property
    def checked(self):
        return not self.kinks.all()

    @property
    def max_error(self):
        """Largest relative error over the entries without a kink (0.0 if there are none)."""
        ok = self.errors[~self.kinks]
        return float(ok.max()) if ok.size else 0.0

    @property
    def worst_index(self):
        if self.kinks.all():
            return None
        masked = np.where(self.kinks, -1.0, self.errors)
        return tuple(int(i) for i in np.unravel_index(int(np.argmax(masked)), masked.shape))

    @property
    def n_kinks(self):
        return int(self.kinks.sum())

    @property
    def passed(self):
        return self.checked and self.max_error <= self.rtol

    @property
    def verdict(self):
        """``"ok"``, ``"FAIL (> rtol)"`` or ``"not checked (every entry is a kink)"``."""
        if not self.checked:
            return "not checked (every entry is a kink)"
        return "ok" if self.passed else f"FAIL (> {self.rtol:.0e})"


@dataclass
class GradCheckReport:
    """The :class:`ParamCheck` s of one call to :func:`check_gradients`; :attr:`passed` only if
    every parameter was checked (not all kinks) and passed."""
    checks: dict = field(default_factory=dict)

    @property
    def passed(self):
        return all(c.passed for c in self.checks.values())

    def __getitem__(self, name):
        return self.checks[name]

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
        """Raise AssertionError naming each parameter whose gradient disagrees or that could not
        be checked."""
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
    """Compare analytic gradients with central differences for every entry of ``names``.

    ``grads``: the gradients to test (a dict like :func:`helpers.network.backward` returns); if
    omitted, ``backward(params, x, y, cache)`` gives them, by default the project's own. Relative
    errors have the floor of the module docstring. Entries whose ±h step flips the sign of a
    pre-activation h1 or h2 are kinks, left out; a parameter with nothing else is "not checked"
    (not a pass). Returns a :class:`GradCheckReport`; ``params`` is left unchanged.
    """
    _, x, y = check_problem(params, x, y)
    if isinstance(names, str):
        names = (names,)
    names = tuple(names)
    if not names:
        raise ValueError(f"names is empty: name at least one of {', '.join(PARAM_NAMES)}")
    unknown = [k for k in names if k not in PARAM_NAMES]
    if unknown:
        raise ValueError(f"unknown parameter names {unknown}; choose from {PARAM_NAMES}")
    check_number(h, "h", positive=True)
    check_number(rtol, "rtol")
    check_number(rel_floor, "rel_floor")
    base, loss_and_kinks, crossed = kink_watching_loss(params, x, y)
    noise = roundoff(params, x, y, h=h, cache=base)
    if grads is None:
        grads = (backward(params, x, y, base) if backward is not None
                 else _backward(params, x, y, base))
    report = GradCheckReport()
    for name, analytic in check_grads(grads, params, names).items():
        p, analytic = params[name], analytic.astype(np.float64)
        numerical = numerical_gradient(loss_and_kinks, p, h=h)
        kinks = np.array(crossed).reshape(-1, 2).any(axis=1).reshape(p.shape)
        crossed.clear()
        smooth = ~kinks
        scale = (max(np.abs(analytic[smooth]).max(), np.abs(numerical[smooth]).max())
                 if smooth.any() else 0.0)
        scale_floor = float(rel_floor * scale) if np.isfinite(scale) else 0.0
        check = ParamCheck(name, analytic, numerical, None, kinks, float(rtol),
                           scale_floor=scale_floor, roundoff=noise[name])
        floor = check.floor
        check.errors = rel_error(analytic, numerical,
                                 floor=np.where(np.isfinite(floor), floor, 0.0))
        report.checks[name] = check
    return report


def kink_watching_loss(params, x, y):
    """``(base, f, crossed)``: the forward cache at the current parameters, the loss (6) at
    whatever ``params`` hold when ``f()`` is called, and a list that gets one bool per call: did
    mask A (33) or B (64) differ from ``base``'s? ``x`` and ``y`` must be checked already."""
    _, base = _forward(params, x)
    base_A, base_B = base["A"].copy(), base["B"].copy()   # a user's backward may modify base
    crossed = []

    def f():
        y_pred, c = _forward(params, x)
        crossed.append(not (np.array_equal(c["A"], base_A) and np.array_equal(c["B"], base_B)))
        return _loss(y_pred, y)

    return base, f, crossed
