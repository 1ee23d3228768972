"""Grade a class: ``python -m course.grading SUBMISSIONS [--out DIR]`` (``make grade``).

SUBMISSIONS holds one sub-folder per student (``alice/02_forward_pass.ipynb``, …) or flat files
``<student>__<notebook>.ipynb``. Writes DIR/grades.csv (student, notebook, exercise, cell_id,
points, max_points, mistake, notes: one row per student and exercise) and DIR/feedback/<student>.md.
The exercises, their checks and their points come from the solution notebooks (--solutions).
Exit status 0 even when students fail: a grade is not an error; 2 on a usage error, and 3 when
no sandbox can be started here (see --no-sandbox).

Each student's code runs in a bubblewrap sandbox (course/grading/sandbox.py); the checks run in
this process, on the values the sandbox sends back. Where bubblewrap is missing or cannot start,
grading stops with the reason, unless --no-sandbox is given: then every row says "graded without
a sandbox".
"""

import argparse
import sys
import time
from pathlib import Path

from . import notebooks, report, runner, sandbox, submissions


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m course.grading",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("submissions", help="folder of submissions (see above)")
    ap.add_argument("--out", default="grades", help="output folder (default: grades)")
    ap.add_argument("--solutions", default=str(runner.ROOT / "notebooks"),
                    help="the solution notebooks (default: notebooks/)")
    ap.add_argument("--jobs", type=int, default=0,
                    help="submissions graded in parallel (default: all cores)")
    ap.add_argument("--time-limit", type=float, default=10.0,
                    help="seconds per run of an exercise cell (default 10)")
    ap.add_argument("--cpu-limit", type=float, default=2.0,
                    help="seconds of CPU per run of an exercise cell (default 2)")
    ap.add_argument("--output-limit", type=int, default=100_000,
                    help="characters a run may print before a note says so (default 100000)")
    ap.add_argument("--memory", type=int, default=1024,
                    help="MiB of memory per process of a student's code (default 1024)")
    ap.add_argument("--submission-limit", type=float, default=120.0,
                    help="seconds of running time per submission, all runs (default 120)")
    ap.add_argument("--no-sandbox", action="store_true",
                    help="run students' code without bubblewrap (only where none is available: "
                         "a student's code can then read and write what you can)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    try:
        assignments = notebooks.discover(args.solutions)
        subs = submissions.collect(args.submissions)
    except (OSError, notebooks.NotebookError) as e:
        print(f"grade: {e}", file=sys.stderr)
        return 2
    if not assignments:
        print(f"grade: no exercise found in {args.solutions}", file=sys.stderr)
        return 2
    limits = runner.Limits(time_limit=args.time_limit, cpu_limit=args.cpu_limit,
                           output_limit=args.output_limit,
                           memory=args.memory << 20, submission_limit=args.submission_limit,
                           isolate=not args.no_sandbox)
    why = sandbox.probe(limits)
    if why:
        print(f"grade: no sandbox for students' code: {why}.\n"
              f"  Install bubblewrap (Debian, Ubuntu: sudo apt-get install bubblewrap), or, on a "
              f"machine without it, grade with --no-sandbox (make grade GRADE_FLAGS=--no-sandbox):"
              f" students' code then runs unconfined and every row says so.", file=sys.stderr)
        return 3
    t0 = time.perf_counter()

    def progress(sub, rows):
        if not args.quiet:
            got = sum(r["points"] for r in rows)
            total = sum(r["max_points"] for r in rows)
            print(f"{sub.student:<24} {got:g} / {total:g}", flush=True)

    rows = runner.grade_class(subs, assignments, limits, jobs=args.jobs or None,
                              progress=progress)
    wall = time.perf_counter() - t0
    out = Path(args.out)
    report.write_csv(rows, out / "grades.csv")
    report.write_feedback(rows, out / "feedback")
    n = len(subs)
    cpu = sum({r["student"]: r.get("cpu", 0.0) for r in rows}.values())
    print(f"graded {n} submissions in {wall:.1f} s ({wall / max(n, 1):.2f} s per submission; "
          f"{cpu / max(n, 1):.2f} s of CPU per submission, grader and sandbox): "
          f"{out / 'grades.csv'}, {out / 'feedback'}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
