"""helpers.exercises: right answers pass with one printed line, every recognised mistake fails
with its hint, and the message always names the variable and the equation."""

import numpy as np
import pytest

from helpers import backward, forward, init_params, random_data
from helpers import exercises as ex


def _net(d_in, d1, d2, d_out, n, seed):
    rng = np.random.default_rng(seed)
    params = init_params(d_in, d1, d2, d_out, rng=rng)
    for k in ("b1", "b2", "b3"):                       # non-zero biases: a missing bias shows
        params[k] = 0.5 * rng.standard_normal(params[k].shape)
    x, y = random_data(n, d_in, d_out, rng=seed + 1)
    _, cache = forward(params, x)
    grads = backward(params, x, y, cache)
    # both masks must have zeros and ones, or a missing mask would go unnoticed
    assert 0 < cache["A"].mean() < 1 and 0 < cache["B"].mean() < 1
    return params, x, y, cache, grads


@pytest.fixture(scope="module")
def net():
    """All dimensions different, so a transpose always changes the shape."""
    return _net(4, 6, 3, 2, 5, seed=1)


@pytest.fixture(scope="module")
def square():
    """d_in = d1 = d2 = d_out = n: every wrong order of factors is computable, shapes agree."""
    return _net(4, 4, 4, 4, 4, seed=3)


def _fails(match, fn, *args):
    with pytest.raises(AssertionError, match=match) as info:
        fn(*args)
    return str(info.value)


# ---------------------------------------------------------------- right answers pass

@pytest.mark.parametrize("name, eq", [("h1", "(1)"), ("h1_relu", "(2)"), ("h2", "(3)"),
                                      ("h2_relu", "(4)"), ("y_pred", "(5)")])
def test_forward_right(net, capsys, name, eq):
    params, x, _, cache, _ = net
    ex.check_forward(name, cache[name].copy(), params, x)
    assert capsys.readouterr().out == f"{name} matches eq. {eq}\n"


@pytest.mark.parametrize("name, eq", [("w3", "(81)"), ("b3", "(82)"), ("w2", "(83)"),
                                      ("b2", "(84)"), ("w1", "(85)"), ("b1", "(86)")])
def test_gradient_right(net, capsys, name, eq):
    params, x, y, _, grads = net
    ex.check_gradient(name, grads[name], params, x, y)
    assert capsys.readouterr().out == f"d{name} matches eq. {eq}\n"


@pytest.mark.parametrize("name, var, eq", [("b3", "dy", "(82)"), ("b2", "dh2", "(84)"),
                                           ("b1", "dh1", "(86)")])
def test_seed_form_right(net, capsys, name, var, eq):
    params, x, y, cache, _ = net
    ex.check_seed_bias_form(name, cache[var], params, x, y)
    assert capsys.readouterr().out.startswith(f"{var} matches eq. {eq}")


def test_loss_right_accepts_float_numpy_scalar_and_0d(net, capsys):
    _, _, y, cache, _ = net
    diff = cache["y_pred"] - y
    for value in (float(np.sum(diff ** 2)), np.sum(diff ** 2), np.array(np.sum(diff ** 2))):
        ex.check_loss(value, cache["y_pred"], y)
    assert capsys.readouterr().out == "L matches eq. (6)\n" * 3


def test_float32_uses_a_float32_tolerance(capsys):
    params, x, y, _, _ = _net(4, 6, 3, 2, 5, seed=1)
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    x32, y32 = x.astype(np.float32), y.astype(np.float32)
    _, c = forward(p32, x32)
    g = backward(p32, x32, y32, c)
    # a student's own float32 computation in another order still passes
    dw3 = (c["h2_relu"].T @ (2 * c["y_pred"] - 2 * y32)).astype(np.float32)
    ex.check_gradient("w3", dw3, p32, x32, y32)
    ex.check_gradient("b1", g["b1"], p32, x32, y32)
    assert capsys.readouterr().out == "dw3 matches eq. (81)\ndb1 matches eq. (86)\n"


