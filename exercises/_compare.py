"""Shared machinery of the checks: tolerances, comparison, recognising a wrong value, and the
failure messages.

A failure message names the variable, the equation number, what the quantity is and its shape,
the largest difference and — when the wrong value is recognised — the mistake behind it, from
:mod:`exercises.catalogue`. It never states the formula: that is
:func:`exercises.answers.show_answer`'s job, on request.
"""

import numpy as np

from . import _runs

_TOL = {np.dtype(np.float64): 1e-8, np.dtype(np.float32): 1e-4}


class ExerciseError(AssertionError):
    """A check failed. ``mistake`` is the catalogue key of the recognised mistake, or None."""

    def __init__(self, message, mistake=None):
        super().__init__(message)
        self.mistake = mistake


def shape_str(shape):
    return "×".join(str(s) for s in shape) if shape else "a scalar"


def size_names(params, x):
    """{size: its dimension's name in the notebooks ("n", "d_in", "d1", "d2", "d_out")} for the
    network ``params`` and input ``x``, or None unless the five sizes are pairwise different
    (and none is 1, the rows of a bias): only then does a size name its dimension."""
    try:
        (n, _), (d_in, d1), d2, d_out = x.shape, params["w1"].shape, params["w2"].shape[1], \
            params["w3"].shape[1]
    except (AttributeError, KeyError, IndexError, TypeError, ValueError):
        return None
    names = {n: "n", d_in: "d_in", d1: "d1", d2: "d2", d_out: "d_out"}
    return names if len(names) == 5 and 1 not in names else None


def dims_of(shape, names):
    """"d_in×d2" for a 2-D ``shape`` whose sizes ``names`` all name (1 stays 1), else None."""
    if not names or len(shape) != 2 or any(s != 1 and s not in names for s in shape):
        return None
    return "×".join("1" if s == 1 else names[s] for s in shape)


def label(eq):
    """"eq. (81)" for an equation number, the text itself otherwise ("1ᵀ·(82)", "the central
    difference")."""
    return f"eq. {eq}" if eq.startswith("(") else eq


def tol_for(dtype):
    return _TOL.get(np.dtype(dtype), 1e-8)


