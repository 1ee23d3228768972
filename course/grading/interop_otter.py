"""otter-grader export: one ``otter assign`` master notebook per solution notebook with exercises.

``python -m course.grading.interop_otter OUT`` writes OUT/<notebook>/master.ipynb in otter's
notebook format: an ``# ASSIGNMENT CONFIG`` raw cell; per exercise a question (raw cells ``# BEGIN
QUESTION`` with its name and points, ``# BEGIN TESTS`` … ``# END TESTS``, ``# END QUESTION``), the
exercise cell with otter's markers ``# BEGIN SOLUTION`` / ``# END SOLUTION`` (this project writes
nbgrader's ``### BEGIN SOLUTION``, which otter does not see: given a solution notebook as it is,
``otter assign`` would hand out the solutions), and the check cell as the question's test, whose
stored output (``dw3 matches eq. (81)``) is what otter expects. Then ``otter assign
master.ipynb dist`` writes the student notebook and the autograder zip, and ``otter run -a
dist/autograder/autograder.zip submission.ipynb`` grades a submission.
"""

import argparse
from pathlib import Path

import nbformat

from . import notebooks

CONFIG = """# ASSIGNMENT CONFIG
name: {name}
init_cell: false
check_all_cell: false
export_cell: false
run_tests: false
generate: true
solutions_pdf: false
"""


def _raw(text):
    return nbformat.v4.new_raw_cell(text)


def master(path, assignment):
    nb = nbformat.read(path, as_version=4)
    ex = {e.cell_id: e for e in assignment.exercises}
    checks = {e.check_id for e in assignment.exercises}
    cells = [_raw(CONFIG.format(name=Path(path).stem))]
    for cell in nb.cells:
        cid = cell.get("id")
        if cid in checks:
            continue
        if cid not in ex:
            if cell.cell_type == "markdown" and notebooks.BEGIN in cell.source:
                cell.source = cell.source.replace("### BEGIN", "BEGIN").replace("### END", "END")
            cell.pop("id", None)
            cells.append(cell)
            continue
        e = ex[cid]
        check = next(c for c in nb.cells if c.get("id") == e.check_id)
        code = nbformat.v4.new_code_cell("\n".join(
            ln.replace(notebooks.BEGIN, "# BEGIN SOLUTION").replace(notebooks.END,
                                                                     "# END SOLUTION")
            for ln in cell.source.splitlines()))
        test = nbformat.v4.new_code_cell(check.source)
        test.outputs = [o for o in check.outputs if o.get("output_type") == "stream"
                        and o.get("name") == "stdout"]
        test.execution_count = 1
        points = int(e.points) if float(e.points).is_integer() else e.points
        cells += [_raw(f"# BEGIN QUESTION\nname: q_{cid.replace('-', '_')}\npoints: {points}"),
                  _raw("# BEGIN SOLUTION"), code, _raw("# END SOLUTION"),
                  _raw("# BEGIN TESTS"), test, _raw("# END TESTS"), _raw("# END QUESTION")]
    for c in cells:
        c.pop("id", None)
    out = nbformat.v4.new_notebook(cells=cells, metadata={k: nb.metadata[k] for k in (
        "kernelspec", "language_info") if k in nb.metadata})
    out.nbformat_minor = 4                      # otter writes cells without ids
    return out


def export(out, solutions=None):
    out = Path(out)
    solutions = Path(solutions or Path(__file__).resolve().parents[2] / "notebooks")
    written = []
    for name, a in notebooks.discover(solutions).items():
        folder = out / Path(name).stem
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(master(solutions / name, a), folder / "master.ipynb")
        written.append(folder / "master.ipynb")
    return written


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    args = ap.parse_args(argv)
    for p in export(args.out):
        print(p)


if __name__ == "__main__":
    main()
