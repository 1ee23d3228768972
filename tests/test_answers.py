"""No cascade and the reference by name (exercises.answers): ``use`` returns the
student's value when it passes its check and otherwise the reference value with one printed
line; ``reference`` gives any quantity by name; ``show_answer`` prints the formula on request."""

import numpy as np
import pytest
from test_exercises import _net  # tests/ is on sys.path

import exercises as ex
from exercises.answers import NAMES
from exercises.tasks import TASKS
from helpers import backward, forward

QUANTITIES = ["h1", "h1_relu", "h2", "h2_relu", "y_pred", "L", "dy", "dw3", "db3", "dh2", "dw2",
              "db2", "dh1", "dw1", "db1"]


@pytest.fixture(scope="module")
def net():
    return _net(4, 6, 3, 2, 5, seed=1)


def _right(net, q):
    params, x, y, cache, grads = net
    if q == "L":
        return float(np.sum((cache["y_pred"] - y) ** 2))
    if q in cache:
        return cache[q]
    return grads[q[1:]]


@pytest.mark.parametrize("q", QUANTITIES)
def test_reference_is_the_right_value_and_a_fresh_copy(net, q):
    params, x, y, cache, _ = net
    ref = ex.reference(q, params, x, y)
    assert np.allclose(ref, _right(net, q), rtol=1e-12, atol=1e-12)
    if isinstance(ref, np.ndarray):
        assert not np.shares_memory(ref, ex.reference(q, params, x, y))


def test_reference_grads_cache_and_masks(net):
    params, x, y, cache, grads = net
    g = ex.reference("grads", params, x, y)
    assert set(g) == set(grads) and all(np.allclose(g[k], grads[k]) for k in g)
    c = ex.reference("cache", params, x, y)
    assert np.array_equal(c["A"], cache["A"]) and np.allclose(c["dh1"], cache["dh1"])
    assert np.array_equal(ex.reference("B", params, x), forward(params, x)[1]["B"])


def test_reference_refuses_bad_names_and_missing_y(net):
    params, x, y, _, _ = net
    with pytest.raises(ValueError, match="name must be one of"):
        ex.reference("dw4", params, x, y)
    with pytest.raises(ValueError, match="needs y"):
        ex.reference("dy", params, x)
    with pytest.raises(ValueError, match="x has shape"):
        ex.reference("h1", params, x[:, :2])


@pytest.mark.parametrize("q", QUANTITIES)
def test_use_passes_a_right_answer_through_silently(net, capsys, q):
    params, x, y, _, _ = net
    value = _right(net, q)
    value = value.copy() if isinstance(value, np.ndarray) else value
    assert ex.use(q, params, x, y, value=value) is value
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("q", QUANTITIES)
def test_use_replaces_a_wrong_or_missing_answer_with_one_line(net, capsys, q):
    params, x, y, _, _ = net
    right = _right(net, q)
    for wrong, why in ((None, "is not answered yet"), (np.asarray(right) * 3 + 1, "did not pass")):
        got = ex.use(q, params, x, y, value=wrong)
        assert np.allclose(got, right, rtol=1e-12, atol=1e-12)
        out = capsys.readouterr().out
        assert out.count("\n") == 1 and why in out and TASKS[q].eq in out, out
        assert "cells below use the reference value" in out


def test_the_substituted_value_is_refused_by_its_own_check(net, capsys):
    params, x, y, _, _ = net
    dh2 = ex.use("dh2", params, x, y, value=None)
    with pytest.raises(ex.ExerciseError, match="reference value") as info:
        ex.check_seed_bias_form("b2", dh2, params, x, y)
    assert info.value.mistake == "ref-used"
    with pytest.raises(ex.ExerciseError, match="reference value"):
        ex.check_gradient("w3", ex.reference("dw3", params, x, y)[:, :], params, x, y)


def test_use_refuses_names_that_are_not_exercises(net):
    params, x, y, _, _ = net
    with pytest.raises(ValueError, match="not one"):
        ex.use("A", params, x, y)
    with pytest.raises(ValueError, match="needs y"):
        ex.use("dy", params, x)
    with pytest.raises(TypeError, match="reads your h1 itself"):
        ex.use("h1", np.zeros((2, 2)), params, x)         # the old form, with the value


@pytest.mark.parametrize("q", sorted(TASKS))
def test_show_answer_prints_formula_and_code(capsys, q):
    ex.show_answer(q)
    out = capsys.readouterr().out
    assert TASKS[q].formula in out and TASKS[q].code in out


def test_show_answer_refuses_unknown_names():
    with pytest.raises(ValueError, match="name must be one of"):
        ex.show_answer("dw4")
    assert "grads" in NAMES and backward is not None


