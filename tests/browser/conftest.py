"""Fixtures for the real-browser test (``make test-browser``): JupyterLab + headless Chromium.

These tests run only with ``--run-browser`` (``make test-browser`` passes it): they need Debian's
``chromium`` at /usr/bin/chromium (``make test-browser`` installs it with apt when it is missing)
and take about a minute. Screenshots go to ``artifacts/screenshots/``.
"""

import functools
import http.server
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
# Flags that keep Chromium off the network and working as root in a container.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic"]


def pytest_addoption(parser):
    parser.addoption("--run-browser", action="store_true",
                     help="run the JupyterLab + Chromium tests in tests/browser")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-browser"):
        return
    skip = pytest.mark.skip(reason="browser test: run with `make test-browser`")
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


def lab_default_url():
    """The ``--LabApp.default_url=…`` that the Makefile's ``lab`` target passes."""
    import re

    m = re.search(r"^lab:.*\n\t\$\(LAB\) (--LabApp\.default_url=\S+)",
                  (ROOT / "Makefile").read_text(), re.M)
    assert m, "the Makefile's lab target sets no --LabApp.default_url"
    return [m[1]]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    """A JupyterLab server from this venv on a free localhost port with a token.

    It is stopped at the end of the session whatever happens (the fixture's ``finally``).
    """
    port, token = _free_port(), secrets.token_hex(16)
    state = tmp_path_factory.mktemp("lab")
    settings = state / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # Render every cell (no virtual scrolling), so every output is in the page to inspect.
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    # No autosave: the tests run the repository's notebooks, which must stay as committed.
    docmanager = state / "settings" / "@jupyterlab" / "docmanager-extension"
    docmanager.mkdir(parents=True)
    (docmanager / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    # No news or update checks: jupyter/overrides.json, which `make install` puts into the venv,
    # turns them off, as for `make lab` (test_lab checks that no news prompt shows).
    log = open(state / "server.log", "w")
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
           "--ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}",
           "--LabApp.expose_app_in_browser=True",
           f"--LabApp.user_settings_dir={state / 'settings'}",
           f"--LabApp.workspaces_dir={state / 'workspaces'}",
           "--ServerApp.port_retries=0", *lab_default_url()]
    cmd += ["--allow-root"] if os.geteuid() == 0 else []
    env = {**os.environ, "JUPYTER_PLATFORM_DIRS": "1"}
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited early; see {state / 'server.log'}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("jupyter lab did not answer within 60 s") from None
                time.sleep(0.5)
        yield {"base": base, "token": token, "log": state / "server.log"}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's package "
                    f"(`apt-get install chromium`) or set CHROMIUM=/path/to/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory):
    """``make html``'s site, exported once for the session's tests."""
    sys.path.insert(0, str(ROOT / "tools"))
    import export_html

    out = tmp_path_factory.mktemp("site")
    export_html.export(out)
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_server(site_dir):
    """The site on a free localhost port (http.server in a thread), stopped after the session."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
