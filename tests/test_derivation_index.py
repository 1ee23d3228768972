"""Notebook 01 shows every equation (1)–(86) of the paper: read its markdown, not its claims.

The notebook asserts its own equation index from a list in a code cell; a kernel cannot read the
markdown around it. This test does: every number 1–86 is either typeset with ``\\tag{N}`` or named
in the prose as a repeat ("(23) repeats (9)") of an equation that is typeset, and every displayed
formula has balanced braces and ``\\left``/``\\right`` pairs, so MathJax can render it.
"""

import re
from pathlib import Path

import nbformat

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01_derivation.ipynb"


def displayed_formulas():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return text, re.findall(r"\$\$(.+?)\$\$", text, re.S)


def test_every_equation_is_shown_or_named_as_a_repeat():
    text, formulas = displayed_formulas()
    shown = [int(t) for f in formulas for t in re.findall(r"\\tag\{(\d+)\}", f)]
    repeats = {int(r): int(e) for r, e in re.findall(r"\((\d+)\) repeats \((\d+)\)", text)}
    missing = set(range(1, 87)) - set(shown) - set(repeats)
    assert not missing, f"01 neither shows nor names equations {sorted(missing)}"
    dangling = {r: e for r, e in repeats.items() if e not in shown}
    assert not dangling, f"repeats point at equations that are not shown: {dangling}"


def test_displayed_formulas_are_balanced():
    _, formulas = displayed_formulas()
    for f in formulas:
        body = re.sub(r"\\[{}]", "", f)
        assert body.count("{") == body.count("}"), f"unbalanced braces in {f[:80]!r}"
        assert len(re.findall(r"\\left\b", f)) == len(re.findall(r"\\right\b", f)), \
            f"unbalanced \\left/\\right in {f[:80]!r}"
