"""Would a Binder / JupyterHub (repo2docker) launch work? Read its files and the lock.

repo2docker builds from environment.yml, then runs ./postBuild after copying the repository.
"""

import os
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names of the PyPI packages this project asks for, where they differ.
CONDA_NAME = {"matplotlib": "matplotlib-base"}


def direct_requirements():
    """What the notebooks and their tests need: pyproject's dependencies and its extras, except
    the tooling that only `make test-browser` and `make bench` use."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for name, extra in project.get("optional-dependencies", {}).items():
        if name not in ("browser", "bench"):
            reqs += extra
    return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower() for r in reqs}


def conda_packages():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    names = set()
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            names.add(re.split(r"[<>=! ]", dep, maxsplit=1)[0].lower())
    return env, names


def locked():
    lines = (ROOT / "requirements-lock.txt").read_text().splitlines()
    return {line.split("==")[0].lower() for line in lines if "==" in line}


def test_environment_lists_every_direct_dependency():
    _, names = conda_packages()
    missing = sorted(p for p in direct_requirements() if CONDA_NAME.get(p, p) not in names)
    assert not missing, f"environment.yml lacks {missing} (pyproject.toml asks for them)"


def test_lock_pins_every_direct_dependency():
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    tooling = {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower()
               for name in ("browser", "bench") for r in extras.get(name, [])}
    missing = sorted((direct_requirements() | tooling) - locked())
    assert not missing, f"requirements-lock.txt does not pin {missing}: run `make lock`"


def test_environment_is_conda_forge_with_python_and_pip():
    env, names = conda_packages()
    assert "conda-forge" in env["channels"]
    assert {"python", "pip"} <= names


def test_postbuild_installs_helpers():
    post = ROOT / "postBuild"
    assert os.access(post, os.X_OK), "postBuild must be executable for repo2docker to run it"
    text = post.read_text()
    assert re.search(r"pip install .*-e \.", text), "postBuild must install the helpers package"
    assert "import matplotlib.pyplot" in text, "postBuild should warm matplotlib's font cache"
