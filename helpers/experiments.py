"""The experiments behind notebook 09's explorer, as plain functions (no ipywidgets):

``Config``          the settings: learning rate, widths d1 and d2, steps, seed, data set
``make_problem``    data and initial parameters for a config (seeded, reproducible)
``run_experiment``  train a config; returns a :class:`Run` (history, parameters, divergence)
``run_training``    the same, returning only the loss history (raises ``TrainingDiverged``)
``gradient_entry``  analytic vs central-difference value of one weight's gradient, kink flag
``entry_summary``   that comparison as the lines of text the explorer shows
``plot_run``        the loss curve of a run (log scale), on matplotlib axes

:mod:`helpers.widgets` wires them to controls; everything here can be tested and shown without a
kernel. matplotlib is imported only by ``plot_run``.
"""

import math
from dataclasses import dataclass, field, fields
from typing import NamedTuple

import numpy as np

from ._checks import PARAM_NAMES, check_dims, check_problem
from .data import random_data, teacher_data
from .gradcheck import kink_watching_loss, numerical_gradient
from .network import _backward, init_params
from .printing import fmt
from .roundoff import EPS, roundoff
from .training import TrainingDiverged, _check_lr, train

__all__ = ["Config", "Run", "GradientEntry", "DATASETS", "TEACHER_WIDTHS", "make_problem",
           "run_experiment", "run_training", "gradient_entry", "entry_summary", "plot_run"]

DATASETS = ("random", "teacher")
TEACHER_WIDTHS = (100, 100)     # the teacher's d1, d2: fixed, so changing the student's widths
                                # does not change the data it learns



@dataclass(frozen=True)
class Config:
    """One experiment of the explorer. The defaults are notebook 08's first run: the sizes of
    PyTorch's "Learning PyTorch with Examples" warm-up (n = 64, d_in = 1000, d1 = d2 = 100,
    d_out = 10; the paper names none) on random data with lr = 1e-4.

    ``seed`` s draws the data from ``default_rng(s)`` and the initial weights from
    ``default_rng(s + 1)``, so seed 0 reproduces notebook 08 exactly.
    """
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
        _check_lr(self.lr)
        check_dims(d1=self.d1, d2=self.d2, steps=self.steps, n=self.n, d_in=self.d_in,
                   d_out=self.d_out)
        check_dims(seed=self.seed, minimum=0)
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {DATASETS}; got {self.dataset!r}")


def _as_config(config):
    if config is None:
        return Config()
    if isinstance(config, Config):
        return config
    if isinstance(config, dict):
        known = {f.name for f in fields(Config)}
        unknown = sorted(str(k) for k in config if k not in known)
        if unknown:
            raise ValueError(f"unknown config keys {unknown}; choose from {sorted(known)}")
        return Config(**config)
    raise TypeError(f"config must be a Config, a dict or None; got {type(config).__name__}")


@dataclass
class Run:
    """The outcome of :func:`run_experiment`.

    ``history`` holds the loss (6) before every step (up to and including the first non-finite
    one if training diverged); ``initial`` and ``params`` are the parameters before and after
    training; ``diverged`` is the :class:`~helpers.training.TrainingDiverged` raised, or None.
    """
    config: Config
    x: np.ndarray
    y: np.ndarray
    initial: dict
    params: dict
    history: list = field(default_factory=list)
    diverged: TrainingDiverged | None = None

    @property
    def message(self):
        """One line on how the run went: the final loss, or the divergence message."""
        if self.diverged is not None:
            return str(self.diverged)
        return (f"{self.config.steps} steps: L went from {fmt(self.history[0], 3)} to "
                f"{fmt(self.history[-1], 3)}.")


def make_problem(config=None):
    """``(params, x, y)`` for a config: the data set and the initial (He-scaled) parameters."""
    c = _as_config(config)
    if c.dataset == "random":
        x, y = random_data(c.n, c.d_in, c.d_out, rng=c.seed)
    else:
        x, y, _ = teacher_data(c.n, c.d_in, *TEACHER_WIDTHS, c.d_out, rng=c.seed)
    params = init_params(c.d_in, c.d1, c.d2, c.d_out, rng=c.seed + 1)
    return params, x, y


def run_experiment(config=None, *, callback=None):
    """Train a config with :func:`helpers.training.train`; returns a :class:`Run`.

    Divergence does not raise: it is recorded on ``Run.diverged`` (with the history up to the
    non-finite loss), so a caller can show its message instead of a traceback.
    ``callback(step, loss)`` is passed on to ``train``.
    """
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
    run = run_experiment(config)
    if run.diverged is not None:
        raise run.diverged
    return run.history


class GradientEntry(NamedTuple):
    """One entry of a gradient: the analytic value (81)–(86), the central difference, and whether
    the ±ε step (keyword ``h``) crossed a ReLU kink (then the two need not agree)."""
    analytic: float
    numerical: float
    kink: bool