def test_use_step(net, capsys):
    params, x, y, _, grads = net
    lr = 0.05
    right = {k: params[k] - lr * grads[k] for k in params}
    assert ex.use_step(params, grads, lr, value=right) is right
    assert capsys.readouterr().out == ""
    for wrong, why in ((None, "is not answered yet"),
                       ({k: params[k] + lr * grads[k] for k in params}, "did not pass")):
        got = ex.use_step(params, grads, lr, value=wrong)
        assert all(np.allclose(got[k], right[k]) for k in params)
        out = capsys.readouterr().out
        assert out.count("\n") == 1 and why in out
    with pytest.raises(ex.ExerciseError, match="reference value"):
        ex.check_gd_step(ex.use_step(params, grads, lr, value=None), params, grads, lr)


@pytest.mark.parametrize("q", sorted(TASKS))
def test_hints_come_in_steps_shapes_first_never_the_formula(capsys, q):
    """Every graded exercise: the first call gives the shapes of the factors (and says which
    product is elementwise where there is one), the next the next step, the last points to
    show_answer; none states the formula or its NumPy line."""
    from exercises import answers
    answers._HINTS_GIVEN.pop(q, None)
    t = TASKS[q]
    assert len(t.hints) >= 2
    seen = []
    for k in range(1, len(t.hints) + 2):
        ex.hint(q)
        out = capsys.readouterr().out
        step = min(k, len(t.hints))
        assert out.startswith(f"Hint {step} of {len(t.hints)} for {q}: {t.hints[step - 1]}")
        assert ("show_answer" in out) == (step == len(t.hints) and bool(t.formula))
        for text in (t.formula, t.code, t.formula.split("=")[-1].strip()):
            assert not text or text not in out, (text, out)
        seen.append(out)
    assert "×" in t.hints[0] or "one number" in t.hints[0] or "shape" in t.hints[0]
    if " * " in t.code and any(m in t.code for m in ("A *", "B *")):
        assert "elementwise" in t.hints[0]
    assert len(set(seen[:len(t.hints)])) == len(t.hints)


def test_hint_refuses_unknown_names():
    with pytest.raises(ValueError, match="exercises.hint takes the name of an exercise"):
        ex.hint("dw4")


def test_hint_and_show_answer_take_the_name_07_starts_with(capsys):
    ex.hint("central_difference")
    ex.show_answer("central_difference")
    out = capsys.readouterr().out
    assert "Hint 1" in out and TASKS["numerical"].code in out


def _central_difference(params, x, y, name, epsilon=1e-5, restore=True, give_back=True):
    p = params[name]
    estimate = np.zeros(p.shape)
    for idx in np.ndindex(p.shape):
        original = p[idx]
        p[idx] = original + epsilon
        plus = float(np.sum((forward(params, x)[0] - y) ** 2))
        p[idx] = original - epsilon
        minus = float(np.sum((forward(params, x)[0] - y) ** 2))
        p[idx] = original if restore else p[idx]
        estimate[idx] = (plus - minus) / (2 * epsilon)
    return estimate if give_back else None


def test_the_07_check_calls_the_function_and_leaves_params_as_they_were(net, capsys):
    params, x, y, _, _ = net
    before = {k: v.copy() for k, v in params.items()}
    ex.check_numerical_gradient(_central_difference, params, x, y, "w2")
    assert "matches the central difference" in capsys.readouterr().out
    with pytest.raises(ex.ExerciseError) as info:          # forgot `return`
        ex.check_numerical_gradient(lambda *a, **k: _central_difference(*a, **k, give_back=False),
                                    params, x, y, "b2")
    msg = str(info.value)
    assert "returned None: did you forget `return`?" in msg and "nothing has been" not in msg
    assert all(np.array_equal(params[k], before[k]) for k in params)


def test_the_07_check_refuses_a_right_estimate_that_left_params_changed(net):
    params, x, y, _, _ = net
    before = {k: v.copy() for k, v in params.items()}
    shifted = {k: v.copy() for k, v in params.items()}

    def shifts(params, x, y, name, epsilon):       # the right estimate, then params changed
        estimate = _central_difference(params, x, y, name, epsilon)
        params[name] += 1.0
        params["b1"] = shifted["b1"] + 1.0
        return estimate

    with pytest.raises(ex.ExerciseError) as info:
        ex.check_numerical_gradient(shifts, params, x, y, "w2")
    msg = str(info.value)
    assert "its estimate is right" in msg and "(b1, w2)" in msg, msg
    assert all(np.array_equal(params[k], before[k]) for k in params)
