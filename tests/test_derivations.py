"""Derivation exercises beyond the paper (exercises.derivations), graded by finite
differences: right answers (computed here by hand) pass, each common wrong answer fails with
its own hint, and nothing else gets that hint."""

import re
from pathlib import Path

import numpy as np
import pytest
from test_exercises import _net  # tests/ is on sys.path

import exercises as ex
from exercises.catalogue import MISTAKES

LAM, ALPHA = 0.3, 0.1


@pytest.fixture(scope="module")
def p():
    params, x, y, cache, grads = _net(4, 6, 3, 2, 5, seed=1)    # pairwise different sizes
    c = dict(cache, x=x, y=y, **params)
    # the leaky network, by hand
    h1 = x @ params["w1"] + params["b1"]
    a1 = np.where(h1 >= 0, h1, ALPHA * h1)
    h2 = a1 @ params["w2"] + params["b2"]
    a2 = np.maximum(h2, 0)
    dy = 2 * (a2 @ params["w3"] + params["b3"] - y)
    dh2 = (h2 >= 0) * (dy @ params["w3"].T)
    c["leaky"] = dict(h1=h1, a1=a1, a2=a2, dy=dy, dh2=dh2, up=dh2 @ params["w2"].T)
    return params, x, y, c, grads


def _leaky(c, slope, name):
    lk = c["leaky"]
    dh1 = slope * lk["up"]
    g = {"w1": c["x"].T @ dh1, "b1": dh1.sum(0, keepdims=True),
         "w2": lk["a1"].T @ lk["dh2"], "b2": lk["dh2"].sum(0, keepdims=True),
         "w3": lk["a2"].T @ lk["dy"], "b3": lk["dy"].sum(0, keepdims=True)}
    return g[name], dh1


def _fails(fn, *args):
    with pytest.raises(ex.ExerciseError) as info:
        fn(*args)
    return info.value


def test_right_answers_pass(p, capsys):
    params, x, y, c, g = p
    N = y.size
    ex.check_input_gradient(c["dh1"] @ params["w1"].T, params, x, y)
    for name in ("w1", "b1", "w2", "b2", "w3", "b3"):
        ex.check_mean_loss_gradient(name, g[name] / N, params, x, y)
        decay = 2 * LAM * params[name] if name[0] == "w" else 0
        ex.check_weight_decay_gradient(name, g[name] + decay, params, x, y, LAM)
        slope = np.where(c["leaky"]["h1"] >= 0, 1.0, ALPHA)
        ex.check_leaky_relu_gradient(name, _leaky(c, slope, name)[0], params, x, y, ALPHA)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 + 3 * 6 and out[0] == "dx matches the finite differences of ∂L/∂x"
    assert all("matches the finite differences" in ln for ln in out)


def _dx_cases(params, x, y, c):
    w1, w2, w3 = params["w1"], params["w2"], params["w3"]
    dx = c["dh1"] @ w1.T
    return [
        ("d-transposed", dx.T), ("d-summed", dx.sum(axis=0, keepdims=True)),
        ("d-dh1-for-dx", c["dh1"]), ("d-factor", dx / 2), ("d-factor", -dx),
        ("d-mask-B-missing", (c["dh2"] @ w2.T) @ w1.T),
        ("d-mask-A-missing", (c["B"] * ((c["dy"] @ w3.T) @ w2.T)) @ w1.T),
    ]


def test_input_gradient_mistakes(p):
    params, x, y, c, _ = p
    for key, wrong in _dx_cases(params, x, y, c):
        err = _fails(ex.check_input_gradient, wrong, params, x, y)
        assert err.mistake == key, (key, str(err))
        assert MISTAKES[key].text() in str(err)


@pytest.mark.parametrize("name", ["w1", "b2"])
def test_mean_loss_mistakes(p, name):
    params, x, y, c, g = p
    N, n = y.size, len(x)
    seed = {"b2": c["dh2"], "w1": None}[name]
    cases = [("d-sum-loss", g[name]), ("d-mean-n", g[name] / n), ("d-mean-twice", g[name] / N ** 2)]
    if seed is not None:
        cases.append(("d-bias-seed-form", seed / N))
    if name == "w1":
        cases.append(("d-mask-B-missing", x.T @ (c["dh2"] @ params["w2"].T) / N))
    for key, wrong in cases:
        err = _fails(ex.check_mean_loss_gradient, name, wrong, params, x, y)
        assert err.mistake == key, (key, str(err))


def test_weight_decay_mistakes(p):
    params, x, y, _, g = p
    w2, b2 = params["w2"], params["b2"]
    cases = [("d-decay-missing", "w2", g["w2"]), ("d-decay-factor", "w2", g["w2"] + LAM * w2),
             ("d-decay-sign", "w2", g["w2"] - 2 * LAM * w2), ("d-decay-only", "w2", 2 * LAM * w2),
             ("d-decay-bias", "b2", g["b2"] + 2 * LAM * b2),
             ("d-transposed", "w2", (g["w2"] + 2 * LAM * w2).T)]
    for key, name, wrong in cases:
        err = _fails(ex.check_weight_decay_gradient, name, wrong, params, x, y, LAM)
        assert err.mistake == key, (key, str(err))


