"""The check of 05's function exercise: ``backward_any(weights, biases, x, y)``, the backward pass
of a ReLU network of any depth (ReLU layers ``weights[:-1]``, then a linear output layer), which
returns the lists ``dws``, ``dbs`` of the gradients of L (6), one per layer.

    check_backward_any(backward_any, params, x, y)

calls the student's function on five networks, each with fresh copies of its arrays: of 1, 2 and
4 layers, built from the sizes of ``x`` and ``y`` with widths pairwise different from n, d_in,
d_out and each other; the running example's 3 layers (``params``), where the answer is (81)–(86);
and the running example's sizes with pre-activations exactly 0, where the masks take 1 as (33)
and (64) do. Each gradient is compared with :func:`exercises.context.layers_backward`, the
reference network's own layers stacked. A wrong value is recognised by value (the reference's
variations: a mean for a bias's sum, a mask at the output, the masks missing, a mask 0 at the
kink); an error the function raises (with pairwise different sizes, a mask of the wrong layer, a
weight not transposed and a step below the first layer all raise) by the shapes of the operands
of its failing statement, read in the function's own frame (nothing is called). The message
names the network and the gradient, never the formula.
"""

import ast
import linecache

import numpy as np

from helpers._checks import check_problem
from helpers.network import Activation, relu

from . import _runs
from ._compare import ExerciseError, answer, close, hint_line, last_run, num, shape_str, tol_for
from .catalogue import MISTAKES
from .context import layers_backward, layers_forward
from .tasks import TASKS

__all__ = ["check_backward_any", "backward_any"]

_EQ = TASKS["any_depth"].eq
_STRICT = Activation(relu, lambda h: np.greater(h, 0))            # 0 at the kink
_NO_MASK = Activation(relu, lambda h: np.ones(np.shape(h), dtype=bool))
# what a student's function raises is reported as its own; anything else (a grader's own state,
# a keyboard interrupt) passes through
_RAISED = (ArithmeticError, AssertionError, AttributeError, LookupError, NameError,
           NotImplementedError, TypeError, ValueError)


def backward_any(weights, biases, x, y):
    """The reference backward pass of any depth, which ``exercises.use("backward_any", …)``
    hands out when the student's does not pass its check."""
    return layers_backward(weights, biases, x, y)


backward_any.reference = True


class _Case:
    """One network of the check: its label, layers, data and reference gradients."""

    def __init__(self, label, weights, biases, x, y):
        self.weights, self.biases, self.x, self.y = weights, biases, x, y
        self.K, self.n = len(weights), x.shape[0]
        widths = ", ".join(str(w.shape[1]) for w in weights[:-1])
        self.label = (f"{label} (n={self.n}, d_in={x.shape[1]}, "
                      + (f"widths {widths}, " if widths else "") + f"d_out={y.shape[1]})")
        self.pre_shapes = [(self.n, w.shape[1]) for w in weights[:-1]]
        self.tol = tol_for(x.dtype)
        self.ref = layers_backward(weights, biases, x, y)

    def variation(self, **kw):
        return layers_backward(self.weights, self.biases, self.x, self.y, **kw)


def _widths(x, y, count):
    """Widths pairwise different from n, d_in, d_out and from each other."""
    taken = {*x.shape, y.shape[1]}
    return [d for d in range(3, 3 + count + len(taken)) if d not in taken][:count]


def _random_net(rng, sizes):
    pairs = zip(sizes[:-1], sizes[1:], strict=True)
    ws = [rng.standard_normal((a, b)) * np.sqrt(2 / a) for a, b in pairs]
    return ws, [0.5 * rng.standard_normal((1, b)) for b in sizes[1:]]


