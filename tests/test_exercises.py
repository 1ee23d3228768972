"""exercises: right answers pass with one printed line; an answer that is not an array,
or bad inputs, get a clear message naming the variable and the equation. The mistakes and their
hints: tests/test_catalogue.py."""

import numpy as np
import pytest

import exercises as ex
from helpers import backward, forward, init_params, random_data


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


@pytest.mark.parametrize("name, eq", [("w3", "eq. (81)"), ("b3", "1ᵀ·(82)"), ("w2", "eq. (83)"),
                                      ("b2", "1ᵀ·(84)"), ("w1", "eq. (85)"), ("b1", "1ᵀ·(86)")])
def test_gradient_right(net, capsys, name, eq):
    params, x, y, _, grads = net
    ex.check_gradient(name, grads[name], params, x, y)
    assert capsys.readouterr().out == f"d{name} matches {eq}\n"


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
    assert capsys.readouterr().out == "dw3 matches eq. (81)\ndb1 matches 1ᵀ·(86)\n"


def test_numerical_and_gd_step_right(net, capsys):
    params, x, y, _, grads = net
    est = _central(params, x, y, "w2")
    ex.check_numerical_gradient(est, params, x, y, "w2")
    old = {k: v.copy() for k, v in params.items()}
    new = {k: v - 0.01 * grads[k] for k, v in old.items()}
    ex.check_gd_step(new, old, grads, 0.01)
    out = capsys.readouterr().out.splitlines()
    assert out == ["your estimate for w2 matches the central difference "
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


def test_forward_bias_as_1d_is_refused_by_validation(net):
    params, x, _, _, _ = net
    bad = {**params, "b1": params["b1"].ravel()}
    with pytest.raises(ValueError, match="1×d row"):
        ex.check_forward("h1", x @ params["w1"], bad, x)


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


@pytest.mark.parametrize("h", [1, np.int64(1), np.float32(0.5)])
def test_numerical_gradient_takes_any_positive_real_h(net, h, capsys):
    """h=np.int64(1) (a NumPy integer) is a number like 1, as helpers.gradcheck accepts it."""
    params, x, y, _, _ = net
    ex.check_numerical_gradient(_central(params, x, y, "b3", h=float(h)), params, x, y, "b3", h=h)
    assert "matches the central difference" in capsys.readouterr().out


def test_a_message_never_says_minus_zero():
    from exercises._compare import ExerciseError, fail
    with pytest.raises(ExerciseError) as info:
        fail("dw3", "(81)", "dw3", np.array([[1.0, 2.0]]), np.array([[-0.0, 2.0]]), None)
    assert "expected 0 " in str(info.value) and "-0" not in str(info.value)
