"""Interactive explorer for notebook 09 (ipywidgets): ``explorer()`` returns the box to display.

The widgets only display what the plain functions of :mod:`helpers.experiments` compute (they are
re-exported here, as ``widgets.Config``, ``widgets.run_experiment`` and so on), so everything the
explorer shows can be tested and shown without a kernel. ipywidgets and matplotlib are imported
inside ``explorer``, so ``import helpers.widgets`` stays light and works where ipywidgets is not
installed.
"""

import html
from dataclasses import replace

import numpy as np

from ._checks import PARAM_NAMES
from .experiments import (
    DATASETS,
    TEACHER_WIDTHS,
    Config,
    GradientEntry,
    Run,
    _as_config,
    entry_summary,
    gradient_entry,
    make_problem,
    plot_run,
    run_experiment,
    run_training,
)

__all__ = ["Config", "Run", "GradientEntry", "DATASETS", "TEACHER_WIDTHS", "make_problem",
           "run_experiment", "run_training", "gradient_entry", "entry_summary", "plot_run",
           "explorer"]

# Ranges of the explorer's controls (a Config may go beyond them: its lr widens the lr range).
LR_EXPONENTS = (-6.0, -1.0)
WIDTH_RANGE = (1, 200)
STEPS_RANGE = (10, 1000)


def _power_of_ten(exponent):
    """10**exponent to 3 significant digits (10**log10(3e-4) gives back 3e-4 exactly)."""
    return float(f"{10.0 ** float(exponent):.3g}")


def _img(draw, alt):
    """Render ``draw(ax)`` on a figure of the project's size, outside pyplot (so no figure is
    left open or shown twice in a notebook), as an <img> with the text alternative ``alt``."""
    import base64
    import io

    from matplotlib.figure import Figure

    from .plotting import DPI, FIGSIZE

    # twice the dpi of inline figures: the image is shown 600 px wide, sharp on HiDPI screens
    fig = Figure(figsize=FIGSIZE, dpi=2 * DPI, layout="constrained")
    draw(fig.add_subplot())
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return (f'<img src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}" '
            f'width="600" alt="{html.escape(alt)}">')


def _html_lines(lines, color=None):
    style = f' style="color:{color}"' if color else ""
    return f"<div{style}>" + "<br>".join(html.escape(s) for s in lines) + "</div>"


def explorer(config=None, *, live=True):
    """The interactive explorer: returns an ``ipywidgets.VBox`` to display.

    Controls: log10 of the learning rate, widths d1 and d2, steps, seed, data set (random or
    teacher). Any change retrains and redraws the loss curve (``live``: also at each quarter of
    the run while it trains). Below, an element picker (parameter, row, column, log10 h; at the
    start or the end of training) compares that entry's analytic gradient with its central
    difference. A diverging run shows the ``TrainingDiverged`` message, not a traceback.

    For tests and curious readers the box has ``.controls`` (name → widget), ``.outputs`` (the
    widgets that display) and ``.state`` (``run``: the latest :class:`Run`, ``entry``: the
    latest :class:`GradientEntry` or None, ``entry_lines``: the text shown).
    """
    import types

    import ipywidgets as W

    c = _as_config(config)
    style = {"description_width": "70px"}
    wide = W.Layout(width="320px")
    # ToggleButtons: a flex row, or ipywidgets 8 puts the label above the buttons.
    toggles = {**style, "button_width": "118px"}
    toggle_row = W.Layout(width="320px", display="flex", align_items="center")
    # Number fields (labelled; arrows and typing work), not sliders (a handle has no accessible
    # name) nor menus (JupyterLab takes their arrows); lr and ε by log10: a step multiplies.
    lr_exp = float(np.log10(c.lr))
    controls = {
        "lr": W.BoundedFloatText(value=lr_exp, min=min(LR_EXPONENTS[0], lr_exp),
                                 max=max(LR_EXPONENTS[1], lr_exp), step=0.25,
                                 description="log10 lr", style=style, layout=wide),
        "steps": W.BoundedIntText(value=c.steps, min=STEPS_RANGE[0], max=STEPS_RANGE[1],
                                  step=10, description="steps", style=style, layout=wide),
        "seed": W.BoundedIntText(value=c.seed, min=0, max=10**6, description="seed",
                                 style=style, layout=wide),
        "d1": W.BoundedIntText(value=c.d1, min=WIDTH_RANGE[0], max=WIDTH_RANGE[1],
                               description="d1", style=style, layout=wide),
        "d2": W.BoundedIntText(value=c.d2, min=WIDTH_RANGE[0], max=WIDTH_RANGE[1],
                               description="d2", style=style, layout=wide),
        "dataset": W.ToggleButtons(options=list(DATASETS), value=c.dataset,
                                   description="data", style=toggles, layout=toggle_row),
        "name": W.ToggleButtons(options=list(PARAM_NAMES), value="w3", description="parameter",
                                style={**style, "button_width": "40px"},
                                layout=W.Layout(width="400px", display="flex",
                                                align_items="center")),
        "row": W.BoundedIntText(value=0, min=0, max=0, description="row i", style=style,
                                layout=W.Layout(width="150px")),
        "col": W.BoundedIntText(value=0, min=0, max=0, description="column j", style=style,
                                layout=W.Layout(width="150px")),
        "h": W.BoundedFloatText(value=-5.0, min=-8.0, max=0.0, step=0.5, description="log10 ε",
                                style=style, layout=wide),
        "at": W.ToggleButtons(options=[("start of training", "start"),
                                       ("end of training", "end")],
                              value="start", description="at", style=toggles,
                              layout=toggle_row),
    }
    outputs = {"curve": W.HTML(),                 # an <img> with alt (ipywidgets' Image has none)
               "status": W.HTML(), "entry": W.HTML()}
    state = types.SimpleNamespace(run=None, entry=None, entry_lines=[], quiet=False)

    def config_from_controls():
        return replace(c, lr=_power_of_ten(controls["lr"].value), d1=int(controls["d1"].value),
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
                                         h=_power_of_ten(controls["h"].value))
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
                outputs["curve"].value = _img(lambda ax: plot_run(sketch, ax=ax),
                                              f"Loss curve so far: {step + 1} of {cfg.steps}")

        run = run_experiment(cfg, callback=draw_partial if live else None)
        state.run = run
        outputs["curve"].value = _img(lambda ax: plot_run(run, ax=ax),
                                      f"Loss curve, log scale. {run.message}")
        outputs["status"].value = _html_lines([run.message],
                                              "#b00" if run.diverged is not None else None)
        set_bounds()

    for key in ("lr", "steps", "seed", "d1", "d2", "dataset"):
        controls[key].observe(retrain, names="value")
    controls["name"].observe(set_bounds, names="value")
    for key in ("row", "col", "h", "at"):
        controls[key].observe(show_entry, names="value")

    retrain(live=False)                          # not displayed yet: nothing to watch
    title = W.HTML("<b>Train the network of notebook 08</b> "
                   "(loss (6) on a log scale; changes retrain)")
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
