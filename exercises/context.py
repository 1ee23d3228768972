"""The reference intermediates of one problem, for the checks and the mistake catalogue.

Everything here is computed by the one reference network, :mod:`helpers.network`
(``_forward``, ``_loss``, ``_backward`` and their :class:`~helpers.network.Net` variations).
"""

import numpy as np

from helpers.network import IDENTITY, PAPER, RELU, Net, _backward, _forward, _loss

LEVEL = {"dy": "dy", "db3": "dy", "dw3": "dy", "dh2": "dh2", "db2": "dh2", "dw2": "dh2",
         "dh1": "dh1", "db1": "dh1", "dw1": "dh1"}
_ORDER = ("dy", "dh2", "dh1")
_ACT = {"dy": "h2_relu", "dh2": "h1_relu", "dh1": "x"}
_GRAD = {"dw3": "w3", "db3": "b3", "dw2": "w2", "db2": "b2", "dw1": "w1", "db1": "b1"}


def intermediates(params, x, y=None, net=None):
    """The forward cache (h1 … y_pred, A, B) and, with ``y``, dy (82), dh2 (84), dh1 (86), the
    loss L (6) and the six gradients ``grads``, all recomputed from scratch (fresh arrays, never
    the caller's)."""
    y_pred, c = _forward(params, x, net)
    out = dict(c)
    if y is not None:
        out["grads"] = _backward(params, x, y, c, net)
        out.update(dy=c["dy"], dh2=c["dh2"], dh1=c["dh1"], L=_loss(y_pred, y, net, params))
    return out


def below(params, x, level, G, cache, act=None, act_level=None):
    """The reference backward pass (81)–(86) started from ``G`` in place of dy, dh2 or dh1
    (``level``): returns (grads, cache) with the gradients that G gives.

    y_pred = G/2 and y = 0 make (82) give G exactly; to start at dh2 or dh1 the layers above are
    replaced by identities (w = I, slope 1), which pass G down unchanged. ``act`` replaces the
    activation that multiplies the gradient at ``act_level`` in its weight's gradient (h2_relu,
    h1_relu or x)."""
    p, c = dict(params), {**cache, "y_pred": G / 2}
    if act is not None and act_level == "dh1":
        x = act
    elif act is not None:
        c[_ACT[act_level]] = act
    for k in _ORDER[1:_ORDER.index(level) + 1]:        # dh2: w3, A; dh1: also w2, B
        w, mask = ("w3", "A") if k == "dh2" else ("w2", "B")
        p[w], c[mask] = np.eye(G.shape[1], dtype=G.dtype), np.ones(G.shape, dtype=bool)
    return _backward(p, x, np.zeros_like(G), c), c


def loss_of(params, y, level, h, net=None):
    """L (6) as a function of y_pred, h2 or h1 (``level`` "dy", "dh2", "dh1"): the reference
    forward pass from ``h`` on, with identity layers in front."""
    p, act1, act2 = dict(params), (net or PAPER).act1, (net or PAPER).act2
    if level == "dy":
        return _loss(h, y)
    d = h.shape[1]
    eye, zero = np.eye(d, dtype=h.dtype), np.zeros((1, d), dtype=h.dtype)
    if level == "dh2":                                 # relu(h2)·w3 + b3: layer 2 starts at h2
        p.update(w1=eye, b1=zero, w2=params["w3"], b2=params["b3"])
        d_out = params["w3"].shape[1]
        p.update(w3=np.eye(d_out, dtype=h.dtype), b3=np.zeros((1, d_out), dtype=h.dtype))
        net = Net(act2, IDENTITY)
    else:                                              # layer 1's pre-activation is h1
        p.update(w1=eye, b1=zero)
        net = Net(act1, act2)
    return _loss(_forward(p, h, net)[0], y)


