"""helpers.graph: every edge's shape is the shape of the array it names, and every edge is drawn
with its label; the text is readable where a notebook shows the figure and nothing overlaps;
each bias passes a copy node and each + says that it passes its gradient on (rules 4 and 1);
bad sizes are refused; the function draws where it is told and changes no global settings."""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest

import helpers
from helpers.graph import DPI, FIGSIZE, MIN_FONTSIZE, backward_graph, describe, edges

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
              **{k: params[k] for k in ("b1", "b2", "b3")},
              **{f"1·{k}": one @ params[k] for k in ("b1", "b2", "b3")}}
    grads = {"dy": dy, "dh2": c["dh2"], "dh1": c["dh1"], "dh2_relu": dy @ params["w3"].T,
             "dh1_relu": c["dh2"] @ params["w2"].T, "1": np.ones((1, 1)),
             **{f"d{k}": g[k] for k in ("w1", "w2", "w3", "b1", "b2", "b3")},
             **{f"d(1·{k})": c[d] for k, d in (("b3", "dy"), ("b2", "dh2"), ("b1", "dh1"))}}
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


def test_each_bias_passes_a_copy_node_and_each_sum_names_rule_1():
    found = edges(*SIZES)
    texts = [t.get_text() for t in backward_graph(*SIZES).texts]
    for k, g in ((1, "dh1"), (2, "dh2"), (3, "dy")):
        assert (f"b{k}", f"db{k}", (1, SIZES[k + 1]), ("top", f"copy{k}")) in found
        assert (f"1·b{k}", f"d(1·b{k})", (SIZES[0], SIZES[k + 1]), (f"copy{k}", f"+{k}")) in found
        assert f"+ passes {g} on unchanged (rule 1)" in texts
        assert sum(t.startswith(g + " ") for t in texts) == 2, f"{g} labels the edges around +"
    assert texts.count("copy 1·") == 3 and sum("(rule 4)" in t for t in texts) == 3


@pytest.mark.parametrize("sizes", [SIZES, (128, 784, 256, 128, 10)])
def test_readable_at_a_notebooks_width_and_nothing_overlaps(sizes):
    """Scaled to 900 pixels (about JupyterLab's notebook width), from the width the inline
    backend stores (the tight bounding box and its 0.1-inch pad), every text is at least 10
    pixels high, inside the figure, and overlaps no other text."""
    ax = backward_graph(*sizes)
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    width_px = (fig.get_tightbbox(renderer).width + 0.2) * DPI
    assert min(t.get_fontsize() for t in ax.texts) == MIN_FONTSIZE
    assert MIN_FONTSIZE * DPI / 72 * min(1.0, 900 / width_px) >= 10
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts]
    for i, (a, box_a) in enumerate(boxes):
        assert box_a.x0 >= 0 and box_a.y0 >= 0 and box_a.x1 <= fig.bbox.width \
            and box_a.y1 <= fig.bbox.height, f"{a!r} leaves the figure"
        for b, box_b in boxes[i + 1:]:
            assert not box_a.overlaps(box_b), f"{a!r} overlaps {b!r}"


def test_the_text_alternative_lists_every_edge():
    alt = describe(*SIZES)
    for value, _, (r, c), _ in edges(*SIZES):
        assert (f"{value} {r}×{c}" if (r, c) != (1, 1) else f"{value} (a number)") in alt
    assert "copy 1·" in alt and "rule 4" in alt and "rule 1" in alt


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
