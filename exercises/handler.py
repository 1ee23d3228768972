"""What a student sees when a cell raises.

Some typical mistakes never reach a check: with these sizes NumPy itself refuses them, in the
exercise cell — a mask of the wrong layer (a broadcast error), ``A @ (…)`` where ∘ belongs or a
missing transpose (a matmul core-dimension error), ``np.max`` for ``np.maximum`` (an axis or
type error). :func:`handle`, the IPython custom exception handler that :func:`exercises.start`
registers, reads the failing statement, works out the shapes of its operands from the user's
namespace (names, ``.T``, constant subscripts; nothing is called) and, if the error is one of
these mistakes, shows the usual traceback followed by the catalogue's hint. A NameError for a
name this notebook's exercise cells compute gets one line saying which cell to run first. A
failed check (:class:`ExerciseError`), or a bad argument the classroom's own code refuses, shows
the cell's line and the message, without the checker's own frames; an error in the student's
function called by a check shows the cell's line and the function's, not the checker's between
them, and an argument a function of :mod:`helpers` refuses shows no frame of the package. Facts
that only the namespace knows get one line each, never the answer: a failed matrix product in
an exercise cell, its operands' shapes in the notebook's dimension names; a name the cell reads
that is still the stub's None, which cells to run first; the stub's raise line left below an
answer, to delete it; ``grads["dw1"]``, how grads is keyed. Anything else gets IPython's normal
traceback. Nothing in the user's namespace is changed.
"""

import ast
import linecache

import numpy as np

from helpers._checks import PARAM_NAMES

from . import _runs
from ._compare import ExerciseError, dims_of, label, size_names
from ._frames import (
    cell_frames_only,
    raised_by_classroom,
    refused_by_helpers,
    user_frame,
    without_checker_frames,
)
from .catalogue import MISTAKES
from .tasks import TASK_OF_NAME, TASKS

EXCEPTIONS = (ValueError, TypeError, IndexError, NameError)
_LAYER_SHAPE = {"A": ("h2", "h2_relu"), "B": ("h1", "h1_relu")}   # a mask has its layer's shape
_MASK_OF = {"dh2": "A", "db2": "A", "dw2": "A", "dh1": "B", "db1": "B", "dw1": "B"}
_ACTIVATION = {"h2_relu": "w3", "h1_relu": "w2", "x": "w1"}
_GRADIENT = {"w3": "dy", "w2": "dh2", "w1": "dh1"}
_GRADIENT_LAYER = {"w3": "y_pred", "w2": "h2", "w1": "h1"}    # the gradient has its layer's shape
_MAX = {"max", "amax"}


def handle(shell, etype, value, tb, tb_offset=None):
    """IPython's custom exception handler (registered by :func:`exercises.start`)."""
    own, shapes, extra, ns = "", None, [], shell.user_ns
    try:
        if isinstance(value, ExerciseError) or raised_by_classroom(tb):
            tb = cell_frames_only(tb, ns)     # a failed check or a wrong argument
            mistake = None
        else:
            tb = without_checker_frames(tb, ns)
            if refused_by_helpers(tb):        # helpers' own message says what was wrong
                tb = cell_frames_only(tb, ns)
            mistake = recognise_error(value, tb, ns) if isinstance(value, EXCEPTIONS) else None
            own = _own_eq(tb, ns) if mistake is not None else ""
            shapes = _quietly(matmul_shapes, value, tb, ns)
            if isinstance(value, NameError) and mistake is None and getattr(value, "name", None):
                extra.append(name_hint(value.name))
            extra += [_quietly(f, value, tb, ns) for f in (placeholder_left, keyed_by_names)]
            extra += _quietly(unanswered_names, value, tb, ns) or []
    except Exception:                              # never let the hint machinery get in the way
        mistake, shapes, extra = None, None, []
    extra = [e for e in extra if e]
    if mistake is None and shapes is None and not extra:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None
    stb = list(shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset))
    stb += ["\n" + shapes] if shapes else []
    stb += [hint_text(mistake, own)] if mistake is not None else []
    stb += ["\n" + "\n".join(extra)] if extra else []
    shell._showtraceback(etype, value, stb)
    return stb


def _quietly(f, *args):
    """``f(*args)``, or None if it raises: one line that cannot be worked out is left out."""
    try:
        return f(*args)
    except Exception:
        return None


def name_hint(name):
    """The line added to a NameError for ``name``: which cell computes it, or None."""
    err = _runs.LAST.get(name)
    if err:
        return (f"{name} is not defined: the cell that computes it raised on its last run "
                f"({err}). Fix that cell and run it first.")
    if name in _runs.EXERCISES:
        task = TASKS.get(TASK_OF_NAME.get(name, name))
        where = f" ({label(task.eq)})" if task and task.formula else ""
        return (f"{name} is not defined yet: run the exercise cell above that computes "
                f"{name}{where} first.")
    return None


