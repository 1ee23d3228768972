"""Export the notebooks, with their outputs and widget state, to a static site: ``make html``.

    python tools/export_html.py [OUTPUT_DIR]        (default: site/)

Each ``notebooks/NN_name.ipynb`` becomes ``NN_name.html`` (nbconvert's JupyterLab template, so a
page looks like the notebook in JupyterLab); links between notebooks are rewritten from ``.ipynb``
to ``.html``; every page gets a bar with the site's title and the previous and next notebook, and
``index.html`` lists the notebooks by their titles with their opening sentence. Plots are embedded
(base64). MathJax, require.js and the widget manager that draws the stored widget state are
pinned copies served from the site itself (``tools/site_assets.py``): the site works offline and
loads nothing from a CDN.

Accessibility (WCAG 2.1 AA, checked with axe-core by ``make test-browser``): code, prompts and
secondary text in colours with a contrast of at least 4.5:1, links underlined in running text, a
visible keyboard focus, a skip-to-content link, ``lang="en"``, each figure's ``alt`` from its
output metadata (``helpers.plotting.show_figure``), and MathJax's assistive MathML beside every
equation for screen readers.

Why nbconvert and not Jupyter Book or mkdocs-jupyter: the pages are the notebooks exactly as
JupyterLab shows them, widgets included, with the tools the project already installs; both site
generators would add a stack of dependencies and still need the same pinned scripts to be offline.
"""

import html
import re
import sys
from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from site_assets import URLS, copy_assets

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


# nbconvert's lab template with one change: a figure's ``alt`` comes from its output metadata
# (what ``helpers.plotting.show`` stores), not nbconvert's "No description has been provided".
TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{% block data_png scoped %}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}"
{%- set width = output | get_metadata('width', 'image/png') %}
{%- if width is not none %} width="{{ width | escape_html }}"{% endif %}
{%- set height = output | get_metadata('height', 'image/png') %}
{%- if height is not none %} height="{{ height | escape_html }}"{% endif %}
{%- set alt = output | get_metadata('alt', 'image/png') %}
{%- if alt %} alt="{{ alt | escape_html }}"{% endif %}>
</div>
{% endblock data_png %}
"""


def title_of(nb, fallback):
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def summary_of(nb):
    """The opening paragraph of prose, the title and navigation skipped: at most two sentences,
    lists and bold lead-ins left out (its maths is typeset on the index page too)."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for para in re.split(r"\n\s*\n", cell.source):
            text = " ".join(para.split())
            if not text or text.startswith(("#", "[", "<", "- ", "* ", "**", "|", "Imports")):
                continue
            text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
            text = re.sub(r"\*\*|(?<![\w$])\*|\*(?![\w$])", "", text).replace("`", "")
            sentences = re.split(r"(?<=\.)\s+(?=[A-Z])", text)
            summary = " ".join(sentences[:2])
            return summary[:-1] + "." if summary.endswith(":") else summary
    return ""


SITE_TITLE = "A NumPy neural network, derived and checked by hand"
STYLE = """
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
         color: #1f2328; background: #fafafa; }
  header, footer.site { background: #24292f; color: #fff; padding: 0.6rem 1.2rem; }
  header h1 { font-size: 1.1rem; margin: 0; }
  header a, footer.site a { color: #fff; }
  main { max-width: 52rem; margin: 2rem auto; padding: 0 1.2rem; line-height: 1.5; }
  ol.notebooks { list-style: none; padding: 0; }
  ol.notebooks li { background: #fff; border: 1px solid #d0d7de; border-radius: 6px;
                    margin: 0.6rem 0; padding: 0.7rem 1rem; }
  ol.notebooks a { font-weight: 600; font-size: 1.1rem; text-decoration: none; color: #0969da; }
  ol.notebooks p { margin: 0.3rem 0 0; color: #57606a; }
"""
# Every page: colours for code, prompts and secondary text with a contrast of at least 4.5:1
# on the code cells' grey (#f5f5f5) and on white (WCAG 2.1 AA; tests/browser/test_a11y.py checks
# them with axe-core), links underlined in running text, a visible keyboard focus, and a
# skip-to-content link that shows when focused.
A11Y_STYLE = """<style>
:root { --jp-mirror-editor-keyword-color: #007000; --jp-mirror-editor-builtin-color: #007000;
  --jp-mirror-editor-number-color: #8a4d00; --jp-mirror-editor-comment-color: #3d6b6b;
  --jp-mirror-editor-string-color: #a91f1f; --jp-mirror-editor-operator-color: #7a1fbf;
  --jp-mirror-editor-meta-color: #7a1fbf; --jp-mirror-editor-atom-color: #0d47a1;
  --jp-mirror-editor-def-color: #0000ff; --jp-mirror-editor-attribute-color: #0d47a1;
  --jp-mirror-editor-property-color: #005299; --jp-mirror-editor-punctuation-color: #005299;
  --jp-mirror-editor-bracket-color: #5c5c5c; --jp-mirror-editor-qualifier-color: #5c5c5c;
  --jp-mirror-editor-tag-color: #177017; --jp-mirror-editor-quote-color: #177017;
  --jp-mirror-editor-link-color: #0d47a1; --jp-mirror-editor-header-color: #0d47a1;
  --jp-mirror-editor-error-color: #9e0000; --jp-mirror-editor-hr-color: #616161;
  --jp-cell-inprompt-font-color: #1f5f99; --jp-cell-outprompt-font-color: #9c3f24;
  --jp-cell-prompt-not-active-font-color: #5c5c5c; --jp-cell-prompt-not-active-opacity: 1;
  --jp-content-font-color2: rgba(0, 0, 0, 0.72); --jp-content-font-color3: rgba(0, 0, 0, 0.68); }
.jp-RenderedHTMLCommon a:link, .jp-RenderedHTMLCommon a:visited, main a:link, main a:visited {
  text-decoration: underline; }
a:focus-visible, [tabindex]:focus-visible, button:focus-visible, input:focus-visible,
select:focus-visible, .noUi-handle:focus-visible { outline: 3px solid #1f5f99;
  outline-offset: 2px; }
.skip-link { position: absolute; left: 1rem; top: -3rem; z-index: 10; padding: .4rem .8rem;
  background: #fff; color: #0d47a1; font: 600 14px system-ui, sans-serif; }
.skip-link:focus { top: .5rem; }
.site-bar { display: flex; gap: 1.2rem; align-items: center; font: 14px system-ui, sans-serif;
  background: #24292f; padding: .5rem 1.2rem; }
.site-bar a { color: #fff; }
.site-bar .home { font-weight: 600; margin-right: auto; }
</style>"""
SKIP_LINK = '<a class="skip-link" href="#content">Skip to content</a>'


