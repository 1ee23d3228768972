"""The backward pass in one picture: the paper's network as a computational graph.

Each operation of (1)–(6) is a node (@ a matrix product, + a sum, ReLU, and the loss). On each
edge the forward value travels right (black, above) and its gradient travels back left (red,
below), both labelled with their shape: ``dX`` is the gradient ∂L/∂X, which always has the shape
of ``X``. Weights and biases enter from above; a bias row ``b`` enters as its copy ``1b`` with
one row per sample. Like :mod:`helpers.diagram`, the function draws on the ``ax`` it is given or
on a new figure of a fixed size and dpi, and changes no global settings.
"""

import matplotlib.pyplot as plt

__all__ = ["FIGSIZE", "DPI", "edges", "backward_graph"]

FIGSIZE = (14.0, 3.6)
DPI = 100
_OPS = ["x", "@", "+", "ReLU", "@", "+", "ReLU", "@", "+", "(·−y)²", "L"]


def edges(n, d_in, d1, d2, d_out):
    """The graph's edges: ``(forward value, its gradient or None, shape, (from, to))``, from
    the input to the loss, then the parameters and the targets entering from above."""
    for name, d in [("n", n), ("d_in", d_in), ("d1", d1), ("d2", d2), ("d_out", d_out)]:
        if isinstance(d, bool) or not isinstance(d, int) or d < 1:
            raise ValueError(f"edges: {name} must be a positive integer; got {d!r}")
    main = [("x", None, (n, d_in)), ("x@w1", "dh1", (n, d1)), ("h1", "dh1", (n, d1)),
            ("h1_relu", "dh1_relu", (n, d1)), ("h1_relu@w2", "dh2", (n, d2)),
            ("h2", "dh2", (n, d2)), ("h2_relu", "dh2_relu", (n, d2)),
            ("h2_relu@w3", "dy", (n, d_out)), ("y_pred", "dy", (n, d_out)), ("L", "1", (1, 1))]
    out = [(v, g, s, (i, i + 1)) for i, (v, g, s) in enumerate(main)]
    for k, (a, b) in enumerate([(d_in, d1), (d1, d2), (d2, d_out)]):
        out.append((f"w{k + 1}", f"dw{k + 1}", (a, b), ("top", 1 + 3 * k)))
        out.append((f"1b{k + 1}", f"d(1b{k + 1})", (n, b), ("top", 2 + 3 * k)))
    out.append(("y", None, (n, d_out), ("top", 9)))
    return out


def _label(name, shape):
    return f"{name}  {shape[0]}×{shape[1]}" if shape != (1, 1) else f"{name}  (a number)"


def backward_graph(n, d_in, d1, d2, d_out, ax=None):
    """Draw the computational graph of (1)–(6) with every edge's forward value, gradient and
    shape for the sizes given; return the axes. Bias rows are summed back from their copies
    (``db = 1ᵀ d(1b)``), as the caption under the figure says."""
    found = edges(n, d_in, d1, d2, d_out)
    if ax is None:
        fig, ax = plt.subplots(figsize=FIGSIZE, dpi=DPI)
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.98)
    step, top, fwd, bwd = 1.6, 1.35, "black", "#c0392b"
    for i, op in enumerate(_OPS):
        box = "circle,pad=0.25" if len(op) == 1 else "round,pad=0.3"
        ax.text(i * step, 0, op, ha="center", va="center", fontsize=9, zorder=3,
                bbox={"boxstyle": box, "fc": "#fde4c8" if op == "ReLU" else "#eef2f7"})
    arrow = {"arrowstyle": "-|>", "lw": 1.1, "shrinkA": 13, "shrinkB": 13}
    for value, grad, shape, (a, b) in found:
        if a == "top":
            x = b * step
            if value.startswith("1b"):                   # the bias row, copied n times
                b = value[1:]
                ax.text(x, top + 0.2, _label(b, (1, shape[1])), ha="center", fontsize=8)
                ax.text(x, top, _label("d" + b, (1, shape[1])) + ": rows summed", ha="center",
                        fontsize=7.5, color=bwd)
            else:
                ax.text(x, top, value, ha="center", va="bottom", fontsize=8.5)
            ax.annotate("", (x - 0.06, 0), (x - 0.06, top), arrowprops={**arrow, "color": fwd})
            y = 0.5 if value.startswith(("1b", "y")) else 0.9     # apart from the next column
            ax.text(x - 0.1, y, _label(value, shape), ha="right", va="center", fontsize=7.5)
            if grad:
                ax.annotate("", (x + 0.06, top), (x + 0.06, 0),
                            arrowprops={**arrow, "color": bwd})
                ax.text(x + 0.1, y, _label(grad, shape), ha="left", va="center",
                        fontsize=7.5, color=bwd)
            continue
        x0, x1 = a * step, b * step
        ends = {"shrinkA": 8 + 4 * len(_OPS[a]), "shrinkB": 8 + 4 * len(_OPS[b])}
        ax.annotate("", (x1, 0.07), (x0, 0.07), arrowprops={**arrow, **ends, "color": fwd})
        ax.text((x0 + x1) / 2, 0.2, _label(value, shape), ha="center", va="bottom",
                fontsize=7.5)
        if grad:
            ends = {"shrinkA": ends["shrinkB"], "shrinkB": ends["shrinkA"]}
            ax.annotate("", (x0, -0.07), (x1, -0.07), arrowprops={**arrow, **ends, "color": bwd})
            ax.text((x0 + x1) / 2, -0.2, _label(grad, shape), ha="center", va="top",
                    fontsize=7.5, color=bwd)
    ax.text(0, -0.75, "forward: value, shape (black, above)    backward: its gradient dX = "
            "∂L/∂X, same shape (red, below)", fontsize=8, va="center")
    ax.set_xlim(-0.6, (len(_OPS) - 1) * step + 0.6)
    ax.set_ylim(-0.95, top + 0.35)
    ax.set_axis_off()
    return ax
