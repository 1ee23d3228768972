"""Write the classroom edition: ``make student`` → ``student/NN_*.ipynb``.

For every notebook in ``notebooks/`` that contains an exercise region (nbgrader syntax, see
CONTRIBUTING.md) this writes a copy in ``student/`` in which

* the code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` is replaced by a placeholder
  that names the equation from the comment line above the markers::

      # eq. (83): the gradient of L with respect to w2 (d1×d2)
      # YOUR CODE HERE: replace None by your answer, then delete the raise line
      dw2 = None
      raise NotImplementedError("write eq. (83) here")

  (a region inside a function keeps the ``def`` line and gets only the ``raise``; a region that
  defines a function becomes a stub of that function whose body raises). The variables are set
  to None so that the check cell after the exercise fails with the equation's name, not with a
  NameError;
* code between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` is removed;
* every output from the first exercise cell on is cleared (they may show or depend on the
  solution), all execution counts are cleared, widget views are dropped from the outputs kept;
* stored widget state and every other metadata is dropped (cells keep only ``tags``, the notebook
  only ``kernelspec`` and the language name), so nothing of the solution survives anywhere;
* links to notebooks without a student copy point back to ``../notebooks/``; a short note under
  the title says what this edition is.

``00_start_here.ipynb`` is copied the same way so the navigation links work. The checks (the
cells calling :mod:`helpers.exercises`) are kept as they are. The output is deterministic: run it
twice and the files are byte-identical.

    python tools/make_student.py            write student/ from notebooks/
    python tools/make_student.py --check    exit 1 if student/ is not up to date
    python tools/make_student.py --nbgrader-source DIR
        the solution notebooks with nbgrader cell metadata (answer and test cells) in DIR
"""

import argparse
import ast
import json
import re
import sys
import textwrap
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
INDEX = "00_start_here.ipynb"
NOTE = ("*Classroom edition.* The code cells marked `YOUR CODE HERE` are yours to write: replace "
        "the placeholder with the equation named in the comment, run the cell, then run the check "
        "cell below it, which tells you whether your answer matches the equation and, if not, "
        "what the likely mistake is. Outputs from the first exercise on are cleared: run the "
        "notebook from the top.")
NOTE_INDEX = ("*Classroom edition.* The notebooks linked here that contain exercises ({names}) "
              "open in their classroom edition, with empty cells for you to write the equations; "
              "the others open in the full edition in `../notebooks/`.")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_EQ = re.compile(r"eqs?\.\s*(\(\d{1,2}\)(?:\s*(?:/|,|and|–)\s*\(\d{1,2}\))*)")
_LINK = re.compile(r"(\]\(|src=\")([^)\"#:\s]+\.(?:ipynb|png|svg|jpg|jpeg|gif|md|html))")


class ConventionError(ValueError):
    """An exercise region does not follow the convention in CONTRIBUTING.md."""


def _marker(line):
    return line.strip()


def _has_exercise(nb):
    return any(c.cell_type == "code" and any(_marker(ln) == BEGIN for ln in
                                             c.source.splitlines()) for c in nb.cells)


def _strip_hidden(lines, where):
    out, hidden = [], False
    for ln in lines:
        m = _marker(ln)
        if m == BEGIN_HIDDEN:
            if hidden:
                raise ConventionError(f"{where}: nested {BEGIN_HIDDEN}")
            hidden = True
        elif m == END_HIDDEN:
            if not hidden:
                raise ConventionError(f"{where}: {END_HIDDEN} without {BEGIN_HIDDEN}")
            hidden = False
        elif not hidden:
            out.append(ln)
    if hidden:
        raise ConventionError(f"{where}: {BEGIN_HIDDEN} without {END_HIDDEN}")
    return out


def _comment_above(lines, i, where):
    """The comment naming the exercise: the nearest block of comment lines above line ``i``."""
    j = i - 1
    while j >= 0 and not _is_comment(lines[j]):
        j -= 1
    block = []
    while j >= 0 and _is_comment(lines[j]):
        block.insert(0, lines[j].strip().lstrip("#").strip())
        j -= 1
    if not block:
        raise ConventionError(f"{where}: no comment line naming the equation above {BEGIN} "
                              f"(e.g. '# eq. (81): the gradient of L with respect to w3')")
    return " ".join(block)


def _is_comment(line):
    s = line.strip()
    return s.startswith("#") and not s.startswith("###")


def task_text(comment):
    """What the placeholder asks for, from the comment above the markers.

    '# eq. (83): the gradient …' gives 'write eq. (83) here'; a comment that does not start with
    an equation number is quoted: 'write here: gradient descent, …'.
    """
    m = _EQ.match(comment)
    if m:
        return f"write eq. {m.group(1)} here"
    return f"write here: {comment}"


def _assigned_names(code):
    """Names a region creates (assigned before they are read), and the functions it defines."""
    tree = ast.parse(code)
    created, seen, functions = [], set(), []
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.append(stmt)
            seen.add(stmt.name)
            continue
        loads = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)
                 and isinstance(n.ctx, ast.Load)}
        stores = []
        targets = (stmt.targets if isinstance(stmt, ast.Assign) else
                   [stmt.target] if isinstance(stmt, ast.AnnAssign) else [])
        for t in targets:
            stores += [n.id for n in ast.walk(t) if isinstance(n, ast.Name)
                       and isinstance(n.ctx, ast.Store)]
        for name in stores:
            if name not in seen and name not in loads:
                created.append(name)
        seen |= loads | set(stores)
    return created, functions


