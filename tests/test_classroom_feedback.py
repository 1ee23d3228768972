"""What a student sees working the student edition in a kernel, mistake by mistake: each test
makes the very mistake (the exact line a student wrote) in the student notebook where it belongs,
run cell by cell in an IPython shell with the classroom installed (conftest.py's
``student_shell``), and asserts the message it gets — and, where a line could mislead, that the
line stays away from honest work.

Covered: an answer and its check in one cell; a name left at the stub's None by a skipped use
cell; the stub's raise line left below a right answer; 07's ``/ 2 * epsilon``; ``grads["dw1"]``;
the name 07's exercise goes by; shapes in the notebook's dimension names; 07's unanswered stub and
a helper's refusal without the library's frames; checks in a kernel without
``exercises.start``; a loss summed over one axis; a wrong constant factor.
"""

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell

import exercises as ex
from exercises import session
from exercises._compare import dims_of, ratio, size_names

ROOT = Path(__file__).resolve().parent.parent


def _cells(name, edition="student"):
    return [c for c in nbformat.read(ROOT / edition / name, as_version=4).cells
            if c.cell_type == "code"]


def _source(name, cid, edition="student"):
    return next(c.source for c in _cells(name, edition) if c.get("id") == cid)


def _plain(text):
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _upto(run, name, cid, skip=()):
    """Run the student notebook ``name`` from the top to the cell ``cid`` (not included); the
    placeholders before it fail, as they do for a student who has not answered them."""
    for c in _cells(name):
        if c.get("id") == cid:
            return
        if c.get("id") not in skip:
            run(c.source)
    raise AssertionError(f"{name} has no cell {cid}")


@pytest.fixture
def run(student_shell):
    def run_(source):
        err, out = student_shell(source)
        return err, _plain(out)
    return run_


# ---------------------------------------------------------- an answer and its check in one cell

# (notebook, exercise cell, its check cell): one exercise per kind of check
ONE_CELL = [
    ("02_forward_pass.ipynb", "559fff02", "c4e5d747"),                   # check_forward
    ("02_forward_pass.ipynb", "5834712e", "90ba7af2"),                   # check_loss
    ("03_output_layer.ipynb", "18ef9d8b", "40245e7f"),                   # check_seed_bias_form
    ("03_output_layer.ipynb", "377b97a8", "7e6cfceb"),                   # check_gradient
    ("07_gradient_checking.ipynb", "0ba29a90", "6a71cd53"),              # check_numerical_gradient
    ("08_training.ipynb", "caa21374", "c512770a"),                       # check_gd_step
]


@pytest.mark.parametrize("name, cid, check", ONE_CELL, ids=[f"{n[:2]}:{c}" for n, c, _ in ONE_CELL])
def test_an_answer_and_its_check_in_one_cell_pass_at_every_run(run, name, cid, check):
    """The stub ran first (its placeholder error recorded); then the student writes the answer
    and the check in the same cell: every run passes, the check never blames its own cell."""
    _upto(run, name, cid)
    run(_source(name, cid))                                   # the handed-out stub
    both = _source(name, cid, "notebooks") + "\n" + _source(name, check)
    for _ in range(3):
        err, out = run(both)
        assert err is None and "matches" in out, (err, out)
    err, out = run(_source(name, check))                      # and the check cell after it
    assert err is None and "matches" in out, (err, out)


def test_a_check_given_an_expression_judges_that_value(run):
    name = "02_forward_pass.ipynb"
    _upto(run, name, "559fff02")
    run(_source(name, "559fff02"))                            # h1_relu = None; raise …
    err, out = run('exercises.check_forward("h1_relu", np.maximum(h1, 0), params, x)')
    assert err is None and out == "h1_relu matches eq. (2)\n", (err, out)
    err, _ = run('exercises.check_forward("h1_relu", np.minimum(h1, 0), params, x)')
    assert err.mistake == "f-relu-inverted", err


