"""helpers.gradcheck: the analytic gradients (81)–(86) agree with central differences on many
shapes (n = 1 and widths of 1 included), deliberately broken gradients are caught, kinks are
flagged and excluded, and the helpers behave at their edges (restore, zeros, NaN)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import (
    backward,
    check_gradients,
    loss,
    numerical_gradient,
    random_data,
    rel_error,
    teacher_data,
    train,
)
from helpers.gradcheck import roundoff
from helpers.network import PARAM_NAMES, forward, init_params

#: small widths, 1 included: (n, d_in, d1, d2, d_out)
shapes = st.tuples(*[st.integers(min_value=1, max_value=5)] * 5)

# ---------------------------------------------------------------- the backward pass is right

@given(shapes, st.sampled_from([None, 1.0, 0.1, 0.01]), st.integers(0, 2**32 - 1))
def test_gradients_match_central_differences(make_problem, dims, scale, seed):
    params, x, y = make_problem(*dims, seed=seed, scale=scale)
    before = {k: v.copy() for k, v in params.items()}
    report = check_gradients(params, x, y)
    report.assert_ok()
    assert report.passed
    assert list(report.checks) == list(PARAM_NAMES)
    for k, c in report.checks.items():
        assert c.analytic.shape == c.numerical.shape == params[k].shape
        assert c.kinks.dtype == bool and c.kinks.shape == params[k].shape
        # the output layer has no ReLU after it: its parameters never cross a kink
        if k in ("w3", "b3"):
            assert c.n_kinks == 0
        np.testing.assert_array_equal(params[k], before[k], err_msg=f"{k} must be restored")


@pytest.mark.parametrize("dims", [(1, 1, 1, 1, 1), (1, 4, 1, 3, 1), (7, 1, 3, 1, 2)])
def test_gradients_width_one_and_single_sample(make_problem, dims):
    params, x, y = make_problem(*dims, seed=11, bias=1.0)
    check_gradients(params, x, y).assert_ok()


def test_passes_where_the_gradient_is_small_next_to_the_loss(make_problem):
    """Round-off is set by L, not by the gradient. With b3 at its optimum (gradient 0 up to
    round-off) and L large, a floor relative to the gradient's own size judged pure round-off as
    a 100 % error; so did a tiny-scale init for w1, and a network trained into a flat minimum."""
    params, x, y = make_problem(30, 3, 4, 4, 2, seed=8)
    y_pred, _ = forward(params, x)
    params["b3"] -= (y_pred - y).mean(axis=0, keepdims=True)        # ∂L/∂b3 = 2·1ᵀ(y_pred − y) = 0
    report = check_gradients(params, x, y)
    b3 = report["b3"]
    assert np.abs(b3.analytic).max() < 1e-12 < 1.0 < float(((forward(params, x)[0] - y) ** 2).sum())
    old_floor = 1e-3 * max(np.abs(b3.analytic).max(), np.abs(b3.numerical).max())
    assert rel_error(b3.analytic, b3.numerical, floor=old_floor).max() > 1e-7, "was a false failure"
    report.assert_ok()
    check_gradients(*make_problem(2, 4, 6, 6, 2, seed=3, scale=0.01)).assert_ok()
    params = init_params(2, 3, 3, 2, rng=0)
    x, y = random_data(40, 2, 2, rng=0)
    train(params, x, y, lr=0.02, steps=3000)
    check_gradients(params, x, y).assert_ok()


def test_float32_cannot_be_checked_at_this_tolerance(make_problem):
    """The module's warning: float32 round-off is about 1e-2·|L|/h·h; the check fails on purpose."""
    params, x, y = make_problem(5, 3, 4, 4, 2, seed=2)
    assert check_gradients(params, x, y).passed
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    report = check_gradients(p32, x.astype(np.float32), y.astype(np.float32))
    assert not report.passed


# ---------------------------------------------------------------- a wrong backward is caught

def _broken(kind):
    def bw(params, x, y, cache):
        g = {k: v.copy() for k, v in backward(params, x, y, cache).items()}
        if kind == "factor 2 dropped":
            g["w3"] /= 2
        elif kind == "mask A missing":
            g["w2"] = cache["h1_relu"].T @ (cache["dy"] @ params["w3"].T)
        elif kind == "mean instead of sum":
            g["w1"] /= x.shape[0]
        elif kind == "sign flipped":
            g["b2"] = -g["b2"]
        elif kind == "masks swapped":
            g["b1"] = (((cache["dy"] @ params["w3"].T) * cache["A"]) @ params["w2"].T
                       * cache["A"][:, :1]).sum(axis=0, keepdims=True)
        elif kind == "off by 1e-4":
            g["w1"] *= 1 + 1e-4
        elif kind == "one entry off":
            g["w2"][0, 0] += 1e-6 * np.abs(g["w2"]).max()
        elif kind == "NaN":
            g["w3"][0, 0] = np.nan
        return g
    return bw


