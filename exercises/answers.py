"""The reference by name, the no-cascade switch and the answer reveal.

    reference(name, params, x, y=None)     the right value of any quantity, by name
    use(name, value, params, x, y=None)    the student's value if it passes its check, else the
                                           reference value, with one line saying so
    show_answer(name)                      print the formula and its NumPy line, on request

The arrays ``reference`` and ``use`` hand out are remembered, so that passing one of them to the
quantity's own check is refused (:mod:`.provenance`).
"""

import contextlib
import io

import numpy as np

from helpers._checks import check_problem

from . import inplace, provenance
from .checks import check_forward, check_gradient, check_loss, check_seed_bias_form
from .context import intermediates
from .numerical import check_gd_step
from .tasks import GRADIENT, SEED_FORM, TASKS

__all__ = ["reference", "use", "use_step", "show_answer", "NAMES"]

_FORWARD = ("h1", "h1_relu", "h2", "h2_relu", "y_pred", "A", "B")
_NEEDS_Y = ("L", "dy", "dh2", "dh1", "dw3", "db3", "dw2", "db2", "dw1", "db1", "grads")
NAMES = _FORWARD + _NEEDS_Y + ("cache",)
_WEIGHT_OF = {v: k for k, v in GRADIENT.items()}
_BIAS_OF = {v: k for k, v in SEED_FORM.items()}


def _check_name(name):
    if not isinstance(name, str) or name not in NAMES:
        raise ValueError(f"name must be one of {', '.join(NAMES)}; got {name!r}")


def _compute(name, params, x, y):
    """``name`` computed by the reference network (:func:`.context.intermediates`)."""
    c = intermediates(params, x, y)
    if name == "L":
        return float(c["L"])
    if name == "cache":
        return {k: v.copy() for k, v in c.items() if isinstance(v, np.ndarray)}
    if name == "grads":
        return {k: v.copy() for k, v in c["grads"].items()}
    return (c[name] if name in c else c["grads"][_WEIGHT_OF[name]]).copy()


def reference(name, params, x, y=None):
    """The right value of quantity ``name``, computed by the package (a fresh copy).

    ``name``: ``h1 h1_relu h2 h2_relu y_pred A B`` (need only ``params, x``), ``L dy dh2 dh1
    dw3 db3 dw2 db2 dw1 db1`` (need ``y`` too), ``grads`` (the six true gradients, a dict keyed
    ``w1 … b3``) or ``cache`` (every intermediate, a dict). Later notebooks take earlier results
    from here instead of writing an exercise's formula as code::

        dy = exercises.reference("dy", params, x, y)
    """
    _check_name(name)
    if name in _NEEDS_Y and y is None:
        raise ValueError(f"reference({name!r}, …) needs y as well: reference({name!r}, params, "
                         f"x, y)")
    _, x, y = check_problem(params, x, y)
    out = _compute(name, params, x, y)
    if isinstance(out, dict):                   # grads are keyed w1 … b3, the cache by quantity
        for k, v in out.items():
            provenance.issue(v, ("d" + k) if name == "grads" else k)
    else:
        provenance.issue(out, name)
    return out


def _run_check(name, value, params, x, y):
    if name in ("h1", "h1_relu", "h2", "h2_relu", "y_pred"):
        check_forward(name, value, params, x)
    elif name == "L":
        check_loss(value, intermediates(params, x)["y_pred"], y)
    elif name in _BIAS_OF:
        check_seed_bias_form(_BIAS_OF[name], value, params, x, y)
    else:
        check_gradient(_WEIGHT_OF[name], value, params, x, y)


def use(name, value, params, x, y=None):
    """The student's ``value`` of ``name`` if it passes its check, else the reference value.

    For the cell after an exercise's check, so that a wrong or unanswered exercise fails its own
    check and nothing else: on success it returns ``value`` and prints nothing; otherwise it
    prints one line saying that the cells below use the reference value, and returns it::

        dh2 = exercises.use("dh2", dh2, params, x, y)
    """
    _check_name(name)
    if name in ("A", "B", "grads", "cache"):
        raise ValueError(f"use() takes an exercise's quantity; {name!r} is not one (use "
                         f"reference({name!r}, …) for it)")
    if name in _NEEDS_Y and y is None:
        raise ValueError(f"use({name!r}, …) needs y as well: use({name!r}, {name}, params, x, y)")
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            _run_check(name, value, params, x, y)
        passed = True
    except AssertionError:
        why = "is not answered yet" if value is None else "did not pass its check"
        print(f"{name} {why}: the cells below use the reference value of {name} "
              f"(eq. {TASKS[name].eq}).")
        passed = False
    inplace.restore(name, value, params, x, y)          # what the exercise cell changed
    return value if passed else reference(name, params, x, y)


def use_step(new_params, params, grads, lr):
    """:func:`use` for 08's gradient-descent step: the student's ``new_params`` if they pass
    :func:`check_gd_step`, else the reference step (a new dict), with one line saying so::

        new_params = exercises.use_step(new_params, params, grads, lr)
    """
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            check_gd_step(new_params, params, grads, lr)
    except AssertionError as err:
        why = "is not answered yet" if new_params is None else "did not pass its check"
        print(f"new_params {why}: the cells below use the reference gradient-descent step.")
        if getattr(err, "mistake", None) == "st-in-place":
            _undo_step(new_params, params, grads, lr)
        return {k: provenance.issue(params[k] - lr * np.asarray(grads[k], dtype=params[k].dtype),
                                    "step") for k in params}
    return new_params


def _undo_step(new_params, params, grads, lr):
    """The student's step changed ``params`` in place (new_params is params, or holds all six
    of its arrays, as the check found): put each back, to within rounding, so that the reference
    step below starts where the notebook left off."""
    for k in params:
        if isinstance(new_params, dict) and isinstance(new_params.get(k), np.ndarray) and \
                np.shares_memory(new_params[k], params[k]):
            params[k] += lr * np.asarray(grads[k], dtype=params[k].dtype)
    print("params were changed in place by your step; they are back to their values before it.")


def show_answer(name):
    """Print the answer of exercise ``name`` (its formula and its NumPy line); for an exercise
    beyond the paper (notebook 11), which has none, say so."""
    if name not in TASKS:
        raise ValueError(f"name must be one of {', '.join(TASKS)}; got {name!r}")
    t = TASKS[name]
    if not t.formula:
        print(f"{name}, {t.eq}: a derivation beyond the paper, graded by finite differences of "
              f"its loss; the package ships no formula for it. Your answer is right when its "
              f"check passes.")
        return
    print(f"{name}, {'eq. ' if t.eq.startswith('(') else ''}{t.eq}: {t.formula}\n"
          f"  in NumPy: {t.code}")
