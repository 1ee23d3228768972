"""Accessibility in a real browser: axe-core's WCAG 2.0/2.1 A and AA rules on every page of the
site and on JupyterLab with a notebook open; any serious or critical violation fails.

axe-core is a pinned npm package checked by hash like the site's scripts (tools/site_assets.py);
it is injected into each page after the page has typeset its equations and drawn its widgets.
Each page's full result (every impact) is written to artifacts/axe/<page>.json.
"""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from site_assets import read_asset  # noqa: E402
from test_lab import _close, _open_and_run  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PAGES = ["index"] + [nb.stem for nb in NOTEBOOKS]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
REPORTS = ROOT / "artifacts" / "axe"
# JupyterLab's own interface is not this project's: the check there covers the open notebook.
LAB_NOTEBOOK = "notebooks/09_explorer.ipynb"

# JupyterLab's own interface, not this project's: violations axe finds there in JupyterLab 4.6,
# the elements they are on, and why. They are reported (artifacts/axe/lab-*.json), not failed on.
LAB_OWN = {
    "aria-input-field-name": (".cm-content", "the cell editors (CodeMirror) have no name"),
    "aria-allowed-attr": (".jp-DebuggerBugButton", "the toolbar's debugger switch"),
    "aria-required-children": (".jp-WindowedPanel-viewport", "the notebook's cell list"),
    # JupyterLab draws image/png outputs without the alt of their metadata: the test checks
    # that every figure's output carries one (the site shows it as its alt attribute).
    "image-alt": (".jp-RenderedImage img", "figures: JupyterLab ignores the alt metadata"),
}
AXE_RUN_JS = """async ([selector, tags, known]) => {
  const context = selector === 'document' ? document : selector;
  const result = await axe.run(context, {runOnly: {type: 'tag', values: tags},
                                         resultTypes: ['violations']});
  const own = (v, n) => { const e = document.querySelector(n.target.join(' '));
                          return !!(known[v.id] && e && e.matches(known[v.id])); };
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
      count: v.nodes.filter(n => !own(v, n)).length,
      where: v.nodes.filter(n => !own(v, n)).map(n => n.target.join(' ')),
      jupyterlab_own: v.nodes.filter(n => own(v, n)).length}));
}"""
PAGE_READY_JS = """() => {
  const mathDone = !window.MathJax || (MathJax.Hub && MathJax.Hub.queue
                                       && MathJax.Hub.queue.pending === 0);
  const widgets = document.querySelector(
    'script[type="application/vnd.jupyter.widget-state+json"]');
  return mathDone && (!widgets || document.querySelectorAll('.jupyter-widgets').length > 3);
}"""


def axe(page, name, selector="document", known=None):
    """Run axe on ``selector`` of ``page``; save the result; return the blocking violations,
    leaving out the nodes that match ``known`` (rule → CSS selector)."""
    page.add_script_tag(content=read_asset("axe-core", "axe.min.js"))
    violations = page.evaluate(AXE_RUN_JS, [selector, AXE_TAGS, known or {}])
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{name}.json").write_text(json.dumps(violations, indent=1))
    return [v for v in violations if v["impact"] in BLOCKING and v["count"]]


def describe(violations):
    return "\n".join(f"  {v['impact']} {v['id']} ×{v['count']}: {v['help']} (e.g. "
                     f"{'; '.join(v['where'][:3])})" for v in violations)


@pytest.mark.parametrize("stem", PAGES)
def test_site_page_has_no_serious_axe_violation(stem, site_server, browser):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    try:
        page.goto(f"{site_server}/{stem}.html")
        page.wait_for_function(PAGE_READY_JS, timeout=60_000, polling=250)
        blocking = axe(page, f"site-{stem}")
    finally:
        page.close()
    assert not blocking, f"{stem}.html: serious or critical axe violations:\n" + \
        describe(blocking)


def test_no_figure_keeps_the_placeholder_alt(site_dir):
    """nbconvert writes this when an image has no alt; every figure has its own text instead."""
    placeholder = "No description has been provided for this image"
    found = {p.name: p.read_text(encoding="utf-8").count(placeholder)
             for p in sorted(site_dir.glob("*.html"))}
    found = {name: n for name, n in found.items() if n}
    assert not found, f"figures without a text alternative (page: count): {found}"


FIGURES_WITHOUT_ALT_JS = """() => window.jupyterapp.shell.currentWidget.content.widgets
    .filter(c => c.model.type === 'code').flatMap(c => c.model.outputs.toJSON())
    .filter(o => o.data && o.data['image/png']
                 && !((o.metadata || {})['image/png'] || {}).alt).length"""


def test_jupyterlab_notebook_has_no_serious_axe_violation(lab_server, browser):
    """The explorer, run in JupyterLab: its markdown, equations, figures and widgets. What axe
    finds in JupyterLab's own interface (LAB_OWN) is written to the report, not failed on."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        _open_and_run(page, lab_server, ROOT / LAB_NOTEBOOK)
        page.locator(".jp-OutputArea-output .jupyter-widgets input").first.wait_for()
        page.wait_for_timeout(2000)
        known = {rule: selector for rule, (selector, _) in LAB_OWN.items()}
        blocking = axe(page, "lab-notebook", ".jp-NotebookPanel", known)
        without_alt = page.evaluate(FIGURES_WITHOUT_ALT_JS)
    finally:
        _close(page)
    assert not blocking, f"{LAB_NOTEBOOK} in JupyterLab: serious or critical axe violations:\n" \
        + describe(blocking)
    assert without_alt == 0, f"{LAB_NOTEBOOK}: {without_alt} figures without alt metadata"