def _check_entry_args(params, x, y, name, i, j, h):
    _, x, y = check_problem(params, x, y)
    if name not in PARAM_NAMES:
        raise ValueError(f"name must be one of {', '.join(PARAM_NAMES)}; got {name!r}")
    rows, cols = params[name].shape
    for label, index, size in (("row i", i, rows), ("column j", j, cols)):
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not (
                0 <= index < size):
            raise ValueError(f"{label} must be an integer from 0 to {size - 1} for {name} "
                             f"{params[name].shape}; got {index!r}")
    if not (isinstance(h, (int, float, np.integer, np.floating)) and not isinstance(h, bool)
            and math.isfinite(h) and h > 0):
        raise ValueError(f"h must be a positive number; got {h!r}")
    return x, y


def gradient_entry(params, x, y, name, i, j, *, h=1e-5):
    """∂L/∂name[i, j]: analytic (the project's backward, (81)–(86), biases summed) and by central
    difference (L(p + ε) − L(p − ε)) / 2ε (:func:`helpers.gradcheck.numerical_gradient`).

    ``kink`` is True when the ±ε step (``h``) changes a ReLU mask, A (33) or B (64): the loss
    then has a kink between p − ε and p + ε, and the difference quotient is not expected to match.
    ``params`` is left unchanged. Returns a :class:`GradientEntry` ``(analytic, numerical, kink)``.
    """
    x, y = _check_entry_args(params, x, y, name, i, j, h)
    base, loss_at_current_params, crossed = kink_watching_loss(params, x, y)
    analytic = float(_backward(params, x, y, base)[name][i, j])
    cell = params[name][i:i + 1, j:j + 1]     # a view: numerical_gradient perturbs it in place
    numerical = float(numerical_gradient(loss_at_current_params, cell, h=h)[0, 0])
    return GradientEntry(analytic, numerical, any(crossed))


def entry_summary(params, x, y, name, i, j, *, h=1e-5):
    """:func:`gradient_entry` as lines of text, with a verdict.

    The two values agree when their difference is below 10⁻⁶ of their size or below the
    round-off of the central difference with step ε (keyword ``h``),
    :func:`helpers.gradcheck.roundoff` for this entry (with the eps of the parameters' dtype),
    which stays above zero at an exact fit (L ≈ 0).
    Returns ``(entry, lines)``.
    """
    x, y = _check_entry_args(params, x, y, name, i, j, h)
    entry = gradient_entry(params, x, y, name, i, j, h=h)
    a, num = entry.analytic, entry.numerical
    eps_ratio = float(np.finfo(params[name].dtype).eps) / EPS
    roundoff_entry = eps_ratio * float(roundoff(params, x, y, h=h)[name][i, j])
    diff = abs(a - num)
    scale = abs(a) + abs(num)
    rel = diff / scale if scale > 0 else 0.0
    if entry.kink:
        verdict = ("kink: the ±ε step moves a pre-activation across 0 (a mask A (33) or B (64) "
                   "changes), so the difference quotient need not match; try a smaller step ε")
    elif diff <= max(1e-6 * scale, roundoff_entry):
        verdict = "they agree (no kink crossed)"
    else:
        verdict = "they DISAGREE although no kink was crossed"
    lines = [f"∂L/∂{name}[{i}, {j}]",
             f"analytic, eqs. (81)–(86):  {fmt(a)}",
             f"central difference, ε = {fmt(h, 2)}:  {fmt(num)}",
             f"relative error:  {fmt(rel, 2)}   "
             f"(round-off floor ≈ {fmt(roundoff_entry, 2)} absolute)",
             verdict]
    return entry, lines


def plot_run(run, *, ax=None):
    """The loss curve of a :class:`Run` on a log axis (as :func:`helpers.plotting.loss_curve`
    draws it), the x axis spanning all planned steps; a diverged run gets the step in its title.

    The y limits are set from the finite losses, half a decade beyond them, but at most 1e250: a
    diverging run reaches ~1e308, where matplotlib's automatic margins and log ticks would
    overflow, so the last steps of a blow-up run off the top. Returns the axes.
    """
    from .plotting import new_axes

    c = run.config
    history = np.asarray(run.history, dtype=float)
    ax = ax if ax is not None else new_axes()
    ax.plot(np.arange(history.size), history)
    positive = history[np.isfinite(history) & (history > 0)]
    if positive.size:
        lo, hi = math.log10(positive.min()), math.log10(positive.max())
        ax.set_ylim(10 ** (lo - 0.5), 10 ** min(hi + 0.5, 250.0))   # also stops autoscaling
    ax.set_yscale("log")
    ax.set_xlim(0, max(c.steps - 1, 1))
    ax.set_xlabel("step")
    ax.set_ylabel("L (sum of squares)")
    ax.grid(True, which="major", alpha=0.3)
    title = f"{c.dataset} data, lr = {fmt(c.lr, 2)}, d1 = {c.d1}, d2 = {c.d2}, seed = {c.seed}"
    if run.diverged is not None:
        title = f"DIVERGED at step {run.diverged.step}: " + title
    ax.set_title(title, fontsize=10)
    return ax
