"""helpers.training: the update p ← p − lr·g, train() against a plain loop, the loss history,
divergence as TrainingDiverged, determinism, bad input."""

import math

import numpy as np
import pytest

from helpers import (
    TrainingDiverged,
    backward,
    forward,
    gd_step,
    init_params,
    loss,
    random_data,
    teacher_data,
    train,
)


def naive_train(params, x, y, lr, steps):
    history = []
    for _ in range(steps):
        y_pred, cache = forward(params, x)
        history.append(loss(y_pred, y))
        gd_step(params, backward(params, x, y, cache), lr)
    return history


# ---------------------------------------------------------------- gd_step

def test_gd_step_updates_in_place_and_leaves_grads(problem):
    params, x, y = problem
    grads = backward(params, x, y, forward(params, x)[1])
    before = {k: v.copy() for k, v in params.items()}
    grads_before = {k: v.copy() for k, v in grads.items()}
    ids = {k: id(v) for k, v in params.items()}
    assert gd_step(params, grads, 0.1) is None
    for k in params:
        assert id(params[k]) == ids[k], "in place"
        np.testing.assert_allclose(params[k], before[k] - 0.1 * grads[k], rtol=0, atol=1e-15)
        np.testing.assert_array_equal(grads[k], grads_before[k])


def test_gd_step_float32_stays_float32(make_problem):
    params, x, y = make_problem(4, 3, 2, 2, 1, dtype=np.float32)
    grads = backward(params, x, y, forward(params, x)[1])
    gd_step(params, grads, 0.01)
    assert all(v.dtype == np.float32 for v in params.values())


@pytest.mark.parametrize("make_grads, lr, exc, match", [
    (lambda g: g, 0.0, ValueError, r"lr must be a positive finite number; got 0.0"),
    (lambda g: g, -0.1, ValueError, r"lr must be a positive"),
    (lambda g: g, math.inf, ValueError, r"lr must be a positive finite"),
    (lambda g: g, "0.1", TypeError, r"lr must be a number; got str"),
    (lambda g: g, True, TypeError, r"lr must be a number; got bool"),
    (lambda g: [g], 0.1, TypeError, r"grads must be a dict"),
    (lambda g: {k: v for k, v in g.items() if k != "b3"}, 0.1, ValueError, r"grads has no 'b3'"),
    (lambda g: {**g, "w2": g["w2"].T}, 0.1, ValueError,
     r"grads\['w2'\] has shape \(4, 5\), expected \(5, 4\)"),
    (lambda g: {**g, "b1": np.ones((4, 5))}, 0.1, ValueError,
     r"grads\['b1'\] has shape \(4, 5\), expected \(1, 5\).*column sum"),
    (lambda g: {**g, "w3": g["w3"].astype(str)}, 0.1, TypeError, r"grads\['w3'\] must hold real"),
])
def test_gd_step_bad_input_changes_nothing(problem, make_grads, lr, exc, match):
    params, x, y = problem
    grads = backward(params, x, y, forward(params, x)[1])
    before = {k: v.copy() for k, v in params.items()}
    with pytest.raises(exc, match=match):
        gd_step(params, make_grads(grads), lr)
    assert all(np.array_equal(params[k], before[k]) for k in params), "checked before updating"


# ---------------------------------------------------------------- train

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_train_equals_a_plain_loop(make_problem, dtype):
    """train gives the numbers of forward/backward/gd_step, called one by one."""
    params, x, y = make_problem(8, 3, 5, 4, 2, seed=12, dtype=dtype)
    fast = {k: v.copy() for k, v in params.items()}
    slow = {k: v.copy() for k, v in params.items()}
    history = train(fast, x, y, lr=0.01, steps=25)
    expected = naive_train(slow, x, y, 0.01, 25)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    assert history[0] == expected[0]
    np.testing.assert_allclose(history, expected, rtol=rtol)
    for k in params:
        np.testing.assert_allclose(fast[k], slow[k], rtol=rtol, atol=rtol, err_msg=k)
        assert fast[k].dtype == dtype


def test_history_is_the_loss_before_each_update(problem):
    params, x, y = problem
    start = loss(forward(params, x)[0], y)
    seen = []
    history = train(params, x, y, lr=0.01, steps=5, callback=lambda s, L: seen.append((s, L)))
    assert len(history) == 5 and all(isinstance(v, float) for v in history)
    assert history[0] == start
    assert seen == list(enumerate(history))


def test_zero_steps_changes_nothing(problem):
    params, x, y = problem
    before = {k: v.copy() for k, v in params.items()}
    assert train(params, x, y, lr=0.1, steps=0) == []
    assert all(np.array_equal(params[k], before[k]) for k in params)


