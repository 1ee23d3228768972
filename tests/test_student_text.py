"""The classroom edition speaks to students and gives nothing away (course/student_text.py):
teacher-only cells and paragraphs are dropped, answer regions and (before the exercises) matrix
forms are withheld, prompts never state a formula, links stay inside student/."""

import re
from pathlib import Path

import nbformat
import pytest

from course import make_student as ms
from course import student_text as st
from exercises._runs import bound_names
from exercises.tasks import TASK_OF_NAME, TASKS

ROOT = Path(__file__).resolve().parent.parent

STUDENT = ROOT / "student"


def _md(src, **kw):
    return nbformat.v4.new_markdown_cell(src, **kw)


def _code(src, **kw):
    return nbformat.v4.new_code_cell(src, **kw)


def _edition(cells, name="01_derivation.ipynb", answers=()):
    nb = nbformat.v4.new_notebook(cells=cells)
    return ms.make_student(nb, {name}, name=name, answers=answers)


def test_teacher_only_cells_regions_and_paragraphs_are_dropped():
    nb = _edition([
        _md("# 00 · Start"),
        _md("For the teacher: grade with nbgrader.", metadata={"tags": ["teacher-only"]}),
        _md(f"Keep this.\n{st.BEGIN_TEACHER}\nSecret teacher line.\n{st.END_TEACHER}\nAnd this."),
        _md("Para one.\n\nThe exercise cells hold `### BEGIN SOLUTION` regions.\n\nPara three."),
        _md("See [the student edition](../student/) too.\n\nStays."),
        _md("```\nmake lab     # open the notebooks\nmake test    # run the tests\n```"),
    ], name="00_start_here.ipynb")
    text = nbformat.writes(nb)
    for gone in ("For the teacher", "Secret teacher", "BEGIN SOLUTION", "../student",
                 "make test"):
        assert gone not in text, gone
    for kept in ("Keep this.", "And this.", "Para one.", "Para three.", "Stays.",
                 "make lab-student"):
        assert kept in text, kept


def test_answer_tag_and_regions_are_withheld():
    nb = _edition([
        _md("# 01"),
        _md("$$\\mathbf{A}\\circ\\mathbf{B}$$", metadata={"tags": ["answer"]}),
        _md("Before.\n<!-- BEGIN ANSWER -->\nThe answer is `h2_relu.T @ dy`.\n<!-- END ANSWER -->"
            "\nAfter."),
        _md("### BEGIN ANSWER\nsecret text\n### END ANSWER"),
        _code("x = 1\n### BEGIN ANSWER\ndw3 = h2_relu.T @ dy\n### END ANSWER\nprint(x)"),
        _code("dw3 = h2_relu.T @ dy", metadata={"tags": ["answer"]}),
    ])
    text = nbformat.writes(nb)
    assert "h2_relu.T" not in text and "secret text" not in text and "circ" not in text
    assert "Before." in text and "After." in text and "print(x)" in text
    assert text.count("Withheld in the classroom edition") >= 3


@pytest.mark.parametrize("src", ["<!-- BEGIN ANSWER -->\nx", "x\n<!-- END ANSWER -->",
                                 f"{st.BEGIN_TEACHER}\nx"])
def test_unpaired_markers_are_refused(src):
    with pytest.raises(ms.ConventionError):
        _edition([_md(src)])


def test_matrix_forms_withheld_before_the_exercises():
    answers = ["h2_relu.T @ dy", "2 * (y_pred - y)"]
    nb = _edition([
        _md("# 01"),
        _md("$$\\frac{\\partial L}{\\partial w} = \\mathbf{h}^T\\, 2(\\mathbf{y}) \\tag{81}$$\n\n"
            "$$h_1 = x w_1 + b_1 \\tag{1}$$\n\nIn code: `dw3 = h2_relu.T @ dy`.\n\n"
            "| eq. | code |\n| --- | --- |\n| (81) | `dw3 = h2_relu.T @ dy` |\n\n"
            "Index form stays."),
        _code("dy = 2 * (y_pred - y)\nprint(dy)"),
        _code("print('kept')"),
    ], answers=answers)
    text = nbformat.writes(nb)
    assert "h2_relu.T" not in text and "\\tag{81}" not in text and "2 * (y_pred" not in text
    assert "\\tag{1}" in text and "Index form stays." in text and "print('kept')" in text
    assert "eq. (81) is yours to derive in notebook 03" in text
    assert "| eq. | code |" not in text                      # the emptied table is gone


