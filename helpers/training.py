"""Gradient descent on the seed's loss (6) with the gradients (81)–(86).

:func:`train` updates ``params`` **in place** and returns the loss history (one float per step,
the loss *before* that step's update). If the loss stops being finite, it raises
:class:`TrainingDiverged` with the history so far, so nothing computed is lost.
"""

import math

import numpy as np

from ._checks import PARAM_NAMES, check_params, check_problem
from .network import _backward, _forward, _loss

__all__ = ["TrainingDiverged", "gd_step", "train"]


class TrainingDiverged(ArithmeticError):
    """The loss became NaN or inf. ``.history`` holds every loss up to that step, ``.step`` the
    step, ``.lr`` the learning rate."""

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


def gd_step(params, grads, lr):
    """One gradient-descent update, in place: p ← p − lr·∂L/∂p for every parameter.

    ``grads`` is left unchanged. Shapes must match those of ``params``. Everything is checked
    before anything is updated, so a bad ``grads`` leaves ``params`` as they were.
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
        g = np.asarray(grads[name])
        if g.dtype == bool or g.dtype.kind not in "iuf":
            raise TypeError(f"grads['{name}'] must hold real numbers; got dtype {g.dtype}")
        if g.shape != params[name].shape:
            hint = (" (the seed's n×d form (82), (84), (86)? The bias gradient is its column "
                    "sum, backward's default bias_form='sum')"
                    if name[0] == "b" and g.ndim == 2 and g.shape[1:] == params[name].shape[1:]
                    else "")
            raise ValueError(f"grads['{name}'] has shape {g.shape}, expected {params[name].shape} "
                             f"(the shape of params['{name}']){hint}")
        checked[name] = g
    for name, g in checked.items():
        params[name] -= lr * g


def train(params, x, y, *, lr, steps, callback=None):
    """Full-batch gradient descent for ``steps`` steps; updates ``params`` in place.

    Each step: forward (1)–(5), loss (6), backward (81)–(86), then p ← p − lr·∂L/∂p.
    Returns the list of the ``steps`` losses, each measured before its step's update.
    ``callback(step, loss)``, if given, is called after every step (e.g. to draw a live curve).

    The loop allocates no arrays per step: forward and backward write into the same buffers
    every time (see :func:`helpers.network.forward`), and the update scales the gradient
    buffers in place.

    Raises :class:`TrainingDiverged` (an ``ArithmeticError``) if the loss becomes NaN or inf, or
    the last update makes a parameter NaN or inf; the parameters are then left at their last
    values.
    """
    _, x, y = check_problem(params, x, y)
    _check_lr(lr)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise TypeError(f"steps must be an integer; got {type(steps).__name__}")
    if steps < 0:
        raise ValueError(f"steps must be a non-negative integer; got {steps!r}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable(step, loss) or None; got "
                        f"{type(callback).__name__}")
    history, cache, grads = [], None, None
    # Overflow is expected when lr is too large; it is caught below as TrainingDiverged.
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps):
            y_pred, cache = _forward(params, x, cache)
            value = _loss(y_pred, y)
            history.append(value)
            if not math.isfinite(value):
                raise TrainingDiverged(step, lr, history)
            grads = _backward(params, x, y, cache, grads)
            for name in PARAM_NAMES:
                g = grads[name]
                g *= lr                      # the buffer is ours: scale it in place, no temporary
                params[name] -= g
            if callback is not None:
                callback(step, value)
        if steps and not all(np.isfinite(params[k]).all() for k in PARAM_NAMES):
            # The last update overflowed although every loss so far was finite.
            raise TrainingDiverged(steps - 1, lr, history,
                                   reason="the update made the parameters NaN or inf")
    return history
