"""Write the classroom edition: ``make student`` → ``student/NN_*.ipynb``.

Every notebook in ``notebooks/`` gets a copy in ``student/`` (so that ``student/`` plus
``helpers/`` is all a class needs, and every link stays inside ``student/``). In it

* each solution region (``### BEGIN SOLUTION`` … ``### END SOLUTION``, nbgrader syntax, see
  CONTRIBUTING.md) becomes a placeholder whose comment names what to compute, its shape and the
  equation, from :mod:`exercises.tasks`, never the formula (student_code.py)::

      # eq. (83): dw2, the gradient of L with respect to w2; shape d1×d2
      # YOUR CODE HERE: replace None by your answer, then delete the raise line
      dw2 = None
      raise NotImplementedError("write eq. (83) here")

  (a region inside a function keeps the ``def`` line and gets only the ``raise``; a region that
  defines a function becomes a stub whose body raises). The variables are set to None so that
  the check cell fails naming the equation, not with a NameError; hidden tests are removed;
* a cell tagged ``prediction`` (11's "predict before you run") keeps its names and comments,
  its values become ``...`` for the student to write (student_code.py);
* cells tagged ``teacher-only`` and teacher paragraphs are dropped, answer regions and cells
  tagged ``answer`` are withheld, and a notebook that comes before the exercises (01) has its
  matrix forms withheld (student_text.py);
* cells tagged ``student-collapsed`` are kept but shown collapsed (a summary after the
  exercises, an answer to a question asked above it: there, a click away, not in sight), and
  cells tagged ``student-no-output`` lose their outputs (a pencil example's values);
* every output from the first exercise cell on is cleared, all execution counts are cleared,
  widget views are dropped from the outputs kept; stored widget state and every other metadata
  is dropped (cells keep only ``tags``, the notebook only ``kernelspec`` and the language name);
* a short note under the title says what this edition is.

The output is deterministic: run it twice and the files are byte-identical.

    python -m course.make_student            write student/ from notebooks/
    python -m course.make_student --check    exit 1 if student/ is not up to date
    python -m course.make_student --nbgrader-source DIR
        the solution notebooks with nbgrader cell metadata (answer and test cells) in DIR
"""

import argparse
import re
import sys
from pathlib import Path

import nbformat

from course import student_text as st
from course.student_code import (  # noqa: F401  (re-exported for the tests)
    BEGIN,
    BEGIN_HIDDEN,
    END,
    END_HIDDEN,
    PREDICTION_TAG,
    ConventionError,
    _assigned_names,
    _comment_above,
    _has_exercise,
    _marker,
    answer_expressions,
    prediction_placeholder,
    region_task,
    student_source,
    task_text,
)

ROOT = Path(__file__).resolve().parent.parent

INDEX = "00_start_here.ipynb"
NOTE = ("*Classroom edition.* The code cells marked `YOUR CODE HERE` are yours to write: the "
        "comment above each names what to compute, its shape and the equation. Run the cell, then "
        "the check cell below it: it says whether your answer is right and, if not, names the "
        "likely mistake and the equation to look at. Stuck? `exercises.hint({task})` gives "
        "a hint, one step more at each call; `exercises.show_answer({task})` prints the "
        "answer. Outputs from the first exercise on are cleared: run the notebook from the top.")
NOTE_INDEX = ("*Classroom edition.* The notebooks with exercises ({names}) have empty cells for "
              "you to write the equations; the check cell after each tells you whether your "
              "answer is right and, if not, names the likely mistake and the equation to look "
              "at.")
NOTE_WITHHELD = ("*Classroom edition.* The matrix forms you derive in the exercises of the later "
                 "notebooks are withheld here: derive them yourself, then check them there.")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_START = re.compile(r"exercises\.start\(\s*[\"'](\w+)[\"']")
_LINK = re.compile(r"(\]\(|src=\")([^)\"#:\s]+\.(?:ipynb|png|svg|jpg|jpeg|gif|md|html))")


def _rewrite_links(text, student_names):
    """Point links to notebooks (and files) without a student copy back to ../notebooks/."""
    def repl(m):
        target = m.group(2)
        if target.startswith(("../", "/")) or target in student_names:
            return m.group(0)
        return f"{m.group(1)}../notebooks/{target}"
    return _LINK.sub(repl, text)


def _clean_outputs(outputs):
    kept = []
    for out in outputs:
        if out.get("output_type") in ("display_data", "execute_result"):
            data = {k: v for k, v in out.get("data", {}).items() if k != WIDGET_VIEW}
            if not data:
                continue
            out = nbformat.from_dict({**out, "data": data, "metadata": {}})
            if out.output_type == "execute_result":
                out["execution_count"] = None
        kept.append(out)
    return kept


