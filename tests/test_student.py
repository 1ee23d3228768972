"""The classroom edition (course/make_student.py, ``make student``).

Fast tests: the generator on a small fixture notebook (built here, so nbval never collects it),
determinism, the committed ``student/`` up to date, no solution text anywhere in it.
The round trip on the real notebooks, each run in an IPython shell in this process (the
``student_shell`` fixture of conftest.py): placeholders fail at the exercise and its check naming
the equation, typical wrong answers fail with their hint, re-inserted solutions pass every check.
"""

import ast
import json
import os
import re
from pathlib import Path

import nbformat
import pytest

os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")       # as the Makefile sets it

from course import make_student as ms

ROOT = Path(__file__).resolve().parent.parent

NOTEBOOKS, STUDENT = ROOT / "notebooks", ROOT / "student"


def _md(src, **kw):
    return nbformat.v4.new_markdown_cell(src, **kw)


def _code(src, outputs=(), count=None, **kw):
    cell = nbformat.v4.new_code_cell(src, **kw)
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    cell.execution_count = count
    return cell


def _stream(text):
    return {"output_type": "stream", "name": "stdout", "text": text}


def _fixture_nb():
    """A small solution notebook with every kind of region the generator must handle."""
    cells = [
        _md("# 03 · Output layer\n\n[← 02 · Forward](02_forward.ipynb) · "
            "[Index](00_start_here.ipynb) · [09 · Explorer →](09_explorer.ipynb)"),
        _code("import numpy as np\nimport exercises", count=1),
        _code("print('before the first exercise')", [_stream("before the first exercise\n"),
              {"output_type": "display_data", "metadata": {},
               "data": {"text/plain": "IntSlider(value=3)",
                        "application/vnd.jupyter.widget-view+json": {"model_id": "abc"}}}],
              count=2, metadata={"tags": ["keep-me"], "execution": {"iopub.status.idle": "t"}}),
        _code("# eq. (81): the gradient of L with respect to w3\n### BEGIN SOLUTION\n"
              "dw3 = h2_relu.T @ dy\n### END SOLUTION\nprint('after')",
              [_stream("SECRET OUTPUT dw3\n")], count=3,
              metadata={"nbgrader": {"solution": True, "grade_id": "dw3"}}),
        _code('exercises.check_gradient("w3", dw3, params, x, y)\n### BEGIN HIDDEN TESTS\n'
              "assert hidden_secret_check(dw3)\n### END HIDDEN TESTS",
              [_stream("dw3 matches eq. (81)\n")], count=4),
        _code("def central(f, p, h=1e-5):\n    \"\"\"Central difference.\"\"\"\n    out = 0\n"
              "    # eq. (6) differenced\n    ### BEGIN SOLUTION\n    out = secret_inner(f, p)\n"
              "    ### END SOLUTION\n    return out", count=5),
        _code("# the gradient-descent update, p ← p − lr·g\nnew = {}\n### BEGIN SOLUTION\n"
              "for k in old:\n    new[k] = old[k] - lr * secret_grads[k]\n### END SOLUTION",
              count=6),
        _code("# eqs. (1)–(5): a helper\n### BEGIN SOLUTION\n@staticmethod\n"
              "def helper_fn(a, b=2):\n    return a * secret_factor\nh1 = x @ w1\n"
              "h1 = h1 + b1\nparams = update(params)\n### END SOLUTION", count=7),
        _code("plt.plot(dw3)", [{"output_type": "display_data", "metadata": {},
                                  "data": {"text/plain": "<Figure>"}}], count=8),
        _md("See [02](02_forward.ipynb), ![fig](figures/net.png) and "
            "[the web](https://example.org/a.ipynb)."),
    ]
    nb = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)",
                       "language": "python"},
        "language_info": {"name": "python", "version": "3.11.7"},
        "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {"abc": {}}}},
        "nbgrader": {"secret": True}})
    nbformat.validate(nb)
    return nb


@pytest.fixture(scope="module")
def student():
    nb = ms.make_student(_fixture_nb(), {"03_output_layer.ipynb", "00_start_here.ipynb"},
                         name="fixture")
    return nb


# ---------------------------------------------------------------- the generator, on a fixture

