"""The mistake catalogue: every entry is driven with the very mistake it names, written as a
student would write it. The check must fail with that entry (``ExerciseError.mistake``), its
message must carry the entry's hint, and no message may state the formula. Since every case
expects its own key, no other mistake gets that hint.
"""

import numpy as np
import pytest
from test_exercises import _central, _net  # tests/ is on sys.path

import exercises as ex
from exercises.catalogue import MISTAKES
from exercises.tasks import TASKS

NET = dict(d_in=4, d1=6, d2=3, d_out=2, n=5, seed=1)       # pairwise different sizes
SQUARE = dict(d_in=4, d1=4, d2=4, d_out=4, n=4, seed=3)   # every product computable


def _problem(sizes):
    params, x, y, cache, grads = _net(**sizes)
    c = dict(cache, x=x, y=y, **params)
    return params, x, y, c


def _fwd(c, bias=(1, 1, 1), relu=(1, 1)):
    h1 = c["x"] @ c["w1"] + bias[0] * c["b1"]
    h1r = np.maximum(h1, 0) if relu[0] else h1
    h2 = h1r @ c["w2"] + bias[1] * c["b2"]
    h2r = np.maximum(h2, 0) if relu[1] else h2
    return {"h1": h1, "h1_relu": h1r, "h2": h2, "h2_relu": h2r, "y_pred": h2r @ c["w3"] +
            bias[2] * c["b3"]}


