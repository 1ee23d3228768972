"""Every mistake of the hint catalogue, made in the student notebook where a student would make it.

For each catalogue entry (``exercises.catalogue``), each of its ``examples`` (the student's wrong
code, as source text) is put in the exercise cell of the student copy (student/) that computes
the first name it assigns — found here, not listed by hand —, which runs in an
IPython shell in this process, cell by cell, as Jupyter runs it, with the classroom's exception
handler installed (the ``student_shell`` fixture of conftest.py). Asserted: the mistake is caught
where it belongs — by the check cell (its ExerciseError names that very mistake) or, for a
mistake that raises in the student's own cell, by the exception handler's hint — and no other
cell of the notebook fails: the last mistake of each exercise is left in place and the cells
after it run on the reference value.
"""

import ast
import re
from pathlib import Path

import nbformat
import pytest

from exercises._runs import bound_names
from exercises.catalogue import MISTAKES
from exercises.tasks import TASK_OF_NAME, TASKS

ROOT = Path(__file__).resolve().parent.parent
STUDENT = ROOT / "student"

# entries that the running example's sizes turn into another entry's hint, which is then the
# right one (tests/test_catalogue.py drives them on sizes where they give a value)
SHOWN_AS = {"g-masks-swapped": "g-mask-B-for-A"}   # d1 ≠ d2: the swap raises at B in (84) first


def _exercise_cells():
    """{name an exercise cell of the student notebooks binds: (notebook, cell id)}, also keyed by
    the name's task (07's estimate and central_difference are both "numerical")."""
    out = {}
    for path in sorted(STUDENT.glob("[0-9][0-9]_*.ipynb")):
        for c in nbformat.read(path, as_version=4).cells:
            if c.cell_type == "code" and "YOUR CODE HERE" in c.source:
                for name in bound_names(c.source):
                    out.setdefault(name, (path.name, c.get("id")))
                    out.setdefault(TASK_OF_NAME.get(name, name), (path.name, c.get("id")))
    return out


def _plan():
    """{notebook: {exercise cell id: [(the student's wrong code, catalogue key)]}}: every example
    of the catalogue, in the exercise cell that computes the first name it binds."""
    cells, plan = _exercise_cells(), {}
    for m in MISTAKES.values():
        for wrong in m.examples:
            where = next((cells.get(n) or cells.get(TASK_OF_NAME.get(n)) for n in
                          bound_names(wrong) if n in cells or TASK_OF_NAME.get(n) in cells), None)
            assert where, f"{m.key}: no exercise cell computes what {wrong!r} assigns"
            plan.setdefault(where[0], {}).setdefault(where[1], []).append((wrong, m.key))
    for cells_plan in plan.values():        # a mistake that changes the notebook's quantities in
        for cases in cells_plan.values():   # place goes last: the use cell after it puts them back
            cases.sort(key=lambda case: case[1] in ("x-in-place", "st-in-place"))
    return plan


WRONG = _plan() if STUDENT.is_dir() else {}


def _inject(source, wrong):
    """The student's exercise cell with ``wrong`` in place of the placeholder."""
    lines = source.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("# YOUR CODE HERE"))
    if lines[at].startswith("    "):                  # a function stub: the body, then the rest
        end = next(i for i, ln in enumerate(lines) if ln.strip().startswith("raise "))
        body = "".join("    " + ln + "\n" for ln in wrong.splitlines())
        return "\n".join(lines[:at]) + "\n" + body + "\n".join(lines[end + 1:])
    return "\n".join(lines[:at] + [wrong])


def _student_code(name):
    """The code cells of the student copy of ``name``, and the ids of its exercise cells and of
    their check cells (the code cell after each)."""
    cells = [c for c in nbformat.read(STUDENT / name, as_version=4).cells
             if c.cell_type == "code"]
    exercises = {c.get("id") for c in cells if "YOUR CODE HERE" in c.source}
    checks = {cells[i + 1].get("id") for i, c in enumerate(cells) if c.get("id") in exercises}
    return cells, exercises, checks


def _text(key, wrong):
    """The entry's text; one without an equation of its own names the exercise's."""
    m = MISTAKES[key]
    target = re.match(r"\s*(\w+) =", wrong.splitlines()[-1])
    task = TASKS.get(TASK_OF_NAME.get(target.group(1), target.group(1))) if target else None
    return m.text("" if m.eq or task is None else task.eq)


def test_every_catalogue_entry_is_driven_through_a_notebook():
    """Every entry has an example, and so a case below: nothing is listed by hand."""
    covered = {key for cells in WRONG.values() for plan in cells.values() for _, key in plan}
    assert covered == set(MISTAKES), sorted(set(MISTAKES) - covered)


