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


def last_run(*names):
    """Fail if the cell that last assigned one of ``names`` raised on that run: the value there
    is left over from an earlier attempt (or the placeholder), so nothing else is judged. Only
    for a check called from a notebook cell in a kernel where :func:`exercises.start` ran."""
    if _runs.from_cell() is None:
        return
    for name in names:
        err = _runs.LAST.get(name)
        if err and err.startswith("NotImplementedError"):
            raise _raised(f"{name} is not answered yet ({err}): replace the placeholder in "
                                f"the exercise cell above, run it, then run this check again.")
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
    if extra:
        msg += f"\n  {extra}"
    raise ExerciseError(msg + hint_line(mistake, eq), mistake.key if mistake else None)


def fail_shape(var, eq, what, dims, value, ref, mistake):
    msg = (f"{var} has shape {value.shape}, expected {ref.shape} ({dims}): {label(eq)}, {what}.")
    raise ExerciseError(msg + hint_line(mistake, eq), mistake.key if mistake else None)


def dtype_note(value, dtype):
    if value.dtype.kind == "f" and value.dtype != dtype:
        return f"It has dtype {value.dtype} while the parameters are {dtype}: compute in {dtype}."
    return ""
