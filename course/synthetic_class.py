"""A synthetic class for the grader: ``python -m course.synthetic_class DIR [--size 60]``.

Writes DIR/submissions/<student>/NN_*.ipynb, made from the student edition (student/) with the
answers of the solution notebooks (notebooks/) put into the exercise cells (matched by cell id),
and DIR/expected.csv, the grade each exercise must get. A third of the students are correct, a
third make catalogued mistakes, a third hand in broken work (invalid JSON, a deleted or reordered
cell, a renamed variable, an endless loop, sys.exit, os._exit, a notebook of another assignment,
a huge output, a cell whose id was lost). In a class of 30 or more each student has one mistake
or one breakage; in a smaller one they are shared out, so that 6 students cover every kind.

``--compare GRADES.csv`` checks a grader's CSV against DIR/expected.csv (exit 1 on a difference):
points must be equal, and the mistake (or note) must contain the expected words.
"""

import argparse
import csv
import json
import shutil
import sys
from pathlib import Path

import nbformat

from course.grading import notebooks
from exercises.catalogue import MISTAKES

ROOT = Path(__file__).resolve().parent.parent


# (label, target variable, the wrong region, words the grade's mistake must contain)
MISTAKES = [
    ("a transposed product", "dw3", "dw3 = (h2_relu.T @ dy).T", "transposed"),
    ("an unsummed bias gradient", "db3", "db3 = dy", "not summed"),
    ("a dropped factor 2", "dy", "dy = y_pred - y", "factor 2"),
    ("a flipped gradient-descent sign", "new_params",
     "for name in params:\n    new_params[name] = params[name] + lr * grads[name]",
     "added instead of subtracted"),
    ("mask A missing", "dh2", "dh2 = dy @ w3.T", "mask A"),
    ("a mean instead of the sum (6)", "L", "L = np.mean((y_pred - y) ** 2)", "mean"),
    ("mask A left out of the index form (28)", "J2",
     'J2 = np.einsum("ik,lj->ijkl", h1_relu, w3)\n'
     'dw2_index = np.einsum("ij,ijkl->kl", 2 * (y_pred - y), J2)', "mask A"),
    ("bias gradients averaged at any depth", "backward_any",
     MISTAKES["ad-bias-mean"].examples[0], "a mean over the samples"),
]
# (label, notebook prefix, target or None, words the mistake/notes must contain, full marks?)
BREAKAGES = [
    ("invalid JSON", "03", None, "not valid notebook JSON", False),
    ("sys.exit in a cell", "02", "h1", "sys.exit", False),
    ("cells reordered", "02", None, "reordered", True),
    ("exercise cell deleted", "04", "dw2", "deleted", False),
    ("process killed by os._exit", "04", "dh2", "died", False),
    ("endless loop", "05", "dw1", "time limit", False),
    ("cell id lost (copied and pasted)", "05", "dh1", "found by its comment", True),
    ("variable renamed", "05", "db1", "not defined", False),
    ("huge output", "07", "central_difference", "discarded", True),
    ("a notebook of another assignment", "08", None, "not from this assignment", False),
]


def _filled(student_nb, assignment, region_for=None):
    """The student notebook with every exercise answered (``region_for``: target → code)."""
    region_for = region_for or {}
    by_id = {c.get("id"): c for c in student_nb.cells}
    for e in assignment.exercises:
        sol = e.solution.splitlines()
        code = next((region_for[t] for t in e.targets if t in region_for), None)
        if code is not None:                           # replace the solution region
            src = nbformat.read(ROOT / "notebooks" / e.notebook, as_version=4)
            cell = next(c for c in src.cells if c.get("id") == e.cell_id).source.splitlines()
            i = next(k for k, ln in enumerate(cell) if ln.strip() == notebooks.BEGIN)
            j = next(k for k, ln in enumerate(cell) if ln.strip() == notebooks.END)
            indent = cell[i][:len(cell[i]) - len(cell[i].lstrip())]
            sol = cell[:i] + [indent + ln for ln in code.splitlines()] + cell[j + 1:]
        by_id[e.cell_id].source = "\n".join(sol)
    return student_nb


def _cell(nb, cell_id):
    return next(c for c in nb.cells if c.get("id") == cell_id)