def nav_bar(pages, i, label):
    links = [f'<a class="home" href="index.html">{html.escape(SITE_TITLE)}</a>']
    if i > 0:
        links.append(f'<a rel="prev" href="{pages[i - 1][0]}.html">← '
                     f'{html.escape(pages[i - 1][1])}</a>')
    if i + 1 < len(pages):
        links.append(f'<a rel="next" href="{pages[i + 1][0]}.html">'
                     f'{html.escape(pages[i + 1][1])} →</a>')
    return f'<nav class="site-bar" aria-label="{label}">{" ".join(links)}</nav>'


def index_page(pages):
    items = "\n".join(
        f'    <li><a href="{stem}.html">{html.escape(title)}</a><p>{html.escape(summary)}</p></li>'
        for stem, title, summary in pages)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n  <meta charset="utf-8">\n'
            f'  <meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"  <title>{SITE_TITLE}</title>\n  <style>{STYLE}</style>\n"
            f'  <script src="{URLS["mathjax_url"]}"></script>\n'
            f"  <script type=\"text/x-mathjax-config\">MathJax.Hub.Config({{tex2jax: "
            f"{{inlineMath: [['$', '$']], processEscapes: true}}, messageStyle: 'none'}});"
            f"</script>\n{A11Y_STYLE}\n</head>\n<body>\n{SKIP_LINK}\n"
            f'<header><h1>{SITE_TITLE}</h1></header>\n<main id="content" tabindex="-1">\n'
            f"  <p>Static copies of the notebooks with their outputs, in reading order. To run "
            f"them, clone the repository and follow its README (<code>make lab</code>).</p>\n"
            f'  <ol class="notebooks">\n{items}\n  </ol>\n</main>\n'
            f'<footer class="site">Code MIT, text CC BY 4.0.</footer>\n</body>\n</html>\n')


def export(out_dir):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    n_assets = copy_assets(out_dir)
    exporter = HTMLExporter(template_name="lab", template_file="a11y.html.j2",
                            extra_loaders=[DictLoader({"a11y.html.j2": TEMPLATE})],
                            embed_images=True, **URLS, mermaid_js_url="",
                            mermaid_layout_elk_js_url="")
    exporter.register_preprocessor(NotebookLinksToHtml(), enabled=True)
    notebooks = [(path, nbformat.read(path, as_version=4))
                 for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]
    pages = [(path.stem, title_of(nb, path.stem), summary_of(nb)) for path, nb in notebooks]
    for i, (path, nb) in enumerate(notebooks):
        nb.metadata["title"] = title_of(nb, path.stem)             # the browser tab's title
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        start = body.index(">", body.index("<body")) + 1
        body = (f"{body[:start]}\n{A11Y_STYLE}\n{SKIP_LINK}\n"
                f"{nav_bar(pages, i, 'Notebooks')}{body[start:]}")
        body = body.replace("<main>", '<main id="content" tabindex="-1">', 1)
        body = body.replace("</body>", f"{nav_bar(pages, i, 'Notebooks, end of page')}\n"
                                       "</body>", 1)
        (out_dir / f"{path.stem}.html").write_text(body, encoding="utf-8")
        print(f"wrote {out_dir / path.stem}.html")
    (out_dir / "index.html").write_text(index_page(pages), encoding="utf-8")
    print(f"wrote {out_dir / 'index.html'} and {n_assets} pinned script and font files")
    return pages


if __name__ == "__main__":
    export(sys.argv[1] if len(sys.argv) > 1 else ROOT / "site")
