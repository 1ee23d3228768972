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
  not NaN, and entries far smaller than the largest one are judged on that larger scale, since the
  round-off above has the same absolute size for every entry.
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

from ._checks import PARAM_NAMES, check_matrix, check_params
from .network import _backward, _forward, _loss

__all__ = ["numerical_gradient", "rel_error", "ParamCheck", "GradCheckReport", "check_gradients"]


def numerical_gradient(f, array, *, h=1e-5):
    """Central-difference estimate of ∂f/∂array, entry by entry.

    ``f`` is a function of no arguments that returns a float and reads ``array``; each entry is
    perturbed *in place* to ``a + h`` and ``a − h`` and always restored, also when ``f`` raises.
    Returns an array of ``array``'s shape (float64 for float32 input: the check should not lose
    more digits than it must).
    """
    if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
        raise TypeError("array must be a floating NumPy array that f reads (it is perturbed in "
                        "place)")
    if not h > 0:
        raise ValueError(f"h must be positive; got {h!r}")
    grad = np.zeros(array.shape, dtype=np.float64)
    for idx in np.ndindex(array.shape):
        original = array[idx]
        try:
            array[idx] = original + h
            f_plus = f()
            array[idx] = original - h
            f_minus = f()
        finally:
            array[idx] = original
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def rel_error(a, b, *, floor=0.0):
    """Elementwise relative error ``|a − b| / max(|a| + |b|, floor)``; 0 where both are 0."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare shapes {a.shape} and {b.shape}")
    denom = np.maximum(np.abs(a) + np.abs(b), floor)
    diff = np.abs(a - b)
    return np.divide(diff, denom, out=np.zeros_like(diff), where=denom > 0)


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
    the floor ``rel_floor`` × the largest |entry| of that parameter (see the module docstring).
    Entries whose ±h step flips the sign of any pre-activation h1 (eq. 1) or h2 (eq. 3) are
    flagged as kinks. Returns a :class:`GradCheckReport`; ``params`` is left unchanged.
    """
    dtype, (d_in, _, _, d_out) = check_params(params)
    x = check_matrix(x, "x", dtype=dtype, columns=d_in, column_name="d_in")
    y = check_matrix(y, "y", dtype=dtype, columns=d_out, column_name="d_out", rows=x.shape[0])
    unknown = [k for k in names if k not in PARAM_NAMES]
    if unknown:
        raise ValueError(f"unknown parameter names {unknown}; choose from {PARAM_NAMES}")
    _, base = _forward(params, x)
    if grads is None:
        grads = (backward(params, x, y, base) if backward is not None
                 else _backward(params, x, y, base))
    crossed = []       # one bool per loss evaluation: did a mask (33) or (64) change?

    def loss_and_kinks():
        y_pred, c = _forward(params, x)
        same = np.array_equal(c["A"], base["A"]) and np.array_equal(c["B"], base["B"])
        crossed.append(not same)
        return _loss(y_pred, y)

    report = GradCheckReport()
    for name in names:
        p = params[name]
        if name not in grads:
            raise ValueError(f"grads has no '{name}'; it needs the keys of params")
        analytic = np.asarray(grads[name], dtype=np.float64)
        if analytic.shape != p.shape:
            raise ValueError(f"grads['{name}'] has shape {analytic.shape}, expected {p.shape} "
                             f"(the shape of params['{name}'])")
        numerical = numerical_gradient(loss_and_kinks, p, h=h)
        kinks = np.array(crossed).reshape(-1, 2).any(axis=1).reshape(p.shape)
        crossed.clear()
        scale = max(np.abs(analytic).max(), np.abs(numerical).max())
        errors = rel_error(analytic, numerical, floor=rel_floor * scale)
        report.checks[name] = ParamCheck(name, analytic, numerical, errors, kinks, rtol)
    return report