BUGS = {"factor 2 dropped": "w3", "mask A missing": "w2", "mean instead of sum": "w1",
        "sign flipped": "b2", "masks swapped": "b1", "off by 1e-4": "w1", "one entry off": "w2",
        "NaN": "w3"}


@pytest.mark.parametrize("kind", list(BUGS))
def test_broken_backward_is_caught(make_problem, kind):
    params, x, y = make_problem(6, 3, 4, 4, 2, seed=4)
    name = BUGS[kind]
    _, cache = forward(params, x)
    right, wrong = backward(params, x, y, cache), _broken(kind)(params, x, y, dict(cache))
    assert not np.array_equal(right[name], wrong[name]), "the bug must change something here"
    report = check_gradients(params, x, y, backward=_broken(kind))
    assert not report.passed
    assert not report[name].passed
    assert all(c.passed for k, c in report.checks.items() if k != name)
    with pytest.raises(AssertionError, match=rf"gradient check failed: {name}: relative error"):
        report.assert_ok()
    assert "FAIL" in str(report)


def test_broken_grads_passed_directly_are_caught(problem):
    params, x, y = problem
    grads = backward(params, x, y, forward(params, x)[1])
    grads["b3"] = grads["b3"] * 0.5
    report = check_gradients(params, x, y, grads=grads)
    assert not report["b3"].passed and report["w3"].passed


@given(shapes, st.integers(0, 2**32 - 1))
def test_wrong_scale_is_caught_on_random_shapes(make_problem, dims, seed):
    """Every gradient 1 % too large: each parameter whose gradient is not negligible next to L
    (dead units can make a whole gradient 0, and 1 % of 0 is 0) must fail."""
    params, x, y = make_problem(*dims, seed=seed)
    y_pred, cache = forward(params, x)
    L = float(((y_pred - y) ** 2).sum())
    grads = backward(params, x, y, cache)
    report = check_gradients(params, x, y, grads={k: 1.01 * g for k, g in grads.items()})
    assert not report.passed
    for c in report.checks.values():
        if np.abs(c.analytic[~c.kinks]).max(initial=0) > 1e-4 * (L + 1):
            assert not c.passed, c.name


# ---------------------------------------------------------------- kinks

def _problem_with_kink(make_problem, offset):
    """h1[0, 0] ≈ offset: perturbing b1[0, 0] by ±h moves it across 0 iff |offset| < h."""
    params, x, y = make_problem(3, 2, 3, 3, 1, seed=6)
    h1 = x @ params["w1"] + params["b1"]
    params["b1"][0, 0] += offset - h1[0, 0]
    # make the kink matter for the loss: unit (0, 0) of layer 1 feeds layer 2, which is active
    params["w2"][0, :] = 1.0
    params["b2"][:] = 1.0
    return params, x, y


def test_kink_is_flagged_and_excluded(make_problem):
    h = 1e-5
    params, x, y = _problem_with_kink(make_problem, 0.3 * h)
    report = check_gradients(params, x, y, h=h)
    b1 = report["b1"]
    assert b1.kinks[0, 0], "a pre-activation within h of 0 must be flagged"
    assert report["w1"].kinks[:, 0].any()
    assert report["w3"].n_kinks == 0 and report["b3"].n_kinks == 0
    # at the kink the central difference mixes two slopes: it really disagrees ...
    assert rel_error(b1.analytic[0, 0], b1.numerical[0, 0]) > 1e-3
    # ... and is left out of the verdict by design
    assert report.passed
    assert b1.worst_index != (0, 0)
    assert f"{b1.n_kinks:>7}" in str(report)


def test_no_kink_when_far_from_zero(make_problem):
    h = 1e-5
    params, x, y = _problem_with_kink(make_problem, 3 * h)
    report = check_gradients(params, x, y, h=h)
    assert not report["b1"].kinks[0, 0]
    assert report.passed


