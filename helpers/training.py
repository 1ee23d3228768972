"""Gradient descent on the seed's loss (6) with the gradients (81)–(86).

:func:`train` updates ``params`` **in place** and returns the loss history (one float per step,
the loss *before* that step's update). If the loss stops being finite, it raises
:class:`TrainingDiverged` with the history so far, so nothing computed is lost.
"""

import math

import numpy as np

from ._checks import PARAM_NAMES, check_matrix, check_params
from .network import _backward, _forward, _loss

__all__ = ["TrainingDiverged", "sgd_step", "train"]


class TrainingDiverged(ArithmeticError):
    """The loss became NaN or inf. ``.history`` holds every loss up to that step, ``.step`` the
    step, ``.lr`` the learning rate."""

    def __init__(self, step, lr, history):
        self.step, self.lr, self.history = step, lr, history
        super().__init__(
            f"training diverged at step {step}: the loss became {history[-1]} with learning rate "
            f"lr = {lr:g}. Try a smaller one, e.g. lr = {lr / 10:g}. Remember that L (6) is a sum "
            f"over n·d_out terms, so its gradients grow with the batch size and a usable lr "
            f"shrinks with it. The losses so far are on .history.")


def _check_lr(lr):
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating)) or not (
            math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive finite number; got {lr!r}")


def sgd_step(params, grads, lr):
    """One gradient-descent update, in place: p ← p − lr·∂L/∂p for every parameter.

    ``grads`` is left unchanged. Shapes must match those of ``params``.
    """
    check_params(params)
    _check_lr(lr)
    for name in PARAM_NAMES:
        g = grads.get(name) if isinstance(grads, dict) else None
        if g is None or np.shape(g) != params[name].shape:
            raise ValueError(f"grads['{name}'] must have the shape of params['{name}'] "
                             f"{params[name].shape}; got {None if g is None else np.shape(g)}")
        params[name] -= lr * g


def train(params, x, y, *, lr, steps, callback=None):
    """Full-batch gradient descent for ``steps`` steps; updates ``params`` in place.

    Each step: forward (1)–(5), loss (6), backward (81)–(86), then p ← p − lr·∂L/∂p.
    Returns the list of the ``steps`` losses, each measured before its step's update.
    ``callback(step, loss)``, if given, is called after every step (e.g. to draw a live curve).

    The loop allocates no arrays per step: forward and backward write into the same buffers
    every time (see :func:`helpers.network.forward`), and the update scales the gradient
    buffers in place.

    Raises :class:`TrainingDiverged` (an ``ArithmeticError``) if the loss becomes NaN or inf;
    the parameters are then left at their last (non-finite-producing) values.
    """
    dtype, (d_in, _, _, d_out) = check_params(params)
    x = check_matrix(x, "x", dtype=dtype, columns=d_in, column_name="d_in")
    y = check_matrix(y, "y", dtype=dtype, columns=d_out, column_name="d_out", rows=x.shape[0])
    _check_lr(lr)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer; got {steps!r}")
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
    return history