COLLAPSED_TAG, NO_OUTPUT_TAG = "student-collapsed", "student-no-output"


def make_student(nb, student_names=(), name="notebook", answers=(), exercise_names=None):
    """Return the student edition of notebook ``nb`` (a new NotebookNode; ``nb`` is unchanged).

    ``answers``: expressions to withhold (a notebook that comes before the exercises, see
    student_text.py); ``exercise_names``: the notebooks with exercises, for 00's note.
    """
    nb = nbformat.from_dict(nb)
    meta = {k: nb.metadata[k] for k in ("kernelspec",) if k in nb.metadata}
    # the language name only: the Python version that last executed the notebook is not ours
    meta["language_info"] = {"name": nb.metadata.get("language_info", {}).get("name", "python")}
    cells, started, withheld = [], False, False
    pending = _pending_gradients(nb)
    for idx, cell in enumerate(nb.cells):
        where = f"{name}, cell {idx}"
        tags = cell.get("metadata", {}).get("tags") or []
        if st.TEACHER_TAG in tags:
            continue
        try:
            new, n, w = _student_cell(cell, where, tags, student_names, answers, started,
                                      (pending[idx], name[:2]))
        except st.MarkerError as err:
            raise ConventionError(str(err)) from None
        started, withheld = started or n > 0, withheld or w
        if "id" in cell:
            new["id"] = cell["id"]
        else:
            new.pop("id", None)
        new["metadata"] = {"tags": list(tags)} if tags else {}
        if COLLAPSED_TAG in tags:                  # JupyterLab shows a bar to click open
            new["metadata"]["jupyter"] = {"source_hidden": True}
        cells.append(new)
    if exercise_names is None:
        exercise_names = [n for n in student_names if n != INDEX]
    others = sorted(n[:2] for n in exercise_names if n != INDEX)
    text = (NOTE.format(task=_first_task(nb)) if started else NOTE_WITHHELD if withheld else
            NOTE_INDEX.format(names=", ".join(others[:-1]) + " and " + others[-1]
                              if len(others) > 1 else "".join(others))
            if name == INDEX and others else None)
    if cells and cells[0].cell_type == "markdown" and text:
        note = nbformat.v4.new_markdown_cell(text)
        note["id"] = "classroom-edition-note"
        if "id" not in cells[0]:
            note.pop("id", None)
        cells.insert(1, note)
    out = nbformat.v4.new_notebook(cells=cells, metadata=meta)
    out.nbformat, out.nbformat_minor = nb.nbformat, nb.nbformat_minor
    nbformat.validate(out)
    return out


def _first_task(nb):
    """The banner's argument of ``hint`` and ``show_answer``: the first name the notebook's
    setup cell gives ``exercises.start``, one of the notebook's own exercises (``name`` if it
    has no such cell)."""
    for cell in nb.cells:
        m = _START.search(cell.source) if cell.cell_type == "code" else None
        if m:
            return f'"{m.group(1)}"'
    return "name"


def _pending_gradients(nb):
    """For each cell, the gradient equations (81)–(86) of the exercises at or after it."""
    eqs, out = set(), []
    for cell in reversed(nb.cells):
        if cell.cell_type == "code" and BEGIN in cell.source:
            eqs = eqs | {int(e) for t in region_task(cell.source)
                         for e in re.findall(r"\((\d+)\)", t) if 81 <= int(e) <= 86}
        out.append(frozenset(eqs))
    return out[::-1]


def _student_cell(cell, where, tags, student_names, answers, started,
                  pending=(frozenset(), "99")):
    """(new cell, number of exercise regions, whether something was withheld)."""
    answer_cell = st.ANSWER_TAG in tags
    if cell.cell_type == "code" and PREDICTION_TAG in tags:     # the student's to write
        return nbformat.v4.new_code_cell(prediction_placeholder(cell.source, where)), 0, False
    if cell.cell_type == "code":
        if answer_cell or (answers and st.code_gives_answer(cell.source, answers)):
            new = nbformat.v4.new_code_cell("# [withheld in the classroom edition: this cell "
                                            "computes matrix forms you derive in the exercises]")
            return new, 0, True
        src, n = student_source(st.code_for_students(cell.source, where), where)
        new = nbformat.v4.new_code_cell(src)
        new.outputs = [] if (started or n or NO_OUTPUT_TAG in tags) else \
            _clean_outputs(cell.outputs)
        return new, n, False
    if cell.cell_type == "markdown":
        if any(_marker(ln) in (BEGIN, END) for ln in cell.source.splitlines()):
            raise ConventionError(f"{where}: solution markers in a markdown cell are not "
                                  f"supported; put exercises in code cells")
        if answer_cell:
            return nbformat.v4.new_markdown_cell(st.withheld_note()), 0, True
        text = st.withhold_ahead(st.markdown_for_students(cell.source, where), *pending)
        if answers:
            text = st.withhold_matrix_forms(text, answers)
        new = nbformat.v4.new_markdown_cell(_rewrite_links(text, student_names))
        if "attachments" in cell:
            new["attachments"] = cell["attachments"]
        return new, 0, text != st.markdown_for_students(cell.source, where)
    return nbformat.v4.new_raw_cell(cell.source), 0, False


