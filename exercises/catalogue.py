"""The mistake catalogue: every typical mistake the checks recognise, as data.

Each :class:`Mistake` names the mistake, the equation to look at, the exercises it applies to,
how it is recognised (``how``; ``wrong`` computes the wrong answer it produces, ``None`` when it is
recognised from the shape, from the error it raises in the student's cell, or by the check's own
logic) and the hint. A hint names the mistake and the equation number; it never states the
formula (see :func:`exercises.show_answer`). ``examples`` are the mistake as a student writes
it in the exercise cell: tests/test_mistakes_in_notebooks.py finds the cell that computes the
name each example assigns and drives every entry with them, in the student notebooks.

The ``wrong`` functions receive a :class:`exercises.context.Context`: the forward and
backward intermediates of the problem and ``c.up(level, G)``, which turns a candidate for ``dy``,
``dh2`` or ``dh1`` into the exercise's own quantity (e.g. ``dw2`` from a wrong ``dh2``).
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._compare import close, tol_for


@dataclass(frozen=True)
class Mistake:
    key: str
    name: str                     # the mistake, named
    eq: str                       # the equation to look at, "(84)"; "": the exercise's own
    quantities: tuple             # the exercises it applies to
    how: str                      # how it is recognised
    hint: str = ""                # what to look at, never the formula
    wrong: Callable | None = None
    examples: tuple = ()          # the mistake as a student writes it in the exercise cell

    def text(self, own=""):
        """'name (eq. (84)). hint'; ``own``: the exercise's equation, for an entry that applies
        to several exercises and names each one's own ("the result is transposed (eq. (81))")."""
        eq = self.eq or own
        where = "" if not eq else f" (eq. {eq})" if eq.startswith("(") else f" ({eq})"
        return f"{self.name}{where}. {self.hint}".rstrip()


DH2 = ("dh2", "db2", "dw2", "dh1", "db1", "dw1")         # everything that goes through (84)
DH1 = ("dh1", "db1", "dw1")                              # everything that goes through (86)
GRADS = ("dy", "dw3", "db3") + DH2
BIASES = ("db3", "db2", "db1")
_M = []


def _add(key, name, eq, quantities, how, hint="", wrong=None, examples=()):
    _M.append(Mistake(key, name, eq, tuple(quantities), how, hint, wrong, tuple(examples)))


# ---------------------------------------------------------------- forward pass (1)–(5)
_add("f-bias-missing-1", "the bias term is missing", "(1)", ("h1", "h1_relu"),
     "equals the layer computed without its bias",
     "Each layer adds its bias row to every sample.",
     lambda c: c.fwd("h1", bias1=False),
     examples=('h1 = x @ w1',))
_add("f-relu-too-early-1", "ReLU applied too early", "(1)", ("h1",),
     "equals relu of the right h1", "h1 is the pre-activation; the ReLU comes in (2).",
     lambda c: np.maximum(c.h1, 0),
     examples=('h1 = np.maximum(x @ w1 + b1, 0)',))
_add("f-relu-missing-2", "the ReLU is missing", "(2)", ("h1_relu",), "equals h1",
     "h1_relu is h1 after the elementwise ReLU.", lambda c: c.h1,
     examples=('h1_relu = h1',))
_add("f-relu-inverted", "the ReLU is inverted", "", ("h1_relu", "h2_relu"),
     "equals the negative part of the pre-activation",
     "The ReLU keeps the positive entries and zeroes the others.",
     lambda c: np.minimum(c.pre, 0),
     examples=('h1_relu = np.minimum(h1, 0)', 'h2_relu = h2 * (h2 < 0)'))
_add("f-np-max", "np.max (or Python's max) used instead of np.maximum", "",
     ("h1_relu", "h2_relu"),
     "equals a maximum along an axis (np.max / .max) of the pre-activation, or raises in the "
     "cell",
     "np.max reduces an array to its largest entries along an axis; the ReLU is the elementwise "
     "maximum of each entry and 0, which keeps the shape.",
     lambda c: c.any_of(c.pre.max(axis=0), c.pre.max(axis=0, keepdims=True), c.pre.max(),
                        c.pre.max(axis=1), c.pre.max(axis=1, keepdims=True)),
     examples=('h1_relu = np.max(h1, axis=0)', 'h2_relu = np.max(h2, 0)'))
_add("f-relu1-missing", "the first ReLU is missing in the forward pass", "(2)",
     ("h2", "h2_relu", "y_pred"), "equals the forward pass run on h1 instead of h1_relu",
     "The second layer (3) multiplies h1_relu, the output of (2), not h1.",
     lambda c: c.fwd(c.name, relu1=False),
     examples=('h2 = h1 @ w2 + b2',))
_add("f-bias-missing-3", "the bias term is missing", "(3)", ("h2", "h2_relu"),
     "equals the layer computed without its bias", "Each layer adds its bias row.",
     lambda c: c.fwd(c.name, bias2=False),
     examples=('h2 = h1_relu @ w2',))
_add("f-relu-too-early-3", "ReLU applied too early", "(3)", ("h2",), "equals relu of h2",
     "h2 is the pre-activation; the ReLU comes in (4).", lambda c: np.maximum(c.h2, 0),
     examples=('h2 = np.maximum(h1_relu @ w2 + b2, 0)',))