def test_placeholder_names_the_quantity_shape_and_equation_not_the_formula(student):
    src = student.cells[4].source
    assert src.splitlines() == [
        "# eq. (81): dw3, the gradient of L with respect to w3; shape d2×d_out",
        "# YOUR CODE HERE: replace None by your answer, then delete the raise line",
        "dw3 = None",
        'raise NotImplementedError("write eq. (81) here")',
        "print('after')"]
    compile(src, "cell", "exec")


def test_checks_kept_hidden_tests_removed(student):
    assert student.cells[5].source == 'exercises.check_gradient("w3", dw3, params, x, y)'


def test_region_inside_a_function_keeps_the_function(student):
    src = student.cells[6].source
    assert src.splitlines() == [
        "def central(f, p, h=1e-5):", '    """Central difference."""', "    out = 0",
        "    # eq. (6): see the text above for what to compute", "    # YOUR CODE HERE",
        '    raise NotImplementedError("write eq. (6) here")', "    return out"]
    compile(src, "cell", "exec")


def test_region_without_an_equation_hides_the_comment(student):
    src = student.cells[7].source
    assert 'raise NotImplementedError("write your answer here")' in src
    assert "p ← p − lr·g" not in src and "gradient-descent update" not in src
    assert "new = {}" in src and "None" not in src          # new exists before the region
    compile(src, "cell", "exec")


def test_function_stub_and_only_new_names_set_to_none(student):
    src = student.cells[8].source
    assert src.splitlines() == [
        "# eq. (1): the first layer's pre-activation h1; shape n×d1", "@staticmethod",
        "def helper_fn(a, b=2):",
        "    # YOUR CODE HERE", '    raise NotImplementedError("write eq. (1) here")',
        "# YOUR CODE HERE: replace None by your answer, then delete the raise line",
        "h1 = None", 'raise NotImplementedError("write eq. (1) here")']
    compile(src, "cell", "exec")


def test_outputs_counts_metadata(student):
    code = [c for c in student.cells if c.cell_type == "code"]
    assert all(c.execution_count is None for c in code)
    kept = code[1].outputs                                  # before the first exercise
    assert [o.output_type for o in kept] == ["stream", "display_data"]
    assert ms.WIDGET_VIEW not in kept[1].data and kept[1].data["text/plain"]
    assert all(not c.outputs for c in code[2:])             # from the first exercise on
    assert code[1].metadata == {"tags": ["keep-me"]}
    assert all(c.metadata == {} for c in code if c is not code[1])
    assert student.metadata == {"kernelspec": _fixture_nb().metadata.kernelspec,
                                "language_info": {"name": "python"}}


def test_note_and_links(student):
    assert student.cells[1].source.startswith("*Classroom edition.*")
    head, last = student.cells[0].source, student.cells[-1].source
    assert "(../notebooks/02_forward.ipynb)" in head and "(00_start_here.ipynb)" in head
    assert "(../notebooks/09_explorer.ipynb)" in head
    assert "(../notebooks/figures/net.png)" in last and "(https://example.org/a.ipynb)" in last


def test_no_solution_text_in_fixture(student):
    text = nbformat.writes(student)
    for secret in ("h2_relu.T @ dy", "SECRET", "secret_", "hidden_secret_check", "grade_id",
                   "widget-state", "iopub", "3.11.7", "solution"):
        assert secret not in text, secret


@pytest.mark.parametrize("source, match", [
    ("# eq. (1)\n### BEGIN SOLUTION\nh1 = x", "without a matching"),
    ("### BEGIN SOLUTION\nh1 = x\n### END SOLUTION", "no comment line"),
    ("# eq. (1)\n### END SOLUTION", "without ### BEGIN"),
    ("# eq. (1)\n### BEGIN SOLUTION\n\n### END SOLUTION", "empty solution region"),
    ("# eq. (1)\n### BEGIN SOLUTION\nh1 = (\n### END SOLUTION", "not valid Python"),
    ("### BEGIN HIDDEN TESTS\nassert 1", "without ### END HIDDEN"),
    ("# eq. (1)\n### BEGIN SOLUTION\n# eq. (2)\n### BEGIN SOLUTION\nh=1\n### END SOLUTION",
     "without a matching"),
])
def test_convention_errors(source, match):
    with pytest.raises(ms.ConventionError, match=match):
        ms.student_source(source, "nb, cell 3")


def test_markers_in_markdown_refused():
    nb = nbformat.v4.new_notebook(cells=[_md("### BEGIN SOLUTION\nx\n### END SOLUTION")])
    with pytest.raises(ms.ConventionError, match="markdown"):
        ms.make_student(nb)


