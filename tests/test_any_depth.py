"""05's function exercise, the backward pass of any depth (exercises/any_depth.py).

The reference (exercises.context.layers_backward, the reference network's own layers stacked)
is (81)–(86) on three layers and agrees with central differences on 1, 2 and 4. The check passes
the notebook's solution, on the running example and on the hidden cases' sizes; each catalogued
mistake of the exercise, written into the notebook's own cell as a student writes it, fails with
its own hint and no other (never the formula); a mistake it does not know gets no hint; ``use``
hands the student's function on, or the reference function with one line.
"""

import importlib.util
import textwrap

import nbformat
import numpy as np
import pytest

import exercises as ex
from course.grading import hidden_cases
from exercises import any_depth
from exercises.catalogue import MISTAKES, _any
from exercises.context import layers_backward, layers_forward
from exercises.tasks import TASKS
from helpers.data import random_data
from helpers.gradcheck import numerical_gradient
from helpers.network import _backward, _forward, init_params

NB = "notebooks/05_first_hidden_layer.ipynb"
KEYS = sorted(k for k, m in MISTAKES.items() if "any_depth" in m.quantities)


def _problem(n=5, d_in=3, d1=6, d2=4, d_out=2, seed=15):
    """The running example of 02–05 (or a hidden case's sizes)."""
    rng = np.random.default_rng(seed)
    params = init_params(d_in, d1, d2, d_out, rng=rng)
    for k in ("b1", "b2", "b3"):
        params[k] = 0.5 * rng.standard_normal(params[k].shape)
    x, y = random_data(n, d_in, d_out, rng=rng)
    return params, x, y


def _cell(body=None):
    """05's exercise cell, with ``body`` (as a student writes it) in place of the solution."""
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    (cell,) = [c for c in nbformat.read(root / NB, as_version=4).cells if c.get("id") == "nb05-36"]
    lines = cell.source.splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.strip() == "### BEGIN SOLUTION")
    j = next(k for k, ln in enumerate(lines) if ln.strip() == "### END SOLUTION")
    region = lines[i + 1:j] if body is None else textwrap.indent(body, "    ").splitlines()
    return "\n".join(lines[:i] + region + lines[j + 1:])


