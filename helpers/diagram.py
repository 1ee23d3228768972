"""The paper's network drawn as a diagram: layers as columns of nodes, named as in eqs. (1)–(6).

    x ──w1, b1──▶ h1 → h1_relu ──w2, b2──▶ h2 → h2_relu ──w3, b3──▶ y_pred ──▶ L

Two hidden ReLU layers and a linear output (the paper's text says "3 hidden layers"; the third
"hidden layer" is the output layer). Each bias enters through a node that always holds 1: the
column 1_{n×1} of eqs. (1), (3), (5). Like :mod:`helpers.plotting`, the function draws on the
``ax`` it is given or on a new figure of a fixed size and dpi, and changes no global settings.
"""

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["FIGSIZE", "DPI", "MAX_NODES", "network_diagram", "describe"]

FIGSIZE = (8.0, 4.2)
DPI = 100
MAX_NODES = 7      # a wider layer shows its first 4 and last 2 nodes with a "⋮" between

_LAYERS = (
    # (dimension name, label above the column, activation note below)
    ("d_in", r"$\mathbf{x}$", "input"),
    ("d1", r"$\mathbf{h}_1 \to \mathbf{h}_{1\,\mathrm{relu}}$", "ReLU, eqs. (1), (2)"),
    ("d2", r"$\mathbf{h}_2 \to \mathbf{h}_{2\,\mathrm{relu}}$", "ReLU, eqs. (3), (4)"),
    ("d_out", r"$\mathbf{y}_{\mathrm{pred}}$", "linear, eq. (5)"),
)
_EDGE_LABELS = (r"$\mathbf{w}_1,\ \mathbf{b}_1$", r"$\mathbf{w}_2,\ \mathbf{b}_2$",
                r"$\mathbf{w}_3,\ \mathbf{b}_3$")
_COLORS = ("#d9e7f5", "#fde4c8", "#fde4c8", "#d8efd3")


def _check_dim(name, d):
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
        raise ValueError(f"network_diagram: {name} must be a positive integer (a layer needs at "
                         f"least one node); got {d!r}")
    return int(d)


def _rows(d):
    """Vertical positions of the nodes drawn for a layer of ``d`` units, centred on 0, and the
    position of the "⋮" that stands in for the hidden ones (``None`` if every node is drawn).

    A layer of up to ``MAX_NODES`` units shows them all; a wider one shows its first
    ``MAX_NODES - 3`` and last 2 units with the "⋮" in the slot between them.
    """
    shown = min(d, MAX_NODES)
    slots = (shown - 1) / 2 - np.arange(shown)
    if d <= MAX_NODES:
        return slots, None
    gap = MAX_NODES - 3
    return np.delete(slots, gap), slots[gap]


def network_diagram(d_in, d1, d2, d_out, ax=None):
    """Draw the paper's network with ``d_in``, ``d1``, ``d2``, ``d_out`` units per layer.

    Columns of nodes from left to right: the input ``x`` (n×d_in), the first hidden layer
    ``h1 → h1_relu`` (n×d1), the second ``h2 → h2_relu`` (n×d2) and the output ``y_pred``
    (n×d_out); the edges between two columns are the weights ``w1``, ``w2``, ``w3``, and a node
    "1" above each column feeds the biases ``b1``, ``b2``, ``b3``. A layer wider than
    ``MAX_NODES`` is drawn with a "⋮" in place of its middle nodes; every column is labelled with
    its true size. Returns the axes.

    Raises ``ValueError`` if a size is not a positive integer.
    """
    dims = [_check_dim(name, d) for name, d in zip(("d_in", "d1", "d2", "d_out"),
                                                   (d_in, d1, d2, d_out), strict=True)]
    if ax is None:
        _, ax = plt.subplots(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    xs = np.arange(4) * 3.0
    top = (MAX_NODES - 1) / 2           # the same layout whatever the sizes
    bias_y = top + 1.3
    columns = []
    for x0, d in zip(xs, dims, strict=True):
        ys, gap_y = _rows(d)
        columns.append((x0, ys, gap_y))
    # edges first, so the nodes are drawn over them
    for k in range(3):
        (xa, ya, _), (xb, yb, _) = columns[k], columns[k + 1]
        for y_from in ya:
            for y_to in yb:
                ax.plot([xa, xb], [y_from, y_to], color="0.75", linewidth=0.6, zorder=1)
        for y_to in yb:                                   # the bias node "1" feeds every unit
            ax.plot([xa + 1.2, xb], [bias_y, y_to], color="0.55", linewidth=0.6,
                    linestyle=(0, (2, 2)), zorder=1)
        ax.text((xa + xb) / 2, bias_y + 0.55, _EDGE_LABELS[k], ha="center", va="bottom",
                fontsize=10)
        ax.scatter([xa + 1.2], [bias_y], s=260, marker="s", color="white", edgecolors="0.3",
                   zorder=3)
        ax.text(xa + 1.2, bias_y, "1", ha="center", va="center", fontsize=9, zorder=4)
    for k, (x0, ys, gap_y) in enumerate(columns):
        name, label, note = _LAYERS[k]
        ax.scatter(np.full(ys.size, x0), ys, s=320, color=_COLORS[k], edgecolors="0.25",
                   linewidths=1.0, zorder=3)
        if gap_y is not None:
            ax.text(x0, gap_y, "⋮", ha="center", va="center", fontsize=14, zorder=4,
                    bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "none"})
        ax.text(x0, -top - 0.9, f"{label}\n{name} = {dims[k]}", ha="center", va="top",
                fontsize=10)
        ax.text(x0, -top - 2.1, note, ha="center", va="top", fontsize=8, color="0.35")
    # the loss, to the right of the output
    x_out = xs[-1]
    ax.annotate("", xy=(x_out + 1.6, 0), xytext=(x_out + 0.45, 0),
                arrowprops={"arrowstyle": "-|>", "color": "0.3"})
    ax.text(x_out + 1.7, 0, r"$L=\sum_{i,j}(y_{\mathrm{pred},ij}-y_{ij})^2$" + "\neq. (6)",
            ha="left", va="center", fontsize=9)
    ax.set_xlim(xs[0] - 1.0, x_out + 4.6)
    ax.set_ylim(-top - 2.9, bias_y + 1.3)
    ax.axis("off")
    ax.set_title("The paper's network: two hidden ReLU layers and a linear output", fontsize=11)
    return ax


def describe(d_in, d1, d2, d_out):
    """The diagram's text alternative, for a reader who cannot see it."""
    dims = [_check_dim(name, d) for name, d in zip(("d_in", "d1", "d2", "d_out"),
                                                   (d_in, d1, d2, d_out), strict=True)]
    return (f"Diagram of the paper's network, left to right: the input x ({dims[0]} nodes), the "
            f"hidden layers h1 ({dims[1]} nodes) and h2 ({dims[2]} nodes), each followed by a "
            f"ReLU, the linear output y_pred ({dims[3]} nodes), then the loss L of eq. (6). Each "
            f"node feeds every node of the next layer (the weights w1, w2, w3); a node holding "
            f"1 above each layer feeds the biases b1, b2, b3.")
