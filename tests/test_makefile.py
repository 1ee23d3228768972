"""The Makefile's set-up: an unsupported Python is refused before anything is installed, with the
fix in the message; `make lab` lands on notebook 00."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAKEFILE = (ROOT / "Makefile").read_text()


def check_python(tmp_path, version):
    """`make check-python` with a Python that reports ``version`` (patched in sitecustomize)."""
    (tmp_path / "sitecustomize.py").write_text(
        f"import sys\nsys.version_info = ({version[0]}, {version[1]}, 0, 'final', 0)\n")
    return subprocess.run(["make", "-s", "-C", str(ROOT), "check-python",
                           f"PYTHON={sys.executable}"], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)})


@pytest.mark.parametrize("version", [(3, 10), (3, 15), (2, 7)])
def test_unsupported_python_is_refused_with_the_fix(tmp_path, version):
    r = check_python(tmp_path, version)
    assert r.returncode != 0
    assert f"is Python {version[0]}.{version[1]}" in r.stderr
    assert "needs Python 3.11 to 3.14" in r.stderr and "PYTHON=" in r.stderr


@pytest.mark.parametrize("version", [(3, 11), (3, 14)])
def test_supported_python_passes(tmp_path, version):
    r = check_python(tmp_path, version)
    assert r.returncode == 0, r.stderr


def test_install_checks_python_before_making_the_venv():
    rule = re.search(r"^\$\(STAMP\):(?:.*\\\n)*.*$", MAKEFILE, re.M)[0]
    assert rule.endswith("| check-python"), rule


def test_lab_lands_on_00_and_student_lab_on_its_00():
    for target, path in (("lab", "notebooks"), ("lab-student", "student")):
        m = re.search(rf"^{target}:.*\n\t\$\(LAB\) --LabApp\.default_url=/lab/tree/(\S+)",
                      MAKEFILE, re.M)
        assert m and m[1] == f"{path}/00_start_here.ipynb", target
        assert (ROOT / m[1]).exists()


def test_missing_python_is_named():
    r = subprocess.run(["make", "-s", "-C", str(ROOT), "check-python", "PYTHON=python3.99"],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "No python3.99 found" in r.stderr
