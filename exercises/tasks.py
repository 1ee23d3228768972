"""What each exercise asks for: its equation, the quantity in words, its shape — and, kept apart,
the answer, which only :func:`exercises.show_answer` prints.

``TASKS[q].prompt()`` is the student copy's comment above a placeholder (course/make_student.py):
what to compute, its shape and the equation number, never the formula.
"""

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Task:
    eq: str           # "(84)"
    what: str         # the quantity in words
    dims: str         # "n×d2"
    formula: str = ""  # the answer, for show_answer only
    code: str = ""     # the answer in NumPy, for show_answer only
    hints: tuple = ()  # exercises.hint, one step per call (HINTS below)
    telltales: tuple = ()  # patterns that would state the answer in the prose (TELLTALES below)

    def describe(self):
        where = f"eq. {self.eq}" if self.eq.startswith("(") else self.eq
        if "×" not in self.dims:
            return f"{self.what} ({where}, {self.dims})"
        return f"{self.what} ({where}, {_article(self.dims)} {self.dims} NumPy array)"

    def task(self):
        """The placeholder's error text: 'write eq. (84) here'."""
        return f"write {'eq. ' if self.eq.startswith('(') else ''}{self.eq} here"

    def prompt(self):
        where = f"eq. {self.eq}" if self.eq.startswith("(") else self.eq
        return f"{where}: {self.what}; " + (f"shape {self.dims}" if "×" in self.dims
                                           else self.dims)


def _article(dims):
    return "an" if dims.startswith("n") else "a"


TASKS = {
    "h1": Task("(1)", "the first layer's pre-activation h1", "n×d1",
               "h1 = x·w1 + 1·b1", "h1 = x @ w1 + b1"),
    "h1_relu": Task("(2)", "the first layer's activation h1_relu", "n×d1",
                    "h1_relu = Relu(h1), elementwise", "h1_relu = np.maximum(h1, 0)"),
    "h2": Task("(3)", "the second layer's pre-activation h2", "n×d2",
               "h2 = h1_relu·w2 + 1·b2", "h2 = h1_relu @ w2 + b2"),
    "h2_relu": Task("(4)", "the second layer's activation h2_relu", "n×d2",
                    "h2_relu = Relu(h2), elementwise", "h2_relu = np.maximum(h2, 0)"),
    "y_pred": Task("(5)", "the network's output y_pred", "n×d_out",
                   "y_pred = h2_relu·w3 + 1·b3", "y_pred = h2_relu @ w3 + b3"),
    "L": Task("(6)", "the loss L", "one number",
              "L = Σ_i Σ_j (y_pred_ij − y_ij)², a sum over all n·d_out entries",
              "L = np.sum((y_pred - y) ** 2)"),
    "dy": Task("(82)", "dy, the gradient of L with respect to y_pred (the paper's n×d form for b3)",
               "n×d_out", "dy = 2(y_pred − y)", "dy = 2 * (y_pred - y)"),
    "dw3": Task("(81)", "dw3, the gradient of L with respect to w3", "d2×d_out",
                "∂L/∂w3 = h2_reluᵀ·dy", "dw3 = h2_relu.T @ dy"),
    "db3": Task("1ᵀ·(82)", "db3, the gradient of L with respect to the 1×d_out parameter b3",
                "1×d_out", "∂L/∂b3 = 1ᵀ·dy, the column sum of (82)",
                "db3 = dy.sum(axis=0, keepdims=True)"),
    "dh2": Task("(84)", "dh2, the gradient of L with respect to h2 (the paper's n×d form for b2)",
                "n×d2", "dh2 = A ∘ (dy·w3ᵀ)", "dh2 = A * (dy @ w3.T)"),
    "dw2": Task("(83)", "dw2, the gradient of L with respect to w2", "d1×d2",
                "∂L/∂w2 = h1_reluᵀ·dh2", "dw2 = h1_relu.T @ dh2"),
    "db2": Task("1ᵀ·(84)", "db2, the gradient of L with respect to the 1×d2 parameter b2", "1×d2",
                "∂L/∂b2 = 1ᵀ·dh2, the column sum of (84)",
                "db2 = dh2.sum(axis=0, keepdims=True)"),
    "dh1": Task("(86)", "dh1, the gradient of L with respect to h1 (the paper's n×d form for b1)",
                "n×d1", "dh1 = B ∘ (dh2·w2ᵀ)", "dh1 = B * (dh2 @ w2.T)"),
    "dw1": Task("(85)", "dw1, the gradient of L with respect to w1", "d_in×d1",
                "∂L/∂w1 = xᵀ·dh1", "dw1 = x.T @ dh1"),
    "db1": Task("1ᵀ·(86)", "db1, the gradient of L with respect to the 1×d1 parameter b1", "1×d1",
                "∂L/∂b1 = 1ᵀ·dh1, the column sum of (86)",
                "db1 = dh1.sum(axis=0, keepdims=True)"),
    "numerical": Task("the central difference",
                      "the estimate of ∂L/∂p for every entry p of "
                      "params[name] (params left unchanged)", "the shape of params[name]",
                      "(L(p + ε) − L(p − ε)) / 2ε for each entry p, restored after each",
                      "p[idx] = orig + epsilon; L_plus = …; p[idx] = orig - epsilon; "
                      "L_minus = …; p[idx] = orig; "
                      "estimate[idx] = (L_plus - L_minus) / (2 * epsilon)"),
    "step": Task("the gradient-descent step",
                 "new_params, one gradient-descent step for every parameter (params stays "
                 "unchanged)", "each entry the shape of its parameter",
                 "p ← p − lr·∂L/∂p, for every parameter",
                 "new_params = {k: params[k] - lr * grads[k] for k in params}"),
    # beyond the paper (notebook 11): graded by finite differences only
    # (exercises.derivations), so no formula and no code here, not even for show_answer
    "dx": Task("the input gradient", "dx, the gradient of L with respect to the input x",
               "n×d_in"),
    "dw1_mean": Task("the mean-loss gradients", "dw1_mean and db1_mean, the gradients of the mean "
                     "loss L_mean with respect to w1 and b1", "d_in×d1 and 1×d1"),
    "dw1_reg": Task("the weight-decay gradients", "dw1_reg, dw2_reg, dw3_reg and db1_reg, the "
                    "gradients of L_reg (the loss with weight decay) with respect to w1, w2, w3 "
                    "and b1", "each the shape of its parameter"),
    "dw1_leaky": Task("the leaky-ReLU gradients", "dw1_leaky and db1_leaky, the gradients of L "
                      "with respect to w1 and b1 when the first layer's ReLU is leaky",
                      "d_in×d1 and 1×d1"),
}

