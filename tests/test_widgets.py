"""helpers.widgets: the pure functions behind notebook 09's explorer, and the explorer's wiring.

The explorer is built without a kernel (ipywidgets works without one); changing a control's value
programmatically runs the same observers a reader's click does, so the displayed state can be
asserted directly.
"""

import base64
import html
import re
import subprocess
import sys
from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np
import pytest

import helpers
from helpers import check_gradients, widgets
from helpers.widgets import Config

#: small and fast, all sizes different; lr trains it without diverging
SMALL = Config(lr=1e-3, n=8, d_in=6, d1=5, d2=4, d_out=3, steps=40, seed=3)
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def small_run():
    return widgets.run_experiment(SMALL)


# --- importing stays light ------------------------------------------------------------------

def test_import_helpers_does_not_import_ipywidgets_or_matplotlib():
    code = ("import sys, helpers, helpers.widgets\n"
            "heavy = [m for m in ('ipywidgets', 'matplotlib') if m in sys.modules]\n"
            "assert not heavy, heavy\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_widgets_is_reachable_lazily_from_helpers():
    assert helpers.widgets is widgets


# --- Config -----------------------------------------------------------------------------------

def test_default_config_is_notebook_08s_first_run():
    c = Config()
    assert (c.n, c.d_in, c.d1, c.d2, c.d_out, c.dataset) == (64, 1000, 100, 100, 10, "random")
    assert c.lr == pytest.approx(1e-4)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"lr": 0.0}, ValueError, "lr must be"), ({"lr": float("nan")}, ValueError, "lr must be"),
    ({"d1": 0}, ValueError, "d1 must be a positive integer"),
    ({"d2": 2.5}, TypeError, r"d2 must be an integer; got 2.5 \(float\)"),
    ({"steps": 0}, ValueError, "steps must be"),
    ({"seed": -1}, ValueError, "seed must be an integer ≥ 0"),
    ({"dataset": "mnist"}, ValueError, "dataset must be one of"),
    ({"d1": True}, TypeError, "d1 must be an integer"),
])
def test_config_rejects_bad_values(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        Config(**kwargs)


def test_config_rejects_a_learning_rate_that_is_not_a_number():
    with pytest.raises(TypeError, match="lr must be a number"):
        Config(lr="big")


def test_dict_configs_are_accepted_and_unknown_keys_refused():
    assert widgets.make_problem({"d1": 3, "d2": 2, "d_in": 4, "n": 5})[0]["w1"].shape == (4, 3)
    with pytest.raises(ValueError, match="unknown config keys"):
        widgets.run_training({"learning_rate": 1e-3})
    with pytest.raises(TypeError, match="config must be"):
        widgets.run_training(1e-3)


# --- make_problem, run_training, run_experiment ----------------------------------------------

def test_make_problem_is_seeded_and_seed_0_is_notebook_08():
    params, x, y = widgets.make_problem(Config(d_in=7, n=5))
    x08, y08 = helpers.random_data(5, 7, 10, rng=0)
    params08 = helpers.init_params(7, 100, 100, 10, rng=1)
    np.testing.assert_array_equal(x, x08)
    np.testing.assert_array_equal(y, y08)
    for k in params:
        np.testing.assert_array_equal(params[k], params08[k])
    other = widgets.make_problem(Config(d_in=7, n=5, seed=1))
    assert not np.array_equal(other[1], x)


def test_teacher_data_does_not_depend_on_the_student_widths():
    _, x_a, y_a = widgets.make_problem(replace(SMALL, dataset="teacher"))
    _, x_b, y_b = widgets.make_problem(replace(SMALL, dataset="teacher", d1=9))
    np.testing.assert_array_equal(x_a, x_b)
    np.testing.assert_array_equal(y_a, y_b)
    _, x_r, y_r = widgets.make_problem(SMALL)
    assert not np.array_equal(y_a, y_r)


def test_run_training_lowers_the_loss_and_matches_train(small_run):
    history = widgets.run_training(SMALL)
    assert len(history) == SMALL.steps
    assert history[-1] < history[0] / 2
    params, x, y = widgets.make_problem(SMALL)
    np.testing.assert_allclose(helpers.train(params, x, y, lr=SMALL.lr, steps=SMALL.steps),
                               history, rtol=1e-12)
    assert small_run.diverged is None and small_run.history == history
    assert "40 steps: L went from" in small_run.message


def test_run_experiment_keeps_the_initial_parameters(small_run):
    params, _, _ = widgets.make_problem(SMALL)
    for k in params:
        np.testing.assert_array_equal(small_run.initial[k], params[k])
        assert not np.array_equal(small_run.params[k], params[k]) or k.startswith("b")


def test_divergence_is_recorded_not_raised_and_run_training_raises():
    huge = replace(SMALL, lr=1e6)
    run = widgets.run_experiment(huge)
    assert run.diverged is not None and not np.isfinite(run.history[-1])
    assert run.message.startswith("training diverged at step")
    with pytest.raises(helpers.TrainingDiverged, match=r"lr = 1e\+06"):
        widgets.run_training(huge)


# --- gradient_entry and entry_summary ---------------------------------------------------------

@pytest.mark.parametrize("name, i, j", [("w1", 2, 3), ("b1", 0, 4), ("w2", 4, 0), ("b2", 0, 1),
                                        ("w3", 3, 2), ("b3", 0, 0)])
def test_gradient_entry_matches_backward_and_check_gradients(small_run, name, i, j):
    params, x, y = small_run.initial, small_run.x, small_run.y
    before = {k: v.copy() for k, v in params.items()}
    entry = widgets.gradient_entry(params, x, y, name, i, j)
    analytic, numerical, kink = entry                       # a plain 3-tuple too
    _, cache = helpers.forward(params, x)
    assert analytic == pytest.approx(helpers.backward(params, x, y, cache)[name][i, j], rel=1e-12)
    report = check_gradients(params, x, y, names=[name])[name]
    assert numerical == pytest.approx(report.numerical[i, j], rel=1e-9, abs=1e-12)
    assert kink == bool(report.kinks[i, j]) and kink is False
    assert numerical == pytest.approx(analytic, rel=1e-6, abs=1e-8)
    for k in params:                                         # left unchanged
        np.testing.assert_array_equal(params[k], before[k])


def test_a_large_h_crosses_a_kink_and_is_flagged(small_run):
    params, x, y = small_run.initial, small_run.x, small_run.y
    entry, lines = widgets.entry_summary(params, x, y, "w1", 0, 0, h=10.0)
    assert entry.kink is True
    assert lines[-1].startswith("kink")
    entry, lines = widgets.entry_summary(params, x, y, "w1", 0, 0)
    assert entry.kink is False and lines[-1] == "they agree (no kink crossed)"
    assert lines[0] == "∂L/∂w1[0, 0]"


@pytest.mark.parametrize("name, i, j, h, match", [
    ("w4", 0, 0, 1e-5, "name must be one of"), ("w1", 6, 0, 1e-5, "row i must be"),
    ("w1", 0, -1, 1e-5, "column j must be"), ("b1", 1, 0, 1e-5, "row i must be"),
    ("w1", 0, 0, 0.0, "h must be"), ("w1", 0.5, 0, 1e-5, "row i must be"),
])
def test_gradient_entry_rejects_bad_input(small_run, name, i, j, h, match):
    with pytest.raises(ValueError, match=match):
        widgets.gradient_entry(small_run.initial, small_run.x, small_run.y, name, i, j, h=h)


# --- plot_run ---------------------------------------------------------------------------------

def test_plot_run_draws_a_log_curve_over_all_steps(small_run):
    ax = widgets.plot_run(small_run)
    try:
        assert ax.get_yscale() == "log"
        assert ax.get_xlim() == (0, SMALL.steps - 1)
        np.testing.assert_array_equal(ax.lines[0].get_ydata(), small_run.history)
        assert "random data" in ax.get_title()
    finally:
        plt.close(ax.figure)
    run = widgets.run_experiment(replace(SMALL, lr=1e6))
    ax = widgets.plot_run(run)
    try:
        assert ax.get_title().startswith(f"DIVERGED at step {run.diverged.step}")
    finally:
        plt.close(ax.figure)


# --- the explorer -----------------------------------------------------------------------------

@pytest.fixture
def box():
    return widgets.explorer(SMALL, live=False)


def test_explorer_builds_and_shows_the_default_run(box):
    import ipywidgets

    assert isinstance(box, ipywidgets.VBox)
    assert set(box.controls) == {"lr", "steps", "seed", "d1", "d2", "dataset", "name", "row",
                                 "col", "h", "at"}
    assert box.state.run.config == SMALL
    assert curve_png(box).startswith(PNG)
    assert "40 steps: L went from" in box.outputs["status"].value
    assert box.state.entry_lines[0] == "∂L/∂w3[0, 0] at the start of training"
    assert (box.controls["row"].max, box.controls["col"].max) == (SMALL.d2 - 1, SMALL.d_out - 1)


def test_choosing_an_lr_retrains_and_redraws(box):
    old_png, old_history = curve_png(box), box.state.run.history
    box.controls["lr"].value = -4
    assert box.state.run.config.lr == pytest.approx(1e-4)
    assert box.state.run.history[0] == old_history[0]            # same start, other path
    assert box.state.run.history[-1] > old_history[-1]           # a smaller step learns less
    assert curve_png(box) != old_png
    assert box.state.run.message in box.outputs["status"].value


def test_other_training_controls_retrain(box):
    box.controls["steps"].value = 20
    assert len(box.state.run.history) == 20
    box.controls["d1"].value = 7
    assert box.state.run.params["w1"].shape == (SMALL.d_in, 7)
    box.controls["seed"].value = 4
    assert box.state.run.config.seed == 4
    box.controls["dataset"].value = "teacher"
    assert box.state.run.config.dataset == "teacher"
    np.testing.assert_array_equal(box.state.run.y, widgets.make_problem(box.state.run.config)[2])


def test_a_huge_lr_shows_the_divergence_message_not_a_traceback():
    # small networks blow up slowly: this one needs ~200 steps at the menu's largest lr
    box = widgets.explorer(replace(SMALL, n=32, d_in=100, d1=30, d2=30, d_out=10, steps=400),
                           live=False)
    assert box.state.run.diverged is None
    box.controls["lr"].value = -1
    assert box.state.run.diverged is not None
    assert "training diverged at step" in box.outputs["status"].value
    assert curve_png(box).startswith(PNG)
    box.controls["at"].value = "end"
    assert box.state.entry is None and "diverged" in box.outputs["entry"].value
    box.controls["at"].value = "start"
    assert box.state.entry is not None


def test_the_element_picker_follows_name_row_column_and_h(box):
    run = box.state.run
    box.controls["name"].value = "w1"
    assert (box.controls["row"].max, box.controls["col"].max) == (SMALL.d_in - 1, SMALL.d1 - 1)
    box.controls["row"].value = 2
    box.controls["col"].value = 3
    expected = widgets.gradient_entry(run.initial, run.x, run.y, "w1", 2, 3)
    assert box.state.entry == expected
    assert box.state.entry_lines[0] == "∂L/∂w1[2, 3] at the start of training"
    box.controls["at"].value = "end"
    assert box.state.entry == widgets.gradient_entry(run.params, run.x, run.y, "w1", 2, 3)
    box.controls["name"].value = "b3"                            # 1×d_out: indices clamp
    assert (box.controls["row"].value, box.controls["col"].value) == (0, 2)
    assert box.state.entry_lines[0].startswith("∂L/∂b3[0, 2]")
    box.controls["h"].value = 0
    assert box.state.entry == widgets.gradient_entry(run.params, run.x, run.y, "b3", 0, 2, h=1.0)


def test_live_mode_redraws_while_training():
    box = widgets.explorer(replace(SMALL, steps=20), live=True)
    drawn = []
    box.outputs["curve"].observe(lambda change: drawn.append(change["new"]), names="value")
    box.controls["lr"].value = -4
    assert len(drawn) >= 3 and all(_png_of(html).startswith(PNG) for html in drawn)


def test_every_control_has_a_name_and_none_is_a_slider(box):
    """Screen readers announce a control by its description; ipywidgets' sliders give their
    handle none, and JupyterLab takes a menu's arrow keys: number fields and buttons instead."""
    import ipywidgets as W

    for key, control in box.controls.items():
        assert control.description, f"{key} has no description (its accessible name)"
        assert not isinstance(control, W.IntSlider | W.FloatSlider | W.FloatLogSlider |
                              W.Dropdown), f"{key} is a slider or a menu"


def _png_of(html):
    return base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', html)[1])


def curve_png(box):
    return _png_of(box.outputs["curve"].value)


def test_the_curve_has_a_text_alternative_that_follows_the_run(box):
    alt = re.search(r'alt="([^"]*)"', box.outputs["curve"].value)[1]
    assert html.unescape(alt) == f"Loss curve, log scale. {box.state.run.message}"
    box.controls["lr"].value = -4
    assert html.escape(box.state.run.message) in box.outputs["curve"].value


def test_lr_and_h_are_set_by_their_exponents_and_a_configs_lr_is_kept():
    box = widgets.explorer(replace(SMALL, lr=3e-4), live=False)
    assert box.state.run.config.lr == 3e-4
    assert (box.controls["lr"].min, box.controls["lr"].max) == (-6, -1)
    box.controls["h"].value = -3
    run = box.state.run
    assert box.state.entry == widgets.gradient_entry(run.initial, run.x, run.y, "w3", 0, 0, h=1e-3)
    wide = widgets.explorer(replace(SMALL, lr=1e-8, steps=10), live=False)
    assert wide.controls["lr"].min == -8 and wide.state.run.config.lr == 1e-8
