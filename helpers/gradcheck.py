"""Numerical gradient checking: is the backward pass (81)–(86) right?

The method (as in CS231n's ``gradient_check.py``): perturb one entry of a parameter by ±h, evaluate
the loss (6) twice, and compare the central difference

    (L(p + h) − L(p − h)) / 2h

with the analytic gradient through a relative error. Three things make this trustworthy here:

* **float64.** The difference of two nearly equal losses loses digits to cancellation: the
  round-off in the estimate is about eps·|L|/h. With float64 (eps ≈ 2.2e-16) and h = 1e-5 that is
  around 1e-10·|L|, far below any real bug. With float32 (eps ≈ 1.2e-7) it is about 1e-2·|L|: a
  correct and a subtly wrong gradient look alike, and making h larger to fight round-off lets the
  truncation error grow instead. Check in float64; train in whatever you like.
* **A relative error with a floor.** ``|a − n| / max(|a| + |n|, floor)``: two exact zeros give 0,
  not NaN (while a NaN anywhere gives NaN, a failure), and small entries are not judged on their
  own tiny scale. The floor is the larger of two scales. (i) ``rel_floor`` × the largest |entry| of
  that parameter (kink entries left out). (ii) The round-off itself, divided by ``rtol``: the
  estimate's error is about eps·S/h, where S = L + 2·Σ|y_pred − y|·Y and Y is the forward pass
  (1)–(5) run on absolute values, |x|·|w1| + |b1| and so on (the standard bound on the round-off
  in y_pred). Scale (ii) is what makes the check sound: the round-off has the same absolute size
  for every entry of every parameter, and it is set by L, not by the gradient, so a parameter
  whose gradient is small next to L (a small ``scale`` at init, or a trained network whose loss
  cannot reach 0) would otherwise fail although its backward pass is right. A difference smaller
  than eps·S/h cannot be told apart from round-off; no real bug is that small. Scale (ii) uses
  the float64 eps whatever the dtype: a float32 check fails, on purpose (see the first point).
* **Kinks.** ReLU has a kink at 0. If the ±h step moves any pre-activation h1 or h2 across 0, the
  loss is not smooth on [p − h, p + h] and the central difference is *meant* to disagree with the
  gradient. Such entries are flagged as kinks and left out of the pass/fail verdict, not silently
  counted as failures.

Away from kinks the loss of this network is a quadratic function of any single parameter (the
output is linear in it within a ReLU region), so the central difference has no truncation error
at all: what remains is round-off alone.
"""

from dataclasses import dataclass, field

import numpy as np

from ._checks import PARAM_NAMES, check_problem
from .network import _backward, _forward, _loss

__all__ = ["numerical_gradient", "rel_error", "ParamCheck", "GradCheckReport", "check_gradients"]