def hint_text(mistake, own=""):
    """The lines after the traceback; ``own``: the equation of the exercise the cell computes."""
    return (f"\nThis error comes from a typical mistake in this cell.\n"
            f"Likely mistake: {mistake.text(own)}")


def _cell_trees(tb, ns):
    """The parsed cells whose code the traceback runs (a function's whole defining cell)."""
    files = []
    while tb is not None:
        f = tb.tb_frame.f_code.co_filename
        if tb.tb_frame.f_globals is ns and f not in files:
            files.append(f)
        tb = tb.tb_next
    return [t for t in (_runs.parse("".join(linecache.getlines(f))) for f in files) if t]


def unanswered_names(value, tb, ns):
    """For a cell that failed reading an exercise's answer still bound to None (the handed-out
    stub ran, its check and use cells did not), one line per such name."""
    read = [n.id for t in _cell_trees(tb, ns) for n in ast.walk(t)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
    return [f"{name} is None: run the {name} exercise cell (and its check and use cells) first."
            for name in dict.fromkeys(read) if name in _runs.EXERCISES and name in ns
            and ns[name] is None]


def placeholder_left(value, tb, ns):
    """The stub's raise line, left below an answer that is already there."""
    stmt, entry = _failing_stmt(tb, ns)
    if not isinstance(value, NotImplementedError) or not isinstance(stmt, ast.Raise) or \
            entry.tb_frame.f_code.co_name != "<module>":
        return None
    source = "".join(linecache.getlines(entry.tb_frame.f_code.co_filename))
    names = [n for n in _runs.bound_names(source) if n in _runs.bound_before(source, stmt.lineno)
             and (n in _runs.EXERCISES or n in TASKS)]
    if not names or any(ns.get(n) is None for n in names):
        return None
    have = "has a value" if len(names) == 1 else "have values"
    return (f"{', '.join(names)} {have}: delete the raise NotImplementedError line, then run "
            f"this cell again.")


def keyed_by_names(value, tb, ns):
    """grads["dw1"]: a dict of gradients is keyed by the parameters' names."""
    key = value.args[0] if isinstance(value, KeyError) and value.args else None
    if not isinstance(key, str) or key[:1] != "d" or key[1:] not in PARAM_NAMES:
        return None
    stmt, entry = _failing_stmt(tb, ns)
    local = {**ns, **entry.tb_frame.f_locals}
    for n in ast.walk(stmt):
        name = _name(n.value) if isinstance(n, ast.Subscript) else None
        d = local.get(name) if name else None
        if "grad" in (name or "") and isinstance(d, dict) and set(d) == set(PARAM_NAMES):
            p = key[1:]
            return f'{name} is keyed by the parameter names: {name}["{p}"] is ∂L/∂{p}.'
    return None


def matmul_shapes(value, tb, ns):
    """For a matrix product that failed in an exercise cell: its operands' shapes in the
    notebook's dimension names, and the inner sizes that differ (never the answer)."""
    if not isinstance(value, ValueError) or not ("matmul" in str(value)
                                                 or "not aligned" in str(value)):
        return None
    stmt, entry = _failing_stmt(tb, ns)
    source = "".join(linecache.getlines(entry.tb_frame.f_code.co_filename))
    if not set(_runs.bound_names(source)) & (set(_runs.EXERCISES) or set(TASKS)):
        return None
    names = size_names(ns.get("params"), ns.get("x"))
    local = {**ns, **entry.tb_frame.f_locals}
    for node in _post_order(stmt):
        node = _as_matmul(node)
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult)):
            continue
        a, b = _shape(node.left, local), _shape(node.right, local)
        if a is None or b is None or len(a) != 2 or len(b) != 2 or a[1] == b[0]:
            continue
        da, db = dims_of(a, names), dims_of(b, names)
        if da is None or db is None:
            return None
        inner = [da.split("×")[1], db.split("×")[0]]
        return (f"{_operand(node.left)} is {da} and {_operand(node.right)} is {db}: the inner "
                f"sizes {inner[0]} and {inner[1]} differ.")
    return None


def _operand(node):
    src = ast.unparse(node)
    return src if _name(node) or isinstance(node, ast.Call) else f"({src})"


def _own_eq(tb, ns):
    """The equation of the exercise whose answer the failing statement assigns, or ""."""
    stmt, _ = _failing_stmt(tb, ns)
    for t in getattr(stmt, "targets", [getattr(stmt, "target", None)]):
        task = TASKS.get(TASK_OF_NAME.get(getattr(t, "id", None), getattr(t, "id", None)))
        if task is not None:
            return task.eq
    return ""