# (key, quantity, sizes, the wrong answer a student writes)
FORWARD = [
    ("f-bias-missing-1", "h1", NET, lambda c: c["x"] @ c["w1"]),
    ("f-relu-too-early-1", "h1", NET, lambda c: np.maximum(c["x"] @ c["w1"] + c["b1"], 0)),
    ("f-relu-missing-2", "h1_relu", NET, lambda c: c["h1"]),
    ("f-relu-inverted", "h1_relu", NET, lambda c: np.minimum(c["h1"], 0)),
    ("f-np-max", "h1_relu", NET, lambda c: np.max(c["h1"], 0)),
    ("f-np-max", "h2_relu", NET, lambda c: np.max(c["h2"], axis=1, keepdims=True)),
    ("f-np-max", "h2_relu", NET, lambda c: np.max(c["h2"], 0)),
    ("f-relu-inverted", "h2_relu", NET, lambda c: c["h2"] * (c["h2"] < 0)),
    ("f-relu1-missing", "h2", NET, lambda c: _fwd(c, relu=(0, 1))["h2"]),
    ("f-bias-missing-3", "h2", NET, lambda c: c["h1_relu"] @ c["w2"]),
    ("f-relu-too-early-3", "h2", NET, lambda c: np.maximum(c["h2"], 0)),
    ("f-relu-missing-4", "h2_relu", NET, lambda c: c["h2"]),
    ("f-bias-missing-5", "y_pred", NET, lambda c: c["h2_relu"] @ c["w3"]),
    ("f-relu2-missing", "y_pred", NET, lambda c: c["h2"] @ c["w3"] + c["b3"]),
    ("f-relu-on-output", "y_pred", NET, lambda c: np.maximum(c["y_pred"], 0)),
    ("f-no-relu", "y_pred", NET, lambda c: _fwd(c, relu=(0, 0))["y_pred"]),
    ("f-no-biases", "y_pred", NET, lambda c: _fwd(c, bias=(0, 0, 0))["y_pred"]),
    ("x-1d", "h2", NET, lambda c: c["h2"].ravel()),
]
LOSS = [
    ("l-mean-all", lambda d: np.mean(d ** 2)), ("l-mean-n", lambda d: np.sum(d ** 2) / len(d)),
    ("l-half", lambda d: 0.5 * np.sum(d ** 2)), ("l-sqrt", lambda d: np.linalg.norm(d)),
    ("l-not-squared", lambda d: np.sum(d)), ("l-abs", lambda d: np.sum(np.abs(d))),
    ("l-square-after-sum", lambda d: np.sum(d) ** 2), ("l-matrix", lambda d: d ** 2),
    ("l-one-axis", lambda d: np.sum(d ** 2, axis=0)),
    ("l-one-axis", lambda d: np.sum(d ** 2, axis=1, keepdims=True)),
]
GRADIENTS = [
    ("g-factor2-dropped", "dw3", NET, lambda c: c["h2_relu"].T @ (c["y_pred"] - c["y"])),
    ("g-factor2-twice", "dh2", NET, lambda c: 2 * c["dh2"]),
    ("g-sign", "dy", NET, lambda c: 2 * (c["y"] - c["y_pred"])),
    ("g-mean-all", "dy", NET, lambda c: 2 * (c["y_pred"] - c["y"]) / c["y"].size),
    ("g-mean-n", "dw1", NET, lambda c: c["x"].T @ c["dh1"] / len(c["x"])),
    ("g-h2-for-h2relu", "dw3", NET, lambda c: c["h2"].T @ c["dy"]),
    ("g-h1-for-h1relu", "dw2", NET, lambda c: c["h1"].T @ c["dh2"]),
    ("g-missing-transpose-w3", "dw3", dict(NET, n=3), lambda c: c["h2_relu"] @ c["dy"]),
    ("g-missing-transpose-w2", "dw2", dict(NET, n=6), lambda c: c["h1_relu"] @ c["dh2"]),
    ("g-missing-transpose-w1", "dw1", dict(NET, n=4), lambda c: c["x"] @ c["dh1"]),
    ("g-result-transposed", "dw2", NET, lambda c: c["dh2"].T @ c["h1_relu"]),
    ("g-result-transposed", "dw3", SQUARE, lambda c: c["dy"].T @ c["h2_relu"]),
    ("g-mask-A-missing", "dh2", NET, lambda c: c["dy"] @ c["w3"].T),
    ("g-mask-A-missing", "dw2", NET, lambda c: c["h1_relu"].T @ (c["dy"] @ c["w3"].T)),
    ("g-mask-B-missing", "dh1", NET, lambda c: c["dh2"] @ c["w2"].T),
    ("g-mask-B-missing", "db1", NET, lambda c: (c["dh2"] @ c["w2"].T).sum(0, keepdims=True)),
    ("g-masks-missing", "dw1", NET, lambda c: c["x"].T @ (c["dy"] @ c["w3"].T @ c["w2"].T)),
    ("g-mask-B-for-A", "dh2", SQUARE, lambda c: c["B"] * (c["dy"] @ c["w3"].T)),
    ("g-mask-A-for-B", "dh1", SQUARE, lambda c: c["A"] * (c["dh2"] @ c["w2"].T)),
    ("g-mask-A-for-B", "dw1", SQUARE, lambda c: c["x"].T @ (c["A"] * (c["dh2"] @ c["w2"].T))),
    ("g-masks-swapped", "dh1", SQUARE, lambda c: _swapped(c)),
    ("g-mask-B-before-product", "dh1", SQUARE, lambda c: (c["B"] * c["dh2"]) @ c["w2"].T),
    ("g-mask-A-after-product", "dw1", SQUARE, lambda c: c["x"].T @ _a_after(c)),
    ("g-matmul-for-hadamard-A", "dh2", SQUARE, lambda c: c["A"] @ (c["dy"] @ c["w3"].T)),
    ("g-matmul-for-hadamard-A", "db2", SQUARE,
     lambda c: (c["A"] @ (c["dy"] @ c["w3"].T)).sum(axis=0, keepdims=True)),
    ("g-matmul-for-hadamard-B", "dh1", SQUARE, lambda c: c["B"] @ (c["dh2"] @ c["w2"].T)),
    ("g-w3-not-transposed", "dh2", SQUARE, lambda c: c["A"] * (c["dy"] @ c["w3"])),
    ("g-w2-not-transposed", "dh1", SQUARE, lambda c: c["B"] * (c["dh2"] @ c["w2"])),
    ("g-act-for-mask-A", "dh2", NET, lambda c: c["h2_relu"] * (c["dy"] @ c["w3"].T)),
    ("g-act-for-mask-B", "dw1", NET, lambda c: c["x"].T @ (c["h1_relu"] * (c["dh2"] @ c["w2"].T))),
    ("g-mask-A-inverted", "dh2", NET, lambda c: (~c["A"]) * (c["dy"] @ c["w3"].T)),
    ("g-mask-B-inverted", "dh1", NET, lambda c: (~c["B"]) * (c["dh2"] @ c["w2"].T)),
    ("g-precedence", "dh2", SQUARE, lambda c: c["A"] * c["dy"] @ c["w3"].T),
    ("b-not-summed", "db3", NET, lambda c: c["dy"]),
    ("b-mean", "db2", NET, lambda c: c["dh2"].mean(axis=0, keepdims=True)),
    ("b-wrong-axis", "db2", NET, lambda c: c["dh2"].sum(axis=1, keepdims=True)),
    ("b-wrong-axis", "db2", SQUARE, lambda c: c["dh2"].sum(axis=1, keepdims=True)),
    ("b-wrong-axis", "db1", NET, lambda c: c["dh1"].sum(axis=1)),
    ("b-transposed", "db1", NET, lambda c: c["dh1"].sum(axis=0, keepdims=True).T),
    ("b-1d", "db3", NET, lambda c: c["dy"].sum(axis=0)),
    ("b-total", "db3", NET, lambda c: c["dy"].sum()),
    ("b-first-row", "db3", NET, lambda c: c["dy"][:1]),
    ("b-mask-summed", "db1", NET, lambda c: c["B"].sum(axis=0, keepdims=True)),
    ("b-mask-summed", "db2", NET, lambda c: c["A"].sum(axis=0, keepdims=True)),
    ("s-summed", "dh1", NET, lambda c: c["dh1"].sum(axis=0, keepdims=True)),
]