def test_build_selects_exercise_notebooks_and_is_deterministic(tmp_path):
    nbformat.write(_fixture_nb(), tmp_path / "03_output_layer.ipynb")
    nbformat.write(nbformat.v4.new_notebook(cells=[_md("# 00 · Start\n[03](03_output_layer."
                                                       "ipynb) [01](01_derivation.ipynb)")]),
                   tmp_path / "00_start_here.ipynb")
    nbformat.write(nbformat.v4.new_notebook(cells=[_code("1 + 1")]),
                   tmp_path / "01_derivation.ipynb")
    first, second = ms.build(tmp_path), ms.build(tmp_path)
    assert first == second
    assert list(first) == ["00_start_here.ipynb", "01_derivation.ipynb", "03_output_layer.ipynb"]
    index = nbformat.reads(first["00_start_here.ipynb"], as_version=4)
    assert "[03](03_output_layer.ipynb) [01](01_derivation.ipynb)" in index.cells[0].source
    out = tmp_path / "student"
    ms.main(["--src", str(tmp_path), "--out", str(out)])
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    ms.main(["--src", str(tmp_path), "--out", str(out)])
    assert before == {p.name: p.read_bytes() for p in out.iterdir()}
    ms.main(["--src", str(tmp_path), "--out", str(out), "--check"])
    (out / "03_output_layer.ipynb").write_text("{}")
    with pytest.raises(SystemExit, match="out of date"):
        ms.main(["--src", str(tmp_path), "--out", str(out), "--check"])


# ---------------------------------------------------------------- the real edition

def _solution_notebooks():
    return {p.name: nbformat.read(p, as_version=4)
            for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))}


def _regions(source):
    """The solution lines of a cell (stripped, without comments)."""
    lines, inside, out = source.splitlines(), False, []
    for ln in lines:
        s = ln.strip()
        if s == ms.BEGIN:
            inside = True
        elif s == ms.END:
            inside = False
        elif inside and s and not s.startswith("#"):
            out.append(s)
    return out


def test_real_edition_deterministic_and_committed_up_to_date():
    first, second = ms.build(NOTEBOOKS), ms.build(NOTEBOOKS)
    assert first == second
    committed = {p.name: p.read_text(encoding="utf-8") for p in STUDENT.glob("*.ipynb")}
    assert sorted(committed) == sorted(first), "run `make student`"
    for name, text in first.items():
        assert committed[name] == text, f"student/{name} is out of date: run `make student`"


def test_no_solution_text_in_the_committed_edition():
    solutions = _solution_notebooks()
    for path in sorted(STUDENT.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        sol_code = [c.source for c in solutions[path.name].cells if c.cell_type == "code"]
        # lines the solution notebook also shows outside its exercises are given, not secret
        given = {ln.strip() for src in sol_code for ln in ms.student_source(src)[0].splitlines()}
        secret = [ln for src in sol_code for ln in _regions(src) if len(ln) >= 8
                  and ln not in given]
        whole = nbformat.writes(nb)
        for src in sol_code:                       # no region survives anywhere, even in prose
            for region in _top_level_regions(src, indented=True):
                assert " ".join(region.split()) not in " ".join(whole.split()), region
        # code cells of this notebook; outputs and metadata of every cell
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        rest = json.dumps([nb.metadata] + [[c.get("outputs", []), c.metadata] for c in nb.cells])
        for ln in secret:
            assert ln not in code, f"{path.name}: solution line {ln!r} in a code cell"
            assert ln not in rest, f"{path.name}: solution line {ln!r} in an output/metadata"
        assert "widgets" not in nb.metadata and "nbgrader" not in rest
        code_cells = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.execution_count is None for c in code_cells)
        first = next((k for k, c in enumerate(code_cells) if "YOUR CODE HERE" in c.source),
                     len(code_cells))
        assert all(not c.outputs for c in code_cells[first:]), path.name
        assert ms.BEGIN not in code and ms.BEGIN_HIDDEN not in code


# ---------------------------------------------------------------- round trip (slow)

def _top_level_regions(source, indented=False):
    """The code of each unindented (or, with ``indented``, every) solution region of a cell."""
    out, region = [], None
    for ln in source.splitlines():
        if ln == ms.BEGIN or (indented and ln.strip() == ms.BEGIN):
            region = []
        elif ln.strip() == ms.END and region is not None:
            out.append("\n".join(region))
            region = None
        elif region is not None:
            region.append(ln)
    return out