_add("f-relu-missing-4", "the ReLU is missing", "(4)", ("h2_relu",), "equals h2",
     "h2_relu is h2 after the elementwise ReLU.", lambda c: c.h2,
     examples=('h2_relu = h2',))
_add("f-product-order", "the factors of the layer's product are in the wrong order, or "
     "transposed", "", ("h1", "h1_relu", "h2", "h2_relu", "y_pred"),
     "raises in the cell: a matmul error between a layer's input and its weight matrix "
     "(recognised by the exception handler)",
     "Each sample is a row of the layer's input, and the weight matrix maps its columns to the "
     "layer's units: check the shape of each factor, (rows×columns)(rows×columns), and which "
     "dimension the product contracts.",
     examples=('h1 = x.T @ w1 + b1', 'h1 = w1 @ x'))
_add("f-bias-missing-5", "the bias term is missing", "(5)", ("y_pred",),
     "equals the output without b3", "The output layer adds its bias row too.",
     lambda c: c.fwd("y_pred", bias3=False),
     examples=('y_pred = h2_relu @ w3',))
_add("f-relu2-missing", "the second ReLU is missing in the forward pass", "(4)", ("y_pred",),
     "equals the output computed from h2", "The output layer (5) multiplies h2_relu, not h2.",
     lambda c: c.fwd("y_pred", relu2=False),
     examples=('y_pred = h2 @ w3 + b3',))
_add("f-relu-on-output", "a ReLU applied to the output", "(5)", ("y_pred",),
     "equals relu of the right output",
     "The output layer is linear (the paper calls it a 'third hidden layer', but it has no "
     "ReLU).", lambda c: np.maximum(c.y_pred, 0),
     examples=('y_pred = np.maximum(h2_relu @ w3 + b3, 0)',))
_add("f-no-relu", "both ReLUs are missing", "(2), (4)", ("y_pred",),
     "equals the forward pass without any ReLU", "",
     lambda c: c.fwd("y_pred", relu1=False, relu2=False),
     examples=('y_pred = ((x @ w1 + b1) @ w2 + b2) @ w3 + b3',))
_add("f-no-biases", "all bias terms are missing", "(1), (3), (5)", ("y_pred",),
     "equals the forward pass without biases", "",
     lambda c: c.fwd("y_pred", bias1=False, bias2=False, bias3=False),
     examples=('y_pred = np.maximum(np.maximum(x @ w1, 0) @ w2, 0) @ w3',))

# ---------------------------------------------------------------- loss (6)
_add("l-mean-all", "a mean instead of the sum", "(6)", ("L",), "equals L / (n·d_out)",
     "(6) is a sum over all entries (the paper's text says 'mean squared error', an erratum).",
     lambda c: c.L / (c.n * c.d_out),
     examples=('L = np.mean((y_pred - y) ** 2)',))
_add("l-mean-n", "a mean over the samples instead of the sum", "(6)", ("L",),
     "equals L / n", "(6) sums over all entries: do not divide.", lambda c: c.L / c.n,
     examples=('L = np.sum((y_pred - y) ** 2) / n',))
_add("l-half", "a factor ½ was added", "(6)", ("L",), "equals L / 2",
     "Some texts use ½Σ; the paper's (6) has no ½ (that is where the 2 in (82) comes from).",
     lambda c: c.L / 2,
     examples=('L = np.sum((y_pred - y) ** 2) / 2',))
_add("l-sqrt", "a square root was taken (the norm)", "(6)", ("L",), "equals √L",
     "(6) is the sum of squares itself.", lambda c: np.sqrt(c.L),
     examples=('L = np.sqrt(np.sum((y_pred - y) ** 2))',))
_add("l-not-squared", "the differences are not squared", "(6)", ("L",),
     "equals Σ(y_pred − y)", "", lambda c: (c.y_pred - c.y).sum(),
     examples=('L = np.sum(y_pred - y)',))
_add("l-abs", "absolute values instead of squares", "(6)", ("L",), "equals Σ|y_pred − y|", "",
     lambda c: np.abs(c.y_pred - c.y).sum(),
     examples=('L = np.sum(np.abs(y_pred - y))',))
_add("l-square-after-sum", "the square was taken after summing", "(6)", ("L",),
     "equals (Σ(y_pred − y))²", "Square each difference first.",
     lambda c: (c.y_pred - c.y).sum() ** 2,
     examples=('L = np.sum(y_pred - y) ** 2',))
_add("l-matrix", "the squared differences were kept as a matrix", "(6)", ("L",),
     "shape n×d_out: nothing was summed",
     "L is one number: sum over every entry.",
     examples=('L = (y_pred - y) ** 2',))
_add("l-one-axis", "summed over one axis only", "(6)", ("L",),
     "a vector of d_out or n numbers (1-D, a row or a column): the squares summed over the "
     "samples only, or over the outputs only",
     "L is one number: the sum runs over both indices of (6), the samples and the outputs.",
     examples=('L = np.sum((y_pred - y)**2, axis=0)',))

# ---------------------------------------------------------------- gradients (81)–(86)
_add("g-factor2-dropped", "the factor 2 is dropped", "(8)", GRADS,
     "equals half the right answer",
     "It comes from differentiating the square in (6): your value is half the expected one.",
     lambda c: c.ref / 2,
     examples=('dy = y_pred - y',))
