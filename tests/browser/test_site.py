"""The static site of ``make html``: every page there, images embedded, widgets kept, links good."""

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
    """Collects the links, image sources, element ids and script types of a page."""

    def __init__(self):
        super().__init__()
        self.links, self.images, self.ids, self.scripts = [], [], set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "img":
            self.images.append(a.get("src") or "")
        elif tag == "script":
            self.scripts.append(a.get("type") or "")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    export_html.export(out)
    pages = {}
    for path in out.glob("*.html"):
        page = Page()
        page.feed(path.read_text(encoding="utf-8"))
        pages[path.name] = page
    return out, pages


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
