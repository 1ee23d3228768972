"""Code the solution notebooks show and the classroom edition withholds.

A few cells after the exercises demonstrate something with the very formulas a student derives
in 02–05: the backward pass of any depth (05), the matrix form timed against loops (06), the
finite differences of 07's error-against-step sweep, its correct backward pass and the buggy
ones it diagnoses (each a token away from an answer), and the gradients by differentials (10).
The classroom edition must not print those formulas (a student may reach the cell before
passing the check), and its later cells must still run: so its copy of each such cell imports
the functions from here, by name. The solution notebooks keep the code in sight, between
``### BEGIN ANSWER`` and ``### END ANSWER``; ``tests/test_withheld.py`` checks that every
function here is, statement for statement, the one the solution notebook defines.
"""

import numpy as np

from helpers.network import forward, loss

__all__ = ["forward_any", "backward_any", "dw2_matrix", "loss_and_masks", "differences",
           "intermediates", "assemble", "factor_2_dropped", "b2_mean", "w2_transposed",
           "mask_A_missing", "wrong_layers_mask", "b3_seed_form", "w1_transposed",
           "gradients_by_differentials", "loss_differential"]


# ---- 05: one layer back at a time, any depth
def forward_any(weights, biases, x):
    # ReLU layers, then a linear output; returns y_pred, each layer's input, each pre-activation
    inputs, pre = [x], []
    for w, b in zip(weights[:-1], biases[:-1], strict=True):
        pre.append(inputs[-1] @ w + b)               # (1), (3)
        inputs.append(np.maximum(pre[-1], 0))        # (2), (4)
    return inputs[-1] @ weights[-1] + biases[-1], inputs, pre     # (5)


def backward_any(weights, biases, x, y):
    # gradients of L (6) for every weight and bias: one layer back at a time
    y_pred, inputs, pre = forward_any(weights, biases, x)
    dh = 2 * (y_pred - y)                                          # (82)
    dws, dbs = [None] * len(weights), [None] * len(weights)
    for layer in reversed(range(len(weights))):
        dws[layer] = inputs[layer].T @ dh                          # (81), (83), (85)
        dbs[layer] = np.ones((1, len(x))) @ dh                     # 1ᵀ·(82), (84), (86)
        if layer > 0:                                              # weight transposed, then mask
            dh = (pre[layer - 1] >= 0) * (dh @ weights[layer].T)   # (84), (86)
    return dws, dbs


# ---- 06: the matrix form that the loops and einsum are timed against
def dw2_matrix(h1_relu, A, dy, w3):
    # (34) = (83): h1_reluᵀ·(A ∘ (dy·w3ᵀ))
    return h1_relu.T @ (A * (dy @ w3.T))


# ---- 07: finite differences at one entry, and the backward pass the bugs are made from
def loss_and_masks(params, name, idx, value, x, y):
    """L (6) and the masks B (64), A (33) with params[name][idx] set to value, then restored."""
    p = params[name]
    original = p[idx]
    p[idx] = value
    try:
        y_pred, c = forward(params, x)
        return loss(y_pred, y), c["B"].copy(), c["A"].copy()
    finally:
        p[idx] = original


def differences(params, name, idx, epsilon, x, y):
    """(central, forward) difference of L at params[name][idx], and whether ±ε crossed a kink."""
    p0 = params[name][idx]
    L0, B0, A0 = loss_and_masks(params, name, idx, p0, x, y)
    L_plus, B_plus, A_plus = loss_and_masks(params, name, idx, p0 + epsilon, x, y)
    L_minus, B_minus, A_minus = loss_and_masks(params, name, idx, p0 - epsilon, x, y)
    crossed = not all(np.array_equal(m, m0) for m, m0 in
                      ((B_plus, B0), (B_minus, B0), (A_plus, A0), (A_minus, A0)))
    return (L_plus - L_minus) / (2 * epsilon), (L_plus - L0) / epsilon, crossed


def intermediates(params, y, cache):
    dy = 2 * (cache["y_pred"] - y)                          # (82)
    dh2 = cache["A"] * (dy @ params["w3"].T)                # (84)
    dh1 = cache["B"] * (dh2 @ params["w2"].T)               # (86)
    return dy, dh2, dh1