def test_training_learns_the_teacher():
    x, y, _ = teacher_data(64, 3, 8, 8, 2, rng=1)
    params = init_params(3, 8, 8, 2, rng=2)
    history = train(params, x, y, lr=2e-3, steps=400)
    assert history[-1] < 0.2 * history[0]


def test_train_deterministic():
    runs = []
    for seed in (3, 3, 4):
        params = init_params(2, 4, 4, 1, rng=seed)
        x, y = random_data(10, 2, 1, rng=seed)
        runs.append((train(params, x, y, lr=0.01, steps=10), params))
    assert runs[0][0] == runs[1][0]
    assert all(np.array_equal(runs[0][1][k], runs[1][1][k]) for k in runs[0][1])
    assert runs[0][0] != runs[2][0]


# ---------------------------------------------------------------- divergence

def test_divergence_raises_training_diverged(make_problem):
    params, x, y = make_problem(20, 3, 8, 8, 2, seed=1)
    with pytest.raises(TrainingDiverged) as info:
        train(params, x, y, lr=1.0, steps=200)
    err = info.value
    assert isinstance(err, ArithmeticError)
    assert err.lr == 1.0 and 0 < err.step < 200
    assert len(err.history) == err.step + 1
    assert not math.isfinite(err.history[-1]) and all(map(math.isfinite, err.history[:-1]))
    message = str(err)
    assert f"training diverged at step {err.step}" in message
    assert "lr = 1" in message and "smaller" in message and "lr = 0.1" in message
    assert ".history" in message


def test_divergence_is_catchable_as_arithmetic_error_and_quiet(problem):
    params, x, y = problem
    with pytest.raises(ArithmeticError, match=r"diverged at step \d+: the loss became (inf|nan)"):
        train(params, x, y, lr=50.0, steps=100)     # no RuntimeWarning either (warnings = errors)


def test_last_update_overflow_is_divergence(make_problem):
    """Every loss finite, but the one update overflows: the parameters must not come back inf."""
    params, x, y = make_problem(4, 2, 3, 3, 1, seed=0)
    params["b3"] += 1e3                          # ∂L/∂b3 = 2·Σ(y_pred − y) ≈ 8e3; lr·8e3 > 1.8e308
    before = {k: v.copy() for k, v in params.items()}
    with pytest.raises(TrainingDiverged,
                       match=r"at step 0: the update would make the parameters NaN") as info:
        train(params, x, y, lr=1e306, steps=1)
    assert all(np.array_equal(params[k], before[k]) for k in params), "the update was not made"
    assert len(info.value.history) == 1 and math.isfinite(info.value.history[0])


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"lr": 0, "steps": 3}, ValueError, r"lr must be a positive"),
    ({"lr": None, "steps": 3}, TypeError, r"lr must be a number; got NoneType"),
    ({"lr": 0.1, "steps": -1}, ValueError, r"steps must be an integer ≥ 0; got -1"),
    ({"lr": 0.1, "steps": 2.5}, TypeError, r"steps must be an integer; got 2.5 \(float\)"),
    ({"lr": 0.1, "steps": 3, "callback": 5}, TypeError, r"callback must be callable"),
])
def test_train_bad_arguments(problem, kwargs, exc, match):
    params, x, y = problem
    with pytest.raises(exc, match=match):
        train(params, x, y, **kwargs)


def test_train_validates_data(problem):
    params, x, y = problem
    with pytest.raises(ValueError, match=r"y has shape \(4, 1\), expected \(n, 2\)"):
        train(params, x, y[:, :1], lr=0.1, steps=1)
    with pytest.raises(ValueError, match=r"x contains NaN or inf"):
        train(params, x * np.nan, y, lr=0.1, steps=1)


# ---------------------------------------------------------------- all or nothing

def _grads(params, x, y):
    return backward(params, x, y, forward(params, x)[1])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_gd_step_refuses_non_finite_grads(problem, bad):
    params, x, y = problem
    grads = _grads(params, x, y)
    grads["b2"][0, 1] = bad
    before = {k: v.copy() for k, v in params.items()}
    with pytest.raises(ValueError, match=r"grads\['b2'\] contains NaN or inf"):
        gd_step(params, grads, 0.1)
    assert all(np.array_equal(params[k], before[k]) for k in params)


def test_gd_step_checks_every_target_writable_first(problem):
    params, x, y = problem
    grads = _grads(params, x, y)
    params["b3"].flags.writeable = False               # the last one: the others came first
    before = {k: v.copy() for k, v in params.items()}
    with pytest.raises(ValueError, match=r"params\['b3'\] is read-only"):
        gd_step(params, grads, 0.1)
    assert all(np.array_equal(params[k], before[k]) for k in params), "nothing updated"


