"""Figures the notebooks share: loss curves, gradient-check summaries, masks and heatmaps.

Every function draws on the ``ax`` it is given, or on a new figure of a fixed size and dpi, and
returns the axes. Nothing here changes matplotlib's global settings.
"""

import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, MaxNLocator, NullLocator

__all__ = ["FIGSIZE", "DPI", "new_axes", "show_figure", "loss_curve", "gradcheck_summary",
           "heatmap", "masks"]

FIGSIZE = (6.0, 3.6)
DPI = 100
# Okabe–Ito colours (colour-blind safe), each with its own line style (but see _Axes).
CYCLE = cycler(color=["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000"],
               linestyle=["-", "--", "-.", ":", (0, (5, 1, 1, 1))])


class _Axes(Axes):      # a line given its colour but no style is solid, not dashed for nothing
    def plot(self, *args, **kw):        # a format string ("o", "k--") sets the style itself
        if {"color", "c"} & kw.keys() and not {"linestyle", "ls", "dashes"} & kw.keys() and \
                not any(isinstance(a, str) for a in args):
            kw["linestyle"] = "-"
        return super().plot(*args, **kw)


def new_axes(ncols=1, *, figsize=None, squeeze=True):
    """A new figure with ``ncols`` axes side by side, at the project's size and dpi."""
    size = figsize or (FIGSIZE[0] * (1 if ncols == 1 else 0.8 * ncols), FIGSIZE[1])
    _, axes = plt.subplots(1, ncols, figsize=size, dpi=DPI, squeeze=squeeze, layout="constrained",
                           subplot_kw={"axes_class": _Axes, "prop_cycle": CYCLE})
    return axes


def show_figure(alt, fig=None):
    """Display ``fig`` (default: the current one) and close it. ``alt``, what a screen reader reads
    instead (what it shows, what to notice), is the image's ``alt`` metadata and plain text."""
    from IPython import get_ipython
    from IPython.display import publish_display_data

    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("show_figure needs a text alternative: what the figure shows")
    if get_ipython() is None:
        raise RuntimeError("show_figure displays in a notebook; elsewhere use fig.savefig")
    fig = fig if fig is not None else plt.gcf()
    data, metadata = get_ipython().display_formatter.format(fig)
    plt.close(fig)
    metadata.setdefault("image/png", {})["alt"] = alt
    publish_display_data({**data, "text/plain": alt}, metadata)


def _round_decade_ticks(ax, values):
    """Log-axis ticks every 1, 2, 5, …, 100 decades (at most 8), not matplotlib's odd strides."""
    positive = values[np.isfinite(values) & (values > 0)]
    if positive.size == 0:
        return
    lo, hi = np.floor(np.log10(positive.min())), np.ceil(np.log10(positive.max()))
    step = next((s for s in (1, 2, 5, 10, 20, 50, 100) if (hi - lo) / s <= 7), 200)
    if step > 1:
        start = np.floor(lo / step) * step
        ax.yaxis.set_major_locator(FixedLocator(10.0 ** np.arange(start, hi + step, step)))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_ylim(10.0 ** start, 10.0 ** (np.ceil(hi / step) * step))


def loss_curve(history, *, ax=None, label=None, title="Training loss, eq. (6)"):
    """Plot a loss history (one value per step) on a log y axis."""
    history = _real(history, "history")
    if history.ndim != 1 or history.size == 0:
        raise ValueError(f"history must be a non-empty 1-D sequence of losses; got shape "
                         f"{history.shape}")
    ax = ax if ax is not None else new_axes()
    ax.plot(np.arange(history.size), history, label=label)
    ax.set_yscale("log")
    _round_decade_ticks(ax, history)
    ax.set_xlabel("step")
    ax.set_ylabel("L (sum of squares)")
    if title:
        ax.set_title(title)
    if label is not None:
        ax.legend()
    ax.grid(True, which="major", alpha=0.3)
    return ax