def assemble(x, cache, dy, dh2, dh1):
    return {"w1": x.T @ dh1, "b1": dh1.sum(axis=0, keepdims=True),                 # (85), 1ᵀ·(86)
            "w2": cache["h1_relu"].T @ dh2, "b2": dh2.sum(axis=0, keepdims=True),  # (83), 1ᵀ·(84)
            "w3": cache["h2_relu"].T @ dy, "b3": dy.sum(axis=0, keepdims=True)}    # (81), 1ᵀ·(82)


# ---- 07: the buggy backward passes (one token from the answers of 03–05)
def factor_2_dropped(params, x, y, cache):
    dy = cache["y_pred"] - y                                # BUG: (82) is 2(y_pred − y)
    dh2 = cache["A"] * (dy @ params["w3"].T)
    dh1 = cache["B"] * (dh2 @ params["w2"].T)
    return assemble(x, cache, dy, dh2, dh1)


def b2_mean(params, x, y, cache):
    dy, dh2, dh1 = intermediates(params, y, cache)
    grads = assemble(x, cache, dy, dh2, dh1)
    grads["b2"] = dh2.mean(axis=0, keepdims=True)           # BUG: 1ᵀ·(84) is a sum over the samples
    return grads


def w2_transposed(params, x, y, cache):
    dy, dh2, dh1 = intermediates(params, y, cache)
    grads = assemble(x, cache, dy, dh2, dh1)
    grads["w2"] = dh2.T @ cache["h1_relu"]                  # BUG: (83) is h1_reluᵀ·dh2
    return grads


def mask_A_missing(params, x, y, cache):
    dy, _, _ = intermediates(params, y, cache)
    dh2 = dy @ params["w3"].T                               # BUG: (84) is A ∘ (dy·w3ᵀ)
    dh1 = cache["B"] * (dh2 @ params["w2"].T)
    return assemble(x, cache, dy, dh2, dh1)


def wrong_layers_mask(params, x, y, cache):
    dy, dh2, _ = intermediates(params, y, cache)
    dh1 = cache["A"] * (dh2 @ params["w2"].T)               # BUG: (86) is B ∘ (dh2·w2ᵀ)
    return assemble(x, cache, dy, dh2, dh1)


# 07's planted bugs 1 to 5 under one name: the classroom edition runs them without naming them
PLANTED = [factor_2_dropped, b2_mean, w2_transposed, mask_A_missing, wrong_layers_mask]


def b3_seed_form(params, x, y, cache):
    dy, dh2, dh1 = intermediates(params, y, cache)
    grads = assemble(x, cache, dy, dh2, dh1)
    grads["b3"] = dy                                        # BUG: (82) as printed, n×d_out
    return grads


def w1_transposed(params, x, y, cache):
    dy, dh2, dh1 = intermediates(params, y, cache)
    grads = assemble(x, cache, dy, dh2, dh1)
    grads["w1"] = dh1.T @ x                                 # BUG: (85) is xᵀ·dh1, d_in×d1
    return grads


# ---- 10: the six gradients by the rules (I1)–(I4) of matrix differentials
def loss_differential(y_pred, y, D):
    """dL along the direction D of y_pred: <2(y_pred − y), D>."""
    return np.sum(2 * (y_pred - y) * D)


def gradients_by_differentials(params, x, y, cache):
    """dy, G2 = (84), G1 = (86) and the six gradients by the rules (I1)–(I4)."""
    ones = np.ones((len(x), 1))
    dy = 2 * (cache["y_pred"] - y)                          # dL = <dy, d y_pred>
    G2 = cache["A"] * (dy @ params["w3"].T)                 # (I2), then (I4): (84)
    G1 = cache["B"] * (G2 @ params["w2"].T)                 # (I2), then (I4): (86)
    return dy, G2, G1, {
        "w3": cache["h2_relu"].T @ dy, "b3": ones.T @ dy,   # (I1): (81); (I3)
        "w2": cache["h1_relu"].T @ G2, "b2": ones.T @ G2,   # (I1): (83); (I3)
        "w1": x.T @ G1, "b1": ones.T @ G1,                  # (I1): (85); (I3)
    }
