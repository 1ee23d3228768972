"""Checks for the exercise cells of 02–05: the forward pass (1)–(5), the loss (6), the
gradients (81)–(86) and the paper's n×d bias forms (82), (84), (86); and of 14, 15: the index forms,
a weight's derivative array (10), (28), (56) and the chain rule's sum (11), (29), (57).

Every function recomputes the right answer from the inputs with :mod:`helpers.network` and
compares it with the student's value, with a tolerance suited to the dtype (float64: 1e-8,
float32: 1e-4, relative to the largest entry). On success it prints one line, e.g.
``dw3 matches eq. (81)``. On a mismatch it raises :class:`ExerciseError` (an ``AssertionError``)
naming the variable, the equation, the quantity and its shape and, when the wrong value is
recognised, the mistake behind it from :mod:`exercises.catalogue` — never the formula.
An answer taken from the reference implementation is refused (:mod:`.provenance`).

Bad *inputs* (``params``, ``x``, ``y``) are refused with the same ``TypeError`` / ``ValueError``
as everywhere in :mod:`helpers`; a bad *answer* is an ``AssertionError``.
"""

import numpy as np

from helpers._checks import check_problem, check_same_shape
from helpers.gradcheck import check_gradients
from helpers.network import _loss

from . import inplace, provenance
from ._compare import (
    ExerciseError,
    answer,
    close,
    dtype_note,
    fail,
    fail_shape,
    label,
    last_run,
    num,
    recognise,
    size_names,
    tol_for,
)
from .catalogue import MISTAKES, for_quantity
from .context import LEVEL, Context
from .tasks import GRADIENT, INDEX_FORM, SEED_FORM, TASKS

__all__ = ["check_forward", "check_loss", "check_gradient", "check_seed_bias_form",
           "check_index_form"]

_FORWARD = ("h1", "h1_relu", "h2", "h2_relu", "y_pred")


def _shape_mistake(value, ref, quantity):
    """A catalogue entry recognised from the shapes alone, if the shapes leave no doubt."""
    vs, rs = value.shape, ref.shape
    bias = quantity in ("db1", "db2", "db3")
    if bias and value.ndim == 2 and vs[1] == rs[1] and vs[0] > 1:
        return MISTAKES["b-not-summed"]
    if quantity in ("dy", "dh2", "dh1") and vs == (1, rs[1]) and rs[0] > 1:
        return MISTAKES["s-summed"]
    if vs == rs[::-1] and vs != rs:
        return MISTAKES["b-transposed" if bias else "g-result-transposed"]
    if value.ndim == 1 and value.size == ref.size:
        return MISTAKES["b-1d" if bias else "x-1d"]
    return None


def _wrong_size(quantity, have, want, names):
    """Where a gradient's wrong size comes from, in dimension names, never the answer: a weight
    gradient's rows are its first factor's and its columns its second's; a bias gradient's
    columns are the summed array's."""
    if not names or len(have) != 2 or any(s != 1 and s not in names for s in have):
        return ""
    name = {1: "1", **names}.get
    if quantity in ("dw1", "dw2", "dw3"):
        parts = [f"{which} factor has {name(h)} {axis} — which array has {name(w)} columns?"
                 for which, axis, h, w in (("the first", "rows", have[0], want[0]),
                                           ("the second", "columns", have[1], want[1]))
                 if h != w]
        return " ".join(p[0].upper() + p[1:] if i else p for i, p in enumerate(parts))
    if quantity in ("db1", "db2", "db3") and have[0] == 1 and have[1] != want[1]:
        return (f"the array you summed has {name(have[1])} columns — which array has "
                f"{name(want[1])} columns?")
    return ""


def compare(quantity, value, ref, ctx, dtype, *, var=None, ok=None):
    """Compare ``value`` with ``ref``; print ``ok`` (nothing if it is False) or raise with the
    recognised mistake."""
    task = TASKS[quantity]
    var = var or quantity
    tol = tol_for(dtype)
    ctx.value = value
    mistakes = for_quantity(quantity)
    if value.shape != ref.shape:
        m = recognise(value, mistakes, ctx, tol) or _shape_mistake(value, ref, quantity)
        names = size_names(ctx.params, ctx.x)
        fail_shape(var, task.eq, task.what, task.dims, value, ref, m, names=names,
                   factor="" if m else _wrong_size(quantity, value.shape, ref.shape, names))
    if close(value, ref, tol):
        if ok is not False:
            print(ok or f"{var} matches {label(task.eq)}")
        return
    m = recognise(value, mistakes, ctx, tol)
    fail(var, task.eq, task.what, value, ref, m, dtype_note(value, dtype))


def check_forward(name, value, params, x):
    """Check a student's forward-pass matrix ``name`` against eqs. (1)–(5).

    ``name`` is one of ``"h1"`` (1), ``"h1_relu"`` (2), ``"h2"`` (3), ``"h2_relu"`` (4),
    ``"y_pred"`` (5).
    """
    if name not in _FORWARD:
        raise ValueError(f"name must be one of {', '.join(_FORWARD)}; got {name!r}")
    dtype, x, _ = check_problem(params, x)
    last_run(name, value=value)
    value = answer(name, value, TASKS[name].describe())
    provenance.refuse(name, value, name, position=1, check="check_forward")
    inplace.refuse(name, value, params, x)
    ctx = Context(params, x, None, name)
    ctx.ref = getattr(ctx, name)
    compare(name, value, ctx.ref, ctx, dtype)


