"""Export the notebooks, with their outputs and widget state, to a static site: ``make html``.

    python tools/export_html.py [OUTPUT_DIR]        (default: site/)

Each ``notebooks/NN_name.ipynb`` becomes ``NN_name.html``; links between notebooks are rewritten
from ``.ipynb`` to ``.html`` so they work in the site; ``index.html`` lists every page. Plots are
embedded in the pages (base64), equations are typeset by MathJax and widgets are drawn from the
stored widget state by the widget HTML manager, both loaded by the reader's browser.
"""

import html
import re
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor

ROOT = Path(__file__).resolve().parents[1]
MARKDOWN_LINK = re.compile(r"\]\((?:\./)?(\d\d_[\w-]+)\.ipynb(#[^)\s]*)?\)")
HTML_LINK = re.compile(r"href=([\"'])(?:\./)?(\d\d_[\w-]+)\.ipynb")
# A link out of notebooks/ (e.g. to ../student/) has no page in the site: keep its text only.
OUTSIDE_LINK = re.compile(r"\[([^\]]+)\]\(\.\./[^)\s]*\)")


def to_html_links(text):
    """``(NN_name.ipynb#a)`` → ``(NN_name.html#a)`` in markdown, likewise in ``href="…"``;
    ``[text](../elsewhere)`` → ``text (in the repository)``."""
    text = MARKDOWN_LINK.sub(lambda m: f"]({m[1]}.html{m[2] or ''})", text)
    text = OUTSIDE_LINK.sub(lambda m: f"{m[1]} (in the repository)", text)
    return HTML_LINK.sub(lambda m: f"href={m[1]}{m[2]}.html", text)


class NotebookLinksToHtml(Preprocessor):
    """Point links between notebooks at their pages: in markdown cells and in the markdown or
    HTML that code cells display."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = to_html_links(cell.source)
        for out in cell.get("outputs", []):
            for mime in ("text/markdown", "text/html"):
                if mime in out.get("data", {}):
                    out["data"][mime] = to_html_links("".join(out["data"][mime]))
        return cell, resources


def title_of(nb, fallback):
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def export(out_dir):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(template_name="lab", embed_images=True)
    exporter.register_preprocessor(NotebookLinksToHtml(), enabled=True)
    pages = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        (out_dir / f"{path.stem}.html").write_text(body, encoding="utf-8")
        pages.append((path.stem, title_of(nb, path.stem)))
        print(f"wrote {out_dir / path.stem}.html")
    items = "\n".join(f'    <li><a href="{stem}.html">{html.escape(title)}</a></li>'
                      for stem, title in pages)
    (out_dir / "index.html").write_text(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n"
        "  <title>A NumPy neural network, derived and checked by hand</title>\n</head>\n<body>\n"
        "  <h1>A NumPy neural network, derived and checked by hand</h1>\n"
        "  <p>Static copies of the notebooks with their outputs. To run them, see the "
        "project's README (<code>make lab</code>).</p>\n"
        f"  <ol start=\"0\">\n{items}\n  </ol>\n</body>\n</html>\n", encoding="utf-8")
    print(f"wrote {out_dir / 'index.html'}")
    return pages


if __name__ == "__main__":
    export(sys.argv[1] if len(sys.argv) > 1 else ROOT / "site")
