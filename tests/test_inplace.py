"""An answer that changed another quantity in place (exercises.inplace): the check refuses
it, naming both; ``use`` / ``use_step`` put the changed quantity back, so that later cells run on
the right values. Driven through an IPython shell, whose namespace the checks look at."""

import numpy as np
import pytest

from exercises.catalogue import MISTAKES
from exercises.tasks import TASKS

SETUP = """
import numpy as np
import helpers
import exercises
n, d_in, d1, d2, d_out = 5, 4, 6, 3, 2
rng = np.random.default_rng(0)
params = helpers.init_params(d_in, d1, d2, d_out, rng=rng)
x, y = helpers.random_data(n, d_in, d_out, rng=rng)
h1 = exercises.reference("h1", params, x)
h2 = exercises.reference("h2", params, x)
y_pred = exercises.reference("y_pred", params, x)
"""


def _ok(run, source):
    err, out = run(source)
    assert err is None, (source, err, out)
    return out


@pytest.mark.parametrize("cell, check, use, changed", [
    ("h1_relu = h1\nh1_relu[h1_relu < 0] = 0",
     'exercises.check_forward("h1_relu", h1_relu, params, x)',
     'h1_relu = exercises.use("h1_relu", params, x)', "h1"),
    ("dy = y_pred\ndy -= y\ndy *= 2", 'exercises.check_seed_bias_form("b3", dy, params, x, y)',
     'dy = exercises.use("dy", params, x, y)', "y_pred"),
], ids=["h1_relu changes h1", "dy changes y_pred"])
def test_an_answer_that_changed_its_input_is_refused_and_the_input_restored(
        student_shell, cell, check, use, changed):
    run = student_shell
    var = cell.split(" =")[0]
    _ok(run, SETUP)
    _ok(run, cell)
    err, _ = run(check)
    assert err.mistake == "x-in-place" and f"{var} shares its memory with {changed}" in str(err)
    assert MISTAKES["x-in-place"].text(TASKS[var].eq) in str(err)
    out = _ok(run, use)
    assert f"{changed} was changed in place through {var}" in out
    for q in (changed, var):
        _ok(run, f'assert np.array_equal({q}, exercises.reference("{q}", params, x, y))')


def test_a_second_name_alone_is_not_in_place(student_shell):
    """``h2_relu = h2`` changes nothing: it gets the hint of the missing ReLU, not this one."""
    run = student_shell
    _ok(run, SETUP)
    err, _ = run('h2_relu = h2\nexercises.check_forward("h2_relu", h2_relu, params, x)')
    assert err.mistake == "f-relu-missing-4"


def test_a_step_in_place_is_refused_and_undone(student_shell):
    run = student_shell
    _ok(run, SETUP + "grads = helpers.backward(params, x, y, helpers.forward(params, x)[1])\n"
                     "lr = 0.01\n"
                     "before = {k: v.copy() for k, v in params.items()}\n")
    _ok(run, "new_params = params\nfor name in params:\n    new_params[name] -= lr * grads[name]")
    err, _ = run("exercises.check_gd_step(new_params, params, grads, lr)")
    assert err.mistake == "st-in-place" and "changed params in place" in str(err), str(err)
    out = _ok(run, "new_params = exercises.use_step(params, grads, lr)")
    assert "params were changed in place by your step" in out
    _ok(run, "assert all(np.allclose(params[k], before[k], rtol=1e-12, atol=1e-15) "
             "for k in params)")
    _ok(run, "assert all(np.allclose(new_params[k], before[k] - lr * grads[k]) for k in params)")


def test_nothing_is_refused_outside_ipython(monkeypatch, problem):
    import IPython

    from exercises import inplace, provenance

    params, x, _ = problem
    h1 = np.zeros((x.shape[0], params["w1"].shape[1]))
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert provenance.user_namespace() is None
    assert inplace.clobbered("h1_relu", h1, params, x) is None
