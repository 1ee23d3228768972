"""Would a Binder / JupyterHub (repo2docker) launch work? Read its files.

repo2docker builds from environment.yml (generated from the lock: tests/test_lock.py checks the
pins), then runs ./postBuild after copying the repository.
"""

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_postbuild_installs_helpers_and_the_lab_settings():
    post = ROOT / "postBuild"
    assert os.access(post, os.X_OK), "postBuild must be executable for repo2docker to run it"
    text = post.read_text()
    assert re.search(r"pip install .*-e \.", text), "postBuild must install the helpers package"
    for f in ("jupyter/overrides.json", "jupyter/ipython_kernel_config.py"):
        assert f in text, f"postBuild should install {f}"
    assert "import matplotlib.pyplot" in text, "postBuild should warm matplotlib's font cache"


def test_lab_settings_turn_off_news_and_update_checks():
    import json

    settings = json.loads((ROOT / "jupyter" / "overrides.json").read_text())
    notify = settings["@jupyterlab/apputils-extension:notification"]
    assert notify == {"fetchNews": "false", "checkForUpdates": False}
