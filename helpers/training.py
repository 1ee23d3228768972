"""Gradient descent on the paper's loss (6) with the gradients (81)–(86).

:func:`train` updates ``params`` **in place** and returns the loss history (one float per step,
the loss *before* that step's update). Whatever ends a run early, nothing computed is lost and
the parameters are never left half-updated:

* the loss or the update stops being finite: :class:`TrainingDiverged`, with ``.history``; the
  update that would have written NaN or inf into the parameters is not made;
* anything else (an exception in the callback, ``KeyboardInterrupt``, ...): that same exception,
  with ``.history`` (the losses of the steps whose update was made) and ``.step`` attached.

Either way the parameters are those after the last completed update (a step boundary): an update
is all or nothing, for :func:`gd_step` as for every step of :func:`train`.
"""

import math

import numpy as np

from ._checks import PARAM_NAMES, check_params, check_plain, check_problem
from .network import _backward, _forward, _loss

__all__ = ["TrainingDiverged", "gd_step", "train"]

class TrainingDiverged(ArithmeticError):
    """The loss or an update became NaN or inf. ``.history`` holds every loss up to that step
    (the last one is that step's loss; its update was not made), ``.step`` the step, ``.lr`` the
    learning rate."""

    def __init__(self, step, lr, history, *, reason=None):
        self.step, self.lr, self.history = step, lr, history
        what = reason or f"the loss became {history[-1]}"
        super().__init__(
            f"training diverged at step {step}: {what} with learning rate "
            f"lr = {lr:g}. Try a smaller one, e.g. lr = {lr / 10:g}. Remember that L (6) is a sum "
            f"over n·d_out terms, so its gradients grow with the batch size and a usable lr "
            f"shrinks with it. The losses so far are on .history.")


def _check_lr(lr):
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)):
        raise TypeError(f"lr must be a number; got {type(lr).__name__}")
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive finite number; got {lr!r}")


def _check_writable(params):
    """Every parameter must be writable: checked before anything changes."""
    for name in PARAM_NAMES:
        if not params[name].flags.writeable:
            raise ValueError(f"params['{name}'] is read-only, so it cannot be updated in place; "
                             f"pass a writable copy, e.g. params['{name}'].copy()")


def gd_step(params, grads, lr):
    """One gradient-descent update, in place: p ← p − lr·∂L/∂p for every parameter.

    ``grads`` is left unchanged. All or nothing: everything is checked before any parameter
    changes (the keys, shapes and real dtype of ``grads``, finite gradients, every parameter
    writable), and the new values are computed first: if one of them would be NaN or inf (an
    overflow), ``ValueError`` is raised and ``params`` keep their values.
    """
    check_params(params)
    _check_lr(lr)
    if not isinstance(grads, dict):
        raise TypeError(f"grads must be a dict with keys {', '.join(PARAM_NAMES)} (as backward "
                        f"returns); got {type(grads).__name__}")
    checked = {}
    for name in PARAM_NAMES:
        if name not in grads:
            raise ValueError(f"grads has no '{name}'; it needs every key of params")
        check_plain(grads[name], f"grads['{name}']")
        g = np.asarray(grads[name])
        if g.dtype == bool or g.dtype.kind not in "iuf":
            raise TypeError(f"grads['{name}'] must hold real numbers; got dtype {g.dtype}")
        if g.shape != params[name].shape:
            hint = (" (the paper's n×d form (82), (84), (86)? The bias gradient is its column "
                    "sum, backward's default bias_form='sum')"
                    if name[0] == "b" and g.ndim == 2 and g.shape[1:] == params[name].shape[1:]
                    else "")
            raise ValueError(f"grads['{name}'] has shape {g.shape}, expected {params[name].shape} "
                             f"(the shape of params['{name}']){hint}")
        if not np.isfinite(g).all():
            raise ValueError(f"grads['{name}'] contains NaN or inf; the update would make "
                             f"params['{name}'] NaN or inf (did the loss diverge?)")
        checked[name] = g
    _check_writable(params)
    new = {}
    with np.errstate(over="ignore", invalid="ignore"):
        for name, g in checked.items():
            new[name] = (params[name] - lr * g).astype(params[name].dtype)
            if not np.isfinite(new[name]).all():
                raise ValueError(f"the update overflows: params['{name}'] − lr·grads['{name}'] "
                                 f"is not finite with lr = {lr:g}; try a smaller lr")
    _write(params, new, [], None)