_add("g-factor2-twice", "the factor 2 is applied twice", "(8)", GRADS,
     "equals twice the right answer", "", lambda c: c.ref * 2,
     examples=('dy = 4 * (y_pred - y)',))
_add("g-sign", "the sign is flipped", "(8)", GRADS, "equals minus the right answer",
     "Which comes first in the residual, y_pred or y? Your value is the negative of the "
     "expected one.", lambda c: -c.ref,
     examples=('dy = 2 * (y - y_pred)',))
_add("g-mean-all", "a mean instead of the sum", "(6)", GRADS,
     "equals the right answer / (n·d_out)",
     "L (6) is a sum over all entries (the paper's text says 'mean squared error', an erratum).",
     lambda c: c.ref / (c.n * c.d_out),
     examples=('dy = 2 * (y_pred - y) / y.size',))
_add("g-mean-n", "a mean over the samples instead of the sum", "(6)", GRADS,
     "equals the right answer / n", "L (6) is a sum over the n samples.",
     lambda c: c.ref / c.n,
     examples=('dy = 2 * (y_pred - y) / n',))
_add("g-h2-for-h2relu", "h2 used instead of h2_relu", "(81)", ("dw3",),
     "equals the product with h2", "The output layer (5) multiplies the ReLU output (4).",
     lambda c: c.up("dy", c.dy, act=c.h2),
     examples=('dw3 = cache["h2"].T @ dy',))
_add("g-h1-for-h1relu", "h1 used instead of h1_relu", "(83)", ("dw2",),
     "equals the product with h1", "The second layer (3) multiplies the ReLU output (2).",
     lambda c: c.up("dh2", c.dh2, act=c.h1),
     examples=('dw2 = h1.T @ dh2',))
for _q, _act, _eq, _lvl in (("dw3", "h2_relu", "(81)", "dy"), ("dw2", "h1_relu", "(83)", "dh2"),
                            ("dw1", "x", "(85)", "dh1")):
    _add(f"g-missing-transpose-{_q[1:]}", f"{_act} is not transposed", _eq, (_q,),
         f"equals {_act} times the paper's n×d form without the transpose (only computable "
         f"when the sizes allow it; otherwise the cell raises a matmul error)",
         f"The gradient sums over the n samples, the rows of {_act}: check the shape of each "
         f"factor, (rows×columns)(rows×columns), and which dimension the product contracts.",
         lambda c, _act=_act, _lvl=_lvl: getattr(c, _act) @ getattr(c, _lvl),
         examples=(f"{_q} = {_act} @ {_lvl}",))
_add("g-result-transposed", "the result is transposed", "",
     ("dw3", "dw2", "dw1", "h1", "h1_relu", "h2", "h2_relu", "y_pred", "dy", "dh2", "dh1"),
     "equals the transpose of the right answer (factors in the wrong order)",
     "The factors of the product are in the wrong order, or a transpose is misplaced.",
     lambda c: c.ref.T,
     examples=('h1 = (x @ w1 + b1).T',))
_add("g-mask-A-missing", "mask A (33) is missing", "(84)", DH2,
     "equals the answer computed without A",
     "dh2 (84) carries the second ReLU's derivative, the mask A (33).",
     lambda c: c.up("dh2", c.dy @ c.w3.T),
     examples=('dh2 = dy @ w3.T',))
_add("g-mask-B-missing", "mask B (64) is missing", "(86)", DH1,
     "equals the answer computed without B",
     "dh1 (86) carries the first ReLU's derivative, the mask B (64).",
     lambda c: c.up("dh1", c.dh2 @ c.w2.T),
     examples=('dh1 = dh2 @ w2.T',))
_add("g-masks-missing", "both masks are missing", "(84), (86)", DH1,
     "equals the answer without A and B", "Each ReLU contributes its mask, A (33) and B (64).",
     lambda c: c.up("dh1", (c.dy @ c.w3.T) @ c.w2.T),
     examples=('dh1 = (dy @ w3.T) @ w2.T',))
_add("g-mask-B-for-A", "mask B (64) used where mask A (33) belongs", "(84)", DH2,
     "equals the answer with B in place of A (computable when d1 = d2; otherwise the cell "
     "raises a broadcast error)",
     "dh2 belongs to the second layer, whose ReLU derivative is A (33), n×d2; B (64) is the "
     "first layer's, n×d1.", lambda c: c.up("dh2", c.B * (c.dy @ c.w3.T)),
     examples=('dh2 = B * (dy @ w3.T)',))
_add("g-mask-A-for-B", "mask A (33) used where mask B (64) belongs", "(86)", DH1,
     "equals the answer with A in place of B (computable when d1 = d2; otherwise the cell "
     "raises a broadcast error)",
     "dh1 belongs to the first layer, whose ReLU derivative is B (64), n×d1; A (33) is the "
     "second layer's, n×d2.", lambda c: c.up("dh1", c.A * (c.dh2 @ c.w2.T)),
     examples=('dh1 = A * (dh2 @ w2.T)',))
