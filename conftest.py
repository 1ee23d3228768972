"""Repository-wide pytest set-up: what pyproject.toml's ``addopts`` cannot say.

nbval opens its sanitize file (``--nbval-sanitize-with``) relative to the working directory, so
naming it in ``addopts`` broke every notebook test run from anywhere but the repository root
(``cd notebooks && pytest 03_output_layer.ipynb``). It is set here instead, as an absolute path
derived from this file, unless given on the command line.
"""

from pathlib import Path

SANITIZE = Path(__file__).resolve().parent / "tests" / "nbval_sanitize.cfg"


def pytest_configure(config):
    if getattr(config.option, "nbval_sanitize_with", "") is None:    # nbval loaded, not given
        config.option.nbval_sanitize_with = str(SANITIZE)
