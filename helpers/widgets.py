"""Interactive explorer for notebook 09 (ipywidgets), and the pure functions behind it.

The widgets only display what plain functions compute, so everything can be tested and shown
without a kernel:

``Config``          the settings: learning rate, widths d1 and d2, steps, seed, data set
``make_problem``    data and initial parameters for a config (seeded, reproducible)
``run_experiment``  train a config; returns a :class:`Run` (history, parameters, divergence)
``run_training``    the same, returning only the loss history (raises ``TrainingDiverged``)
``gradient_entry``  analytic vs central-difference value of one weight's gradient, kink flag
``entry_summary``   that comparison as the lines of text the explorer shows
``plot_run``        the loss curve of a run (log scale), on matplotlib axes
``explorer``        the ipywidgets box wiring it all together

ipywidgets and matplotlib are imported inside the functions that need them, so ``import helpers``
and ``import helpers.widgets`` stay light and work where ipywidgets is not installed.
"""

import html
import math
from dataclasses import dataclass, field, fields, replace
from typing import NamedTuple

import numpy as np

from ._checks import PARAM_NAMES, check_dims, check_problem
from .data import random_data, teacher_data
from .gradcheck import EPS, kink_watching_loss, numerical_gradient, roundoff
from .network import _backward, init_params
from .printing import fmt
from .training import TrainingDiverged, _check_lr, train

__all__ = ["Config", "Run", "GradientEntry", "DATASETS", "TEACHER_WIDTHS", "make_problem",
           "run_experiment", "run_training", "gradient_entry", "entry_summary", "plot_run",
           "explorer"]

DATASETS = ("random", "teacher")
TEACHER_WIDTHS = (100, 100)     # the teacher's d1, d2: fixed, so changing the student's widths
                                # does not change the data it learns

# Ranges of the explorer's sliders (a Config may go beyond them; the sliders cannot).
LR_EXPONENTS = (-6.0, -1.0)
WIDTH_RANGE = (1, 200)
STEPS_RANGE = (10, 1000)


