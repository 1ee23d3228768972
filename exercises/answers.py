"""The reference by name, the no-cascade switch and the answer reveal.

    reference(name, params, x, y=None)     the right value of any quantity, by name
    use(name, params, x, y=None)           the student's value of ``name`` if it passes its
                                           check, else the reference value, with one line
                                           (05's backward_any: the student's function, else
                                           the reference function)
    hint(name)                             the next hint, a step at a time, never the formula
    show_answer(name)                      print the formula and its NumPy line, on request

The arrays ``reference`` and ``use`` hand out are remembered, so that passing one of them to the
quantity's own check is refused (:mod:`.provenance`).
"""

import contextlib
import io
import sys

import numpy as np

from helpers._checks import check_problem

from . import _runs, inplace, provenance, session
from ._compare import label
from .any_depth import backward_any, check_backward_any
from .checks import check_forward, check_gradient, check_loss, check_seed_bias_form
from .context import intermediates
from .numerical import check_gd_step
from .tasks import GRADIENT, SEED_FORM, TASK_OF_NAME, TASKS

__all__ = ["reference", "use", "use_step", "hint", "show_answer", "NAMES"]
_MISSING = object()

_FORWARD = ("h1", "h1_relu", "h2", "h2_relu", "y_pred", "A", "B")
_NEEDS_Y = ("L", "dy", "dh2", "dh1", "dw3", "db3", "dw2", "db2", "dw1", "db1", "grads")
NAMES = _FORWARD + _NEEDS_Y + ("cache",)
_WEIGHT_OF = {v: k for k, v in GRADIENT.items()}
# function exercises: the check, and the reference function use() hands out in its place
FUNCTIONS = {"backward_any": (check_backward_any, backward_any)}
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


def _student_value(name, value, frame):
    """The value to judge: ``value`` if given, else the variable ``name`` of the calling cell's
    namespace (``_MISSING`` if it was never defined: its exercise cell did not run)."""
    return frame.f_globals.get(name, _MISSING) if value is _MISSING else value


def _why(err, value, name):
    if getattr(err, "cell_raised", False):
        return f"{name}: your exercise cell raised on its last run:"
    unanswered = value is None or value is _MISSING or getattr(err, "unanswered", False)
    return f"{name} {'is not answered yet' if unanswered else 'did not pass its check'}:"


def _put_back(name, frame):
    """What the exercise cell of ``name`` rebound (``def forward``, ``w3 = w3.T``), back."""
    ns = _runs.from_cell()
    if ns is not None and frame.f_globals is ns:
        session.restore_rebound(name, ns)


def use(name, params, x, y=None, *, value=_MISSING):
    """Your value of ``name`` if it passes its check, else the reference value.

    For the cell after an exercise's check, so that a wrong or unanswered exercise fails its own
    check and nothing else. It reads your variable ``name`` from the notebook itself (so a cell
    that never defined it is no error here; ``value=`` passes one explicitly). On success it
    returns your value and prints nothing; otherwise it prints one line saying that the cells
    below use the reference value, and returns it. Either way, what the exercise cell rebound
    or changed in place (``forward``, ``w3``, the mask ``A``) is put back, with one line::

        dh2 = exercises.use("dh2", params, x, y)

    For a function exercise (05's ``backward_any``) it returns your function, or the
    reference function.
    """
    if name in FUNCTIONS:
        return _use_function(name, params, x, y, value, sys._getframe(1))
    _check_name(name)
    if not isinstance(params, dict):
        raise TypeError(f"use() takes (name, params, x, y) and reads your {name} itself: "
                        f"{name} = exercises.use({name!r}, params, x, y)")
    if name in ("A", "B", "grads", "cache"):
        raise ValueError(f"use() takes an exercise's quantity; {name!r} is not one (use "
                         f"reference({name!r}, …) for it)")
    if name in _NEEDS_Y and y is None:
        raise ValueError(f"use({name!r}, …) needs y as well: use({name!r}, params, x, y)")
    frame = sys._getframe(1)
    value = _student_value(name, value, frame)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            _run_check(name, None if value is _MISSING else value, params, x, y)
        passed = True
    except AssertionError as err:
        print(f"{_why(err, value, name)} the cells below use the reference value of {name} "
              f"({label(TASKS[name].eq)}).")
        passed = False
    _put_back(name, frame)
    inplace.restore(name, None if value is _MISSING else value, params, x, y)
    return value if passed else reference(name, params, x, y)