@pytest.mark.parametrize("name", sorted(WRONG))
def test_each_mistake_is_caught_in_the_notebook_and_nothing_else_fails(name, student_shell):
    run = student_shell
    cells, exercises, checks = _student_code(name)
    plan = WRONG[name]
    assert set(plan) <= exercises, "a planned cell is not an exercise of the student copy"
    failures = []
    # to the end: a mistake that changed another quantity in place must not break later cells
    for i, cell in enumerate(cells):
        cid = cell.get("id")
        for wrong, key in plan.get(cid, []):
            key = SHOWN_AS.get(key, key)
            err, out = run(_inject(cell.source, wrong))
            if err is not None:             # raised in the cell: the handler's hint says why
                assert f"Likely mistake: {_text(key, wrong)}" in out, \
                    f"{name}: {wrong!r} raised {err!r} without the hint of {key}:\n{out}"
                continue
            run("_saved = {k: v.copy() for k, v in params.items()}")
            err, out = run(cells[i + 1].source)
            assert getattr(err, "mistake", None) == key, \
                f"{name}: {wrong!r} should fail its check as {key}; got {err!r}"
            named = "the reference" if key == "ref-used" else MISTAKES[key].name
            assert named in str(err), f"{name}: the message of {key} does not name it: {err}"
            if "check_numerical_gradient" in cells[i + 1].source:   # 07's puts params back
                err, _ = run("assert all(np.array_equal(params[k], _saved[k]) for k in params)")
                assert err is None, f"{name}: after {wrong!r} failed, params stay changed"
        if cid in plan:
            continue                 # the last mistake stays; the check cell below may fail
        err, out = run(cell.source)
        if err is not None and cid not in exercises | checks:
            failures.append(f"cell {i} ({cid}): {err!r}")
    assert not failures, f"{name}: with the mistakes in place, other cells failed:\n" + \
        "\n".join(failures)


# Errors of any kind, and answers that pass their check but give a notebook's quantity a new
# value, must not break later cells either: (notebook, exercise cell, the student's code).
ANY_ERROR = [
    ("04_second_hidden_layer.ipynb", "nb04-20", "dh2 = A * (dy @ w3.T"),              # syntax
    ("04_second_hidden_layer.ipynb", "nb04-20", 'dh2 = A * (dy @ params["W3"].T)'),   # KeyError
    ("04_second_hidden_layer.ipynb", "nb04-20", "dh2 = A * (dy @ w3.t)"),        # AttributeError
    ("04_second_hidden_layer.ipynb", "nb04-20", "A = A * (dy @ w3.T)\ndh2 = A"),    # A rebound
    ("04_second_hidden_layer.ipynb", "nb04-23", "h1_relu = h1_relu.T\ndw2 = h1_relu @ dh2"),
    ("03_output_layer.ipynb", "377b97a8", "dy = h2_relu.T @ dy\ndw3 = dy"),         # dy rebound
    ("04_second_hidden_layer.ipynb", "nb04-20",                  # the notebook's forward rebound
     "def forward(a, w):\n    return a @ w\ndh2 = A * forward(dy, w3.T)"),
    ("04_second_hidden_layer.ipynb", "nb04-23", "loss = h1_relu.T\ndw2 = loss @ dh2"),
    ("08_training.ipynb", "caa21374",
     'new_params = {k: params[k] - lr * grads["d" + k] for k in params}'),         # KeyError
]


@pytest.mark.parametrize("name, cid, wrong", ANY_ERROR, ids=[f"{n[:2]}:{w[:30]}"
                                                              for n, _, w in ANY_ERROR])
def test_no_mistake_of_any_kind_breaks_a_later_cell(name, cid, wrong, student_shell):
    cells, exercises, checks = _student_code(name)
    assert cid in exercises
    failures = []
    for i, cell in enumerate(cells):
        err, _ = student_shell(_inject(cell.source, wrong) if cell.get("id") == cid
                               else cell.source)
        if err is not None and cell.get("id") not in exercises | checks:
            failures.append(f"cell {i} ({cell.get('id')}): {err!r}")
    assert not failures, f"{name}, {wrong!r}: later cells failed:\n" + "\n".join(failures)


def test_07s_check_cell_is_one_call_of_the_check():
    """A failed check points at the line that calls the student's function: the check calls
    central_difference itself and puts params back, so no ``finally`` follows the call."""
    cells, exercises, checks = _student_code("07_gradient_checking.ipynb")
    (check,) = [c.source for c in cells if c.get("id") in checks]
    body = ast.parse(check).body
    assert len(body) == 1 and "check_numerical_gradient(central_difference," in check, check