def test_all_entries_kinks(make_problem):
    params, x, y = make_problem(1, 1, 1, 1, 1, seed=0)
    params["b1"][0, 0] = -float(x[0, 0] * params["w1"][0, 0])      # h1 = 0 exactly
    params["w2"][0, 0], params["b2"][0, 0] = 1.0, 0.5
    report = check_gradients(params, x, y, names=("b1",))
    c = report["b1"]
    assert c.kinks.all() and c.worst_index is None and c.max_error == 0.0
    # nothing was compared: that is not a pass (it used to print "ok")
    assert not c.checked and not c.passed and not report.passed
    assert "not checked" in str(report) and " ok" not in str(report)
    with pytest.raises(AssertionError, match=r"b1: not checked"):
        report.assert_ok()


# ---------------------------------------------------------------- arguments and report

def test_names_subset_and_single_name(problem):
    params, x, y = problem
    assert list(check_gradients(params, x, y, names=("w3", "b1")).checks) == ["w3", "b1"]
    assert list(check_gradients(params, x, y, names="w2").checks) == ["w2"]


def test_report_contents(problem):
    params, x, y = problem
    report = check_gradients(params, x, y)
    text = str(report)
    assert text.splitlines()[0].split() == ["param", "shape", "max", "rel", "error", "worst",
                                            "index", "kinks", "verdict"]
    assert len(text.splitlines()) == 7 and text.count(" ok") == 6
    c = report["w1"]
    assert c.worst_index is not None and c.errors[c.worst_index] == c.max_error
    assert c.rtol == 1e-7


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"names": ("w1", "w9")}, ValueError, r"unknown parameter names \['w9'\]"),
    ({"grads": {"w1": np.zeros((3, 5))}, "names": ("b1",)}, ValueError, r"grads has no 'b1'"),
    ({"grads": [1, 2]}, TypeError, r"grads must be a dict"),
    ({"grads": {"b1": np.zeros((4, 5))}, "names": ("b1",)}, ValueError,
     r"grads\['b1'\] has shape \(4, 5\), expected \(1, 5\).*paper's n×d form"),
    ({"grads": {"w1": np.zeros((5, 3))}, "names": ("w1",)}, ValueError,
     r"grads\['w1'\] has shape \(5, 3\), expected \(3, 5\)"),
    ({"grads": {"w1": np.full((3, 5), "a")}, "names": ("w1",)}, TypeError,
     r"grads\['w1'\] must hold real numbers"),
    ({"h": 0.0}, ValueError, r"h must be a positive finite number"),
    ({"rtol": -1.0}, ValueError, r"rtol must be a non-negative finite number"),
    ({"rel_floor": "big"}, TypeError, r"rel_floor must be a number"),
])
def test_check_gradients_bad_arguments(problem, kwargs, exc, match):
    params, x, y = problem
    with pytest.raises(exc, match=match):
        check_gradients(params, x, y, **kwargs)


def test_check_gradients_validates_inputs(problem):
    params, x, y = problem
    with pytest.raises(ValueError, match=r"y has 3 rows but x has 4.*expected \(4, 2\)"):
        check_gradients(params, x, y[:3])
    with pytest.raises(ValueError, match=r"x must be a 2-D matrix"):
        check_gradients(params, x[0], y)


# ---------------------------------------------------------------- numerical_gradient, rel_error

def test_numerical_gradient_of_a_quadratic():
    a = np.array([[1.0, -2.0], [0.5, 3.0]])
    c = np.array([[2.0, 1.0], [-1.0, 0.5]])
    g = numerical_gradient(lambda: float(np.sum(c * a ** 2)), a, h=1e-4)
    np.testing.assert_allclose(g, 2 * c * a, rtol=1e-9)
    assert numerical_gradient(lambda: float(a.sum()), a.astype(np.float32)).dtype == np.float64


def test_numerical_gradient_restores_the_array_when_f_raises():
    a = np.array([[0.1, 0.2, 0.3]])
    before = a.copy()
    calls = []

    def f():
        calls.append(a.copy())
        if len(calls) == 4:           # the second entry's a − h evaluation
            raise RuntimeError("boom")
        return float(a.sum())

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, a)
    np.testing.assert_array_equal(a, before)
    assert calls[3][0, 1] != before[0, 1], "f did see the perturbed entry"


def test_numerical_gradient_restores_bitwise():
    a = np.random.default_rng(0).standard_normal((3, 4))
    before = a.copy()
    numerical_gradient(lambda: float(np.sum(a ** 3)), a, h=1e-3)
    assert a.tobytes() == before.tobytes()


