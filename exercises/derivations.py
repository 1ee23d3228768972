"""Derivation exercises beyond the paper, graded by finite differences.

The package ships no formula for these answers: each check differentiates the loss numerically
(central differences, :func:`helpers.gradcheck.numerical_gradient`, at two step sizes so that an
entry whose step crosses a ReLU kink is left out) and compares. Typical mistakes are recognised
the same way — as finite differences of a *modified* loss (a mask left out is the gradient of
the network with that ReLU replaced by its tangent line, a missing factor is a rescaled
difference, ∂L/∂h1 instead of ∂L/∂x is a difference in another variable) — or from the shape.

    check_input_gradient(dx, params, x, y)                        ∂L/∂x, n×d_in
    check_mean_loss_gradient(name, value, params, x, y)           L_mean = L / (n·d_out)
    check_weight_decay_gradient(name, value, params, x, y, lam)   L + lam·(‖w1‖² + ‖w2‖² + ‖w3‖²)
    check_leaky_relu_gradient(name, value, params, x, y, alpha=0.1)
                                                  first layer leaky: max(h1, alpha·h1)
    leaky_network(params, x, y, alpha=0.1)        that network's forward pass, dy and dh2, by name

A failure names the notebook's variable (``dx``, ``dw1_mean``, ``db2_reg``, ``dw1_leaky``, …) and
the equation the variation starts from, never the answer.
"""

import math

import numpy as np

from helpers._checks import PARAM_NAMES, check_problem
from helpers.gradcheck import numerical_gradient
from helpers.network import RELU, Activation, Net, _forward, _loss, leaky_relu

from . import provenance
from ._compare import answer, fail, fail_shape, last_run, shape_str
from .catalogue import MISTAKES, Mistake, register
from .context import intermediates, loss_of

__all__ = ["check_input_gradient", "check_mean_loss_gradient", "check_weight_decay_gradient",
           "check_leaky_relu_gradient", "leaky_network"]

_D = ("dx", "mean", "decay", "leaky")

def _decay(dw1, db1="None"):
    """11's weight-decay cell as a student writes it: dw1 and db1 as given, dw2, dw3 right."""
    return (f"dw1_reg = {dw1}\ndw2_reg = h1_relu.T @ dh2 + 2 * lam * w2\n"
            f"dw3_reg = h2_relu.T @ dy + 2 * lam * w3\ndb1_reg = {db1}")