def _swapped(c):
    return c["A"] * ((c["B"] * (c["dy"] @ c["w3"].T)) @ c["w2"].T)


def _a_after(c):
    return c["B"] * (c["A"] * ((c["dy"] @ c["w3"].T) @ c["w2"].T))


_CHECK = {"dy": ("seed", "b3"), "dh2": ("seed", "b2"), "dh1": ("seed", "b1"),
          **{f"d{k}": ("grad", k) for k in ("w1", "b1", "w2", "b2", "w3", "b3")}}


def _check(q, value, params, x, y):
    if q in TASKS and q in ("h1", "h1_relu", "h2", "h2_relu", "y_pred"):
        return ex.check_forward(q, value, params, x)
    kind, name = _CHECK[q]
    fn = ex.check_seed_bias_form if kind == "seed" else ex.check_gradient
    return fn(name, value, params, x, y)


def _mistake(fn, *args):
    with pytest.raises(ex.ExerciseError) as info:
        fn(*args)
    return info.value


def _no_formula(message):
    for t in TASKS.values():
        for text in (t.formula, t.code):
            assert not text or text not in message, (text, message)
    for bit in ("h2_relu.T", "A * (", "B * (", "dy @ w3.T", "2(y_pred − y)", "2 * (y_pred",
                "axis=0", "1ᵀ·d"):
        assert bit not in message, (bit, message)


@pytest.mark.parametrize("key, q, sizes, wrong", FORWARD + GRADIENTS,
                         ids=[f"{k}:{q}" for k, q, *_ in FORWARD + GRADIENTS])
def test_each_mistake_gets_its_own_hint(key, q, sizes, wrong):
    params, x, y, c = _problem(sizes)
    err = _mistake(_check, q, wrong(c), params, x, y)
    assert err.mistake == key, str(err)
    own = TASKS[q].eq                  # an entry of several exercises names each one's own
    assert MISTAKES[key].text(own) in str(err)
    assert (MISTAKES[key].eq or own) in str(err)
    _no_formula(str(err))


@pytest.mark.parametrize("key, wrong", LOSS, ids=[k for k, _ in LOSS])
def test_each_loss_mistake(key, wrong):
    _, _, y, c = _problem(NET)
    err = _mistake(ex.check_loss, wrong(c["y_pred"] - y), c["y_pred"], y)
    assert err.mistake == key, str(err)
    _no_formula(str(err))


@pytest.mark.parametrize("sizes", [NET, SQUARE])
@pytest.mark.parametrize("q", ["h1_relu", "y_pred", "dy", "dw3", "db3", "dh2", "dw2", "db2",
                               "dh1", "dw1", "db1"])
def test_an_unrecognised_error_gets_no_hint(q, sizes):
    """A wrong value that is no catalogued mistake fails without a 'Likely mistake' line."""
    params, x, y, c = _problem(sizes)
    right = c[q] if q in c else {"dw3": lambda: c["h2_relu"].T @ c["dy"],
                                 "db3": lambda: c["dy"].sum(0, keepdims=True),
                                 "dw2": lambda: c["h1_relu"].T @ c["dh2"],
                                 "db2": lambda: c["dh2"].sum(0, keepdims=True),
                                 "dw1": lambda: c["x"].T @ c["dh1"],
                                 "db1": lambda: c["dh1"].sum(0, keepdims=True)}[q]()
    wrong = right + 0.37 * np.sin(np.arange(right.size).reshape(right.shape) + 1.0)
    err = _mistake(_check, q, wrong, params, x, y)
    assert err.mistake is None and "Likely mistake" not in str(err), str(err)


# ---------------------------------------------------------------- 07 and 08