# exercises.hint(name), one step per call: first the shapes of the factors (and which product
# is elementwise), then the next step; never the formula
HINTS = {
    "h1": (
        'h1 is n×d1. Its factors: x, n×d_in; w1, d_in×d1; the bias b1, 1×d1. One matrix product'
        ' (@) turns n×d_in into n×d1; the bias is added to every row.',
        'Which order of x and w1 gives an n×d1 product? NumPy adds the 1×d1 row b1 to each of '
        'the n rows by itself (broadcasting).',
    ),
    "h1_relu": (
        'h1_relu has the shape of h1, n×d1: the ReLU works entry by entry; nothing is summed or'
        ' multiplied.',
        'Each entry becomes the larger of itself and 0: an elementwise maximum of the array and'
        ' the number 0 (np.max, by contrast, reduces along an axis).',
    ),
    "h2": (
        'h2 is n×d2. Its factors: h1_relu, n×d1; w2, d1×d2; the bias b2, 1×d2. One matrix '
        'product (@) turns n×d1 into n×d2; the bias is added to every row.',
        'The second layer multiplies the output of (2), not h1; which order gives n×d2?',
    ),
    "h2_relu": (
        'h2_relu has the shape of h2, n×d2: the ReLU works entry by entry.',
        'Each entry becomes the larger of itself and 0: an elementwise maximum with 0.',
    ),
    "y_pred": (
        'y_pred is n×d_out. Its factors: h2_relu, n×d2; w3, d2×d_out; the bias b3, 1×d_out. One'
        ' matrix product (@); the bias is added to every row.',
        'The output layer is linear: no ReLU after it, and it multiplies the output of (4).',
    ),
    "L": (
        'L is one number. Its ingredients, y_pred and y, are both n×d_out; their difference is '
        'taken entry by entry.',
        'Square each entry of the difference, then add up all n·d_out squares: no mean, no ½.',
    ),
    "dy": (
        'dy has the shape of y_pred, n×d_out, and is computed entry by entry from y_pred and y '
        '(both n×d_out): no matrix product.',
        'Differentiate one term (y_pred_ij − y_ij)² of (6) with respect to y_pred_ij: the chain'
        ' rule brings down a factor from the square.',
    ),
    "dw3": (
        'dw3 has the shape of w3, d2×d_out. Its factors: h2_relu, n×d2, and dy, n×d_out. One '
        'matrix product (@), no elementwise one.',
        "A weight's gradient sums over the n samples: order the factors, and transpose one, so "
        "that the product's inner dimension is n.",
    ),
    "db3": (
        'db3 has the shape of b3, 1×d_out; dy (82) is n×d_out, one row per sample.',
        'b3 is added to every one of the n rows, so every row of dy contributes to it: add the '
        'rows up and keep a 1×d_out row.',
    ),
    "dh2": (
        'dh2 is n×d2. Its factors: dy (82), n×d_out; w3, d2×d_out; the mask A (33), n×d2. One '
        "product is a matrix product (@) and one is elementwise (∘, NumPy's *): the one with "
        'the mask A.',
        "First carry dy back through the output layer's weights: which of w3 and w3ᵀ turns "
        'n×d_out into n×d2? Then mask the result entry by entry with A.',
    ),
    "dw2": (
        'dw2 has the shape of w2, d1×d2. Its factors: h1_relu, n×d1, and dh2 (84), n×d2. One '
        'matrix product (@), no elementwise one.',
        "As for dw3 in (81), one layer further back: the product's inner dimension is the n "
        'samples.',
    ),
    "db2": (
        'db2 has the shape of b2, 1×d2; dh2 (84) is n×d2, one row per sample.',
        'b2 is added to every one of the n rows: add the rows of dh2 up and keep a 1×d2 row.',
    ),
    "dh1": (
        'dh1 is n×d1. Its factors: dh2 (84), n×d2; w2, d1×d2; the mask B (64), n×d1. One '
        "product is a matrix product (@) and one is elementwise (∘, NumPy's *): the one with "
        'the mask B.',
        "First carry dh2 back through the second layer's weights: which of w2 and w2ᵀ turns "
        'n×d2 into n×d1? Then mask the result entry by entry with B.',
    ),
    "dw1": (
        'dw1 has the shape of w1, d_in×d1. Its factors: x, n×d_in, and dh1 (86), n×d1. One '
        'matrix product (@), no elementwise one.',
        "As for dw3 in (81) and dw2 in (83): the product's inner dimension is the n samples.",
    ),
    "db1": (
        'db1 has the shape of b1, 1×d1; dh1 (86) is n×d1, one row per sample.',
        'b1 is added to every one of the n rows: add the rows of dh1 up and keep a 1×d1 row.',
    ),
    "numerical": (
        'The estimate has the shape of params[name]: one central difference per entry, each '
        'from two values of the loss (6).',
        'Loop over every index of p (np.ndindex): change that one entry in place, in the very '
        'array the forward pass reads, recompute the loss with a fresh forward pass, and put '
        'the entry back before the next one.',
    ),
    "step": (
        'new_params has the six keys of params, each array the shape of its parameter and of '
        'its gradient in grads; lr is one number.',
        'Each parameter moves against its gradient, by lr times it; build new arrays, so that '
        'params stays as it is.',
    ),
    "dx": (
        'dx has the shape of x, n×d_in. Its factors: dh1 (86), n×d1, and w1, d_in×d1: one '
        'matrix product (@), no elementwise one.',
        'x enters the network only through the first layer: one more step of the chain rule '
        'past h1, as (84) and (86) took the earlier steps.',
    ),
    "dw1_mean": (
        'dw1_mean is d_in×d1 and db1_mean 1×d1, the shapes of w1 and b1. L_mean is L divided by'
        ' one number, n·d_out.',
        'The gradient of a constant times L is that constant times the gradient of L: start '
        'from (85) and 1ᵀ·(86).',
    ),
    "dw1_reg": (
        "Each weight's gradient has the weight's shape; db1_reg is 1×d1. L_reg adds lam·‖w‖² "
        'for each of w1, w2, w3 and nothing for the biases.',
        'Differentiate lam·Σ w_ij² with respect to one entry w_ij, and add it to the gradient '
        'of L from (81), (83), (85).',
    ),
    "dw1_leaky": (
        'dw1_leaky is d_in×d1 and db1_leaky 1×d1. Only the first activation changed: its slope '
        'is 1 where h1 ≥ 0 and alpha below.',
        "In (86), put the leaky ReLU's slope, entry by entry, where the mask B stood; then form"
        " the first layer's gradients as in (85) and 1ᵀ·(86).",
    ),
}

