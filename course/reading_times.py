"""Reading times of the notebooks, by one formula, and TEACHING.md's table made from them.

    python -m course.reading_times           rewrite the table in TEACHING.md
    python -m course.reading_times --check   exit 1 if the table is not up to date

A notebook's reading time is its prose at 130 words a minute, plus 0.4 minutes per displayed
equation, plus its code at 12 lines a minute. Prose is every markdown cell's text outside display
equations, HTML comments and teacher-only regions; a displayed equation is one ``$$ … $$`` block
or one LaTeX environment; code is the non-empty lines of the code cells. The time for the
exercises is not in it. The core path is the notebooks a first course needs (``CORE``).
"""

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
TEACHING = ROOT / "TEACHING.md"
WORDS_PER_MINUTE, MINUTES_PER_EQUATION, CODE_LINES_PER_MINUTE = 130, 0.4, 12
CORE = ("00", "01", "02", "03", "04", "05", "07", "08")
BEGIN, END = "<!-- BEGIN READING TIMES (course/reading_times.py) -->", "<!-- END READING TIMES -->"

_DISPLAY = re.compile(r"\$\$.*?\$\$|\\begin\{(\w+\*?)\}.*?\\end\{\1\}", re.S)
_HIDDEN = re.compile(r"<!--\s*BEGIN TEACHER\s*-->.*?<!--\s*END TEACHER\s*-->|<!--.*?-->", re.S)


def measure(path):
    """(words, equations, code lines, minutes) of one notebook."""
    nb = nbformat.read(path, as_version=4)
    words = equations = code = 0
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            text = _HIDDEN.sub(" ", cell.source)
            equations += len(_DISPLAY.findall(text))
            words += len(_DISPLAY.sub(" ", text).split())
        elif cell.cell_type == "code":
            code += sum(1 for line in cell.source.splitlines() if line.strip())
    minutes = (words / WORDS_PER_MINUTE + equations * MINUTES_PER_EQUATION
               + code / CODE_LINES_PER_MINUTE)
    return words, equations, code, minutes


def table():
    rows = ["| notebook | words | displayed equations | code lines | reading (min) |",
            "| --- | --- | --- | --- | --- |"]
    total = core = 0.0
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        words, equations, code, minutes = measure(path)
        total += minutes
        core += minutes if path.name[:2] in CORE else 0
        rows.append(f"| {path.stem.replace('_', ' ')} | {words:,} | {equations} | {code} | "
                    f"{minutes:.0f} |")
    rows.append(f"| **core path** ({', '.join(CORE)}) | | | | **{core:.0f}** |")
    rows.append(f"| **all notebooks** | | | | **{total:.0f}** |")
    return "\n".join(rows)


def render(text):
    if BEGIN not in text or END not in text:
        raise SystemExit(f"TEACHING.md has no {BEGIN} … {END} region")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{table()}\n{END}{tail}"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    text = TEACHING.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in argv:
        if new != text:
            print("TEACHING.md's reading times are out of date: run python -m "
                  "course.reading_times", file=sys.stderr)
            return 1
        return 0
    TEACHING.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