def test_gd_step_refuses_an_overflowing_update(problem):
    params, x, y = problem
    grads = _grads(params, x, y)
    before = {k: v.copy() for k, v in params.items()}
    with pytest.raises(ValueError, match=r"the update overflows: params\['\w+'\]"):
        gd_step(params, grads, 1e308)                   # no RuntimeWarning either
    assert all(np.array_equal(params[k], before[k]) for k in params)


def test_gd_step_refuses_masked_grads(problem):
    params, x, y = problem
    grads = _grads(params, x, y)
    with pytest.raises(TypeError, match=r"grads\['w1'\] is a masked array"):
        gd_step(params, {**grads, "w1": np.ma.masked_invalid(grads["w1"])}, 0.1)


def test_train_refuses_a_read_only_param_before_any_step(problem):
    params, x, y = problem
    params["w3"].flags.writeable = False
    before = {k: v.copy() for k, v in params.items()}
    with pytest.raises(ValueError, match=r"params\['w3'\] is read-only"):
        train(params, x, y, lr=0.01, steps=5)
    assert all(np.array_equal(params[k], before[k]) for k in params)


@pytest.mark.parametrize("exc", [RuntimeError("plot window closed"), KeyboardInterrupt()])
def test_train_stopped_by_the_callback_keeps_history_and_a_step_boundary(make_problem, exc):
    params, x, y = make_problem(8, 3, 5, 4, 2, seed=12)
    reference = {k: v.copy() for k, v in params.items()}
    expected = naive_train(reference, x, y, 0.01, 4)      # 4 complete steps

    def callback(step, value):
        if step == 3:
            raise exc

    with pytest.raises(type(exc)) as info:
        train(params, x, y, lr=0.01, steps=10, callback=callback)
    assert len(info.value.history) == 4 and info.value.step == 3
    np.testing.assert_allclose(info.value.history, expected, rtol=1e-12)
    for k in params:                                      # after exactly 4 updates
        np.testing.assert_allclose(params[k], reference[k], rtol=1e-12, atol=1e-14, err_msg=k)


def test_interrupt_during_an_update_waits_for_its_end(problem):
    """Ctrl-C that arrives while the six parameters are written: the update is completed, then the
    interrupt raised: params at a step boundary, history one entry per update. (The interrupt is
    raised right after a copy, where a SIGINT would surface; a real signal's delivery point varies
    with the Python version.)"""
    from helpers import training

    params, x, y = problem
    reference = {k: v.copy() for k, v in params.items()}
    expected = naive_train(reference, x, y, 0.01, 2)
    real_copyto, calls = np.copyto, []

    def copyto_and_interrupt(dst, src):
        calls.append(1)
        real_copyto(dst, src)
        if len(calls) == 6 + 3:                           # halfway through the second update
            raise KeyboardInterrupt

    training.np.copyto = copyto_and_interrupt
    try:
        with pytest.raises(KeyboardInterrupt) as info:
            train(params, x, y, lr=0.01, steps=5)
    finally:
        training.np.copyto = real_copyto
    assert len(info.value.history) == 2
    np.testing.assert_allclose(info.value.history, expected, rtol=1e-12)
    for k in params:                                      # after exactly 2 updates
        np.testing.assert_allclose(params[k], reference[k], rtol=1e-12, atol=1e-14, err_msg=k)


def test_train_overflow_is_divergence_not_inf_params(make_problem):
    """The update overflows (lr·∂L/∂p = inf) while the loss is finite: TrainingDiverged, the
    parameters stay finite at the last step boundary, no RuntimeWarning (warnings are errors)."""
    params, x, y = make_problem(4, 2, 3, 3, 1, seed=0)
    with pytest.raises(TrainingDiverged) as info:
        train(params, x, y, lr=1e308, steps=3)
    assert all(np.isfinite(v).all() for v in params.values())
    assert info.value.step == len(info.value.history) - 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_step_of_train_is_the_reference_step_exactly(make_problem, dtype):
    """train runs the reference network: each step is p − lr·backward(...), to the last bit."""
    params, x, y = make_problem(7, 5, 6, 4, 3, seed=6, dtype=dtype)
    reference = {k: v.copy() for k, v in params.items()}
    for _ in range(3):
        _, cache = forward(reference, x)
        grads = backward(reference, x, y, cache)
        reference = {k: (v - 1e-3 * grads[k]).astype(dtype) for k, v in reference.items()}
    train(params, x, y, lr=1e-3, steps=3)
    for k in params:
        assert params[k].dtype == dtype
        np.testing.assert_array_equal(params[k], reference[k], err_msg=k)


def test_y_none_is_refused_as_backward_refuses_it(problem):
    params, x, _ = problem
    before = {k: v.copy() for k, v in params.items()}
    with pytest.raises(TypeError, match=r"y is None: train needs the targets y \(n × d_out\)"):
        train(params, x, None, lr=0.1, steps=1)
    assert all(np.array_equal(params[k], before[k]) for k in params)