_FD = "the finite differences of the loss"
_BEYOND = "beyond the paper"
for _m in [
    Mistake("d-transposed", "the result is transposed", _BEYOND, _D,
            "has the transposed shape", "The gradient has the shape of the variable.",
         examples=('dx = (dh1 @ w1.T).T',)),
    Mistake("d-summed", "summed over the samples", _BEYOND, ("dx",),
            "shape 1×d_in, the column sums", "Each sample's input has its own row of ∂L/∂x.",
         examples=('dx = (dh1 @ w1.T).sum(axis=0, keepdims=True)',)),
    Mistake("d-dh1-for-dx", "this is ∂L/∂h1, one step short of x", _BEYOND, ("dx",),
            "equals the finite differences of L in h1",
            "x reaches h1 through the first layer's weights: one more step of the chain rule.",
         examples=('dx = dh1',)),
    Mistake("d-w1-not-transposed", "w1 is not transposed", _BEYOND, ("dx",),
            "raises a matmul error in the cell (recognised by the exception handler)",
            "dh1 is n×d1 and w1 is d_in×d1: check which dimension the product contracts.",
         examples=('dx = dh1 @ w1',)),
    Mistake("d-mask-B-missing", "mask B (64) is missing", _BEYOND,
            ("dx", "mean", "decay"), "equals the gradient of the network whose first ReLU is "
            "replaced by its tangent line of slope 1",
            "The path to the loss goes through the first ReLU.",
         examples=('dx = (dh2 @ w2.T) @ w1.T',)),
    Mistake("d-mask-A-missing", "mask A (33) is missing", _BEYOND, ("dx", "mean", "decay"),
            "equals the gradient with the second ReLU's slope taken as 1",
            "The path to the loss goes through the second ReLU too.",
         examples=('dx = (B * ((dy @ w3.T) @ w2.T)) @ w1.T',)),
    Mistake("d-factor", "a scale factor is wrong", _BEYOND, _D,
            "equals the right answer times 2, ½ or −1", "Check the factor 2 of the square and "
            "the sign of the residual.",
         examples=('dx = 2 * dh1 @ w1.T',)),
    Mistake("d-sum-loss", "the gradient of the summed loss (6), not of the mean", _BEYOND,
            ("mean",), "equals n·d_out times the right answer",
            "L_mean divides the sum by the number of entries, and so does its gradient.",
         examples=(
             ('dw1_mean = x.T @ dh1\n'
              'db1_mean = dh1.sum(axis=0, keepdims=True)'),
         )),
    Mistake("d-mean-n", "divided by n only", _BEYOND, ("mean",),
            "equals d_out times the right answer", "L_mean averages over all n·d_out entries.",
         examples=(
             ('dw1_mean = x.T @ dh1 / n\n'
              'db1_mean = dh1.sum(axis=0, keepdims=True) / n'),
         )),
    Mistake("d-mean-twice", "divided by n·d_out twice", _BEYOND, ("mean",),
            "equals the right answer / (n·d_out)", "",
         examples=(
             ('dw1_mean = x.T @ dh1 / (n * d_out) ** 2\n'
              'db1_mean = dh1.sum(axis=0, keepdims=True)'),
         )),
    Mistake("d-bias-seed-form", "the bias gradient is not summed over the samples",
            _BEYOND, ("mean", "decay", "leaky"), "equals the gradient with respect to "
            "the broadcast n×d bias term", "The parameter is 1×d: one number per column.",
         examples=(
             ('dw1_mean = x.T @ dh1 / (n * d_out)\n'
              'db1_mean = dh1 / (n * d_out)'),
         )),
    Mistake("d-decay-missing", "the weight-decay term is missing", _BEYOND, ("decay",),
            "equals the gradient of L without the penalty", "The penalty depends on the weights.",
         examples=(
             _decay("x.T @ dh1"),
         )),
    Mistake("d-decay-factor", "the factor 2 of the penalty is dropped", _BEYOND,
            ("decay",), "equals the data gradient plus half the penalty's gradient",
            "Differentiate the square.",
         examples=(
             _decay("x.T @ dh1 + lam * w1"),
         )),
    Mistake("d-decay-sign", "the penalty's gradient is subtracted", _BEYOND, ("decay",),
            "equals the data gradient minus the penalty's gradient", "",
         examples=(
             _decay("x.T @ dh1 - 2 * lam * w1"),
         )),
    Mistake("d-decay-only", "only the penalty's gradient", _BEYOND, ("decay",),
            "equals the penalty's gradient alone", "L_reg is the loss plus the penalty.",
         examples=(
             _decay("2 * lam * w1"),
         )),
    Mistake("d-decay-bias", "weight decay applied to a bias", _BEYOND, ("decay",),
            "equals the bias's data gradient plus a decay term",
            "The penalty covers w1, w2, w3 only.",
         examples=(
             _decay("x.T @ dh1 + 2 * lam * w1",
                    db1="dh1.sum(axis=0, keepdims=True) + 2 * lam * b1"),
         )),
    Mistake("d-leaky-relu-mask", "the ReLU mask B used where the leaky ReLU's slope belongs",
            _BEYOND, ("leaky",), "equals the gradient with slope 0 for h1 < 0",
            "The leaky ReLU has slope alpha, not 0, where h1 < 0.",
         examples=(
             ('dh1_leaky = B * (dh2_leaky @ w2.T)\n'
              'dw1_leaky = x.T @ dh1_leaky\n'
              'db1_leaky = dh1_leaky.sum(axis=0, keepdims=True)'),
         )),
    Mistake("d-leaky-no-slope", "the leaky ReLU's slope is left out", _BEYOND,
            ("leaky",), "equals the gradient with slope 1 everywhere in the first layer", "",
         examples=(
             ('dh1_leaky = 1.0 * (dh2_leaky @ w2.T)\n'
              'dw1_leaky = x.T @ dh1_leaky\n'
              'db1_leaky = dh1_leaky.sum(axis=0, keepdims=True)'),
         )),
    Mistake("d-leaky-swapped", "the slopes are swapped", _BEYOND, ("leaky",),
            "equals the gradient with slope alpha for h1 ≥ 0 and 1 below",
            "The slope is 1 where h1 ≥ 0 and alpha below.",
         examples=(
             ('dh1_leaky = np.where(h1 >= 0, alpha, 1.0) * (dh2_leaky @ w2.T)\n'
              'dw1_leaky = x.T @ dh1_leaky\n'
              'db1_leaky = dh1_leaky.sum(axis=0, keepdims=True)'),
         )),
]:
    register(_m)


