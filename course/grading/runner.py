"""Grade one submission in its own kernel, and a class in parallel.

Each student's work runs in a fresh Jupyter kernel (nbclient) whose working folder and HOME are
a new temporary folder, deleted afterwards; the kernel reads the student's code from a job file
there, never from the submitted files. Per exercise: a time limit (signal in the kernel, and a
cell timeout around it as a backstop), a bound on the output kept; a kernel that dies (``os._exit``,
memory) is restarted after the exercise that killed it. Whatever happens, a submission gives one
row per exercise with a reason, and the other submissions are untouched.
"""

import json
import multiprocessing as mp
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import harness, submissions

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Limits:
    time_limit: float = 10.0          # seconds per run of an exercise cell (and of its check)
    output_limit: int = 100_000       # characters of output kept per run; the rest is discarded
    kernel_name: str = "python3"


def _row(student, a, e, passed, reason, notes=""):
    return {"student": student, "notebook": a, "exercise": e.name, "cell_id": e.cell_id,
            "points": e.points if passed else 0.0, "max_points": e.points,
            "passed": bool(passed), "mistake": "" if passed else reason, "notes": notes,
            "title": e.title}


def _job(found, assignments, limits):
    """The job the kernel reads, and what was decided without running anything."""
    notebooks, plan = [], []
    for name, (nb, _path) in found.items():
        a = assignments[name]
        sources = submissions.exercise_sources(nb, a)
        steps = []
        for kind, s in a.steps:
            if kind == "setup":
                steps.append({"kind": "setup", "source": s})
                continue
            src, note = sources[s.cell_id]
            steps.append({"kind": "exercise", "id": s.cell_id, "targets": s.targets,
                          "student": src, "missing": note if src is None else "",
                          "note": note if src is not None else "", "check": s.check,
                          "solution": s.solution})
        notebooks.append({"name": name, "imports": a.imports, "steps": steps})
        plan.append([j for j in range(len(steps))])
    job = {"notebooks": notebooks, "time_limit": limits.time_limit,
           "output_limit": limits.output_limit}
    return job, plan


def _cells(job, nonce, start, replay=0):
    """Code cells: load the harness, then from notebook ``start[0]`` step ``start[1]`` on."""
    i0, j0 = start
    cells = [nbformat.v4.new_code_cell(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom course.grading import harness as _H\n"
        f"_H.start('job.json', {nonce!r})")]
    keys = [None]
    for i, nb in enumerate(job["notebooks"]):
        if i < i0:
            continue
        cells.append(nbformat.v4.new_code_cell(f"_H.begin({i})"))
        keys.append(None)
        for j in range(len(nb["steps"])):
            if i == i0 and (j < j0 or (j == j0 and replay)):
                cells.append(nbformat.v4.new_code_cell(f"_H.replay({i}, {j})"))
                keys.append(None)
            else:
                cells.append(nbformat.v4.new_code_cell(f"_H.step({i}, {j})"))
                keys.append((i, j))
    return cells, keys


def _results(cell, nonce):
    out = []
    for o in cell.get("outputs", []):
        data = o.get("data", {}) if o.get("output_type") == "display_data" else {}
        r = data.get(harness.MIME)
        if isinstance(r, str):
            r = json.loads(r)
        if isinstance(r, dict) and r.get("nonce") == nonce:
            out.append(r)
    return out


def _execute(job, limits, workdir):
    """Run the job; ``({(i, j): result}, [problems])``."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    nonce = secrets.token_hex(8)
    (workdir / "job.json").write_text(json.dumps(job), encoding="utf-8")
    env = {**os.environ, "HOME": str(workdir), "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"}
    hidden = len(__import__("course.grading.hidden_cases", fromlist=["CASES"]).CASES)
    cell_timeout = int(limits.time_limit * 2 * (2 + hidden)) + 30
    results, problems, start, replay = {}, [], (0, 0), 0
    starts = 3          # a kernel that dies at start-up (a loaded machine) is started again
    while True:
        cells, keys = _cells(job, nonce, start, replay)
        nb = nbformat.v4.new_notebook(cells=cells)
        client = NotebookClient(nb, timeout=cell_timeout, kernel_name=limits.kernel_name,
                                allow_errors=True, interrupt_on_timeout=True,
                                shutdown_kernel="immediate",
                                record_timing=False, resources={"metadata": {"path": str(workdir)}})
        current = None
        try:
            with client.setup_kernel(env=env, cwd=str(workdir), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL):
                for k, cell in enumerate(nb.cells):
                    current = keys[k]
                    client.execute_cell(cell, k)
                    for r in _results(cell, nonce):
                        if r.get("kind") == "setup":
                            problems.append(f"grader: a solution setup cell failed: {r['error']}")
                        elif keys[k] is not None:
                            results[keys[k]] = r
            return results, problems
        except (DeadKernelError, CellTimeoutError, RuntimeError) as e:
            if current is None:
                starts -= 1
                if starts > 0:
                    continue
                problems.append(f"the kernel could not run the grader ({type(e).__name__}: {e})"
                                f", three times: grade this submission again")
                return results, problems
            why = ("the kernel died while running this exercise (os._exit, a crash or out of "
                   "memory); the exercises after it were graded in a new kernel"
                   if isinstance(e, DeadKernelError) else
                   f"time limit: the cell did not stop within {cell_timeout} s")
            results[current] = {"passed": False, "reason": why, "notes": []}
            start, replay = current, 1


def grade_submission(sub, assignments, limits=None):
    """Rows (dicts) for one student: one per exercise of every notebook of the assignment."""
    limits = limits or Limits()
    t0 = time.perf_counter()
    try:
        found, problems = submissions.match(sub, assignments)
    except Exception as e:                                     # never crash the class
        found, problems = {}, {None: f"could not read the submission: {e!r}"}
    job, _ = _job(found, assignments, limits)
    results, run_problems = {}, []
    if job["notebooks"]:
        workdir = Path(tempfile.mkdtemp(prefix="grade-"))
        try:
            results, run_problems = _execute(job, limits, workdir)
        except Exception as e:
            run_problems.append(f"grader error: {type(e).__name__}: {e}")
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    rows = []
    index = {nb["name"]: i for i, nb in enumerate(job["notebooks"])}
    general = "; ".join(run_problems)
    stray = problems.get(None, "")
    for name, a in assignments.items():
        steps = job["notebooks"][index[name]]["steps"] if name in index else []
        for j, e in enumerate(x for k, x in a.steps if k == "exercise"):
            if name not in index:
                rows.append(_row(sub.student, name, e, False,
                                 problems.get(name, f"{name} was not handed in"),
                                 "; ".join(filter(None, [stray, general]))))
                continue
            jj = [k for k, s in enumerate(steps) if s["kind"] == "exercise"][j]
            r = results.get((index[name], jj), {"passed": False, "notes": [],
                                                "reason": "not graded (the grader stopped "
                                                          "before this exercise)"})
            notes = [steps[jj].get("note", "")] + r.get("notes", []) + [general]
            row = _row(sub.student, name, e, r.get("passed"), r.get("reason", ""),
                       "; ".join(filter(None, notes)))
            row["message"] = r.get("message", "")
            rows.append(row)
    for r in rows:
        r["seconds"] = round(time.perf_counter() - t0, 2)
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
    jobs = jobs or os.cpu_count() or 1
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
