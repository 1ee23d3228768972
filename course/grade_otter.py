"""``make grade-otter``: the assignment through otter-grader's ``otter assign`` and ``otter run``.

For every notebook with exercises: write the otter master notebook (grading.interop_otter), run
``otter assign`` and check the student notebook it writes holds no solution. For 03 (the output
layer), grade three submissions with ``otter run``: the solutions (full marks), the solutions with
a transposed dw3 (loses that question's points) and the student notebook unanswered (0).
Needs otter-grader (the ``grading`` extra) in the Python running this.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from course.grading import interop_otter, notebooks

ROOT = Path(__file__).resolve().parent.parent


OUT = ROOT / "build" / "otter"
BIN = Path(sys.executable).parent


def run(*args, cwd):
    print("$", " ".join(str(a) for a in args), flush=True)
    r = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")


def score(folder, submission):
    out = folder / "run" / submission.stem
    out.mkdir(parents=True)
    zips = sorted((folder / "dist" / "autograder").glob("*.zip"))
    run(BIN / "otter", "run", "-a", zips[-1], "-o", out, submission, cwd=folder)
    tests = json.loads((out / "results.json").read_text())["tests"]
    return sum(t.get("score") or 0 for t in tests), sum(t.get("max_score") or 0 for t in tests)


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    solutions = notebooks.discover(ROOT / "notebooks")
    for master in interop_otter.export(OUT):
        folder = master.parent
        run(BIN / "otter", "assign", master, "dist", cwd=folder)
        student = nbformat.read(folder / "dist" / "student" / "master.ipynb", as_version=4)
        a = solutions[folder.name + ".ipynb"]
        nb = nbformat.read(ROOT / "notebooks" / (folder.name + ".ipynb"), as_version=4)
        for e in a.exercises:
            cell = next(c for c in nb.cells if c.get("id") == e.cell_id)
            mine = [c.source for c in student.cells if e.anchor in c.source]
            if len(mine) != 1:
                sys.exit(f"{folder.name}: no single exercise cell '{e.anchor}' in otter's output")
            for line in notebooks.solution_region(cell.source)[0].splitlines():
                if line.strip() and not line.strip().startswith("#") and line in mine[0]:
                    sys.exit(f"{folder.name}: otter's student notebook still has '{line}'")
        print(f"{folder.name}: otter assign wrote a student notebook without the solutions")
    folder = OUT / "03_output_layer"
    correct = folder / "dist" / "autograder" / "master.ipynb"
    wrong = folder / "transposed.ipynb"
    text = correct.read_text(encoding="utf-8")
    assert "dw3 = h2_relu.T @ dy" in text
    wrong.write_text(text.replace("dw3 = h2_relu.T @ dy", "dw3 = (h2_relu.T @ dy).T"),
                     encoding="utf-8")
    blank = folder / "blank.ipynb"
    shutil.copy(folder / "dist" / "student" / "master.ipynb", blank)
    got = {p.stem: score(folder, p) for p in (correct, wrong, blank)}
    full = sum(e.points for e in solutions["03_output_layer.ipynb"].exercises)
    want = {"master": full, "transposed": full - 1, "blank": 0}
    for k, (s, m) in got.items():
        print(f"otter run {k:<11} {s:g} / {m:g}, expected {want[k]:g}")
    if any(got[k][0] != want[k] for k in want):
        sys.exit("otter scores differ from the expected ones")
    print("otter: assign and run agree with the expected scores")


if __name__ == "__main__":
    main()
