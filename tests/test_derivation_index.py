"""Notebooks 01, 14 and 15 together show every equation (1)–(86) of the paper: read their markdown.

01 shows the forward pass (1)–(6) and the results (81)–(86); 14 and 15, the paper's index
derivation, show (7)–(80), and 15 asserts the equation index from a list in a code cell; a
kernel cannot read the markdown around it. This test does: every number 1–86 is either typeset with
``\\tag{N}`` or named in the prose as a repeat ("(23) repeats (9)") of an equation that is
typeset, and every displayed formula has balanced braces and ``\\left``/``\\right`` pairs, so
MathJax can render it.
"""

import re
from pathlib import Path

import nbformat

NOTEBOOKS = [Path(__file__).resolve().parents[1] / "notebooks" / name
             for name in ("01_derivation.ipynb",
                          "14_index_derivation_output_and_second_layer.ipynb",
                          "15_index_derivation_first_layer.ipynb")]


def displayed_formulas(paths=NOTEBOOKS):
    cells = [c for p in paths for c in nbformat.read(p, as_version=4).cells]
    text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    return text, re.findall(r"\$\$(.+?)\$\$", text, re.S)


def test_every_equation_is_shown_or_named_as_a_repeat():
    text, formulas = displayed_formulas()
    shown = [int(t) for f in formulas for t in re.findall(r"\\tag\{(\d+)\}", f)]
    repeats = {int(r): int(e) for r, e in re.findall(r"\((\d+)\) repeats \((\d+)\)", text)}
    missing = set(range(1, 87)) - set(shown) - set(repeats)
    assert not missing, f"01, 14 and 15 neither show nor name equations {sorted(missing)}"
    dangling = {r: e for r, e in repeats.items() if e not in shown}
    assert not dangling, f"repeats point at equations that are not shown: {dangling}"


def test_displayed_formulas_are_balanced():
    _, formulas = displayed_formulas()
    for f in formulas:
        body = re.sub(r"\\[{}]", "", f)
        assert body.count("{") == body.count("}"), f"unbalanced braces in {f[:80]!r}"
        assert len(re.findall(r"\\left\b", f)) == len(re.findall(r"\\right\b", f)), \
            f"unbalanced \\left/\\right in {f[:80]!r}"


def test_01_shows_the_forward_pass_and_the_six_results():
    _, formulas = displayed_formulas(NOTEBOOKS[:1])
    shown = {int(t) for f in formulas for t in re.findall(r"\\tag\{(\d+)\}", f)}
    assert {*range(1, 7), *range(81, 87)} <= shown
