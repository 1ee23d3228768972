"""What each exercise asks for: its equation, the quantity in words, its shape — and, kept apart,
the answer, which only :func:`exercises.show_answer` prints.

``TASKS[q].prompt()`` is the student copy's comment above a placeholder (course/make_student.py):
what to compute, its shape and the equation number, never the formula.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Task:
    eq: str           # "(84)"
    what: str         # the quantity in words
    dims: str         # "n×d2"
    formula: str = ""  # the answer, for show_answer only
    code: str = ""     # the answer in NumPy, for show_answer only

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
    "db3": Task("(82)", "db3, the gradient of L with respect to the 1×d_out parameter b3",
                "1×d_out", "∂L/∂b3 = 1ᵀ·dy, the column sum of (82)",
                "db3 = dy.sum(axis=0, keepdims=True)"),
    "dh2": Task("(84)", "dh2, the gradient of L with respect to h2 (the paper's n×d form for b2)",
                "n×d2", "dh2 = A ∘ (dy·w3ᵀ)", "dh2 = A * (dy @ w3.T)"),
    "dw2": Task("(83)", "dw2, the gradient of L with respect to w2", "d1×d2",
                "∂L/∂w2 = h1_reluᵀ·dh2", "dw2 = h1_relu.T @ dh2"),
    "db2": Task("(84)", "db2, the gradient of L with respect to the 1×d2 parameter b2", "1×d2",
                "∂L/∂b2 = 1ᵀ·dh2, the column sum of (84)",
                "db2 = dh2.sum(axis=0, keepdims=True)"),
    "dh1": Task("(86)", "dh1, the gradient of L with respect to h1 (the paper's n×d form for b1)",
                "n×d1", "dh1 = B ∘ (dh2·w2ᵀ)", "dh1 = B * (dh2 @ w2.T)"),
    "dw1": Task("(85)", "dw1, the gradient of L with respect to w1", "d_in×d1",
                "∂L/∂w1 = xᵀ·dh1", "dw1 = x.T @ dh1"),
    "db1": Task("(86)", "db1, the gradient of L with respect to the 1×d1 parameter b1", "1×d1",
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

# exercises whose answer is not named after its task: 07's function (its estimate) and 08's
# dict of new values (the student copy's prompt and the grader's feedback title both use this)
TASK_OF_NAME = {"central_difference": "numerical", "estimate": "numerical", "new_params": "step"}

# the checks' names: check_gradient("w3") is dw3, check_seed_bias_form("b2") is dh2
GRADIENT = {"w3": "dw3", "b3": "db3", "w2": "dw2", "b2": "db2", "w1": "dw1", "b1": "db1"}
SEED_FORM = {"b3": "dy", "b2": "dh2", "b1": "dh1"}
