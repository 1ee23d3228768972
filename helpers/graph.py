"""The backward pass in one picture, one row per layer: each edge carries its value forward (black)
and its gradient dX = ∂L/∂X, of the same shape, back (red); each bias passes a node "copy 1·"
(rule 4). 9 inches wide, text of 8 points or more: 11 pixels or more in a notebook."""

import matplotlib.pyplot as plt

__all__ = ["FIGSIZE", "DPI", "MIN_FONTSIZE", "edges", "backward_graph", "describe"]

FIGSIZE, DPI, MIN_FONTSIZE = (9.0, 7.0), 100, 8
_ROWS, _COLS, _RED, _GREY = (5.05, 2.8, 0.55), (0.45, 2.35, 4.55, 6.55, 8.45), "#c0392b", "#555"
_NODES = {"x": ("x", 0, 0), "loss": ("(·−y)²", 2, 3), "L": ("L", 2, 4)} | {
    f"{kind}{r + 1}": (t, r, c) for r in range(3) for kind, t, c in
    [("@", "@", 1), ("+", "+", 2), ("copy", "copy 1·", 2), ("relu", "ReLU", 3)][:4 - (r == 2)]}


def edges(n, d_in, d1, d2, d_out):
    """``(value, gradient or None, shape, (from, to))``: the rows, then from ``"top"`` the rest."""
    for name, d in [("n", n), ("d_in", d_in), ("d1", d1), ("d2", d2), ("d_out", d_out)]:
        if isinstance(d, bool) or not isinstance(d, int) or d < 1:
            raise ValueError(f"edges: {name} must be a positive integer; got {d!r}")
    out, prev, d = [("x", None, (n, d_in), ("x", "@1"))], "x", [d_in, d1, d2, d_out]
    for k, (g, h) in enumerate([("dh1", "h1"), ("dh2", "h2"), ("dy", None)], start=1):
        out += [(f"{prev}@w{k}", g, (n, d[k]), (f"@{k}", f"+{k}")),
                (h or "y_pred", g, (n, d[k]), (f"+{k}", f"relu{k}" if h else "loss"))]
        prev = f"{h}_relu"
        out += [(prev, f"d{prev}", (n, d[k]), (f"relu{k}", f"@{k + 1}")) if h else
                ("L", "1", (1, 1), ("loss", "L"))]
    for k in (1, 2, 3):
        out += [(f"w{k}", f"dw{k}", (d[k - 1], d[k]), ("top", f"@{k}")),
                (f"b{k}", f"db{k}", (1, d[k]), ("top", f"copy{k}")),
                (f"1·b{k}", f"d(1·b{k})", (n, d[k]), (f"copy{k}", f"+{k}"))]
    return out + [("y", None, (n, d_out), ("top", "loss"))]


def _label(name, shape):
    return f"{name}  {shape[0]}×{shape[1]}" if shape != (1, 1) else f"{name}  (a number)"


def describe(n, d_in, d1, d2, d_out):
    """The figure's text alternative, made from the edges it draws."""
    along, above = ([_label(v, s).replace("  ", " ") for v, _, s, (a, _) in
                     edges(n, d_in, d1, d2, d_out) if (a == "top") == top] for top in (0, 1))
    return (f"The network as a computational graph, one row per layer (@, + and ReLU; the last "
            f"row ends with the loss (·−y)² and L). Along the rows: {', '.join(along)}. From "
            f"above: {', '.join(above)}. Each bias passes a node 'copy 1·' that copies it into {n} "
            f"rows and, going back, adds up the {n} rows of d(1·b) into db (rule 4). Under each "
            f"value (black) runs its gradient (red), of the same shape; each + passes it on "
            f"unchanged (rule 1), so dh1, dh2 and dy each label two edges.")