def _cell_tree(entry):
    """The parsed source of the cell that traceback ``entry`` runs, or None."""
    try:
        return ast.parse("".join(linecache.getlines(entry.tb_frame.f_code.co_filename)))
    except SyntaxError:
        return None


def _failing_stmt(tb, ns):
    """The innermost simple statement of a notebook cell that the error passed, and its
    traceback entry; (None, None) if there is none."""
    entry = user_frame(tb, ns)
    tree = _cell_tree(entry) if entry is not None else None
    if tree is None:
        return None, None
    lineno = entry.tb_lineno
    stmt = min((s for s in ast.walk(tree) if isinstance(s, ast.stmt)
                and s.lineno <= lineno <= (s.end_lineno or s.lineno)
                and not isinstance(s, (ast.FunctionDef, ast.For, ast.While, ast.If, ast.With,
                                       ast.Try))),
               key=lambda s: (s.end_lineno or s.lineno) - s.lineno, default=None)
    return stmt, entry


def recognise_error(value, tb, ns):
    """The catalogue entry behind error ``value`` raised in a cell, or None."""
    stmt, entry = _failing_stmt(tb, ns)
    if stmt is None:
        return None
    local = {**ns, **entry.tb_frame.f_locals}
    if isinstance(value, NameError):
        return _undefined_mask(stmt, value)
    if _calls_max(stmt, value):
        return MISTAKES["f-np-max"]
    if _precedence(stmt, local):
        return MISTAKES["g-precedence"]
    targets = {t.id for t in getattr(stmt, "targets", [getattr(stmt, "target", None)])
               if isinstance(t, ast.Name)}
    for node in _post_order(stmt):
        node = _as_matmul(node)
        if isinstance(node, ast.BinOp):
            key = _classify(node, local, targets if node is getattr(stmt, "value", None) else ())
            if key:
                return MISTAKES[key]
    return None


def _precedence(stmt, ns):
    """``A * dy @ w3.T``: Python reads it as ``(A * dy) @ w3.T``, and that mask product fails.
    (Not ``(B * G) @ w2.T``: with the parentheses the order is the student's own.)"""
    for n in ast.walk(stmt):
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.MatMult) and \
                isinstance(n.left, ast.BinOp) and isinstance(n.left.op, ast.Mult) and \
                (n.lineno, n.col_offset) == (n.left.lineno, n.left.col_offset) and \
                (_name(n.left.left) in ("A", "B") or _name(n.left.right) in ("A", "B")):
            a, b = _shape(n.left.left, ns), _shape(n.left.right, ns)
            if a is None or b is None:
                continue
            try:
                np.broadcast_shapes(a, b)
            except ValueError:
                return True
    return False


def _undefined_mask(stmt, value):
    """``B`` used in 04, where only ``A`` exists: the other layer's mask, by the target's name."""
    name = getattr(value, "name", None)
    targets = [t.id for t in getattr(stmt, "targets", []) if isinstance(t, ast.Name)]
    want = {_MASK_OF.get(t) for t in targets} - {None}
    if name in ("A", "B") and want and name not in want:
        return MISTAKES["g-mask-A-for-B" if name == "A" else "g-mask-B-for-A"]
    return None


def _calls_max(stmt, value):
    for n in ast.walk(stmt):
        if not isinstance(n, ast.Call):
            continue
        f = n.func
        name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
        if name in _MAX and (isinstance(value, (TypeError, IndexError)) or "axis" in str(value)
                             or (name == "max" and isinstance(f, ast.Name)
                                 and "truth value" in str(value))):
            return True
    return False


def _as_matmul(node):
    """np.dot(a, b), np.matmul(a, b) and a.dot(b) as the BinOp a @ b; any other node as it is."""
    if not isinstance(node, ast.Call) or node.keywords:
        return node
    f = node.func
    if isinstance(f, ast.Attribute) and f.attr in ("dot", "matmul") and len(node.args) == 2 \
            and _name(f.value) in ("np", "numpy"):
        return ast.BinOp(left=node.args[0], op=ast.MatMult(), right=node.args[1])
    if isinstance(f, ast.Attribute) and f.attr == "dot" and len(node.args) == 1:
        return ast.BinOp(left=f.value, op=ast.MatMult(), right=node.args[0])
    return node


def _post_order(node):
    for child in ast.iter_child_nodes(node):
        yield from _post_order(child)
    yield node