def _kink_net(sizes, n, y):
    """A network whose two ReLU layers each have a pre-activation exactly 0 that the gradient
    passes (a mask 0 there changes the answer), in quarters, so that every sum is exact."""
    for seed in range(100):
        rng = np.random.default_rng(seed)
        x = rng.integers(-4, 5, (n, sizes[0])) / 4
        ws = [rng.integers(-4, 5, (a, b)) / 4 for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
        bs = [rng.integers(-4, 5, (1, b)) / 4 for b in sizes[1:]]
        for k in (0, 1):                # a sample, and the unit with the largest weights out
            h = layers_forward(ws[:k + 1], bs[:k + 1], x)[0]     # layer k's pre-activation
            i, j = k % n, int(np.argmax(np.abs(ws[k + 1]).sum(axis=1)))
            bs[k][0, j] -= h[i, j]
        pre = layers_forward(ws, bs, x)[2]
        right = layers_backward(ws, bs, x, y)[0]
        strict = layers_backward(ws, bs, x, y, act=_STRICT)[0]
        if all((p == 0).any() for p in pre) and not close(strict[1], right[1], 1e-8):
            return ws, bs, x
    raise AssertionError("no network with a kink that matters")       # pragma: no cover


def _cases(params, x, y):
    n, d_in, d_out = x.shape[0], x.shape[1], y.shape[1]
    d1, d2 = params["w1"].shape[1], params["w2"].shape[1]
    w, rng = _widths(x, y, 4), np.random.default_rng(5)
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    ws, bs, x_kink = _kink_net([d_in, d1, d2, d_out], n, y64)
    return [
        _Case("the network of 1 layer", *_random_net(rng, [d_in, d_out]), x64, y64),
        _Case("the network of 2 layers", *_random_net(rng, [d_in, w[0], d_out]), x64, y64),
        _Case("the running example's 3 layers, where the answer is (81)–(86)",
              [params["w1"], params["w2"], params["w3"]],
              [params["b1"], params["b2"], params["b3"]], x, y),
        _Case("the network of 4 layers", *_random_net(rng, [d_in, *w[1:4], d_out]), x64, y64),
        _Case("the running example's sizes with pre-activations exactly 0", ws, bs, x_kink, y64),
    ]


def check_backward_any(backward_any, params, x, y):
    """Check a student's ``backward_any(weights, biases, x, y)``: it returns ``dws, dbs``, the
    gradients of L (6) with respect to ``weights[k]`` and ``biases[k]``, for a network of any
    depth. ``params, x, y``: the running example (its 3 layers are one of the five networks; the
    others are built from the sizes of ``x`` and ``y``)."""
    dtype, x, y = check_problem(params, x, y)
    last_run("backward_any")
    fn = backward_any
    if not callable(fn):
        raise ExerciseError(f"backward_any is {'None' if fn is None else 'a ' + type(fn).__name__}"
                            f", expected the function backward_any(weights, biases, x, y) that the "
                            f"exercise cell above defines: run that cell, then this check again.")
    if getattr(fn, "reference", False):
        raise ExerciseError("backward_any is the reference function that exercises.use handed "
                            "out, not yours: run your exercise cell again.", "ref-used")
    cases = _cases(params, x, y)
    for case in cases:
        dws, dbs = _returned(fn, case)
        _compare(dws, dbs, case)
    print(f"backward_any matches the backward pass on {len(cases)} networks of 1, 2, 3 and 4 "
          f"layers: (81)–(86) on the running example's 3, and masks 1 where a pre-activation is "
          f"exactly 0, as (33) and (64)")


def _unanswered(err):
    e = ExerciseError(f"backward_any is not answered yet ({_runs.describe(err)}): write its loop "
                      f"in the exercise cell above, run that cell, then run this check again.")
    e.unanswered = True                  # use() says "is not answered yet"
    return e


def _returned(fn, case):
    """What ``fn`` returns on ``case`` (fresh copies), as two lists of K entries."""
    weights = [w.copy() for w in case.weights]
    try:
        out = fn(weights, [b.copy() for b in case.biases], case.x.copy(), case.y.copy())
    except NotImplementedError as err:
        raise _unanswered(err) from None
    except _RAISED as err:
        m, line = recognise_error(err, fn, case, weights)
        where = f", in the line `{line}`" if line else ""
        raise ExerciseError(f"backward_any raised {_runs.describe(err)} on {case.label}{where}."
                            + hint_line(m, _EQ), m.key if m else None) from None
    if out is None:
        raise ExerciseError("backward_any returned None: did you forget `return`? It returns "
                            "the two lists, dws and dbs.")
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise ExerciseError(f"backward_any returned {_kind(out)}, expected the two lists dws and "
                            f"dbs (return dws, dbs).")
    for name, got in zip(("dws", "dbs"), out, strict=True):
        if not isinstance(got, (list, tuple)) or len(got) != case.K:
            raise ExerciseError(f"{name} is {_kind(got)} on {case.label}, expected a list of "
                                f"{case.K} arrays: one per layer, first to last, as weights.")
    return list(out[0]), list(out[1])


def _kind(v):
    n = f" of {len(v)}" if isinstance(v, (list, tuple)) else ""
    return f"a {type(v).__name__}{n}"


def _compare(dws, dbs, case):
    ref_dws, ref_dbs = case.ref
    entries = [(f"dws[{k}]", dws[k], ref_dws[k], f"weights[{k}]") for k in range(case.K)] + \
        [(f"dbs[{k}]", dbs[k], ref_dbs[k], f"biases[{k}]") for k in range(case.K)]
    values = []
    for var, got, ref, param in entries:
        what = f"the gradient of L with respect to {param}"
        value = answer(var, got, f"{what}, a {shape_str(ref.shape)} NumPy array")
        if value.shape != ref.shape:
            refs = ref_dws if var[1] == "w" else ref_dbs
            mine = dws if var[1] == "w" else dbs
            flipped = [np.shape(g) for g in mine] == [r.shape for r in reversed(refs)]
            raise ExerciseError(
                f"{var} has shape {value.shape}, expected {ref.shape} ({what}, the shape of "
                f"{param}) on {case.label}." + (" Your list runs from the output layer back; it "
                                                "goes from the first layer to the last, as "
                                                "weights does." if flipped else ""))
        values.append(value)
    wrong = [(e, v) for e, v in zip(entries, values, strict=True) if not close(v, e[2], case.tol)]
    if not wrong:
        return
    m = _recognise_value(values, case)
    (var, _, ref, param), value = wrong[0]
    v, r = np.asarray(value, np.float64), np.asarray(ref, np.float64)
    msg = (f"{var} does not match the gradient of L with respect to {param} on {case.label}"
           f" ({len(wrong)} of its {2 * case.K} gradients differ).")
    if np.isfinite(v).all():
        idx = np.unravel_index(int(np.argmax(np.abs(v - r))), r.shape)
        msg += (f"\n  Largest difference at index {tuple(int(i) for i in idx)}: yours "
                f"{num(v[idx])}, expected {num(r[idx])} (shape {shape_str(r.shape)} is right).")
    else:
        msg += f" {var} contains NaN or inf."
    raise ExerciseError(msg + hint_line(m, _EQ), m.key if m else None)


def _recognise_value(values, case):
    """The catalogue entry whose wrong gradients (all 2K of them) equal ``values``, or None."""
    ref_dws, ref_dbs = case.ref
    candidates = [
        ("ad-bias-mean", lambda: (ref_dws, [b / case.n for b in ref_dbs])),
        ("ad-mask-at-output", lambda: case.variation(out_masked=True)),
        ("ad-masks-missing", lambda: case.variation(act=_NO_MASK)),
        ("ad-mask-kink", lambda: case.variation(act=_STRICT)),
    ]
    for key, make in candidates:
        c_dws, c_dbs = make()
        if all(close(v, c, case.tol) for v, c in zip(values, c_dws + c_dbs, strict=True)):
            return MISTAKES[key]
    return None


# ---- an error raised in the student's function: its failing statement, read with the shapes
# of its operands in the function's frame (names, integer subscripts, .T; nothing is called)

_UNKNOWN = object()


def recognise_error(err, fn, case, weights):
    """(catalogue entry or None, the failing line or "") for ``err``, raised by NumPy or an
    index in a statement of ``fn`` itself (not in a function it calls). ``weights``: the list
    the check passed."""
    tb, code = err.__traceback__, getattr(fn, "__code__", None)
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None or code is None or tb.tb_frame.f_code is not code:
        return None, ""
    line = linecache.getline(code.co_filename, tb.tb_lineno).strip()
    stmt = _statement(code.co_filename, tb.tb_lineno)
    if stmt is None or not isinstance(err, (IndexError, ValueError)):
        return None, line
    env = {**tb.tb_frame.f_globals, **tb.tb_frame.f_locals}
    for node in _post_order(stmt):
        key = _failing(node, env, err, case, weights)
        if key is not None:
            return (MISTAKES[key] if key else None), line
    return None, line


def _statement(filename, lineno):
    """The innermost simple statement of ``filename`` (a cell, a module) at ``lineno``."""
    try:
        tree = ast.parse("".join(linecache.getlines(filename)))
    except (SyntaxError, ValueError):
        return None
    return min((s for s in ast.walk(tree) if isinstance(s, ast.stmt)
                and s.lineno <= lineno <= (s.end_lineno or s.lineno)
                and not isinstance(s, (ast.FunctionDef, ast.For, ast.While, ast.If, ast.With,
                                       ast.Try))),
               key=lambda s: (s.end_lineno or s.lineno) - s.lineno, default=None)


def _post_order(node):
    for child in ast.iter_child_nodes(node):
        yield from _post_order(child)
    yield node


def _failing(node, env, err, case, weights):
    """For the operation that cannot run: its catalogue key, or "" (not a catalogued mistake);
    None for an operation that runs (or whose operands are unknown)."""
    if isinstance(node, ast.Subscript) and isinstance(err, IndexError):
        seq, idx = _value(node.value, env), _value(node.slice, env)
        if not isinstance(seq, (list, tuple)) or type(idx) is not int or \
                -len(seq) <= idx < len(seq):
            return None
        if seq is env.get("pre") or (seq and [np.shape(p) for p in seq] == case.pre_shapes):
            return "ad-mask-wrong-layer" if idx >= 0 else "ad-no-stop"
        return ""
    if not (isinstance(node, ast.BinOp) and isinstance(err, ValueError)):
        return None
    a, b = _shape(node.left, env), _shape(node.right, env)
    if a is None or b is None or len(a) != 2 or len(b) != 2:
        return None
    if isinstance(node.op, ast.MatMult):
        if a[1] == b[0]:
            return None
        right = _value(node.right, env)
        mine = any(right is w for w in weights)
        return "ad-weight-not-transposed" if mine and a[1] == b[1] else ""
    if not isinstance(node.op, ast.Mult) or _broadcasts(a, b):
        return None
    masks = [_mask_shape(node.left, env), _mask_shape(node.right, env)]
    if (masks[0] is None) == (masks[1] is None):
        return ""
    mask, other = (a, b) if masks[0] is not None else (b, a)
    layers = case.pre_shapes + [(case.n, case.y.shape[1])]
    if mask in case.pre_shapes and other == case.x.shape:
        return "ad-no-stop"
    if mask in layers and other in case.pre_shapes:
        return "ad-mask-wrong-layer"
    return ""


def _broadcasts(a, b):
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


def _value(node, env):
    """The object a simple expression names: a name, an integer, an entry of a list or tuple,
    a transpose, integer arithmetic; ``_UNKNOWN`` otherwise."""
    if isinstance(node, ast.Name):
        return env.get(node.id, _UNKNOWN)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.Attribute) and node.attr == "T":
        v = _value(node.value, env)
        return v.T if isinstance(v, np.ndarray) else _UNKNOWN
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = _value(node.operand, env)
        return -v if type(v) is int else _UNKNOWN
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        a, b = _value(node.left, env), _value(node.right, env)
        if type(a) is int and type(b) is int:
            return a + b if isinstance(node.op, ast.Add) else a - b
        return _UNKNOWN
    if isinstance(node, ast.Subscript):
        seq, idx = _value(node.value, env), _value(node.slice, env)
        if isinstance(seq, (list, tuple)) and type(idx) is int and -len(seq) <= idx < len(seq):
            return seq[idx]
    return _UNKNOWN


