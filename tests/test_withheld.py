"""The classroom edition's by-name copies of withheld code (``exercises.withheld``).

A solution notebook writes such code between ``### BEGIN ANSWER`` and ``### END ANSWER`` and
gives the student edition ``### STUDENT: <code>`` lines instead (course/student_text.py). These
tests keep the two in step: every function of the module is, statement for statement, the one
the solution notebook defines; every student line runs; and a student copy with withheld code
prints what the solution notebook printed.
"""

import ast
import contextlib
import io
import re
from pathlib import Path

import nbformat
import pytest

from course import student_text as st
from exercises import withheld

ROOT = Path(__file__).resolve().parent.parent

ANSWER = re.compile(r"^### BEGIN ANSWER\n(.*?)^### END ANSWER", re.M | re.S)


def _answer_regions():
    """{function name: (notebook, its ast.FunctionDef)} over the solution notebooks."""
    out = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            for region in ANSWER.findall(cell.source):
                for node in ast.parse(region).body:
                    if isinstance(node, ast.FunctionDef):
                        out[node.name] = (path.name, node)
    return out


def _module_functions():
    tree = ast.parse(Path(withheld.__file__).read_text())
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}


def test_every_withheld_function_is_the_one_the_solution_notebook_shows():
    regions, module = _answer_regions(), _module_functions()
    assert set(regions) == set(module) == set(withheld.__all__)
    for name, (notebook, node) in regions.items():
        assert ast.dump(node) == ast.dump(module[name]), \
            f"{name}: exercises/withheld.py differs from the code {notebook} shows"


def test_every_student_line_runs():
    lines = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
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


@pytest.mark.parametrize("name", ["10_matrix_differentials.ipynb"])
def test_student_copy_with_withheld_code_prints_what_the_solution_printed(name):
    """Run in-process (no kernel): each code cell's printed text equals the stored one."""
    from IPython.core.interactiveshell import InteractiveShell

    nb = nbformat.read(ROOT / "student" / name, as_version=4)
    shell = InteractiveShell.instance()
    try:
        for cell in (c for c in nb.cells if c.cell_type == "code"):
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                result = shell.run_cell(cell.source, store_history=False)
            assert result.success, f"{name}, cell {cell.get('id')}: {result.error_in_exec!r}"
            stored = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            assert buf.getvalue() == stored, f"{name}, cell {cell.get('id')} prints otherwise"
    finally:
        InteractiveShell.clear_instance()
