"""The mistake catalogue of TEACHING.md, generated so it cannot drift from the checks: one row per
mistake, in the order of the notebooks and of their exercises.

Each mistake (the synthetic class's, course/synthetic_class.py, plus a few more) is written into
its exercise cell, run on a hidden case, and the exercise's own check cell is run after it; the
hint printed in the catalogue is the one the check's AssertionError gives ("Likely mistake: …").

    python -m course.teaching_catalogue           rewrite the catalogue section of TEACHING.md
    python -m course.teaching_catalogue --check   exit 1 if it is not up to date
"""

import html
import sys
from pathlib import Path

import nbformat

from course import synthetic_class
from course.grading import hidden_cases, notebooks

ROOT = Path(__file__).resolve().parent.parent


BEGIN, END = "<!-- BEGIN MISTAKE CATALOGUE (course/teaching_catalogue.py) -->", \
    "<!-- END MISTAKE CATALOGUE -->"
EXTRA = [
    ("a bias left out", "h1", "h1 = x @ w1"),
    ("the ReLU left out", "h1_relu", "h1_relu = h1"),
    ("h2 where h2_relu belongs", "dw3", "dw3 = h2.T @ dy"),
    ("mask B missing", "dh1", "dh1 = dh2 @ w2.T"),
    ("the mean where the bias gradient sums", "db2", "db2 = dh2.mean(axis=0, keepdims=True)"),
    ("the learning rate forgotten", "new_params",
     "for name in params:\n    new_params[name] = params[name] - grads[name]"),
    # 11, beyond the paper (graded by finite differences)
    ("∂L/∂h1 for ∂L/∂x", "dx", "dx = dh1"),
    ("the gradient of the sum (6), not of the mean", "dw1_mean", "dw1_mean = x.T @ dh1"),
    ("the penalty's factor 2 dropped", "dw1_reg", "dw1_reg = x.T @ dh1 + lam * w1"),
    ("the ReLU's mask B kept in the leaky layer", "dw1_leaky",
     "dw1_leaky = x.T @ (B * (dh2_leaky @ w2.T))"),
]


def _cell_with(e, code):
    nb = nbformat.read(ROOT / "notebooks" / e.notebook, as_version=4)
    lines = next(c for c in nb.cells if c.get("id") == e.cell_id).source.splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.strip() == notebooks.BEGIN)
    j = next(k for k, ln in enumerate(lines) if ln.strip() == notebooks.END)
    indent = lines[i][:len(lines[i]) - len(lines[i].lstrip())]     # a region in a function
    return "\n".join(lines[:i] + [indent + ln for ln in code.splitlines()] + lines[j + 1:])


def hint(assignment, e, code):
    """The check's verdict on ``code`` written into exercise ``e`` (a hidden case's inputs)."""
    ns = {}
    for src in assignment.imports:
        exec(src, ns)                                                # noqa: S102
    ns.update(hidden_cases.problem(hidden_cases.CASES[0]))
    for t in e.targets:
        ns.pop(t, None)
    exec(_cell_with(e, code), ns)                                    # noqa: S102
    try:
        exec(e.check, ns)                                            # noqa: S102
    except AssertionError as err:
        msg = str(err)
        return next((ln.split("Likely mistake:", 1)[1].strip() for ln in msg.splitlines()
                     if "Likely mistake:" in ln), msg.splitlines()[0])
    return "NOT CAUGHT"


def _code(code):
    """``code`` for a Markdown table cell: one line in backticks; several lines as ``<code>``
    with ``<br>`` between them and the indentation kept (``&nbsp;``), so a loop reads as a loop."""
    if "\n" not in code:
        return "`" + code.replace("|", "\\|") + "`"
    lines = []
    for ln in code.splitlines():
        body = ln.lstrip(" ")
        text = html.escape(body, quote=False).replace("|", "\\|")
        lines.append("&nbsp;" * (len(ln) - len(body)) + text)
    return "<code>" + "<br>".join(lines) + "</code>"


def _as_written(e, code):
    """The mistake as the table shows it: a loop of several lines (05's backward_any) by the
    lines that differ from the solution only."""
    if len(code.splitlines()) <= 2:
        return code
    solution = {ln.split("#")[0].strip() for ln in e.solution.splitlines()}
    return "…\n" + "\n".join(ln.strip() for ln in code.splitlines()
                              if ln.split("#")[0].strip() not in solution) + "\n…"


def table():
    """One row per catalogued mistake, in the order of the notebooks and of their exercises."""
    assignments = notebooks.discover(ROOT / "notebooks")
    rows = ["| notebook | exercise | mistake (as written) | what the check says |",
            "| --- | --- | --- | --- |"]
    mistakes = [(m[0], m[1], m[2]) for m in synthetic_class.MISTAKES] + EXTRA
    found = []
    for label, target, code in mistakes:
        a, k, e = next((a, k, e) for a in assignments.values()
                       for k, e in enumerate(a.exercises) if target in e.targets)
        found.append(((a.notebook, k), a, e, label, code))
    for _, a, e, label, code in sorted(found, key=lambda f: f[0]):     # stable: ties keep order
        text = hint(a, e, code).replace("|", "\\|")
        rows.append(f"| {a.notebook[:2]} | `{e.name}` | {label}: {_code(_as_written(e, code))} "
                    f"| {text} |")
    return "\n".join(rows)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    path = ROOT / "TEACHING.md"
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN)
    _, tail = rest.split(END)
    new = f"{head}{BEGIN}\n{table()}\n{END}{tail}"
    if "--check" in argv:
        if new != text:
            sys.exit("TEACHING.md's mistake catalogue is out of date: run "
                     "python -m course.teaching_catalogue")
        print("TEACHING.md's mistake catalogue is up to date")
        return
    path.write_text(new, encoding="utf-8")
    print(f"wrote the mistake catalogue into {path}")


if __name__ == "__main__":
    main()
