"""helpers.plotting: every function returns its axes, figures have the project's size and dpi,
matplotlib's global settings are left alone, and bad input gets a clear error. Every figure is
closed after each test (pyproject turns the "more than 20 figures" warning into an error)."""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes

from helpers import check_gradients, forward
from helpers import plotting as hp


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def report(make_problem):
    params, x, y = make_problem(4, 3, 5, 4, 2, seed=1)
    return check_gradients(params, x, y)


def _calls(report):
    A = np.array([[True, False, True], [False, False, True]])
    B = np.array([[1, 0], [1, 1]])
    return {
        "new_axes": lambda: hp.new_axes(),
        "loss_curve": lambda: hp.loss_curve([3.0, 2.0, 1.5, 1.0], label="lr = 0.1"),
        "gradcheck_summary": lambda: hp.gradcheck_summary(report),
        "heatmap": lambda: hp.heatmap(np.arange(6.0).reshape(2, 3) - 2, title="w"),
        "masks": lambda: hp.masks(A, B),
    }


@pytest.mark.parametrize("name", ["new_axes", "loss_curve", "gradcheck_summary", "heatmap",
                                  "masks"])
def test_returns_axes_of_fixed_size_and_dpi_and_keeps_rcparams(report, name):
    before = dict(mpl.rcParams)
    out = _calls(report)[name]()
    axes = list(np.ravel(out))
    assert all(isinstance(a, Axes) for a in axes)
    fig = axes[0].figure
    assert fig.dpi == hp.DPI
    expected = hp.FIGSIZE if name != "masks" else (hp.FIGSIZE[0] * 1.6, hp.FIGSIZE[1])
    np.testing.assert_allclose(fig.get_size_inches(), expected)
    fig.canvas.draw()                                # really renders, without warnings
    assert dict(mpl.rcParams) == before


def test_draws_on_a_given_axes(report):
    fig, (a, b, c) = plt.subplots(1, 3)
    assert hp.loss_curve([1.0, 0.5], ax=a) is a
    assert hp.gradcheck_summary(report, ax=b) is b
    assert hp.heatmap(np.eye(2), ax=c, colorbar=False) is c
    assert len(plt.get_fignums()) == 1


def test_new_axes_columns():
    axes = hp.new_axes(3)
    assert len(axes) == 3
    assert axes[0].figure.get_size_inches()[0] == pytest.approx(hp.FIGSIZE[0] * 2.4)
    assert hp.new_axes(1, squeeze=False).shape == (1, 1)


def test_many_figures_do_not_warn():
    for _ in range(25):                     # would warn (= fail) at 21 open figures
        hp.loss_curve([1.0, 0.1])
        plt.close("all")


def test_loss_curve_content():
    ax = hp.loss_curve([4.0, 2.0, 1.0], label="run")
    assert ax.get_yscale() == "log"
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [4.0, 2.0, 1.0])
    assert "(6)" in ax.get_title() and ax.get_legend() is not None


def test_gradcheck_summary_marks_failures_by_colour_and_hatch(make_problem, report):
    params, x, y = make_problem(4, 3, 5, 4, 2, seed=1)
    grads = {k: c.analytic.copy() for k, c in report.checks.items()}
    grads["w2"] *= 2
    grads["b3"][0, 0] = np.nan
    bad = check_gradients(params, x, y, grads=grads)
    ax = hp.gradcheck_summary(bad)
    bars = ax.patches[:6]
    colours = [tuple(p.get_facecolor()) for p in bars]
    fail, ok = mpl.colors.to_rgba("#D55E00"), mpl.colors.to_rgba("#0072B2")
    assert colours == [ok, ok, fail, ok, ok, fail]
    assert [p.get_hatch() or "" for p in bars] == ["", "", "xx", "", "", "xx"], \
        "failures must differ by more than colour"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["passed", "FAILED"]
    assert bars[5].get_height() == 1.0, "a NaN error is drawn as a full (failing) bar"
    assert len(ax.lines) == 1, "one tolerance line"


def test_heatmap_symmetric_limits_and_nan():
    ax = hp.heatmap(np.array([[-1.0, 3.0], [np.nan, 0.0]]))
    assert ax.images[0].get_clim() == (-3.0, 3.0)
    ax = hp.heatmap(np.zeros((2, 2)))
    assert ax.images[0].get_clim() == (-1.0, 1.0)