def check_loss(L, y_pred, y):
    """Check a student's loss ``L`` against eq. (6), a sum of squares over all entries."""
    y_pred, y = check_same_shape(y_pred, y)
    last_run("L", value=L)
    task = TASKS["L"]
    ref = _loss(np.asarray(y_pred, dtype=np.float64), np.asarray(y, dtype=np.float64))
    if L is None:
        raise ExerciseError("L is None: nothing has been computed yet. Compute the loss L "
                            "(eq. (6), one number) in the exercise cell above, run it, then run "
                            "this check again.")
    if isinstance(L, (bool, np.bool_)) or not isinstance(L, (int, float, np.integer, np.floating,
                                                              np.ndarray)):
        raise ExerciseError(f"L is a {type(L).__name__}, expected one number (eq. (6)).")
    arr = np.asarray(L)
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise ExerciseError(f"L has dtype {arr.dtype}, expected one real number (eq. (6)).")
    provenance.refuse("L", L, "L", position=0, check="check_loss")
    y_shape = np.shape(y)
    one_axis = arr.size != np.prod(y_shape) and arr.size in y_shape and \
        sum(s > 1 for s in arr.shape) == 1          # d_out or n numbers: one sum left out
    m = MISTAKES["l-one-axis" if one_axis else "l-matrix"]
    if arr.size != 1:
        raise ExerciseError(f"L has shape {arr.shape}, expected one number (eq. (6), {task.what})."
                            f"\n  Likely mistake: {m.text()}", m.key)
    value = float(arr.reshape(()))
    tol = 1e-4 if np.asarray(y_pred).dtype == np.float32 else 1e-8
    if np.isfinite(value) and abs(value - ref) <= tol * max(abs(ref), abs(value)):
        print("L matches eq. (6)")
        return
    ctx = _LossContext(np.asarray(y_pred, dtype=np.float64), np.asarray(y, dtype=np.float64), ref)
    m = recognise(np.asarray(value), for_quantity("L"), ctx, tol)
    raise ExerciseError(f"L does not match eq. (6) ({task.what}).\n  Yours {num(value)}, expected "
                        f"{num(ref)}." + (f"\n  Likely mistake: {m.text()}" if m else ""),
                        m.key if m else None)


class _LossContext:
    def __init__(self, y_pred, y, L):
        self.y_pred, self.y, self.L = y_pred, y, L
        self.n, self.d_out = y.shape if y.ndim == 2 else (y.size, 1)


def _gradient_context(names, name, value, params, x, y, check):
    """What both gradient checks do first: the quantity, the student's value (refused if it is
    missing, the reference's, or changed another quantity in place) and its Context."""
    if name not in names:
        raise ValueError(f"name must be one of {', '.join(names)}; got {name!r}")
    q = names[name]
    dtype, x, y = check_problem(params, x, y)
    last_run(q, value=value)
    value = answer(q, value, TASKS[q].describe())
    provenance.refuse(q, value, q, position=1, check=check)
    inplace.refuse(q, value, params, x, y)
    return q, value, Context(params, x, y, q), dtype


def check_gradient(name, value, params, x, y):
    """Check a student's gradient ``d<name>`` against eqs. (81)–(86).

    ``name`` is one of ``"w1" "b1" "w2" "b2" "w3" "b3"``. Biases: the true gradient of the 1×d
    parameter, the column sum of the paper's n×d form (see :func:`check_seed_bias_form`).
    """
    q, value, ctx, dtype = _gradient_context(GRADIENT, name, value, params, x, y,
                                             "check_gradient")
    ctx.ref = ctx.up(LEVEL[q], ctx.G)
    compare(q, value, ctx.ref, ctx, dtype)


def check_seed_bias_form(name, value, params, x, y):
    """Check the paper's n×d bias-gradient matrix for ``name`` in ``"b1" "b2" "b3"``: dy (82),
    dh2 (84), dh1 (86), the gradients of L with respect to the broadcast matrices 1·b."""
    q, value, ctx, dtype = _gradient_context(SEED_FORM, name, value, params, x, y,
                                             "check_seed_bias_form")
    ctx.ref = ctx.G
    compare(q, value, ctx.ref, ctx, dtype,
            ok=f"{q} matches {label(TASKS[q].eq)} (the paper's n×d form for {name})")


def check_index_form(name, J, value, params, x, y):
    """Check an index form of 14 or 15, ``name`` one of ``"w3" "w2" "w1"``: ``J``, the derivative
    ∂y_pred_ij/∂w_kl for every i, j, k, l ((10), (28), (56)), against the reference backward pass
    from one-hot seeds; ``value``, the chain rule's sum over i and j ((11), (29), (57)), against
    (81), (83), (85) and against central differences of L (helpers.check_gradients)."""
    if name not in INDEX_FORM:
        raise ValueError(f"name must be one of {', '.join(INDEX_FORM)}; got {name!r}")
    (jq, q), g = INDEX_FORM[name], GRADIENT[name]
    dtype, x, y = check_problem(params, x, y)
    last_run(jq, q)
    J, value = answer(jq, J, TASKS[jq].describe()), answer(q, value, TASKS[q].describe())
    for var, v, position in ((jq, J, 1), (q, value, 2)):
        provenance.refuse(var, v, g, position=position, check="check_index_form")
        inplace.refuse(var, v, params, x, y)
    ctx = Context(params, x, y, g)
    ctx.jac = ctx.ref = ctx.jacobian()
    compare(jq, J, ctx.ref, ctx, dtype, ok=False)
    ctx.ref = ctx.up(LEVEL[g], ctx.G)
    compare(q, value, ctx.ref, ctx, dtype, ok=False)
    check_gradients(params, x, y, grads={name: value}, names=(name,)).assert_ok()
    print(f"{jq} matches {label(TASKS[jq].eq)}; {q} matches {label(TASKS[q].eq)}, the same as "
          f"{TASKS[g].eq} and as central differences of L (6)")
