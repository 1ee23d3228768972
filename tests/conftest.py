"""Shared set-up for the unit tests of ``helpers``.

* matplotlib draws off screen (Agg), whatever the machine's default backend;
* hypothesis is deterministic (``derandomize=True``), keeps no example database in the repository,
  has no deadline (the machine is shared and its timing is not ours) and runs few examples, so the
  whole unit suite stays fast;
* ``make_problem``, a factory for parameters and data, as a session fixture (test modules cannot
  ``import conftest``: tests/browser has a conftest too, and the name would be ambiguous).
"""

import atexit
import os
import shutil
import tempfile

import matplotlib

matplotlib.use("Agg", force=True)

# IPython's history (a SQLite file, written at every cell) goes to a scratch directory, not the
# user's ~/.ipython: the in-process shells below and the kernels nbval starts inherit it.
# (pytest-xdist's workers inherit the directory of the process that starts them.)
if "IPYTHONDIR" not in os.environ:
    os.environ["IPYTHONDIR"] = tempfile.mkdtemp(prefix="ipython-tests-")
    atexit.register(shutil.rmtree, os.environ["IPYTHONDIR"], ignore_errors=True)

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from helpers import init_params, random_data  # noqa: E402

settings.register_profile(
    "unit", max_examples=25, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow], print_blob=False)
settings.load_profile("unit")

def _make_problem(n, d_in, d1, d2, d_out, *, seed=0, scale=None, bias=0.5, dtype=np.float64):
    """Parameters with non-zero biases, and x, y: a generic point for gradients (no exact 0s)."""
    rng = np.random.default_rng(seed)
    params = init_params(d_in, d1, d2, d_out, rng=rng, scale=scale, dtype=dtype)
    for k in ("b1", "b2", "b3"):
        params[k] = (bias * rng.standard_normal(params[k].shape)).astype(dtype)
    x, y = random_data(n, d_in, d_out, rng=rng, dtype=dtype)
    return params, x, y


@pytest.fixture(scope="session")
def make_problem():
    """``make_problem(n, d_in, d1, d2, d_out, *, seed=0, scale=None, bias=0.5, dtype=float64)``
    returns fresh ``(params, x, y)`` (session scope, so hypothesis tests may use it)."""
    return _make_problem


@pytest.fixture
def problem():
    """A fixed small problem: n=4, d_in=3, d1=5, d2=4, d_out=2, float64."""
    return _make_problem(4, 3, 5, 4, 2, seed=1)


@pytest.fixture(scope="session")
def student_kernel():
    """A real Jupyter kernel in student/: ``run(sources) -> [outputs of each cell]`` executes the
    cells in order in one fresh kernel (errors allowed, one BLAS thread), as a student would."""
    from pathlib import Path

    import nbformat
    from nbclient import NotebookClient

    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    student = Path(__file__).resolve().parent.parent / "student"

    def run(sources):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
               "MPLBACKEND": "Agg"}
        client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(student)}})
        with client.setup_kernel(env=env):
            for i, cell in enumerate(nb.cells):
                client.execute_cell(cell, i)
        return [cell.outputs for cell in nb.cells]

    return run


@pytest.fixture
def student_shell(capsys):
    """A student's kernel, in this process: ``run(source) -> (exception or None, stdout)`` runs a
    cell in an IPython shell whose working directory is student/, with the classroom installed
    (exercises.start), as Jupyter runs it. Warnings are shown, not raised, as in a kernel (a plot
    on Agg warns that it cannot be shown). The shell is shared: its namespace is restored after.
    Much faster than a kernel per notebook; tests/test_handler.py installs the handler in a real
    kernel, and nbval runs every solution notebook in one."""
    import contextlib
    import io
    import os
    import warnings
    from pathlib import Path

    import matplotlib.pyplot as plt
    from IPython.core.interactiveshell import InteractiveShell

    from exercises import _runs, session

    shell = InteractiveShell.instance()
    saved, cwd = dict(shell.user_ns), os.getcwd()
    session.start(shell=shell)          # the notebook's setup cell calls it again, with names

    def run(source):
        with contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = shell.run_cell(source, store_history=True)
        return res.error_in_exec or res.error_before_exec, capsys.readouterr().out

    os.chdir(Path(__file__).resolve().parent.parent / "student")
    try:
        yield run
    finally:
        os.chdir(cwd)
        shell.user_ns.clear()
        shell.user_ns.update(saved)
        _runs.reset()
        plt.close("all")
