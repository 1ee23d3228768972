"""Checks for the exercise cells: is a student's answer eq. (1)–(6), (81)–(86), a central
difference or a gradient-descent step?

Every function recomputes the right answer from the inputs with :mod:`helpers.network` and compares
it with the student's value, with a tolerance suited to the dtype (float64: 1e-8, float32: 1e-4,
relative to the largest entry of the right answer). On success it prints one line, e.g.
``dw3 matches eq. (81)``. On a mismatch it raises ``AssertionError`` with a message that says which
variable, which equation to look at, the shape expected and given, and — when the wrong value is
recognised — the typical mistake behind it: a transposed product, a bias gradient not summed, the
factor 2 dropped, the sign flipped, a mean instead of the sum (6), a mask A (33) or B (64) missing
or in the wrong place, a ReLU or a bias missing in the forward pass, a forward instead of a central
difference, a step added instead of subtracted.

Bad *inputs* (``params``, ``x``, ``y``) are refused with the same ``TypeError`` / ``ValueError``
as everywhere in :mod:`helpers`; a bad *answer* (None, a list, a wrong shape or value) is an
``AssertionError``, because it is what the check is for.

    check_forward(name, value, params, x)             (1)–(5)
    check_loss(L, y_pred, y)                          (6)
    check_gradient(name, value, params, x, y)         (81)–(86), biases as 1×d column sums
    check_seed_bias_form(name, value, params, x, y)   (82), (84), (86) as the paper's n×d matrices
    check_numerical_gradient(estimate, params, x, y, name, h=1e-5)
    check_gd_step(new_params, old_params, grads, lr)
"""

import math

import numpy as np

from ._checks import PARAM_NAMES, check_params, check_problem, check_same_shape
from .gradcheck import numerical_gradient
from .network import _backward, _forward, _loss, relu

__all__ = ["check_forward", "check_loss", "check_gradient", "check_seed_bias_form",
           "check_numerical_gradient", "check_gd_step"]

_FORWARD = {
    "h1": ("(1)", "h1 = x·w1 + 1·b1", "n×d1"),
    "h1_relu": ("(2)", "h1_relu = relu(h1)", "n×d1"),
    "h2": ("(3)", "h2 = h1_relu·w2 + 1·b2", "n×d2"),
    "h2_relu": ("(4)", "h2_relu = relu(h2)", "n×d2"),
    "y_pred": ("(5)", "y_pred = h2_relu·w3 + 1·b3", "n×d_out"),
}
_GRADIENT = {
    "w3": ("(81)", "∂L/∂w3 = h2_reluᵀ·dy with dy = 2(y_pred − y)", "d2×d_out"),
    "b3": ("(82)", "∂L/∂b3 = 1ᵀ·dy, the column sum of the paper's n×d_out matrix (82), "
                   "dy = 2(y_pred − y)", "1×d_out"),
    "w2": ("(83)", "∂L/∂w2 = h1_reluᵀ·dh2 with dh2 = A ∘ (dy·w3ᵀ) (84)", "d1×d2"),
    "b2": ("(84)", "∂L/∂b2 = 1ᵀ·dh2, the column sum of the paper's n×d2 matrix "
                   "(84) dh2 = A ∘ (dy·w3ᵀ)", "1×d2"),
    "w1": ("(85)", "∂L/∂w1 = xᵀ·dh1 with dh1 = B ∘ (dh2·w2ᵀ) (86)", "d_in×d1"),
    "b1": ("(86)", "∂L/∂b1 = 1ᵀ·dh1, the column sum of the paper's n×d1 matrix "
                   "(86) dh1 = B ∘ (dh2·w2ᵀ)", "1×d1"),
}
_SEED_FORM = {
    "b3": ("(82)", "dy = 2(y_pred − y), one row per sample", "n×d_out"),
    "b2": ("(84)", "dh2 = A ∘ (dy·w3ᵀ), one row per sample", "n×d2"),
    "b1": ("(86)", "dh1 = B ∘ (dh2·w2ᵀ), one row per sample", "n×d1"),
}
_TOL = {np.dtype(np.float64): 1e-8, np.dtype(np.float32): 1e-4}


# --------------------------------------------------------------------------------------------
# shared machinery
# --------------------------------------------------------------------------------------------

def _shape_str(shape):
    return "×".join(str(s) for s in shape) if shape else "a scalar"


