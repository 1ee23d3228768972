"""helpers.network: shapes, dtypes, eqs. (1)–(6) and (81)–(86) against a plain re-derivation,
the seed's bias form, the cache check, and a clear error for every kind of bad input."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import backward, forward, init_params, loss
from helpers.network import mask_A, mask_B, relu, seed_bias_gradient

#: small widths, 1 included: (n, d_in, d1, d2, d_out)
shapes = st.tuples(*[st.integers(min_value=1, max_value=5)] * 5)

CACHE_KEYS = {"h1", "h1_relu", "B", "h2", "h2_relu", "A", "y_pred"}


def reference(params, x, y):
    """Eqs. (1)–(6) and (81)–(86) written out plainly (broadcast biases, seed's n×d forms)."""
    w1, b1, w2, b2, w3, b3 = (params[k] for k in ("w1", "b1", "w2", "b2", "w3", "b3"))
    h1 = x @ w1 + np.ones((x.shape[0], 1)) @ b1                       # (1)
    h1_relu = np.where(h1 > 0, h1, 0.0)                                # (2)
    h2 = h1_relu @ w2 + np.ones((x.shape[0], 1)) @ b2                  # (3)
    h2_relu = np.where(h2 > 0, h2, 0.0)                                # (4)
    y_pred = h2_relu @ w3 + np.ones((x.shape[0], 1)) @ b3              # (5)
    L = float(np.sum((y_pred - y) ** 2))                               # (6), a sum
    A, B = (h2 >= 0).astype(float), (h1 >= 0).astype(float)            # (33), (64)
    dy = 2 * (y_pred - y)                                              # (82)
    dh2 = A * (dy @ w3.T)                                              # (84)
    dh1 = B * (dh2 @ w2.T)                                             # (86)
    grads = {"w3": h2_relu.T @ dy, "w2": h1_relu.T @ dh2, "w1": x.T @ dh1,   # (81) (83) (85)
             "b3": dy, "b2": dh2, "b1": dh1}
    return y_pred, L, grads, {"h1": h1, "h2": h2, "dy": dy, "dh2": dh2, "dh1": dh1}


# ---------------------------------------------------------------- init_params

@given(shapes, st.sampled_from([np.float32, np.float64]))
def test_init_shapes_and_dtype(dims, dtype):
    _, d_in, d1, d2, d_out = dims
    p = init_params(d_in, d1, d2, d_out, rng=3, dtype=dtype)
    expected = {"w1": (d_in, d1), "b1": (1, d1), "w2": (d1, d2), "b2": (1, d2),
                "w3": (d2, d_out), "b3": (1, d_out)}
    assert {k: v.shape for k, v in p.items()} == expected
    assert all(v.dtype == dtype for v in p.values())
    assert all(not p[k].any() for k in ("b1", "b2", "b3")), "biases start at zero"


def test_init_deterministic_and_seed_dependent():
    a, b = init_params(4, 3, 2, 1, rng=7), init_params(4, 3, 2, 1, rng=7)
    c = init_params(4, 3, 2, 1, rng=8)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["w1"], c["w1"])
    default = init_params(4, 3, 2, 1)
    assert np.array_equal(default["w1"], init_params(4, 3, 2, 1, rng=0)["w1"]), "None is seed 0"
    gen = init_params(4, 3, 2, 1, rng=np.random.default_rng(7))
    assert np.array_equal(gen["w2"], a["w2"]), "a Generator and its seed give the same numbers"