def backward_graph(n, d_in, d1, d2, d_out, ax=None):
    """Draw the graph of (1)–(6), every edge's value, gradient and shape; return the axes."""
    ax = ax or plt.figure(figsize=FIGSIZE, dpi=DPI).add_axes((0, 0, 1, 1))
    ax.set(xlim=(0, FIGSIZE[0]), ylim=(0, FIGSIZE[1]), frame_on=False, xticks=[], yticks=[])
    at = {k: (_COLS[c], _ROWS[r] + 0.72 * (k[:4] == "copy")) for k, (_, r, c) in _NODES.items()}
    pad = {k: {"ReLU": 0.42, "(·−y)²": 0.5}.get(t, 0.2) for k, (t, _, _) in _NODES.items()}
    for k, (t, _, _) in _NODES.items():
        ax.text(*at[k], t, ha="center", va="center", fontsize=10, zorder=3, bbox={
            "boxstyle": "circle,pad=0.2" if len(t) == 1 else "round,pad=0.25",
            "fc": {"ReLU": "#fde4c8", "copy 1·": "#e3f1dc"}.get(t, "#eef2f7")})

    def text(x, y, s, color="black", **kw):
        ax.text(x, y, s, color=color, **{"fontsize": 8 if color == _GREY else 9,
                                         "style": "italic" if color == _GREY else "normal", **kw})
    def edge(x0, y0, x1, y1, value, grad, shape):   # the value, and its gradient beside it
        flat = y0 == y1
        for s, color, k in ((value, "black", 1), (grad, _RED, -1))[:1 + bool(grad)]:
            ox, oy, side = (0, 0.05 * k, 0) if flat else (-0.05 * k, 0, -k if grad else 1)
            ax.annotate("", *[(x + ox, y + oy) for x, y in ((x1, y1), (x0, y0))[::k]],
                        arrowprops={"arrowstyle": "-|>", "color": color})
            text(x0 + 0.12 * side if side else (x0 + x1) / 2, y0 + 0.13 * k if flat else
                 (y0 + y1) / 2, _label(s, shape), color, va="center" if side else
                 "bottom" if k > 0 else "top", ha=("center", "left", "right")[side])

    for value, grad, shape, (a, b) in edges(n, d_in, d1, d2, d_out):
        (x1, y1), row = at[b], _ROWS[_NODES[b][1]]
        if a == "top":                              # a parameter or the target, from above
            text(x1, row + 1.49, value, ha="center", va="bottom", fontsize=10)
            edge(x1, row + 1.45, x1, y1 + 0.2, value, grad, shape)
        elif a[:4] == "copy":                       # 1·b, from the copy node down to +
            edge(x1, at[a][1] - 0.18, x1, y1 + 0.2, value, grad, shape)
            text(x1 + 0.42, at[a][1], f"sums the {n} rows\nof {grad} (rule 4)", _GREY, va="center")
        elif at[a][1] == y1:
            edge(at[a][0] + pad[a], y1, x1 - pad[b], y1, value, grad, shape)
        else:                                       # on to the next row
            edge(at[a][0] + pad[a], at[a][1], _COLS[-1] - 0.45, at[a][1], value, grad, shape)
            text(_COLS[-1] - 0.4, at[a][1], f"to row {_NODES[b][1] + 1}", _GREY, va="center")
            edge(0.78, y1, x1 - pad[b], y1, value, grad, shape)
            text(0.05, y1, f"from row {_NODES[a][1] + 1}", _GREY, va="center")
        if a[0] in "@+r":                           # the rule of the node the edge leaves
            text(at[a][0], at[a][1] - 0.34, {"@": "rule 2", "r": "rule 3"}.get(
                a[0], f"+ passes {grad} on unchanged (rule 1)"), _GREY, ha="center", va="top")
    text(0.1, FIGSIZE[1] - 0.1, "forward: value and shape (black, above);  backward: its gradient "
         "dX = ∂L/∂X, same shape (red, below)", ha="left", va="top")
    return ax