for _m, _act, _eq, _qs, _pre in (("A", "h2_relu", "(84)", DH2, "dy @ w3.T"),
                                 ("B", "h1_relu", "(86)", DH1, "dh2 @ w2.T")):
    _lvl = "dh2" if _m == "A" else "dh1"
    _add(f"g-act-for-mask-{_m}", f"the activation {_act} used as the mask {_m}", _eq, _qs,
         f"equals the answer with {_act} in place of {_m}",
         f"The mask {_m} holds the ReLU's derivative, 0 or 1 in each entry; {_act} holds the "
         f"ReLU's output values.",
         lambda c, _m=_m, _act=_act, _lvl=_lvl: c.up(_lvl, getattr(c, _act) * (
             c.dy @ c.w3.T if _m == "A" else c.dh2 @ c.w2.T)),
         examples=(f"{_lvl} = {_act} * ({_pre})",))
    _add(f"g-mask-{_m}-inverted", f"the mask {_m} is inverted", _eq, _qs,
         f"equals the answer with 1 − {_m} in place of {_m}",
         f"{_m} keeps the entries whose unit was active (its pre-activation positive) and zeroes "
         f"the others, not the other way round.",
         lambda c, _m=_m, _lvl=_lvl: c.up(_lvl, np.logical_not(getattr(c, _m)) * (
             c.dy @ c.w3.T if _m == "A" else c.dh2 @ c.w2.T)),
         examples=(f"{_lvl} = (~{_m}) * ({_pre})",))
_add("g-precedence", "the mask multiplies only the first factor of the product", "", DH2,
     "raises in the cell, or equals the answer with the mask applied before the product: "
     "`*` and `@` have the same precedence and go left to right (recognised by the exception "
     "handler)",
     "Python evaluates `*` and `@` from left to right, so the mask was multiplied into the "
     "first factor before the matrix product; use parentheses to say which product comes "
     "first.",
     lambda c: c.up("dh2", (c.A * c.dy) @ c.w3.T),
     examples=('dh2 = A * dy @ w3.T', 'dh2 = A * (y_pred - y) @ w3.T'))
_add("g-masks-swapped", "the masks are swapped", "(84), (86)", DH1,
     "equals the answer with A and B exchanged (computable when d1 = d2; otherwise B raises "
     "first, in (84), and gets the hint of B used where A belongs)",
     "A (33) belongs to h2, B (64) to h1.",
     lambda c: c.up("dh1", c.A * ((c.B * (c.dy @ c.w3.T)) @ c.w2.T)),
     examples=('dh1 = A * ((B * (dy @ w3.T)) @ w2.T)',))
_add("g-mask-B-before-product", "mask B applied to dh2 before (or without) the product with w2ᵀ",
     "(86)", DH1,
     "equals the answer with B applied to dh2 (computable when d1 = d2; otherwise it raises in "
     "the cell, recognised by the exception handler)",
     "In (86) the mask multiplies the product.",
     lambda c: c.up("dh1", (c.B * c.dh2) @ c.w2.T),
     examples=('dh1 = (B * dh2) @ w2.T',))
_add("g-mask-A-after-product", "mask A applied after the product with w2ᵀ", "(84)", DH1,
     "equals the answer with A applied one step late (computable when d1 = d2; otherwise it "
     "raises in the cell, recognised by the exception handler)",
     "A (33) masks dh2 (84) before it is multiplied by w2ᵀ.",
     lambda c: c.up("dh1", c.B * (c.A * ((c.dy @ c.w3.T) @ c.w2.T))),
     examples=('dh1 = B * (A * ((dy @ w3.T) @ w2.T))',))
_add("g-matmul-for-hadamard-A", "a matrix product with A (@) where the elementwise product ∘ "
     "belongs", "(84)", DH2,
     "equals the answer with A @ instead of A * (computable when n = d2; otherwise the cell "
     "raises a matmul error)",
     "∘ multiplies entry by entry (NumPy's *); @ is the matrix product.",
     lambda c: c.up("dh2", c.A @ (c.dy @ c.w3.T)),
     examples=('dh2 = A @ (dy @ w3.T)',))
_add("g-matmul-for-hadamard-B", "a matrix product with B (@) where the elementwise product ∘ "
     "belongs", "(86)", DH1,
     "equals the answer with B @ instead of B * (computable when n = d1; otherwise the cell "
     "raises a matmul error)",
     "∘ multiplies entry by entry (NumPy's *); @ is the matrix product.",
     lambda c: c.up("dh1", c.B @ (c.dh2 @ c.w2.T)),
     examples=('dh1 = B @ (dh2 @ w2.T)',))
_add("g-hadamard-for-matmul", "an elementwise product (*) where a matrix product (@) belongs",
     "(81), (83), (85)", ("dw3", "dw2", "dw1"),
     "raises in the cell: a transposed activation times a gradient, entry by entry "
     "(recognised by the exception handler)",
     "A weight's gradient sums over the samples, and that sum is the inner dimension of a matrix "
     "product; * multiplies entry by entry.",
     examples=('dw3 = h2_relu.T * dy',))
_add("g-w3-not-transposed", "w3 is not transposed", "(84)", DH2,
     "equals the answer with w3 for w3ᵀ (computable when d2 = d_out; otherwise the cell "
     "raises a matmul error)",
     "dy is n×d_out and w3 is d2×d_out: check which dimension the product contracts.",
     lambda c: c.up("dh2", c.A * (c.dy @ c.w3)),
     examples=('dh2 = A * (dy @ w3)',))