def test_init_scales():
    he = init_params(400, 300, 200, 100, rng=0)
    assert he["w1"].std() == pytest.approx(np.sqrt(2 / 400), rel=0.05)
    assert he["w2"].std() == pytest.approx(np.sqrt(2 / 300), rel=0.05)
    assert he["w3"].std() == pytest.approx(np.sqrt(1 / 200), rel=0.05)
    fixed = init_params(200, 100, 50, 10, rng=0, scale=0.1)
    assert fixed["w1"].std() == pytest.approx(0.1, rel=0.05)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"d_in": 0}, ValueError, "d_in must be a positive integer; got 0"),
    ({"d1": -2}, ValueError, "d1 must be a positive integer"),
    ({"d2": 2.0}, TypeError, r"d2 must be an integer; got 2.0 \(float\)"),
    ({"d_out": True}, TypeError, "d_out must be an integer"),
    ({"scale": "a"}, TypeError, "scale must be a number or None; got str"),
    ({"scale": True}, TypeError, "scale must be a number or None; got bool"),
    ({"dtype": np.int64}, TypeError, "dtype must be float32 or float64; got int64"),
    ({"dtype": np.float16}, TypeError, "float32 or float64"),
    ({"scale": -1.0}, ValueError, "scale must be a positive finite number"),
    ({"scale": np.nan}, ValueError, "scale must be a positive finite number"),
])
def test_init_bad_input(kwargs, exc, match):
    args = {"d_in": 3, "d1": 2, "d2": 2, "d_out": 1}
    extra = {k: kwargs.pop(k) for k in ("dtype", "scale") if k in kwargs}
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        init_params(**args, **extra)


# ---------------------------------------------------------------- forward and loss