def _shape(node, env):
    """The shape of an expression of names, subscripts, transposes, products and comparisons."""
    if isinstance(node, ast.Compare):
        shapes = [_shape(n, env) for n in (node.left, *node.comparators)]
        return _broadcast(*shapes)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        a, b = _shape(node.left, env), _shape(node.right, env)
        ok = a is not None and b is not None and len(a) == len(b) == 2 and a[1] == b[0]
        return (a[0], b[1]) if ok else None
    if isinstance(node, ast.BinOp):
        return _broadcast(_shape(node.left, env), _shape(node.right, env))
    v = _value(node, env)
    if isinstance(v, np.ndarray):
        return v.shape
    if type(v) in (int, float):
        return ()
    return _mask_shape(node, env)


def _broadcast(*shapes):
    if any(s is None for s in shapes):
        return None
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        return None


def _mask_shape(node, env):
    """The shape of a mask: a comparison (``pre[k] >= 0``, also ``.astype(…)`` of one, or
    ``np.greater(pre[k], 0)``, ``np.where(pre[k] > 0, 1, 0)``) or a boolean array; else None."""
    if isinstance(node, ast.Compare):
        return _shape(node, env)
    if isinstance(node, ast.Call):
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr == "astype":
            return _mask_shape(f.value, env)
        if isinstance(f, ast.Attribute) and f.attr in ("greater", "greater_equal", "where",
                                                        "heaviside") and node.args:
            return _shape(node.args[0], env)
        return None
    v = _value(node, env)
    return v.shape if isinstance(v, np.ndarray) and v.dtype == bool else None
