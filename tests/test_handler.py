"""The classroom in a student's kernel (exercises.session, exercises.handler): errors that
typical mistakes raise in the student's own cell get the catalogue's hint after the usual
traceback; a NameError for an exercise's answer says which cell to run first; a failed check
shows its message without the checker's frames and judges only the exercise cell's last run;
nothing in the namespace is replaced. Driven through a real IPython InteractiveShell, and once
through a Jupyter kernel."""

import re
import sys
from pathlib import Path

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell

import helpers
from exercises import handler
from exercises.catalogue import MISTAKES
from exercises.tasks import TASKS

ROOT = Path(__file__).resolve().parent.parent

SETUP = """
import numpy as np
import helpers
import exercises
from helpers import forward
exercises.start("h1_relu", "dy", "dh2", "dw3", "dw2", "dh1", "dw1", "db1", "dx", "new_params")
n, d_in, d1, d2, d_out = 5, 4, 6, 3, 2
rng = np.random.default_rng(0)
params = helpers.init_params(d_in, d1, d2, d_out, rng=rng)
x, y = helpers.random_data(n, d_in, d_out, rng=rng)
y_pred, cache = helpers.forward(params, x)
h1, h1_relu, h2, h2_relu = cache["h1"], cache["h1_relu"], cache["h2"], cache["h2_relu"]
A, B = cache["A"], cache["B"]
w1, w2, w3 = params["w1"], params["w2"], params["w3"]
b1 = params["b1"]
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
    ("g-precedence", "dh2 = A * dy @ w3.T"),            # read as (A * dy) @ w3.T
    ("g-precedence", "dh2 = A * (y_pred - y) @ w3.T"),
    ("g-precedence", "dh1 = B * dh2 @ w2.T"),
    ("g-result-transposed", "dh2 = A * (w3 @ dy.T)"),
    ("g-missing-transpose-w3", "dw3 = h2_relu @ dy.T"),
    ("f-product-order", "h1 = x.T @ w1 + b1"),
    ("f-product-order", "h1 = w1 @ x"),
]


def _expected(key, cell):
    """The hint line: an entry without an equation of its own names the exercise's."""
    m = MISTAKES[key]
    target = re.match(r"(\w+) =", cell.splitlines()[-1])
    task = TASKS.get(target.group(1)) if target else None
    return m.text("" if m.eq or task is None else task.eq)


@pytest.fixture(scope="module")
def shell():
    from exercises import _runs
    sh = InteractiveShell.instance()
    saved = dict(sh.user_ns)
    sh.set_custom_exc((), None)
    sys.modules.pop("exercises", None)
    vars(helpers).pop("exercises", None)
    res = sh.run_cell("import exercises", store_history=True)
    assert res.success and sh.custom_exceptions == ()      # importing installs nothing
    res = sh.run_cell(SETUP, store_history=True)
    assert res.success, res.error_in_exec
    assert sh.custom_exceptions == (Exception,)             # exercises.start() did
    yield sh
    sh.user_ns.clear()
    sh.user_ns.update(saved)
    _runs.reset()


@pytest.mark.parametrize("key, cell", CASES, ids=[f"{k}:{c}" for k, c in CASES])
def test_error_in_the_cell_gets_its_hint(shell, capsys, key, cell):
    res = shell.run_cell(cell, store_history=True)
    out = capsys.readouterr().out
    assert not res.success and isinstance(res.error_in_exec, handler.EXCEPTIONS)
    assert type(res.error_in_exec).__name__ in out           # the error itself is shown
    assert f"Likely mistake: {_expected(key, cell)}" in out, out
    others = [m for m in MISTAKES.values() if m.key != key and _expected(m.key, cell) in out]
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


def test_start_outside_ipython_is_a_no_op():
    from exercises import session
    assert session.start("dy", shell=object()) is None
    assert handler.recognise_error(ValueError("x"), None, {}) is None
    with pytest.raises(ValueError, match="names the exercise cells compute"):
        session.start("not a name")