def _break(kind, nbs, assignments, other):
    """Apply breakage ``kind`` to ``nbs`` ({name: nb or text}); returns expected changes."""
    label, prefix, target, _words, _full = kind
    name = next(n for n in nbs if n.startswith(prefix))
    a = assignments[name]
    ex = next((e for e in a.exercises if target in e.targets), None) if target else None
    nb = nbs[name]
    if label == "invalid JSON":
        nbs[name] = nbformat.writes(nb)[:-200]
    elif label == "sys.exit in a cell":
        _cell(nb, ex.cell_id).source = "import sys\nsys.exit(1)\n" + _cell(nb, ex.cell_id).source
    elif label == "cells reordered":
        nb.cells = nb.cells[::-1]
    elif label == "exercise cell deleted":
        nb.cells = [c for c in nb.cells if c.get("id") != ex.cell_id]
    elif label == "process killed by os._exit":
        _cell(nb, ex.cell_id).source = "import os\nos._exit(3)"
    elif label == "endless loop":
        _cell(nb, ex.cell_id).source = "while True:\n    pass"
    elif label == "cell id lost (copied and pasted)":
        _cell(nb, ex.cell_id)["id"] = "pasted-cell"
    elif label == "variable renamed":
        c = _cell(nb, ex.cell_id)
        c.source = c.source.replace(f"{target} =", f"{target}_mine =")
    elif label == "huge output":
        c = _cell(nb, ex.cell_id)
        c.source = "print('x' * 5_000_000)\n" + c.source
    elif label == "a notebook of another assignment":
        nbs[name] = other
    return name, ex


def build(out, size):
    out = Path(out)
    assignments = notebooks.discover(ROOT / "notebooks")
    student = {n: nbformat.read(ROOT / "student" / n, as_version=4) for n in assignments}
    other = nbformat.read(ROOT / "notebooks" / "06_why_matrix_form.ipynb", as_version=4)
    if out.exists():
        shutil.rmtree(out)
    subs = out / "submissions"
    third = max(size // 3, 1)
    plans = []                                  # (student, category, mistakes, breakages)
    per = 1 if size >= 30 else None
    for k in range(size):
        cat = ("correct", "mistake", "broken")[min(k // third, 2)]
        i = k - min(k // third, 2) * third
        n_cat = third if cat != "broken" else size - 2 * third
        if cat == "mistake":
            pool = MISTAKES
        elif cat == "broken":
            pool = BREAKAGES
        else:
            pool = []
        chosen = ([pool[i % len(pool)]] if per else pool[i::n_cat]) if pool else []
        plans.append((f"student{k + 1:02d}", cat, chosen))
    rows = []
    for sid, cat, chosen in plans:
        mistakes = chosen if cat == "mistake" else []
        regions = {m[1]: m[2] for m in mistakes}
        nbs = {n: _filled(nbformat.from_dict(json.loads(json.dumps(student[n]))), a, regions)
               for n, a in assignments.items()}
        expect = {}                              # cell id -> (full?, words)
        for m in mistakes:
            e = next(e for a in assignments.values() for e in a.exercises if m[1] in e.targets)
            expect[e.cell_id] = (False, m[3])
        for b in (chosen if cat == "broken" else []):
            name, ex = _break(b, nbs, assignments, other)
            for e in ([ex] if ex else assignments[name].exercises):
                if expect.get(e.cell_id, (True,))[0]:     # a lost mark outweighs a note
                    expect[e.cell_id] = (b[4], b[3])
        folder = subs / sid
        folder.mkdir(parents=True)
        for n, nb in nbs.items():
            text = nb if isinstance(nb, str) else nbformat.writes(nb)
            (folder / n).write_text(text, encoding="utf-8")
        for a in assignments.values():
            for e in a.exercises:
                full, words = expect.get(e.cell_id, (True, ""))
                rows.append({"student": sid, "category": cat, "notebook": a.notebook,
                             "cell_id": e.cell_id, "exercise": e.name,
                             "points": f"{e.points if full else 0:g}", "words": words,
                             "kinds": "; ".join(c[0] for c in chosen)})
    with open(out / "expected.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {size} submissions to {subs} and {out / 'expected.csv'}")
    return rows


def compare(expected_csv, grades_csv):
    """Differences between the expected grades and a grader's CSV (an empty list: all agree)."""
    with open(expected_csv, newline="", encoding="utf-8") as f:
        expected = list(csv.DictReader(f))
    with open(grades_csv, newline="", encoding="utf-8") as f:
        got = {(r["student"], r["cell_id"]): r for r in csv.DictReader(f)}
    diffs = []
    for e in expected:
        g = got.get((e["student"], e["cell_id"]))
        if g is None:
            diffs.append(f"{e['student']} {e['exercise']}: no row in {grades_csv}")
            continue
        if float(g["points"]) != float(e["points"]):
            diffs.append(f"{e['student']} {e['exercise']} ({e['kinds']}): {g['points']} points, "
                         f"expected {e['points']} ({g['mistake']} | {g['notes']})")
        text = (g["mistake"] + " " + g["notes"]).lower()
        if e["words"] and e["words"].lower() not in text:
            diffs.append(f"{e['student']} {e['exercise']}: expected '{e['words']}' in "
                         f"'{g['mistake']} | {g['notes']}'")
    return diffs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=60)
    ap.add_argument("--compare", metavar="GRADES_CSV")
    args = ap.parse_args(argv)
    if args.compare:
        diffs = compare(Path(args.out) / "expected.csv", args.compare)
        for d in diffs:
            print(d)
        print(f"{len(diffs)} difference(s) from {Path(args.out) / 'expected.csv'}")
        return 1 if diffs else 0
    build(args.out, args.size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