def _name(node):
    """'A', 'h2_relu', 'w3' (also for params["w3"]), with '.T' for a transpose; else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and node.attr == "T":
        inner = _name(node.value)
        return inner + ".T" if inner and not inner.endswith(".T") else None
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and \
            isinstance(node.slice.value, str):
        return node.slice.value
    return None


def _shape(node, ns):
    """The shape of a simple expression (names, .T, constant subscripts and arithmetic)."""
    if isinstance(node, ast.Name):
        v = ns.get(node.id)
        return v.shape if isinstance(v, np.ndarray) else None
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return ()
    if isinstance(node, ast.Attribute) and node.attr == "T":
        s = _shape(node.value, ns)
        return s[::-1] if s is not None else None
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and \
            isinstance(node.slice, ast.Constant):
        container = ns.get(node.value.id)
        try:
            v = container[node.slice.value] if isinstance(container, dict) else None
        except (KeyError, TypeError):
            return None
        return v.shape if isinstance(v, np.ndarray) else None
    if isinstance(node, ast.BinOp):
        a, b = _shape(node.left, ns), _shape(node.right, ns)
        if a is None or b is None:
            return None
        if isinstance(node.op, ast.MatMult):
            return (a[0], b[1]) if len(a) == 2 and len(b) == 2 and a[1] == b[0] else None
        try:
            return np.broadcast_shapes(a, b)
        except ValueError:
            return None
    return None


def _misplaced_mask(mask, operand):
    """The right mask at the wrong step of (84)/(86): B on dh2 before (or without) the product
    with w2ᵀ, or A on the unmasked product with w2ᵀ instead of before it."""
    if mask == "B" and (_name(operand) or "").startswith("dh2"):     # dh2, or 11's dh2_leaky
        return "g-mask-B-before-product"
    if mask == "A" and isinstance(operand, ast.BinOp) and isinstance(operand.op, ast.MatMult) \
            and _name(operand.right) == "w2.T" and _name(operand.left) != "dh2":
        return "g-mask-A-after-product"          # A · ((dy·w3ᵀ)·w2ᵀ); A · (dh2·w2ᵀ) is A for B
    return None


def _classify(node, ns, targets=()):
    """The catalogue key of a binary operation whose operands cannot combine, or None.
    ``targets``: the names the statement assigns, if ``node`` is its whole value: dy·w3 as the
    whole of dw3 is not (84) with w3 left untransposed, but a product with the wrong matrix."""
    a, b = _shape(node.left, ns), _shape(node.right, ns)
    if a is None or b is None or len(a) != 2 or len(b) != 2:
        return None
    left, right = _name(node.left), _name(node.right)
    if isinstance(node.op, ast.MatMult):
        if a[1] == b[0]:
            return None
        if left in ("A", "B") or right in ("A", "B"):              # A @ (…) or (…) @ A
            return f"g-matmul-for-hadamard-{left if left in ('A', 'B') else right}"
        if left in _ACTIVATION and (right or "").removesuffix(".T") in _GRADIENT.values():
            return f"g-missing-transpose-{_ACTIVATION[left]}"      # also h2_relu @ dy.T
        pair = {(left or "").removesuffix(".T"), (right or "").removesuffix(".T")}
        if any(pair == {act, w} for act, w in _ACTIVATION.items()):
            return "f-product-order"                               # x.T @ w1, w1 @ x
        weight_grad = targets and all(t.startswith(("dw", "db")) for t in targets)
        if right in _GRADIENT and a[1] == b[1] and not weight_grad and (
                left == _GRADIENT[right] or a in (
                getattr(ns.get(k), "shape", None) for k in (_GRADIENT[right],
                                                            _GRADIENT_LAYER[right]))):
            # dh2·w2 for dh2·w2ᵀ, also with dh2 written out: (A ∘ (dy·w3ᵀ))·w2
            return "d-w1-not-transposed" if right == "w1" else f"g-{right}-not-transposed"
        return None
    if isinstance(node.op, (ast.Mult, ast.Add, ast.Sub)):
        try:
            np.broadcast_shapes(a, b)
            return None
        except ValueError:
            pass
        if isinstance(node.op, ast.Mult) and a[1] == b[0] and \
                (left or "").removesuffix(".T") in _ACTIVATION and right in _GRADIENT.values():
            return "g-hadamard-for-matmul"                    # h2_reluᵀ * dy for h2_reluᵀ @ dy
        for mask, other, key in (("A", "B", "g-mask-A-for-B"), ("B", "A", "g-mask-B-for-A")):
            if mask not in (left, right):
                continue
            placed = _misplaced_mask(mask, node.right if left == mask else node.left)
            if placed:
                return placed
            rest = b if left == mask else a
            mask_shape = getattr(ns.get(mask), "shape", None)
            if mask_shape and rest == mask_shape[::-1]:
                return "g-result-transposed"                      # A * (w3 @ dy.T)
            # the shape this mask should have: the other mask's, or its layer's
            shapes = [getattr(ns.get(k), "shape", None) for k in (other, *_LAYER_SHAPE[other])]
            if rest in shapes:
                return key
    return None