def train(params, x, y, *, lr, steps, callback=None):
    """Full-batch gradient descent for ``steps`` steps; updates ``params`` in place.

    Each step: forward (1)–(5), loss (6), backward (81)–(86), then p ← p − lr·∂L/∂p.
    Returns the list of the ``steps`` losses, each measured before its step's update.
    ``callback(step, loss)``, if given, is called after every step's update (e.g. to draw a live
    curve).

    Early stops (see the module docstring): :class:`TrainingDiverged` (an ``ArithmeticError``)
    if the loss becomes NaN or inf or an update would make a parameter NaN or inf (that update
    is not made); any other exception (from ``callback``, ``KeyboardInterrupt``, ...) propagates
    with ``.history`` and ``.step`` attached. In every case ``params`` hold the values after the
    last completed update, and ``.history`` the losses of the completed steps (plus, for
    :class:`TrainingDiverged`, the loss of the step that diverged).

    Refused before the first step: what :func:`helpers.network.backward` refuses in params, x
    and y (``y=None`` included), a read-only parameter, an lr that is not a positive finite
    number, steps that is not a non-negative integer, a callback that is not callable.
    """
    if y is None:
        raise TypeError("y is None: train needs the targets y (n × d_out) to form "
                        "2(y_pred − y), eq. (82)")
    _, x, y = check_problem(params, x, y)
    _check_lr(lr)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise TypeError(f"steps must be an integer; got {type(steps).__name__}")
    if steps < 0:
        raise ValueError(f"steps must be a non-negative integer; got {steps!r}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable(step, loss) or None; got "
                        f"{type(callback).__name__}")
    _check_writable(params)
    history, step = [], 0
    try:
        # Overflow is expected when lr is too large; it is caught below as TrainingDiverged.
        with np.errstate(over="ignore", invalid="ignore"):
            for step in range(steps):
                y_pred, cache = _forward(params, x)
                value = _loss(y_pred, y)
                if not math.isfinite(value):
                    raise TrainingDiverged(step, lr, [*history, value])
                grads = _backward(params, x, y, cache)
                if not _update(params, grads, lr, history, value):
                    raise TrainingDiverged(step, lr, [*history, value],
                                           reason="the update would make the parameters NaN "
                                                  "or inf")
                if callback is not None:
                    callback(step, value)
    except TrainingDiverged:
        raise
    except BaseException as err:
        _attach(err, history, step)
        raise
    return history


def _update(params, grads, lr, history, value):
    """p ← p − lr·g for all six parameters and append ``value`` to ``history``, all or nothing.

    The new values are computed in the gradients' own arrays and checked before any parameter
    is written; returns False, changing nothing, if one is not finite.
    """
    for name in PARAM_NAMES:
        g = grads[name]
        g *= -lr
        g += params[name]
    if not math.isfinite(sum(float(grads[name].sum()) for name in PARAM_NAMES)):
        return False
    _write(params, grads, history, value)
    return True


def _write(params, new, history, value):
    """Copy the new values into ``params`` and record ``value``: a whole step or, if Ctrl-C
    (KeyboardInterrupt) lands between two copies, still the whole step, then the interrupt.

    Copying is idempotent, so the handler simply copies all six again.
    """
    n = len(history)
    try:
        for name in PARAM_NAMES:
            np.copyto(params[name], new[name])
        history.append(value)
    except BaseException:
        for name in PARAM_NAMES:
            np.copyto(params[name], new[name])
        del history[n:]
        history.append(value)
        raise


def _attach(err, history, step):
    """Give the exception that ends a run the losses so far, and say so in its notes."""
    try:
        err.history, err.step = history, step
    except AttributeError:                               # an exception type without a __dict__
        return
    if hasattr(err, "add_note"):
        err.add_note(f"helpers.train stopped at step {step}: params hold the values after "
                     f"{len(history)} completed updates; the losses so far are on .history")