def _net(alpha=None, lin=None, mean=False, lam=0.0):
    """The reference network's variation: leaky ReLU (slope ``alpha``) in the first layer,
    ``lin = {layer: (h0, slope)}`` to replace a layer's activation by a line through its value at
    h0, a mean over the entries, an L2 penalty on the weights."""
    acts = [RELU if alpha is None else leaky_relu(alpha), RELU]
    for layer, (h0, slope) in (lin or {}).items():
        f0 = acts[layer - 1].value(h0)
        acts[layer - 1] = Activation(lambda h, f0=f0, h0=h0, s=slope: f0 + s * (h - h0),
                                     lambda h, s=slope: s + 0 * h)
    return Net(*acts, mean=mean, lam=lam)


def _net_loss(params, x, y, *, decay_biases=False, **variation):
    """The loss of :func:`_net` (``decay_biases``: the penalty covers the biases too)."""
    net = _net(**variation)
    L = _loss(_forward(params, x, net)[0], y, net, params)
    return L + net.lam * sum(float(np.sum(params[k] ** 2)) for k in ("b1", "b2", "b3")
                             if decay_biases)


def _pre(params, x, alpha=None):
    _, c = _forward(params, x, _net(alpha))
    return c["h1"], c["h2"]


def _content(v):
    """``v`` described by its content, hashable: arrays by their bytes, a function by its code
    and what its closure holds (TypeError for anything else)."""
    if isinstance(v, np.ndarray):
        return v.dtype.str, v.shape, v.tobytes()
    if v is None or type(v) in (bool, int, float, str):
        return v
    if type(v) in (tuple, list):
        return type(v).__name__, tuple(_content(u) for u in v)
    if type(v) is dict:
        return "dict", tuple(sorted((k, _content(u)) for k, u in v.items()))
    if type(v) is type(_content):
        return (v.__code__, _content([c.cell_contents for c in v.__closure__ or ()]),
                _content(v.__defaults__), _content(v.__kwdefaults__))
    raise TypeError(type(v).__name__)


_FD_DONE = {}  # the references already computed: every check of a class asks for the same ones


def _fd(loss, params, x, target, h=1e-6):
    """Central differences of ``loss(params, x)`` in ``target`` ("x", a parameter name, or
    "broadcast:<b>" for the n×d bias term), and the mask of entries free of kinks (a copy of
    the result of an earlier call with the same content)."""
    try:
        key = _content((loss, params, x, target, h))
    except TypeError:
        return _fd_compute(loss, params, x, target, h)
    if key not in _FD_DONE:
        if len(_FD_DONE) > 256:
            _FD_DONE.clear()
        _FD_DONE[key] = _fd_compute(loss, params, x, target, h)
    return tuple(a.copy() for a in _FD_DONE[key])


def _fd_compute(loss, params, x, target, h):
    p = {k: v.astype(np.float64, copy=True) for k, v in params.items()}
    xx = np.array(x, dtype=np.float64)
    if target.startswith("broadcast:"):
        b = target.split(":")[1]
        p[b] = np.ones((xx.shape[0], 1)) @ p[b]
        arr = p[b]
    else:
        arr = xx if target == "x" else p[target]

    def f():
        return loss(p, xx)

    g1 = numerical_gradient(f, arr, h=h)
    g2 = numerical_gradient(f, arr, h=h / 4)
    scale = max(float(np.abs(g1).max()), 1e-12)
    return g1, np.abs(g1 - g2) <= 1e-4 * scale


