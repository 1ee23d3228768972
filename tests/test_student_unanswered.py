"""Run unanswered, a student notebook may fail only in its exercise cells and their checks: every
other cell must run on the reference values (``exercises.use`` / ``exercises.reference``).

Each failing cell is listed with its error. The notebooks carry the wiring (a ``use`` cell after
each check cell, ``_check_call`` below says which); a test checks that no check cell lacks it.
"""

import os
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
STUDENT = ROOT / "student"
sys.path.insert(0, str(ROOT / "tools"))
import make_student as ms  # noqa: E402


def _exercise_or_check(cell):
    return "YOUR CODE HERE" in cell.source or "exercises.check_" in cell.source


def _check_call(source):
    import ast
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "").startswith("check_"):
            f, a = node.func.attr, [ast.unparse(x) for x in node.args]
            if f == "check_gd_step":
                return f"{a[0]} = exercises.use_step({a[0]}, {a[1]}, {a[2]}, {a[3]})"
            if f in ("check_gradient", "check_seed_bias_form", "check_forward"):
                v = a[1]
                q = v if f != "check_gradient" else "d" + a[0].strip("'\"")
                rest = ", ".join(a[2:])
                return f'{v} = exercises.use("{q}", {v}, {rest})'
            if f == "check_loss":
                return f'{a[0]} = exercises.use("L", {a[0]}, params, x, y)'
    return None


def unanswered_failures(name):
    """[(cell index, cell id, error)] of the cells other than exercises and checks that fail."""
    from nbclient import NotebookClient

    nb = nbformat.read(STUDENT / name, as_version=4)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg",
           "JUPYTER_PLATFORM_DIRS": "1"}
    client = NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(STUDENT)}})
    with client.setup_kernel(env=env):
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, i)
    out = []
    for i, cell in enumerate(nb.cells):
        errs = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        if errs and not _exercise_or_check(cell):
            out.append((i, cell.get("id"), f"{errs[0].ename}: {errs[0].evalue}"[:120]))
    return out


@pytest.mark.parametrize("name", sorted(p.name for p in STUDENT.glob("[01][0-9]_*.ipynb")
                                        if ms._has_exercise(nbformat.read(
                                            ROOT / "notebooks" / p.name, as_version=4))))
@pytest.mark.slow
def test_unanswered_notebook_fails_only_in_its_exercises(name):
    failures = unanswered_failures(name)
    assert not failures, "\n".join(f"cell {i} ({cid}): {err}" for i, cid, err in failures)


@pytest.mark.parametrize("name", sorted(p.name for p in
                                        (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
def test_every_check_cell_is_followed_by_its_use_cell(name):
    """The notebooks carry the wiring: exercise cell, its check cell, then the ``use`` cell."""
    cells = nbformat.read(ROOT / "notebooks" / name, as_version=4).cells
    for i, cell in enumerate(cells):
        call = _check_call(cell.source) if cell.cell_type == "code" else None
        if call:
            assert i + 1 < len(cells) and cells[i + 1].source.strip() == call, \
                f"{name}: cell {cell.get('id')} needs the cell {call!r} right after it"
