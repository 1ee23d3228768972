"""helpers.graph: every edge's shape is the shape of the array it names, and every edge is drawn
with its label; bad sizes are refused; the function draws where it is told and changes no
global settings."""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest

import helpers
from helpers.graph import DPI, FIGSIZE, backward_graph, edges

SIZES = (5, 3, 6, 4, 2)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _arrays(n, d_in, d1, d2, d_out):
    rng = np.random.default_rng(0)
    params = helpers.init_params(d_in, d1, d2, d_out, rng=rng)
    x, y = helpers.random_data(n, d_in, d_out, rng=rng)
    y_pred, c = helpers.forward(params, x)
    g = helpers.backward(params, x, y, c)
    dy = 2 * (y_pred - y)
    one = np.ones((n, 1))
    values = {"x": x, "x@w1": x @ params["w1"], "h1": c["h1"], "h1_relu": c["h1_relu"],
              "h1_relu@w2": c["h1_relu"] @ params["w2"], "h2": c["h2"], "h2_relu": c["h2_relu"],
              "h2_relu@w3": c["h2_relu"] @ params["w3"], "y_pred": y_pred, "y": y,
              "L": np.array([[helpers.loss(y_pred, y)]]),
              **{k: params[k] for k in ("w1", "w2", "w3")},
              **{f"1{k}": one @ params[k] for k in ("b1", "b2", "b3")}}
    grads = {"dy": dy, "dh2": c["dh2"], "dh1": c["dh1"], "dh2_relu": dy @ params["w3"].T,
             "dh1_relu": c["dh2"] @ params["w2"].T, "1": np.ones((1, 1)),
             **{f"d{k}": g[k] for k in ("w1", "w2", "w3")},
             **{f"d(1{k})": c[d] for k, d in (("b3", "dy"), ("b2", "dh2"), ("b1", "dh1"))}}
    return values, grads


@pytest.mark.parametrize("sizes", [SIZES, (7, 2, 3, 5, 1)])
def test_every_edge_has_the_shape_of_its_value_and_of_its_gradient(sizes):
    values, grads = _arrays(*sizes)
    found = edges(*sizes)
    assert {v for v, *_ in found} == set(values)
    for value, grad, shape, _ in found:
        assert values[value].shape == shape, value
        if grad is not None:
            assert grads[grad].shape == shape, grad


def test_every_edge_is_drawn_with_its_shape():
    ax = backward_graph(*SIZES)
    texts = [t.get_text() for t in ax.texts]
    for value, grad, (r, c), _ in edges(*SIZES):
        label = "(a number)" if (r, c) == (1, 1) else f"{r}×{c}"
        assert f"{value}  {label}" in texts, value
        assert grad is None or f"{grad}  {label}" in texts, grad
    assert any("∂L/∂X" in t for t in texts), "the key for black and red"


def test_new_figure_of_fixed_size_and_given_axes():
    ax = backward_graph(*SIZES)
    assert tuple(ax.figure.get_size_inches()) == pytest.approx(FIGSIZE) and ax.figure.dpi == DPI
    fig, given = plt.subplots()
    assert backward_graph(*SIZES, ax=given) is given


@pytest.mark.parametrize("bad", [0, -1, 2.0, True, "3"])
def test_bad_sizes_are_refused_by_name(bad):
    with pytest.raises(ValueError, match="d2 must be a positive integer"):
        backward_graph(5, 3, 6, bad, 2)


def test_leaves_rcparams_alone():
    before = dict(mpl.rcParams)
    backward_graph(*SIZES)
    assert dict(mpl.rcParams) == before
