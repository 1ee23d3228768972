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

# the arrays of the running example an answer can share memory with, in the order computed
QUANTITIES = ("h1", "h1_relu", "B", "h2", "h2_relu", "A", "y_pred", "dy", "dh2", "dh1")
_NEEDS_Y = ("dy", "dh2", "dh1")


def user_namespace():
    """The namespace of the running IPython shell, or None."""
    try:
        from IPython import get_ipython
    except ImportError:                            # pragma: no cover - IPython is a dependency
        return None
    return getattr(get_ipython(), "user_ns", None)


def clobbered(var, value, params, x, y=None):
    """The name of another quantity in the user's namespace that shares memory with ``value``
    and no longer holds its own value (``var``'s computation changed it), else None."""
    ns = user_namespace()
    if not ns or not isinstance(value, np.ndarray) or value.size == 0:
        return None
    ref = None
    for q in QUANTITIES:
        other = ns.get(q)
        if q == var or (q in _NEEDS_Y and y is None) or not isinstance(other, np.ndarray) or \
                not np.shares_memory(other, value):
            continue
        ref = ref if ref is not None else intermediates(params, x, y)
        if _changed(other, ref[q]):
            return q
    return None


def _changed(value, ref):
    tol = tol_for(ref.dtype if ref.dtype != bool else np.float64)
    return value.shape != ref.shape or not close(value.astype(np.float64), ref.astype(np.float64),
                                                 tol)


def refuse(var, value, params, x, y=None):
    """Raise ExerciseError if computing ``value`` changed another quantity in place."""
    q = clobbered(var, value, params, x, y)
    if q is not None:
        m = MISTAKES["x-in-place"]
        raise ExerciseError(f"{var} shares its memory with {q}, and {q} no longer holds its own "
                            f"value: computing {var} changed {q} in place, or gave {q} a new "
                            f"value." + hint_line(m), m.key)


def restore(var, value, params, x, y=None):
    """Put every quantity of the user's namespace that no longer holds its value (changed in
    place through ``value``, or given a new value in an exercise cell: ``A = A * …``,
    ``h1_relu = h1_relu.T``) back to its reference value, with one line each; returns their
    names. ``var`` itself is left to ``use``."""
    ns = user_namespace()
    if not ns:
        return []
    ref, restored = None, []
    for q in QUANTITIES:
        other = ns.get(q)
        if q == var or (q in _NEEDS_Y and y is None) or not isinstance(other, np.ndarray):
            continue
        ref = ref if ref is not None else intermediates(params, x, y)
        if not _changed(other, ref[q]):
            continue
        how = (f"was changed in place through {var}" if isinstance(value, np.ndarray)
               and value.size and np.shares_memory(other, value) else "no longer holds its value")
        ns[q] = ref[q].copy()
        restored.append(q)
        print(f"{q} {how}: the cells below use the reference value of {q}.")
    return restored