def numerical_gradient(f, array, *, h=1e-5):
    """Central-difference estimate of ∂f/∂array, entry by entry.

    ``f`` is a function of no arguments that returns a float and reads ``array``; each entry is
    perturbed *in place* to ``a + h`` and ``a − h`` and always restored, also when ``f`` raises.
    The estimate is the textbook ``(f(a + h) − f(a − h)) / 2h``. Returns an array of ``array``'s
    shape (float64 for float32 input: the check should not lose more digits than it must). Raises
    ``ValueError`` if ``h`` is so small that ``a + h`` and ``a − h`` are the same number in the
    array's dtype (the estimate would be a silent 0).
    """
    if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
        raise TypeError("array must be a floating NumPy array that f reads (it is perturbed in "
                        f"place); got {type(array).__name__}"
                        + (f" of dtype {array.dtype}" if isinstance(array, np.ndarray) else ""))
    if isinstance(h, bool) or not isinstance(h, (int, float, np.floating, np.integer)):
        raise TypeError(f"h must be a number; got {type(h).__name__}")
    if not (np.isfinite(h) and h > 0):
        raise ValueError(f"h must be a positive finite number; got {h!r}")
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
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def rel_error(a, b, *, floor=0.0):
    """Elementwise relative error ``|a − b| / max(|a| + |b|, floor)``.

    0 where both are 0 (and ``floor`` is 0), never a silent 0 for NaN: a NaN or inf in ``a`` or
    ``b`` gives NaN there, which fails any tolerance.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare shapes {a.shape} and {b.shape}")
    floor = float(floor)
    if not floor >= 0:
        raise ValueError(f"floor must be a non-negative number; got {floor!r}")
    with np.errstate(invalid="ignore", over="ignore"):
        denom = np.maximum(np.abs(a) + np.abs(b), floor)
        diff = np.abs(a - b)
        return np.divide(diff, denom, out=np.zeros_like(diff), where=denom != 0)


@dataclass
class ParamCheck:
    """The check of one parameter: analytic vs numerical gradient, entry by entry."""
    name: str
    analytic: np.ndarray
    numerical: np.ndarray
    errors: np.ndarray
    kinks: np.ndarray            # boolean, True where the ±h step crosses a ReLU kink
    rtol: float

    @property
    def max_error(self):
        """Largest relative error over the entries without a kink (0.0 if there are none)."""
        ok = self.errors[~self.kinks]
        return float(ok.max()) if ok.size else 0.0

    @property
    def worst_index(self):
        """Index of that largest error, or None."""
        if self.kinks.all():
            return None
        masked = np.where(self.kinks, -1.0, self.errors)
        return tuple(int(i) for i in np.unravel_index(int(np.argmax(masked)), masked.shape))

    @property
    def n_kinks(self):
        return int(self.kinks.sum())

    @property
    def passed(self):
        return self.max_error <= self.rtol


@dataclass
class GradCheckReport:
    """All six :class:`ParamCheck` s of one call to :func:`check_gradients`."""
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
            verdict = "ok" if c.passed else f"FAIL (> {c.rtol:.0e})"
            lines.append(f"{c.name:<6}{str(c.analytic.shape):>12}{c.max_error:>16.2e}{worst:>14}"
                         f"{c.n_kinks:>7}  {verdict}")
        return "\n".join(lines)

    def assert_ok(self):
        """Raise AssertionError naming each parameter whose gradient disagrees."""
        bad = [c for c in self.checks.values() if not c.passed]
        if bad:
            raise AssertionError("gradient check failed: " + "; ".join(
                f"{c.name}: relative error {c.max_error:.2e} > {c.rtol:.0e} at index "
                f"{c.worst_index} (analytic {c.analytic[c.worst_index]:.6g}, numerical "
                f"{c.numerical[c.worst_index]:.6g})" for c in bad))


def check_gradients(params, x, y, *, grads=None, backward=None, h=1e-5, rtol=1e-7,
                    rel_floor=1e-3, names=PARAM_NAMES):
    """Compare analytic gradients with central differences for every entry of ``names``.

    ``grads`` are the analytic gradients to test (a dict like :func:`helpers.network.backward`
    returns); if omitted they come from ``backward(params, x, y, cache)``, where ``backward``
    defaults to the project's own (pass your own function to test it). Each relative error uses
    a floor, the larger of ``rel_floor`` × the largest |entry| of that parameter and the
    round-off of the central difference divided by ``rtol`` (see the module docstring), so an
    entry passes when its error is within ``rtol`` or within round-off. Entries whose ±h step
    flips the sign of any pre-activation h1 (eq. 1) or h2 (eq. 3) are flagged as kinks and left
    out. Returns a :class:`GradCheckReport`; ``params`` is left unchanged.
    """
    _, x, y = check_problem(params, x, y)
    if isinstance(names, str):
        names = (names,)
    unknown = [k for k in names if k not in PARAM_NAMES]
    if unknown:
        raise ValueError(f"unknown parameter names {unknown}; choose from {PARAM_NAMES}")
    for arg, value in (("h", h), ("rtol", rtol), ("rel_floor", rel_floor)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{arg} must be a number; got {type(value).__name__}")
        if arg == "h" and not (np.isfinite(h) and h > 0):
            raise ValueError(f"h must be a positive finite number; got {h!r}")
        if not (np.isfinite(value) and value >= 0):
            raise ValueError(f"{arg} must be a non-negative finite number; got {value!r}")
    base, loss_and_kinks, crossed = kink_watching_loss(params, x, y)
    base_loss = _loss(base["y_pred"], y)
    noise = _roundoff(params, x, y, base["y_pred"], base_loss) / h
    if grads is None:
        grads = (backward(params, x, y, base) if backward is not None
                 else _backward(params, x, y, base))
    if not isinstance(grads, dict):
        raise TypeError(f"grads must be a dict with the keys of params; got "
                        f"{type(grads).__name__}")
    report = GradCheckReport()
    for name in names:
        p = params[name]
        if name not in grads:
            raise ValueError(f"grads has no '{name}'; it needs the keys of params")
        analytic = np.asarray(grads[name])
        if analytic.dtype == bool or analytic.dtype.kind not in "iuf":
            raise TypeError(f"grads['{name}'] must hold real numbers; got dtype {analytic.dtype}")
        analytic = analytic.astype(np.float64)
        if analytic.shape != p.shape:
            hint = (" (is it the seed's n×d form (82), (84), (86)? The 1×d gradient is its "
                    "column sum)" if name[0] == "b" and analytic.ndim == 2
                    and analytic.shape[1:] == p.shape[1:] else "")
            raise ValueError(f"grads['{name}'] has shape {analytic.shape}, expected {p.shape} "
                             f"(the shape of params['{name}']){hint}")
        numerical = numerical_gradient(loss_and_kinks, p, h=h)
        kinks = np.array(crossed).reshape(-1, 2).any(axis=1).reshape(p.shape)
        crossed.clear()
        smooth = ~kinks
        scale = (max(np.abs(analytic[smooth]).max(), np.abs(numerical[smooth]).max())
                 if smooth.any() else 0.0)
        floor = max(rel_floor * scale, noise / rtol if rtol > 0 else 0.0)
        errors = rel_error(analytic, numerical, floor=floor if np.isfinite(floor) else 0.0)
        report.checks[name] = ParamCheck(name, analytic, numerical, errors, kinks, rtol)
    return report


def kink_watching_loss(params, x, y):
    """The loss (6) as a function of no arguments, for :func:`numerical_gradient`, that also
    records whether each evaluation crossed a ReLU kink.

    Returns ``(base, f, crossed)``: ``base`` the forward cache at the current parameters, ``f``
    evaluates L at whatever ``params`` hold when it is called, and after each call ``crossed``
    gets one bool: did mask A (33) or B (64) differ from ``base``'s? ``x`` and ``y`` must be
    checked already.
    """
    _, base = _forward(params, x)
    base_A, base_B = base["A"].copy(), base["B"].copy()   # a user's backward may modify base
    crossed = []

    def f():
        y_pred, c = _forward(params, x)
        crossed.append(not (np.array_equal(c["A"], base_A) and np.array_equal(c["B"], base_B)))
        return _loss(y_pred, y)

    return base, f, crossed


def _roundoff(params, x, y, y_pred, loss):
    """About the round-off in evaluating L (6) in float64: eps·S, S = L + 2·Σ|y_pred − y|·Y.

    Y bounds the size of what y_pred is summed from: the forward pass (1)–(5) on absolute values,
    without the ReLU (a conservative bound; the error of a sum of products is at most a few eps
    times the sum of their absolute values). Measured on random networks up to 60 units wide,
    the actual error of the central difference stayed below eps·S/h; the check allows 4 times that.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        a = np.abs(x).astype(np.float64)
        for k in ("1", "2", "3"):
            a = a @ np.abs(params["w" + k]).astype(np.float64) + np.abs(params["b" + k])
        diff = np.abs(np.asarray(y_pred, dtype=np.float64) - y)
        s = abs(loss) + 2.0 * float(np.sum(diff * a))
    return 4.0 * np.finfo(np.float64).eps * s
