"""Re-execute notebooks in place, top to bottom in a fresh kernel each: ``make notebooks``.

Outputs, execution counts 1, 2, 3, … and ipywidgets state (``metadata.widgets``, which nbviewer
and the exported HTML use to draw widgets without a kernel; GitHub's viewer does not draw them)
are written back into the file.
Each notebook runs in its own folder, as JupyterLab and nbval run it.

    python tools/execute_notebooks.py notebooks/*.ipynb
"""

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path, timeout=600):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True,
                            record_timing=False,  # timestamps would make every re-run a diff
                            resources={"metadata": {"path": str(Path(path).parent)}})
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    client.execute()
    for cell in nb.cells:                        # a stored stderr stream fails strict nbval
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                raise RuntimeError(f"{path}: a cell wrote to stderr: {out.get('text', '')[:200]}")
    nbformat.write(nb, path)


def main(paths):
    if not paths:
        sys.exit("usage: python tools/execute_notebooks.py NOTEBOOK.ipynb [...]")
    for path in paths:
        print(f"executing {path}", flush=True)
        execute(path)


if __name__ == "__main__":
    main(sys.argv[1:])
