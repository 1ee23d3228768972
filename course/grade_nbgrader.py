"""``make grade-nbgrader``: the assignment through nbgrader's own generate_assignment and autograde.

Builds a course in build/nbgrader (grading.interop_nbgrader), releases it with ``nbgrader
generate_assignment``, hands in three synthetic students (all correct; two catalogued mistakes;
the released notebooks unanswered), autogrades them and checks the scores nbgrader exports.
Needs nbgrader (the ``grading`` extra) in the Python running this; its bin/ goes first on PATH.
"""

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from course import synthetic_class
from course.grading import interop_nbgrader, notebooks

ROOT = Path(__file__).resolve().parent.parent

COURSE = ROOT / "build" / "nbgrader"


def run(*args):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    print("$", " ".join(args), flush=True)
    r = subprocess.run(args, cwd=COURSE, env=env, capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return r


def main():
    if COURSE.exists():
        shutil.rmtree(COURSE)
    names = interop_nbgrader.export(COURSE)
    run("nbgrader", "generate_assignment", "backprop", "--force")
    release = COURSE / "release" / "backprop"
    assignments = notebooks.discover(ROOT / "notebooks")
    full = sum(e.points for a in assignments.values() for e in a.exercises)
    mistakes = synthetic_class.MISTAKES[:2]
    lost = sum(e.points for a in assignments.values() for e in a.exercises
               for m in mistakes if m[1] in e.targets)
    students = {"correct": ({}, full), "mistakes": ({m[1]: m[2] for m in mistakes}, full - lost),
                "blank": (None, 0)}
    for sid, (regions, _) in students.items():
        folder = COURSE / "submitted" / sid / "backprop"
        folder.mkdir(parents=True)
        for n in names:
            nb = nbformat.read(release / n, as_version=4)
            solution = "### BEGIN SOLUTION" in nbformat.writes(nb)
            assert not solution, f"release/{n} still contains a solution"
            if regions is not None:
                nb = synthetic_class._filled(nb, assignments[n], regions)
            nbformat.write(nb, folder / n)
    run("nbgrader", "autograde", "backprop", "--force")
    run("nbgrader", "export", "--to", str(COURSE / "grades.csv"))
    with open(COURSE / "grades.csv", newline="", encoding="utf-8") as f:
        got = {r["student_id"]: float(r["raw_score"]) for r in csv.DictReader(f)}
    bad = {s: (got.get(s), want) for s, (_, want) in students.items() if got.get(s) != want}
    for s, (_, want) in students.items():
        print(f"{s:<10} nbgrader {got.get(s)} / {full:g}, expected {want:g}")
    if bad:
        sys.exit(f"nbgrader scores differ: {bad}")
    print("nbgrader: generate_assignment and autograde agree with the expected scores")


if __name__ == "__main__":
    main()
