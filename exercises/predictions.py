"""Predictions before a derivation, not graded: notebook 11's "Predict before you run" prompts.

Each prompt asks for a property of an answer before the student derives it; the cell after the
prompt holds the prediction as a value the code can check: a name in quotes, a number, a set of
names, True or False (``...`` in the classroom edition). After the exercise's own check, one call
here computes the property itself, by finite differences as :mod:`.derivations` does (no formula
for these answers here either), says which parts of the prediction were right, and only then
prints the answer and why::

    check_input_gradient_prediction(starts_from, summed, params, x, y)
    check_mean_loss_prediction(factor, same_in_every_layer, params, x, y)
    check_weight_decay_prediction(changed, uses_data, params, x, y, lam)
    check_leaky_relu_prediction(below_zero, above_zero, params, x, y, alpha=0.1)

A prediction left as ``...`` (or None) reveals nothing, nor does one that cannot be read (say,
"dh3" for a name): each says so in one line. Nothing raises on a prediction, right, wrong or
missing: it earns no points, and the notebook runs on. Bad *inputs* (params, x, y, lam, alpha)
are refused as by the checks.
"""

import math
import numbers

import numpy as np

from helpers._checks import PARAM_NAMES, check_problem
from helpers.data import random_data
from helpers.gradcheck import numerical_gradient
from helpers.network import IDENTITY, RELU, Net, _forward, leaky_relu
from helpers.printing import fmt

from .context import intermediates, loss_of
from .derivations import _alpha, _fd, _net_loss

__all__ = ["check_input_gradient_prediction", "check_mean_loss_prediction",
           "check_weight_decay_prediction", "check_leaky_relu_prediction"]

NOTHING_YET = ("No prediction yet: write yours in place of ... in the prediction cell above the "
               "exercise, run it, then run this cell. Nothing is revealed until you do.")
# the six gradients of (6) in the paper's order, with their labels
LABEL = {"w3": "(81)", "b3": "1ᵀ·(82)", "w2": "(83)", "b2": "1ᵀ·(84)", "w1": "(85)",
         "b1": "1ᵀ·(86)"}
# where the backward pass can hand dx its start: the seed, the layer it belongs to, its equation
SEEDS = {"dh1": ("h1", "(86)"), "dh2": ("h2", "(84)"), "dy": ("y_pred", "(82)")}
_RTOL = 1e-6


class _Unreadable(ValueError):
    """A prediction in a form that cannot be compared."""


# ------------------------------------------------------------------ reading a prediction

def _choice(options):
    def read(value, what):
        if not isinstance(value, str) or value.strip() not in options:
            raise _Unreadable(f"{what} is one of {', '.join(map(repr, options))} (a name in "
                              f"quotes); got {_shown(value)}")
        return value.strip()
    return read


def _truth(value, what):
    if not isinstance(value, (bool, np.bool_)):
        raise _Unreadable(f"{what} is True or False; got {_shown(value)}")
    return bool(value)


def _number(value, what):
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or \
            not math.isfinite(value):
        raise _Unreadable(f"{what} is one number; got {_shown(value)}")
    return float(value)


def _names(value, what):
    """A set of gradients' names, "dw1" (also "w1" or "dw1_reg"); returned as {"w1", …}."""
    if isinstance(value, str) or not isinstance(value, (set, frozenset, list, tuple)):
        raise _Unreadable(f"{what} is a set of names such as {{\"dw1\", \"db1\"}}; got "
                          f"{_shown(value)}")
    out = set()
    for v in value:
        name = v.strip().removesuffix("_reg") if isinstance(v, str) else ""
        name = name[1:] if name.startswith("d") else name
        if name not in PARAM_NAMES:
            raise _Unreadable(f"{what} holds names out of "
                              f"{', '.join('d' + k for k in PARAM_NAMES)}; got {_shown(v)}")
        out.add(name)
    return out


