"""What a notebook's prose says about its own code and outputs, and about other notebooks.

tests/test_stated_results.py checks the numbers the text states; these checks cover the other
ways a sentence can drift from the cells around it: a shape written in the text that no cell
prints, an equation number for an index form that the code never uses, the finite-difference step
written as h (01's notation reserves h for the pre-activations), a duration the text rounds into
something the output does not say, "the last notebook" pointing at one that is not, a claim
about how other courses teach, and a planted bug whose diagnosis is given before its check runs.
Each rule is tested on the sentence that once broke it (the ``test_rule_…`` tests).
"""

import json
import re
from pathlib import Path

import pytest

from course.student_text import code_for_students

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ids = [p.stem for p in NOTEBOOKS]


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell):
    return "".join(cell["source"])


def markdown(nb):
    return "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")


def code(nb):
    return "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "code")


def outputs(nb):
    texts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            texts.append("".join(out.get("text", "")))
            texts.append("".join(out.get("data", {}).get("text/plain", "")))
    return "\n".join(texts)


def shapes_not_printed(nb):
    """Shapes the text gives an expression, "`b1.ravel()` has shape `(6,)`", that no output prints
    next to it ("b1.ravel() (6,)", "b1.ravel(): (6,)")."""
    shown = outputs(nb)
    claims = re.findall(r"`([^`]+)` has shape `(\(\d+(?:, \d+)*,?\))`", markdown(nb))
    return [f"{expr} {shape}" for expr, shape in claims
            if not re.search(re.escape(expr) + r"[\s:=]{0,3}" + re.escape(shape), shown)]


def index_forms_not_in_code(nb):
    """Equation numbers the text calls "index form (N)" that no code cell labels "(N)"."""
    text, cells = markdown(nb), code(nb)
    return sorted({n for n in re.findall(r"index form\s+\((\d+)\)", text) if f"({n})" not in cells})


def step_written_as_h(nb):
    """The finite-difference step written h (b + 3h/8, ± h) in text or outputs."""
    text = markdown(nb) + "\n" + outputs(nb)
    return re.findall(r"(?<![\w\\])\d*h/\d+|\\pm h\b|± ?h\b", text)


def durations_not_printed(nb):
    """'would take hours' in the text, where the output says 'would take about 0.72 hours'."""
    wrong = []
    printed = re.findall(r"would take about ([\d.]+) (seconds|minutes|hours|days)", outputs(nb))
    for unit in re.findall(r"would take (seconds|minutes|hours|days)\b", markdown(nb)):
        if not any(u == unit and float(v) >= 2 for v, u in printed):
            wrong.append(f"would take {unit}")
    return wrong


def last_notebook_claims(nb, last):
    """Numbers of the notebooks the text calls "the last notebook" other than the last one."""
    return [n for n in re.findall(r"[Tt]he last notebook,? \[(\d\d)", markdown(nb)) if n != last]


def course_claims(nb):
    """Sentences that say how CS231n or d2l teach and get it wrong: CS231n gets its matrix forms by
    dimension analysis, Dive into Deep Learning writes a prod operator."""
    wrong = []
    for sentence in re.split(r"(?<=[.!?])\s+", markdown(nb)):
        if not re.search(r"teach|differential", sentence):
            continue
        if "CS231n" in sentence and "dimension analysis" not in sentence:
            wrong.append(sentence)
        if re.search(r"Dive into Deep Learning|d2l", sentence) and "prod" not in sentence:
            wrong.append(sentence)
    return wrong


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_prose_says_what_the_cells_do(path):
    nb = load(path)
    last = NOTEBOOKS[-1].name[:2]
    problems = {"shapes no output prints": shapes_not_printed(nb),
                "index forms the code does not use": index_forms_not_in_code(nb),
                "the step ε written as h": step_written_as_h(nb),
                "durations the output does not print": durations_not_printed(nb),
                f"'the last notebook' that is not {last}": last_notebook_claims(nb, last),
                "how CS231n or d2l teach, misstated": course_claims(nb)}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, f"{path.name}: {problems}"


