"""Open every notebook in JupyterLab in headless Chromium, run all cells, look at the result.

nbval proves the kernels compute what the notebooks say; this proves readers see it: the notebook
opens in JupyterLab, every cell runs without an error or a stderr output, the equations render
(MathJax), the plots show, and the explorer works from the keyboard alone. A screenshot of each
notebook goes to artifacts/screenshots/.
"""

import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# BROWSER_NOTEBOOKS (a glob under the repository) narrows the run, e.g. to one notebook.
NOTEBOOKS = sorted(ROOT.glob(os.environ.get("BROWSER_NOTEBOOKS", "notebooks/[0-9][0-9]_*.ipynb")))
RUN_TIMEOUT_MS = 240_000

# Evaluated in the page: the open notebook's cells as the model holds them after the run.
CELL_REPORT_JS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  return panel.content.widgets.map((cell, i) => {
    const m = cell.model;
    if (m.type !== 'code') return {index: i, type: m.type};
    const outputs = m.outputs.toJSON();
    return {index: i, type: 'code', count: m.executionCount,
            errors: outputs.filter(o => o.output_type === 'error')
                           .map(o => o.ename + ': ' + o.evalue),
            stderr: outputs.filter(o => o.output_type === 'stream' && o.name === 'stderr')
                           .map(o => [].concat(o.text).join('').slice(0, 200))};
  });
}"""


SCROLL_TOP_JS = """() => { const w = window.jupyterapp.shell.currentWidget;
    const outer = w.node.querySelector('.jp-WindowedPanel-outer') || w.content.node;
    outer.scrollTop = 0; }"""


def _stored(path):
    nb = json.loads(path.read_text())
    sources = ["".join(c["source"]) for c in nb["cells"]]
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    return {
        "math": any(re.search(r"\$\$|\$[^$\s]", s) for s in sources),
        "images": any("image/png" in o.get("data", {}) for o in outputs),
        "widgets": any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                       for o in outputs),
    }


def _open_and_run(page, lab_server, path):
    rel = path.relative_to(ROOT).as_posix()
    # ?reset: a fresh workspace, so the notebooks opened before are not reopened with kernels.
    page.goto(f"{lab_server['base']}/lab/tree/{rel}?reset&token={lab_server['token']}")
    page.wait_for_function(
        """(name) => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                       return !!(w && w.context && w.context.path.endsWith(name)
                                 && w.context.isReady); }""",
        arg=path.name, timeout=60_000)
    page.evaluate("""async () => {
        const w = window.jupyterapp.shell.currentWidget;
        await w.sessionContext.ready;
        await window.jupyterapp.commands.execute('notebook:run-all-cells');
    }""")
    # Run-all returns once cells are queued or run; wait until every code cell has a count and
    # the kernel is idle.
    page.wait_for_function(
        """() => { const w = window.jupyterapp.shell.currentWidget;
                   const k = w.sessionContext.session && w.sessionContext.session.kernel;
                   const cells = w.content.widgets.filter(c => c.model.type === 'code'
                                                          && c.model.sharedModel.source.trim());
                   return k && k.status === 'idle'
                          && cells.every(c => c.model.executionCount !== null)
                          && ![...document.querySelectorAll('.jp-InputArea-prompt')]
                                 .some(e => e.textContent.includes('*')); }""",
        timeout=RUN_TIMEOUT_MS, polling=500)


def _close(page):
    """Shut the notebook's kernel down (a closed page would leave it running), then the page."""
    try:
        page.evaluate("""async () => {
            const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
            if (w && w.sessionContext) await w.sessionContext.shutdown(); }""")
    finally:
        page.close()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_jupyterlab(path, lab_server, browser, screenshots):
    expected = _stored(path)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        _open_and_run(page, lab_server, path)
        cells = page.evaluate(CELL_REPORT_JS)
        code = [c for c in cells if c["type"] == "code"]
        problems = [f"cell {c['index']}: {e}" for c in code for e in c["errors"] + c["stderr"]]
        assert not problems, f"{path.name} shows errors or stderr in JupyterLab:\n" + \
            "\n".join(problems)
        shown = page.locator(".jp-OutputArea-output[data-mime-type="
                             "'application/vnd.jupyter.stderr']").count()
        assert shown == 0, f"{path.name}: {shown} error/stderr outputs are displayed"
        if expected["math"]:
            assert page.locator("mjx-container").count() > 0, \
                f"{path.name}: it has LaTeX but no equation was rendered by MathJax"
        if expected["images"]:
            assert page.locator(".jp-OutputArea-output img").count() > 0, \
                f"{path.name}: it draws plots but no image is displayed"
        if expected["widgets"]:
            assert page.locator(".jp-OutputArea-output .jupyter-widgets").count() > 0, \
                f"{path.name}: it has widgets but none is displayed"
        page.screenshot(path=str(screenshots / f"{path.stem}-end.png"))
        page.evaluate(SCROLL_TOP_JS)
        page.wait_for_timeout(500)
        page.screenshot(path=str(screenshots / f"{path.stem}.png"))
    finally:
        _close(page)