# what would give the answer away if the prose before its exercise said it (regular expressions,
# on markdown and LaTeX): tests/test_student_text.py fails when a notebook of 03–05 does, or when
# an exercise there has none
_BIAS = (r"\\mathbf\{1\}[^$]*\^T", r"1ᵀ", r"column sum", r"sum of (its|the) rows")
TELLTALES = {
    "dy": (r"2\s*\\left\(\s*\\mathbf\{y\}|2\s*\(\s*\\mathbf\{y\}", r"2\(y_pred"),
    "dw3": (r"\\mathbf\{h\}_\{2\\,\\text\{relu\}\}\^T", r"h2_relu(ᵀ|\.T)"),
    "dh2": (r"\\mathbf\{A\}\s*\\circ", r"A ?∘", r"\\mathbf\{w\}_3\^T\)", r"w3ᵀ"),
    "dw2": (r"\\mathbf\{h\}_\{1\\,\\text\{relu\}\}\^T", r"h1_relu(ᵀ|\.T)"),
    "dh1": (r"\\mathbf\{B\}\s*\\circ", r"B ?∘", r"\\mathbf\{w\}_2\^T", r"w2ᵀ"),
    "dw1": (r"\\mathbf\{x\}\^T", r"xᵀ"),
    "db3": _BIAS, "db2": _BIAS, "db1": _BIAS,
}