def test_a_wrong_answer_checked_in_its_own_cell_is_judged_as_wrong_not_as_raised(run):
    name = "02_forward_pass.ipynb"
    _upto(run, name, "559fff02")
    run(_source(name, "559fff02"))
    check = _source(name, "c4e5d747")
    err, _ = run("h1_relu = np.minimum(h1, 0)\n" + check)
    assert err.mistake == "f-relu-inverted", err
    err, _ = run(check)                                       # the check cell: the same verdict
    assert err.mistake == "f-relu-inverted" and "raised" not in str(err), err
    err, out = run(_source(name, "c4e5d747-use"))
    assert err is None and out.startswith("h1_relu did not pass its check"), out
    # a check that failed above an assignment: that name was not computed, and the message
    # says why (not that the cell raised on its own)
    err, _ = run('h1 = x @ w1\nexercises.check_forward("h1", h1, params, x)\n'
                 'h1_relu = np.maximum(h1, 0)')
    assert err.mistake == "f-bias-missing-1"
    err, _ = run(check)
    assert "h1_relu was not computed on the last run of its cell: a check above it in that " \
           "cell failed first" in str(err), err


# ---------------------------------------------------------------- a skipped use cell: None

# the cells of 03 and 02 after a stub whose check and use cells were skipped: (notebook, the
# stub, the later cell, the error a student saw)
SKIPPED_USE = [
    ("03_output_layer.ipynb", "18ef9d8b", "43e90a80",
     "unsupported operand type(s) for -: 'NoneType' and 'float'"),
    ("03_output_layer.ipynb", "18ef9d8b", "cc762de5",
     "einstein sum subscripts string contains too many subscripts for operand 1"),
    ("03_output_layer.ipynb", "18ef9d8b", "dw3 = h2_relu.T @ dy",
     "matmul: Input operand 1 does not have enough dimensions"),
    ("02_forward_pass.ipynb", "8af150d2", "eb306fa7", "h1 has dtype object"),
]


@pytest.mark.parametrize("name, stub, later, error", SKIPPED_USE,
                         ids=[e[:30] for *_, e in SKIPPED_USE])
def test_a_name_left_at_none_says_which_cells_to_run(run, name, stub, later, error):
    _upto(run, name, stub)
    assert isinstance(run(_source(name, stub))[0], NotImplementedError)
    var = "dy" if name.startswith("03") else "h1"
    cell = later if " " in later else _source(name, later)
    err, out = run(cell)
    assert err is not None and error in out, out
    assert out.rstrip().endswith(f"{var} is None: run the {var} exercise cell (and its check "
                                 f"and use cells) first."), out
    assert out.count(" is None: run the ") == 1, out
    # once the use cell has run, the name holds a value and the line is gone
    check = next(i for i, c in enumerate(_cells(name)) if c.get("id") == stub) + 2
    err, out = run(_cells(name)[check].source)                 # the use cell
    assert err is None
    err, out = run("int('x')\n" + var)
    assert err is not None and " is None" not in out, out


# ---------------------------------------------------------------- the raise line left in

def test_a_right_answer_above_the_raise_line_is_told_to_delete_that_line(run):
    name = "02_forward_pass.ipynb"
    _upto(run, name, "8af150d2")
    err, out = run('h1 = x @ w1 + b1\nraise NotImplementedError("write eq. (1) here")')
    assert isinstance(err, NotImplementedError)
    assert out.rstrip().endswith("h1 has a value: delete the raise NotImplementedError line, "
                                 "then run this cell again."), out
    err, _ = run(_source(name, "4c3614e9"))
    assert "delete the raise NotImplementedError line in the exercise cell above" in str(err)
    assert "replace the placeholder" not in str(err), err
    # the stub itself: the placeholder is still to be replaced, and the handler says nothing more
    err, out = run(_source(name, "8af150d2"))
    assert "has a value" not in out and out.rstrip().endswith("write eq. (1) here"), out
    err, _ = run(_source(name, "4c3614e9"))
    assert "h1 is not answered yet" in str(err) and "replace the placeholder" in str(err), err


# ---------------------------------------------------------------- 07

_CD = '''def central_difference(params, x, y, name, epsilon=1e-5):
    p = params[name]
    estimate = np.zeros(p.shape)
    for idx in np.ndindex(p.shape):
        original = p[idx]
        p[idx] = original + epsilon
        Lp = loss({fwd}, y)
        p[idx] = original - epsilon
        Lm = loss(forward(params, x)[0], y)
        p[idx] = original
        estimate[idx] = {last}
    return estimate'''


def _07(run):
    name = "07_gradient_checking.ipynb"
    _upto(run, name, "0ba29a90")
    return _source(name, "6a71cd53")