def _function(tmp_path, body=None, name="cell"):
    """``backward_any`` of the cell, from a file (so that a traceback can read its lines)."""
    path = tmp_path / f"{name}.py"
    path.write_text("import numpy as np\n\n" + _cell(body) + "\n", encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.backward_any


def _net(sizes, seed=0):
    rng = np.random.default_rng(seed)
    ws = [rng.standard_normal((a, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    return ws, [0.3 * rng.standard_normal((1, b)) for b in sizes[1:]]


# ---------------------------------------------------------------- the reference

def test_the_reference_on_three_layers_is_the_papers_backward_pass():
    params, x, y = _problem()
    dws, dbs = layers_backward([params[f"w{k}"] for k in (1, 2, 3)],
                               [params[f"b{k}"] for k in (1, 2, 3)], x, y)
    grads = _backward(params, x, y, _forward(params, x)[1])
    for k in range(3):
        assert np.array_equal(dws[k], grads[f"w{k + 1}"])
        assert np.allclose(dbs[k], grads[f"b{k + 1}"], rtol=1e-14, atol=0)


@pytest.mark.parametrize("sizes", [[3, 2], [3, 7, 2], [3, 6, 8, 7, 2], [4, 5, 6, 7, 8, 9, 3]])
def test_the_reference_agrees_with_central_differences_at_any_depth(sizes):
    _, x, y = _problem(d_in=sizes[0], d_out=sizes[-1])
    ws, bs = _net(sizes)
    dws, dbs = layers_backward(ws, bs, x, y)

    def loss():
        return float(np.sum((layers_forward(ws, bs, x)[0] - y) ** 2))

    for analytic, p in zip(dws + dbs, ws + bs, strict=True):
        numerical = numerical_gradient(loss, p, h=1e-6)
        assert np.allclose(analytic, numerical, rtol=1e-6, atol=1e-6 * np.abs(numerical).max())


@pytest.mark.parametrize("case", [None, *hidden_cases.CASES])
def test_the_check_has_five_networks_pairwise_different_sizes_and_kinks_that_matter(case):
    params, x, y = _problem() if case is None else _problem(
        *(case[k] for k in ("n", "d_in", "d1", "d2", "d_out")), seed=case["seed"])
    cases = any_depth._cases(params, x, y)
    assert [c.K for c in cases] == [1, 2, 3, 4, 3]
    for c in cases:
        sizes = [c.n, *(w.shape[0] for w in c.weights), c.y.shape[1]]
        assert len(set(sizes)) == len(sizes), (c.label, sizes)
    kink = cases[-1]
    assert all((p == 0).any() for p in layers_forward(kink.weights, kink.biases, kink.x)[2])
    strict = kink.variation(act=any_depth._STRICT)
    assert not all(np.allclose(a, b) for a, b in zip(strict[0], kink.ref[0], strict=True))


# ---------------------------------------------------------------- the check

@pytest.mark.parametrize("case", [None, *hidden_cases.CASES])
def test_the_solution_passes(tmp_path, capsys, case):
    params, x, y = _problem() if case is None else _problem(
        *(case[k] for k in ("n", "d_in", "d1", "d2", "d_out")), seed=case["seed"])
    ex.check_backward_any(_function(tmp_path), params, x, y)
    assert "backward_any matches" in capsys.readouterr().out


def _fails(fn, params=None):
    params, x, y = _problem() if params is None else params
    with pytest.raises(ex.ExerciseError) as info:
        ex.check_backward_any(fn, params, x, y)
    return info.value


def _no_formula(message):
    t = TASKS["any_depth"]
    for text in (t.formula, t.code):
        assert text not in message
    assert "pre[layer - 1] >= 0" not in message.split("`")[0]


@pytest.mark.parametrize("key", KEYS)
def test_each_mistake_gets_its_own_hint(tmp_path, key):
    for k, body in enumerate(MISTAKES[key].examples):
        err = _fails(_function(tmp_path, body, f"m{k}_{key.replace('-', '_')}"))
        assert err.mistake == key, str(err)
        assert f"Likely mistake: {MISTAKES[key].text(TASKS['any_depth'].eq)}" in str(err)
        _no_formula(str(err))


@pytest.mark.parametrize("body", [
    _any(seed="y_pred - y"),                                          # a factor 2 dropped
    _any().replace("inputs[layer].T @ dh", "inputs[layer] @ dh"),     # the input not transposed
    _any().replace("inputs[layer].T @ dh", "inputs[layer].T * dh"),   # * for @
    _any().replace("inputs[layer].T @ dh", "inputs[layer + 1].T @ dh"),   # the output, not input
    _any(step="(pre[layer - 1] >= 0) * dh @ weights[layer].T"),       # the mask before @
    _any(step="(pre[layer - 1] >= 0) * (dh @ weights[layer - 1].T)"),  # the wrong weight
], ids=["factor-2", "input-not-transposed", "hadamard", "output-for-input", "precedence",
        "wrong-weight"])
def test_a_mistake_the_check_does_not_know_gets_no_hint(tmp_path, body):
    err = _fails(_function(tmp_path, body, "unknown"))
    assert err.mistake is None and "Likely mistake" not in str(err), str(err)


def test_an_error_in_a_function_the_student_calls_is_not_read(tmp_path):
    """Only a statement of backward_any itself is read: a helper of the student's that raises
    gets the error and the network, without a hint."""
    body = ("def step(dh, layer):\n    return (pre[layer] >= 0) * (dh @ weights[layer].T)\n"
            + _any(step="step(dh, layer)"))
    err = _fails(_function(tmp_path, body, "helper"))
    assert err.mistake is None and "IndexError" in str(err), str(err)


def test_the_placeholder_and_bad_returns(tmp_path):
    err = _fails(_function(tmp_path, 'raise NotImplementedError("write it here")', "todo"))
    assert "not answered yet" in str(err) and getattr(err, "unanswered", False)
    assert "returned None" in str(_fails(lambda w, b, x, y: None))
    assert "two lists" in str(_fails(lambda w, b, x, y: layers_backward(w, b, x, y)[0]))
    err = _fails(lambda w, b, x, y: tuple(g[::-1] for g in layers_backward(w, b, x, y)))
    assert "from the first layer to the last" in str(err), str(err)
    assert "is None, expected the function" in str(_fails(None))


def test_the_students_grader_state_passes_through():
    """An exception that is not the student's own kind (the grader's states) is not turned into
    a failed check."""
    class Budget(Exception):
        pass

    def fn(w, b, x, y):
        raise Budget("used up")

    params, x, y = _problem()
    with pytest.raises(Budget):
        ex.check_backward_any(fn, params, x, y)


def test_the_check_leaves_the_inputs_alone(tmp_path):
    """The function gets copies: what it changes in place stays in it."""
    params, x, y = _problem()
    before = {k: v.copy() for k, v in params.items()}, x.copy(), y.copy()
    body = _any() + "\nfor w in weights + biases:\n    w *= 0\nx *= 0\ny *= 0"
    ex.check_backward_any(_function(tmp_path, body, "inplace"), params, x, y)
    assert all(np.array_equal(params[k], before[0][k]) for k in params)
    assert np.array_equal(x, before[1]) and np.array_equal(y, before[2])


# ---------------------------------------------------------------- use

def test_use_hands_on_the_students_function_or_the_reference(tmp_path, capsys):
    params, x, y = _problem()
    mine = _function(tmp_path)
    assert ex.use("backward_any", params, x, y, value=mine) is mine
    assert capsys.readouterr().out == ""
    for wrong, why in ((None, "is not answered yet"),
                       (_function(tmp_path, 'raise NotImplementedError("x")', "t"),
                        "is not answered yet"),
                       (_function(tmp_path, _any(stop=False), "nostop"), "did not pass"),
                       (lambda *a: 1 / 0, "did not pass")):
        got = ex.use("backward_any", params, x, y, value=wrong)
        assert got is any_depth.backward_any
        out = capsys.readouterr().out
        assert out.count("\n") == 1 and why in out and "reference backward_any" in out, out
    with pytest.raises(ex.ExerciseError, match="reference function") as info:
        ex.check_backward_any(got, params, x, y)
    assert info.value.mistake == "ref-used"