# ---------------------------------------------------------------- the committed edition

def _student_notebooks():
    return {p.name: nbformat.read(p, as_version=4) for p in sorted(STUDENT.glob("*.ipynb"))}


def test_every_notebook_has_a_student_copy():
    names = {p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    assert set(_student_notebooks()) == names


def test_links_stay_inside_student():
    for name, nb in _student_notebooks().items():
        for cell in nb.cells:
            for target in ms._LINK.findall(cell.source):
                assert not target[1].startswith(("../", "/")), (name, target)
                if target[1].endswith(".ipynb"):
                    assert (STUDENT / target[1]).is_file(), (name, target)


def test_start_here_speaks_to_students():
    text = nbformat.writes(_student_notebooks()["00_start_here.ipynb"])
    for teacher in ("BEGIN SOLUTION", "../student", "../notebooks", "solution edition",
                    "make test"):
        assert teacher not in text, teacher
    assert "make lab-student" in text


def test_prompts_state_no_formula():
    for name, nb in _student_notebooks().items():
        for cell in nb.cells:
            if cell.cell_type != "code" or "YOUR CODE HERE" not in cell.source:
                continue
            comments = [ln for ln in cell.source.splitlines() if ln.strip().startswith("#")
                        or "NotImplementedError" in ln]
            for t in TASKS.values():
                for bit in (t.formula, t.code):
                    assert not bit or bit not in "\n".join(comments), (name, bit)
            # a bias exercise's label, 1ᵀ·(82), names the equation it sums, as the check does
            joined = re.sub(r"1ᵀ·\(8[246]\)", "", "\n".join(comments))
            assert not re.search(r"[=∘]|·|\bT\b|ᵀ", joined.replace("params stays", "")), \
                (name, joined)


def test_derivation_copy_withholds_every_matrix_form():
    nb = _student_notebooks()["01_derivation.ipynb"]
    answers = ms.answer_expressions(nbformat.read(p, as_version=4) for p in
                                    sorted((ROOT / "notebooks").glob("0[2-8]_*.ipynb")))
    for cell in nb.cells:
        src = cell.source
        if cell.cell_type == "code":
            assert not st.code_gives_answer(src, answers), src
            outputs = nbformat.writes(nbformat.v4.new_notebook(cells=[cell]))
            assert "h2_relu.T @ dy" not in outputs
        else:
            for m in re.findall(r"\$\$(.+?)\$\$", src, re.DOTALL):
                assert not re.search(r"\^T|\\circ", m), m
            assert not st._gives_answer(src, answers), src


def test_answer_scan_of_the_exercise_notebooks():
    """No code cell of the student edition gives an exercise's answer as code before that
    exercise: not one of a later notebook, not one further down its own notebook. After it, a
    demonstration may show it (within 03–05 later cells take earlier answers from
    ``exercises.reference`` / ``use`` by name; what would give away an exercise of its own
    notebook is imported from ``exercises.withheld``)."""
    sols = {p.name: nbformat.read(p, as_version=4)
            for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))}
    asked = []                       # ((notebook, cell index), its answers, a bias's column sum)
    for name, nb in _student_notebooks().items():
        by_id = {c.get("id"): c for c in sols[name].cells}
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and "YOUR CODE HERE" in cell.source:
                sol = by_id[cell.get("id")]
                bias = any("1ᵀ" in t for t in ms.region_task(sol.source))
                asked.append(((name, i), ms.answer_expressions([nbformat.v4.new_notebook(
                    cells=[sol])]), bias))
    leaks = set()
    for name, nb in _student_notebooks().items():
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or "YOUR CODE HERE" in cell.source:
                continue
            # an answer an earlier exercise gave (11 reuses 05's column sum) may be shown
            shown = {a for at, answers, _ in asked if at < (name, i) for a in answers}
            bias = any(b for at, _, b in asked if at > (name, i))
            later = [a for at, answers, _ in asked if at > (name, i) for a in answers
                     if a not in shown and (bias or ".sum(axis=0" not in a)]
            src = re.sub(r"\s+", "", cell.source)
            if any(re.sub(r"\s+", "", a) in src for a in later) or (
                    bias and ".sum(axis=0,keepdims=True)" in src):
                leaks.add((name, cell.get("id")))
    assert not leaks, f"student cells that give an exercise's answer as code: {sorted(leaks)}"