def test_numerical_and_gd_step_right(net, capsys):
    params, x, y, _, grads = net
    est = _central(params, x, y, "w2")
    ex.check_numerical_gradient(est, params, x, y, "w2")
    old = {k: v.copy() for k, v in params.items()}
    new = {k: v - 0.01 * grads[k] for k, v in old.items()}
    ex.check_gd_step(new, old, grads, 0.01)
    out = capsys.readouterr().out.splitlines()
    assert out == ["the numerical gradient of w2 matches the central difference "
                   "(L(p + ε) − L(p − ε)) / 2ε",
                   "the gradient-descent step matches p ← p − lr·∂L/∂p for all six parameters"]


# ---------------------------------------------------------------- not an answer at all

@pytest.mark.parametrize("value, match", [(None, r"dw2 is None.*eq\. \(83\)"),
                                          ([[1.0]], r"dw2 is a Python list.*eq\. \(83\)"),
                                          ("0.5", r"dw2 is a str.*eq\. \(83\)"),
                                          (np.array([["a"]]), r"dw2 has dtype <U1"),
                                          (np.zeros((6, 3), bool), "dw2 has dtype bool")])
def test_not_an_array(net, value, match):
    params, x, y, _, _ = net
    _fails(match, ex.check_gradient, "w2", value, params, x, y)


def test_none_everywhere(net):
    params, x, y, cache, grads = net
    _fails(r"h2_relu is None.*eq\. \(4\)", ex.check_forward, "h2_relu", None, params, x)
    _fails(r"L is None.*eq\. \(6\)", ex.check_loss, None, cache["y_pred"], y)
    _fails(r"dh1 is None.*eq\. \(86\)", ex.check_seed_bias_form, "b1", None, params, x, y)
    _fails("estimate is None", ex.check_numerical_gradient, None, params, x, y, "b3")
    _fails("new_params is None", ex.check_gd_step, None, params, grads, 0.1)


def test_bad_inputs_are_value_or_type_errors(net):
    params, x, y, _, grads = net
    with pytest.raises(ValueError, match="name must be one of"):
        ex.check_gradient("w4", grads["w3"], params, x, y)
    with pytest.raises(ValueError, match="name must be one of"):
        ex.check_seed_bias_form("w3", grads["w3"], params, x, y)
    with pytest.raises(ValueError, match="x has shape"):
        ex.check_forward("h1", x, params, x[:, :2])
    with pytest.raises(ValueError, match="y has 4 rows"):
        ex.check_gradient("w3", grads["w3"], params, x, y[:4])
    with pytest.raises(TypeError, match="params must be a dict"):
        ex.check_forward("h1", x, [1], x)
    with pytest.raises(ValueError, match="h must be a positive"):
        ex.check_numerical_gradient(grads["w3"], params, x, y, "w3", h=0)
    with pytest.raises(ValueError, match="lr must be"):
        ex.check_gd_step(params, params, grads, -1)
    with pytest.raises(ValueError, match="y_pred has shape"):
        ex.check_loss(1.0, y, y[:2])


# ---------------------------------------------------------------- forward mistakes