@given(shapes, st.integers(0, 2**32 - 1))
def test_forward_matches_equations(make_problem, dims, seed):
    params, x, y = make_problem(*dims, seed=seed)
    y_pred, cache = forward(params, x)
    ref_y, ref_L, _, ref = reference(params, x, y)
    assert set(cache) >= CACHE_KEYS
    np.testing.assert_allclose(y_pred, ref_y, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(cache["h1"], ref["h1"], rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(cache["B"], cache["h1"] >= 0)
    np.testing.assert_array_equal(cache["A"], cache["h2"] >= 0)
    np.testing.assert_array_equal(cache["h2_relu"], np.maximum(cache["h2"], 0))
    assert loss(y_pred, y) == pytest.approx(ref_L, rel=1e-12)


@given(shapes, st.sampled_from([np.float32, np.float64]))
def test_forward_backward_preserve_dtype_and_shape(make_problem, dims, dtype):
    params, x, y = make_problem(*dims, dtype=dtype)
    n, d_in, d1, d2, d_out = dims
    y_pred, cache = forward(params, x)
    assert y_pred.shape == (n, d_out) and y_pred.dtype == dtype
    assert cache["h1"].shape == (n, d1) and cache["h2"].shape == (n, d2)
    assert cache["A"].dtype == bool and cache["B"].dtype == bool
    grads = backward(params, x, y, cache)
    for k, p in params.items():
        assert grads[k].shape == p.shape and grads[k].dtype == dtype, k
    seed = backward(params, x, y, cache, bias_form="seed")
    for k, d in (("b1", d1), ("b2", d2), ("b3", d_out)):
        assert seed[k].shape == (n, d) and seed[k].dtype == dtype, k


def test_integer_x_is_converted(make_problem):
    params, x, _ = make_problem(3, 2, 3, 3, 1)
    xi = np.array([[1, 2], [3, -4], [0, 5]])
    np.testing.assert_array_equal(forward(params, xi)[0], forward(params, xi.astype(float))[0])


def test_relu_and_masks_convention_at_zero():
    h = np.array([[-1.0, -0.0, 0.0, 2.0]])
    np.testing.assert_array_equal(relu(h), [[0, 0, 0, 2]])
    # the seed takes Relu'(0) = 1: masks are 1 where h >= 0 (eqs. 33, 64)
    np.testing.assert_array_equal(mask_A(h), [[False, True, True, True]])
    np.testing.assert_array_equal(mask_B(h), [[False, True, True, True]])


def test_loss_is_a_sum_not_a_mean():
    y_pred = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = np.zeros((2, 2))
    assert loss(y_pred, y) == 30.0
    assert isinstance(loss(y_pred, y), float)


# ---------------------------------------------------------------- backward

@given(shapes, st.integers(0, 2**32 - 1))
def test_backward_matches_equations(make_problem, dims, seed):
    params, x, y = make_problem(*dims, seed=seed)
    _, cache = forward(params, x)
    grads = backward(params, x, y, cache)
    seed_form = backward(params, x, y, cache, bias_form="seed")
    _, _, ref, inter = reference(params, x, y)
    for k in ("w1", "w2", "w3"):
        np.testing.assert_allclose(grads[k], ref[k], rtol=1e-10, atol=1e-12, err_msg=k)
        np.testing.assert_array_equal(seed_form[k], grads[k])
    for k in ("b1", "b2", "b3"):
        np.testing.assert_allclose(seed_form[k], ref[k], rtol=1e-10, atol=1e-12, err_msg=k)
        # the true 1×d gradient is the column sum 1ᵀ·G of the seed's n×d form (82), (84), (86)
        np.testing.assert_allclose(grads[k], seed_form[k].sum(axis=0, keepdims=True),
                                   rtol=1e-12, atol=1e-12, err_msg=k)
        np.testing.assert_allclose(seed_bias_gradient(seed_form[k]), grads[k], rtol=1e-12,
                                   atol=1e-12, err_msg=k)
    for k in ("dy", "dh2", "dh1"):
        np.testing.assert_allclose(cache[k], inter[k], rtol=1e-10, atol=1e-12, err_msg=k)


def test_bias_gradient_sum_differs_from_seed_form_when_n_gt_1(problem):
    params, x, y = problem
    _, cache = forward(params, x)
    seed_form = backward(params, x, y, cache, bias_form="seed")
    summed = backward(params, x, y, cache)
    assert seed_form["b3"].shape == (4, 2) and summed["b3"].shape == (1, 2)
    np.testing.assert_allclose(summed["b3"], 2 * (cache["y_pred"] - y).sum(axis=0, keepdims=True))


def test_float32_matches_float64_roughly(make_problem):
    p64, x64, y64 = make_problem(6, 3, 4, 4, 2, seed=5)
    p32 = {k: v.astype(np.float32) for k, v in p64.items()}
    g64 = backward(p64, x64, y64, forward(p64, x64)[1])
    x32, y32 = x64.astype(np.float32), y64.astype(np.float32)
    g32 = backward(p32, x32, y32, forward(p32, x32)[1])
    for k in g64:
        np.testing.assert_allclose(g32[k], g64[k], rtol=1e-3, atol=1e-4, err_msg=k)


# ---------------------------------------------------------------- bad input

def _with(params, **changes):
    out = {k: v.copy() for k, v in params.items()}
    for k, v in changes.items():
        if v is None:
            del out[k]
        else:
            out[k] = v
    return out


@pytest.mark.parametrize("change, exc, match", [
    (lambda p: [p], TypeError, r"params must be a dict .*got list"),
    (lambda p: _with(p, b3=None), ValueError, r"exactly the keys .*missing 'b3'"),
    (lambda p: _with(p, w4=np.ones((2, 2))), ValueError, r"unexpected 'w4'"),
    (lambda p: _with(p, w1=p["w1"].tolist()), TypeError, r"params\['w1'\] must be a NumPy array"),
    (lambda p: _with(p, w2=p["w2"].astype(int)), TypeError,
     r"params\['w2'\] has dtype int64; parameters must be float32 or float64"),
    (lambda p: _with(p, w2=p["w2"].astype(complex)), TypeError,
     r"params\['w2'\] has dtype complex"),
    (lambda p: _with(p, b1=p["b1"].ravel()), ValueError,
     r"params\['b1'\] must be 2-D; got shape \(5,\).*reshape\(1, -1\)"),
    (lambda p: _with(p, b2=p["b2"].T.copy()), ValueError,
     r"params\['b2'\] has shape \(4, 1\), expected \(1, 4\)"),
    (lambda p: _with(p, w2=np.ones((4, 4))), ValueError,
     r"params\['w2'\] has shape \(4, 4\), expected \(5, 4\) to fit w1 \(3, 5\)"),
    (lambda p: _with(p, w3=np.ones((5, 2))), ValueError,
     r"params\['w2'\] has shape \(5, 4\), expected \(5, 5\).*w3 \(5, 2\)"),
    (lambda p: _with(p, b3=p["b3"].astype(np.float32)), TypeError,
     r"all parameters must share one dtype; .*b3: float32"),
    (lambda p: _with(p, w1=np.where(np.eye(3, 5) > 0, np.nan, p["w1"])), ValueError,
     r"params\['w1'\] contains NaN or inf .*index \(0, 0\)"),
    (lambda p: _with(p, b3=np.full((1, 2), np.inf)), ValueError, r"params\['b3'\] contains NaN"),
    (lambda p: _with(p, w2=np.where(np.eye(5, 4) > 0, -np.inf, p["w2"])), ValueError,
     r"params\['w2'\] contains NaN or inf \(4 of 20 entries"),
])
def test_bad_params(problem, change, exc, match):
    params, x, y = problem
    bad = change(params)
    with pytest.raises(exc, match=match):
        forward(bad, x)
    with pytest.raises(exc, match=match):
        backward(bad, x, y, forward(params, x)[1])


@pytest.mark.parametrize("make_x, exc, match", [
    (lambda x: x[0], ValueError, r"x must be a 2-D matrix .*got shape \(3,\).*reshape\(1, -1\)"),
    (lambda x: x[None], ValueError, r"x must be a 2-D matrix .*got shape \(1, 4, 3\)"),
    (lambda x: x[:, :2], ValueError,
     r"x has shape \(4, 2\), expected \(n, 3\).*d_in = 3.*params\['w1'\]"),
    (lambda x: x[:0], ValueError, r"x is an empty batch \(shape \(0, 3\)\)"),
    (lambda x: x.astype(np.float32), TypeError, r"x has dtype float32 but the parameters are "
                                                r"float64"),
    (lambda x: x.astype(str), TypeError, r"x must hold real numbers.*got dtype <U"),
    (lambda x: x > 0, TypeError, r"x must hold real numbers.*got dtype bool"),
    (lambda x: x.astype(complex), TypeError, r"x must hold real numbers.*complex128"),
    (lambda x: np.where(x > 1e9, 0, x) * np.array([1, np.nan, 1]), ValueError,
     r"x contains NaN or inf \(4 of 12 entries; the first is nan at index \(0, 1\)\)"),
    (lambda x: x + np.array([0, 0, np.inf]), ValueError, r"x contains NaN or inf"),
])
def test_bad_x(problem, make_x, exc, match):
    params, x, y = problem
    with pytest.raises(exc, match=match):
        forward(params, make_x(x))
    with pytest.raises(exc, match=match):        # backward too, with a cache of the good x
        backward(params, make_x(x), y, forward(params, x)[1])


@pytest.mark.parametrize("make_y, exc, match", [
    (lambda y: y[:3], ValueError,
     r"y has 3 rows but x has 4: .*y has shape \(3, 2\), expected \(4, 2\)"),
    (lambda y: y[:, :1], ValueError,
     r"y has shape \(4, 1\), expected \(n, 2\).*d_out = 2.*params\['w3'\]"),
    (lambda y: y[:, 0], ValueError, r"y must be a 2-D matrix .*got shape \(4,\)"),
    (lambda y: y.astype(object), TypeError, r"y must hold real numbers"),
    (lambda y: y * np.nan, ValueError, r"y contains NaN or inf"),
])
def test_bad_y_in_backward(problem, make_y, exc, match):
    params, x, y = problem
    _, cache = forward(params, x)
    with pytest.raises(exc, match=match):
        backward(params, x, make_y(y), cache)


def test_bad_backward_arguments(problem):
    params, x, y = problem
    _, cache = forward(params, x)
    with pytest.raises(ValueError, match=r"bias_form must be 'sum' or 'seed'; got 'mean'"):
        backward(params, x, y, cache, bias_form="mean")
    with pytest.raises(TypeError, match=r"cache has type .*: pass the dict returned by forward"):
        backward(params, x, y, None)
    with pytest.raises(ValueError,
                       match=r"gives shape \(2, 5\).*call forward\(params, x\) with this x"):
        backward(params, x[:2], y[:2], cache)


@pytest.mark.parametrize("y_pred, y, exc, match", [
    (np.zeros((4, 2)), np.zeros((2, 4)), ValueError,
     r"y_pred has shape \(4, 2\) but y has shape \(2, 4\)"),
    (np.zeros((4, 2)), np.zeros((4, 1)), ValueError, r"eq. \(6\) compares them element by element"),
    (np.zeros((0, 2)), np.zeros((0, 2)), ValueError, r"y is empty"),
    (np.zeros((1, 2)), np.array([[np.nan, 0.0]]), ValueError, r"y contains NaN or inf"),
    (np.array([[np.inf, 0.0]]), np.zeros((1, 2)), ValueError, r"y_pred contains NaN or inf"),
    (np.zeros((1, 2), dtype=bool), np.zeros((1, 2)), TypeError, r"y_pred must hold real numbers"),
    (np.zeros((1, 2)), np.array([["a", "b"]]), TypeError, r"y must hold real numbers"),
])
def test_bad_loss_input(y_pred, y, exc, match):
    with pytest.raises(exc, match=match):
        loss(y_pred, y)


def test_seed_bias_gradient_is_the_column_sum_and_refuses_non_numbers():
    G = np.arange(6.0).reshape(3, 2)
    np.testing.assert_array_equal(seed_bias_gradient(G), [[6.0, 9.0]])
    with pytest.raises(TypeError, match="G must hold real numbers; got dtype bool"):
        seed_bias_gradient(G > 1)
    with pytest.raises(ValueError, match=r"G must be an n×d matrix; got shape \(6,\)"):
        seed_bias_gradient(G.ravel())


# ---------------------------------------------------------------- no silent wrong answers

def _stale_cases(make_problem):
    """(name, params, x, cache): caches that do not belong to (params, x), with the same shapes."""
    params, x, y = make_problem(6, 3, 5, 4, 2, seed=1)
    other_params, other_x, _ = make_problem(6, 3, 5, 4, 2, seed=2)
    cases = [("another x", params, x, forward(params, other_x)[1]),
             ("other params of the same shapes", params, x, forward(other_params, x)[1])]
    _, cache = forward(params, x)
    cache["y_pred"] += 1.0
    cases.append(("an edited cache", params, x, cache))
    updated = {k: v.copy() for k, v in params.items()}
    _, cache = forward(updated, x)
    g = backward(updated, x, y, cache)
    for k in updated:
        updated[k] -= 0.01 * g[k]                    # an update in place, after forward
    cases.append(("a cache from before an update", updated, x, cache))
    return y, cases


def test_a_cache_that_does_not_belong_is_refused(make_problem):
    y, cases = _stale_cases(make_problem)
    for what, params, x, cache in cases:
        with pytest.raises(ValueError, match=r"cache\['\w+'\] does not match forward\(params, x\)"):
            backward(params, x, y, cache)
            pytest.fail(f"{what} was accepted")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_cache_check_runs_no_forward_pass(make_problem, monkeypatch, dtype):
    """backward checks the cache on what it holds; a forward pass is never run again."""
    import helpers.network as network

    params, x, y = make_problem(64, 100, 50, 40, 10, seed=4, dtype=dtype)
    _, cache = forward(params, x)
    monkeypatch.setattr(network, "_forward", None)
    grads = backward(params, x, y, cache)             # an honest cache passes, in both dtypes
    cases = [("w1", (3, 7)), ("b2", (0, 5)), ("w3", (39, 9)), ("x", (63, 99))]
    for name, index in cases:
        stale = x.copy() if name == "x" else {**params, name: params[name].copy()}
        arr = stale if name == "x" else stale[name]
        arr[index] += (1e-6 if dtype == np.float64 else 0.1) * max(1.0, abs(float(arr[index])))
        with pytest.raises(ValueError, match=r"does not match forward\(params, x\)"):
            backward(params if name == "x" else stale, stale if name == "x" else x, y, cache)
            pytest.fail(f"a change of {name}{index} was accepted")
    updated = {k: v - (1e-9 if dtype == np.float64 else 1e-4) * grads[k] for k, v in params.items()}
    with pytest.raises(ValueError, match=r"cache\['h1'\] does not match forward"):
        backward(updated, x, y, cache)
    for k in ("h1", "h1_relu", "h2", "h2_relu", "y_pred"):
        edited = {**cache, k: cache[k].copy()}
        edited[k][-1, -1] += 1e-3
        with pytest.raises(ValueError, match=rf"cache\['{k}'\] does not match forward"):
            backward(params, x, y, edited)
    assert set(grads) == set(params)


def test_editing_the_returned_y_pred_cannot_spoil_the_cache(problem):
    params, x, y = problem
    y_pred, cache = forward(params, x)
    right = backward(params, x, y, cache)
    y_pred += 5.0                                     # e.g. a student experimenting
    again = backward(params, x, y, cache)
    for k in right:
        np.testing.assert_array_equal(again[k], right[k])


def test_strict_masks_at_an_exact_kink_are_accepted(problem):
    """A backward with ReLU'(0) = 0 (notebook 07) passes masks that differ exactly at h = 0."""
    params, x, y = problem
    params["b1"][0, 0] = 0.0
    x = x.copy()
    x[1] = 0.0                                        # h1[1, 0] = 0 exactly
    _, cache = forward(params, x)
    assert cache["h1"][1, 0] == 0 and cache["B"][1, 0]
    strict = {**cache, "B": cache["h1"] > 0, "A": cache["h2"] > 0}
    backward(params, x, y, strict)
    flipped = {**cache, "B": ~cache["B"]}
    with pytest.raises(ValueError, match=r"cache\['B'\] does not match the signs of h1"):
        backward(params, x, y, flipped)


def test_cache_must_be_a_dict_with_every_array(problem):
    params, x, y = problem
    y_pred, cache = forward(params, x)
    with pytest.raises(TypeError, match=r"cache has type list: pass the dict returned by forward"):
        backward(params, x, y, list(cache.values()))
    with pytest.raises(TypeError, match=r"cache has no 'A'"):
        backward(params, x, y, {k: v for k, v in cache.items() if k != "A"})
    with pytest.raises(ValueError, match=r"cache\['A'\] has shape \(4, 3\).*gives shape \(4, 4\)"):
        backward(params, x, y, {**cache, "A": cache["A"][:, :3]})


def test_y_none_is_refused_clearly(problem):
    params, x, y = problem
    _, cache = forward(params, x)
    with pytest.raises(TypeError, match=r"y is None: backward needs the targets y"):
        backward(params, x, None, cache)
    with pytest.raises(TypeError, match=r"y is None"):
        loss(cache["y_pred"], None)


@pytest.mark.parametrize("wrap", [np.ma.masked_invalid, np.asmatrix])
def test_masked_arrays_and_matrices_are_refused(problem, wrap):
    params, x, y = problem
    what = r"masked array" if wrap is np.ma.masked_invalid else r"np.matrix"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        w1, xw, yw = wrap(params["w1"]), wrap(x), wrap(y)
    with pytest.raises(TypeError, match=rf"params\['w1'\] is an? {what}"):
        forward({**params, "w1": w1}, x)
    with pytest.raises(TypeError, match=rf"x is an? {what}"):
        forward(params, xw)
    with pytest.raises(TypeError, match=rf"y_pred is an? {what}"):
        loss(yw, y)


def test_masked_params_with_nan_are_not_trained():
    """np.ma.masked_invalid params: the mask was ignored and the NaN under it trained into an
    all-NaN forward pass ("diverged, try a smaller lr"); now refused at once."""
    params = init_params(2, 3, 3, 1, rng=0)
    params["w1"][0, 0] = np.nan
    x = np.ones((4, 2))
    with pytest.raises(TypeError, match=r"params\['w1'\] is a masked array"):
        forward({**params, "w1": np.ma.masked_invalid(params["w1"])}, x)


@pytest.mark.parametrize("dtype, value", [(np.uint8, 16), (np.int64, 2**32), (np.int32, 2**16)])
def test_loss_of_integers_does_not_overflow(dtype, value):
    y_pred = np.full((2, 3), value, dtype=dtype)
    y = np.zeros((2, 3), dtype=dtype)
    assert loss(y_pred, y) == 6 * float(value) ** 2


def test_one_dimensional_x_with_one_feature_gets_the_right_hint():
    params = init_params(1, 3, 2, 1, rng=0)
    x = np.arange(5.0)                                # 5 samples of one feature
    with pytest.raises(ValueError, match=r"for n samples of one feature use x\.reshape\(-1, 1\)"):
        forward(params, x)
    y_pred, _ = forward(params, x.reshape(-1, 1))     # and the hint is right
    assert y_pred.shape == (5, 1)
    with pytest.raises(ValueError, match=r"for n samples of one output use y\.reshape\(-1, 1\)"):
        backward(params, x.reshape(-1, 1), np.ones(5), forward(params, x.reshape(-1, 1))[1])


def test_ragged_list_x_gets_a_clear_message(problem):
    params, _, _ = problem
    with pytest.raises(ValueError, match=r"x is not a rectangular matrix: its rows have "
                                         r"different lengths"):
        forward(params, [[1.0, 2.0, 3.0], [1.0, 2.0]])


@pytest.mark.parametrize("rng, exc, match", [
    (True, TypeError, r"rng must be a non-negative integer seed, a numpy.random.Generator or "
                      r"None; got True \(bool\)"),
    (np.bool_(False), TypeError, r"got np.False_ \(bool"),
    (-1, ValueError, r"rng must be a non-negative integer seed; got -1"),
    (1.5, TypeError, r"rng must be a non-negative integer seed"),
    ("3", TypeError, r"got '3' \(str\)"),
])
def test_init_params_rng_is_checked(rng, exc, match):
    with pytest.raises(exc, match=match):
        init_params(2, 3, 3, 1, rng=rng)


def test_init_params_rng_zero_d_array_is_a_seed():
    a = init_params(2, 3, 3, 1, rng=np.array(3))
    b = init_params(2, 3, 3, 1, rng=3)
    assert all(np.array_equal(a[k], b[k]) for k in a)


def test_the_pair_forward_returns_passed_as_y_pred_is_named(problem):
    """loss(forward(params, x), y), the [0] forgotten: the message says what to take."""
    params, x, y = problem
    with pytest.raises(TypeError, match=r"y_pred is a pair .*forward\(params, x\)\[0\]"):
        loss(forward(params, x), y)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [1e-4, 1.0, 1e4])
def test_an_honest_cache_is_accepted_at_any_scale(dtype, scale):
    """The cache check works to within rounding: never a refusal of forward's own cache, also for
    tiny or huge weights, large offsets in x (cancellation in x·w1) and a zero column."""
    rng = np.random.default_rng(int(scale * 7) % 1000)
    for trial in range(12):
        n, d_in, d1, d2, d_out = (int(v) for v in rng.integers(1, 60, size=5))
        params = init_params(d_in, d1, d2, d_out, rng=trial, scale=scale, dtype=dtype)
        for k in ("b1", "b2", "b3"):
            params[k] = (scale * rng.standard_normal(params[k].shape)).astype(dtype)
        x = rng.standard_normal((n, d_in)) + (1e3 if trial % 3 == 0 else 0.0)
        x[:, 0] = 0.0
        x, y = x.astype(dtype), rng.standard_normal((n, d_out)).astype(dtype)
        _, cache = forward(params, x)
        backward(params, x, y, cache)
