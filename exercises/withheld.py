"""Code the solution notebooks show and the classroom edition withholds, by name.

A demonstration that writes out the answers of earlier exercises is shown in the classroom
edition too: it comes after the exercise it would give away (05's backward pass of any depth is
an exercise itself; 06's matrix form, 07's correct backward pass and wrongly shaped gradients,
10's differentials and 17's differences follow the exercises of 03–05 and 07). Only what would
give away an exercise of its own notebook stays withheld:

* 07's planted bugs, ``PLANTED``: each one's code names its bug, the answer to 07's
  "diagnose the bug" questions, which the student answers from the checks' output first.

The classroom edition's copy of such a cell imports the functions from here, by name, so that
its later cells still run; the solution notebook keeps the code in sight, between
``### BEGIN ANSWER`` and ``### END ANSWER``. ``intermediates`` and ``assemble`` are here because
the bugs are built on them (07 shows them). ``tests/test_withheld.py`` checks that every function
here is, statement for statement, the one the solution notebook defines.
"""

__all__ = ["intermediates", "assemble", "factor_2_dropped", "b2_mean", "w2_transposed",
           "mask_A_missing", "wrong_layers_mask"]


# ---- 07: the correct backward pass the bugs are made from (07 shows it)
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
