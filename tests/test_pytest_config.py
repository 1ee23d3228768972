"""pytest works from any directory: the notebooks' sanitize file is found by an absolute path
(the root conftest.py), not relative to the working directory."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_sanitize_file_is_an_absolute_path_to_the_repository(pytestconfig):
    path = Path(pytestconfig.option.nbval_sanitize_with)
    assert path.is_absolute() and path == ROOT / "tests" / "nbval_sanitize.cfg" and path.is_file()


@pytest.mark.slow
def test_a_notebook_passes_nbval_when_run_from_its_own_directory():
    """`cd notebooks && pytest 04_second_hidden_layer.ipynb` used to fail in every cell with a
    FileNotFoundError for tests/nbval_sanitize.cfg. (10 here: the quickest notebook to run.)"""
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "10_matrix_differentials.ipynb"],
                            cwd=ROOT / "notebooks",
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "FileNotFoundError" not in result.stdout