@pytest.mark.parametrize("array, h, exc, match", [
    (np.arange(3), 1e-5, TypeError, r"array must be a floating NumPy array.*int64"),
    ([1.0, 2.0], 1e-5, TypeError, r"array must be a floating NumPy array.*got list"),
    (np.ones(2), 0.0, ValueError, r"h must be a positive finite number; got 0.0"),
    (np.ones(2), -1e-5, ValueError, r"h must be a positive"),
    (np.ones(2), np.inf, ValueError, r"h must be a positive finite"),
    (np.ones(2), "1e-5", TypeError, r"h must be a number"),
    (np.full(2, 1e8), 1e-12, ValueError, r"h = 1e-12 is too small for float64 at index \(0,\)"),
])
def test_numerical_gradient_bad_arguments(array, h, exc, match):
    with pytest.raises(exc, match=match):
        numerical_gradient(lambda: 0.0, array, h=h)


def test_rel_error_edges():
    assert rel_error(0.0, 0.0) == 0.0                                  # not NaN
    np.testing.assert_array_equal(rel_error(np.zeros((2, 3)), np.zeros((2, 3))), np.zeros((2, 3)))
    assert rel_error(1.0, 3.0) == pytest.approx(0.5)
    assert rel_error(3.0, 1.0) == rel_error(1.0, 3.0)
    assert rel_error(1e-9, 2e-9, floor=1.0) == pytest.approx(1e-9)
    assert rel_error(1.0, -1.0) == 1.0
    # a NaN or an infinity must fail any tolerance, never look like agreement
    assert np.isnan(rel_error(np.nan, 1.0))
    assert np.isnan(rel_error(np.inf, 1.0))
    assert np.isnan(rel_error(np.inf, np.inf))
    with pytest.raises(ValueError, match=r"cannot compare shapes \(2,\) and \(3,\)"):
        rel_error(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match=r"floor must be a non-negative number"):
        rel_error(1.0, 1.0, floor=-1.0)


# ------------------------------------------------------------------ the floor follows round-off

def test_correct_gradients_pass_at_an_exact_fit():
    """Teacher data checked at the teacher's own parameters: L ≈ 0, every gradient is round-off.
    The cancellation term of the floor vanishes with L; the propagation term must not."""
    x, y, teacher = teacher_data(20, 3, 5, 4, 2, rng=1)
    assert loss(forward(teacher, x)[0], y) < 1e-25
    report = check_gradients(teacher, x, y)
    report.assert_ok()
    for c in report.checks.values():
        assert c.roundoff.shape == c.analytic.shape and (c.roundoff > 0).all()
        np.testing.assert_array_equal(c.floor, np.maximum(c.scale_floor, c.roundoff / c.rtol))


def _huge_loss_problem():
    """L ≈ 1e19: targets near 1e9, and four units of layer 1 far below their kink (off, but
    with pre-activations of −1e9, which a bound that ignores the ReLU counts as output size)."""
    rng = np.random.default_rng(0)
    params = init_params(3, 5, 4, 2, rng=rng)
    params["b1"][0, 1:] = -1e9
    params["b2"][:] = 0.1                            # no exact zeros in h2
    x, y = random_data(6, 3, 2, rng=rng)
    return params, x, y + 1e9


@pytest.mark.parametrize("h", [1e-5, 1e-2])
def test_a_50_percent_bug_fails_at_a_huge_loss(h):
    params, x, y = _huge_loss_problem()
    assert loss(forward(params, x)[0], y) > 1e18
    right = check_gradients(params, x, y, h=h)
    right.assert_ok()
    b3 = right["b3"]
    # plain central differences are accurate to 2e-2 (h = 1e-5) and 1e-5 (h = 1e-2) here ...
    assert np.abs(b3.analytic - b3.numerical).max() < 2e3 * h * np.abs(b3.analytic).max()
    # ... and the floor follows that round-off, so a 50 % error in ∂L/∂b3 cannot hide under it
    grads = backward(params, x, y, forward(params, x)[1])
    report = check_gradients(params, x, y, h=h, grads={**grads, "b3": 1.5 * grads["b3"]})
    assert not report["b3"].passed and report["w3"].passed


@pytest.mark.parametrize("seed", range(4))
def test_roundoff_bounds_the_actual_error(make_problem, seed):
    """The actual |analytic − numerical| stays below the estimate, and not far below it."""
    params, x, y = make_problem(5, 4, 6, 3, 2, seed=seed, scale=[None, 0.1, 10.0, 1e3][seed])
    report = check_gradients(params, x, y)
    ratios = [np.abs(c.analytic - c.numerical)[~c.kinks] / c.roundoff[~c.kinks]
              for c in report.checks.values()]
    assert max(r.max() for r in ratios) < 1.0
    assert max(r.max() for r in ratios) > 1e-3, "the estimate should not swamp the actual error"