def gradcheck_summary(report, *, ax=None, title="Gradient check: max relative error"):
    """Bar chart of a GradCheckReport's max relative errors (log scale) against the tolerance:
    passes blue, failures orange and hatched, kink counts under the names, all-kink ones gray."""
    checks = list(report.checks.values())
    if not checks:
        raise ValueError("the report has no parameters to show")
    ax = ax if ax is not None else new_axes()
    tiny = 1e-18            # an exact 0 sits at the bottom of the log axis, a NaN is a full bar
    values = [1.0 if np.isnan(c.max_error) else max(c.max_error, tiny) for c in checks]
    checked = [getattr(c, "checked", True) for c in checks]
    kinds = ["passed" if c.passed else "FAILED" if ok else "not checked"
             for c, ok in zip(checks, checked, strict=True)]
    looks = {"passed": ("#0072B2", ""), "FAILED": ("#D55E00", "xx"), "not checked": ("0.7", "..")}
    labels = [c.name + (f"\n{c.n_kinks} kink(s)" * bool(c.n_kinks) if ok else "\nnot checked")
              for c, ok in zip(checks, checked, strict=True)]
    bars = ax.bar(labels, values, color=[looks[k][0] for k in kinds],
                  hatch=[looks[k][1] for k in kinds], edgecolor="k", linewidth=0.5)
    seen = {k: bar for k, bar in zip(kinds, bars, strict=True)}
    ax.legend(seen.values(), seen.keys(), fontsize=8)
    for rtol in sorted({c.rtol for c in checks}):
        ax.axhline(rtol, color="k", linestyle="--", linewidth=1)
    ax.set_yscale("log")
    ax.set_ylim(tiny, 1.0)
    ax.set_ylabel("relative error")
    if title:
        ax.set_title(title)
    return ax


def heatmap(matrix, *, ax=None, title=None, cmap="RdBu_r", symmetric=True, colorbar=True):
    """Show a matrix as a heatmap, rows down and columns across, with integer ticks on the indices
    from 1 like the equations' (row i is sample i). A boolean matrix is a ReLU mask (33), (64):
    black = 1 (the unit active for that sample), white = 0, with a key under it."""
    mask = np.asarray(matrix).dtype == bool
    m = _real(matrix, "matrix")
    if m.ndim != 2 or m.size == 0:
        raise ValueError(f"heatmap needs a non-empty 2-D matrix; got shape {m.shape}")
    ax = ax if ax is not None else new_axes()
    rows, cols = m.shape                  # cell (i, j) is centred on the point (j, i), from 1
    lim = (float(np.abs(m[np.isfinite(m)]).max(initial=0.0)) or 1.0) if symmetric else None
    image = ax.imshow(m, cmap="Greys" if mask else cmap, vmin=0 if mask else lim and -lim,
                      vmax=1 if mask else lim, aspect="auto", interpolation="nearest",
                      extent=(0.5, cols + 0.5, rows + 0.5, 0.5))
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(MaxNLocator(integer=True))
    if mask:
        ax.legend(handles=[Patch(facecolor=c, edgecolor="k", label=text) for c, text in
                           (("k", "1 = active (h ≥ 0)"), ("w", "0 = cut off (h < 0)"))],
                  loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False, fontsize=8)
    elif colorbar:
        ax.figure.colorbar(image, ax=ax)
    if title:
        ax.set_title(title)
    ax.set_xlabel("column (unit)" if mask else "column")
    ax.set_ylabel("row i (sample)")
    return ax


def _real(values, name):
    """As a float array; complex input is refused (its imaginary part would be dropped)."""
    if isinstance(values, np.ma.MaskedArray):
        raise TypeError(f"{name} is a masked array; pass plain data, e.g. {name}.filled(np.nan)")
    arr = np.asarray(values)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers; got dtype {arr.dtype}")
    return arr.astype(float)


def masks(A, B, *, axes=None):
    """The ReLU masks side by side: B (eq. 64, n×d1) and A (eq. 33, n×d2); black = 1 (active)."""
    axes = axes if axes is not None else new_axes(2)
    for ax, m, name in zip(axes, (B, A), ("B = Relu'(h1), eq. (64)", "A = Relu'(h2), eq. (33)"),
                           strict=True):
        heatmap(np.asarray(m, dtype=bool), ax=ax, title=name)
    return axes
