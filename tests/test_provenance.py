"""Reference use is flagged (exercises.provenance): an answer computed with the
reference implementation fails its check saying so; honest answers pass, also when the
reference was used elsewhere in the notebook. Driven through a real IPython shell, whose input
history the checks read."""

import pytest
from IPython.core.interactiveshell import InteractiveShell

SETUP = """
import numpy as np
import helpers
import exercises
n, d_in, d1, d2, d_out = 5, 4, 6, 3, 2
rng = np.random.default_rng(1)
params = helpers.init_params(d_in, d1, d2, d_out, rng=rng)
x, y = helpers.random_data(n, d_in, d_out, rng=rng)
y_pred, cache = helpers.forward(params, x)
h1_relu, h2_relu, A, B = cache["h1_relu"], cache["h2_relu"], cache["A"], cache["B"]
w1, b1, w2, b2, w3 = params["w1"], params["b1"], params["w2"], params["b2"], params["w3"]
dy = 2 * (y_pred - y)
lr = 0.01
"""


@pytest.fixture(scope="module")
def shell():
    sh = InteractiveShell.instance()
    saved = dict(sh.user_ns)
    assert sh.run_cell(SETUP, store_history=True).success
    yield sh
    sh.user_ns.clear()
    sh.user_ns.update(saved)


def _run(shell, *cells):
    """Run ``cells`` in order; return the error of the last one (None if it passed)."""
    for cell in cells[:-1]:
        res = shell.run_cell(cell, store_history=True)
        assert res.success, (cell, res.error_in_exec)
    return shell.run_cell(cells[-1], store_history=True).error_in_exec


CHEATS = [
    ('dw3 = helpers.backward(params, x, y, cache)["w3"]',
     'exercises.check_gradient("w3", dw3, params, x, y)', "helpers.backward"),
    ('grads = helpers.backward(params, x, y, cache)', 'g = grads["w2"]', 'dw2 = g',
     'exercises.check_gradient("w2", dw2, params, x, y)', "helpers.backward"),
    ('helpers.backward(params, x, y, cache)\ndh2 = cache["dh2"]',
     'exercises.check_seed_bias_form("b2", dh2, params, x, y)', "helpers.backward"),
    ('from helpers.network import backward as bw\ndb3 = bw(params, x, y, cache)["b3"]',
     'exercises.check_gradient("b3", db3, params, x, y)', "bw (helpers' backward)"),
    ('import helpers.network as hn\ndw3 = hn.backward(params, x, y, cache)["w3"]',
     'exercises.check_gradient("w3", dw3, params, x, y)', "hn.backward"),
    ('grads = helpers.backward(params, x, y, cache)', 'dh2 = cache["dh2"]',
     'exercises.check_seed_bias_form("b2", dh2, params, x, y)', "which helpers.backward stored"),
    ('dw3 = exercises.reference("dw3", params, x, y)',
     'exercises.check_gradient("w3", dw3, params, x, y)', "reference"),
    ('dh2 = None', 'dh2 = exercises.use("dh2", params, x, y)',
     'exercises.check_seed_bias_form("b2", dh2, params, x, y)', "reference value"),
    ('h1 = helpers.forward(params, x)[1]["h1"]', 'exercises.check_forward("h1", h1, params, x)',
     "helpers.forward"),
    ('h1_relu = helpers.relu(x @ w1 + b1)',
     'exercises.check_forward("h1_relu", h1_relu, params, x)', "helpers.relu"),
    ('def cd(params, x, y, name):\n'
     '    return helpers.numerical_gradient(lambda: helpers.loss(helpers.forward(params, x)[0], '
     'y), params[name])',
     'exercises.check_numerical_gradient(cd(params, x, y, "w2"), params, x, y, "w2")',
     "numerical_gradient"),
    ('grads = helpers.backward(params, x, y, cache)\nold = {k: v.copy() for k, v in '
     'params.items()}\nnew_params = {k: v.copy() for k, v in params.items()}\n'
     'helpers.gd_step(new_params, grads, lr)',
     'exercises.check_gd_step(new_params, old, grads, lr)', "gd_step"),
]


@pytest.mark.parametrize("cells", CHEATS, ids=[c[-1] + ":" + c[0][:30] for c in CHEATS])
def test_reference_use_is_refused(shell, cells):
    err = _run(shell, *cells[:-1])
    assert err is not None and getattr(err, "mistake", None) == "ref-used", err
    assert cells[-1] in str(err)


HONEST = [
    ('grads = helpers.backward(params, x, y, cache)', 'dw3 = h2_relu.T @ dy',
     'exercises.check_gradient("w3", dw3, params, x, y)'),
    ('dh2 = exercises.reference("dh2", params, x, y)', 'dw2 = h1_relu.T @ dh2',
     'exercises.check_gradient("w2", dw2, params, x, y)'),
    ('dh2 = A * (dy @ w3.T)', 'dh2 = exercises.use("dh2", params, x, y)',
     'exercises.check_seed_bias_form("b2", dh2, params, x, y)'),
    ('def forward(x):\n    return x @ w1 + b1', 'h1 = forward(x)',           # the student's own
     'exercises.check_forward("h1", h1, params, x)'),
    ('relu = lambda a: np.maximum(a, 0)', 'h1_relu = relu(x @ w1 + b1)',
     'exercises.check_forward("h1_relu", h1_relu, params, x)'),
    ('loss = 3.0', 'L = np.sum((helpers.forward(params, x)[0] - y) ** 2)',   # a variable
     'exercises.check_loss(L, helpers.forward(params, x)[0], y)'),
    ('h2 = h1_relu @ w2 + b2', 'exercises.check_forward("h2", h2, params, x)'),
    ('def central(params, x, y, name, h=1e-5):\n    p = params[name]\n    est = np.zeros(p.shape)\n'
     '    for i in np.ndindex(p.shape):\n        o = p[i]\n        p[i] = o + h\n'
     '        a = helpers.loss(helpers.forward(params, x)[0], y)\n        p[i] = o - h\n'
     '        b = helpers.loss(helpers.forward(params, x)[0], y)\n        p[i] = o\n'
     '        est[i] = (a - b) / (2 * h)\n    return est',
     'exercises.check_numerical_gradient(central(params, x, y, "b2"), params, x, y, "b2")'),
    ('grads = helpers.backward(params, x, y, cache)\n'
     'new_params = {k: params[k] - lr * grads[k] for k in params}',
     'exercises.check_gd_step(new_params, params, grads, lr)'),
]


@pytest.mark.parametrize("cells", HONEST, ids=[c[-2][:40] for c in HONEST])
def test_honest_answers_pass(shell, cells):
    assert _run(shell, *cells) is None


def test_a_handed_out_value_used_for_another_quantity_gets_that_quantitys_hint(shell):
    """After 03's dy failed, ``use`` hands out the reference dy. ``db3 = dy`` is then the
    student's mistake (the seed form, not summed), not reference use: the hint must say so."""
    err = _run(shell, 'dy = None', 'dy_ref = exercises.use("dy", params, x, y)', 'db3 = dy_ref',
               'exercises.check_gradient("b3", db3, params, x, y)')
    assert err is not None and getattr(err, "mistake", None) != "ref-used", err
    assert "not summed over the samples" in str(err)
    err = _run(shell, 'db3 = exercises.reference("db3", params, x, y)',
               'exercises.check_gradient("b3", db3, params, x, y)')
    assert getattr(err, "mistake", None) == "ref-used", err
