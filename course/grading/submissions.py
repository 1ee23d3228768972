"""The submitted folder: who handed in what, and which cell answers which exercise.

Layout (either, or both mixed)::

    SUBMISSIONS/alice/02_forward_pass.ipynb       one sub-folder per student (any depth inside)
    SUBMISSIONS/bob__03_output_layer.ipynb        or flat files: <student>__<anything>.ipynb

A file is matched to a solution notebook by the cell ids of its exercise and check cells, not by
its name (a renamed file still grades; a notebook of another assignment is reported as such).
In a matched file, each exercise is the cell with the exercise's id; if that id is gone (a cell
re-created by copy and paste), the code cell that carries the exercise's comment line.
"""

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

SEP = "__"
MAX_BYTES = 20 << 20          # a notebook file larger than this is not read


@dataclass
class Submission:
    student: str
    files: list = field(default_factory=list)


def collect(folder):
    """``[Submission]`` sorted by student, from the layout above."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no such folder of submissions: {folder}")
    subs = {}
    for p in sorted(folder.iterdir()):
        if p.name.startswith("."):
            continue
        if p.is_symlink() and p.is_dir():               # never followed: read() says why
            subs.setdefault(p.name, Submission(p.name)).files.append(p)
        elif p.is_dir():
            files = sorted(q for q in _notebook_files(p) if ".ipynb_checkpoints" not in q.parts)
            subs.setdefault(p.name, Submission(p.name)).files += files
        elif p.suffix == ".ipynb" and SEP in p.name:      # a link or a FIFO too: read() says so
            student = p.name.split(SEP, 1)[0]
            subs.setdefault(student, Submission(student)).files.append(p)
    return [subs[k] for k in sorted(subs)]


def _notebook_files(folder):
    """The *.ipynb under ``folder``, and the links to folders there (not followed: read() says
    so)."""
    for top, dirs, files in os.walk(folder):             # os.walk follows no link by default
        for name in [*files, *dirs]:
            q = Path(top) / name
            if name.endswith(".ipynb") or (name in dirs and q.is_symlink()):
                yield q


def _read_bytes(path):
    """The bytes of a regular file, opened without following a link and at most MAX_BYTES;
    raises ValueError naming why not (a link, a FIFO, a device, a folder, too large)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as e:
        if os.path.islink(path):
            raise ValueError("not a regular file (a symbolic link)") from None
        raise ValueError(f"cannot be opened ({e.strerror})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("not a regular file")
        data = b""
        while len(data) <= MAX_BYTES:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            data += chunk
        if len(data) > MAX_BYTES:
            raise ValueError(f"too large (over {MAX_BYTES >> 20} MB)")
        return data
    finally:
        os.close(fd)


def read(path):
    """(notebook, None) or (None, reason) for a file that is not a readable notebook."""
    try:
        data = _read_bytes(path)
    except ValueError as e:
        return None, f"{Path(path).name} is {e}"
    try:
        text = data.decode("utf-8")
        json.loads(text)
        nb = nbformat.reads(text, as_version=4)
    except json.JSONDecodeError as e:
        return None, f"{Path(path).name} is not valid notebook JSON (line {e.lineno}: {e.msg})"
    except UnicodeDecodeError:
        return None, f"{Path(path).name} is not a text file"
    except Exception as e:                                   # nbformat's own errors, and more
        return None, f"{Path(path).name} is not a readable notebook ({type(e).__name__}: {e})"
    if not isinstance(nb.get("cells"), list):
        return None, f"{Path(path).name} has no cells"
    return nb, None


def _ids(nb):
    return {c.get("id") for c in nb.cells if isinstance(c, dict) and c.get("id")}


def match(submission, assignments):
    """Match a student's files to the assignment's notebooks.

    Returns ``(found, problems)``: ``found`` maps a notebook name to ``(nb, path)``, ``problems``
    maps a notebook name to the reason it could not be graded, with key None for files that
    match no notebook.
    """
    found, problems, stray = {}, {}, []
    for path in submission.files:
        nb, reason = read(path)
        if nb is None:
            name = path.name.split(SEP, 1)[-1]
            problems[name if name in assignments else None] = reason
            if name not in assignments:
                stray.append(reason)
            continue
        ids = _ids(nb)
        scores = {name: len(ids & {i for e in a.exercises for i in (e.cell_id, e.check_id)})
                  for name, a in assignments.items()}
        best = max(scores, key=lambda k: (scores[k], path.name.endswith(k)), default=None)
        if best is None or scores[best] == 0:
            stray.append(f"{path.name} is not from this assignment (none of its cell ids is an "
                         f"exercise of {', '.join(assignments)})")
            continue
        if best in found:
            stray.append(f"{path.name}: a second copy of {best}; graded "
                         f"{found[best][1].name}")
            continue
        found[best] = (nb, path)
        problems.pop(best, None)
    if stray:
        problems[None] = "; ".join(stray)
    return found, problems


def _anchored(nb, anchor):
    if not anchor:
        return None
    hits = [c for c in nb.cells if c.get("cell_type") == "code"
            and any(ln.strip() == anchor for ln in str(c.get("source", "")).splitlines())]
    return hits[0] if len(hits) == 1 else None


def exercise_sources(nb, assignment):
    """``{cell id: (source or None, note)}`` for each exercise of ``assignment`` in ``nb``."""
    by_id = {c.get("id"): c for c in nb.cells if c.get("id")}
    order = [c.get("id") for c in nb.cells]
    out, seen = {}, []
    for e in assignment.exercises:
        cell = by_id.get(e.cell_id)
        note = ""
        if cell is None or cell.get("cell_type") != "code":
            cell = _anchored(nb, e.anchor)
            note = "its cell id was lost; found by its comment line" if cell else ""
        if cell is None:
            out[e.cell_id] = (None, f"exercise cell deleted (no cell with id {e.cell_id} or "
                                    f"the comment '{e.anchor}')")
            continue
        if cell.get("id") in order:
            seen.append(order.index(cell.get("id")))
        out[e.cell_id] = (str(cell.get("source", "")), note)
    if seen != sorted(seen):
        for k, (src, note) in out.items():
            if src is not None:
                out[k] = (src, "; ".join(filter(None, [note, "cells reordered: graded in the "
                                                        "notebook's order"])))
    return out