def test_masks_titles(make_problem):
    params, x, _ = make_problem(4, 3, 5, 4, 2, seed=1)
    _, cache = forward(params, x)
    axes = hp.masks(cache["A"], cache["B"])
    assert "(64)" in axes[0].get_title() and "(33)" in axes[1].get_title()
    np.testing.assert_array_equal(axes[0].images[0].get_array(), cache["B"].astype(float))


@pytest.mark.parametrize("call, match", [
    (lambda: hp.loss_curve([]), r"history must be a non-empty 1-D sequence"),
    (lambda: hp.loss_curve([[1.0, 2.0]]), r"got shape \(1, 2\)"),
    (lambda: hp.heatmap(np.ones(3)), r"heatmap needs a non-empty 2-D matrix; got shape \(3,\)"),
    (lambda: hp.heatmap(np.ones((0, 3))), r"got shape \(0, 3\)"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
    assert not plt.get_fignums(), "no figure is left behind by a refused call"


# ---------------------------------------------------------------- issue 13: complex refused

def test_complex_input_is_refused_not_truncated():
    with pytest.raises(TypeError, match=r"matrix must hold real numbers; got dtype complex128"):
        hp.heatmap(np.array([[1 + 2j, 0]]))
    with pytest.raises(TypeError, match=r"history must hold real numbers"):
        hp.loss_curve(np.array([1 + 1j, 0.5]))


def test_gradcheck_summary_shows_not_checked(make_problem):
    params, x, y = make_problem(1, 1, 1, 1, 1, seed=0)
    params["b1"][0, 0] = -float(x[0, 0] * params["w1"][0, 0])      # h1 = 0 exactly
    params["w2"][0, 0], params["b2"][0, 0] = 1.0, 0.5
    ax = hp.gradcheck_summary(check_gradients(params, x, y, names=("b1", "w3")))
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0] == "b1\nnot checked"


def test_curves_differ_by_line_style_not_colour_alone():
    ax = hp.new_axes()
    for k in range(4):
        ax.plot([1, 2], [k, k + 1])
    styles = {line.get_linestyle() for line in ax.lines}
    assert len(styles) == 4


def test_show_refuses_a_figure_without_a_text_alternative():
    with pytest.raises(ValueError, match="text alternative"):
        hp.show_figure("  ")


def test_a_line_given_its_colour_is_solid_and_takes_no_style_from_the_cycle():
    ax = hp.new_axes()
    left, right = (ax.plot([0, 1], [0, 0], color="tab:blue")[0],
                   ax.plot([1, 2], [1, 1], color="tab:blue")[0])    # one curve in two pieces
    dashed = ax.plot([0, 1], [1, 2], color="k", linestyle="--")[0]
    marker = ax.plot([0], [1], "o", color="tab:blue")[0]
    first_default = ax.plot([0, 1], [2, 3])[0]
    assert left.get_linestyle() == right.get_linestyle() == "-"
    assert dashed.get_linestyle() == "--" and marker.get_linestyle() == "None"
    assert first_default.get_linestyle() == "-", "explicitly coloured lines use no cycle entry"


def _visible_ticks(axis, limits):
    lo, hi = sorted(limits)
    return [t for t in axis.get_majorticklocs() if lo <= t <= hi]


def test_heatmap_ticks_are_the_indices_from_1():
    ax = hp.heatmap(np.arange(20.0).reshape(5, 4))
    assert _visible_ticks(ax.yaxis, ax.get_ylim()) == [1, 2, 3, 4, 5]
    assert _visible_ticks(ax.xaxis, ax.get_xlim()) == [1, 2, 3, 4]
    wide = _visible_ticks((ax := hp.heatmap(np.zeros((3, 40)))).xaxis, ax.get_xlim())
    assert len(wide) <= 12 and np.allclose(wide, np.round(wide)), "a few integer ticks"


def test_a_boolean_matrix_is_drawn_as_a_mask_with_a_key():
    ax = hp.heatmap(np.array([[True, False], [False, True]]))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == \
        ["1 = active (h ≥ 0)", "0 = cut off (h < 0)"]
    assert ax.images[0].get_clim() == (0.0, 1.0) and not ax.figure.axes[1:], "no colour bar"