_add("g-w2-not-transposed", "w2 is not transposed", "(86)", DH1,
     "equals the answer with w2 for w2ᵀ (computable when d1 = d2; otherwise the cell raises "
     "a matmul error)",
     "dh2 is n×d2 and w2 is d1×d2: check which dimension the product contracts.",
     lambda c: c.up("dh1", c.B * (c.dh2 @ c.w2)),
     examples=('dh1 = B * (dh2 @ w2)',))

# ---------------------------------------------------------------- bias gradients, 1×d
_add("b-not-summed", "the bias gradient is not summed over the samples", "", BIASES,
     "equals the paper's n×d form itself",
     "The n×d matrix is the gradient with respect to the broadcast matrix 1·b, one row per "
     "sample; the 1×d parameter gets one number per column (see the erratum).",
     lambda c: c.G,
     examples=('db3 = dy',))
_add("b-mean", "a mean over the samples instead of the sum", "", BIASES,
     "equals the column means", "Every sample adds its share to the bias gradient.",
     lambda c: c.G.mean(axis=0, keepdims=True),
     examples=('db3 = dy.mean(axis=0, keepdims=True)',))
_add("b-wrong-axis", "summed over the wrong axis (axis=1, across a row)", "", BIASES,
     "equals the row sums (axis=1, with or without keepdims)",
     "The samples are the rows: the bias gradient adds the rows up, one number per column.",
     lambda c: c.any_of(c.G.sum(axis=1, keepdims=True), c.G.sum(axis=1)),
     examples=('db3 = dy.sum(axis=1, keepdims=True)',))
_add("b-transposed", "the result is transposed: a d×1 column instead of a 1×d row", "",
     BIASES, "equals the right answer transposed", "The bias b is a 1×d row.",
     lambda c: c.ref.T,
     examples=('db3 = dy.sum(axis=0, keepdims=True).T',))
_add("b-1d", "the result is 1-D", "", BIASES,
     "equals the right numbers with shape (d,)",
     "Keep every matrix 2-D as in the paper: the bias is a 1×d row (keepdims).",
     lambda c: c.ref.ravel(),
     examples=('db3 = dy.sum(axis=0)',))
_add("b-total", "everything was summed into one number", "", BIASES,
     "equals the sum of all entries", "Sum over the samples only, one number per column.",
     lambda c: c.G.sum(),
     examples=('db3 = dy.sum()',))
_add("b-first-row", "only the first sample's row was taken", "", BIASES,
     "equals the first row of the paper's n×d form",
     "The bias gradient adds up the rows of every sample, one number per column.",
     lambda c: c.G[:1],
     examples=('db3 = dy[:1]',))
_add("b-mask-summed", "the mask was summed instead of the gradient", "", ("db2", "db1"),
     "equals the column sums of the layer's mask, A (33) for db2, B (64) for db1",
     "The mask only says which units were active; the bias gradient sums the layer's gradient "
     "over the samples.",
     lambda c: (c.A if c.name == "db2" else c.B).sum(axis=0, keepdims=True),
     examples=('db1 = B.sum(axis=0, keepdims=True)',))
_add("s-summed", "the paper's n×d form was summed", "", ("dy", "dh2", "dh1"),
     "equals the column sums of the right answer",
     "This exercise asks for the n×d matrix itself, one row per sample; summing it gives the "
     "1×d bias gradient, a later exercise.", lambda c: c.ref.sum(axis=0, keepdims=True),
     examples=('dy = (2 * (y_pred - y)).sum(axis=0, keepdims=True)',))
_add("x-1d", "the result is 1-D", "", ("h1", "h1_relu", "h2", "h2_relu", "y_pred")
     + GRADS, "has the right numbers but shape (size,)",
     "Keep every matrix 2-D as in the paper.", lambda c: c.ref.ravel(),
     examples=('h1 = (x @ w1 + b1).ravel()',))

_add("x-in-place", "another quantity was changed in place", "",
     ("h1", "h1_relu", "h2", "h2_relu", "y_pred") + GRADS,
     "the answer shares its memory with another quantity of the notebook (h1, y_pred, dy, …) "
     "that no longer holds its own value (exercises.inplace)",
     "`a = b` gives one array a second name, so changing a (`a[...] = …`, `a -= …`, `a *= …`) "
     "changes b too; and a new value for a name the notebook uses (`dy = …`) replaces it. Leave "
     "the notebook's quantities as they are, and compute your answer as a new array.",
     examples=(
         ('h1_relu = h1\n'
          'h1_relu[h1_relu < 0] = 0'),
         ('dy = y_pred\n'
          'dy -= y\n'
          'dy *= 2'),
     ))

# ---------------------------------------------------------------- index forms (14, 15)
# J3, J2, J1: ∂y_pred_ij/∂w_kl for every i, j, k, l, (10), (28), (56); dw3_index … dw1_index: the
# chain rule's sum over i and j of 2(y_pred_ij − y_ij) times it, (11), (29), (57). The check's
# Context is that of dw3 … dw1, and c.jac the right J (both from the reference backward pass).
_J, _SUMS = ("J3", "J2", "J1"), ("dw3_index", "dw2_index", "dw1_index")
_INDEX = {"J3": ('"ik,jl->ijkl", h2_relu, np.eye(d_out)', "dw3_index"),
          "J2": ('"il,ik,lj->ijkl", A, h1_relu, w3', "dw2_index"),
          "J1": ('"mj,im,il,ik,lm->ijkl", w3, A, B, x, w2', "dw1_index")}