def _grade(var, kind, value, params, x, target, loss, cands, what, extra_shape=None):
    """Compare ``value`` with the finite differences of ``loss`` in ``target``."""
    last_run(var, value=value)
    ref, smooth = _fd(loss, params, x, target)
    value = answer(var, value, f"{what}, a {shape_str(ref.shape)} NumPy array")
    provenance.refuse(var, value, kind, forbidden={"numerical_gradient", "check_gradients",
                                                    "backward", "_backward"})
    label = _FD
    if value.shape != ref.shape:
        m = None
        if value.shape == ref.shape[::-1]:
            m = MISTAKES["d-transposed"]
        for key, shape in (extra_shape or {}).items():
            if value.shape == shape:
                m = MISTAKES[key]
        for key, thunk in cands:
            c = thunk()
            if c is not None and c.shape == value.shape and _near(value, c, np.ones(c.shape,
                                                                                    bool)):
                m = MISTAKES[key]
                break
        fail_shape(var, label, what, "the shape of the variable", value, ref, m)
    if _near(value, ref, smooth):
        print(f"{var} matches the finite differences of {what.split(',')[0]}")
        return
    m = None
    for key, thunk in list(cands) + [("d-factor", lambda: 2 * ref), ("d-factor", lambda: ref / 2),
                                     ("d-factor", lambda: -ref)]:
        c = thunk()
        if c is not None and c.shape == value.shape and _near(value, c, smooth):
            m = MISTAKES[key]
            break
    fail(var, label, what, value, ref, m)


def _near(value, ref, smooth, rtol=1e-5):
    v, r = np.asarray(value, np.float64), np.asarray(ref, np.float64)
    if not np.isfinite(v).all():
        return False
    scale = max(float(np.abs(r).max()), 1e-12)
    return bool((np.abs(v - r)[smooth] <= rtol * scale).all())


def _masks_missing(params, x, y, target, **kw):
    h1, h2 = _pre(params, x, kw.get("alpha"))
    return [("d-mask-B-missing", lambda: _fd(lambda p, xx: _net_loss(
                p, xx, y, lin={1: (h1, 1.0)}, **kw), params, x, target)[0]),
            ("d-mask-A-missing", lambda: _fd(lambda p, xx: _net_loss(
                p, xx, y, lin={2: (h2, 1.0)}, **kw), params, x, target)[0])]


def check_input_gradient(dx, params, x, y):
    """∂L/∂x of the loss (6), n×d_in, graded by finite differences in x."""
    dtype, x, y = check_problem(params, x, y)
    n, d_in = x.shape
    cands = _masks_missing(params, x, y, "x")

    def dh1():
        p = {k: v.astype(np.float64) for k, v in params.items()}
        h1 = _pre(p, x)[0]
        return numerical_gradient(lambda: loss_of(p, y, "dh1", h1), h1, h=1e-6)

    cands.append(("d-dh1-for-dx", dh1))
    cands.append(("d-summed", lambda: _fd(lambda p, xx: _net_loss(p, xx, y), params, x,
                                          "x")[0].sum(axis=0, keepdims=True)))
    _grade("dx", "dx", dx, params, x, "x", lambda p, xx: _net_loss(p, xx, y), cands,
           "∂L/∂x, the gradient of the loss, eq. (6), with respect to the input x")


def _param(name):
    if name not in PARAM_NAMES:
        raise ValueError(f"name must be one of {', '.join(PARAM_NAMES)}; got {name!r}")


def _bias_seed(name, loss, params, x):
    if name[0] != "b":
        return []
    return [("d-bias-seed-form", lambda: _fd(loss, params, x, f"broadcast:{name}")[0])]


def check_mean_loss_gradient(name, value, params, x, y):
    """∂L_mean/∂``name`` for L_mean = L / (n·d_out), the literal mean squared error."""
    _param(name)
    dtype, x, y = check_problem(params, x, y)
    N = y.size

    def loss(p, xx):
        return _net_loss(p, xx, y, mean=True)

    cands = [("d-sum-loss", lambda: _fd(loss, params, x, name)[0] * N),
             ("d-mean-n", lambda: _fd(loss, params, x, name)[0] * y.shape[1]),
             ("d-mean-twice", lambda: _fd(loss, params, x, name)[0] / N)]
    cands += _masks_missing(params, x, y, name, mean=True) + _bias_seed(name, loss, params, x)
    _grade(f"d{name}_mean", "mean", value, params, x, name, loss, cands,
           f"∂L_mean/∂{name}, L_mean = L / (n·d_out) with L the loss of eq. (6)")


