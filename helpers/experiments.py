"""Notebook 09's experiments as plain functions, which :mod:`helpers.widgets` wires to controls."""

import math
from dataclasses import dataclass, field, fields
from typing import NamedTuple

import numpy as np

from ._checks import PARAM_NAMES, check_dims, check_number, check_problem
from .data import random_data, teacher_data
from .gradcheck import EPS, kink_watching_loss, numerical_gradient, roundoff
from .network import _backward, init_params
from .printing import fmt
from .training import TrainingDiverged, train

DATASETS = ("random", "teacher")
TEACHER_WIDTHS = (100, 100)     # fixed: changing the student's widths does not change its data


@dataclass(frozen=True)
class Config:
    """An experiment (default: notebook 08's first run); seed s seeds data, s + 1 the weights."""
    lr: float = 1e-4
    d1: int = 100
    d2: int = 100
    steps: int = 300
    seed: int = 0
    dataset: str = "random"
    n: int = 64
    d_in: int = 1000
    d_out: int = 10

    def __post_init__(self):
        check_number(self.lr, "lr", positive=True)
        check_dims(d1=self.d1, d2=self.d2, steps=self.steps, n=self.n, d_in=self.d_in,
                   d_out=self.d_out)
        check_dims(seed=self.seed, minimum=0)
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {DATASETS}; got {self.dataset!r}")


def _as_config(config):
    if config is None or isinstance(config, Config):
        return Config() if config is None else config
    if isinstance(config, dict):
        known = {f.name for f in fields(Config)}
        unknown = sorted(str(k) for k in config if k not in known)
        if unknown:
            raise ValueError(f"unknown config keys {unknown}; choose from {sorted(known)}")
        return Config(**config)
    raise TypeError(f"config must be a Config, a dict or None; got {type(config).__name__}")


@dataclass
class Run:
    """A run: ``history`` (the loss before every step, up to the first non-finite one),
    ``initial`` and final ``params``, ``diverged`` (the TrainingDiverged raised, or None)."""
    config: Config
    x: np.ndarray
    y: np.ndarray
    initial: dict
    params: dict
    history: list = field(default_factory=list)
    diverged: TrainingDiverged | None = None

    @property
    def message(self):
        if self.diverged is not None:
            return str(self.diverged)
        return (f"{self.config.steps} steps: L went from {fmt(self.history[0], 3)} to "
                f"{fmt(self.history[-1], 3)}.")


def make_problem(config=None):
    """``(params, x, y)`` for a config: its data set and initial (He-scaled) parameters."""
    c = _as_config(config)
    if c.dataset == "random":
        x, y = random_data(c.n, c.d_in, c.d_out, rng=c.seed)
    else:
        x, y, _ = teacher_data(c.n, c.d_in, *TEACHER_WIDTHS, c.d_out, rng=c.seed)
    return init_params(c.d_in, c.d1, c.d2, c.d_out, rng=c.seed + 1), x, y


def run_experiment(config=None, *, callback=None):
    """Train a config: a :class:`Run`, divergence recorded on it, not raised."""
    c = _as_config(config)
    params, x, y = make_problem(c)
    run = Run(c, x, y, initial={k: v.copy() for k, v in params.items()}, params=params)
    try:
        run.history = train(params, x, y, lr=c.lr, steps=c.steps, callback=callback)
    except TrainingDiverged as err:
        run.history, run.diverged = err.history, err
    return run


def run_training(config=None):
    """The loss history of a config (one loss per step); raises ``TrainingDiverged``."""
    c = _as_config(config)
    return train(*make_problem(c), lr=c.lr, steps=c.steps)


class GradientEntry(NamedTuple):
    """A gradient entry, analytic (81)–(86) and central difference; did the ±h step cross a kink?"""
    analytic: float
    numerical: float
    kink: bool