def _index_cell(J, jac=None, total='"ij,ijkl->kl", 2 * (y_pred - y)'):
    """An exercise cell of 14 or 15 as a student writes it: J, then the sum, each as given
    (np.einsum's arguments) or right."""
    return (f"{J} = np.einsum({jac or _INDEX[J][0]})\n"
            f"{_INDEX[J][1]} = np.einsum({total}, {J})")


def _found(c, candidates):
    """The first candidate with the student's shape and numbers, or None."""
    value, tol = np.asarray(c.value, dtype=np.float64), tol_for(np.asarray(c.ref).dtype)
    return next((k for k in candidates if k.shape == value.shape and close(value, k, tol)), None)


def _reordered(c):
    """The right J with its axes in another order."""
    return _found(c, (c.ref.transpose(p) for p in itertools.permutations(range(c.ref.ndim))
                      if p != tuple(range(c.ref.ndim))))


def _kept(c):
    """The sum of (8) keeping another pair of the indices i, j, k, l than k, l."""
    return _found(c, (k for p, q in itertools.permutations("ijkl", 2) if p + q not in ("kl", "lk")
                      for k in [np.einsum(f"ij,ijkl->{p}{q}", c.dy, c.jac)]
                      if not close(k, c.ref, tol_for(k.dtype))))


_add("j-index-order", "the indices are in another order than [i, j, k, l]", "", _J,
     "equals the right array with its axes in another order",
     "Entry [i, j, k, l] is the derivative of the output entry y_pred_ij by the weight entry "
     "w_kl: the output's indices first, then the weight's, each row before column.",
     _reordered,
     examples=(_index_cell("J2", '"il,ik,lj->ijlk", A, h1_relu, w3'),
               _index_cell("J1", '"mj,im,il,ik,lm->ijlk", w3, A, B, x, w2')))
_add("j-indicator-missing", "the indicator I(j = l) is missing", "(10)", ("J3",),
     "equals the derivative taken as h2_relu_ik for every j and l",
     "w3_kl reaches only the outputs of column l: the derivative is 0 where j and l differ.",
     lambda c: c.jacobian(lambda G: ("dy", G @ np.ones((G.shape[1],) * 2, G.dtype))),
     examples=(("J3 = np.zeros((n, d_out, d2, d_out))\n"
                "for i, j, k, l in np.ndindex(J3.shape):\n"
                "    J3[i, j, k, l] = h2_relu[i, k]\n"
                'dw3_index = np.einsum("ij,ijkl->kl", 2 * (y_pred - y), J3)'),))
_add("j-mask-A-missing", "the mask A (33) is missing", "", ("J2", "J1"),
     "equals the derivative without the second ReLU's factor",
     "The weight reaches the output through the second ReLU: its derivative, A (33), is one "
     "of the factors.",
     lambda c: c.jacobian(lambda G: ("dh2", G @ c.w3.T)),
     examples=(_index_cell("J2", '"ik,lj->ijkl", h1_relu, w3'),
               _index_cell("J1", '"mj,il,ik,lm->ijkl", w3, B, x, w2')))
_add("j-mask-B-missing", "the mask B (64) is missing", "(56)", ("J1",),
     "equals the derivative without the first ReLU's factor",
     "w1 reaches the output through the first ReLU too: its derivative, B (64), is one of the "
     "factors.",
     lambda c: c.jacobian(lambda G: ("dh1", (c.A * (G @ c.w3.T)) @ c.w2.T)),
     examples=(_index_cell("J1", '"mj,im,ik,lm->ijkl", w3, A, x, w2'),))
_add("i-transposed", "the result is transposed", "", _SUMS,
     "equals the transpose of the right answer",
     "Entry [k, l] belongs to the weight entry w_kl: k, the weight's row, first.",
     lambda c: c.ref.T,
     examples=(_index_cell("J3", total='"ij,ijkl->lk", 2 * (y_pred - y)'),
               _index_cell("J1", total='"ij,ijkl->lk", 2 * (y_pred - y)')))
_add("i-wrong-indices", "summed over the wrong indices", "", _SUMS,
     "equals the chain rule's sum over another pair than i and j",
     "The sum runs over the output entry, i and j; what stays are k and l, the indices of the "
     "weight.",
     _kept,
     examples=(_index_cell("J2", total='"ij,ijkl->jl", 2 * (y_pred - y)'),))
_add("i-factor2-dropped", "the factor 2 is dropped", "(8)", _SUMS,
     "equals half the right answer",
     "It comes from differentiating the square in (6): your value is half the expected one.",
     lambda c: c.ref / 2,
     examples=(_index_cell("J2", total='"ij,ijkl->kl", y_pred - y'),))

# ---------------------------------------------------------------- central difference (07)
def _loop(copy="p", restore=True, last="(L_plus - L_minus) / (2 * epsilon)"):
    """07's central-difference loop as a student writes it, with one thing changed."""
    return (f"q = {copy}\nL_0 = loss(forward(params, x)[0], y)\nfor idx in np.ndindex(p.shape):\n"
            "    original = q[idx]\n    q[idx] = original + epsilon\n"
            "    L_plus = loss(forward(params, x)[0], y)\n    q[idx] = original - epsilon\n"
            "    L_minus = loss(forward(params, x)[0], y)\n"
            + ("    q[idx] = original\n" if restore else "") + f"    estimate[idx] = {last}")


