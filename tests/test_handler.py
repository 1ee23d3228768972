"""The IPython exception handler (exercises.handler): errors that typical mistakes raise
in the student's own cell get the catalogue's hint after the usual traceback; anything else gets
the normal traceback. Driven through a real IPython InteractiveShell."""

import sys

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell

import helpers
from exercises import handler
from exercises.catalogue import MISTAKES

SETUP = """
import numpy as np
import helpers
import exercises
n, d_in, d1, d2, d_out = 5, 4, 6, 3, 2
rng = np.random.default_rng(0)
params = helpers.init_params(d_in, d1, d2, d_out, rng=rng)
x, y = helpers.random_data(n, d_in, d_out, rng=rng)
y_pred, cache = helpers.forward(params, x)
h1, h1_relu, h2, h2_relu = cache["h1"], cache["h1_relu"], cache["h2"], cache["h2_relu"]
A, B = cache["A"], cache["B"]
w1, w2, w3 = params["w1"], params["w2"], params["w3"]
dy = 2 * (y_pred - y)
dh2 = A * (dy @ w3.T)
"""

# (catalogue key, the student's cell)
CASES = [
    ("g-missing-transpose-w3", "dw3 = h2_relu @ dy"),
    ("g-missing-transpose-w2", "dw2 = h1_relu @ dh2"),
    ("g-missing-transpose-w1", "dh1 = B * (dh2 @ w2.T)\ndw1 = x @ dh1"),
    ("g-matmul-for-hadamard-A", "dh2 = A @ (dy @ w3.T)"),
    ("g-matmul-for-hadamard-B", "dh1 = B @ (dh2 @ w2.T)"),
    ("g-mask-A-for-B", "dh1 = A * (dh2 @ w2.T)"),
    ("g-mask-B-for-A", "dh2 = B * (dy @ w3.T)"),
    ("g-w3-not-transposed", "dh2 = A * (dy @ w3)"),
    ("g-w2-not-transposed", "dh1 = B * (dh2 @ params['w2'])"),
    ("g-w2-not-transposed", "dh1 = B * ((A * (dy @ w3.T)) @ w2)"),     # dh2 written out
    ("g-missing-transpose-w3", "dw3 = np.dot(h2_relu, dy)"),
    ("g-missing-transpose-w1", "dh1 = B * (dh2 @ w2.T)\ndw1 = np.matmul(x, dh1)"),
    ("g-missing-transpose-w2", "dw2 = h1_relu.dot(dh2)"),
    ("g-matmul-for-hadamard-B", "dh1 = (dh2 @ w2.T) @ B"),
    ("g-hadamard-for-matmul", "dw3 = h2_relu.T * dy"),
    ("g-hadamard-for-matmul", "dw2 = h1_relu.T * dh2"),
    ("g-mask-B-before-product", "dh1 = B * dh2"),
    ("g-mask-B-before-product", "dh2_leaky = dh2\ndh1_leaky = B * dh2_leaky"),     # 11
    ("g-w3-not-transposed", "dh2 = A * ((2 * (y_pred - y)) @ w3)"),      # dy written out
    ("d-w1-not-transposed", "dh1 = B * (dh2 @ w2.T)\ndx = dh1 @ w1"),
    ("g-mask-B-for-A", "B_saved = B\ndel B\ntry:\n    dh2 = B * (dy @ w3.T)\nfinally:\n"
                       "    B = B_saved"),
    ("g-mask-A-for-B", "A_saved = A\ndel A\ntry:\n    dh1 = A * (dh2 @ w2.T)\nfinally:\n"
                       "    A = A_saved"),
    ("g-mask-A-for-B", "B_saved = B\ndel B\ntry:\n    dh1 = A * (dh2 @ w2.T)\nfinally:\n"
                       "    B = B_saved"),        # B not defined: the shape comes from h1
    ("f-np-max", "h1_relu = np.max(0, h1)"),
    ("f-np-max", "h1_relu = np.max(h1, 2)"),
    ("f-np-max", "h1_relu = max(h1, 0)"),
]
TESTED = sorted({k for k, _ in CASES})


@pytest.fixture(scope="module")
def shell():
    sh = InteractiveShell.instance()
    sys.modules.pop("exercises", None)      # so that SETUP's import installs it here
    vars(helpers).pop("exercises", None)
    res = sh.run_cell(SETUP, store_history=True)
    assert res.success, res.error_in_exec
    assert sh.custom_exceptions == (Exception,)             # installed by the import
    return sh