def test_leaky_relu_mistakes(p):
    params, x, y, c, _ = p
    h1 = c["leaky"]["h1"]
    for key, slope in (("d-leaky-relu-mask", (h1 >= 0).astype(float)),
                       ("d-leaky-no-slope", np.ones_like(h1)),
                       ("d-leaky-swapped", np.where(h1 >= 0, ALPHA, 1.0))):
        for name in ("w1", "b1"):
            err = _fails(ex.check_leaky_relu_gradient, name, _leaky(c, slope, name)[0], params,
                         x, y, ALPHA)
            assert err.mistake == key, (key, name, str(err))
    _, dh1 = _leaky(c, np.where(h1 >= 0, 1.0, ALPHA), "b1")
    err = _fails(ex.check_leaky_relu_gradient, "b1", dh1, params, x, y, ALPHA)
    assert err.mistake == "d-bias-seed-form"


def test_unrecognised_wrong_answer_gets_no_hint(p):
    params, x, y, c, _ = p
    dx = c["dh1"] @ params["w1"].T
    err = _fails(ex.check_input_gradient, dx + 0.3 * np.cos(np.arange(dx.size)).reshape(dx.shape),
                 params, x, y)
    assert err.mistake is None and "Likely mistake" not in str(err)


def test_bad_inputs(p):
    params, x, y, _, g = p
    with pytest.raises(ValueError, match="lam"):
        ex.check_weight_decay_gradient("w1", g["w1"], params, x, y, -1)
    with pytest.raises(ValueError, match="alpha"):
        ex.check_leaky_relu_gradient("w1", g["w1"], params, x, y, 2)
    with pytest.raises(ValueError, match="name must be one of"):
        ex.check_mean_loss_gradient("w4", g["w1"], params, x, y)
    err = _fails(ex.check_input_gradient, None, params, x, y)
    assert "dx is None" in str(err)


def test_messages_name_the_notebooks_variables_and_the_equation(p):
    """A failure names the variable the notebook assigns (the provenance check reads its
    assignment by that name) and the paper's equation the variation starts from."""
    params, x, y, _, g = p
    for fn, args, var, eq in (
            (ex.check_input_gradient, (None, params, x, y), "dx", "eq. (6)"),
            (ex.check_mean_loss_gradient, ("w1", None, params, x, y), "dw1_mean", "eq. (6)"),
            (ex.check_weight_decay_gradient, ("b2", None, params, x, y, LAM), "db2_reg",
             "eq. (6)"),
            (ex.check_leaky_relu_gradient, ("w1", None, params, x, y, ALPHA), "dw1_leaky",
             "eq. (2)")):
        msg = str(_fails(fn, *args))
        assert msg.startswith(f"{var} is None") and eq in msg, msg


def test_leaky_network_by_name(p, capsys):
    from exercises.derivations import leaky_network
    from exercises.provenance import issued_as

    params, x, y, c, _ = p
    net = leaky_network(params, x, y, ALPHA)
    for k in ("h1", "a1", "a2", "dy", "dh2"):
        mine = net[{"a1": "h1_leaky", "a2": "h2_relu"}.get(k, k)]
        assert np.allclose(mine, c["leaky"][k], rtol=1e-12, atol=1e-12), k
        assert issued_as(mine), k                       # handing one in as an answer is refused
    assert np.array_equal(net["A"], net["h2"] >= 0)
    assert np.allclose(net["y_pred"], net["h2_relu"] @ params["w3"] + params["b3"])
    dh1 = np.where(net["h1"] >= 0, 1.0, ALPHA) * (net["dh2"] @ params["w2"].T)
    ex.check_leaky_relu_gradient("w1", x.T @ dh1, params, x, y, ALPHA)
    assert capsys.readouterr().out == ("dw1_leaky matches the finite differences of ∂L/∂w1 with "
                                       "a leaky ReLU (alpha = 0.1) in place of the ReLU of "
                                       "eq. (2)\n")
    with pytest.raises(ValueError, match="alpha"):
        leaky_network(params, x, y, 1.5)


def test_no_formula_is_shipped_for_them(capsys):
    """Every exercise of 11 (found in the notebook) has a task without formula or code."""
    from course.grading import notebooks
    from exercises.tasks import TASK_OF_NAME, TASKS

    a = notebooks.load(Path(__file__).resolve().parent.parent / "notebooks" /
                       "11_beyond_the_paper.ipynb")
    asked = [next(TASK_OF_NAME.get(t, t) for t in e.targets if TASK_OF_NAME.get(t, t) in TASKS)
             for e in a.exercises]
    assert {"dx", "dw1_mean", "dw1_reg", "dw1_leaky"} <= set(asked)
    for q in asked:
        assert not TASKS[q].formula and not TASKS[q].code
        ex.show_answer(q)
        out = capsys.readouterr().out
        assert out.startswith(f"{q}, the ") and "ships no formula" in out, out
        assert not re.search(r"[=@∘ᵀ]|\.T\b", out), out