_NUM = ("numerical",)
_add("n-h-not-2h", "divided by ε instead of 2ε", "the central difference", _NUM,
     "equals twice the right estimate", "The central difference spans 2ε, from p − ε to p + ε.",
     lambda c: 2 * c.ref,
     examples=(
         _loop(last="(L_plus - L_minus) / epsilon"),
     ))
_add("n-sign", "the sign is flipped", "the central difference", _NUM,
     "equals minus the right estimate", "Which side of p comes first?", lambda c: -c.ref,
     examples=(
         _loop(last="(L_minus - L_plus) / (2 * epsilon)"),
     ))
_add("n-4h", "divided by 2ε twice, or by 4ε", "the central difference", _NUM,
     "equals half the right estimate", "", lambda c: c.ref / 2,
     examples=(
         _loop(last="(L_plus - L_minus) / (4 * epsilon)"),
     ))
_add("n-precedence", "the estimate is off by a factor ε²", "the central difference", _NUM,
     "equals ε² times the right estimate: `/ 2 * epsilon`, read from left to right",
     "`/ 2 * epsilon` divides by 2 and then multiplies by ε (`/` and `*` go from left to right); "
     "write `/ (2 * epsilon)`.",
     lambda c: c.ref * c.h ** 2,
     examples=(
         _loop(last="(L_plus - L_minus) / 2 * epsilon"),
     ))
_add("n-copy-perturbed", "the loss never changed", "the central difference", _NUM,
     "every entry of the estimate is 0 while the right one is not",
     "Either a copy was perturbed: the forward pass reads params[name], and an entry changed in "
     "a copy (p.copy(), np.array(p), a copied dict) does not reach it; perturb the array the "
     "loss reads, then restore it. Or the loss was not recomputed: run the forward pass again "
     "after each change, not an old y_pred.",
     lambda c: np.zeros_like(c.ref),
     examples=(
         _loop(copy="p.copy()"),
     ))
_add("n-forward", "a forward difference instead of a central one", "the central difference",
     _NUM, "closer to (L(p + ε) − L(p)) / ε than to the central difference",
     "A one-sided difference has an error of order ε; the central one cancels it.",
     examples=(
         _loop(last="(L_plus - L_0) / epsilon"),
     ))
_add("n-backward", "a backward difference instead of a central one", "the central difference",
     _NUM, "closer to (L(p) − L(p − ε)) / ε than to the central difference",
     "A one-sided difference has an error of order ε; the central one cancels it.",
     examples=(
         _loop(last="(L_0 - L_minus) / epsilon"),
     ))
_add("n-not-restored", "a perturbed entry was not restored", "the central difference", _NUM,
     "equals the estimate of a loop that leaves each entry at p − ε (params[name] was changed)",
     "Put each entry back to its original value before the next one.",
     examples=(
         _loop(restore=False),
     ))

# ---------------------------------------------------------------- gradient-descent step (08)
_STEP = ("step",)
_add("st-added", "the step is added instead of subtracted", "the gradient-descent step", _STEP,
     "equals p + lr·g", "Gradient descent moves against the gradient.",
     lambda c: c.old + c.lr * c.g,
     examples=(
         ('for name in params:\n'
          '    new_params[name] = params[name] + lr * grads[name]'),
     ))
_add("st-no-lr", "the learning rate is missing", "the gradient-descent step", _STEP,
     "equals p − g", "", lambda c: c.old - c.g,
     examples=(
         ('for name in params:\n'
          '    new_params[name] = params[name] - grads[name]'),
     ))
_add("st-unchanged", "the parameter is unchanged", "the gradient-descent step", _STEP,
     "equals the old value", "The step was not applied, or applied to a copy that was "
     "thrown away.", lambda c: c.old,
     examples=(
         ('for name in params:\n'
          '    new_params[name] = params[name].copy()'),
     ))
_add("st-in-place", "params were changed in place", "the gradient-descent step", _STEP,
     "new_params is the params dict, or holds its arrays",
     "`new_params = params` gives the same dict a second name, so the step changes params too. "
     "Put new arrays into new_params and leave params as they are.",
     examples=(
         ('new_params = params\n'
          'for name in params:\n'
          '    new_params[name] -= lr * grads[name]'),
     ))
_add("st-twice", "the step was applied twice", "the gradient-descent step", _STEP,
     "equals p − 2·lr·g", "", lambda c: c.old - 2 * c.lr * c.g,
     examples=(
         ('for name in params:\n'
          '    new_params[name] = params[name] - 2 * lr * grads[name]'),
     ))
_add("st-lr-p", "the step uses the parameter instead of its gradient",
     "the gradient-descent step", _STEP, "equals p − lr·p", "", lambda c: c.old - c.lr * c.old,
     examples=(
         ('for name in params:\n'
          '    new_params[name] = params[name] - lr * params[name]'),
     ))
