"""The front of the collection teaches first: 01 shows the picture, the four rules and a pencil
example before the results; the errata are explained once, in 13; the student edition of 01
withholds at most the six final matrix forms and keeps its notation, rules and steps."""

import re
from pathlib import Path

import nbformat
import pytest

from course import make_student as ms

NB = Path(__file__).resolve().parents[1] / "notebooks"
ERRATA = ["Two hidden layers, not three", "h1 and h2 are pre-activations",
          "(3): h1_rady is h1_relu", "(6) is a sum, not a mean",
          "One loss, three symbols, and the arrow", "Per-sample bias subscripts",
          "Dropped sums in (10), (11), (27), (55)",
          "The bias derivative is not a 1×(n·d) matrix", "(46): i1 for il",
          "(63) uses B before (64) defines it", "The bias gradient is a column sum",
          "ReLU′(0) = 1 is a convention"]


def _read(stem):
    return nbformat.read(next(NB.glob(f"{stem}_*.ipynb")), as_version=4)


def _sections(nb):
    """{heading: its cell and the cells up to the next heading of the same level}"""
    out, current = {}, None
    for cell in nb.cells:
        m = re.match(r"## (.+)", cell.source) if cell.cell_type == "markdown" else None
        if m:
            current = out.setdefault(m.group(1).splitlines()[0].strip(), [])
        if current is not None:
            current.append(cell)
    return out


def test_01_shows_the_picture_the_rules_and_a_pencil_example_before_the_results():
    nb = _read("01")
    headings = [m.group(1) for c in nb.cells if c.cell_type == "markdown"
                for m in [re.match(r"## (.+)", c.source)] if m]
    order = ["Notation", "The backward pass in one picture", "Four local rules",
             "One example with a pencil", "(81)–(86) from the rules"]
    assert [h for h in headings if h in order] == order
    sections = _sections(nb)
    assert any("backward_graph(n, d_in, d1, d2, d_out)" in c.source
               for c in sections["The backward pass in one picture"])
    printed = "".join(o.get("text", "") for c in sections["Four local rules"]
                      if c.cell_type == "code" for o in c.outputs)
    for rule in ("1. ", "2. ", "3. ", "4. "):
        assert f"\n{rule}" in "\n" + printed, f"rule {rule.strip()} is not checked"
    pencil = "".join(o.get("text", "") for c in sections["One example with a pencil"]
                     if c.cell_type == "code" for o in c.outputs)
    assert "dw1" in pencil and "helpers.backward gives the same" in pencil


@pytest.mark.parametrize("stem", ["00", "01", "14", "15"])
def test_errata_are_pointers_outside_13(stem):
    text = "\n".join(c.source for c in _read(stem).cells if c.cell_type == "markdown")
    assert "**Erratum" not in text, f"{stem} explains an erratum: 13 does, once"


def test_13_explains_each_erratum_once_and_checks_it():
    sections = _sections(_read("13"))
    assert list(sections) == ERRATA
    for heading, cells in sections.items():
        code = [c for c in cells if c.cell_type == "code"]
        assert code and all("assert " in c.source for c in code), f"{heading}: no check"
        assert all(c.outputs for c in code), f"{heading}: not executed"
    convention = "\n".join(c.source for c in sections[ERRATA[-1]])
    assert "Not an erratum" in convention and "convention" in convention


def test_student_01_withholds_at_most_the_six_final_forms():
    nbs = {p.name: nbformat.read(p, as_version=4) for p in sorted(NB.glob("[0-9][0-9]_*.ipynb"))}
    exercises = [n for n, nb in nbs.items() if ms._has_exercise(nb)]
    answers = ms.answer_expressions(nbs[n] for n in exercises)
    student = ms.make_student(nbs["01_derivation.ipynb"], set(nbs), name="01_derivation.ipynb",
                              answers=answers, exercise_names=exercises)
    text = nbformat.writes(student)
    placeholders = len(re.findall(r"\[withheld in the classroom edition", text, re.I))
    assert 1 <= placeholders <= 6, placeholders
    md = "\n".join(c.source for c in student.cells if c.cell_type == "markdown")
    for kept in ("## Notation", "## Four local rules", "\\mathbf{G}\\mathbf{Q}^T",
                 "## One example with a pencil", "\\tag{6}"):
        assert kept in md, kept
    for final in range(81, 87):
        assert f"\\tag{{{final}}}" not in md, final
