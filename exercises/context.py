"""The reference intermediates of one problem, for the checks and the mistake catalogue."""

import numpy as np

from helpers.network import _backward, _forward, _loss

LEVEL = {"dy": "dy", "db3": "dy", "dw3": "dy", "dh2": "dh2", "db2": "dh2", "dw2": "dh2",
         "dh1": "dh1", "db1": "dh1", "dw1": "dh1"}
_ORDER = ("dy", "dh2", "dh1")
_ACT = {"dy": "h2_relu", "dh2": "h1_relu", "dh1": "x"}


def intermediates(params, x, y=None):
    """The forward cache (h1 … y_pred, A, B) and, with ``y``, dy (82), dh2 (84), dh1 (86) and
    the loss L (6), all recomputed from scratch (fresh arrays, never the caller's)."""
    y_pred, c = _forward(params, x)
    out = dict(c)
    if y is not None:
        _backward(params, x, y, c)
        out.update(dy=c["dy"], dh2=c["dh2"], dh1=c["dh1"], L=_loss(y_pred, y))
    return out


class Context:
    """Attributes: x, y, w1 … b3, h1 … y_pred, A, B, dy, dh2, dh1, L, n, d_out; ``quantity``
    (the exercise), ``ref`` (its right answer), ``value`` (the student's), ``G`` (the paper's
    n×d form at the quantity's level) and ``name`` (a forward quantity's name)."""

    def __init__(self, params, x, y, quantity, ref=None, value=None):
        self.params, self.x, self.y = params, x, y
        self.__dict__.update({k: params[k] for k in params})
        self.__dict__.update(intermediates(params, x, y))
        self.quantity, self.name, self.ref, self.value = quantity, quantity, ref, value
        self.n = x.shape[0]
        self.d_out = params["w3"].shape[1]
        level = LEVEL.get(quantity)
        self.G = getattr(self, level) if level else None
        self.pre = {"h1_relu": self.h1, "h2_relu": self.h2}.get(quantity)

    def fwd(self, name, *, bias1=True, relu1=True, bias2=True, relu2=True, bias3=True):
        """The forward pass with terms switched off; returns intermediate ``name``."""
        h1 = self.x @ self.w1 + (self.b1 if bias1 else 0)
        h1r = np.maximum(h1, 0) if relu1 else h1
        h2 = h1r @ self.w2 + (self.b2 if bias2 else 0)
        h2r = np.maximum(h2, 0) if relu2 else h2
        y_pred = h2r @ self.w3 + (self.b3 if bias3 else 0)
        return {"h1": h1, "h1_relu": h1r, "h2": h2, "h2_relu": h2r, "y_pred": y_pred}[name]

    def up(self, level, G, act=None):
        """The exercise's quantity computed from a candidate ``G`` for dy, dh2 or dh1."""
        target = LEVEL[self.quantity]
        if _ORDER.index(level) > _ORDER.index(target):
            return None
        while level != target:
            if level == "dy":
                G, level = self.A * (G @ self.w3.T), "dh2"
            else:
                G, level = self.B * (G @ self.w2.T), "dh1"
        kind = self.quantity[:2]
        if self.quantity in _ORDER:
            return G
        if kind == "db":
            return G.sum(axis=0, keepdims=True)
        act = getattr(self, _ACT[level]) if act is None else act
        return act.T @ G

    def any_of(self, *candidates):
        """The candidate with the student's shape (the first one), or None."""
        shape = np.shape(self.value)
        return next((c for c in candidates if np.shape(c) == shape), None)
