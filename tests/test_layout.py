"""The architecture, as folders: ``course → exercises → helpers``, and arrows run one way only.

``helpers/`` is what the notebooks teach, ``exercises/`` what runs in a student's kernel (checks,
hints), ``course/`` the teacher's side (student edition, grading), never handed out. A module may
import from the folders to its right only.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAY_NOT_IMPORT = {"helpers": ("exercises", "course"), "exercises": ("course",)}


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


@pytest.mark.parametrize("package", sorted(MAY_NOT_IMPORT))
def test_imports_run_one_way(package):
    bad = [f"{p.relative_to(ROOT)} imports {name}"
           for p in sorted((ROOT / package).rglob("*.py"))
           for name in _imports(p)
           if name.split(".")[0] in MAY_NOT_IMPORT[package]]
    assert not bad, "\n".join(bad)


def test_the_checker_catches_a_wrong_arrow(tmp_path):
    p = tmp_path / "m.py"
    p.write_text("import os\nfrom course.grading import runner\nimport exercises.checks\n")
    assert [n.split(".")[0] for n in _imports(p)] == ["os", "course", "exercises"]


def test_helpers_stays_small():
    """``helpers/`` is the small package the notebooks share: at most 1,600 lines in all."""
    lines = sum(len(p.read_text(encoding="utf-8").splitlines())
                for p in (ROOT / "helpers").rglob("*.py"))
    assert lines <= 1600, f"helpers/ has {lines} lines; the limit is 1,600"