def close(value, ref, tol):
    """True if ``value`` and ``ref`` have one shape and differ by at most tol·max|ref|."""
    value, ref = np.asarray(value, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    if value.shape != ref.shape or not np.isfinite(value).all():
        return False
    if value.size == 0:
        return True
    scale = max(float(np.abs(ref).max()), float(np.abs(value).max()))
    return float(np.abs(value - ref).max()) <= tol * scale


def recognise(value, mistakes, ctx, tol):
    """The first catalogue entry whose wrong value equals ``value`` (within ``tol``), or None.

    Entries whose wrong value cannot be formed with these sizes (a product whose shapes do not
    combine) are skipped: that mistake would have raised in the student's own cell instead.
    """
    value = np.asarray(value, dtype=np.float64)
    for m in mistakes:
        if m.wrong is None:
            continue
        try:
            with np.errstate(all="ignore"):
                cand = m.wrong(ctx)
        except (ValueError, ZeroDivisionError, IndexError):
            continue
        if cand is None:
            continue
        cand = np.asarray(cand, dtype=np.float64)
        if cand.shape == value.shape and close(value, cand, tol):
            return m
    return None


_GIVEN = object()          # last_run without the value: the notebook's variable is judged

UNSEEN = ("run the setup cell with exercises.start(...) first: without it the check cannot tell "
          "whether your cell ran")


def last_run(*names, value=_GIVEN):
    """Fail if the cell that last assigned one of ``names`` raised on that run: the value there
    is left over from an earlier attempt (or the placeholder), so nothing else is judged. Only
    for a check called from a notebook cell in a kernel where :func:`exercises.start` ran (in
    one where it did not, one line says so and the value is judged as it is).

    ``value``: what the check was given. A value that is not the notebook's variable ``name``
    (an expression, ``np.maximum(h1, 0)``) is judged as it is, and so is a variable that the
    check's own cell assigned above the check."""
    ns = _runs.from_cell()
    if ns is None:
        return
    if not _runs.watching():
        print(UNSEEN)
        return
    source, line = _runs.cell_line(ns)
    computed = _runs.bound_before(source, line) if source else set()
    below = _runs.bound_before(source, line, after=True) if source else set()
    for name in names:
        if value is not _GIVEN and ns.get(name, _GIVEN) is not value or name in computed:
            continue
        if name in below:
            raise _raised(f"this cell assigns {name} below the check, so the check would judge "
                          f"the {name} of an earlier run: put the check after the line that "
                          f"computes {name}.")
        err = _runs.LAST.get(name)
        if err and err.startswith("NotImplementedError") and value is not _GIVEN and \
                value is not None:
            raise _raised(f"{name} has a value, but its exercise cell still raises ({err}): "
                          f"delete the raise NotImplementedError line in the exercise cell "
                          f"above, run it, then run this check again.")
        if err and err.startswith("NotImplementedError"):
            raise _raised(f"{name} is not answered yet ({err}): replace the placeholder in "
                          f"the exercise cell above, run it, then run this check again.")
        if err and err.startswith(ExerciseError.__name__):
            raise _raised(f"{name} was not computed on the last run of its cell: a check above "
                          f"it in that cell failed first ({err}). Fix that, run the cell "
                          f"again, then run this check.")
        if err:
            raise _raised(f"your exercise cell raised on its last run ({err}): fix it "
                          f"first. This check judges {name} only once that cell has run "
                          f"without an error.")


def _raised(message):
    err = ExerciseError(message)
    err.cell_raised = True          # use() says so instead of "did not pass its check"
    return err


def num(v):
    """A number for a message: 8 significant digits, and 0 for −0."""
    return f"{float(v) + 0.0:.8g}"


def answer(var, value, what):
    """Return the student's ``value`` if it is a real NumPy array, else fail saying what it is.

    ``what`` describes the quantity without its formula, e.g. "∂L/∂w3 (eq. (81)), a d2×d_out
    NumPy array".
    """
    if value is None:
        raise ExerciseError(
            f"{var} is None: nothing has been computed yet. Compute {what} in the exercise cell "
            f"above so that it assigns {var}, run that cell, then run this check again.")
    if isinstance(value, (list, tuple)):
        raise ExerciseError(
            f"{var} is a Python {type(value).__name__}, expected {what}. Compute it with NumPy "
            f"operations rather than building a list.")
    if isinstance(value, np.generic):             # a NumPy scalar, e.g. from .sum()
        value = np.asarray(value)
    if not isinstance(value, np.ndarray):
        raise ExerciseError(f"{var} is a {type(value).__name__}, expected {what}.")
    if value.dtype == bool or value.dtype.kind not in "iuf":
        raise ExerciseError(f"{var} has dtype {value.dtype}, expected real numbers: {what}.")
    return value


def hint_line(mistake, eq=""):
    """The 'Likely mistake' line; ``eq``: the exercise's own equation."""
    return f"\n  Likely mistake: {mistake.text(eq)}" if mistake is not None else ""


def fail(var, eq, what, value, ref, mistake, extra=""):
    """Raise the ExerciseError for a value of the right shape but the wrong numbers."""
    v, r = np.asarray(value, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    msg = f"{var} does not match {label(eq)} ({what})."
    if not np.isfinite(v).all():
        msg += f" {var} contains NaN or inf."
    elif v.size:
        diff = np.abs(v - r)
        idx = np.unravel_index(int(np.argmax(diff)), diff.shape)
        where = f" at index {tuple(int(i) for i in idx)}" if v.ndim else ""
        msg += (f"\n  Largest difference{where}: yours {num(v[idx])}, expected {num(r[idx])} "
                f"(shape {shape_str(r.shape)} is right).")
        k = ratio(v, r) if mistake is None else None
        if k is not None:
            msg += f"\n  Yours is {k:.6g} × the expected value everywhere."
    if extra:
        msg += f"\n  {extra}"
    raise ExerciseError(msg + hint_line(mistake, eq), mistake.key if mistake else None)


def ratio(value, ref, rtol=1e-9):
    """The number k with value = k·ref in every entry (to ``rtol``), if there is one other than
    0 and 1 and at least two entries of ref are not 0; else None."""
    v, r = np.asarray(value, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    if v.shape != r.shape or not (np.isfinite(v).all() and np.isfinite(r).all()):
        return None
    rr = float(np.sum(r * r))
    if rr == 0 or np.count_nonzero(r) < 2:
        return None
    k = float(np.sum(v * r)) / rr
    if k == 0 or abs(k - 1) <= rtol or \
            float(np.abs(v - k * r).max()) > rtol * abs(k) * float(np.abs(r).max()):
        return None
    return k


def fail_shape(var, eq, what, dims, value, ref, mistake, *, names=None, factor=""):
    """Raise the ExerciseError for a value of the wrong shape. With ``names`` (the sizes'
    dimension names, :func:`size_names`) both shapes are said in the notebook's dimension names,
    and ``factor`` says where the wrong size comes from, without the answer."""
    have, want = dims_of(value.shape, names), dims_of(ref.shape, names)
    if have and want:
        have, want = (d if d == shape_str(s) else f"{d} ({shape_str(s)})"
                      for d, s in ((have, value.shape), (want, ref.shape)))
        msg = (f"{var} has shape {have}; it should be {want}" +
               (f": {factor}" if factor else ".") + f"\n  {label(eq)}: {what}.")
    else:
        msg = (f"{var} has shape {value.shape}, expected {ref.shape} ({dims}): {label(eq)}, "
               f"{what}.")
    raise ExerciseError(msg + hint_line(mistake, eq), mistake.key if mistake else None)


def dtype_note(value, dtype):
    if value.dtype.kind == "f" and value.dtype != dtype:
        return f"It has dtype {value.dtype} while the parameters are {dtype}: compute in {dtype}."
    return ""
