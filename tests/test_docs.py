"""The documents a reader opens first: short, complete, true links, and no project history.

README.md is the front door (at most 150 lines); CONTRIBUTING.md and README.md list every
notebook; every relative link in the documents points at a file that exists; and no document
speaks of issue numbers or sessions: history lives in git, not in the docs.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
DOCS = ["README.md", "CONTRIBUTING.md", "TEACHING.md", "GRADING.md", "benchmarks/README.md",
        "jupyter/README.md"]
# Files whose comments a maintainer reads like documents.
COMMENTED = ["Makefile", ".ci/run", "pyproject.toml"]
HISTORY = re.compile(r"\bissue\s*#?\d+|\(issue\b|\bsessions? of\b|\bthis session\b", re.I)
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)


def test_readme_is_a_front_door():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 150, f"README.md has {len(lines)} lines; keep it at most 150"


@pytest.mark.parametrize("doc", ["README.md", "CONTRIBUTING.md"])
def test_every_notebook_is_listed(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    missing = [nb for nb in NOTEBOOKS if nb not in text]
    assert not missing, f"{doc} does not list {', '.join(missing)}"


@pytest.mark.parametrize("doc", DOCS)
def test_relative_links_resolve(doc):
    path = ROOT / doc
    text = CODE.sub("", path.read_text(encoding="utf-8"))     # examples in code are not links
    broken = [t for t in LINK.findall(text)
              if "://" not in t and not t.startswith("mailto:")
              and not (path.parent / t).exists()]
    assert not broken, f"{doc} links to missing files: {', '.join(broken)}"


@pytest.mark.parametrize("doc", DOCS + COMMENTED)
def test_no_project_history(doc):
    hits = [f"{doc}:{i}: {line.strip()}"
            for i, line in enumerate((ROOT / doc).read_text(encoding="utf-8").splitlines(), 1)
            if HISTORY.search(line)]
    assert not hits, "issue numbers or session history in a document:\n" + "\n".join(hits)


def test_the_history_pattern_catches_what_it_should():
    assert HISTORY.search("# ---- grading a class (issue 12) ----")
    assert HISTORY.search("blocked on issue 13")
    assert not HISTORY.search("a fourth, optional session, beyond the paper")


def test_teaching_reading_times_are_current():
    from course import reading_times
    assert reading_times.main(["--check"]) == 0, \
        "TEACHING.md's reading times are out of date: run python -m course.reading_times"


def test_every_notebook_and_the_core_path_fit_their_reading_times():
    """At most 30 minutes per notebook and 3 hours for the core path, by TEACHING's formula:
    a first course reads the core path, and a notebook is one sitting."""
    from course import reading_times
    minutes = {p.name[:2]: reading_times.measure(p)[3]
               for p in sorted(reading_times.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))}
    long = {nb: round(m, 1) for nb, m in minutes.items() if m > 30}
    assert not long, f"notebooks over 30 minutes: {long}; move material to an optional notebook"
    core = sum(minutes[nb] for nb in reading_times.CORE)
    assert core <= 180, f"the core path {reading_times.CORE} takes {core:.0f} minutes, over 180"


def test_reading_time_formula(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    from course import reading_times
    nb = new_notebook(cells=[
        new_markdown_cell(" ".join(["word"] * 130) + "\n$$a = b$$\n<!-- a comment -->"),
        new_markdown_cell("<!-- BEGIN TEACHER -->\nhidden words\n<!-- END TEACHER -->"),
        new_code_cell("\n".join(["x = 1"] * 12) + "\n\n")])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    words, equations, code, minutes = reading_times.measure(path)
    assert (words, equations, code) == (130, 1, 12)
    assert abs(minutes - 2.4) < 1e-12
