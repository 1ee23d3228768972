"""helpers.diagram.network_diagram: returns its axes, refuses bad sizes, leaves rcParams alone."""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.diagram import DPI, FIGSIZE, MAX_NODES, describe, network_diagram


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def test_returns_new_axes_of_fixed_size_and_dpi():
    ax = network_diagram(3, 5, 4, 2)
    assert isinstance(ax, mpl.axes.Axes)
    assert tuple(ax.figure.get_size_inches()) == pytest.approx(FIGSIZE)
    assert ax.figure.dpi == DPI


def test_draws_on_the_axes_it_is_given():
    fig, given = plt.subplots()
    ax = network_diagram(2, 3, 3, 1, ax=given)
    assert ax is given
    assert len(fig.axes) == 1


def test_labels_every_layer_with_its_true_size_and_the_seed_names():
    texts = "\n".join(_texts(network_diagram(1000, 100, 50, 10)))
    for part in ("d_in = 1000", "d1 = 100", "d2 = 50", "d_out = 10", r"\mathbf{x}",
                 r"\mathbf{h}_{1\,\mathrm{relu}}", r"\mathbf{h}_{2\,\mathrm{relu}}",
                 r"\mathbf{y}_{\mathrm{pred}}", r"\mathbf{w}_1", r"\mathbf{b}_3"):
        assert part in texts, part


def test_small_layers_show_every_node_and_wide_ones_an_ellipsis():
    ax = network_diagram(3, 5, 4, 2)
    counts = [len(c.get_offsets()) for c in ax.collections if len(c.get_offsets()) > 1]
    assert counts == [3, 5, 4, 2]
    assert "⋮" not in _texts(ax)

    ax = network_diagram(MAX_NODES + 1, 2, MAX_NODES, 1)
    counts = [len(c.get_offsets()) for c in ax.collections if len(c.get_offsets()) > 1]
    assert counts == [MAX_NODES - 1, 2, MAX_NODES]
    assert _texts(ax).count("⋮") == 1


@pytest.mark.parametrize("dims, name", [
    ((0, 5, 4, 2), "d_in"),
    ((3, -1, 4, 2), "d1"),
    ((3, 5, 2.5, 2), "d2"),
    ((3, 5, 4, True), "d_out"),
    ((3, 5, 4, "2"), "d_out"),
])
def test_bad_sizes_raise_a_clear_value_error(dims, name):
    with pytest.raises(ValueError, match=rf"network_diagram: {name} must be a positive integer"):
        network_diagram(*dims)


def test_numpy_integers_are_accepted():
    ax = network_diagram(np.int64(3), np.int32(2), 2, 1)
    assert "d_in = 3" in "\n".join(_texts(ax))


def test_does_not_change_rcparams():
    plt.get_backend()                      # resolve the backend before taking the snapshot
    before = dict(mpl.rcParams)
    network_diagram(3, 5, 4, 2)
    network_diagram(1000, 100, 100, 10, ax=plt.subplots()[1])
    assert dict(mpl.rcParams) == before


def test_describe_states_the_drawn_sizes():
    text = describe(3, 6, 4, 2)
    for part in ("x (3 nodes)", "h1 (6 nodes)", "h2 (4 nodes)", "y_pred (2 nodes)", "(6)"):
        assert part in text
    with pytest.raises(ValueError, match="d1"):
        describe(3, 0, 4, 2)
