"""Grade one submission through its own sandbox, and a class in parallel.

Each submission gets one sandboxed process (:mod:`.sandbox`), started again whenever the
student's code kills it or runs out of time; the checks run here (:mod:`.harness`). Whatever a
submission does, it gives one row per exercise with a reason, and the other submissions are
untouched: they run in other sandboxes, and nothing of theirs is shared.
"""

import multiprocessing as mp
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import harness, submissions
from .sandbox import Box, Limits

ROOT = Path(__file__).resolve().parents[2]
UNSANDBOXED = "graded without a sandbox"
__all__ = ["Limits", "grade_submission", "grade_class"]


def _row(student, a, e, passed, reason, notes=""):
    return {"student": student, "notebook": a, "exercise": e.name, "cell_id": e.cell_id,
            "points": e.points if passed else 0.0, "max_points": e.points,
            "passed": bool(passed), "mistake": "" if passed else reason, "notes": notes,
            "title": e.title, "message": ""}


def grade_submission(sub, assignments, limits=None):
    """Rows (dicts) for one student: one per exercise of every notebook of the assignment."""
    limits = limits or Limits()
    t0, cpu0 = time.monotonic(), time.process_time()
    try:
        found, problems = submissions.match(sub, assignments)
    except Exception as e:                                     # never crash the class
        found, problems = {}, {None: f"could not read the submission: {e!r}"}
    stray = problems.get(None, "")
    general = [] if limits.isolate else [UNSANDBOXED]
    box = Box(limits)
    grader = harness.Grader(box, limits, clock=lambda: time.monotonic() - t0)
    rows = []
    try:
        for name, a in assignments.items():
            if name not in found:
                reason = problems.get(name, f"{name} was not handed in")
                notes = "; ".join(filter(None, [stray, *general]))
                rows += [_row(sub.student, name, e, False, reason, notes) for e in a.exercises]
                continue
            sources = submissions.exercise_sources(found[name][0], a)
            prep = harness.prepared(a)
            for e in a.exercises:
                src, note = sources[e.cell_id]
                if src is None:
                    r = {"passed": False, "reason": note, "message": "", "notes": []}
                    note = ""
                else:
                    try:
                        r = grader.exercise(e, prep, src)
                    except Exception as err:                   # a grader bug: say so, go on
                        r = {"passed": False, "message": "", "notes": [],
                             "reason": f"grader error: {type(err).__name__}: {err}"}
                notes = [note, *r["notes"], *prep.problems, *general]
                row = _row(sub.student, name, e, r["passed"], r["reason"],
                           "; ".join(filter(None, notes)))
                row["message"] = r.get("message", "")
                rows.append(row)
    finally:
        box.close()
    for r in rows:           # wall clock; CPU of the grader and of the sandbox (as it reported)
        r["seconds"] = round(time.monotonic() - t0, 2)
        r["cpu"] = round(time.process_time() - cpu0 + box.cpu, 3)
    return rows


def _worker(args):
    sub, assignments, limits = args
    try:
        return grade_submission(sub, assignments, limits)
    except BaseException as e:                                  # pragma: no cover
        return [{"student": sub.student, "notebook": "", "exercise": "", "cell_id": "",
                 "points": 0.0, "max_points": 0.0, "passed": False,
                 "mistake": f"grader error: {e!r}", "notes": "", "title": ""}]


def grade_class(subs, assignments, limits=None, jobs=None, progress=None):
    """Rows of every submission, graded ``jobs`` at a time (default: the machine's cores)."""
    jobs = min(jobs or os.cpu_count() or 1, max(len(subs), 1))
    limits = limits or Limits()
    rows = []
    args = [(s, assignments, limits) for s in subs]
    if jobs == 1:
        it = map(_worker, args)
    else:
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn"))
        it = pool.map(_worker, args)
    for sub, r in zip(subs, it, strict=True):
        rows += r
        if progress:
            progress(sub, r)
    if jobs != 1:
        pool.shutdown()
    return rows


if __name__ == "__main__":                                      # pragma: no cover
    sys.exit("use: python -m course.grading")