def _shown(value):
    """A prediction as the messages quote it."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Real):
        return fmt(value)
    if isinstance(value, (set, frozenset, list, tuple)):
        return "{" + ", ".join(sorted(map(str, value))) + "}" if value else "{} (none)"
    return f"a {type(value).__name__}"


def _read(*readers):
    """The values of (reader, value, what) triples, or None after saying that a part is still
    the placeholder or why one is unreadable."""
    if any(value is ... or value is None for _, value, _ in readers):
        print(NOTHING_YET)
        return None
    try:
        return [reader(value, what) for reader, value, what in readers]
    except _Unreadable as err:
        print(f"Your prediction cannot be checked: {err}. Nothing is revealed: correct it in the "
              f"prediction cell, run it, then this cell.")
        return None


def _report(parts, answer, why):
    """The verdict on each part, (what, the prediction as shown, right?, note), and only then
    the answer and why."""
    marks = "; ".join(f"{what}: {shown}, {'right' if ok else 'wrong'}{note}"
                      for what, shown, ok, note in parts)
    print(f"Your prediction (not graded): {marks}.\nThe answer, computed here: {answer}.\n"
          f"Why: {why}.")


# ------------------------------------------------------------------ computing the answer

def _close(a, b, rtol=_RTOL):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    scale = max(float(np.abs(b).max(initial=0.0)), float(np.abs(a).max(initial=0.0)), 1e-12)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= rtol * scale))


def _same(a, b):
    """A predicted number against a computed one: equal to four significant digits."""
    return abs(a - b) <= 1e-4 * max(abs(b), 1e-12)


def _problem(params, x, y):
    _, x, y = check_problem(params, x, y)
    p = {k: v.astype(np.float64) for k, v in params.items()}
    return p, x.astype(np.float64), y.astype(np.float64)


def _jacobians(p, x, layer, h=1e-6):
    """Sample by sample, J[i] = ∂ layer[i, :] / ∂ x[i, :] (d_in × d), by central differences."""
    xx = x.copy()
    out = []
    for i in range(x.shape[0]):
        rows = []
        for k in range(x.shape[1]):
            orig = xx[i, k]
            xx[i, k] = orig + h
            plus = _forward(p, xx)[1][layer][i]
            xx[i, k] = orig - h
            minus = _forward(p, xx)[1][layer][i]
            xx[i, k] = orig
            rows.append((plus - minus) / (2 * h))
        out.append(np.array(rows))
    return out


def check_input_gradient_prediction(starts_from, summed, params, x, y):
    """Exercise 1's prediction: which of "dy", "dh2", "dh1" dx starts from, and whether dx is
    summed over the samples as dw1 is (True or False)."""
    p, x, y = _problem(params, x, y)
    read = _read((_choice(("dy", "dh2", "dh1")), starts_from, "where dx starts"),
                 (_truth, summed, "whether dx is summed over the samples"))
    if read is None:
        return
    starts_from, summed = read
    n, d_in = x.shape
    dx = _fd(lambda q, xx: _net_loss(q, xx, y), p, x, "x")[0]
    seeds = intermediates(p, x, y)
    # from each seed the chain rule gives dx, sample by sample; from which by one matrix for all?
    one_matrix = {}
    for seed, (layer, _) in SEEDS.items():
        J = _jacobians(p, x, layer)
        assert all(_close(dx[i], seeds[seed][i] @ J[i].T) for i in range(n)), \
            f"the chain rule from {seed} does not give the finite differences of ∂L/∂x"
        one_matrix[seed] = all(_close(Ji, J[0]) for Ji in J)
    truth = next(s for s in SEEDS if one_matrix[s])        # the nearest to x
    others = [s for s in SEEDS if not one_matrix[s]]
    # row i of dx against the gradient of sample i's own terms of (6)
    own = []
    for i in range(n):
        x_i = x[i:i + 1].copy()
        own.append(numerical_gradient(lambda x_i=x_i, i=i: _net_loss(p, x_i, y[i:i + 1]), x_i,
                                      h=1e-6)[0])
    truth_summed = not all(_close(dx[i], own[i]) for i in range(n))
    # while dw1 is the sum of the samples' own gradients
    per_sample = sum(_fd(lambda q, xx, i=i: _net_loss(q, xx, y[i:i + 1]), p, x[i:i + 1], "w1")[0]
                     for i in range(n))
    assert _close(_fd(lambda q, xx: _net_loss(q, xx, y), p, x, "w1")[0], per_sample), \
        "dw1 is not the sum of the samples' gradients"
    layer = SEEDS[truth][0]
    differ = (f", while from {' or '.join(others)} it changes from sample to sample with the ReLU "
              f"masks in between" if others else "")
    _report([("dx starts from", repr(starts_from), starts_from == truth, ""),
             ("summed over the samples", str(summed), summed == truth_summed, "")],
            f"dx starts from {truth} {SEEDS[truth][1]}, and it is "
            f"{'summed' if truth_summed else 'not summed'} over the samples: {n}×{d_in}, one row "
            f"per sample",
            f"from {layer} back to x all {n} samples have one and the same Jacobian{differ}; and "
            f"row i of x enters only sample i's terms of (6), whereas w1 serves all {n} samples, "
            f"so dw1 adds up their gradients")


def check_mean_loss_prediction(factor, same_in_every_layer, params, x, y):
    """Exercise 2's prediction: the number each gradient of (6) is multiplied by to give the mean
    loss's, and whether that number is the same for all six gradients (True or False)."""
    p, x, y = _problem(params, x, y)
    read = _read((_number, factor, "the factor"),
                 (_truth, same_in_every_layer, "whether it is the same in every layer"))
    if read is None:
        return
    factor, same = read
    ratio = {}
    for name in LABEL:
        g = _fd(lambda q, xx: _net_loss(q, xx, y), p, x, name)[0]
        g_mean = _fd(lambda q, xx: _net_loss(q, xx, y, mean=True), p, x, name)[0]
        ratio[name] = float(np.sum(g_mean * g) / np.sum(g * g))
        assert _close(g_mean, ratio[name] * g), f"∂L_mean/∂{name} is no multiple of ∂L/∂{name}"
    first, N = ratio["w3"], y.size
    truth_same = all(abs(r - first) <= _RTOL * abs(first) for r in ratio.values())
    assert truth_same and abs(first * N - 1) <= _RTOL, "the factor is not 1/(n·d_out) throughout"
    note = f" ({fmt(factor)} is what they are divided by)" if (
        not _same(factor, first) and _same(factor * first, 1.0)) else ""
    _report([("the factor", fmt(factor), _same(factor, first), note),
             ("the same in every layer", str(same), same == truth_same, "")],
            f"each gradient of L_mean is {fmt(first)} times that of (6), the same factor for all "
            f"six, {', '.join(LABEL.values())}: 1/(n·d_out), with n·d_out = {N}",
            "L_mean is the loss (6) times one constant, and the derivative of a constant times "
            "a function is that constant times its derivative, in every layer alike")


