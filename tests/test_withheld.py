"""The classroom edition's by-name copies of withheld code (``exercises.withheld``).

A solution notebook writes such code between ``### BEGIN ANSWER`` and ``### END ANSWER`` and
gives the student edition ``### STUDENT: <code>`` lines instead (course/student_text.py). Code is
withheld only where it would give away an exercise of its own notebook; a demonstration that
follows the exercise it would give away is shown (exercises/withheld.py says which stay, and
why). These tests keep the two in step: every function of the module is, statement for
statement, the one the solution notebook defines; every student line runs; and only a notebook
with exercises of its own withholds code.
"""

import ast
import re
from pathlib import Path

import nbformat

from course import make_student as ms
from course import student_text as st
from exercises import withheld

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

ANSWER = re.compile(r"^### BEGIN ANSWER\n(.*?)^### END ANSWER", re.M | re.S)


def _functions(answer_regions_only):
    """{function name: (notebook, its ast.FunctionDef)} defined at the top level of the solution
    notebooks' code cells (only inside answer regions, or anywhere)."""
    out = {}
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            sources = ANSWER.findall(cell.source) if answer_regions_only else [
                "\n".join(ln for ln in cell.source.splitlines() if not ln.startswith("###"))]
            for src in sources:
                for node in ast.parse(src).body:
                    if isinstance(node, ast.FunctionDef):
                        out.setdefault(node.name, (path.name, node))
    return out


def _module_functions():
    tree = ast.parse(Path(withheld.__file__).read_text())
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}


def test_every_withheld_function_is_the_one_the_solution_notebook_shows():
    """Each withheld function is in the module; each function of the module (the withheld ones
    and those they are built on) is the notebook's own, statement for statement."""
    withheld_here, shown, module = _functions(True), _functions(False), _module_functions()
    assert set(withheld_here) <= set(module) == set(withheld.__all__)
    for name, node in module.items():
        assert name in shown, f"{name}: exercises/withheld.py has it, no notebook defines it"
        notebook, shown_node = shown[name]
        assert ast.dump(node) == ast.dump(shown_node), \
            f"{name}: exercises/withheld.py differs from the code {notebook} shows"


def test_code_is_withheld_only_where_it_gives_away_an_exercise_of_its_own_notebook():
    """A notebook without exercises withholds no code: its demonstrations come after the
    exercises of 02–08 whose answers they use."""
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        if ms._has_exercise(nb):
            continue
        regions = [c.get("id") for c in nb.cells if c.cell_type == "code"
                   and "### BEGIN ANSWER" in c.source]
        assert not regions, f"{path.name} withholds code in cells {regions}: show it"


def test_every_student_line_runs():
    lines = []
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            lines += [ln for ln in cell.source.splitlines() if ln.startswith("### STUDENT:")]
    assert lines
    for line in lines:
        exec(st.code_for_students(line), {})


def test_answer_region_becomes_a_comment_and_the_student_lines_code():
    src = "a = 1\n### BEGIN ANSWER\ndef f():\n    return 2\n### END ANSWER\n" \
          "### STUDENT: from m import f   # by name\nb = f()"
    out = st.code_for_students(src).splitlines()
    assert out[0] == "a = 1" and out[1].startswith("# [withheld in the classroom edition")
    assert out[2:] == ["from m import f   # by name", "b = f()"]