def _central_copy(params, x, y, name, h=1e-5):
    """The copy mistake: each entry is perturbed in a copy the forward pass never reads."""
    from helpers import forward, loss
    p = params[name].copy()
    est = np.zeros(p.shape)
    for idx in np.ndindex(p.shape):
        orig = p[idx]
        p[idx] = orig + h
        plus = loss(forward(params, x)[0], y)
        p[idx] = orig - h
        minus = loss(forward(params, x)[0], y)
        p[idx] = orig
        est[idx] = (plus - minus) / (2 * h)
    return est


def _central_unrestored(params, x, y, name, h=1e-5):
    from helpers import forward, loss
    p = params[name]
    est = np.zeros(p.shape)
    for idx in np.ndindex(p.shape):
        orig = p[idx]
        p[idx] = orig + h
        plus = loss(forward(params, x)[0], y)
        p[idx] = orig - h
        minus = loss(forward(params, x)[0], y)
        est[idx] = (plus - minus) / (2 * h)
    return est


@pytest.mark.parametrize("key, make", [
    ("n-h-not-2h", lambda p, x, y: _central(p, x, y, "w1", kind="by_h")),
    ("n-sign", lambda p, x, y: -_central(p, x, y, "w1")),
    ("n-4h", lambda p, x, y: _central(p, x, y, "w1") / 2),
    ("n-precedence", lambda p, x, y: _central(p, x, y, "w1") * 1e-5 ** 2),   # / 2 * epsilon
    ("n-forward", lambda p, x, y: _central(p, x, y, "w1", kind="forward")),
    ("n-backward", lambda p, x, y: _central(p, x, y, "w1", kind="backward")),
    ("n-copy-perturbed", lambda p, x, y: _central_copy(p, x, y, "w1")),
    ("n-not-restored", lambda p, x, y: _central_unrestored(p, x, y, "w1")),
])
def test_numerical_mistakes(key, make):
    params, x, y, _ = _problem(NET)
    params = {k: v.copy() for k, v in params.items()}
    est = make(params, x, y)                  # may change params, as the student's code would
    err = _mistake(ex.check_numerical_gradient, est, params, x, y, "w1")
    assert err.mistake == key, str(err)


def test_relu_hints_of_h2_relu_name_eq_4():
    params, x, y, c = _problem(NET)
    for wrong in (np.max(c["h2"], 0), c["h2"] * (c["h2"] < 0)):
        err = str(_mistake(ex.check_forward, "h2_relu", wrong, params, x))
        assert "(eq. (4))" in err and "(eq. (2))" not in err, err


def test_numerical_mistakes_of_the_function_itself():
    """The check calls the student's function: params come back as they were in every case."""
    params, x, y, _ = _problem(NET)
    before = {k: v.copy() for k, v in params.items()}
    w1 = params["w1"]
    err = _mistake(ex.check_numerical_gradient,
                   lambda p, x, y, name, epsilon: _central_unrestored(p, x, y, name, h=epsilon),
                   params, x, y, "w1")
    assert err.mistake == "n-not-restored", str(err)
    assert params["w1"] is w1 and all(np.array_equal(params[k], before[k]) for k in params)


def test_numerical_unrecognised_error_gets_no_hint():
    params, x, y, _ = _problem(NET)
    est = _central(params, x, y, "b2")
    est[0, 1] += 1.0
    err = _mistake(ex.check_numerical_gradient, est, params, x, y, "b2")
    assert err.mistake is None and "Likely mistake" not in str(err)


@pytest.mark.parametrize("key, make", [
    ("st-added", lambda o, g, lr: {k: v + lr * g[k] for k, v in o.items()}),
    ("st-no-lr", lambda o, g, lr: {k: v - g[k] for k, v in o.items()}),
    ("st-unchanged", lambda o, g, lr: {k: v.copy() for k, v in o.items()}),
    ("st-twice", lambda o, g, lr: {k: v - 2 * lr * g[k] for k, v in o.items()}),
    ("st-lr-p", lambda o, g, lr: {k: v - lr * v for k, v in o.items()}),
    ("st-biases-left-out", lambda o, g, lr: {**o, **{k: o[k] - lr * g[k] for k in
                                                      ("w1", "w2", "w3")}}),
    ("st-biases-left-out", lambda o, g, lr: {k: o[k] - lr * g[k] for k in ("w1", "w2", "w3")}),
    ("st-biases-left-out", lambda o, g, lr: {k: o[k] - lr * g[k] if k[0] == "w" else o[k].copy()
                                             for k in o}),
])
def test_gd_step_mistakes(key, make):
    params, x, y, c = _problem(NET)
    _, _, _, _, grads = _net(**NET)
    old = {k: v.copy() for k, v in params.items()}
    err = _mistake(ex.check_gd_step, make(old, grads, 0.05), old, grads, 0.05)
    assert err.mistake == key, str(err)
