"""Refuse an answer taken from the reference implementation.

Two ways to tell, both cheap and without false alarms on honest work:

* **identity.** Every array :func:`exercises.reference` and
  :func:`exercises.use` hand out is remembered (weakly), with the quantity it was handed
  out as; an answer to that quantity that is one of them, or a view of one, is refused.
* **source.** In IPython (Jupyter), the check reads the input history: the last cell before the
  check that assigns the answer's variable, the statements that assign the names it is computed
  from, and the bodies of the functions it calls. A call there to the reference for the very
  quantity asked (``helpers.backward``, ``forward``, ``numerical_gradient``, ``check_gradients``,
  ``gd_step``, ``exercises.reference("dw3", …)`` …) refuses the answer. Outside IPython only the
  identity test applies.
"""

import ast
import functools
import sys
import weakref

import numpy as np

from . import _runs
from ._compare import ExerciseError

_FORWARD = {"forward", "_forward"}
_GRADS = {"backward", "_backward", "numerical_gradient", "check_gradients", "seed_bias_gradient"}
FORBIDDEN = {
    **{q: _FORWARD for q in ("h1", "h2", "y_pred")},
    "h1_relu": _FORWARD | {"relu"}, "h2_relu": _FORWARD | {"relu"},
    "L": {"loss", "_loss"},
    **{q: _GRADS for q in ("dy", "dh2", "dh1", "dw3", "db3", "dw2", "db2", "dw1", "db1")},
    "numerical": {"numerical_gradient", "check_gradients", "backward", "_backward"},
    "step": {"gd_step", "train"},
}
# reference functions that fill one argument in place: its position
_MUTATORS = {"backward": 3, "_backward": 3, "forward": 2, "_forward": 2, "gd_step": 0}
# id -> (weakref, quantity) of the arrays reference() / use() handed out; quantity None: any
_ISSUED = {}
_GRADIENTS = {"dw1", "db1", "dw2", "db2", "dw3", "db3"}


def issue(array, quantity=None):
    """Remember ``array`` as handed out by the reference as the value of ``quantity`` (None:
    refused as the answer to any exercise); returns it."""
    if isinstance(array, np.ndarray):
        key = id(array)
        # the callback holds the dict's pop itself: at interpreter exit the module's globals
        # may be gone before the last arrays are
        _ISSUED[key] = (weakref.ref(array, lambda _, pop=_ISSUED.pop: pop(key, None)),
                        quantity)
    return array


def _same_quantity(issued, asked):
    """An array handed out as ``issued`` answers ``asked``: the same quantity, or any gradient
    for the numerical estimate. Handed-out ``dy`` used to compute (or as a wrong) ``db3`` is
    the student's own work on the reference's inputs, judged by the check as such."""
    return None in (issued, asked) or issued == asked or (
        asked == "numerical" and issued in _GRADIENTS)


def issued_as(value, quantity=None):
    """Whether ``value`` (an array, or a dict of them) is, or is a view of, an array handed out
    as ``quantity`` (None: as any quantity)."""
    if isinstance(value, dict):
        return any(issued_as(v, quantity) for v in value.values())
    if not isinstance(value, np.ndarray):
        return False
    for ref, given_as in list(_ISSUED.values()):
        a = ref()
        if a is not None and _same_quantity(given_as, quantity) and (
                a is value or (value.size and np.shares_memory(a, value))):
            return True
    return False


def refuse(var, value, quantity, *, position=None, check=None, forbidden=None):
    """Raise ExerciseError if ``value`` comes from the reference implementation."""
    if issued_as(value, quantity):
        raise ExerciseError(
            f"{var} is the reference value that exercises.reference / exercises.use handed out, "
            f"not your answer: compute it yourself in the exercise cell and run that cell again.",
            "ref-used")
    cache = _stored_by_backward(value, quantity)
    if cache is not None:
        raise ExerciseError(
            f"{var} is {cache}['{quantity}'], which helpers.backward stored in that cache: the "
            f"reference implementation's value, not your answer. Compute it yourself in the "
            f"exercise cell and run that cell again.", "ref-used")
    forbidden = FORBIDDEN.get(quantity, set()) if forbidden is None else forbidden
    found = _source_calls(var, quantity, forbidden, position, check)
    if found:
        raise ExerciseError(
            f"{var} is computed with {found}, the reference implementation, not by you: the "
            f"exercise is to compute it from the intermediates yourself. Rewrite the exercise "
            f"cell without {found} and run it again.", "ref-used")