class Context:
    """Attributes: x, y, w1 … b3, h1 … y_pred, A, B, dy, dh2, dh1, L, grads, n, d_out;
    ``quantity`` (the exercise), ``ref`` (its right answer), ``value`` (the student's), ``G``
    (the paper's n×d form at the quantity's level) and ``name`` (a forward quantity's name)."""

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
        """The reference forward pass with terms switched off; returns intermediate ``name``."""
        p = {k: v if on else np.zeros_like(v) for (k, v), on in zip(
            ((k, self.params[k]) for k in ("w1", "b1", "w2", "b2", "w3", "b3")),
            (True, bias1, True, bias2, True, bias3), strict=True)}
        net = Net(RELU if relu1 else IDENTITY, RELU if relu2 else IDENTITY)
        return _forward(p, self.x, net)[1][name]

    def up(self, level, G, act=None):
        """The exercise's quantity computed from a candidate ``G`` for dy, dh2 or dh1."""
        target = LEVEL[self.quantity]
        if _ORDER.index(level) > _ORDER.index(target):
            return None
        forward_cache = {k: getattr(self, k) for k in ("h1", "h1_relu", "B", "h2", "h2_relu",
                                                        "A", "y_pred")}
        grads, c = below(self.params, self.x, level, G, forward_cache, act, target)
        if self.quantity in _ORDER:
            return c[self.quantity]
        return grads[_GRAD[self.quantity]]

    def jacobian(self, start=None):
        """∂y_pred_ij/∂w_kl for every i, j, k, l (w the weight of the quantity, dw1 … dw3): an
        n×d_out×(w's shape) array, one reference backward pass per one-hot dy. ``start(G)``, for
        a mistake, gives the (level, matrix) the pass starts from instead of ("dy", G)."""
        n, d_out = self.dy.shape
        rows = []
        for i, j in np.ndindex(n, d_out):
            G = np.zeros((n, d_out), dtype=self.dy.dtype)
            G[i, j] = 1
            rows.append(self.up(*(start(G) if start else ("dy", G))))
        return np.array(rows).reshape(n, d_out, *rows[0].shape)

    def any_of(self, *candidates):
        """The candidate with the student's shape (the first one), or None."""
        shape = np.shape(self.value)
        return next((c for c in candidates if np.shape(c) == shape), None)


# ---- a ReLU network of any depth (05's backward_any): the paper's layer, stacked
def layers_forward(weights, biases, x, act=RELU):
    """(y_pred, inputs, pre, masks) of the network with the layers ``weights[k]``,
    ``biases[k]``: ReLU (``act``) layers, then a linear output layer. ``inputs[k]`` is layer k's
    input (``inputs[0]`` is x), ``pre[k]`` and ``masks[k]`` the pre-activation and the slope
    (the mask (64), (33)) of ReLU layer k. Each layer is the reference's first layer, (1) and
    (2) in :func:`helpers.network._forward`, its other layers identities."""
    inputs, pre, masks = [x], [], []
    for k, (w, b) in enumerate(zip(weights, biases, strict=True)):
        last = k == len(weights) - 1
        eye, zero = np.eye(w.shape[1], dtype=w.dtype), np.zeros((1, w.shape[1]), dtype=w.dtype)
        _, c = _forward({"w1": w, "b1": b, "w2": eye, "b2": zero, "w3": eye, "b3": zero},
                        inputs[-1], Net(IDENTITY if last else act, IDENTITY))
        if last:
            return c["h1"], inputs, pre, masks
        pre.append(c["h1"])
        inputs.append(c["h1_relu"])
        masks.append(c["B"])
    raise ValueError("a network needs at least one layer")


def layers_backward(weights, biases, x, y, act=RELU, out_masked=False):
    """The gradients of L (6) with respect to every weight and bias of :func:`layers_forward`'s
    network, as two lists ``dws``, ``dbs``. No line of (81)–(86) is written again: each layer is
    the output layer of :func:`helpers.network._backward`, which gives its weight's gradient
    (81), its bias's 1ᵀ·(82) and, as dh2 (84), the gradient one layer back through the mask of
    the ReLU layer below, fed to the next layer down as its "dy" (y_pred = G/2 and y = 0 make
    (82) give G). Variations, for the mistakes of the exercise: ``act`` with another slope (the
    masks), ``out_masked`` (a mask applied to dy as if the output layer had a ReLU)."""
    y_pred, inputs, _, masks = layers_forward(weights, biases, x, act)
    top, target = y_pred, y
    if out_masked:
        top, target = act.slope(y_pred) * (y_pred - y), np.zeros_like(y_pred)
    dws, dbs = [None] * len(weights), [None] * len(weights)
    for k in reversed(range(len(weights))):
        a = inputs[k]
        eye, ones = np.eye(a.shape[1], dtype=a.dtype), np.ones(a.shape, dtype=bool)
        cache = {"h1_relu": a, "B": ones, "h2_relu": a, "A": masks[k - 1] if k else ones,
                 "y_pred": top}
        grads = _backward({"w2": eye, "w3": weights[k]}, a, target, cache)
        dws[k], dbs[k] = grads["w3"], grads["b3"]
        top, target = cache["dh2"] / 2, np.zeros_like(cache["dh2"])
    return dws, dbs