def test_forward_mistakes(net):
    params, x, y, c, _ = net
    w1, b1, w2, b2, w3, b3 = (params[k] for k in ("w1", "b1", "w2", "b2", "w3", "b3"))

    def relu(h):
        return np.maximum(h, 0)

    cases = [
        ("h1", x @ w1, r"eq\. \(1\)[\s\S]*bias is missing"),
        ("h1", relu(x @ w1 + b1), r"ReLU applied too early"),
        ("h1", (x @ w1 + b1).T, r"shape \(6, 5\), expected \(5, 6\)[\s\S]*transposed"),
        ("h1_relu", c["h1"], r"eq\. \(2\)[\s\S]*ReLU missing"),
        ("h1_relu", relu(x @ w1), "bias is missing"),
        ("h2", c["h1"] @ w2 + b2, r"eq\. \(3\)[\s\S]*ReLU missing in the forward pass"),
        ("h2", c["h1_relu"] @ w2, "bias is missing"),
        ("h2_relu", c["h2"], r"eq\. \(4\)[\s\S]*ReLU missing"),
        ("h2_relu", relu(c["h1"] @ w2 + b2), "ReLU missing in the first layer"),
        ("y_pred", c["h2_relu"] @ w3, r"eq\. \(5\)[\s\S]*bias is missing"),
        ("y_pred", c["h2"] @ w3 + b3, "ReLU missing in the forward pass"),
        ("y_pred", relu(c["y_pred"]), "output layer \\(5\\) is linear"),
        ("y_pred", ((x @ w1 + b1) @ w2 + b2) @ w3 + b3, "ReLU missing in both hidden layers"),
        ("y_pred", c["y_pred"] + 1, r"yours .* expected"),
    ]
    for name, value, match in cases:
        _fails(match, ex.check_forward, name, value, params, x)


def test_forward_bias_as_1d_is_refused_by_validation(net):
    params, x, _, _, _ = net
    bad = {**params, "b1": params["b1"].ravel()}
    with pytest.raises(ValueError, match="1×d row"):
        ex.check_forward("h1", x @ params["w1"], bad, x)


# ---------------------------------------------------------------- loss mistakes

def test_loss_mistakes(net):
    _, _, y, c, _ = net
    diff = c["y_pred"] - y
    sse = float(np.sum(diff ** 2))
    cases = [
        (sse / diff.size, r"mean instead of sum.*'mean squared error'"),
        (sse / len(y), "mean over the samples"),
        (sse / 2, "factor ½"),
        (np.sqrt(sse), "square root"),
        (float(np.sum(diff)), "not squared"),
        (float(np.sum(np.abs(diff))), "absolute values"),
        (diff ** 2, "kept the squared differences as a matrix"),
        (np.sum(diff ** 2, axis=0), "sum over both axes"),
        (sse + 1, r"Yours .*expected"),
        (True, "L is a bool"),
    ]
    for value, match in cases:
        msg = _fails(match, ex.check_loss, value, c["y_pred"], y)
        assert "eq. (6)" in msg


# ---------------------------------------------------------------- gradient mistakes

BIAS_NOT_SUMMED = (r"bias not summed: the 1×d parameter's gradient is the column sum 1ᵀ·G of "
                   r"the paper's n×d \({}\)")


def test_gradient_shape_mistakes(net):
    params, x, y, c, g = net
    dy = c["dy"]
    cases = [
        ("w3", dy.T @ c["h2_relu"], r"dw3 has shape \(2, 3\), expected \(3, 2\) \(d2×d_out\): "
                                    r"eq\. \(81\)[\s\S]*transposed"),
        ("w2", g["w2"].T, r"eq\. \(83\)[\s\S]*transposed"),
        ("w1", c["dh1"].T @ x, r"eq\. \(85\)[\s\S]*transposed"),
        ("b3", dy, r"eq\. \(82\)[\s\S]*" + BIAS_NOT_SUMMED.format(82)),
        ("b2", c["dh2"], r"eq\. \(84\)[\s\S]*" + BIAS_NOT_SUMMED.format(84)),
        ("b1", c["dh1"], r"eq\. \(86\)[\s\S]*" + BIAS_NOT_SUMMED.format(86)),
        ("b1", c["dh1"] * 3, BIAS_NOT_SUMMED.format(86)),
        ("b2", c["dh2"].sum(axis=0), "1-D"),
        ("b2", c["dh2"].sum(axis=1, keepdims=True), "wrong axis"),
        ("b2", c["dh2"].sum(), "one number"),
        ("b3", dy.sum(axis=0).reshape(-1, 1), "transposed: the 1×d row came out as a d×1 column"),
        ("w3", np.zeros((7, 7)), r"expected \(3, 2\)"),
    ]
    for name, value, match in cases:
        _fails(match, ex.check_gradient, name, np.asarray(value), params, x, y)