# the index forms of 14 and 15: a weight's derivative array, ∂y_pred_ij/∂w_kl for every i, j, k, l
# ((10), (28), (56)), then the chain rule's sum over i and j ((11), (29), (57)); INDEX_FORM below
_JAC = "the derivative of every y_pred_ij by every {}_kl, entry [i, j, k, l]"
_SUM = "d{0}_index, the gradient of L with respect to {0}, summed over i and j from {1}"
_SUM_CODE = 'd{0}_index = np.einsum("ij,ijkl->kl", 2 * (y_pred - y), {1})'
TASKS.update({
    "J3": Task("(10)", "J3, " + _JAC.format("w3"), "n×d_out×d2×d_out",
               "J3[i, j, k, l] = h2_relu_ik where j equals l, else 0: the indicator of (10)",
               'J3 = np.einsum("ik,jl->ijkl", h2_relu, np.eye(d_out))'),
    "J2": Task("(28)", "J2, " + _JAC.format("w2"), "n×d_out×d1×d2",
               "J2[i, j, k, l] = A_il h1_relu_ik w3_lj, the three factors of (28)",
               'J2 = np.einsum("il,ik,lj->ijkl", A, h1_relu, w3)'),
    "J1": Task("(56)", "J1, " + _JAC.format("w1"), "n×d_out×d_in×d1",
               "J1[i, j, k, l] = Σ_m w3_mj A_im B_il x_ik w2_lm, the sum over m of (56)",
               'J1 = np.einsum("mj,im,il,ik,lm->ijkl", w3, A, B, x, w2)'),
    **{f"d{w}_index": Task(eq, _SUM.format(w, J), dims,
                           f"d{w}_index[k, l] = Σ_i Σ_j 2(y_pred_ij − y_ij)·{J}[i, j, k, l]",
                           _SUM_CODE.format(w, J))
       for w, J, eq, dims in (("w3", "J3", "(11)", "d2×d_out"), ("w2", "J2", "(29)", "d1×d2"),
                              ("w1", "J1", "(57)", "d_in×d1"))},
})
_SUM_HINT = ("Multiply {J} by that factor, output entry by output entry, and add over the "
             "samples i and the outputs j: what stays are k and l, the indices of {w} (in "
             "np.einsum, the indices after the arrow).")