def test_07_the_precedence_slip_is_named(run):
    check = _07(run)
    run(_CD.format(fwd="forward(params, x)[0]", last="(Lp - Lm) / 2 * epsilon"))
    err, out = run(check)
    assert err.mistake == "n-precedence", err
    assert "Likely mistake: the estimate is off by a factor ε²" in str(err)
    assert "`/ 2 * epsilon` divides by 2 and then multiplies by ε" in str(err)
    run(_CD.format(fwd="forward(params, x)[0]", last="(Lp - Lm) / (2 * epsilon)"))
    err, out = run(check)
    assert err is None and out.startswith('central_difference(params, x, y, "w2") matches'), out


def test_07_messages_and_hints_use_the_name_the_student_sees(run):
    check = _07(run)
    run(_CD.format(fwd="forward(params, x)[0]", last="(Lm - Lp) / (2 * epsilon)"))
    err, _ = run(check)
    assert str(err).startswith('central_difference(params, x, y, "w2") does not match'), err
    assert "numerical" not in str(err), err
    run('exercises.hint("central_difference")')
    _, out = run('exercises.hint("central_difference")')
    assert 'exercises.show_answer("central_difference") prints the answer' in out, out
    _, out = run('exercises.show_answer("central_difference")')
    assert out.startswith("central_difference, the central difference:"), out
    _, out = run('exercises.hint("nonsense")')
    assert '"central_difference"' in out and '"numerical"' not in out, out
    banner = nbformat.read(ROOT / "student" / "07_gradient_checking.ipynb", as_version=4)
    assert 'exercises.show_answer("central_difference")' in banner.cells[1].source


def test_07_the_unanswered_stub_gets_the_neat_message(run):
    check = _07(run)
    run(_source("07_gradient_checking.ipynb", "0ba29a90"))
    err, out = run(check)
    assert isinstance(err, ex.ExerciseError), err
    assert str(err).startswith("central_difference is not answered yet (NotImplementedError: "
                               "write the central difference here)"), err
    assert "delete the raise NotImplementedError line" in str(err)
    assert "in central_difference" not in out and "numerical.py" not in out, out
    assert out.count("Cell In[") == 1, out                 # the check cell's line only


def test_07_a_helpers_refusal_shows_no_library_frames(run):
    check = _07(run)
    run(_CD.format(fwd="forward(params, x)", last="(Lp - Lm) / (2 * epsilon)"))
    err, out = run(check)
    assert isinstance(err, TypeError), err
    assert "network.py" not in out and "_checks.py" not in out and "numerical.py" not in out, out
    assert "Lp = loss(forward(params, x), y)" in out                 # the student's own line
    assert out.rstrip().endswith("take its first element, forward(params, x)[0]"), out


# ---------------------------------------------------------------- 08

def test_08_grads_keyed_by_dw1_says_how_grads_is_keyed(run):
    name = "08_training.ipynb"
    _upto(run, name, "caa21374")
    for cell in ('new_params = {}\nnew_params["w1"] = params["w1"] - lr * grads["dw1"]',
                 'new_params = {k: params[k] - lr * grads["d" + k] for k in params}'):
        err, out = run(cell)
        assert isinstance(err, KeyError), err
        assert out.rstrip().endswith('grads is keyed by the parameter names: grads["w1"] is '
                                     '∂L/∂w1.'), out
    err, out = run('db2 = grads["db2"]')
    assert 'grads["b2"] is ∂L/∂b2.' in out, out
    err, out = run('w = params["dw1"]')              # params holds no gradients: no such line
    assert isinstance(err, KeyError) and "keyed by" not in out, out


# ---------------------------------------------------------------- shapes in dimension names

SHAPES = [
    ("dw2 = x.T @ dh2", "nb04-24",
     "dw2 has shape d_in×d2 (3×4); it should be d1×d2 (6×4): the first factor has d_in rows — "
     "which array has d1 columns?"),
    ("dw2 = h2_relu.T @ dh2", "nb04-24",
     "dw2 has shape d2×d2 (4×4); it should be d1×d2 (6×4): the first factor has d2 rows — "
     "which array has d1 columns?"),
    ("dw2 = h1_relu.T @ dy", "nb04-24",
     "dw2 has shape d1×d_out (6×2); it should be d1×d2 (6×4): the second factor has d_out "
     "columns — which array has d2 columns?"),
    ("db2 = dy.sum(axis=0, keepdims=True)", "nb04-35",
     "db2 has shape 1×d_out (1×2); it should be 1×d2 (1×4): the array you summed has d_out "
     "columns — which array has d2 columns?"),
]