def gradient_entry(params, x, y, name, i, j, *, h=1e-5):
    """∂L/∂name[i, j] as a :class:`GradientEntry`. Refused: what backward refuses, a name or an
    index out of range, an h that is not positive. ``params`` is left unchanged."""
    _, x, y = check_problem(params, x, y, needs_y="gradient_entry")
    if name not in PARAM_NAMES:
        raise ValueError(f"name must be one of {', '.join(PARAM_NAMES)}; got {name!r}")
    for label, index, size in zip(("row i", "column j"), (i, j), params[name].shape, strict=True):
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not (
                0 <= index < size):
            raise ValueError(f"{label} must be an integer from 0 to {size - 1} for {name} "
                             f"{params[name].shape}; got {index!r}")
    check_number(h, "h", positive=True)
    base, loss_at_current_params, crossed = kink_watching_loss(params, x, y)
    analytic = float(_backward(params, x, y, base)[name][i, j])
    cell = params[name][i:i + 1, j:j + 1]     # a view: numerical_gradient perturbs it in place
    numerical = float(numerical_gradient(loss_at_current_params, cell, h=h)[0, 0])
    return GradientEntry(analytic, numerical, any(crossed))


def entry_summary(params, x, y, name, i, j, *, h=1e-5):
    """``(entry, lines)``: :func:`gradient_entry` and a verdict, "agree" within 10⁻⁶ of their
    size or the entry's :func:`~helpers.gradcheck.roundoff` (at the parameters' eps)."""
    entry = gradient_entry(params, x, y, name, i, j, h=h)
    _, x, y = check_problem(params, x, y)
    a, num = entry.analytic, entry.numerical
    eps_ratio = float(np.finfo(params[name].dtype).eps) / EPS
    roundoff_entry = eps_ratio * float(roundoff(params, x, y, h=h)[name][i, j])
    diff, scale = abs(a - num), abs(a) + abs(num)
    rel = diff / scale if scale > 0 else 0.0
    verdict = ("kink: the ±ε step moves a pre-activation across 0 (a mask A (33) or B (64) "
               "changes), so the difference quotient need not match; try a smaller step ε"
               if entry.kink else "they agree (no kink crossed)"
               if diff <= max(1e-6 * scale, roundoff_entry)
               else "they DISAGREE although no kink was crossed")
    return entry, [f"∂L/∂{name}[{i}, {j}]",
                   f"analytic, eqs. (81)–(86):  {fmt(a)}",
                   f"central difference, ε = {fmt(h, 2)}:  {fmt(num)}",
                   f"relative error:  {fmt(rel, 2)}   "
                   f"(round-off floor ≈ {fmt(roundoff_entry, 2)} absolute)",
                   verdict]


def plot_run(run, *, ax=None):
    """The loss curve of a :class:`Run`, log axis, all planned steps, a divergence in the title;
    y stops at 1e250 (near 1e308 matplotlib's margins and ticks overflow). Returns the axes."""
    from .plotting import new_axes

    c, history = run.config, np.asarray(run.history, dtype=float)
    ax = ax if ax is not None else new_axes()
    ax.plot(np.arange(history.size), history)
    positive = history[np.isfinite(history) & (history > 0)]
    if positive.size:
        lo, hi = math.log10(positive.min()), math.log10(positive.max())
        ax.set_ylim(10 ** (lo - 0.5), 10 ** min(hi + 0.5, 250.0))   # also stops autoscaling
    ax.set(yscale="log", xlim=(0, max(c.steps - 1, 1)), xlabel="step",
           ylabel="L (sum of squares)")
    ax.grid(True, which="major", alpha=0.3)
    stop = "" if run.diverged is None else f"DIVERGED at step {run.diverged.step}: "
    ax.set_title(f"{stop}{c.dataset} data, lr = {fmt(c.lr, 2)}, d1 = {c.d1}, d2 = {c.d2}, "
                 f"seed = {c.seed}", fontsize=10)
    return ax