@pytest.mark.parametrize("key, cell", CASES, ids=[f"{k}:{c}" for k, c in CASES])
def test_error_in_the_cell_gets_its_hint(shell, capsys, key, cell):
    res = shell.run_cell(cell, store_history=True)
    out = capsys.readouterr().out
    assert not res.success and isinstance(res.error_in_exec, handler.EXCEPTIONS)
    assert type(res.error_in_exec).__name__ in out           # the error itself is shown
    assert f"Likely mistake: {MISTAKES[key].text()}" in out, out
    others = [m for m in MISTAKES.values() if m.key != key and m.text() in out]
    assert not others, others


@pytest.mark.parametrize("cell", [
    "dh2 = A * dy",                     # w3ᵀ forgotten: a broadcast error, but no mask mix-up
    "np.ones((2, 3)) @ np.ones((2, 3))",
    "int('x')",
    "[1, 2][5]",
    "def f():\n    return np.ones(3) + np.ones(4)\nf()",
    "dw3 = h2_relu.T @ undefined_name",
    "dw3 = dy @ w3",                    # the wrong matrix, not (84) with w3 untransposed
])
def test_other_errors_get_the_normal_traceback(shell, capsys, cell):
    res = shell.run_cell(cell, store_history=True)
    out = capsys.readouterr().out
    assert not res.success and ("Traceback" in out or "Error" in out)
    assert "Likely mistake" not in out, out


def test_right_answers_run(shell, capsys):
    res = shell.run_cell("dh1 = B * (dh2 @ w2.T)\ndw1 = x.T @ dh1", store_history=True)
    assert res.success
    assert capsys.readouterr().out == ""


def test_install_outside_ipython_is_a_no_op():
    assert handler.install(shell=None) in (True, False)
    assert handler.recognise_error(ValueError("x"), None, {}) is None
    assert isinstance(np.zeros(1), np.ndarray)


def test_slow_hint_in_a_real_kernel():
    """The same through Jupyter: the error output keeps its name and message, the hint follows."""
    import os

    import nbformat
    from nbclient import NotebookClient

    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    cells = [SETUP, "dh1 = A * (dh2 @ w2.T)", "int('x')", "print('after')"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True)
    with client.setup_kernel(env=env):
        for i, cell in enumerate(nb.cells):
            client.execute_cell(cell, i)
    hinted, plain = (c.outputs[0] for c in nb.cells[1:3])
    assert hinted.ename == "ValueError" and "broadcast" in hinted.evalue
    assert MISTAKES["g-mask-A-for-B"].text() in hinted.traceback[-1]
    assert plain.ename == "ValueError" and "Likely mistake" not in "".join(plain.traceback)
    assert nb.cells[3].outputs[0].text == "after\n"


def test_an_answer_the_failing_cell_never_assigned_is_left_as_none(shell, capsys):
    """So the ``use`` cell after the check hands out the reference instead of a NameError."""
    shell.user_ns.pop("dw1", None)
    shell.user_ns["db1"] = "kept"
    res = shell.run_cell("db1 = 1\ndw1 = x @ B", store_history=True)    # a matmul error
    capsys.readouterr()
    assert not res.success
    assert "dw1" in shell.user_ns and shell.user_ns["dw1"] is None
    assert shell.user_ns["db1"] == 1                     # assigned before the error: untouched
    res = shell.run_cell('dw1 = exercises.use("dw1", dw1, params, x, y)', store_history=True)
    assert res.success and "not answered yet" in capsys.readouterr().out


def test_a_failing_cell_does_not_leave_the_reference_value_in_its_answer(shell, capsys):
    """After ``use`` handed out the reference dw1, a corrected cell that raises must not leave
    that value behind: its check would call it reference use instead of saying it is missing."""
    shell.run_cell('dw1 = exercises.use("dw1", None, params, x, y)', store_history=True)
    res = shell.run_cell("dw1 = x @ B", store_history=True)
    capsys.readouterr()
    assert not res.success and shell.user_ns["dw1"] is None


def test_a_step_cell_that_raises_leaves_new_params_as_none(shell, capsys):
    """08's answer is named new_params (its task is "step"): a cell that raises before assigning
    it leaves None, so the check says it is missing and use_step hands out the reference."""
    shell.user_ns.pop("new_params", None)
    res = shell.run_cell("lr = 0.1\ngrads = helpers.backward(params, x, y, cache)\n"
                         "new_params = {k: params[k] - lr * grads[k].T for k in params}",
                         store_history=True)
    capsys.readouterr()
    assert not res.success and shell.user_ns["new_params"] is None
    res = shell.run_cell("new_params = exercises.use_step(new_params, params, grads, lr)",
                         store_history=True)
    assert res.success and "not answered yet" in capsys.readouterr().out