def build(src_dir, out_dir=None):
    """Return ``{file name: text}`` of the student edition of the notebooks in ``src_dir``."""
    src_dir = Path(src_dir)
    paths = sorted(src_dir.glob("[0-9][0-9]_*.ipynb"))
    nbs = {p.name: nbformat.read(p, as_version=4) for p in paths}
    exercises = [n for n, nb in nbs.items() if _has_exercise(nb)]
    if not exercises:
        return {}
    first = min(n[:2] for n in exercises)
    answers = answer_expressions(nbs[n] for n in exercises)
    names = set(nbs)
    return {n: nbformat.writes(make_student(
        nbs[n], names, name=n, answers=answers if n[:2] < first and n != INDEX else (),
        exercise_names=exercises)) + "\n" for n in nbs}


def _is_check(cell):
    return cell.cell_type == "code" and "exercises.check_" in cell.source


def nbgrader_source(nb, name="notebook"):
    """A copy of solution notebook ``nb`` with nbgrader cell metadata, for a course's source/.

    Exercise cells become nbgrader "autograded answer" cells (``solution: true``), the check
    cell after each one an "autograder tests" cell worth one point (``grade: true``, locked), so
    ``nbgrader generate_assignment`` and ``autograde`` work without the Create Assignment
    toolbar. Nothing else changes; nbgrader itself clears outputs and solutions on release.
    """
    nb = nbformat.from_dict(nb)
    for idx, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        where = f"{name}, cell {idx}"
        _, n = student_source(cell.source, where)          # validates the regions
        key = re.sub(r"[^A-Za-z0-9_-]", "-", str(cell.get("id", idx)))
        if n:
            cell.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False,
                                         "task": False, "grade_id": f"answer-{key}",
                                         "schema_version": 3}
            follower = next((c for c in nb.cells[idx + 1:] if c.cell_type == "code"), None)
            if follower is None or not _is_check(follower):
                raise ConventionError(f"{where}: the code cell after an exercise must be its "
                                      f"check (a call to exercises)")
            fkey = re.sub(r"[^A-Za-z0-9_-]", "-", str(follower.get("id", idx + 1)))
            follower.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                             "task": False, "points": 1,
                                             "grade_id": f"check-{fkey}", "schema_version": 3}
    return nb


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", default=str(ROOT / "notebooks"))
    ap.add_argument("--out", default=str(ROOT / "student"))
    ap.add_argument("--check", action="store_true", help="exit 1 if OUT is not up to date")
    ap.add_argument("--nbgrader-source", metavar="DIR",
                    help="instead, write the solution notebooks with nbgrader cell metadata to "
                         "DIR (e.g. course/source/backprop) for nbgrader generate_assignment")
    args = ap.parse_args(argv)
    try:
        if args.nbgrader_source:
            out = Path(args.nbgrader_source)
            out.mkdir(parents=True, exist_ok=True)
            n = 0
            for p in sorted(Path(args.src).glob("[0-9][0-9]_*.ipynb")):
                nb = nbformat.read(p, as_version=4)
                if _has_exercise(nb):
                    nbformat.write(nbgrader_source(nb, p.name), out / p.name)
                    n += 1
            print(f"wrote {n} nbgrader source notebooks to {out}")
            return
        files = build(args.src)
    except ConventionError as err:
        sys.exit(f"make_student: {err}")
    out = Path(args.out)
    existing = {p.name for p in out.glob("*.ipynb")} if out.is_dir() else set()
    stale = sorted(existing - set(files))
    changed = [n for n, text in files.items()
               if not (out / n).is_file() or (out / n).read_text(encoding="utf-8") != text]
    if args.check:
        if changed or stale:
            sys.exit(f"student/ is out of date: {', '.join(changed + stale)}; run `make student`")
        print(f"student/ is up to date ({len(files)} notebooks)")
        return
    out.mkdir(exist_ok=True)
    for n in stale:
        (out / n).unlink()
    for n, text in files.items():
        (out / n).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} notebooks to {out}" + (f", removed {', '.join(stale)}"
                                                       if stale else ""))


if __name__ == "__main__":
    main()
