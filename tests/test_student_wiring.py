"""The wiring that keeps a wrong or unanswered exercise from cascading: after each check cell, the
cell ``v = exercises.use("v", params, x, y)`` (``use_step`` for the gradient-descent step; for
05's function, ``backward_any = exercises.use("backward_any", params, x, y)``), so
that every later cell runs on the student's value if it passed, else on the reference value; and
the setup cell's ``exercises.start(...)``, which names what the exercise cells compute.

That the student notebooks, run unanswered, then fail only in their exercises' checks is tested
in ``tests/test_student.py::test_round_trip``, in the same shell as the round trip.
"""

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _check_call(source):
    import ast

    from exercises.answers import FUNCTIONS
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "").startswith("check_"):
            f, a = node.func.attr, [ast.unparse(x) for x in node.args]
            if f == "check_gd_step":
                return f"{a[0]} = exercises.use_step({a[1]}, {a[2]}, {a[3]})"
            if f in ("check_gradient", "check_seed_bias_form", "check_forward"):
                v = a[1]
                q = v if f != "check_gradient" else "d" + a[0].strip("'\"")
                rest = ", ".join(a[2:])
                return f'{v} = exercises.use("{q}", {rest})'
            if f == "check_loss":
                return f'{a[0]} = exercises.use("L", params, x, y)'
            if a and a[0] in FUNCTIONS:              # a function exercise: use() hands one on
                return f'{a[0]} = exercises.use("{a[0]}", {", ".join(a[1:])})'
    return None


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


@pytest.mark.parametrize("name", sorted(p.name for p in
                                        (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
def test_the_setup_cell_starts_the_classroom_with_what_the_exercises_compute(name):
    """A notebook with exercises calls exercises.start(...) in a cell of its own right after the
    cell that imports exercises (which stays imports only, as grading reads it), with the names
    its exercise cells bind, in order (found here, never listed by hand)."""
    import ast

    from exercises._runs import bound_names

    cells = [c for c in nbformat.read(ROOT / "notebooks" / name, as_version=4).cells
             if c.cell_type == "code"]
    want = list(dict.fromkeys(b for c in cells if "### BEGIN SOLUTION" in c.source
                              for b in bound_names(c.source)))
    starts = [(i, node) for i, c in enumerate(cells) for node in ast.walk(ast.parse(c.source))
              if isinstance(node, ast.Call) and ast.unparse(node.func) == "exercises.start"]
    if not want:
        assert not starts, f"{name} has no exercise but calls exercises.start"
        return
    assert len(starts) == 1, f"{name}: call exercises.start(...) once, in the setup cell"
    i, call = starts[0]
    assert i > 0 and "import exercises" in cells[i - 1].source.splitlines(), \
        f"{name}: exercises.start(...) goes in the cell right after the imports"
    assert all(isinstance(s, ast.Expr) for s in ast.parse(cells[i].source).body), \
        f"{name}: the start cell does nothing else"
    got = [a.value for a in call.args]
    assert got == want, f"{name}: exercises.start({', '.join(map(repr, want))})"
