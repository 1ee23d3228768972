"""Exercises discovered from the solution notebooks, at run time.

An exercise is a code cell with a ``### BEGIN SOLUTION`` … ``### END SOLUTION`` region (see
CONTRIBUTING.md); its check is the next code cell. Both are found by their nbformat cell ids,
which the student edition keeps, so a submission's cells are matched to exercises by id, whatever
their order. Points: a cell tag ``points:N`` on the exercise or its check cell (default 1).

The grader runs, before each exercise, only the solution cells that define names the exercises
and checks use (a backward slice over the notebook, by names), so it stays fast and keeps
working when prose, plots and demonstrations change around the exercises.
"""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from exercises.tasks import TASK_OF_NAME, TASKS

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_POINTS = re.compile(r"^points:(\d+(?:\.\d+)?)$")


class NotebookError(ValueError):
    """A solution notebook does not follow the exercise convention."""


@dataclass
class Exercise:
    notebook: str              # file name of the solution notebook, e.g. "03_output_layer.ipynb"
    cell_id: str               # the exercise cell's id (kept by the student edition)
    check_id: str              # the check cell's id
    name: str                  # what it computes: its variables / function, e.g. "dw3"
    title: str                 # what the student copy asks for (student_prompt), never the formula
    targets: list              # names the solution region assigns or defines
    solution: str              # the exercise cell's source without the marker lines
    check: str                 # the check cell's source
    points: float = 1.0
    anchor: str = ""           # its first comment line, to find a cell whose id was lost


@dataclass
class Assignment:
    notebook: str
    imports: list = field(default_factory=list)     # import-only cells, run first
    steps: list = field(default_factory=list)       # ("setup", source) or ("exercise", Exercise)

    @property
    def exercises(self):
        return [s for kind, s in self.steps if kind == "exercise"]


def _is_marker(line, marker):
    return line.strip() == marker


def has_exercise(source):
    return any(_is_marker(ln, BEGIN) for ln in source.splitlines())


def strip_markers(source):
    return "\n".join(ln for ln in source.splitlines()
                     if not (_is_marker(ln, BEGIN) or _is_marker(ln, END)))


def solution_region(source):
    lines = source.splitlines()
    i = next(k for k, ln in enumerate(lines) if _is_marker(ln, BEGIN))
    j = next(k for k, ln in enumerate(lines) if _is_marker(ln, END))
    return "\n".join(lines[i + 1:j]), lines[:i]


def points_of(*cells):
    """The ``points:N`` tag of the first of ``cells`` that has one; 1 if none."""
    for cell in cells:
        for tag in cell.get("metadata", {}).get("tags", []):
            m = _POINTS.match(tag)
            if m:
                return float(m.group(1))
    return 1.0


def _title(before):
    block = []
    for ln in reversed(before):
        s = ln.strip()
        if s.startswith("#") and not s.startswith("###"):
            block.insert(0, s.lstrip("#").strip())
        elif block:
            break
    return " ".join(block)


def student_prompt(targets, comment):
    """The exercise as the student copy states it (exercises.tasks): equation, quantity,
    shape. The solution's own comment (``comment``) often spells out the formula, so it is used
    only where no task describes the exercise. The feedback quotes this for every exercise,
    handed in or not, so it must not give away an answer."""
    keys = [t for t in targets if t in TASKS] or [TASK_OF_NAME[t] for t in targets
                                                if t in TASK_OF_NAME]
    return TASKS[keys[0]].prompt() if keys else comment


def names(source):
    """(defined, used): names a cell stores, mutates or defines, and names it reads."""
    tree = ast.parse(source)
    defined, used = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (defined if isinstance(node.ctx, ast.Store) else used).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:                     # params["b1"] = … mutates params
                while isinstance(t, (ast.Subscript, ast.Attribute)):
                    t = t.value
                if isinstance(t, ast.Name):
                    defined.add(t.id)
    return defined, used


def cell_targets(source):
    """Names an exercise cell creates at top level: its variables (not loop counters) and the
    functions it defines, e.g. ``dw3``, ``new_params``, ``central_difference``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    out, loops = [], set()
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.append(stmt.name)
            continue
        for node in ast.walk(stmt):
            if isinstance(node, (ast.For, ast.comprehension)):
                loops |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                for t in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    while isinstance(t, (ast.Subscript, ast.Attribute)):
                        t = t.value
                    out += [n.id for n in ast.walk(t) if isinstance(n, ast.Name)]
    return [n for i, n in enumerate(out) if n not in out[:i] and n not in loops]


def _is_import_cell(source):
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    return bool(body) and all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in body)


def load(path):
    """The :class:`Assignment` of one solution notebook (None if it has no exercise)."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not any(has_exercise(c.source) for c in code):
        return None
    a = Assignment(path.name)
    raw = []                                        # (kind, cell, check cell or None)
    skip = set()
    for k, cell in enumerate(code):
        if k in skip:
            continue
        if has_exercise(cell.source):
            if k + 1 >= len(code) or has_exercise(code[k + 1].source):
                raise NotebookError(f"{path.name}: the exercise cell {cell.get('id')} has no "
                                    f"check cell after it")
            raw.append(("exercise", cell, code[k + 1]))
            skip.add(k + 1)
        elif _is_import_cell(cell.source):
            a.imports.append(cell.source)
        else:
            raw.append(("setup", cell, None))
    for kind, cell, check in raw:
        if kind == "exercise" and not (cell.get("id") and check.get("id")):
            raise NotebookError(f"{path.name}: exercise and check cells need cell ids "
                                f"(nbformat 4.5); run the notebook through nbformat once")
    # backward slice: keep a setup cell only if it defines a name needed further down
    needed, keep = set(), []
    for kind, cell, check in reversed(raw):
        if kind == "exercise":
            for src in (cell.source, check.source):
                needed |= names(strip_markers(src))[1]
            keep.append((kind, cell, check))
            continue
        defined, used = names(cell.source)
        if defined & needed:
            needed |= used
            keep.append((kind, cell, check))
    for kind, cell, check in reversed(keep):
        if kind == "setup":
            a.steps.append(("setup", cell.source))
            continue
        _, before = solution_region(cell.source)
        targets = cell_targets(strip_markers(cell.source))
        a.steps.append(("exercise", Exercise(
            notebook=path.name, cell_id=cell["id"], check_id=check["id"],
            name=", ".join(targets) or cell["id"], targets=targets,
            title=student_prompt(targets, _title(before)),
            solution=strip_markers(cell.source), check=check.source,
            points=points_of(cell, check),
            anchor=next((ln.strip() for ln in before if ln.strip().startswith("#")
                         and not ln.strip().startswith("###")), ""))))
    return a


def discover(folder):
    """``{notebook file name: Assignment}`` for every solution notebook with exercises."""
    out = {}
    for p in sorted(Path(folder).glob("[0-9][0-9]_*.ipynb")):
        a = load(p)
        if a is not None:
            out[p.name] = a
    return out