def _placeholder(region, indent, comment, where):
    """The lines that replace a solution region."""
    task = task_text(comment)
    raise_line = f"{indent}raise NotImplementedError({json.dumps(task, ensure_ascii=False)})"
    if indent:                                     # inside a function or a block: just raise
        return [f"{indent}# YOUR CODE HERE", raise_line]
    code = textwrap.dedent("\n".join(region))
    try:
        created, functions = _assigned_names(code)
    except SyntaxError as err:
        raise ConventionError(f"{where}: the solution region is not valid Python "
                              f"({err.msg}, line {err.lineno})") from None
    out = []
    code_lines = code.splitlines()
    for fn in functions:                           # keep the signature, raise in the body
        first = fn.body[0]
        start = fn.decorator_list[0].lineno if fn.decorator_list else fn.lineno
        keep = code_lines[start - 1: first.lineno - 1]
        doc = ast.get_docstring(fn, clean=False)
        if doc is not None and isinstance(first, ast.Expr):
            keep += code_lines[first.lineno - 1: first.end_lineno]
        body_indent = re.match(r"\s*", code_lines[first.lineno - 1]).group(0) or "    "
        out += keep + [f"{body_indent}# YOUR CODE HERE", body_indent + raise_line.strip()]
    if created:
        out.append("# YOUR CODE HERE: replace None by your answer, then delete the raise line")
        out += [f"{name} = None" for name in created]
        out.append(raise_line)
    elif not functions:
        out += ["# YOUR CODE HERE", raise_line]
    return out


def student_source(source, where="cell"):
    """A code cell's source with its solution regions replaced and hidden tests removed.

    Returns ``(new_source, n_regions)``.
    """
    lines = _strip_hidden(source.splitlines(), where)
    out, i, n = [], 0, 0
    while i < len(lines):
        if _marker(lines[i]) == END:
            raise ConventionError(f"{where}: {END} without {BEGIN}")
        if _marker(lines[i]) != BEGIN:
            out.append(lines[i])
            i += 1
            continue
        indent = re.match(r"\s*", lines[i]).group(0)
        comment = _comment_above(lines, i, where)
        j = i + 1
        while j < len(lines) and _marker(lines[j]) not in (END, BEGIN):
            j += 1
        if j == len(lines) or _marker(lines[j]) == BEGIN:
            raise ConventionError(f"{where}: {BEGIN} without a matching {END}")
        region = lines[i + 1:j]
        if not any(ln.strip() for ln in region):
            raise ConventionError(f"{where}: empty solution region")
        out += _placeholder(region, indent, comment, where)
        n += 1
        i = j + 1
    return "\n".join(out), n


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


def make_student(nb, student_names=(), name="notebook"):
    """Return the student edition of notebook ``nb`` (a new NotebookNode; ``nb`` is unchanged)."""
    nb = nbformat.from_dict(nb)
    meta = {k: nb.metadata[k] for k in ("kernelspec",) if k in nb.metadata}
    # the language name only: the Python version that last executed the notebook is not ours
    meta["language_info"] = {"name": nb.metadata.get("language_info", {}).get("name", "python")}
    cells, started = [], False
    for idx, cell in enumerate(nb.cells):
        where = f"{name}, cell {idx}"
        if cell.cell_type == "code":
            src, n = student_source(cell.source, where)
            started = started or n > 0
            new = nbformat.v4.new_code_cell(src)
            new.outputs = [] if started else _clean_outputs(cell.outputs)
        elif cell.cell_type == "markdown":
            if any(_marker(ln) in (BEGIN, END) for ln in cell.source.splitlines()):
                raise ConventionError(f"{where}: solution markers in a markdown cell are not "
                                      f"supported; put exercises in code cells")
            new = nbformat.v4.new_markdown_cell(_rewrite_links(cell.source, student_names))
            if "attachments" in cell:
                new["attachments"] = cell["attachments"]
        else:
            new = nbformat.v4.new_raw_cell(cell.source)
        if "id" in cell:
            new["id"] = cell["id"]
        else:
            new.pop("id", None)
        tags = cell.get("metadata", {}).get("tags")
        new["metadata"] = {"tags": list(tags)} if tags else {}
        cells.append(new)
    others = sorted(n[:2] for n in student_names if n != INDEX)
    if cells and cells[0].cell_type == "markdown" and (started or others):
        text = NOTE if started else NOTE_INDEX.format(
            names=", ".join(others[:-1]) + " and " + others[-1] if len(others) > 1
            else "".join(others))
        note = nbformat.v4.new_markdown_cell(text)
        note["id"] = "classroom-edition-note"
        if "id" not in cells[0]:
            note.pop("id", None)
        cells.insert(1, note)
    out = nbformat.v4.new_notebook(cells=cells, metadata=meta)
    out.nbformat, out.nbformat_minor = nb.nbformat, nb.nbformat_minor
    nbformat.validate(out)
    return out


def build(src_dir, out_dir=None):
    """Return ``{file name: text}`` of the student edition of the notebooks in ``src_dir``."""
    src_dir = Path(src_dir)
    paths = sorted(src_dir.glob("[0-9][0-9]_*.ipynb"))
    nbs = {p.name: nbformat.read(p, as_version=4) for p in paths}
    chosen = [n for n, nb in nbs.items() if _has_exercise(nb)]
    if chosen and INDEX in nbs:
        chosen = [INDEX] + chosen
    names = set(chosen)
    return {n: nbformat.writes(make_student(nbs[n], names, name=n)) + "\n" for n in chosen}


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
                                      f"check (a call to helpers.exercises)")
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
