"""11's "predict before you run" prompts (exercises.predictions): a right prediction is called
right, a wrong one wrong, and both then get the same answer, which is checked here against
values worked out by hand on another problem and setting than the notebook's; the placeholder,
or a prediction that cannot be read, reveals nothing. The classroom edition keeps the prompt and
the prediction cell with ``...``; the grader leaves these cells alone."""

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import exercises as ex
from course import make_student as ms
from course.grading import notebooks as grading_notebooks
from exercises.predictions import NOTHING_YET

ROOT = Path(__file__).resolve().parent.parent
NB11 = "11_beyond_the_paper.ipynb"
LAM, ALPHA = 0.7, 0.25                     # not the notebook's 0.3 and 0.1


@pytest.fixture(scope="module")
def problem(make_problem):
    params, x, y = make_problem(4, 3, 6, 5, 2, seed=3)       # pairwise different, not 11's
    h1 = x @ params["w1"] + params["b1"]
    assert (h1 < 0).any() and (h1 > 0).any()
    return params, x, y


# each question: (call, the right prediction, a wrong one, what the answer must say)
def _questions(problem):
    params, x, y = problem
    n, d_out = y.shape
    return {
        "dx": (lambda a, b: ex.check_input_gradient_prediction(a, b, params, x, y),
               ("dh1", False), ("dh2", True),
               ["dx starts from dh1 (86)", "not summed over the samples", "4×3"]),
        "mean": (lambda a, b: ex.check_mean_loss_prediction(a, b, params, x, y),
                 (1 / (n * d_out), True), (n * d_out, False),
                 [f"is {1 / (n * d_out):g} times that of (6)", "1ᵀ·(82)", "1ᵀ·(84)", "1ᵀ·(86)",
                  f"n·d_out = {n * d_out}"]),
        "decay": (lambda a, b: ex.check_weight_decay_prediction(a, b, params, x, y, LAM),
                  ({"dw1", "dw2", "dw3"}, False), ({"dw1", "db1"}, True),
                  ["dw1, dw2, dw3 change and db1, db2, db3 do not", "is the same for other data"]),
        "leaky": (lambda a, b: ex.check_leaky_relu_prediction(a, b, params, x, y, ALPHA),
                  (ALPHA, 1.0), (0.0, ALPHA),
                  [f"{ALPHA:g} (alpha) at the", "and 1 at the", "B (64) has 0 and 1"]),
    }


QUESTIONS = ["dx", "mean", "decay", "leaky"]


def _run(capsys, call, a, b):
    call(a, b)
    return capsys.readouterr().out


@pytest.mark.parametrize("q", QUESTIONS)
def test_a_right_prediction_is_called_right_then_revealed(q, problem, capsys):
    call, right, _, answer = _questions(problem)[q]
    out = _run(capsys, call, *right)
    lines = out.splitlines()
    assert len(lines) == 3 and lines[0].startswith("Your prediction (not graded): ")
    assert lines[0].count(", right") == 2 and ", wrong" not in lines[0]
    assert lines[1].startswith("The answer, computed here: ") and lines[2].startswith("Why: ")
    for bit in answer:
        assert bit in lines[1], (bit, lines[1])


@pytest.mark.parametrize("q", QUESTIONS)
def test_a_wrong_prediction_is_called_wrong_then_revealed(q, problem, capsys):
    call, right, wrong, answer = _questions(problem)[q]
    out = _run(capsys, call, *wrong)
    verdict, reveal, why = out.splitlines()
    assert verdict.count(", wrong") == 2 and ", right" not in verdict
    assert reveal == _run(capsys, call, *right).splitlines()[1]      # the same answer
    for bit in answer:
        assert bit in reveal


@pytest.mark.parametrize("q", QUESTIONS)
@pytest.mark.parametrize("which", [0, 1, 2])
def test_the_placeholder_reveals_nothing(q, which, problem, capsys):
    """``...`` (or None) in either part, or both: one line saying so, nothing of the answer."""
    call, right, _, answer = _questions(problem)[q]
    parts = [... if which in (0, 2) else right[0], ... if which in (1, 2) else right[1]]
    assert _run(capsys, call, *parts) == NOTHING_YET + "\n"
    assert _run(capsys, call, None, right[1]) == NOTHING_YET + "\n"


@pytest.mark.parametrize("q, bad", [("dx", ("h1", False)), ("dx", ("dh1", "no")),
                                    ("dx", ("dh1", 0)), ("mean", ("0.1", True)),
                                    ("mean", (float("nan"), True)),
                                    ("decay", ("dw1", False)), ("decay", ({"dw4"}, False)),
                                    ("leaky", (True, 1.0))])
def test_an_unreadable_prediction_reveals_nothing(q, bad, problem, capsys):
    call, _, _, answer = _questions(problem)[q]
    out = _run(capsys, call, *bad)
    assert out.startswith("Your prediction cannot be checked: ") and "Nothing is revealed" in out
    assert len(out.splitlines()) == 1 and "answer" not in out


def test_readable_variants(problem, capsys):
    """Names with or without their d, NumPy numbers and booleans, the reciprocal named."""
    params, x, y = problem
    ex.check_weight_decay_prediction(("w1", "dw2", "dw3_reg"), np.False_, params, x, y, LAM)
    assert capsys.readouterr().out.splitlines()[0].count(", right") == 2
    ex.check_mean_loss_prediction(np.float32(y.size), True, params, x, y)
    first = capsys.readouterr().out.splitlines()[0]
    assert f"the factor: {y.size}, wrong ({y.size} is what they are divided by)" in first