def test_07_asks_for_each_diagnosis_before_its_check_runs():
    """Each planted bug: its prompt, a cell that runs its check and asks for a letter (no
    expected result in it), the answer (collapsed in the classroom edition), then the
    teacher-only cell that asserts the diagnosis and the letter the answer gives."""
    from exercises.bughunt import BUGS

    nb = load(ROOT / "notebooks" / "07_gradient_checking.ipynb")
    cells = nb["cells"]
    define = next(c for c in cells if c["cell_type"] == "code" and "planted = [" in source(c))
    assert define["metadata"].get("jupyter", {}).get("source_hidden"), \
        "the cell that defines the planted bugs should be collapsed"
    names = re.search(r"planted = \[([^\]]*)\]", source(define)).group(1).split(", ")
    classroom = code_for_students(source(define))
    assert not any(name in classroom for name in names), \
        f"the classroom edition's copy names the bugs before their answers:\n{classroom}"
    assert any("exercises.bug_menu()" in source(c) for c in cells if c["cell_type"] == "code")
    for k, name in enumerate(names, start=1):
        i = next(i for i, c in enumerate(cells) if source(c).startswith(f"**Bug {k}.**"))
        prompt, check, answer, teacher = cells[i:i + 4]
        assert check["cell_type"] == "code" and f"planted[{k - 1}]" in source(check), \
            f"bug {k}: the cell after the prompt should run its check"
        assert f'exercises.name_bug({k}, "?")' in source(check) and \
            "assert" not in source(check), f"bug {k}: ask for a letter, state no result"
        letter = BUGS[k][0]
        assert answer["cell_type"] == "markdown" and \
            source(answer).startswith(f"*Answer: {letter}, "), \
            f"bug {k}: the answer, with its letter, should follow the check's output"
        assert "student-collapsed" in answer["metadata"].get("tags", []), \
            f"bug {k}: the answer should be collapsed in the classroom edition"
        assert teacher["cell_type"] == "code" and \
            "teacher-only" in teacher["metadata"].get("tags", []) and \
            source(teacher).startswith("assert failing == [") and \
            f'exercises.name_bug({k}, "{letter}")' in source(teacher), \
            f"bug {k}: a teacher-only cell after the answer asserts the diagnosis"
        words = set(name.split("_")) - {"A", "b2", "w2"}
        for cell in (prompt, check):
            assert name not in source(cell), f"bug {k}: {name} named before the reveal"
        assert not any(w in source(prompt).lower() for w in words), \
            f"bug {k}: the prompt gives the diagnosis away ({words})"


def _nb(md="", code_src="", out=""):
    return {"cells": [{"cell_type": "markdown", "source": md},
                      {"cell_type": "code", "source": code_src, "metadata": {},
                       "outputs": [{"output_type": "stream", "name": "stdout", "text": out}]}]}


def test_rule_shapes_catches_a_shape_the_cells_do_not_print():
    nb = _nb("NumPy would accept a 1-D bias too: `b1.ravel()` has shape `(5,)`",
             out="M (5, 6) + b1.ravel() (6,) -> (5, 6), the same sum\n(5, 1) - (5,) -> (5, 5)")
    assert shapes_not_printed(nb) == ["b1.ravel() (5,)"]
    assert shapes_not_printed(_nb("`b1.ravel()` has shape `(6,)`", out="b1.ravel() (6,)")) == []


def test_rule_index_form_catches_an_equation_the_code_does_not_use():
    nb = _nb("the loops of the index form\n  (63), the matrix form",
             code_src='show("dw1, index form (62)", dw1_index)')
    assert index_forms_not_in_code(nb) == ["63"]


def test_rule_step_catches_h_for_epsilon():
    nb = _nb(out="slope at b + 3h/8 (on) = 0.4873, at b − 5h/8 (off) = 0.6828")
    assert step_written_as_h(nb) == ["3h/8", "5h/8"]
    assert step_written_as_h(_nb(r"$\mathbf{h}_1$, $h_{1,ij}$, 1/2", out="h1 (5×6)")) == []


def test_rule_durations_catches_hours_that_are_less_than_one():
    nb = _nb("so at $s = 512$ the loops would take hours.",
             out="s = 512: the loops would take about 0.72 hours")
    assert durations_not_printed(nb) == ["would take hours"]


def test_rule_last_notebook_catches_one_that_is_not_last():
    nb = _nb("The last notebook, [10 · Matrix differentials](10_matrix_differentials.ipynb)")
    assert last_notebook_claims(nb, "15") == ["10"]


def test_rule_courses_catches_differentials_attributed_to_cs231n_and_d2l():
    nb = _nb("This notebook derives the same six results a second way, the way matrix-calculus "
             "texts, the CS231n notes and *Dive into Deep Learning* teach beside the index form: "
             "with **differentials**.")
    assert len(course_claims(nb)) == 2


POINTERS = [p for p in NOTEBOOKS if p.name[:2] not in ("00", "01", "13", "14", "15")]


@pytest.mark.parametrize("path", POINTERS, ids=[p.stem for p in POINTERS])
def test_errata_are_explained_once_and_pointed_at_elsewhere(path):
    """13 explains each of the paper's errata (00 and 01 point at it, 14 and 15 follow the paper's
    derivation); here a line that speaks of an erratum links to 13, and none is a callout."""
    text = markdown(load(path))
    assert "**Erratum" not in text, f"{path.name}: an erratum callout; point at 13 in one line"
    lines = [ln for ln in text.splitlines() if re.search(r"[Ee]rrat", ln)
             and "13_the_papers_errata.ipynb" not in ln]
    assert not lines, f"{path.name}: errata mentioned without the link to 13: {lines}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_relu_prime_at_0_is_called_a_convention(path):
    text = markdown(load(path))
    assert "not a derivative" not in text, \
        f"{path.name}: ReLU′(0) = 1 is a convention (a subgradient of ReLU), not 'not a derivative'"


TERMS = {r"\bulp\b": "unit in the last place", r"He\s+initiali[sz]ation": "fan-in"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_terms_are_defined_where_a_notebook_first_uses_them(path):
    """'half an ulp' and 'He initialisation' are explained in the cell that first uses them."""
    cells = [source(c) for c in load(path)["cells"] if c["cell_type"] == "markdown"]
    for term, definition in TERMS.items():
        first = next((c for c in cells if re.search(term, c)), None)
        assert first is None or definition in first, \
            f"{path.name} uses {term!r} before saying what it is ({definition!r})"
