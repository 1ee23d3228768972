"""nbgrader export: an assignment's source/ made from the solution notebooks.

``python -m course.grading.interop_nbgrader COURSE [--assignment backprop]`` writes COURSE/source/…/
with nbgrader cell metadata (each exercise an autograded answer cell, each check a locked test
cell worth the exercise's points), and COURSE/nbgrader_config.py. It differs from
``course/make_student.py --nbgrader-source`` in what makes nbgrader work out of the box:

* only notebooks with exercises are exported: 00 (whose prose quotes the markers and would make
  ``generate_assignment`` abort) and the notebooks without exercises stay out;
* each exercise cell first sets the names it must create to None, so in the released notebook
  the check says "dw3 is None … write eq. (81)" instead of a NameError;
* points come from the same ``points:N`` tags as ``make grade``.

Run nbgrader with the grading venv's bin/ on PATH (``make grade-nbgrader`` does): nbgrader starts
``alembic`` by name to create its database.
"""

import argparse
import ast
from pathlib import Path

import nbformat

from . import notebooks

CONFIG = """c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = "backprop"
c.ExecutePreprocessor.timeout = 60
"""


def _defined_before(lines):
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return set()
    return notebooks.names("\n".join(lines))[0] if tree.body else set()


def source_notebook(path, assignment):
    nb = nbformat.read(path, as_version=4)
    by_id = {e.cell_id: e for e in assignment.exercises}
    checks = {e.check_id: e for e in assignment.exercises}
    for cell in nb.cells:
        cid = cell.get("id")
        if cid in by_id:
            e = by_id[cid]
            lines = cell.source.splitlines()
            i = next(k for k, ln in enumerate(lines) if ln.strip() == notebooks.BEGIN)
            top_level = not lines[i].startswith((" ", "\t"))
            before = _defined_before(lines[:i]) if top_level else set()
            stubs = [f"{t} = None" for t in e.targets if top_level and t not in before
                     and f"def {t}(" not in cell.source]
            if stubs:
                cell.source = "\n".join(stubs + ["# (None until you write your answer)"]
                                        + lines)
            cell.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False,
                                         "task": False, "grade_id": f"answer-{cid}",
                                         "schema_version": 3}
        elif cid in checks:
            cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                         "task": False, "points": checks[cid].points,
                                         "grade_id": f"check-{cid}", "schema_version": 3}
    return nb


def export(course, assignment="backprop", solutions=None):
    course = Path(course).resolve()
    solutions = Path(solutions or Path(__file__).resolve().parents[2] / "notebooks")
    out = course / "source" / assignment
    out.mkdir(parents=True, exist_ok=True)
    found = notebooks.discover(solutions)
    for name, a in found.items():
        nbformat.write(source_notebook(solutions / name, a), out / name)
    (course / "nbgrader_config.py").write_text(CONFIG.format(root=str(course)),
                                               encoding="utf-8")
    return sorted(found)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("course")
    ap.add_argument("--assignment", default="backprop")
    args = ap.parse_args(argv)
    names = export(args.course, args.assignment)
    print(f"wrote {len(names)} notebooks to {Path(args.course) / 'source' / args.assignment}")


if __name__ == "__main__":
    main()