def _history():
    """The shell's input history, if the check was called from code of a notebook cell."""
    try:
        from IPython import get_ipython
    except ImportError:                            # pragma: no cover - IPython is a dependency
        return None
    ip = get_ipython()
    if ip is None:
        return None
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals is not ip.user_ns:
        frame = frame.f_back
    if frame is None:                              # called from a module, a test, a script
        return None
    hist = ip.user_ns.get("In")
    return list(hist) if isinstance(hist, list) and len(hist) > 1 else None


@functools.lru_cache(maxsize=4096)         # the history is parsed at every check: once a cell
def _parse(src):                            # (trees are only read, never changed)
    try:
        return ast.parse(src)
    except SyntaxError:
        try:                                       # IPython magics: drop them
            return ast.parse("\n".join(ln for ln in src.splitlines()
                                       if not ln.lstrip().startswith(("%", "!"))))
        except SyntaxError:
            return None


def _stores(node, name):
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store):
            return True
        if isinstance(n, (ast.Subscript, ast.Attribute)) and isinstance(n.ctx, ast.Store):
            base = n.value
            while isinstance(base, (ast.Subscript, ast.Attribute)):
                base = base.value
            if isinstance(base, ast.Name) and base.id == name:
                return True
    return False


def _call_name(call):
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None


def _resolve(func, ns):
    """The object a call's function names in ``ns`` (``bw``, ``helpers.network.backward``),
    looked up without calling anything, or None."""
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name) or func.id not in ns:
        return None
    obj = ns[func.id]
    for attr in reversed(parts):
        obj = getattr(obj, attr, None)
    return obj


def _package_function(obj):
    """The name of a function of this package (helpers.*), under whatever name it was imported."""
    module = getattr(obj, "__module__", "") or ""
    return obj.__name__ if callable(obj) and module.split(".")[0] == "helpers" and hasattr(
        obj, "__name__") else None


def _bad_call(node, quantity, forbidden, ns=None, own=frozenset()):
    """The first forbidden call in ``node`` (as 'helpers.backward'), or None. With the user's
    namespace ``ns``, a forbidden function imported under another name (``backward as bw``) is
    found too, and a name that is the student's own (a ``def forward`` of theirs, in ``own``,
    or anything in ``ns`` that is not the package's) is never refused for its name alone."""
    for n in ast.walk(node):
        if not isinstance(n, ast.Call):
            continue
        name = _call_name(n)
        obj = _resolve(n.func, ns) if ns else None
        real = _package_function(obj)
        if real in forbidden:
            if not (isinstance(n.func, ast.Name) and n.func.id in own):
                return ast.unparse(n.func) + ("" if real == name else f" (helpers' {real})")
        elif name in forbidden and obj is None and not (
                isinstance(n.func, ast.Name) and n.func.id in own):
            return ast.unparse(n.func)
        if name == "reference" and n.args and isinstance(n.args[0], ast.Constant) and \
                n.args[0].value in (quantity, "grads", "cache", "new_params"):
            return ast.unparse(n.func) + f"({n.args[0].value!r})"
    return None


def _own_functions(cells):
    """Names whose last binding in ``cells`` (the history In[1:]) is a ``def`` of the student's,
    not followed by a ``use`` cell that put the notebook's own back."""
    own, seen = set(), set()
    for k in range(len(cells) - 1, -1, -1):
        for stmt in reversed(cells[k].body if cells[k] is not None else []):
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names = [stmt.name]
                if stmt.name not in seen and _runs.RESTORED.get(stmt.name, -1) < k + 1:
                    own.add(stmt.name)
            elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
                names = [(a.asname or a.name).split(".")[0] for a in stmt.names]
            elif isinstance(stmt, ast.Assign):
                names = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
            else:
                names = []
            seen.update(names)
    return own