HINTS.update({
    "J3": (
        'J3 is n×d_out×d2×d_out: one number per output entry (i, j) and weight entry (k, l). By '
        '(10) it has two factors, multiplied entry by entry with no sum: h2_relu, n×d2, indexed '
        'by i and k, and the indicator I(j = l), a d_out×d_out array of 0s and 1s indexed by j '
        'and l.',
        'The indicator holds 1 where j and l agree, on its diagonal, and 0 elsewhere: NumPy makes'
        ' it in one call. All four indices stay in J3 (in np.einsum, all four after the arrow).',
    ),
    "J2": (
        'J2 is n×d_out×d1×d2: one number per output entry (i, j) and weight entry (k, l). By (28)'
        ' it has three factors, multiplied entry by entry with no sum: the ReLU derivative, which'
        ' is the mask A (33), n×d2; h1_relu, n×d1; w3, d2×d_out.',
        'Read the subscripts of each factor in (28), in order, as the axes of its array: A and '
        'h1_relu start with the sample i; w3 is indexed by its row, then its column. All four '
        'indices stay in J2.',
    ),
    "J1": (
        'J1 is n×d_out×d_in×d1. By (56) it is a sum over m, the units of the second layer, of '
        'five factors multiplied entry by entry: w3, d2×d_out; the two ReLU derivatives, the '
        'masks A (33), n×d2, and B (64), n×d1; x, n×d_in; w2, d1×d2.',
        'Read the subscripts of each factor in (56), in order, as the axes of its array. m '
        'appears in the factors but not in J1: it is the one index summed (in np.einsum, the '
        'one missing after the arrow).',
    ),
    **{f"d{w}_index": (
        f"d{w}_index has the shape of {w}, {dims}. Its factors: {J} {eq}, "
        f"n×d_out×{dims}, and the factor that (8) puts before each derivative, one number per "
        f"output entry (i, j), an n×d_out array.",
        _SUM_HINT.format(J=J, w=w))
       for w, J, eq, dims in (("w3", "J3", "(10)", "d2×d_out"), ("w2", "J2", "(28)", "d1×d2"),
                              ("w1", "J1", "(56)", "d_in×d1"))},
})
INDEX_FORM = {"w3": ("J3", "dw3_index"), "w2": ("J2", "dw2_index"), "w1": ("J1", "dw1_index")}

TASKS = {k: replace(t, hints=HINTS[k], telltales=TELLTALES.get(k, ())) for k, t in TASKS.items()}

# exercises whose answer is not named after its task: 07's function (its estimate) and 08's
# dict of new values (the student copy's prompt and the grader's feedback title both use this)
TASK_OF_NAME = {"central_difference": "numerical", "estimate": "numerical", "new_params": "step"}

# the checks' names: check_gradient("w3") is dw3, check_seed_bias_form("b2") is dh2
GRADIENT = {"w3": "dw3", "b3": "db3", "w2": "dw2", "b2": "db2", "w1": "dw1", "b1": "db1"}
SEED_FORM = {"b3": "dy", "b2": "dh2", "b1": "dh1"}

# ---- 05's function exercise: the backward pass of a ReLU network of any depth (its check:
# exercises.any_depth; the student writes the loop of backward_any, whose lists dws, dbs it fills)
TASKS["any_depth"] = Task(
    "the backward pass of any depth",
    "backward_any(weights, biases, x, y), the gradients of L with respect to every weight and "
    "bias of a ReLU network of any depth, as two lists dws and dbs",
    "each gradient the shape of its parameter",
    "from the output back, with G = 2(y_pred − y) (82) first: each layer's weight gets "
    "(its input)ᵀ·G, its bias 1ᵀ·G; then, unless it is the first layer, "
    "G ← (mask of the ReLU layer below) ∘ (G·wᵀ), as (84) and (86)",
    "dh = 2 * (y_pred - y); for layer in reversed(range(len(weights))): "
    "dws[layer] = inputs[layer].T @ dh; dbs[layer] = np.ones((1, len(x))) @ dh; "
    "if layer > 0: dh = (pre[layer - 1] >= 0) * (dh @ weights[layer].T)",
    hints=(
        'dws[k] has the shape of weights[k] and dbs[k] that of biases[k], 1×(the width of layer '
        'k). The gradient at the output, dy (82), is n×d_out; the gradient with respect to a ReLU '
        "layer's pre-activation is n×(its width), the shape of its mask. One product per step is "
        "elementwise: the one with the mask.",
        'Walk the layers from the output to the first. At each, form its weight\'s and its '
        "bias's gradient from the gradient at its output, as (81), 1ᵀ·(82) do for the output "
        'layer; then carry that gradient one layer back, as (84) and (86) do.',
        'The mask of a step back is the mask of the ReLU layer below the weight (forward_any '
        'returns one pre-activation per ReLU layer, none for the linear output); below the '
        'first layer there is only x: stop there.',
    ),
    telltales=(r"reversed\(", r"inputs\[\w+\]\.T", r"pre\[\w+\s*-\s*1\]",
               r"dh\s*@\s*weights\[\w+\]\.T"),
)
TASK_OF_NAME.update(backward_any="any_depth", dws="any_depth")