def test_roundoff_function_matches_the_report(problem):
    params, x, y = problem
    report = check_gradients(params, x, y, h=1e-4)
    est = roundoff(params, x, y, h=1e-4)
    for name, c in report.checks.items():
        np.testing.assert_allclose(c.roundoff, est[name], rtol=1e-12)
    with pytest.raises(ValueError, match=r"names is empty"):
        check_gradients(params, x, y, names=[])
    parts = roundoff(params, x, y, h=1e-4, split=True)
    for name, (cancellation, propagation) in parts.items():
        assert cancellation.shape == propagation.shape == params[name].shape
        np.testing.assert_allclose(cancellation + propagation, est[name], rtol=1e-12)
    # at an exact fit the cancellation term is all but gone, the propagation term is not
    x_t, y_t, teacher = teacher_data(20, 3, 5, 4, 2, rng=1)
    for cancellation, propagation in roundoff(teacher, x_t, y_t, split=True).values():
        assert (propagation > 0).all() and (cancellation < propagation).all()


def test_every_entry_on_a_kink_is_not_checked_not_ok():
    """A backward adding 123 to w1, b1, b2: those sit entirely on kinks (x = 0 row, zero biases
    on a 1-unit layer) and used to print "ok"; now they are "not checked" and nothing passes."""
    params = init_params(1, 1, 1, 1, rng=0)
    x, y = np.zeros((1, 1)), np.ones((1, 1))          # h1 = 0·w1 + 0 = 0: every step crosses

    def plus_123(params, x, y, cache):
        g = backward(params, x, y, cache)
        return {k: v + 123 if k in ("w1", "b1", "b2") else v for k, v in g.items()}

    report = check_gradients(params, x, y, backward=plus_123)
    not_checked = [k for k, c in report.checks.items() if not c.checked]
    assert set(not_checked) == {"b1", "b2"}
    assert not report["w1"].passed                    # x = 0: ∂L/∂w1 = 0, and 123 ≠ 0
    assert not report.passed
    for k in not_checked:
        assert report[k].verdict.startswith("not checked") and not report[k].passed
    assert str(report).count("not checked") == len(not_checked)


def test_numerical_gradient_divides_by_the_step_taken():
    """At p = 1e8 the step p ± 1e-5 is rounded to multiples of 2^-26 ≈ 1.5e-8: the step taken
    differs from 2h by 6e-4 relative. For f = 3·(p − 1e8) (exact) the estimate must be 3."""
    a = np.array([[1e8]])
    g = numerical_gradient(lambda: float(3.0 * (a[0, 0] - 1e8)), a, h=1e-5)
    assert abs(g[0, 0] - 3.0) < 1e-12
    assert abs(float(a[0, 0] + 1e-5) - float(a[0, 0] - 1e-5) - 2e-5) > 1e-9   # really rounded


def test_numpy_integer_h_and_matrix_params(problem):
    params, x, y = problem
    g = numerical_gradient(lambda: float(params["b3"].sum()), params["b3"], h=np.int64(1))
    np.testing.assert_allclose(g, 1.0)
    check_gradients(params, x, y, h=np.float32(1e-5)).assert_ok()
    with pytest.warns(PendingDeprecationWarning):
        w1 = np.matrix(params["w1"])
    with pytest.raises(TypeError, match=r"np.matrix"):
        check_gradients({**params, "w1": w1}, x, y)


def test_rel_error_refuses_complex():
    with pytest.raises(TypeError, match=r"a must hold real numbers; got dtype complex128"):
        rel_error(np.array([1 + 1j]), np.array([1.0]))
    with pytest.raises(TypeError, match=r"masked array"):
        rel_error(np.ma.masked_invalid([1.0, np.nan]), np.ones(2))


def test_explorer_agrees_at_an_exact_fit():
    """The explorer's verdict uses the same round-off: at L ≈ 0 a correct entry "agrees"."""
    from helpers import widgets

    x, y, teacher = teacher_data(20, 3, 5, 4, 2, rng=1)
    for name in PARAM_NAMES:
        _, lines = widgets.entry_summary(teacher, x, y, name, 0, 0)
        assert lines[-1] == "they agree (no kink crossed)", (name, lines)
    _, lines = widgets.entry_summary(teacher, x, y, "b3", 0, 1, h=np.int64(1))
    assert lines[-1] == "they agree (no kink crossed)"