def check_weight_decay_prediction(changed, uses_data, params, x, y, lam):
    """Exercise 3's prediction: which of the six gradients change with weight decay (a set of
    names such as {"dw1", "db1"}), and whether the change depends on the data x, y."""
    if isinstance(lam, bool) or not isinstance(lam, numbers.Real) or not (
            math.isfinite(lam) and lam > 0):
        raise ValueError(f"lam must be a positive number; got {lam!r}")
    p, x, y = _problem(params, x, y)
    read = _read((_names, changed, "what changes"),
                 (_truth, uses_data, "whether the change depends on x, y"))
    if read is None:
        return
    changed, uses_data = read

    def change(xx, yy, name):
        """∂L_reg/∂name − ∂L/∂name, by finite differences, on the data xx, yy."""
        return (_fd(lambda q, xs: _net_loss(q, xs, yy, lam=lam), p, xx, name)[0]
                - _fd(lambda q, xs: _net_loss(q, xs, yy), p, xx, name)[0])

    delta = {k: change(x, y, k) for k in PARAM_NAMES}
    scale = max(float(np.abs(v).max()) for v in delta.values())
    truth = {k for k, v in delta.items() if float(np.abs(v).max()) > 1e-6 * scale}
    other = random_data(*x.shape, y.shape[1], rng=np.random.default_rng(2020))
    truth_uses = any(float(np.abs(delta[k] - change(*other, k)).max()) > 1e-6 * scale
                     for k in PARAM_NAMES)
    order = sorted(PARAM_NAMES, key=lambda k: k[0] == "b")          # dw1, dw2, dw3, db1, …
    moved = [f"d{k}" for k in order if k in truth]
    kept = [f"d{k}" for k in order if k not in truth]
    _report([("what changes", _shown({f"d{k}" for k in changed}), changed == truth, ""),
             ("depends on x, y", str(uses_data), uses_data == truth_uses, "")],
            f"{', '.join(moved) or 'none'} change and {', '.join(kept) or 'none'} do not; the "
            f"change {'differs' if truth_uses else 'is the same'} for other data x, y of the same "
            f"shapes",
            "the penalty holds w1, w2, w3 and no bias, and neither x nor y: its gradient adds to "
            "theirs alone, whatever the data")