def test_bad_inputs_are_refused(problem):
    params, x, y = problem
    with pytest.raises(ValueError, match="lam"):
        ex.check_weight_decay_prediction(..., ..., params, x, y, -1.0)
    with pytest.raises(ValueError, match="alpha"):
        ex.check_leaky_relu_prediction(..., ..., params, x, y, 1.5)
    with pytest.raises((TypeError, ValueError)):
        ex.check_input_gradient_prediction("dh1", False, params, x.T, y)


# ---------------------------------------------------------------- the notebook and its editions

def _cells(folder):
    return nbformat.read(ROOT / folder / NB11, as_version=4).cells


def _prediction_calls(cells):
    return [c for c in cells if c.cell_type == "code"
            and re.search(r"exercises\.check_\w+_prediction\(", c.source)]


def test_every_prompt_has_its_prediction_cell_and_check():
    """Each "Predict before you run" is followed by a prediction cell (tag ``prediction``) whose
    names a ``check_…_prediction`` call after the exercise's check passes on, in that order."""
    cells = _cells("notebooks")
    prompts = [i for i, c in enumerate(cells) if c.cell_type == "markdown"
               and "**Predict before you run:**" in c.source]
    calls = _prediction_calls(cells)
    assert len(prompts) == len(calls) == 4
    for i, call in zip(prompts, calls, strict=True):
        cell = cells[i + 1]
        assert "prediction" in cell.metadata.get("tags", []), cell.get("id")
        names = re.findall(r"^(\w+) =", cell.source, re.M)
        args = re.search(r"\((.*)\)", call.source).group(1).split(", ")
        assert args[:2] == names, (names, args)
        j = cells.index(call)
        check = next(k for k in range(i + 1, j) if "### BEGIN SOLUTION" in cells[k].source) + 1
        assert check < j and cells[check].source.startswith("exercises.check_")
        assert "right" in "".join(o.get("text", "") for o in call.outputs)


def test_the_classroom_edition_keeps_the_prompts_with_placeholders():
    sol, stud = _cells("notebooks"), _cells("student")
    assert sum("**Predict before you run:**" in c.source for c in stud) == 4
    by_id = {c.id: c for c in stud}
    for cell in (c for c in sol if "prediction" in c.metadata.get("tags", [])):
        mine = by_id[cell.id]
        assert re.findall(r"^(\w+) = ", mine.source, re.M) == \
            re.findall(r"^(\w+) = ", cell.source, re.M)
        assert all(re.match(r"^\w+ = \.\.\.(\s+#.*)?$", ln) for ln in mine.source.splitlines()
                   if not ln.startswith("#")), mine.source
        assert not mine.outputs and mine.metadata == {"tags": ["prediction"]}
    assert [c.source for c in _prediction_calls(stud)] == \
        [c.source for c in _prediction_calls(sol)]


def test_prediction_placeholder():
    src = ('# your prediction\npredicted_a = "dh1"   # where\npredicted_b = {"∂w", "x"}  # set\n'
           "predicted_c = 1 / (n * d_out)")
    out = ms.prediction_placeholder(src).splitlines()
    assert [ln.split("#")[0].rstrip() for ln in out] == [
        "", "predicted_a = ...", "predicted_b = ...", "predicted_c = ..."]
    assert [ln.find("#") for ln in out] == [ln.find("#") for ln in src.splitlines()]
    for bad in ("print(1)", "a = b = 1", "a = (1,\n     2)", "a[0] = 1", "a ="):
        with pytest.raises(ms.ConventionError, match="prediction cell"):
            ms.prediction_placeholder(bad, "nb, cell 3")


def test_the_grader_leaves_the_predictions_alone():
    """Not graded: no exercise, check or kept setup step of make grade, nor nbgrader metadata,
    involves a prediction cell or its check."""
    a = grading_notebooks.load(ROOT / "notebooks" / NB11)
    assert len(a.exercises) == sum("### BEGIN SOLUTION" in c.source   # every exercise, and
                                   for c in _cells("notebooks"))     # no prediction, graded
    sources = [s if kind == "setup" else s.solution + s.check for kind, s in a.steps]
    assert not any("predicted_" in s or "_prediction(" in s for s in sources)
    nb = ms.nbgrader_source(nbformat.read(ROOT / "notebooks" / NB11, as_version=4), NB11)
    for c in nb.cells:
        if "predicted_" in c.source:
            assert "nbgrader" not in c.metadata, c.get("id")


def test_make_grade_gives_predictions_no_points(tmp_path):
    """A submission of 11 with its exercises right and its predictions wrong, unreadable or
    raising gets every point, as ``make grade`` grades it (in the sandbox)."""
    from test_grading import _grade, _student  # tests/ is on sys.path

    nb = _student()[NB11]
    cells = [c for c in nb.cells if "prediction" in c.metadata.get("tags", [])]
    assert len(cells) == 4
    cells[0].source = "raise RuntimeError('a prediction cell that fails')"
    for c in cells[1:]:
        c.source = c.source.replace("= ...", "= 'not a prediction'")
    rows = _grade(tmp_path, {NB11: nb})
    exercises = grading_notebooks.load(ROOT / "notebooks" / NB11).exercises
    assert sorted(rows) == sorted(e.cell_id for e in exercises)
    assert all(r["passed"] and r["points"] == r["max_points"] for r in rows.values()), rows
