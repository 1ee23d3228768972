"""The static site of ``make html``: every page there, images embedded, widgets kept, links good,
and, in headless Chromium with every request off localhost blocked, equations typeset and the
stored widgets drawn from the site's own pinned scripts."""

import json
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import export_html  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


class Page(HTMLParser):
    """Collects the links, image sources, element ids, script types, heading levels and the
    language of a page."""

    def __init__(self):
        super().__init__()
        self.links, self.images, self.ids, self.scripts = [], [], set(), []
        self.headings, self.lang = [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.headings.append(int(tag[1]))
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "img":
            self.images.append(a.get("src") or "")
        elif tag == "script":
            self.scripts.append(a.get("type") or "")


@pytest.fixture(scope="module")
def site(site_dir):
    pages = {}
    for path in site_dir.glob("*.html"):
        page = Page()
        page.feed(path.read_text(encoding="utf-8"))
        pages[path.name] = page
    return site_dir, pages


def test_every_notebook_has_a_page_listed_in_the_index(site):
    out, pages = site
    assert NOTEBOOKS, "no notebooks found"
    for nb in NOTEBOOKS:
        assert f"{nb.stem}.html" in pages, f"{nb.name} was not exported"
        assert f"{nb.stem}.html" in pages["index.html"].links, f"index.html misses {nb.stem}"


def test_images_are_embedded(site):
    _, pages = site
    for nb in NOTEBOOKS:
        page = pages[f"{nb.stem}.html"]
        stored = sum("image/png" in o.get("data", {})
                     for c in json.loads(nb.read_text())["cells"] for o in c.get("outputs", []))
        assert len(page.images) >= stored, f"{nb.stem}: {stored} plots stored, " \
            f"{len(page.images)} images in the page"
        bad = [src[:60] for src in page.images if not src.startswith("data:image/")]
        assert not bad, f"{nb.stem}: images not embedded: {bad}"


def test_widget_state_is_in_the_pages_of_notebooks_with_widgets(site):
    _, pages = site
    for nb in NOTEBOOKS:
        meta = json.loads(nb.read_text())["metadata"]
        if WIDGET_STATE in meta.get("widgets", {}):
            assert WIDGET_STATE in pages[f"{nb.stem}.html"].scripts, \
                f"{nb.stem}: widget state stored in the notebook but missing from the page"


def test_pages_have_a_language_a_skip_link_and_headings_in_order(site):
    _, pages = site
    for name, page in pages.items():
        assert page.lang == "en", f"{name}: <html lang> is {page.lang!r}"
        assert page.links[0] == "#content" and "content" in page.ids, \
            f"{name}: the first link is not a skip link to the content"
        levels = page.headings
        assert levels and levels[0] == 1 and levels.count(1) == 1, \
            f"{name}: headings must open with the one h1, got {levels[:5]}"
        jumps = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
        assert not jumps, f"{name}: headings skip a level: {jumps}"


def test_relative_links_resolve(site):
    out, pages = site
    broken = []
    for name, page in pages.items():
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith("#"):
                continue
            target = out / parts.path
            if not target.exists():
                broken.append(f"{name} → {href}")
            elif parts.fragment and target.suffix == ".html":
                if parts.fragment not in pages[target.name].ids:
                    broken.append(f"{name} → {href} (no such anchor)")
    assert not broken, "broken links in the static site:\n" + "\n".join(broken)


def test_pages_name_no_cdn(site):
    out, _ = site
    for page in sorted(out.glob("*.html")):
        text = page.read_text(encoding="utf-8")
        for host in ("cdnjs.", "unpkg.", "jsdelivr.", "googleapis."):
            assert host not in text, f"{page.name} still names {host}"


def _offline_page(browser, base):
    """A page whose requests off the site's host are blocked and recorded."""
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    blocked = []

    def route(r):
        if r.request.url.startswith(base + "/") or r.request.url.startswith("data:"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return page, blocked


def _math_and_raw_tex(page):
    return page.evaluate("""() => ({
        typeset: document.querySelectorAll('.MathJax_CHTML, mjx-container').length,
        raw: ([...document.querySelectorAll('.jp-RenderedMarkdown, .jp-RenderedLatex')]
              .map(e => e.innerText).join('\\n').match(/\\$[^$\\s][^$]*\\$/g)
              || []).slice(0, 3)})""")


@pytest.mark.parametrize("stem", ["01_derivation", "07_gradient_checking"])
def test_equations_are_typeset_offline(stem, site_server, browser, screenshots):
    page, blocked = _offline_page(browser, site_server)
    try:
        page.goto(f"{site_server}/{stem}.html")
        page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue"
                               " && MathJax.Hub.queue.pending === 0"
                               " && document.querySelectorAll('.MathJax_CHTML').length > 0",
                               timeout=60_000, polling=250)
        found = _math_and_raw_tex(page)
        assert found["typeset"] > 10, f"{stem}: only {found['typeset']} equations typeset"
        # What a screen reader reads: MathJax's assistive MathML beside every equation.
        mathml = page.locator(".MJX_Assistive_MathML math").count()
        assert mathml >= found["typeset"], f"{stem}: {mathml} of {found['typeset']} equations " \
            "have assistive MathML"
        assert not found["raw"], f"{stem}: raw TeX left on the page: {found['raw']}"
        page.screenshot(path=str(screenshots / f"site-{stem}.png"))
    finally:
        page.close()
    assert not blocked, f"{stem} asked for files off the site: {blocked[:5]}"


def test_stored_widgets_are_drawn_offline(site, site_server, browser, screenshots):
    stems = [nb.stem for nb in NOTEBOOKS
             if WIDGET_STATE in json.loads(nb.read_text())["metadata"].get("widgets", {})]
    assert stems, "no notebook stores widget state"
    for stem in stems:
        page, blocked = _offline_page(browser, site_server)
        try:
            page.goto(f"{site_server}/{stem}.html")
            page.locator(".jupyter-widgets input").first.wait_for(
                timeout=60_000)
            drawn = page.locator(".jupyter-widgets").count()
            assert drawn > 3, f"{stem}: only {drawn} widget elements drawn"
            page.screenshot(path=str(screenshots / f"site-{stem}.png"), full_page=False)
        finally:
            page.close()
        assert not blocked, f"{stem} asked for files off the site: {blocked[:5]}"


def test_index_lists_titles_and_pages_link_to_neighbours(site):
    _, pages = site
    index = pages["index.html"]
    for i, nb in enumerate(NOTEBOOKS):
        page = pages[f"{nb.stem}.html"]
        assert "index.html" in page.links, f"{nb.stem}: no link back to the index"
        if i + 1 < len(NOTEBOOKS):
            assert f"{NOTEBOOKS[i + 1].stem}.html" in page.links, f"{nb.stem}: no next link"
    text = (site[0] / "index.html").read_text(encoding="utf-8")
    for nb in NOTEBOOKS:
        title = export_html.title_of(__import__("nbformat").read(nb, as_version=4), nb.stem)
        assert title in text.replace("&#x27;", "'"), f"index.html lacks the title {title!r}"
    assert len(index.links) >= len(NOTEBOOKS)