def check_leaky_relu_prediction(below_zero, above_zero, params, x, y, alpha=0.1):
    """Exercise 4's prediction: the entries of what takes the place of the mask B (64) in the
    leaky network, where h1 < 0 and where h1 > 0 (two numbers)."""
    _alpha(alpha)
    p, x, y = _problem(params, x, y)
    c = intermediates(p, x, y)
    h1, B = c["h1"], c["B"]
    neg, pos = h1 < 0, h1 > 0
    if not (neg.any() and pos.any()):
        raise ValueError("this prediction needs entries of h1 on both sides of 0")
    read = _read((_number, below_zero, "the entry where h1 < 0"),
                 (_number, above_zero, "the entry where h1 > 0"))
    if read is None:
        return
    below_zero, above_zero = read
    leaky, eps = leaky_relu(alpha), 1e-6
    slope = (leaky.value(h1 + eps) - leaky.value(h1 - eps)) / (2 * eps)
    # the chain rule through the activation, by finite differences on both sides of it
    H, out = h1.copy(), leaky.value(h1)
    dh1 = numerical_gradient(lambda: loss_of(p, y, "dh1", H, Net(leaky, RELU)), H, h=eps)
    dout = numerical_gradient(lambda: loss_of(p, y, "dh1", out, Net(IDENTITY, RELU)), out, h=eps)
    assert _close(dh1, slope * dout, rtol=1e-5), "∂L/∂h1 is not the slope times ∂L/∂h1_leaky"
    s_neg, s_pos = float(slope[neg].mean()), float(slope[pos].mean())
    assert _close(slope[neg], np.full(neg.sum(), s_neg)) and \
        _close(slope[pos], np.full(pos.sum(), s_pos)), "the slope is not constant on a side"
    named = " (alpha)" if _same(s_neg, alpha) else ""
    _report([("where h1 < 0", fmt(below_zero), _same(below_zero, s_neg), ""),
             ("where h1 > 0", fmt(above_zero), _same(above_zero, s_pos), "")],
            f"the leaky ReLU's slope at h1, entry by entry, takes the place of B: {fmt(s_neg)}"
            f"{named} at the {int(neg.sum())} entries where h1 < 0 and {fmt(s_pos)} at the "
            f"{int(pos.sum())} where h1 > 0, where B (64) has {fmt(B[neg].mean())} and "
            f"{fmt(B[pos].mean())}",
            "by the chain rule ∂L/∂h1 is ∂L/∂h1_leaky times the activation's slope at h1, entry "
            "by entry (each checked here by finite differences), and B (64) is the ReLU's slope")