def _last(cells, pred):
    for k in range(len(cells) - 1, -1, -1):
        tree = cells[k]
        if tree is not None and pred(tree):
            return k, tree
    return None, None


def _statements(tree, name, mutators=True):
    """The top-level statements of a cell that set ``name`` (or pass it to a reference function
    that fills it in place, as ``backward`` fills a cache)."""
    out = []
    for stmt in tree.body:
        call = stmt.value if isinstance(stmt, ast.Expr) and isinstance(stmt.value,
                                                                       ast.Call) else None
        filled = _MUTATORS.get(_call_name(call)) if call is not None and mutators else None
        if _stores(stmt, name) or (filled is not None and len(call.args) > filled and isinstance(
                call.args[filled], ast.Name) and call.args[filled].id == name):
            out.append(stmt)
    return out


def _source_calls(var, quantity, forbidden, position, check):
    hist = _history()
    if not hist:
        return None
    cells = [_parse(src) for src in hist[1:]]
    roots = []                                 # (statement or expression, index of its cell)
    expr = _answer_expr(cells[-1], check, position)
    if expr is not None and not isinstance(expr, ast.Name):
        roots.append((expr, len(cells) - 1))
    else:
        k, tree = _last(cells, lambda t: bool(_statements(t, var)))
        if tree is None:
            return None
        roots += [(s, k) for s in _statements(tree, var)]
    # what the answer is made of, a few steps back (not for the forward pass, whose inputs may
    # legitimately come from the reference's cache, nor for a function's estimate)
    depth = 1 if quantity in ("h1", "h1_relu", "h2", "h2_relu", "y_pred", "numerical") else 3
    answer_cell = roots[0][1]
    seen, frontier = {var}, list(roots)
    for _ in range(depth - 1):
        nxt = []
        for node, k in frontier:
            for name in sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name)
                                and isinstance(n.ctx, ast.Load)} - seen):
                seen.add(name)
                j, t = _last(cells[:k + 1], lambda t, name=name: bool(_statements(t, name)))
                if t is not None:          # in place only in the answer's own cell
                    nxt += [(s, j) for s in _statements(t, name, j == answer_cell)]
        roots += nxt
        frontier = nxt
    for node, k in list(roots):                # the bodies of the functions called there
        for n in ast.walk(node):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name):
                _, t = _last(cells[:k + 1], lambda t, f=n.func.id: _defines(t, f))
                if t is not None:
                    roots += [(s, k) for s in t.body if isinstance(s, ast.FunctionDef)
                              and s.name == n.func.id]
    ns = user_namespace()
    own = _own_functions(cells[:answer_cell + 1])
    for node, _ in roots:
        found = _bad_call(node, quantity, forbidden, ns, own)
        if found:
            return found
    return None


def _stored_by_backward(value, quantity):
    """The name of a forward cache in the user's namespace whose ``quantity`` (dy, dh2 or dh1,
    which only backward writes into a cache) is ``value`` or a view of it, else None."""
    ns = user_namespace()
    if quantity not in ("dy", "dh2", "dh1") or not ns or not isinstance(value, np.ndarray) or \
            not value.size:
        return None
    for name, c in list(ns.items()):
        if isinstance(c, dict) and "y_pred" in c and isinstance(c.get(quantity), np.ndarray) \
                and np.shares_memory(c[quantity], value):
            return name
    return None


def user_namespace():
    """The namespace of the running IPython shell (the notebook's variables), or None."""
    try:
        from IPython import get_ipython
    except ImportError:                            # pragma: no cover - IPython is a dependency
        return None
    return getattr(get_ipython(), "user_ns", None)


def _defines(tree, name):
    return any(isinstance(s, ast.FunctionDef) and s.name == name for s in tree.body)


def _answer_expr(tree, check, position):
    """The expression passed as the answer to ``check`` in the current cell, if found."""
    if tree is None or check is None or position is None:
        return None
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and _call_name(n) == check and len(n.args) > position:
            return n.args[position]
    return None