# What the widgets currently show: text of HTML/label/output widgets and the images' sources.
WIDGET_STATE_JS = """() => [...document.querySelectorAll(
    '.jp-OutputArea-output .widget-html, .jp-OutputArea-output .widget-html img,'
    + ' .jp-OutputArea-output .jupyter-widgets-output-area')]
    .map(e => e.tagName === 'IMG' ? e.src.slice(-64) : e.innerText).join('|')"""


EXPLORER = [p for p in NOTEBOOKS if _stored(p)["widgets"]]


FOCUSED_JS = """() => { const e = document.activeElement;
    const box = e.closest('.jp-OutputArea-output .jupyter-widgets.widget-vbox');
    const label = (e.labels && e.labels[0] && e.labels[0].innerText)
                  || e.getAttribute('aria-label') || e.getAttribute('title') || e.innerText;
    return {inside: !!box, tag: e.tagName.toLowerCase(), name: (label || '').trim()}; }"""


def _wait_for_change(page, before):
    page.wait_for_function(
        """() => { const w = window.jupyterapp.shell.currentWidget;
                   return w.sessionContext.session.kernel.status === 'idle'; }""",
        timeout=RUN_TIMEOUT_MS, polling=250)
    page.wait_for_function(f"(before) => ({WIDGET_STATE_JS})() !== before", arg=before,
                           timeout=60_000, polling=500)
    return page.evaluate(WIDGET_STATE_JS)


def _tab_to(page, name, limit=20):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_JS)["name"] == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


@pytest.mark.parametrize("path", EXPLORER, ids=[p.stem for p in EXPLORER])
def test_widgets_work_from_the_keyboard(path, lab_server, browser, screenshots):
    """A keyboard-only pass: from the first control, Tab visits every control, each with a
    name; the arrow keys and Enter change the learning rate and the steps, Space picks the data
    set and the parameter, and each change retrains or redraws. The Tab order is written to
    artifacts/keyboard-pass.txt."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        _open_and_run(page, lab_server, path)
        first = page.locator(".jp-OutputArea-output .jupyter-widgets input").first
        first.wait_for(timeout=30_000)
        first.focus()
        order = [page.evaluate(FOCUSED_JS)]
        for _ in range(25):
            page.keyboard.press("Tab")
            here = page.evaluate(FOCUSED_JS)
            if not here["inside"]:
                break
            order.append(here)
        (screenshots.parent / "keyboard-pass.txt").write_text(
            "\n".join(f"{f['tag']}: {f['name']}" for f in order) + "\n")
        names = [f["name"] for f in order]
        assert all(names), f"controls without a name in the Tab order: {order}"
        for name in ("log10 lr", "steps", "seed", "d1", "d2", "random", "teacher", "w1", "b3",
                     "row i", "column j", "log10 ε", "start of training", "end of training"):
            assert name in names, f"Tab never reaches {name!r}: {names}"

        state = page.evaluate(WIDGET_STATE_JS)
        first.focus()
        for keys in (["ArrowUp", "Enter"],                       # lr × 10^(1/4): retrains
                     ["Tab", "ArrowUp", "Enter"]):               # steps + 10: retrains
            for key in keys:
                page.keyboard.press(key)
            state = _wait_for_change(page, state)
        for name in ("teacher", "w1"):                           # buttons: Space presses
            _tab_to(page, name)
            page.keyboard.press("Space")
            state = _wait_for_change(page, state)
        page.screenshot(path=str(screenshots / f"{path.stem}-after-input.png"))
    finally:
        _close(page)


def test_lab_url_lands_on_00_without_news(lab_server, browser, screenshots):
    """The URL JupyterLab prints (what an SSH or WSL user opens) shows 00, not the Launcher, and
    no "Jupyter news" prompt covers it."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"{lab_server['base']}/?reset&token={lab_server['token']}")
        page.wait_for_function(
            """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                       return !!(w && w.context && w.context.isReady); }""", timeout=60_000)
        path = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path")
        assert path == "notebooks/00_start_here.ipynb"
        page.wait_for_timeout(3000)
        assert page.get_by_text("Jupyter news").count() == 0, "the news prompt is shown"
        # The server's root is the repository: its file browser opens in notebooks/, one
        # click below student/ and README.md.
        crumbs = page.locator(".jp-BreadCrumbs").first.inner_text()
        assert "notebooks" in crumbs, f"the file browser is not in notebooks/: {crumbs!r}"
        page.screenshot(path=str(screenshots / "lab-landing.png"))
    finally:
        _close(page)