def test_exercise_notebook_withholds_its_matrix_forms_until_the_exercise():
    before = "$$\\frac{\\partial L}{\\partial \\mathbf{w}_3} = \\mathbf{h}^T\\mathbf{d} \\tag{81}$$"
    index = "$$\\sum_i h_{ik} d_{il} \\tag{12}$$"
    nb = _edition([
        _md("# 03"), _md(f"{index}\n\nSo:\n\n{before}"),
        _code("# eq. (81): the gradient of L with respect to w3\n### BEGIN SOLUTION\n"
              "dw3 = h2_relu.T @ dy\n### END SOLUTION"),
        _code('exercises.check_gradient("w3", dw3, params, x, y)'),
        _md(f"Summary: {before}"),
    ], name="03_output_layer.ipynb")
    md = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert "\\tag{12}" in md[2] and "\\tag{81}" not in md[2]
    assert "eq. (81) is yours to derive in the exercises below" in md[2]
    assert "\\tag{81}" in md[-1]                         # after the exercise, it may be shown


def test_withheld_derivation_copy_runs(student_shell):
    """01's student copy, with its withheld cells, runs top to bottom without an error."""
    nb = nbformat.read(STUDENT / "01_derivation.ipynb", as_version=4)
    errors = [(i, repr(err)) for i, c in enumerate(nb.cells) if c.cell_type == "code"
              for err in [student_shell(c.source)[0]] if err is not None]
    assert not errors


def test_a_student_line_replaces_the_answer_region_in_markdown():
    nb = _edition([
        _md("# 01"),
        _md("Before.\n\n<!-- BEGIN ANSWER -->\n$\\mathbf{A}\\circ(\\mathbf{dy}\\,\\mathbf{w}_3^T)$"
            " is dh2.\n<!-- END ANSWER -->\n<!-- STUDENT: Derive dh2 from (32). -->\n"
            "<!-- STUDENT: It is $n\\times d_2$. -->\n\nAfter."),
        _md("<!-- BEGIN ANSWER -->\nsecret\n<!-- END ANSWER -->\n\nNo student line: a note."),
    ])
    md = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert "Derive dh2 from (32).\nIt is $n\\times d_2$." in md[-2]
    assert "circ" not in md[-2] and "STUDENT" not in md[-2] and "Withheld" not in md[-2]
    assert "secret" not in md[-1] and "Withheld in the classroom edition" in md[-1]


@pytest.mark.parametrize("name", ["03_output_layer.ipynb", "04_second_hidden_layer.ipynb",
                                  "05_first_hidden_layer.ipynb"])
def test_prose_states_no_gradient_before_its_exercise(name):
    """The prompts, the text and the code comments before each exercise of (81)–(86) (and 05's
    backward pass of any depth) name what to compute, its shape and the equation, not its
    formula. (Formulas of earlier notebooks may be restated.)"""
    cells = nbformat.read(STUDENT / name, as_version=4).cells
    asked = {}                                      # target -> index of its exercise cell
    for i, c in enumerate(cells):
        if c.cell_type == "code" and "YOUR CODE HERE" in c.source:
            for t in re.findall(r"^(\w+) = None$", c.source, re.M):
                asked.setdefault(t, i)
            for t in bound_names(c.source):          # a function to write (05's backward_any)
                if TASK_OF_NAME.get(t) in TASKS:
                    asked.setdefault(t, i)
    telltales = {t: TASKS[TASK_OF_NAME.get(t, t)].telltales if TASK_OF_NAME.get(t, t) in TASKS
                 else () for t in asked}
    missing = sorted(t for t, found in telltales.items() if not found)
    assert asked and not missing, (f"{missing}: add the patterns that would state the answer "
                                   f"to TELLTALES in exercises/tasks.py")
    def said(c):                                   # prose, and the comments of code
        if c.cell_type == "markdown":
            return c.source
        return "\n".join(ln.split("#", 1)[1] for ln in c.source.splitlines() if "#" in ln)

    leaks = [f"cell {i} ({c.get('id')}) states {t} before its exercise: {m.group(0)!r}"
             for t, at in asked.items() for i, c in enumerate(cells[:at])
             for pattern in telltales[t] for m in [re.search(pattern, said(c))] if m]
    assert not leaks, "\n".join(leaks)