def test_gradient_value_mistakes(net):
    params, x, y, c, g = net
    w2, w3 = params["w2"], params["w3"]
    A, B, dy = c["A"], c["B"], c["dy"]
    n, d_out = y.shape
    half = c["h2_relu"].T @ (c["y_pred"] - y)             # dy without its 2
    cases = [
        ("w3", half, "factor 2 is dropped"),
        ("w3", 2 * g["w3"], "factor 2 is applied twice"),
        ("w3", c["h2_relu"].T @ (2 * (y - c["y_pred"])), "sign is flipped"),
        ("w3", g["w3"] / (n * d_out), r"mean instead of sum.*n·d_out"),
        ("w3", g["w3"] / n, r"mean instead of sum.*divide by n\."),
        ("w3", c["h2"].T @ dy, "h2 used instead of h2_relu"),
        ("b3", dy.mean(axis=0, keepdims=True), "mean instead of sum over the samples"),
        ("b3", (c["y_pred"] - y).sum(axis=0, keepdims=True), "factor 2 is dropped"),
        ("w2", c["h1_relu"].T @ (dy @ w3.T), r"mask A \(33\) is missing"),
        ("w2", c["h1"].T @ c["dh2"], "h1 used instead of h1_relu"),
        ("b2", (dy @ w3.T).sum(axis=0, keepdims=True), r"mask A \(33\) is missing"),
        ("b2", -g["b2"], "sign is flipped"),
        ("w1", x.T @ (c["dh2"] @ w2.T), r"mask B \(64\) is missing"),
        ("w1", x.T @ (B * ((dy @ w3.T) @ w2.T)), r"mask A \(33\) is missing"),
        ("w1", x.T @ ((dy @ w3.T) @ w2.T), "both masks are missing"),
        ("b1", (c["dh2"] @ w2.T).sum(axis=0, keepdims=True), r"mask B \(64\) is missing"),
        ("b1", g["b1"] / 2, "factor 2 is dropped"),
        ("w1", g["w1"] + 1e-3, r"Largest difference at index"),
    ]
    for name, value, match in cases:
        msg = _fails(match, ex.check_gradient, name, value, params, x, y)
        assert msg.startswith(f"d{name} does not match eq. "), msg
    del A


def test_gradient_mistakes_with_square_shapes(square):
    """With every dimension equal the shapes cannot tell; the values still can."""
    params, x, y, c, g = square
    w2, w3 = params["w2"], params["w3"]
    A, B, dy = c["A"], c["B"], c["dy"]
    noA = dy @ w3.T
    cases = [
        ("w3", dy.T @ c["h2_relu"], "transposed"),
        ("w2", g["w2"].T, "transposed"),
        ("w1", x.T @ ((B * c["dh2"]) @ w2.T), "mask B applied before instead of after"),
        ("w1", x.T @ (B * (A * (noA @ w2.T))), "mask A applied after instead of before"),
        ("b1", (A * ((B * noA) @ w2.T)).sum(axis=0, keepdims=True), "masks are swapped"),
        ("w2", c["h1_relu"].T @ (B * noA), "mask B \\(64\\) used where mask A \\(33\\)"),
        ("w2", c["h1_relu"].T @ (A * (dy @ w3)), "w3 is not transposed"),
        ("w1", x.T @ (B * (c["dh2"] @ w2)), "w2 is not transposed"),
    ]
    for name, value, match in cases:
        _fails(match, ex.check_gradient, name, value, params, x, y)


def test_seed_form_mistakes(net):
    params, x, y, c, _ = net
    w3 = params["w3"]
    cases = [
        ("b3", c["y_pred"] - y, r"dy does not match eq\. \(82\)[\s\S]*factor 2 is dropped"),
        ("b3", 2 * (y - c["y_pred"]), "sign is flipped"),
        ("b2", c["dy"] @ w3.T, r"dh2 does not match eq\. \(84\)[\s\S]*mask A \(33\) is missing"),
        ("b1", c["dh2"] @ params["w2"].T, r"eq\. \(86\)[\s\S]*mask B \(64\) is missing"),
        ("b2", c["dh2"].sum(axis=0, keepdims=True), r"the summed 1×d gradient"),
        ("b3", c["dy"].T, "transposed"),
    ]
    for name, value, match in cases:
        _fails(match, ex.check_seed_bias_form, name, value, params, x, y)