def test_an_undefined_answer_is_a_name_error_that_says_which_cell(shell, capsys):
    shell.user_ns.pop("dh1", None)
    res = shell.run_cell("dw1 = x.T @ dh1", store_history=True)
    out = capsys.readouterr().out
    assert isinstance(res.error_in_exec, NameError) and "'dh1' is not defined" in out
    assert "dh1 is not defined yet: run the exercise cell above that computes dh1 " \
           "(eq. (86)) first." in out
    assert "dh1" not in shell.user_ns                    # nothing set to None before or after
    res = shell.run_cell("h1.T @ undefined_name", store_history=True)
    assert "not defined yet" not in capsys.readouterr().out     # not an exercise's answer
    shell.run_cell("dh1 = x @ B", store_history=True)          # its cell raises
    capsys.readouterr()
    res = shell.run_cell("dw1 = x.T @ dh1", store_history=True)
    assert isinstance(res.error_in_exec, NameError) and "dh1" not in shell.user_ns
    assert "dh1 is not defined: the cell that computes it raised on its last run (ValueError" \
        in capsys.readouterr().out


def test_a_failing_cell_changes_nothing_and_its_check_says_it_raised(shell, capsys):
    """The check judges the last run: after a right dw1 and then a wrong one that raises, the
    check says the cell raised, not that the old value matches."""
    assert shell.run_cell("dh1 = B * (dh2 @ w2.T)\ndw1 = x.T @ dh1", store_history=True).success
    assert shell.run_cell('exercises.check_gradient("w1", dw1, params, x, y)',
                          store_history=True).success
    assert "dw1 matches eq. (85)" in capsys.readouterr().out
    old = shell.user_ns["dw1"]
    res = shell.run_cell("db1 = 1\ndw1 = x @ B", store_history=True)    # a matmul error
    capsys.readouterr()
    assert not res.success and shell.user_ns["dw1"] is old and shell.user_ns["db1"] == 1
    res = shell.run_cell('exercises.check_gradient("w1", dw1, params, x, y)', store_history=True)
    out = capsys.readouterr().out
    assert isinstance(res.error_in_exec, AssertionError)
    assert "your exercise cell raised on its last run (ValueError: matmul" in out, out
    assert "matches" not in out and "Likely mistake" not in out
    assert "checks.py" not in out and "_compare.py" not in out         # no checker frames
    res = shell.run_cell('dw1 = exercises.use("dw1", params, x, y)', store_history=True)
    assert res.success and "raised on its last run: the cells below use the reference value" \
        in capsys.readouterr().out
    shell.user_ns.pop("dw1")
    res = shell.run_cell('dw1 = exercises.use("dw1", params, x, y)', store_history=True)
    assert res.success and "dw1 is not answered yet" in capsys.readouterr().out


def test_a_failed_check_shows_the_message_not_the_checkers_frames(shell, capsys):
    shell.run_cell("dw3 = (h2_relu.T @ dy).T", store_history=True)
    res = shell.run_cell('exercises.check_gradient("w3", dw3, params, x, y)', store_history=True)
    out = capsys.readouterr().out
    assert isinstance(res.error_in_exec, AssertionError)
    assert "Likely mistake: the result is transposed (eq. (81))" in out
    assert out.count("File ") == 0 and "def check_gradient" not in out and "compare(" not in out


def test_a_students_own_forward_passes_and_use_puts_the_notebooks_back(shell, capsys):
    shell.run_cell("def forward(a):\n    return np.maximum(a, 0)\nh1_relu = forward(h1)",
                   store_history=True)
    res = shell.run_cell('exercises.check_forward("h1_relu", h1_relu, params, x)',
                         store_history=True)
    assert res.success, res.error_in_exec
    res = shell.run_cell('h1_relu = exercises.use("h1_relu", params, x)', store_history=True)
    out = capsys.readouterr().out
    assert res.success and shell.user_ns["forward"] is helpers.forward
    assert out.splitlines()[-1] == ("your h1_relu cell redefined forward: the cells below use "
                                    "the notebook's own forward again.")
    shell.run_cell('h1_relu = forward(params, x)[1]["h1_relu"]', store_history=True)
    res = shell.run_cell('exercises.check_forward("h1_relu", h1_relu, params, x)',
                         store_history=True)
    assert "the reference implementation" in str(res.error_in_exec)     # refused where used
    capsys.readouterr()


def _student_03():
    """The code cells of the student copy of 03, by id."""
    import nbformat
    path = ROOT / "student" / "03_output_layer.ipynb"
    return {c.get("id"): c.source for c in nbformat.read(path, as_version=4).cells
            if c.cell_type == "code"}


