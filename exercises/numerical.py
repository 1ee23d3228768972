"""Checks for 07 (a central-difference estimate) and 08 (one gradient-descent step)."""

import math

import numpy as np

from helpers._checks import PARAM_NAMES, check_params, check_problem
from helpers.gradcheck import numerical_gradient
from helpers.network import _forward, _loss

from . import provenance
from ._compare import (
    ExerciseError,
    answer,
    close,
    fail,
    fail_shape,
    hint_line,
    last_run,
    recognise,
    shape_str,
    tol_for,
)
from ._runs import describe
from .catalogue import MISTAKES, for_quantity

__all__ = ["check_numerical_gradient", "check_gd_step"]

_CD = "the central difference"


class _Ctx:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def _one_sided(work, name, f, L0, h, sign):
    """(L(p + h) − L(p)) / h for sign = +1, (L(p) − L(p − h)) / h for sign = −1."""
    p = work[name]
    out = np.zeros(p.shape)
    for idx in np.ndindex(p.shape):
        orig = p[idx]
        p[idx] = orig + sign * h
        out[idx] = sign * (f() - L0) / h
        p[idx] = orig
    return out


def _not_restored(work, name, f, h):
    """The estimate of a loop that leaves each entry at p − h, started from p + h (what the
    student's params[name] is now: its original value was p + h)."""
    p = work[name]
    p += h
    out = np.zeros(p.shape)
    for idx in np.ndindex(p.shape):
        orig = p[idx]
        p[idx] = orig + h
        L_plus = f()
        p[idx] = orig - h
        out[idx] = (L_plus - f()) / (2 * h)
    return out


def check_numerical_gradient(estimate, params, x, y, name, h=1e-5):
    """Check a student's central-difference estimate of ∂L/∂``name``.

    ``estimate`` is the estimate itself, or the student's function that computes it, called
    here as ``estimate(params, x, y, name, epsilon=h)``: whatever it does, ``params`` are put
    back afterwards, and the check fails if the function left them changed."""
    if name not in PARAM_NAMES:
        raise ValueError(f"name must be one of {', '.join(PARAM_NAMES)}; got {name!r}")
    if isinstance(h, bool) or not isinstance(h, (int, float, np.integer, np.floating)) or not (
            math.isfinite(h) and h > 0):
        raise ValueError(f"h must be a positive number; got {h!r}")
    dtype, x, y = check_problem(params, x, y)
    last_run("central_difference", "estimate", value=estimate)
    # the name the student sees: the function the check calls (07's central_difference)
    var = f'{_fn_name(estimate)}(params, x, y, "{name}")' if callable(estimate) else \
        f"your estimate for {name}"
    p = params[name]
    what = f"the central-difference estimate for every entry of {name}"
    fn, left, changed = None, params, []
    if callable(estimate):
        fn, estimate, left, changed = estimate, *_call_restoring(estimate, params, x, y, name, h)
        if estimate is None:
            raise ExerciseError(f"{_fn_name(fn)} returned None: did you forget `return`? It "
                                f"should return its estimate, {what}, {_shape(p)}.")
    estimate = answer("estimate", estimate, f"{what}, {_shape(p)}")
    provenance.refuse("estimate", estimate, "numerical", position=0,
                      check="check_numerical_gradient")
    work = {k: v.copy() for k, v in params.items()}

    def f():
        return _loss(_forward(work, x)[0], y)

    ref = numerical_gradient(f, work[name], h=h)
    if estimate.shape != p.shape:
        fail_shape(var, _CD, what, f"the shape of {name}", estimate, ref, None)
    L0 = f()
    # round-off of a central difference is about eps·|L|/h; allow a generous multiple of it
    eps = float(np.finfo(dtype).eps)
    scale = max(float(np.abs(ref).max()), 1e-300)
    tol = max(1e-6, 1e3 * eps * abs(L0) / h / scale) if dtype == np.float64 else max(
        1e-2, 1e2 * eps * abs(L0) / h / scale)
    if close(estimate, ref, tol) and changed:
        m = MISTAKES["n-not-restored"]
        raise ExerciseError(
            f"{_fn_name(fn)} left params changed ({', '.join(changed)}): its estimate is right, "
            f"but the cells below need params as they were (they are put back now). Restore "
            f"each entry you perturb to its original value." + hint_line(m), m.key)
    if close(estimate, ref, tol):
        print(f"{var} matches the central difference (L(p + ε) − L(p − ε)) / 2ε")
        return
    m = recognise(estimate, for_quantity("numerical"), _Ctx(ref=ref, h=h), tol)
    if m is None:
        err = np.abs(estimate - ref).max()
        for key, cand in (("n-forward", lambda: _one_sided(work, name, f, L0, h, 1)),
                          ("n-backward", lambda: _one_sided(work, name, f, L0, h, -1))):
            if np.abs(estimate - cand()).max() < 0.5 * err:
                m = MISTAKES[key]
                break
    if m is None:
        restored = {k: v.copy() for k, v in left.items()}

        def g():
            return _loss(_forward(restored, x)[0], y)

        if close(estimate, _not_restored(restored, name, g, h), tol):
            m = MISTAKES["n-not-restored"]
    fail(var, _CD, what, estimate, ref, m)