_add("st-biases-left-out", "the biases were left out of the update",
     "the gradient-descent step", _STEP,
     "the weights took the step but b1, b2, b3 are missing, unchanged or the very arrays of "
     "the old parameters", "Every parameter takes a step, biases included.",
     examples=(
         ('for name in params:\n'
          "    new_params[name] = (params[name] - lr * grads[name] if name.startswith('w')\n"
          "                        else params[name])"),
     ))
_add("ref-used", "the answer calls the reference implementation", "",
     ("h1", "h1_relu", "h2", "h2_relu", "y_pred", "L") + GRADS + _NUM + _STEP,
     "the answer is an array that exercises.reference / use handed out, or the cell that computes "
     "it calls helpers.backward, forward, relu, loss, numerical_gradient, check_gradients, "
     "gd_step or exercises.reference for this quantity (exercises.provenance)",
     "Compute it yourself from the intermediates.",
     examples=(
         'h1 = helpers.forward(params, x)[1]["h1"]',
         'dw3 = helpers.backward(params, x, y, cache)["w3"]',
     ))

# ---------------------------------------------------------------- backward pass of any depth (05)
# recognised by the check's own logic (exercises/any_depth.py): a value by the reference's
# variations, an error by the shapes in the student's failing statement
def _any(seed="2 * (y_pred - y)", bias="np.ones((1, len(x))) @ dh",
         step="(pre[layer - 1] >= 0) * (dh @ weights[layer].T)", stop=True):
    """The loop of 05's backward_any as a student writes it, with one thing changed."""
    back = f"    if layer > 0:\n        dh = {step}" if stop else f"    dh = {step}"
    return (f"dh = {seed}\nfor layer in reversed(range(len(weights))):\n"
            f"    dws[layer] = inputs[layer].T @ dh\n    dbs[layer] = {bias}\n{back}")


_AD = ("any_depth",)
_add("ad-mask-wrong-layer", "the mask of the wrong layer", "(84), (86)", _AD,
     "raises in the function: an index past the last ReLU layer's pre-activation, or a mask "
     "whose shape is another layer's", "Going back through a layer's weight lands on the output "
     "of the ReLU layer below it: that layer's mask is the one to apply. forward_any returns one "
     "pre-activation per ReLU layer, none for the linear output layer.",
     examples=(_any(step="(pre[layer] >= 0) * (dh @ weights[layer].T)"),))
_add("ad-mask-at-output", "a mask applied at the output layer", "(5), (82)", _AD,
     "equals the gradients with dy masked where y_pred < 0",
     "The output layer (5) is linear, without a ReLU: dy (82) goes back through its weight "
     "unmasked; only the ReLU layers below it have masks.",
     examples=(_any(seed="(y_pred >= 0) * (2 * (y_pred - y))"),))
_add("ad-weight-not-transposed", "the weight is not transposed", "(84), (86)", _AD,
     "raises in the function: a matmul error between the gradient and one of the weights",
     "The gradient at a layer's output is n×(its width) and the layer's weight is (input "
     "width)×(width): check which dimension the product contracts.",
     examples=(_any(step="(pre[layer - 1] >= 0) * (dh @ weights[layer])"),))
_add("ad-bias-mean", "a mean over the samples instead of the sum, for the bias gradients", "",
     _AD, "the weights' gradients are right, each bias's is the right one / n",
     "Every sample adds its share to a bias gradient.",
     examples=(_any(bias="dh.mean(axis=0, keepdims=True)"),))
_add("ad-no-stop", "the backward pass does not stop at the first layer", "", _AD,
     "raises in the function: a mask of a ReLU layer meets the n×d_in gradient of x, or the "
     "one-layer network has no pre-activation to take it from",
     "Below the first layer there is only the input x: no ReLU, no mask, no parameter. Once "
     "the first layer's gradients are stored, there is no step back left to take.",
     examples=(_any(stop=False),))
_add("ad-mask-kink", "the mask is 0 where the pre-activation is exactly 0", "(33), (64)", _AD,
     "equals the gradients with the masks 0 at the kink (only the check's network with "
     "pre-activations exactly 0 tells)",
     "The masks A (33) and B (64) are 1 where the pre-activation is 0 or more (the paper's "
     "convention, ReLU′(0) = 1; notebook 16); a mask taken with > 0, or from the ReLU's "
     "output, is 0 there.",
     examples=(_any(step="(inputs[layer] > 0) * (dh @ weights[layer].T)"),))
_add("ad-masks-missing", "the masks are missing", "(84), (86)", _AD,
     "equals the gradients with every mask 1",
     "Each ReLU layer's derivative, its mask (A (33) and B (64) in the paper's network), "
     "multiplies the gradient on its way back.",
     examples=(_any(step="dh @ weights[layer].T"),))

MISTAKES = {m.key: m for m in _M}


def register(mistake):
    """Add an entry (the derivation exercises beyond the paper register theirs)."""
    if mistake.key in MISTAKES:
        raise ValueError(f"duplicate mistake key {mistake.key!r}")
    _M.append(mistake)
    MISTAKES[mistake.key] = mistake
    return mistake


def for_quantity(quantity):
    """The catalogue entries that apply to ``quantity``, most specific (fewest quantities)
    first: a bias's own "mean over the samples" before the general one."""
    return sorted((m for m in _M if quantity in m.quantities), key=lambda m: len(m.quantities))
