"""An answer that changed another quantity in place.

``h1_relu = h1`` gives the array ``h1`` a second name; ``h1_relu[h1_relu < 0] = 0`` then changes
``h1`` too. The value of ``h1_relu`` is right, but ``h1`` is gone, and every later cell that reads
it (the mask B (64), for one) is wrong. The checks refuse such an answer, and ``use`` puts the
changed quantity back, so nothing cascades. Only the user's namespace in IPython (Jupyter) is
looked at; outside IPython nothing is refused.
"""

import numpy as np

from ._compare import ExerciseError, close, hint_line, tol_for
from .catalogue import MISTAKES
from .context import intermediates
from .provenance import user_namespace
from .tasks import TASKS

# the arrays of the running example an answer can share memory with, in the order computed
QUANTITIES = ("h1", "h1_relu", "B", "h2", "h2_relu", "A", "y_pred", "dy", "dh2", "dh1")
_NEEDS_Y = ("dy", "dh2", "dh1")


def _changed_quantities(var, params, x, y, sharing_with=None):
    """(name, array, reference value) of each quantity of the user's namespace other than
    ``var`` that no longer holds its own value; with ``sharing_with``, only those that share
    memory with it (so a check computes the reference only when something is shared)."""
    ns = user_namespace() or {}
    present = [q for q in QUANTITIES if q != var and isinstance(ns.get(q), np.ndarray)
               and (y is not None or q not in _NEEDS_Y)
               and (sharing_with is None or _shares(ns[q], sharing_with))]
    ref = intermediates(params, x, y) if present else {}
    for q in present:
        r = ref[q]
        tol = tol_for(r.dtype if r.dtype != bool else np.float64)
        if ns[q].shape != r.shape or not close(ns[q].astype(np.float64), r.astype(np.float64),
                                               tol):
            yield q, ns[q], r


def _shares(a, b):
    return isinstance(b, np.ndarray) and b.size > 0 and np.shares_memory(a, b)


def clobbered(var, value, params, x, y=None):
    """The name of another quantity in the user's namespace that shares memory with ``value``
    and no longer holds its own value (``var``'s computation changed it), else None."""
    if not isinstance(value, np.ndarray):
        return None
    return next((q for q, _, _ in _changed_quantities(var, params, x, y, value)), None)


def refuse(var, value, params, x, y=None):
    """Raise ExerciseError if computing ``value`` changed another quantity in place."""
    q = clobbered(var, value, params, x, y)
    if q is None:
        return
    m = MISTAKES["x-in-place"]
    own = intermediates(params, x, y).get(var)
    right = isinstance(own, np.ndarray) and own.shape == value.shape and close(
        value.astype(np.float64), own.astype(np.float64), tol_for(own.dtype))
    if right:
        msg = (f"{var} has the right values, but {var} shares its memory with {q}: computing it "
               f"changed {q} in place, so {q} no longer holds its own value, and the cells "
               f"below read {q}. Compute {var} as a new array instead of changing {q} in place.")
    else:
        msg = (f"{var} shares its memory with {q}, and {q} no longer holds its own value: "
               f"computing {var} changed {q} in place, or gave {q} a new value.")
    raise ExerciseError(msg + hint_line(m, TASKS[var].eq if var in TASKS else ""), m.key)


def restore(var, value, params, x, y=None):
    """Put every quantity of the user's namespace that no longer holds its value (changed in
    place through ``value``, or given a new value in an exercise cell: ``A = A * …``,
    ``h1_relu = h1_relu.T``) back to its reference value, with one line each; returns their
    names. ``var`` itself is left to ``use``."""
    restored = []
    for q, arr, ref in list(_changed_quantities(var, params, x, y)):
        how = (f"was changed in place through {var}" if _shares(arr, value)
               else "no longer holds its value")
        user_namespace()[q] = ref.copy()
        restored.append(q)
        print(f"{q} {how}: the cells below use the reference value of {q}.")
    return restored
