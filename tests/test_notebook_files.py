"""The committed notebooks as files: what strict nbval, static viewers and readers rely on.

nbval re-executes the notebooks and compares outputs; these checks read the stored JSON only:
executed top to bottom in a fresh kernel, no error or stderr stored, no NumPy reprs that differ
between versions, a title and navigation, and well-formed widget state where widgets are shown.
"""

import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
ids = [p.stem for p in NOTEBOOKS]


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def test_the_collection_is_numbered_in_reading_order():
    numbers = [int(p.name[:2]) for p in NOTEBOOKS]
    assert numbers == list(range(len(NOTEBOOKS))), f"notebook numbers {numbers} have gaps"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_executed_top_to_bottom_without_errors(path):
    nb = load(path)
    counts = [c["execution_count"] for c in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), \
        f"{path.name}: execution counts {counts}; re-run it with `make notebooks`"
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"{path.name} cell {i}: stored error"
            assert not (out["output_type"] == "stream" and out["name"] == "stderr"), \
                f"{path.name} cell {i}: stored stderr {''.join(out['text'])[:80]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_no_version_dependent_reprs_in_outputs(path):
    pattern = re.compile(r"np\.(float|int)\d+\(|array\(\[| at 0x[0-9a-f]{6,}")
    for i, cell in enumerate(load(path)["cells"]):
        for out in cell.get("outputs", []):
            text = "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
            if "<Figure size" in text or WIDGET_VIEW in out.get("data", {}):
                continue
            match = pattern.search(text)
            assert not match, f"{path.name} cell {i} prints a raw repr {match.group()!r}: " \
                "format numbers with helpers.printing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_title_navigation_and_kernel(path):
    nb = load(path)
    first = "".join(nb["cells"][0]["source"])
    assert nb["cells"][0]["cell_type"] == "markdown" and first.startswith("# "), \
        f"{path.name} must open with a markdown title"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    for target in set(re.findall(r"\]\(([\w-]+\.ipynb)(?:#[^)]*)?\)", text)):
        assert (path.parent / target).exists(), f"{path.name} links to missing {target}"
    i = NOTEBOOKS.index(path)
    neighbours = NOTEBOOKS[max(i - 1, 0):i] + NOTEBOOKS[i + 1:i + 2]
    for other in neighbours:
        assert f"({other.name}" in text, f"{path.name} does not link to {other.name}"


def markdown(nb):
    """The markdown cells' text, fenced code left out (a '# comment' there is no heading)."""
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    return re.sub(r"```.*?```", "", text, flags=re.S)


def anchors(nb):
    """JupyterLab's anchor of each heading: the heading's text with spaces as '-'."""
    return {h.strip().replace(" ", "-")
            for h in re.findall(r"^#{1,6} +(.+)$", markdown(nb), flags=re.M)}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_anchor_links_name_a_heading_of_their_target(path):
    """A link `NN_name.ipynb#Some-heading` (or `#Some-heading` within the notebook) opens at that
    heading only if the target has it; a renamed or moved section leaves the link dead silently."""
    links = re.findall(r"\]\(([\w-]+\.ipynb)?#([^)\s]+)\)", markdown(load(path)))
    for target, anchor in links:
        other = path.parent / target if target else path
        if other.exists():                          # a missing file: the test above says so
            assert unquote(anchor) in anchors(load(other)), \
                f"{path.name} links to {target or 'itself'}#{anchor}: no such heading there"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_widget_state_is_well_formed(path):
    """nbviewer and the exported HTML draw widgets from ``metadata.widgets`` alone (GitHub's
    notebook viewer does not draw widgets at all)."""
    nb = load(path)
    shown = {o["data"][WIDGET_VIEW]["model_id"] for c in nb["cells"]
             for o in c.get("outputs", []) if WIDGET_VIEW in o.get("data", {})}
    if not shown:
        return
    state = nb["metadata"].get("widgets", {}).get(WIDGET_STATE)
    assert state is not None, f"{path.name} shows widgets but stores no widget state"
    assert set(state) >= {"state", "version_major", "version_minor"}, \
        f"{path.name}: widget state lacks {{'state', 'version_major', 'version_minor'}}"
    assert isinstance(state["version_major"], int) and isinstance(state["version_minor"], int)
    missing = shown - set(state["state"])
    assert not missing, f"{path.name}: displayed widgets without stored state: {sorted(missing)}"
    for model_id, model in state["state"].items():
        assert {"model_name", "model_module", "model_module_version", "state"} <= set(model), \
            f"{path.name}: widget {model_id} is missing model fields"