def _exercise_notebooks():
    return sorted(n for n, nb in _solution_notebooks().items() if ms._has_exercise(nb))


def _check_call(source):
    """The exercises call of a check cell: (function name, [argument sources])."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr.startswith("check_") and getattr(node.func.value, "id", "") == \
                "exercises":
            return node.func.attr, [ast.unparse(a) for a in node.args]
    return None, []


_SEED_FORM = {"db3": "dy", "db2": "dh2", "db1": "dh1"}
_MATRICES = {"h1", "h1_relu", "h2", "h2_relu", "y_pred", "dy", "dh2", "dh1", "dw1", "dw2", "dw3",
             "db1", "db2", "db3"}


def _wrong_answers(created, check, args):
    """(code run after the solution, expected hint) for the typical mistakes that apply."""
    out = []
    for v in created:
        if v in _MATRICES:
            out.append((f"{v} = {v}.T", "transposed"))
        if v in _SEED_FORM:
            out.append((f"{v} = {_SEED_FORM[v]}", "not summed over the samples"))
        if v in _MATRICES - {"h1", "h1_relu", "h2", "h2_relu", "y_pred"}:
            out.append((f"{v} = {v} / 2", "the factor 2 is dropped"))
        if v == "L":
            out.append(("L = L / 2", "a factor ½ was added"))
            out.append(("L = L / y.size", "a mean instead of the sum"))
    if check == "check_gd_step":
        new, old, grads, lr = args[:4]
        out.append((f"{new} = {{k: {old}[k] + {lr} * {grads}[k] for k in {old}}}",
                    "added instead of subtracted"))
    if check == "check_numerical_gradient" and args and re.match(r"\w+\(", args[0]):
        fn = args[0].split("(")[0]
        out.append((f"_ok = {fn}\n{fn} = lambda *a, **k: 2 * _ok(*a, **k)",
                    "divided by ε instead of 2ε"))
        out.append((f"_ok = {fn}\n{fn} = lambda *a, **k: -_ok(*a, **k)", "sign is flipped"))
    return out


def _error(cell):
    errs = [o for o in cell.outputs if o.output_type == "error"]
    return f"{errs[0].ename}: {errs[0].evalue}" if errs else None


@pytest.mark.parametrize("name", _exercise_notebooks())
def test_round_trip(name, student_shell):
    """The student copy runs top to bottom in one shell, as in a kernel (``student_shell``). At
    each exercise: the solution, re-inserted, passes its check; each typical wrong answer fails
    it with its hint; then the placeholder fails, naming the equation, and is left in place, so
    the rest of the notebook runs unanswered: no cell but the exercises' checks may fail (no
    cascade)."""
    solution = nbformat.read(NOTEBOOKS / name, as_version=4)
    stud = nbformat.read(STUDENT / name, as_version=4)     # up to date: tested above
    sol_by_id = {c.get("id"): c for c in solution.cells}

    def run(source):
        err = student_shell(source)[0]
        return None if err is None else f"{type(err).__name__}: {err}"

    checks = {i for i, c in enumerate(stud.cells) if c.cell_type == "code"
              and _check_call(c.source)[0]}
    n_exercises, cascade = 0, []
    for i, cell in enumerate(stud.cells):
        if cell.cell_type != "code":
            continue
        if "YOUR CODE HERE" not in cell.source:
            err = run(cell.source)
            if err is not None and i not in checks:
                cascade.append(f"cell {i} ({cell.get('id')}): {err[:160]}")
            elif err is not None:
                assert err.startswith(("ExerciseError", "NotImplementedError")), \
                    f"{name} cell {i}: {err}"
            continue
        n_exercises += 1
        sol = sol_by_id[cell.id].source
        tasks = ms.region_task(sol)
        check_cell = next(c for c in stud.cells[i + 1:] if c.cell_type == "code")
        check, args = _check_call(check_cell.source)
        assert check, f"{name} cell {i}: the next code cell is not a exercises check"
        # 1. the solution, re-inserted, passes
        assert run(sol) is None, f"{name} cell {i}: the solution itself failed"
        assert run(check_cell.source) is None, f"{name} cell {i}: the solution fails its check"
        # 2. each typical wrong answer fails the check with its hint
        created = [v for code in _top_level_regions(sol) for v in ms._assigned_names(code)[0]]
        for wrong, hint in _wrong_answers(created, check, args):
            assert run(sol) is None
            assert run(wrong) is None, wrong
            err = run(check_cell.source)
            assert err is not None and hint in err, f"{name}: {wrong!r} gave {err}"
        # 3. the placeholder, with nothing left of the solution: the exercise (or, for a
        #    function stub, its check) fails and names the equation; the check fails too
        if created:
            assert run("\n".join(f"globals().pop({v!r}, None)" for v in created)) is None
        err = run(cell.source)
        err_check = run(check_cell.source)
        if err is not None:
            assert err.startswith("NotImplementedError") and any(t in err for t in tasks), err
            assert err_check is not None, f"{name} cell {i}: check passed with a placeholder"
            assert err_check.startswith("ExerciseError") and re.search(
                r"eq\. \(\d+\)|1ᵀ·\(\d+\)|gradient-descent step|write .+ here", err_check), \
                err_check
        else:                  # the region sits in a function: its check must fail
            assert err_check and (err_check.startswith("ExerciseError") or any(
                t in err_check for t in tasks)), err_check
    assert n_exercises > 0
    assert not cascade, f"{name}, run unanswered: cells other than checks failed:\n" + \
        "\n".join(cascade)


# ---------------------------------------------------------------- nbgrader source

def test_nbgrader_source_marks_answer_and_test_cells():
    src = nbformat.v4.new_notebook(cells=[
        _md("# 03"), _code("import numpy as np", id="imports"),
        _code("# eq. (81): dw3\n### BEGIN SOLUTION\ndw3 = h2_relu.T @ dy\n### END SOLUTION",
              id="ex_1"),
        _md("Check it."),
        _code('exercises.check_gradient("w3", dw3, params, x, y)', id="check1"),
        _code("def f(p):\n    # eq. (6)\n    ### BEGIN SOLUTION\n    return p\n"
              "    ### END SOLUTION", id="ex2"),
        _code("exercises.check_numerical_gradient(f(p), params, x, y, 'w1')", id="check2")])
    nb = ms.nbgrader_source(src, "fixture")
    meta = [c.metadata.get("nbgrader") for c in nb.cells]
    assert [i for i, m in enumerate(meta) if m and m["solution"]] == [2, 5]
    assert [i for i, m in enumerate(meta) if m and m["grade"]] == [4, 6]
    assert meta[4]["points"] == 1 and meta[4]["locked"] and not meta[2]["locked"]
    ids = [m["grade_id"] for m in meta if m]
    assert ids == ["answer-ex_1", "check-check1", "answer-ex2", "check-check2"]
    assert [c.source for c in nb.cells] == [c.source for c in src.cells]   # sources unchanged
    assert "nbgrader" not in src.cells[2].metadata                          # input unchanged


def test_nbgrader_source_requires_a_check_after_each_exercise():
    nb = nbformat.v4.new_notebook(cells=[
        _code("# eq. (1)\n### BEGIN SOLUTION\nh1 = x\n### END SOLUTION"), _code("print(h1)")])
    with pytest.raises(ms.ConventionError, match="must be its check"):
        ms.nbgrader_source(nb)


def test_collapsed_and_output_free_cells():
    """A cell tagged student-collapsed is kept, shown collapsed; one tagged student-no-output
    keeps its source and loses its outputs (though it comes before any exercise)."""
    shown = nbformat.v4.new_code_cell("print(1)", metadata={"tags": [ms.NO_OUTPUT_TAG]})
    shown.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    kept = nbformat.v4.new_code_cell("print(2)")
    kept.outputs = [nbformat.v4.new_output("stream", name="stdout", text="2\n")]
    nb = nbformat.v4.new_notebook(cells=[
        _md("# Title"), shown, kept,
        _md("## Summary\n(81) in full", metadata={"tags": [ms.COLLAPSED_TAG]})])
    out = ms.make_student(nb, name="fixture")
    code = [c for c in out.cells if c.cell_type == "code"]
    assert code[0].source == "print(1)" and code[0].outputs == []
    assert [o.text for o in code[1].outputs] == ["2\n"]
    summary = out.cells[-1]
    assert summary.source == "## Summary\n(81) in full"
    assert summary.metadata == {"tags": [ms.COLLAPSED_TAG], "jupyter": {"source_hidden": True}}