@dataclass(frozen=True)
class Config:
    """One experiment of the explorer. The defaults are notebook 08's first run: the seed's
    sizes (n = 64, d_in = 1000, d1 = d2 = 100, d_out = 10) on random data with lr = 1e-4.

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
    the ±h step crossed a ReLU kink (then the two need not agree)."""
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
    difference (L(p + h) − L(p − h)) / 2h (:func:`helpers.gradcheck.numerical_gradient`).

    ``kink`` is True when the ±h step changes a ReLU mask, A (33) or B (64): the loss then has a
    kink between p − h and p + h, and the difference quotient is not expected to match.
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
    round-off of the central difference, :func:`helpers.gradcheck.roundoff` for this entry (with
    the eps of the parameters' dtype), which stays above zero at an exact fit (L ≈ 0).
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
        verdict = ("kink: the ±h step moves a pre-activation across 0 (a mask A (33) or B (64) "
                   "changes), so the difference quotient need not match; try a smaller h")
    elif diff <= max(1e-6 * scale, roundoff_entry):
        verdict = "they agree (no kink crossed)"
    else:
        verdict = "they DISAGREE although no kink was crossed"
    lines = [f"∂L/∂{name}[{i}, {j}]",
             f"analytic, eqs. (81)–(86):  {fmt(a)}",
             f"central difference, h = {fmt(h, 2)}:  {fmt(num)}",
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


def _png(draw):
    """Render ``draw(ax)`` on a figure of the project's size to PNG bytes, outside pyplot (so
    no figure is left open or shown twice in a notebook)."""
    import io

    from matplotlib.figure import Figure

    from .plotting import DPI, FIGSIZE

    fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    draw(fig.add_subplot())
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _html_lines(lines, color=None):
    style = f' style="color:{color}"' if color else ""
    return f"<div{style}>" + "<br>".join(html.escape(s) for s in lines) + "</div>"


def explorer(config=None, *, live=True):
    """The interactive explorer: returns an ``ipywidgets.VBox`` to display.

    Controls: learning rate (log slider), widths d1 and d2, steps, seed, data set (random or
    teacher). Any change retrains and redraws the loss curve (``live``: also at each quarter of
    the run while it trains). Below, an element picker (parameter, row, column, h; at the start or
    the end of training) compares that entry's analytic gradient with its central difference.
    A diverging run shows the ``TrainingDiverged`` message, not a traceback.

    For tests and curious readers the box has ``.controls`` (name → widget), ``.outputs`` (the
    widgets that display) and ``.state`` (``run``: the latest :class:`Run`, ``entry``: the
    latest :class:`GradientEntry` or None, ``entry_lines``: the text shown).
    """
    import types

    import ipywidgets as W

    c = _as_config(config)
    style = {"description_width": "70px"}
    wide = W.Layout(width="320px")
    controls = {
        "lr": W.FloatLogSlider(value=c.lr, base=10, min=LR_EXPONENTS[0], max=LR_EXPONENTS[1],
                               step=0.25, description="lr", readout_format=".1e",
                               continuous_update=False, style=style, layout=wide),
        "steps": W.IntSlider(value=c.steps, min=STEPS_RANGE[0], max=STEPS_RANGE[1], step=10,
                             description="steps", continuous_update=False, style=style,
                             layout=wide),
        "seed": W.BoundedIntText(value=c.seed, min=0, max=10**6, description="seed",
                                 style=style, layout=wide),
        "d1": W.IntSlider(value=c.d1, min=WIDTH_RANGE[0], max=WIDTH_RANGE[1], description="d1",
                          continuous_update=False, style=style, layout=wide),
        "d2": W.IntSlider(value=c.d2, min=WIDTH_RANGE[0], max=WIDTH_RANGE[1], description="d2",
                          continuous_update=False, style=style, layout=wide),
        "dataset": W.ToggleButtons(options=list(DATASETS), value=c.dataset,
                                   description="data", style=style),
        "name": W.Dropdown(options=list(PARAM_NAMES), value="w3", description="parameter",
                           style=style, layout=W.Layout(width="180px")),
        "row": W.BoundedIntText(value=0, min=0, max=0, description="row i", style=style,
                                layout=W.Layout(width="150px")),
        "col": W.BoundedIntText(value=0, min=0, max=0, description="column j", style=style,
                                layout=W.Layout(width="150px")),
        "h": W.FloatLogSlider(value=1e-5, base=10, min=-8, max=0, step=0.5, description="h",
                              readout_format=".0e", continuous_update=False, style=style,
                              layout=wide),
        "at": W.ToggleButtons(options=[("start of training", "start"),
                                       ("end of training", "end")],
                              value="start", description="at", style=style),
    }
    outputs = {"curve": W.Image(format="png", layout=W.Layout(width="600px")),
               "status": W.HTML(), "entry": W.HTML()}
    state = types.SimpleNamespace(run=None, entry=None, entry_lines=[], quiet=False)

    def config_from_controls():
        return replace(c, lr=float(controls["lr"].value), d1=int(controls["d1"].value),
                       d2=int(controls["d2"].value), steps=int(controls["steps"].value),
                       seed=int(controls["seed"].value), dataset=controls["dataset"].value)

    def show_entry(_change=None):
        if state.quiet or state.run is None:
            return
        run, at = state.run, controls["at"].value
        if at == "end" and run.diverged is not None:
            state.entry = None
            state.entry_lines = ["Training diverged, so there is no finite end point to check: "
                                 "choose 'start of training' or a smaller lr."]
            outputs["entry"].value = _html_lines(state.entry_lines, "#b00")
            return
        params = run.initial if at == "start" else run.params
        name = controls["name"].value
        with np.errstate(over="ignore", invalid="ignore"):   # near-diverged end points
            entry, lines = entry_summary(params, run.x, run.y, name, int(controls["row"].value),
                                         int(controls["col"].value),
                                         h=float(controls["h"].value))
        state.entry = entry
        state.entry_lines = [lines[0] + f" at the {at} of training"] + lines[1:]
        outputs["entry"].value = _html_lines(state.entry_lines,
                                             "#b00" if "DISAGREE" in lines[-1] else None)

    def set_bounds(_change=None):
        if state.run is None:
            return
        rows, cols = state.run.initial[controls["name"].value].shape
        state.quiet = True                       # one recomputation, not one per bound
        try:
            for key, size in (("row", rows), ("col", cols)):
                w = controls[key]
                w.value = min(w.value, size - 1)
                w.max = size - 1
        finally:
            state.quiet = False
        show_entry()

    def retrain(_change=None, *, live=live):
        cfg = config_from_controls()
        outputs["status"].value = _html_lines([f"training {cfg.steps} steps…"])
        partial = []
        every = max(1, cfg.steps // 4)

        def draw_partial(step, value):
            partial.append(value)
            if (step + 1) % every == 0 and step + 1 < cfg.steps:
                sketch = Run(cfg, None, None, {}, {}, history=list(partial))
                outputs["curve"].value = _png(lambda ax: plot_run(sketch, ax=ax))

        run = run_experiment(cfg, callback=draw_partial if live else None)
        state.run = run
        outputs["curve"].value = _png(lambda ax: plot_run(run, ax=ax))
        outputs["status"].value = _html_lines([run.message],
                                              "#b00" if run.diverged is not None else None)
        set_bounds()

    for key in ("lr", "steps", "seed", "d1", "d2", "dataset"):
        controls[key].observe(retrain, names="value")
    controls["name"].observe(set_bounds, names="value")
    for key in ("row", "col", "h", "at"):
        controls[key].observe(show_entry, names="value")

    retrain(live=False)                          # not displayed yet: nothing to watch
    title = W.HTML("<b>Train the seed's network</b> (loss (6) on a log scale; changes retrain)")
    picker_title = W.HTML("<b>One gradient entry</b>: analytic (81)–(86) vs central difference")
    box = W.VBox([
        title,
        W.HBox([W.VBox([controls["lr"], controls["steps"], controls["seed"]]),
                W.VBox([controls["d1"], controls["d2"], controls["dataset"]])]),
        outputs["curve"], outputs["status"],
        picker_title,
        W.HBox([controls["name"], controls["row"], controls["col"]]),
        W.HBox([controls["h"], controls["at"]]),
        outputs["entry"],
    ])
    box.controls, box.outputs, box.state = controls, outputs, state
    return box
