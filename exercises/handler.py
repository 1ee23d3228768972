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
them. Anything else gets IPython's normal traceback. Nothing in the user's
namespace is changed.
"""

import ast
import linecache

import numpy as np

from . import _runs
from ._compare import ExerciseError, label
from ._frames import cell_frames_only, raised_by_classroom, user_frame, without_checker_frames
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
    own = ""
    try:
        if isinstance(value, ExerciseError) or raised_by_classroom(tb):
            tb = cell_frames_only(tb, shell.user_ns)  # a failed check or a wrong argument
            mistake, extra = None, None
        else:
            tb = without_checker_frames(tb, shell.user_ns)
            mistake = recognise_error(value, tb, shell.user_ns) if isinstance(
                value, EXCEPTIONS) else None
            own = _own_eq(tb, shell.user_ns) if mistake is not None else ""
            extra = name_hint(value.name) if isinstance(value, NameError) and mistake is None \
                and getattr(value, "name", None) else None
    except Exception:                              # never let the hint machinery get in the way
        mistake, extra = None, None
    if mistake is None and extra is None:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None
    stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    stb = list(stb) + [hint_text(mistake, own) if mistake is not None else "\n" + extra]
    shell._showtraceback(etype, value, stb)
    return stb


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