@pytest.mark.parametrize("wrong, check, said", SHAPES, ids=[w for w, *_ in SHAPES])
def test_04_a_wrong_shape_is_said_in_dimension_names(run, wrong, check, said):
    name = "04_second_hidden_layer.ipynb"
    _upto(run, name, "nb04-20")
    run("dh2 = A * (dy @ w3.T)")
    assert run(wrong)[0] is None
    err, _ = run(_source(name, check))
    assert str(err).splitlines()[0] == said, err
    assert "h1_relu" not in str(err) and "dh2." not in str(err), err      # never the answer


@pytest.mark.parametrize("name, cid, wrong, said", [
    ("04_second_hidden_layer.ipynb", "nb04-20", "dh2 = A * (dy.T @ w3)",
     "dy.T is d_out×n and w3 is d2×d_out: the inner sizes n and d2 differ."),
    ("05_first_hidden_layer.ipynb", "nb05-15", "dh1 = B * (dh2 @ w1.T)",
     "dh2 is n×d2 and w1.T is d1×d_in: the inner sizes d2 and d1 differ."),
    ("03_output_layer.ipynb", "377b97a8", "dw3 = h2_relu @ dy",
     "h2_relu is n×d2 and dy is n×d_out: the inner sizes d2 and n differ."),
])
def test_a_matmul_error_in_an_exercise_cell_names_the_operands_shapes(run, name, cid, wrong,
                                                                      said):
    _upto(run, name, cid)
    err, out = run(wrong)
    assert isinstance(err, ValueError) and said in out.splitlines(), out
    if name.startswith("03"):                      # a catalogued mistake keeps its hint, after it
        assert out.index(said) < out.index("Likely mistake: h2_relu is not transposed")
    err, out = run("x.T @ dy.T")                   # not an exercise cell: NumPy's error only
    assert isinstance(err, ValueError) and "inner sizes" not in out, out


def test_sizes_name_dimensions_only_when_they_are_pairwise_different(make_problem):
    params, x, y = make_problem(5, 3, 6, 4, 2)
    names = size_names(params, x)
    assert dims_of((3, 4), names) == "d_in×d2" and dims_of((1, 4), names) == "1×d2"
    assert dims_of((7, 4), names) is None and dims_of((4,), names) is None
    params, x, y = make_problem(4, 3, 4, 4, 2)                  # d1 = d2 = n: no names
    assert size_names(params, x) is None
    with pytest.raises(ex.ExerciseError, match=r"dw2 has shape \(3, 4\), expected \(4, 4\)"):
        ex.check_gradient("w2", x.T @ np.ones((4, 4)), params, x, y)


# ---------------------------------------------------------------- a kernel without start

def test_without_start_the_check_says_it_cannot_see_runs_and_still_judges(run):
    shell = InteractiveShell.instance()
    hooks = [("pre_run_cell", session._before), ("post_run_cell", session._after)]
    name = "02_forward_pass.ipynb"
    try:
        for event, hook in hooks:
            shell.events.unregister(event, hook)
        _upto(run, name, "8af150d2", skip={"c29fa900-start"})
        run("h1 = x @ w1 + b1")
        note = ("run the setup cell with exercises.start(...) first: without it the check "
                "cannot tell whether your cell ran\n")
        err, out = run(_source(name, "4c3614e9"))
        assert err is None and out == note + "h1 matches eq. (1)\n", out
        assert isinstance(run("h1 = x.T @ w1 + b1")[0], ValueError)    # the old value stays
        err, out = run(_source(name, "4c3614e9"))
        assert err is None and out == note + "h1 matches eq. (1)\n", out
        run("h1 = x @ w1")
        err, out = run(_source(name, "4c3614e9"))
        assert out.startswith(note) and err.mistake == "f-bias-missing-1", (out, err)
    finally:
        for event, hook in hooks:
            if hook not in shell.events.callbacks[event]:
                shell.events.register(event, hook)
    err, out = run(_source(name, "4c3614e9"))          # the classroom installed: no such line
    assert "exercises.start" not in out, out


# ---------------------------------------------------------------- the loss and a constant factor