def test_slow_the_student_notebook_in_a_real_kernel(student_kernel):
    """Through Jupyter, in the student copy of 03, a student's evening: the dw3 cell run before
    dy exists (a NameError that says which cell computes dy); dy answered; dw3 right, checked;
    dw3 wrong, raising with its hint; the check says the cell raised (it does not judge the old
    value) and shows no frame of the checker; the use cell hands out the reference, in one line;
    a plain error gets no hint."""
    c = _student_03()
    cells = [c["25603f5f"] + "\n" + c["25603f5f-start"], c["7e4d7402"], "dw3 = h2_relu.T @ dy",
             "dy = 2 * (y_pred - y)", c["40245e7f"], c["40245e7f-use"], "dw3 = h2_relu.T @ dy",
             c["7e6cfceb"], "dw3 = h2_relu @ dy", c["7e6cfceb"], c["7e6cfceb-use"], "int('x')",
             "print(dw3.shape)"]
    out = student_kernel(cells)
    assert not out[0] and not out[1]
    assert out[2][0].ename == "NameError" and out[2][0].traceback[-1].strip() == (
        "dy is not defined yet: run the exercise cell above that computes dy (eq. (82)) first.")
    assert out[4][0].text.startswith("dy matches eq. (82)") and not out[5]
    assert out[7][0].text == "dw3 matches eq. (81)\n"
    assert MISTAKES["g-missing-transpose-w3"].text() in out[8][0].traceback[-1]
    judged = out[9][0]
    assert judged.output_type == "error" and judged.ename == "ExerciseError"
    assert judged.evalue.startswith("your exercise cell raised on its last run (ValueError: matmul")
    assert "matches" not in judged.evalue and "checks.py" not in "".join(judged.traceback)
    assert out[10][0].text == ("dw3: your exercise cell raised on its last run: the cells below "
                               "use the reference value of dw3 (eq. (81)).\n")
    assert out[11][0].ename == "ValueError" and "Likely mistake" not in "".join(
        out[11][0].traceback)
    assert out[12][0].text == "(4, 2)\n"


def test_relu_hints_name_the_exercises_own_equation(shell, capsys):
    shell.run_cell("h2_relu = max(h2, 0)", store_history=True)
    out = capsys.readouterr().out
    assert "np.maximum (eq. (4))" in out and "(eq. (2))" not in out, out


def test_a_classroom_error_shows_the_cell_line_only_and_this_notebooks_names(shell, capsys):
    res = shell.run_cell('exercises.hint("nonsense")', store_history=True)
    out = capsys.readouterr().out
    assert isinstance(res.error_in_exec, ValueError) and "answers.py" not in out, out
    assert '"h1_relu", "dy", "dh2"' in out and '"numerical"' not in out, out


def test_an_error_in_the_students_function_skips_the_checkers_frames(shell, capsys):
    res = shell.run_cell('def cd(params, x, y, name, epsilon=1e-5):\n'
                         '    return params[name] @ np.ones((7, 7))\n'
                         'exercises.check_numerical_gradient(cd, params, x, y, "w2")',
                         store_history=True)
    out = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)        # no colours
    assert isinstance(res.error_in_exec, ValueError)
    assert "numerical.py" not in out and "return params[name] @ np.ones((7, 7))" in out, out


def test_the_last_run_keeps_the_end_of_numpys_message_and_the_cells_line():
    from exercises import _runs
    try:
        np.ones((2, 3)) @ np.ones((5, 2))
    except ValueError as e:
        line = _runs.describe(e)
    assert len(line) <= 90 and line.endswith("(size 5 is different from 3)"), line
    try:
        compile("a = 1\n\n\nb = (", "3373108845.py", "exec")
    except SyntaxError as e:
        line = _runs.describe(e)
    assert "line 4 of the cell" in line and ".py" not in line, line


def test_right_values_shared_with_h1_are_refused_saying_the_values_are_right(shell, capsys):
    saved = shell.user_ns["h1"].copy()
    try:
        res = shell.run_cell("h1_relu = h1\nh1_relu[h1_relu < 0] = 0\n"
                             'exercises.check_forward("h1_relu", h1_relu, params, x)',
                             store_history=True)
        out = capsys.readouterr().out
        assert isinstance(res.error_in_exec, AssertionError)
        assert "h1_relu has the right values, but h1_relu shares its memory with h1" in out, out
        assert "Compute h1_relu as a new array instead of changing h1 in place" in out
    finally:
        shell.user_ns["h1"][...] = saved
        shell.run_cell("h1_relu = np.maximum(h1, 0)", store_history=True)