def _call_restoring(fn, params, x, y, name, h):
    """Call the student's ``fn``; put ``params`` back whatever it does. Returns what it returned,
    a copy of params as it left them and the names it changed. It gets copies of x and y: what
    it does to them cannot change the reference the check computes from them."""
    arrays, before = dict(params), {k: v.copy() for k, v in params.items()}
    try:
        estimate = fn(params, x.copy(), y.copy(), name, epsilon=h)
    except NotImplementedError as err:         # the handed-out stub's placeholder
        raise ExerciseError(
            f"{_fn_name(fn)} is not answered yet ({describe(err)}): write its body in the "
            f"exercise cell above, where it says YOUR CODE HERE, and delete the raise "
            f"NotImplementedError line; run that cell, then run this check again.") from None
    finally:
        left = {k: params[k].copy() if isinstance(params.get(k), np.ndarray) else before[k]
                for k in arrays}
        changed = [k for k in arrays if params.get(k) is not arrays[k]
                   or not np.array_equal(arrays[k], before[k])]
        params.clear()
        params.update(arrays)
        for k in changed:
            np.copyto(arrays[k], before[k])
    return estimate, left, changed


def _fn_name(fn):
    return getattr(fn, "__name__", "your function")


def _shape(p):
    return f"{shape_str(p.shape)} like the parameter"


def check_gd_step(new_params, old_params, grads, lr):
    """Check one gradient-descent step, p ← p − lr·∂L/∂p, for all six parameters.

    ``old_params`` are the parameters before the step (keep a copy if the step is done in
    place), ``grads`` the gradients (81)–(86) they were updated with.
    """
    dtype, _ = check_params(old_params)
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating)) or not (
            math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive finite number; got {lr!r}")
    if not isinstance(grads, dict) or any(k not in grads for k in PARAM_NAMES):
        raise ValueError(f"grads must be a dict with the keys {', '.join(PARAM_NAMES)}")
    for k in PARAM_NAMES:
        g = np.asarray(grads[k])
        if g.shape != old_params[k].shape:
            raise ValueError(f"grads['{k}'] has shape {g.shape}, expected {old_params[k].shape} "
                             f"(the shape of params['{k}']; biases need the 1×d column sums)")
    last_run("new_params", value=new_params)
    step, what = "the gradient-descent step", "the gradient-descent step, for every parameter"
    if new_params is None:
        raise ExerciseError("new_params is None: the update was not stored. Compute one "
                            "gradient-descent step for every parameter in the exercise cell "
                            "above.")
    if not isinstance(new_params, dict):
        raise ExerciseError(f"new_params is a {type(new_params).__name__}, expected a dict with "
                            f"the keys {', '.join(PARAM_NAMES)}.")
    provenance.refuse("new_params", new_params, "step", position=0, check="check_gd_step")
    biases_out = MISTAKES["st-biases-left-out"]
    missing = [k for k in PARAM_NAMES if k not in new_params]
    if missing:
        m = biases_out if missing == ["b1", "b2", "b3"] else None
        raise ExerciseError(f"new_params has no {', '.join(missing)}: {what}." + hint_line(m),
                            m.key if m else None)
    same = [k for k in PARAM_NAMES if new_params[k] is old_params[k] or (
        isinstance(new_params[k], np.ndarray) and new_params[k].size
        and np.shares_memory(new_params[k], old_params[k]))]
    if new_params is old_params or len(same) == len(PARAM_NAMES):
        m = MISTAKES["st-in-place"]
        raise ExerciseError("new_params is the params dict itself, or holds its arrays: the step "
                            "changed params in place, so there is nothing left to compare it "
                            "with." + hint_line(m), m.key)
    tol = tol_for(dtype)
    moved = [k for k in ("w1", "w2", "w3") if k not in same and isinstance(
        new_params[k], np.ndarray) and not close(new_params[k], old_params[k], tol)]
    if same and set(same) <= {"b1", "b2", "b3"} and moved:
        raise ExerciseError(f"new_params['{same[0]}'] is old_params['{same[0]}'] itself: "
                            f"{what}." + hint_line(biases_out), biases_out.key)
    for k in PARAM_NAMES:
        new, old, g = new_params[k], old_params[k], np.asarray(grads[k], dtype=np.float64)
        var = f"new_params['{k}']"
        new = answer(var, new, f"{what} ({shape_str(old.shape)})")
        if k in same:
            m = MISTAKES["st-in-place"]
            raise ExerciseError(
                f"new_params['{k}'] is the parameter array itself, so the step cannot be "
                f"checked." + hint_line(m), m.key)
        ref = old.astype(np.float64) - lr * g
        if new.shape != old.shape:
            fail_shape(var, step, what, f"the shape of params['{k}']", new, ref, None)
        if close(new, ref, tol):
            continue
        m = recognise(new, for_quantity("step"), _Ctx(old=old, g=g, lr=lr), tol)
        if m is MISTAKES["st-unchanged"] and k[0] == "b" and moved:
            m = biases_out
        fail(var, step, f"{what}; here {k}", new, ref, m)
    print("the gradient-descent step matches p ← p − lr·∂L/∂p for all six parameters")