def check_weight_decay_gradient(name, value, params, x, y, lam):
    """∂L_reg/∂``name`` for L_reg = L + lam·(‖w1‖² + ‖w2‖² + ‖w3‖²) (biases not decayed)."""
    _param(name)
    if isinstance(lam, bool) or not isinstance(lam, (int, float, np.floating)) or not (
            math.isfinite(lam) and lam > 0):
        raise ValueError(f"lam must be a positive number; got {lam!r}")
    dtype, x, y = check_problem(params, x, y)

    def loss(p, xx):
        return _net_loss(p, xx, y, lam=lam)

    data = lambda: _fd(lambda p, xx: _net_loss(p, xx, y), params, x, name)[0]  # noqa: E731
    pen = lambda: _fd(lambda p, xx: _net_loss(p, xx, y, lam=lam, decay_biases=True)  # noqa: E731
                      - _net_loss(p, xx, y), params, x, name)[0]
    cands = [("d-decay-missing", data if name[0] == "w" else lambda: None),
             ("d-decay-factor", lambda: data() + pen() / 2 if name[0] == "w" else None),
             ("d-decay-sign", lambda: data() - pen() if name[0] == "w" else None),
             ("d-decay-only", lambda: pen() if name[0] == "w" else None),
             ("d-decay-bias", lambda: data() + pen() if name[0] == "b" else None)]
    cands += _masks_missing(params, x, y, name, lam=lam) + _bias_seed(name, loss, params, x)
    _grade(f"d{name}_reg", "decay", value, params, x, name, loss, cands,
           f"∂L_reg/∂{name}, L_reg = L + lam·(‖w1‖² + ‖w2‖² + ‖w3‖²), L the loss of eq. (6)")


def check_leaky_relu_gradient(name, value, params, x, y, alpha=0.1):
    """∂L/∂``name`` when the first hidden layer uses the leaky ReLU max(h1, alpha·h1)."""
    _param(name)
    _alpha(alpha)
    dtype, x, y = check_problem(params, x, y)
    h1, _ = _pre(params, x, alpha)

    def loss(p, xx):
        return _net_loss(p, xx, y, alpha=alpha)

    def slope(s):
        return lambda: _fd(lambda p, xx: _net_loss(p, xx, y, alpha=alpha, lin={1: (h1, s)}),
                           params, x, name)[0]

    cands = [("d-leaky-relu-mask", slope((h1 >= 0).astype(float))),
             ("d-leaky-no-slope", slope(1.0)),
             ("d-leaky-swapped", slope(np.where(h1 >= 0, alpha, 1.0)))]
    cands += _bias_seed(name, loss, params, x)
    _grade(f"d{name}_leaky", "leaky", value, params, x, name, loss, cands,
           f"∂L/∂{name} with a leaky ReLU (alpha = {alpha:g}) in place of the ReLU of eq. (2)")


def _alpha(alpha):
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating)) or not (
            0 < alpha < 1):
        raise ValueError(f"alpha must be a number between 0 and 1; got {alpha!r}")


def leaky_network(params, x, y, alpha=0.1):
    """The network with the leaky ReLU max(h1, alpha·h1) in its first layer, by name: its ``h1``,
    ``h1_leaky``, ``h2``, ``h2_relu``, ``y_pred``, mask ``A``, ``dy`` and ``dh2`` (fresh arrays)."""
    _alpha(alpha)
    _, x, y = check_problem(params, x, y)
    p = {k: v.astype(np.float64) for k, v in params.items()}
    c = intermediates(p, x, y, Net(leaky_relu(alpha), RELU))
    out = {k: c["h1_relu" if k == "h1_leaky" else k]
           for k in ("h1", "h1_leaky", "h2", "h2_relu", "y_pred", "A", "dy", "dh2")}
    for v in out.values():
        provenance.issue(v)
    return out
