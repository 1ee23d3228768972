"""Counts of exercises and points stated in prose are the counts of the notebooks themselves:
"(three exercises, each checked)" in a notebook, "11's four exercises", "the 17 exercises of
02–08", "25 points in all" and the table of TEACHING.md. Nothing here is kept by hand."""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven "
                                    "twelve thirteen fourteen fifteen sixteen seventeen eighteen "
                                    "nineteen twenty".split())}
NUMBER = r"(\d+|" + "|".join(WORDS) + r")"


def _number(text):
    return int(text) if text.isdigit() else WORDS[text.lower()]


def _exercises():
    """{"04": [points of each exercise cell]}: a cell with a solution region is one exercise,
    worth its ``points:N`` tag, else 1."""
    out = {}
    for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for c in nbformat.read(p, as_version=4).cells:
            if c.cell_type == "code" and "### BEGIN SOLUTION" in c.source:
                tags = c.metadata.get("tags", [])
                points = [int(t.split(":")[1]) for t in tags if t.startswith("points:")]
                out.setdefault(p.name[:2], []).append(points[0] if points else 1)
    return out


EXERCISES = _exercises()


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")),
                         ids=lambda p: p.name[:2])
def test_a_notebook_states_its_own_count(path):
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells
                     if c.cell_type == "markdown")
    for m in re.finditer(NUMBER + r" exercises\b", text, re.I):
        assert _number(m.group(1)) == len(EXERCISES.get(path.name[:2], [])), \
            f"{path.name} says {m.group(0)!r}; it has {len(EXERCISES.get(path.name[:2], []))}"


@pytest.mark.parametrize("doc", ["TEACHING.md", "README.md"])
def test_the_documents_state_the_notebooks_counts(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    for m in re.finditer(r"(\d\d)'s " + NUMBER + r" exercises", text):
        assert _number(m.group(2)) == len(EXERCISES[m.group(1)]), m.group(0)
    for m in re.finditer(r"the " + NUMBER + r" exercises of (\d\d)–(\d\d)", text):
        n = sum(len(v) for k, v in EXERCISES.items() if m.group(2) <= k <= m.group(3))
        assert _number(m.group(1)) == n, f"{doc}: {m.group(0)!r}, but there are {n}"
    for m in re.finditer(r"\| (\d\d) [^|\n]*\|[^|\n]*\|[^|\n]*\| " + NUMBER + r" exercises",
                         text):
        assert _number(m.group(2)) == len(EXERCISES[m.group(1)]), m.group(0)
    total = sum(sum(v) for v in EXERCISES.values())
    for m in re.finditer(NUMBER + r" points in all", text):
        assert _number(m.group(1)) == total, f"{doc}: {m.group(0)!r}, but the total is {total}"


BEYOND = re.compile(NUMBER + r" (?:derivation exercises|derivations of your own|gradients (?:the "
                    r"paper|it) does not (?:give|derive|cover))", re.I)


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
                         + [ROOT / "README.md", ROOT / "TEACHING.md"], ids=lambda p: p.name[:9])
def test_counts_of_the_exercises_beyond_the_paper(path):
    """"four derivation exercises" or "four gradients the paper does not give" is 11's count."""
    text = (path.read_text(encoding="utf-8") if path.suffix == ".md" else "\n".join(
        c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"))
    for m in BEYOND.finditer(text):
        assert _number(m.group(1)) == len(EXERCISES["11"]), \
            f"{path.name} says {m.group(0)!r}; notebook 11 has {len(EXERCISES['11'])} exercises"


def test_the_beyond_pattern_reads_what_it_should():
    assert BEYOND.search("asks for four gradients the paper does not give").group(1) == "four"
    assert BEYOND.search("Four derivation exercises").group(1) == "Four"
    assert not BEYOND.search("the six gradients (81)–(86)")
