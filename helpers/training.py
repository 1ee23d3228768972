"""Gradient descent on (6) with (81)–(86); every update is all or nothing, whatever ends a run."""

import math

import numpy as np

from . import _checks as check
from ._checks import PARAM_NAMES
from .network import _backward, _forward, _loss


class TrainingDiverged(ArithmeticError):
    """The loss or an update became NaN or inf: ``.history`` (the last loss is that step's, its
    update not made), ``.step``, ``.lr``."""

    def __init__(self, step, lr, history, *, update=False):
        self.step, self.lr, self.history = step, lr, history
        what = ("the update would make the parameters NaN or inf" if update
                else f"the loss became {history[-1]}")
        super().__init__(
            f"training diverged at step {step}: {what} with learning rate "
            f"lr = {lr:g}. Try a smaller one, e.g. lr = {lr / 10:g}. Remember that L (6) is a sum "
            f"over n·d_out terms, so its gradients grow with the batch size and a usable lr "
            f"shrinks with it. The losses so far are on .history.")


def _check_writable(params):
    """Every parameter must be writable: checked before anything changes."""
    for name in PARAM_NAMES:
        if not params[name].flags.writeable:
            raise ValueError(f"params['{name}'] is read-only, so it cannot be updated in place; "
                             f"pass a writable copy, e.g. params['{name}'].copy()")


def gd_step(params, grads, lr):
    """p ← p − lr·∂L/∂p for every parameter, in place, all or nothing; grads left unchanged.
    Refused before any change: grads without params' keys and shapes, not real or not finite, a
    read-only parameter, an lr not positive and finite, an update that overflows."""
    check.check_params(params)
    check.check_number(lr, "lr", positive=True)
    new = check.check_grads(grads, params)
    for name, g in new.items():
        check.check_finite(g, f"grads['{name}']")
        new[name] = g.astype(params[name].dtype)          # a copy: grads stay unchanged
    _check_writable(params)
    with np.errstate(over="ignore", invalid="ignore"):
        bad = _update(params, new, lr, [], None)
    if bad:
        raise ValueError(f"the update overflows: params['{bad}'] − lr·grads['{bad}'] is not "
                         f"finite with lr = {lr:g}; try a smaller lr")


def train(params, x, y, *, lr, steps, callback=None):
    """Full-batch gradient descent, in place: each step (1)–(6), (81)–(86), p ← p − lr·∂L/∂p,
    then ``callback(step, loss)``. Returns the losses, each before its update.
    :class:`TrainingDiverged` if a loss or update is NaN or inf (not made); any other exception
    propagates with ``.history`` and ``.step``. Refused before the first step: what backward
    refuses in params, x, y (None too), a read-only parameter, an lr not positive and finite,
    steps not an integer ≥ 0, a callback not callable."""
    _, x, y = check.check_problem(params, x, y, needs_y="train")
    check.check_number(lr, "lr", positive=True)
    check.check_dims(steps=steps, minimum=0)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable(step, loss) or None; got "
                        f"{type(callback).__name__}")
    _check_writable(params)
    history, step = [], 0
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            for step in range(steps):
                y_pred, cache = _forward(params, x)
                value = _loss(y_pred, y)
                if not math.isfinite(value):
                    raise TrainingDiverged(step, lr, [*history, value])
                if _update(params, _backward(params, x, y, cache), lr, history, value):
                    raise TrainingDiverged(step, lr, [*history, value], update=True)
                if callback is not None:
                    callback(step, value)
    except TrainingDiverged:
        raise
    except BaseException as err:
        _attach(err, history, step)
        raise
    return history


def _update(params, grads, lr, history, value):
    """p ← p − lr·g, computed in g, then written to params and ``value`` to history; if a new
    value is not finite, nothing changes and its parameter's name is returned."""
    for name in PARAM_NAMES:
        grads[name] *= -lr
        grads[name] += params[name]
    bad = next((k for k in PARAM_NAMES if not np.isfinite(np.vdot(grads[k], grads[k]))  # fast
                and not np.isfinite(grads[k]).all()), None)           # no overflow of squares
    if bad is None:
        _write(params, grads, history, value)
    return bad


def _write(params, new, history, value):
    """Copy ``new`` into params, record ``value``; on Ctrl-C midway, copy all again, re-raise."""
    try:
        for name in PARAM_NAMES:
            np.copyto(params[name], new[name])
    except BaseException:
        for name in PARAM_NAMES:
            np.copyto(params[name], new[name])
        raise
    finally:
        history.append(value)


def _attach(err, history, step):
    """Give the exception that ends a run the losses so far, and say so in its notes."""
    try:
        err.history, err.step = history, step
    except AttributeError:                               # an exception type without a __dict__
        return
    err.add_note(f"helpers.train stopped at step {step}: params hold the values after "
                 f"{len(history)} completed updates; the losses so far are on .history")
