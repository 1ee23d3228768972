"""The classroom in a student's kernel, installed by the notebook's setup cell::

    exercises.start("dy", "dw3", "db3")      # the names this notebook's exercise cells compute

:func:`start` registers, with the running IPython shell,

* the exception handler of :mod:`.handler`: the catalogue's hint after a NumPy error that a
  typical mistake raises in the student's own cell; a failed check shows its message without
  the checker's own frames; a NameError for a name an exercise cell computes says which cell
  to run first;
* a ``post_run_cell`` hook that remembers, for every name a cell binds, whether that cell's last
  run raised: a check then judges the value of the exercise cell's last run, never one left over
  from an earlier attempt (:func:`exercises._compare.last_run`); a failed check is not the
  cell's failure, and a check in the exercise's own cell judges the value it is given;
* a ``pre_run_cell`` hook that remembers the values an exercise cell is about to rebind
  (``def forward``, ``w3 = w3.T``), so that the ``use`` cell after it puts the notebook's own
  back (:func:`restore_rebound`). Nothing is set or replaced before a cell runs.

Outside IPython :func:`start` does nothing.
"""

import re
import types

import numpy as np

from . import _runs, handler
from ._compare import ExerciseError
from .provenance import user_namespace
from .tasks import TASK_OF_NAME, TASKS

_USE_CALL = re.compile(r"(?<![\w.])(?:exercises\.)?use(?:_step)?\(")


def start(*names, shell=None):
    """Install the classroom in the running IPython shell; ``names``: what this notebook's
    exercise cells compute, in order. Returns None (a setup cell shows nothing)."""
    bad = [n for n in names if not (isinstance(n, str) and n.isidentifier())]
    if bad:
        raise ValueError(f"start() takes the names the exercise cells compute; got {bad[0]!r}")
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:                        # pragma: no cover - IPython is a dependency
            return
        shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return
    _runs.reset()
    _runs.EXERCISES.extend(names)
    shell.set_custom_exc((Exception,), handler.handle)
    for event, hook in (("pre_run_cell", _before), ("post_run_cell", _after)):
        if hook not in shell.events.callbacks[event]:
            shell.events.register(event, hook)


def _answers():
    return set(_runs.EXERCISES) or set(TASKS) | set(TASK_OF_NAME)


def _relied_on(value):
    """A value later cells rely on by name: a function, a module, an array, a dict of them."""
    return callable(value) or isinstance(value, (types.ModuleType, np.ndarray, dict))


def _before(info):
    """Before an exercise cell runs: remember what it will rebind (nothing is changed)."""
    source = getattr(info, "raw_cell", "") or ""
    ns = user_namespace()
    if ns is None or _USE_CALL.search(source):
        return
    bound = _runs.bound_names(source)
    answers = [b for b in bound if b in _answers()]
    saved = {b: ns[b] for b in bound if b not in answers and b in ns and _relied_on(ns[b])}
    for a in answers:
        _runs.REBOUND[a] = saved


def _after(result):
    """After any cell: for each name it binds, whether this run raised. A check that failed
    in the cell (an ExerciseError, its own or another quantity's) is no failure of the cell's
    code: what the cell bound above that check counts as computed."""
    err = getattr(result, "error_before_exec", None) or getattr(result, "error_in_exec", None)
    info = getattr(result, "info", None)
    source = getattr(info, "raw_cell", "") or ""
    computed = set()
    if isinstance(err, ExerciseError):
        computed = _runs.bound_before(source, _runs.failing_line(err, user_namespace()))
    for name in _runs.bound_names(source):
        _runs.LAST[name] = _runs.describe(err) if err is not None and name not in computed \
            else None


def restore_rebound(answer, ns):
    """Put back what the exercise cell of ``answer`` rebound, with one line; returns the names."""
    saved = _runs.REBOUND.pop(answer, {})
    back = [k for k, old in saved.items() if ns.get(k, saved) is not old]
    hist = ns.get("In")
    for k in back:
        ns[k] = saved[k]
        _runs.RESTORED[k] = len(hist) - 1 if isinstance(hist, list) else 0
    if back:
        names = ", ".join(back)
        print(f"your {answer} cell redefined {names}: the cells below use the notebook's own "
              f"{names} again.")
    return back