# ---------------------------------------------------------------- central differences

def _central(params, x, y, name, h=1e-5, kind="central"):
    q = {k: v.copy() for k, v in params.items()}

    def loss():
        return float(np.sum((forward(q, x)[0] - y) ** 2))

    out, L0 = np.zeros(q[name].shape), loss()
    for i in np.ndindex(out.shape):
        orig = q[name][i]
        q[name][i] = orig + h
        plus = loss()
        q[name][i] = orig - h
        minus = loss()
        q[name][i] = orig
        out[i] = {"central": (plus - minus) / (2 * h), "forward": (plus - L0) / h,
                  "backward": (L0 - minus) / h, "by_h": (plus - minus) / h}[kind]
    return out


@pytest.mark.parametrize("kind, match", [("forward", "forward difference instead of central"),
                                         ("backward", "backward difference instead of central"),
                                         ("by_h", "divided by ε instead of 2ε")])
def test_numerical_mistakes(net, kind, match):
    params, x, y, _, _ = net
    est = _central(params, x, y, "w1", kind=kind)
    _fails(match, ex.check_numerical_gradient, est, params, x, y, "w1")


def test_numerical_other_mistakes(net):
    params, x, y, _, _ = net
    est = _central(params, x, y, "b2")
    _fails("sign is flipped", ex.check_numerical_gradient, -est, params, x, y, "b2")
    _fails(r"shape \(3, 1\), expected \(1, 3\)[\s\S]*transposed", ex.check_numerical_gradient,
           est.T, params, x, y, "b2")
    wrong = est.copy()
    wrong[0, 1] += 1.0
    _fails("restored", ex.check_numerical_gradient, wrong, params, x, y, "b2")
    before = {k: v.copy() for k, v in params.items()}
    ex.check_numerical_gradient(est, params, x, y, "b2")
    assert all(np.array_equal(before[k], params[k]) for k in params)   # params left unchanged


# ---------------------------------------------------------------- gradient-descent step

def test_gd_step_mistakes(net):
    params, _, _, _, g = net
    old = {k: v.copy() for k, v in params.items()}
    lr = 0.05
    cases = [
        ({k: v + lr * g[k] for k, v in old.items()}, "added instead of subtracted"),
        ({k: v - g[k] for k, v in old.items()}, "learning rate is missing"),
        ({k: v.copy() for k, v in old.items()}, "parameters are unchanged"),
        ({k: v - 2 * lr * g[k] for k, v in old.items()}, "applied twice"),
        ({k: v - lr * v for k, v in old.items()}, "lr·p instead of lr·g"),
        ({k: v - lr * g[k] for k, v in old.items() if k != "b3"}, "no b3"),
        ([1], "new_params is a list"),
        ({**{k: v - lr * g[k] for k, v in old.items()}, "b1": None}, r"new_params\['b1'\] is None"),
        ({**{k: v - lr * g[k] for k, v in old.items()}, "w2": (old["w2"] - lr * g["w2"]).T},
         r"new_params\['w2'\] has shape \(3, 6\)[\s\S]*transposed"),
    ]
    for new, match in cases:
        _fails(match, ex.check_gd_step, new, old, g, lr)
    # an in-place update checked against the same dict cannot be verified: say so
    same = {k: v.copy() for k, v in params.items()}
    _fails("same array", ex.check_gd_step, same, same, g, lr)
    with pytest.raises(ValueError, match=r"grads\['b1'\] has shape"):
        ex.check_gd_step(old, old, {**g, "b1": np.zeros((5, 6))}, lr)