def _close(value, ref, tol):
    """True if ``value`` and ``ref`` have one shape and differ by at most tol·max|ref|."""
    value, ref = np.asarray(value, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    if value.shape != ref.shape:
        return False
    if not np.isfinite(value).all():
        return False
    if value.size == 0:
        return True
    scale = max(float(np.abs(ref).max()), float(np.abs(value).max()))
    return float(np.abs(value - ref).max()) <= tol * scale


def _lazy(candidates):
    """Evaluate ``(hint, thunk)`` pairs, skipping those whose shapes do not combine."""
    for hint, thunk in candidates:
        try:
            with np.errstate(all="ignore"):
                cand = thunk()
        except (ValueError, ZeroDivisionError):
            continue
        if cand is not None:
            yield hint, np.asarray(cand, dtype=np.float64)


def _recognise(value, candidates, tol):
    """The hint of the first candidate the value equals (within ``tol``), or None."""
    for hint, cand in _lazy(candidates):
        if cand.shape == value.shape and _close(value, cand, tol):
            return hint
    return None


def _answer(var, value, eq, expected):
    """Return the student's ``value`` if it is a real NumPy array, else fail saying what it is."""
    if value is None:
        raise AssertionError(
            f"{var} is None: nothing has been computed yet. Write {_label(eq)} in the exercise "
            f"cell above so that it assigns {var} (a {expected} NumPy array), run that cell, then "
            f"run this check again.")
    if isinstance(value, (list, tuple)):
        raise AssertionError(
            f"{var} is a Python {type(value).__name__}, expected a {expected} NumPy array "
            f"({_label(eq)}). Compute it with NumPy matrix operations (@, .T, np.maximum, .sum) "
            f"rather than building a list.")
    if not isinstance(value, np.ndarray):
        raise AssertionError(
            f"{var} is a {type(value).__name__}, expected a {expected} NumPy array ({_label(eq)}).")
    if value.dtype == bool or value.dtype.kind not in "iuf":
        raise AssertionError(
            f"{var} has dtype {value.dtype}, expected real numbers (a float {expected} NumPy "
            f"array, {_label(eq)}).")
    return value


def _fail(var, eq, formula, value, ref, hint, extra=""):
    """Raise the AssertionError for a value of the right shape but the wrong numbers."""
    v, r = np.asarray(value, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    msg = f"{var} does not match {_label(eq)}: {formula}."
    if not np.isfinite(v).all():
        msg += f" {var} contains NaN or inf."
    elif v.size:
        diff = np.abs(v - r)
        idx = np.unravel_index(int(np.argmax(diff)), diff.shape)
        where = f" at index {tuple(int(i) for i in idx)}" if v.ndim else ""
        msg += (f"\n  Largest difference{where}: yours {v[idx]:.8g}, expected {r[idx]:.8g} "
                f"(shape {_shape_str(r.shape)} is right).")
    if extra:
        msg += f"\n  {extra}"
    if hint:
        msg += f"\n  Likely mistake: {hint}"
    raise AssertionError(msg)


def _fail_shape(var, eq, formula, expected_dims, value, ref, hint):
    msg = (f"{var} has shape {value.shape}, expected {ref.shape} ({expected_dims}): "
           f"{_label(eq)}, {formula}.")
    if hint:
        msg += f"\n  Likely mistake: {hint}"
    raise AssertionError(msg)


def _label(eq):
    """"eq. (81)" for an equation number, the text itself otherwise ("the gradient-descent step")."""
    return f"eq. {eq}" if eq.startswith("(") else eq


def _tol(dtype):
    return _TOL.get(np.dtype(dtype), 1e-8)


def _dtype_note(value, dtype):
    if value.dtype.kind == "f" and value.dtype != dtype:
        return f"It has dtype {value.dtype} while the parameters are {dtype}: compute in {dtype}."
    return ""


def _shape_hint(value, ref, *, bias=False, seed_form=False, seed_eq=None):
    """A hint for a shape mismatch, recognised from the shapes alone."""
    vs, rs = value.shape, ref.shape
    if bias and value.ndim == 2 and vs == (rs[1], 1) and rs[1] > 1:
        return ("the result is transposed: the 1×d row came out as a d×1 column. Sum the n×d "
                "matrix over its rows, G.sum(axis=0, keepdims=True), or multiply 1ᵀ·G with 1ᵀ "
                "a 1×n row of ones.")
    if vs == rs[::-1]:
        return (f"the result is transposed ({_shape_str(vs)} instead of {_shape_str(rs)}): the "
                f"factors of the matrix product are in the wrong order or one transpose is "
                f"misplaced — (ABᵀ)ᵀ = BAᵀ.")
    if bias and value.ndim == 2 and vs[1] == rs[1] and vs[0] > 1:
        return (f"bias not summed: the 1×d parameter's gradient is the column sum 1ᵀ·G of the "
                f"paper's n×d {seed_eq} (use G.sum(axis=0, keepdims=True)); the n×d matrix is the "
                f"gradient with respect to the broadcast matrix 1·b, one row per sample.")
    if bias and value.ndim == 1 and vs[0] == rs[1]:
        return ("summed correctly but the result is 1-D; the paper's biases are 1×d rows: use "
                "G.sum(axis=0, keepdims=True).")
    if bias and value.ndim == 0:
        return ("everything was summed into one number; sum over the samples only: "
                "G.sum(axis=0, keepdims=True).")
    if bias and value.ndim == 2 and vs[1] == 1:
        return ("summed over the wrong axis (axis=1, across the columns); the bias gradient sums "
                "over the samples, the rows: G.sum(axis=0, keepdims=True).")
    if seed_form and value.ndim == 2 and vs == (1, rs[1]):
        return (f"this is the summed 1×d gradient; the paper's form {seed_eq} is the n×d matrix "
                f"itself, one row per sample — do not sum it here.")
    if value.ndim == 1 and value.size == ref.size:
        return ("the result is 1-D; keep every matrix 2-D as in the paper "
                "(reshape or keepdims=True).")
    return None


def _scaled(ref, n, d_out, *, factor2=True, mean=True):
    """Candidates that are the right answer up to a telltale factor."""
    out = []
    if factor2:
        out.append(("the factor 2 is dropped: dy = 2(y_pred − y) (82), the derivative of the "
                    "square in (6); your value is half the expected one.", lambda: ref / 2))
        out.append(("the factor 2 is applied twice: your value is twice the expected one.",
                    lambda: ref * 2))
    out.append(("the sign is flipped: the residual is y_pred − y (82), not y − y_pred; your "
                "value is the negative of the expected one.", lambda: -ref))
    if mean:
        out.append(("mean instead of sum: L (6) is a sum over all entries (the paper's text says "
                    "'mean squared error', an erratum), so do not divide by n·d_out.",
                    lambda: ref / (n * d_out)))
        out.append(("mean instead of sum: L (6) is a sum over the n samples, so do not divide "
                    "by n.", lambda: ref / n))
        out.append(("the factor 2 is dropped and a mean taken instead of the sum (6): do neither.",
                    lambda: ref / (2 * n * d_out)))
    return out


def _intermediates(params, x, y):
    """Everything the gradients are made of: the forward cache plus dy (82), dh2 (84) and
    dh1 (86), which the project's backward pass stores in it."""
    _, c = _forward(params, x)
    _backward(params, x, y, c)
    return c


# --------------------------------------------------------------------------------------------
# forward pass (1)–(5) and loss (6)
# --------------------------------------------------------------------------------------------

def check_forward(name, value, params, x):
    """Check a student's forward-pass matrix ``name`` against eqs. (1)–(5).

    ``name`` is one of ``"h1"`` (1), ``"h1_relu"`` (2), ``"h2"`` (3), ``"h2_relu"`` (4),
    ``"y_pred"`` (5). Recognised mistakes: a bias missing (the 1·b term), a ReLU missing (or
    applied where (1), (3), (5) have none), the weight on the wrong side or transposed.
    """
    if name not in _FORWARD:
        raise ValueError(f"name must be one of {', '.join(_FORWARD)}; got {name!r}")
    dtype, x, _ = check_problem(params, x)
    eq, formula, dims = _FORWARD[name]
    value = _answer(name, value, eq, dims)
    _, c = _forward(params, x)
    ref = c[name]
    w1, b1, w2, b2, w3, b3 = (params[k] for k in PARAM_NAMES)
    tol = _tol(dtype)

    cands = {
        "h1": [
            ("the bias is missing: (1) is x·w1 + 1·b1.", lambda: x @ w1),
            ("ReLU applied too early: h1 (1) is the pre-activation; relu comes in (2).",
             lambda: relu(x @ w1 + b1)),
        ],
        "h1_relu": [
            ("ReLU missing: (2) is relu(h1) = max(h1, 0), elementwise.", lambda: c["h1"]),
            ("the bias is missing: (1) is x·w1 + 1·b1.", lambda: relu(x @ w1)),
            ("the ReLU is inverted: relu(h) = max(h, 0) keeps the positive entries.",
             lambda: np.minimum(c["h1"], 0)),
        ],
        "h2": [
            ("ReLU missing in the forward pass: (3) multiplies h1_relu (2), not h1.",
             lambda: c["h1"] @ w2 + b2),
            ("the bias is missing: (3) is h1_relu·w2 + 1·b2.", lambda: c["h1_relu"] @ w2),
            ("ReLU applied too early: h2 (3) is the pre-activation; relu comes in (4).",
             lambda: relu(c["h1_relu"] @ w2 + b2)),
        ],
        "h2_relu": [
            ("ReLU missing: (4) is relu(h2) = max(h2, 0), elementwise.", lambda: c["h2"]),
            ("ReLU missing in the first layer: (3) multiplies h1_relu (2), not h1.",
             lambda: relu(c["h1"] @ w2 + b2)),
            ("the bias is missing: (3) is h1_relu·w2 + 1·b2.", lambda: relu(c["h1_relu"] @ w2)),
        ],
        "y_pred": [
            ("the bias is missing: (5) is h2_relu·w3 + 1·b3.", lambda: c["h2_relu"] @ w3),
            ("ReLU missing in the forward pass: (5) multiplies h2_relu (4), not h2.",
             lambda: c["h2"] @ w3 + b3),
            ("ReLU applied to the output: the output layer (5) is linear (the paper calls it "
             "the 'third hidden layer', but it has no ReLU).",
             lambda: relu(c["h2_relu"] @ w3 + b3)),
            ("ReLU missing in both hidden layers: (2) and (4) apply relu.",
             lambda: ((x @ w1 + b1) @ w2 + b2) @ w3 + b3),
            ("the first ReLU (2) is missing: (3) multiplies h1_relu, not h1.",
             lambda: relu(c["h1"] @ w2 + b2) @ w3 + b3),
            ("all biases are missing: each of (1), (3), (5) adds 1·b.",
             lambda: relu(relu(x @ w1) @ w2) @ w3),
        ],
    }[name]
    _compare(name, value, ref, eq, formula, dims, cands, tol, dtype)


def _compare(var, value, ref, eq, formula, dims, cands, tol, dtype, *, bias=False,
             seed_form=False, seed_eq=None, ok=None):
    if value.shape != ref.shape:
        hint = _recognise(value, cands, tol) or _shape_hint(
            value, ref, bias=bias, seed_form=seed_form, seed_eq=seed_eq)
        _fail_shape(var, eq, formula, dims, value, ref, hint)
    if _close(value, ref, tol):
        print(ok or f"{var} matches eq. {eq}")
        return
    hint = _recognise(value, cands, tol)
    if hint is None and ref.ndim == 2 and ref.shape[0] == ref.shape[1] and _close(
            value, ref.T, tol):
        hint = ("the result is transposed: the factors of the product are in the wrong order "
                "or a transpose is misplaced — (ABᵀ)ᵀ = BAᵀ.")
    _fail(var, eq, formula, value, ref, hint, _dtype_note(value, dtype))


def check_loss(L, y_pred, y):
    """Check a student's loss ``L`` against eq. (6): L = Σ_i Σ_j (y_pred_ij − y_ij)².

    Recognised mistakes: a mean instead of the sum (÷n·d_out or ÷n; the paper's text says "mean
    squared error", an erratum), a factor ½, a missing square, a square root (the norm), a matrix
    instead of one number.
    """
    y_pred, y = check_same_shape(y_pred, y)
    ref = _loss(np.asarray(y_pred, dtype=np.float64), np.asarray(y, dtype=np.float64))
    formula = "L = Σ_i Σ_j (y_pred_ij − y_ij)², a sum over all n·d_out entries"
    if L is None:
        raise AssertionError("L is None: nothing has been computed yet. Write eq. (6) in the "
                             "exercise cell above so that it assigns L (one number), run it, "
                             "then run this check again.")
    if isinstance(L, (bool, np.bool_)) or not isinstance(L, (int, float, np.integer, np.floating,
                                                              np.ndarray)):
        raise AssertionError(f"L is a {type(L).__name__}, expected one number (eq. (6)).")
    arr = np.asarray(L)
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise AssertionError(f"L has dtype {arr.dtype}, expected one real number (eq. (6)).")
    if arr.size != 1:
        hint = ("you kept the squared differences as a matrix: sum all its entries, "
                "np.sum((y_pred - y) ** 2)." if arr.shape == y.shape else
                "sum over both axes, not one: L is a single number.")
        raise AssertionError(f"L has shape {arr.shape}, expected one number (eq. (6): {formula})."
                             f"\n  Likely mistake: {hint}")
    value = float(arr.reshape(()))
    n, d_out = y.shape if y.ndim == 2 else (y.size, 1)
    tol = 1e-4 if np.asarray(y_pred).dtype == np.float32 else 1e-8
    diff = np.asarray(y_pred, dtype=np.float64) - np.asarray(y, dtype=np.float64)
    if math.isfinite(value) and abs(value - ref) <= tol * max(abs(ref), abs(value)):
        print("L matches eq. (6)")
        return
    cands = [
        ("mean instead of sum: (6) is a sum over all n·d_out entries (the paper's text says "
         "'mean squared error', an erratum).", lambda: ref / (n * d_out)),
        ("mean over the samples instead of the sum: (6) sums over all entries, do not divide by "
         "n.", lambda: ref / n),
        ("a factor ½ was added: some texts use ½Σ, the paper's (6) has none (that is where the 2 "
         "in (82) comes from).", lambda: ref / 2),
        ("the square root was taken (the Frobenius norm): (6) is the sum of squares itself.",
         lambda: math.sqrt(ref)),
        ("the differences are not squared: (6) sums (y_pred − y)².", lambda: float(diff.sum())),
        ("absolute values instead of squares: (6) sums (y_pred − y)².",
         lambda: float(np.abs(diff).sum())),
        ("the square was taken after summing: square each difference first, then sum.",
         lambda: float(diff.sum()) ** 2),
    ]
    hint = _recognise(np.asarray(value), [(h, f) for h, f in cands], tol)
    raise AssertionError(f"L does not match eq. (6): {formula}.\n  Yours {value:.6g}, expected "
                         f"{ref:.6g}." + (f"\n  Likely mistake: {hint}" if hint else ""))


# --------------------------------------------------------------------------------------------
# gradients (81)–(86)
# --------------------------------------------------------------------------------------------

def _grad_candidates(name, c, params, x, n, d_out, *, summed):
    """Wrong answers for gradient ``name``, as (hint, thunk) pairs, most specific first."""
    w2, w3 = params["w2"], params["w3"]
    dy, A, B = c["dy"], c["A"], c["B"]

    def col(G):
        return G.sum(axis=0, keepdims=True) if summed else G

    def dh2_(dy_):
        return A * (dy_ @ w3.T)

    def dh1_(dh2):
        return B * (dh2 @ w2.T)

    noA = dy @ w3.T
    mask_a = "mask A (33) is missing: dh2 = A ∘ (dy·w3ᵀ) (84), A = 1 where h2 ≥ 0."
    mask_b = "mask B (64) is missing: dh1 = B ∘ (dh2·w2ᵀ) (86), B = 1 where h1 ≥ 0."
    cands = []
    if name == "w3":
        cands += [("h2 used instead of h2_relu: (81) multiplies the ReLU output h2_relu (4).",
                   lambda: c["h2"].T @ dy)]
    if name == "w2":
        cands += [(mask_a, lambda: c["h1_relu"].T @ noA),
                  ("h1 used instead of h1_relu: (83) multiplies the ReLU output h1_relu (2).",
                   lambda: c["h1"].T @ c["dh2"]),
                  ("mask B (64) used where mask A (33) belongs: dh2 = A ∘ (dy·w3ᵀ).",
                   lambda: c["h1_relu"].T @ (B * noA))]
    if name in ("b2",):
        cands += [(mask_a, lambda: col(noA)),
                  ("mask B (64) used where mask A (33) belongs: dh2 = A ∘ (dy·w3ᵀ).",
                   lambda: col(B * noA))]
    if name in ("w1", "b1"):
        def g(G):
            return x.T @ G if name == "w1" else col(G)
        cands += [(mask_b, lambda: g(c["dh2"] @ w2.T)),
                  (mask_a, lambda: g(B * (noA @ w2.T))),
                  ("both masks are missing: A (33) in (84) and B (64) in (86).",
                   lambda: g(noA @ w2.T)),
                  ("mask B applied before instead of after the product with w2ᵀ: "
                   "dh1 = B ∘ (dh2·w2ᵀ) (86) masks the product.",
                   lambda: g((B * c["dh2"]) @ w2.T)),
                  ("mask A applied after instead of before the product with w2ᵀ: "
                   "dh2 = A ∘ (dy·w3ᵀ) (84) is masked first, then multiplied by w2ᵀ.",
                   lambda: g(B * (A * (noA @ w2.T)))),
                  ("the masks are swapped: A (33) belongs to h2 in (84), B (64) to h1 in (86).",
                   lambda: g(A * ((B * noA) @ w2.T)))]
    if name in ("w1", "w2", "b2", "b1"):
        # w3 or w2 not transposed (only computable when the shapes happen to fit)
        pre = {"w2": lambda G: c["h1_relu"].T @ G, "b2": col,
               "w1": lambda G: x.T @ dh1_(G), "b1": lambda G: col(dh1_(G))}[name]
        cands += [("w3 is not transposed: (84) multiplies dy by w3ᵀ.",
                   lambda: pre(A * (dy @ w3)))]
    if name in ("w1", "b1"):
        cands += [("w2 is not transposed: (86) multiplies dh2 by w2ᵀ.",
                   lambda: (x.T if name == "w1" else np.ones((1, n))) @ (B * (c["dh2"] @ w2)))]
    return cands


def _grad_setup(name, params, x, y, table):
    if name not in table:
        raise ValueError(f"name must be one of {', '.join(table)}; got {name!r}")
    dtype, x, y = check_problem(params, x, y)
    # the reference in the parameters' dtype; float32 is compared at the float32 tolerance
    c = _intermediates(params, x, y)
    return dtype, x, y, c


def check_gradient(name, value, params, x, y):
    """Check a student's gradient ``d<name>`` against eqs. (81)–(86).

    ``name`` is one of ``"w1" "b1" "w2" "b2" "w3" "b3"``. Weights: (85), (83), (81). Biases: the
    true gradient of the 1×d parameter, the column sum 1ᵀ·G of the paper's n×d matrix (86), (84),
    (82) (see :func:`check_seed_bias_form` for the n×d form itself).
    """
    dtype, x, y, c = _grad_setup(name, params, x, y, _GRADIENT)
    eq, formula, dims = _GRADIENT[name]
    var = f"d{name}"
    value = _answer(var, value, eq, dims)
    n, d_out = y.shape
    seed_g = {"b3": c["dy"], "b2": c["dh2"], "b1": c["dh1"]}
    ref = {"w3": lambda: c["h2_relu"].T @ c["dy"], "w2": lambda: c["h1_relu"].T @ c["dh2"],
           "w1": lambda: x.T @ c["dh1"]}.get(name, lambda: seed_g[name].sum(axis=0,
                                                                             keepdims=True))()
    cands = []
    if name[0] == "b":
        seed_eq = _SEED_FORM[name][0]
        G = seed_g[name]
        cands.append((f"bias not summed: the 1×d parameter's gradient is the column sum 1ᵀ·G of "
                      f"the paper's n×d {seed_eq} (G.sum(axis=0, keepdims=True)); the n×d matrix "
                      f"is the gradient with respect to the broadcast matrix 1·b.", lambda: G))
        cands.append((f"mean instead of sum over the samples: the bias gradient is the column "
                      f"sum 1ᵀ·G of {seed_eq}, not its mean.",
                      lambda: G.mean(axis=0, keepdims=True)))
    else:
        seed_eq = None
    tol = _tol(dtype)
    cands += _grad_candidates(name, c, params, x, n, d_out, summed=True)
    cands += _scaled(ref, n, d_out)
    _compare(var, value, ref, eq, formula, dims, cands, tol, dtype, bias=name[0] == "b",
             seed_eq=seed_eq)


def check_seed_bias_form(name, value, params, x, y):
    """Check the paper's n×d bias-gradient matrix for ``name`` in ``"b1" "b2" "b3"``.

    These are (82) dy = 2(y_pred − y), (84) dh2 = A ∘ (dy·w3ᵀ) and (86) dh1 = B ∘ (dh2·w2ᵀ): the
    gradients of L with respect to the broadcast matrices 1·b, one row per sample. (The bias
    parameter's own 1×d gradient is their column sum: :func:`check_gradient`.)
    """
    dtype, x, y, c = _grad_setup(name, params, x, y, _SEED_FORM)
    eq, formula, dims = _SEED_FORM[name]
    var = {"b3": "dy", "b2": "dh2", "b1": "dh1"}[name]
    value = _answer(var, value, eq, dims)
    n, d_out = y.shape
    ref = {"b3": c["dy"], "b2": c["dh2"], "b1": c["dh1"]}[name]
    cands = _grad_candidates(name, c, params, x, n, d_out, summed=False)
    cands += _scaled(ref, n, d_out)
    _compare(var, value, ref, eq, f"{formula} (the paper's form of ∂L/∂{name})", dims, cands,
             _tol(dtype), dtype, seed_form=True, seed_eq=eq,
             ok=f"{var} matches eq. {eq} (the paper's n×d form for {name})")


# --------------------------------------------------------------------------------------------
# central differences and the gradient-descent step
# --------------------------------------------------------------------------------------------

def check_numerical_gradient(estimate, params, x, y, name, h=1e-5):
    """Check a student's central-difference estimate of ∂L/∂``name``.

    The reference perturbs each entry of ``params[name]`` by ±ε (the keyword ``h``) and evaluates
    the loss (6): (L(p + ε) − L(p − ε)) / 2ε (``params`` is left unchanged). Recognised mistakes: a
    forward difference (L(p + ε) − L(p)) / ε, a division by ε instead of 2ε, the sign flipped, a
    perturbation that was not undone.
    """
    if name not in PARAM_NAMES:
        raise ValueError(f"name must be one of {', '.join(PARAM_NAMES)}; got {name!r}")
    if isinstance(h, bool) or not isinstance(h, (int, float, np.floating)) or not (
            math.isfinite(h) and h > 0):
        raise ValueError(f"h must be a positive number; got {h!r}")
    dtype, x, y = check_problem(params, x, y)
    var = f"the numerical gradient of {name}"
    p = params[name]
    estimate = _answer("estimate", estimate, "the central difference", _shape_str(p.shape))
    work = {k: v.copy() for k, v in params.items()}

    def f():
        return _loss(_forward(work, x)[0], y)

    ref = numerical_gradient(f, work[name], h=h)
    formula = (f"the central difference (L(p + ε) − L(p − ε)) / 2ε for each entry p of {name}, "
               f"L from (6)")
    if estimate.shape != p.shape:
        hint = _shape_hint(estimate, ref)
        _fail_shape(var, "the central difference", formula, f"the shape of {name}", estimate, ref,
                    hint)
    L0 = f()
    # round-off of a central difference is about eps·|L|/h; allow a generous multiple of it
    eps = float(np.finfo(dtype).eps)
    scale = max(float(np.abs(ref).max()), 1e-300)
    tol = max(1e-6, 1e3 * eps * abs(L0) / h / scale) if dtype == np.float64 else max(
        1e-2, 1e2 * eps * abs(L0) / h / scale)
    if _close(estimate, ref, tol):
        print(f"{var} matches the central difference (L(p + ε) − L(p − ε)) / 2ε")
        return

    def forward_diff():
        out = np.zeros(p.shape)
        for idx in np.ndindex(p.shape):
            orig = work[name][idx]
            work[name][idx] = orig + h
            out[idx] = (f() - L0) / h
            work[name][idx] = orig
        return out

    def backward_diff():
        out = np.zeros(p.shape)
        for idx in np.ndindex(p.shape):
            orig = work[name][idx]
            work[name][idx] = orig - h
            out[idx] = (L0 - f()) / h
            work[name][idx] = orig
        return out

    cands = [("divided by ε instead of 2ε: the central difference spans 2ε, from p − ε to p + ε.",
              lambda: 2 * ref),
             ("the sign is flipped: (L(p + ε) − L(p − ε)) / 2ε, the plus side first.",
              lambda: -ref),
             ("divided by 2ε twice or by 4ε: the central difference divides by 2ε once.",
              lambda: ref / 2)]
    hint = _recognise(estimate, cands, tol)
    if hint is None:
        fwd = forward_diff()
        bwd = backward_diff()
        err = np.abs(estimate - ref).max()
        if np.abs(estimate - fwd).max() < 0.5 * err:
            hint = ("forward difference instead of central: (L(p + ε) − L(p)) / ε has an error "
                    "of order ε; (L(p + ε) − L(p − ε)) / 2ε cancels it.")
        elif np.abs(estimate - bwd).max() < 0.5 * err:
            hint = ("backward difference instead of central: (L(p) − L(p − ε)) / ε has an error "
                    "of order ε; (L(p + ε) − L(p − ε)) / 2ε cancels it.")
    if hint is None:
        hint = ("if only some entries are wrong, check that each perturbed entry is restored "
                "(p ← original) before the next one, also when the code fails in between.")
    _fail(var, "the central difference", formula, estimate, ref, hint)


def check_gd_step(new_params, old_params, grads, lr):
    """Check one gradient-descent step: p ← p − lr·∂L/∂p for all six parameters.

    ``old_params`` are the parameters before the step (a copy: if the step was done in place on
    the same arrays, keep ``{k: v.copy() for k, v in params.items()}`` first), ``grads`` the
    gradients (81)–(86) they were updated with. Recognised mistakes: the step added instead of
    subtracted, lr forgotten, the step not taken (old values returned), a bias gradient not summed.
    """
    dtype, _ = check_params(old_params)
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating)) or not (
            math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive finite number; got {lr!r}")
    if not isinstance(grads, dict) or any(k not in grads for k in PARAM_NAMES):
        raise ValueError(f"grads must be a dict with the keys {', '.join(PARAM_NAMES)}")
    for k in PARAM_NAMES:
        g = np.asarray(grads[k])
        if g.shape != old_params[k].shape:
            raise ValueError(f"grads['{k}'] has shape {g.shape}, expected {old_params[k].shape} "
                             f"(the shape of params['{k}']; biases need the 1×d column sums)")
    formula = "p ← p − lr·∂L/∂p, for every parameter"
    if new_params is None:
        raise AssertionError("new_params is None: the update was not stored. Write "
                             f"{formula} in the exercise cell above.")
    if not isinstance(new_params, dict):
        raise AssertionError(f"new_params is a {type(new_params).__name__}, expected a dict with "
                             f"the keys {', '.join(PARAM_NAMES)}.")
    missing = [k for k in PARAM_NAMES if k not in new_params]
    if missing:
        raise AssertionError(f"new_params has no {', '.join(missing)}: update all six "
                             f"parameters, {formula}.")
    tol = _tol(dtype)
    for k in PARAM_NAMES:
        new, old, g = new_params[k], old_params[k], np.asarray(grads[k], dtype=np.float64)
        var = f"new_params['{k}']"
        new = _answer(var, new, "the gradient-descent step", _shape_str(old.shape))
        if new is old or (new.size and np.shares_memory(new, old)):
            raise AssertionError(
                f"new_params['{k}'] and old_params['{k}'] are the same array, so the step cannot "
                f"be checked: keep a copy of the parameters before the step, "
                f"old_params = {{k: v.copy() for k, v in params.items()}}.")
        ref = old.astype(np.float64) - lr * g
        if new.shape != old.shape:
            _fail_shape(var, "the gradient-descent step", formula, f"the shape of params['{k}']", new, ref,
                        _shape_hint(new, ref))
        if _close(new, ref, tol):
            continue
        cands = [("the step is added instead of subtracted: gradient descent moves against the "
                  "gradient, p − lr·g.", lambda old=old, g=g: old + lr * g),
                 ("the learning rate is missing: p − lr·g.", lambda old=old, g=g: old - g),
                 ("the parameters are unchanged: the step was not applied (or applied to a copy "
                  "that was thrown away).", lambda old=old: old),
                 ("the step was applied twice.", lambda old=old, g=g: old - 2 * lr * g),
                 ("the step is lr·p instead of lr·g: subtract the gradient, not the parameter.",
                  lambda old=old: old - lr * old)]
        hint = _recognise(np.asarray(new), cands, tol)
        _fail(var, "the gradient-descent step", f"{formula}; here {k} − lr·d{k}", new, ref, hint)
    print("the gradient-descent step matches p ← p − lr·∂L/∂p for all six parameters")