def _use_function(name, params, x, y, value, frame):
    """:func:`use` for a function exercise: the check calls the function, which may raise
    anything; what the exercise cell rebound is put back."""
    check, ref = FUNCTIONS[name]
    value = _student_value(name, value, frame)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            check(None if value is _MISSING else value, params, x, y)
        passed = True
    except Exception as err:                        # noqa: BLE001  (the student's function)
        print(f"{_why(err, value, name)} the cells below use the reference {name} "
              f"({label(TASKS[TASK_OF_NAME[name]].eq)}).")
        passed = False
    _put_back(name, frame)
    return value if passed else ref


def use_step(params, grads, lr, *, value=_MISSING):
    """:func:`use` for 08's gradient-descent step: your ``new_params`` if they pass
    :func:`check_gd_step`, else the reference step (a new dict), with one line saying so::

        new_params = exercises.use_step(params, grads, lr)
    """
    if not isinstance(params, dict) or not isinstance(grads, dict):
        raise TypeError("use_step() takes (params, grads, lr) and reads your new_params itself: "
                        "new_params = exercises.use_step(params, grads, lr)")
    frame = sys._getframe(1)
    new_params = _student_value("new_params", value, frame)
    new_params = None if new_params is _MISSING else new_params
    _put_back("new_params", frame)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            check_gd_step(new_params, params, grads, lr)
    except AssertionError as err:
        print(f"{_why(err, new_params, 'new_params')} the cells below use the reference "
              f"gradient-descent step.")
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


_HINTS_GIVEN = {}


def _seen_names():
    """The exercises by the names the notebooks show: 07's central_difference, not its task's
    key "numerical"; 08's new_params, not "step"."""
    return [next((n for n, t in TASK_OF_NAME.items() if t == k), k) for k in TASKS]


def hint(name):
    """Print the next hint for exercise ``name``: first the shapes of the factors and which
    product is elementwise, then the next step; never the formula (:func:`show_answer`)."""
    task = TASKS.get(TASK_OF_NAME.get(name, name)) if isinstance(name, str) else None
    if task is None:                 # this notebook's tasks (the names given to start), or all
        names = ", ".join(f'"{n}"' for n in (_runs.EXERCISES or _seen_names()))
        raise ValueError(f"exercises.hint takes the name of an exercise: one of {names}; "
                         f"got {name!r}")
    k = _HINTS_GIVEN[name] = min(_HINTS_GIVEN.get(name, 0) + 1, len(task.hints))
    print(f"Hint {k} of {len(task.hints)} for {name}: {task.hints[k - 1]}")
    if k == len(task.hints):            # the name the student asked with (central_difference)
        print(f'That is the last hint; exercises.show_answer("{name}") prints the answer.'
              if task.formula else "That is the last hint: the check tells you when you have it.")


def show_answer(name):
    """Print the answer of exercise ``name`` (its formula and its NumPy line); for an exercise
    beyond the paper (notebook 11), which has none, say so."""
    key = TASK_OF_NAME.get(name, name) if isinstance(name, str) else name
    if key not in TASKS:
        raise ValueError(f"name must be one of {', '.join(_seen_names())}; got {name!r}")
    t = TASKS[key]
    if not t.formula:
        print(f"{name}, {t.eq}: a derivation beyond the paper, graded by finite differences of "
              f"its loss; the package ships no formula for it. Your answer is right when its "
              f"check passes.")
        return
    print(f"{name}, {'eq. ' if t.eq.startswith('(') else ''}{t.eq}: {t.formula}\n"
          f"  in NumPy: {t.code}")