def test_02_a_loss_summed_over_one_axis_says_so(run):
    name = "02_forward_pass.ipynb"
    _upto(run, name, "5834712e")
    for wrong in ("L = np.sum((y_pred - y)**2, axis=0)",
                  "L = np.sum((y_pred - y)**2, axis=1, keepdims=True)"):
        run(wrong)
        err, _ = run(_source(name, "90ba7af2"))
        assert err.mistake == "l-one-axis", err
        assert "summed over one axis only" in str(err) and "as a matrix" not in str(err), err
    run("L = (y_pred - y)**2")
    err, _ = run(_source(name, "90ba7af2"))
    assert err.mistake == "l-matrix" and "kept as a matrix" in str(err), err


def test_03_a_constant_factor_is_reported_as_a_ratio(run):
    name = "03_output_layer.ipynb"
    _upto(run, name, "18ef9d8b")
    check = _source(name, "40245e7f")
    run("dy = 3 * (y_pred - y)")
    err, _ = run(check)
    assert "Yours is 1.5 × the expected value everywhere." in str(err), err
    for wrong in ("dy = 2 * (y_pred - y) + 0.1",         # not a multiple: no ratio
                  "dy = y_pred - y"):                     # a catalogued one: its own hint
        run(wrong)
        err, _ = run(check)
        assert "× the expected value" not in str(err), err


def test_the_ratio_is_one_number_for_every_entry_or_none():
    r = np.arange(1.0, 7.0).reshape(2, 3)
    assert ratio(1.5 * r, r) == pytest.approx(1.5)
    assert ratio(r + 1, r) is None and ratio(r, r) is None and ratio(0 * r, r) is None
    assert ratio(np.array([[3.0]]), np.array([[2.0]])) is None       # one entry tells nothing
    assert ratio(1e-10 * r, r) == pytest.approx(1e-10)


def test_a_check_above_its_answer_in_one_cell_says_to_move_it(run):
    """Not the old value judged, nor the check's own failure taken for the cell's at the next
    run: the message says where the check belongs, at every run."""
    name = "02_forward_pass.ipynb"
    _upto(run, name, "559fff02")
    run(_source(name, "559fff02"))
    for _ in range(2):
        err, _ = run(_source(name, "c4e5d747") + "\nh1_relu = np.maximum(h1, 0)")
        assert str(err).startswith("this cell assigns h1_relu below the check"), err
    err, _ = run(_source(name, "c4e5d747"))          # the assignment never ran: it says so
    assert "h1_relu was not computed on the last run of its cell" in str(err), err
    err, out = run("h1_relu = np.maximum(h1, 0)\n" + _source(name, "c4e5d747"))   # moved
    assert err is None and out == "h1_relu matches eq. (2)\n", (err, out)


def test_slow_an_answer_and_its_check_in_one_cell_in_a_real_kernel(student_kernel):
    """The same evening through Jupyter (ipykernel compiles cells under its own file names):
    the stub, then the answer and its check in one cell, twice; a check given an expression; a
    skipped use cell's None named; the raise line left below an answer."""
    name = "02_forward_pass.ipynb"
    code = [c.source for c in _cells(name)]
    ids = [c.get("id") for c in _cells(name)]
    stub, check = code[ids.index("559fff02")], code[ids.index("c4e5d747")]
    cells = code[:ids.index("559fff02")] + [
        stub, "h1_relu = np.maximum(h1, 0)\n" + check, "h1_relu = np.maximum(h1, 0)\n" + check,
        'exercises.check_forward("h1_relu", np.maximum(h1, 0), params, x)',
        stub, code[ids.index("2413280c")],
        'h1_relu = np.maximum(h1, 0)\nraise NotImplementedError("write eq. (2) here")', check]
    out = student_kernel(cells)[-8:]
    assert out[0][0].ename == "NotImplementedError"
    for k in (1, 2, 3):
        assert "".join(o.get("text", "") for o in out[k]) == "h1_relu matches eq. (2)\n", out[k]
    assert out[5][-1].output_type == "error" and _plain(out[5][-1].traceback[-1]).strip() == (
        "h1_relu is None: run the h1_relu exercise cell (and its check and use cells) first.")
    assert _plain(out[6][0].traceback[-1]).strip() == (
        "h1_relu has a value: delete the raise NotImplementedError line, then run this cell "
        "again.")
    assert "delete the raise NotImplementedError line in the exercise cell above" in \
        out[7][0].evalue
