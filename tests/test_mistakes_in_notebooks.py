"""Every mistake of the hint catalogue, made in the student notebook where a student would make it.

For each catalogue entry (``exercises.catalogue``), the student's wrong code is written
here as source text and put in the exercise cell of the student copy (student/), which runs in an
IPython shell in this process, cell by cell, as Jupyter runs it, with the classroom's exception
handler installed (the ``student_shell`` fixture of conftest.py). Asserted: the mistake is caught
where it belongs — by the check cell (its ExerciseError names that very mistake) or, for a
mistake that raises in the student's own cell, by the exception handler's hint — and no other
cell of the notebook fails: the last mistake of each exercise is left in place and the cells
after it run on the reference value.
"""

from pathlib import Path

import nbformat
import pytest

from exercises.catalogue import MISTAKES

ROOT = Path(__file__).resolve().parent.parent
STUDENT = ROOT / "student"

CHECK, CELL = "check", "cell"
# notebook: {exercise cell id: [(the student's wrong code, catalogue key, where it is caught)]}
WRONG = {
    "02_forward_pass.ipynb": {
        "8af150d2": [("h1 = x @ w1", "f-bias-missing-1", CHECK),
                     ("h1 = np.maximum(x @ w1 + b1, 0)", "f-relu-too-early-1", CHECK),
                     ("h1 = (x @ w1 + b1).T", "g-result-transposed", CHECK),
                     ("h1 = (x @ w1 + b1).ravel()", "x-1d", CHECK),
                     ('h1 = helpers.forward(params, x)[1]["h1"]', "ref-used", CHECK)],
        "559fff02": [("h1_relu = h1", "f-relu-missing-2", CHECK),
                     ("h1_relu = np.minimum(h1, 0)", "f-relu-inverted", CHECK),
                     ("h1_relu = np.max(h1, axis=0)", "f-np-max", CHECK),
                     ("h1_relu = h1\nh1_relu[h1_relu < 0] = 0", "x-in-place", CHECK)],
        "8a6e6527": [("h2 = h1 @ w2 + b2", "f-relu1-missing", CHECK),
                     ("h2 = h1_relu @ w2", "f-bias-missing-3", CHECK),
                     ("h2 = np.maximum(h1_relu @ w2 + b2, 0)", "f-relu-too-early-3", CHECK)],
        "bf8bbfed": [("h2_relu = h2", "f-relu-missing-4", CHECK)],
        "a9030ae2": [("y_pred = h2_relu @ w3", "f-bias-missing-5", CHECK),
                     ("y_pred = h2 @ w3 + b3", "f-relu2-missing", CHECK),
                     ("y_pred = np.maximum(h2_relu @ w3 + b3, 0)", "f-relu-on-output", CHECK),
                     ("y_pred = ((x @ w1 + b1) @ w2 + b2) @ w3 + b3", "f-no-relu", CHECK),
                     ("y_pred = np.maximum(np.maximum(x @ w1, 0) @ w2, 0) @ w3", "f-no-biases",
                      CHECK)],
        "5834712e": [("L = np.mean((y_pred - y) ** 2)", "l-mean-all", CHECK),
                     ("L = np.sum((y_pred - y) ** 2) / n", "l-mean-n", CHECK),
                     ("L = np.sum((y_pred - y) ** 2) / 2", "l-half", CHECK),
                     ("L = np.sqrt(np.sum((y_pred - y) ** 2))", "l-sqrt", CHECK),
                     ("L = np.sum(y_pred - y)", "l-not-squared", CHECK),
                     ("L = np.sum(np.abs(y_pred - y))", "l-abs", CHECK),
                     ("L = np.sum(y_pred - y) ** 2", "l-square-after-sum", CHECK),
                     ("L = (y_pred - y) ** 2", "l-matrix", CHECK)],
    },
    "03_output_layer.ipynb": {
        "18ef9d8b": [("dy = y_pred - y", "g-factor2-dropped", CHECK),
                     ("dy = 4 * (y_pred - y)", "g-factor2-twice", CHECK),
                     ("dy = 2 * (y - y_pred)", "g-sign", CHECK),
                     ("dy = 2 * (y_pred - y) / y.size", "g-mean-all", CHECK),
                     ("dy = 2 * (y_pred - y) / n", "g-mean-n", CHECK),
                     ("dy = (2 * (y_pred - y)).sum(axis=0, keepdims=True)", "s-summed", CHECK),
                     ("dy = y_pred\ndy -= y\ndy *= 2", "x-in-place", CHECK)],
        "377b97a8": [('dw3 = cache["h2"].T @ dy', "g-h2-for-h2relu", CHECK),
                     ("dw3 = h2_relu @ dy", "g-missing-transpose-w3", CELL),
                     ("dw3 = h2_relu.T * dy", "g-hadamard-for-matmul", CELL),
                     ('dw3 = helpers.backward(params, x, y, cache)["w3"]', "ref-used", CHECK)],
        "718b8e35": [("db3 = dy", "b-not-summed", CHECK),
                     ("db3 = dy.mean(axis=0, keepdims=True)", "b-mean", CHECK),
                     ("db3 = dy.sum(axis=1, keepdims=True)", "b-wrong-axis", CHECK),
                     ("db3 = dy.sum(axis=0, keepdims=True).T", "b-transposed", CHECK),
                     ("db3 = dy.sum(axis=0)", "b-1d", CHECK),
                     ("db3 = dy.sum()", "b-total", CHECK)],
    },
    "04_second_hidden_layer.ipynb": {
        "nb04-20": [("dh2 = dy @ w3.T", "g-mask-A-missing", CHECK),
                    ("dh2 = B * (dy @ w3.T)", "g-mask-B-for-A", CELL),
                    ("dh2 = A @ (dy @ w3.T)", "g-matmul-for-hadamard-A", CELL),
                    ("dh2 = A * (dy @ w3)", "g-w3-not-transposed", CELL)],
        "nb04-23": [("dw2 = h1.T @ dh2", "g-h1-for-h1relu", CHECK),
                    ("dw2 = h1_relu @ dh2", "g-missing-transpose-w2", CELL)],
    },
    "05_first_hidden_layer.ipynb": {
        "nb05-15": [("dh1 = dh2 @ w2.T", "g-mask-B-missing", CHECK),
                    ("dh1 = (dy @ w3.T) @ w2.T", "g-masks-missing", CHECK),
                    ("dh1 = A * (dh2 @ w2.T)", "g-mask-A-for-B", CELL),
                    ("dh1 = A * ((B * (dy @ w3.T)) @ w2.T)", "g-mask-B-for-A", CELL),
                    ("dh1 = (B * dh2) @ w2.T", "g-mask-B-before-product", CELL),
                    ("dh1 = B * (A * ((dy @ w3.T) @ w2.T))", "g-mask-A-after-product", CELL),
                    ("dh1 = B @ (dh2 @ w2.T)", "g-matmul-for-hadamard-B", CELL),
                    ("dh1 = B * (dh2 @ w2)", "g-w2-not-transposed", CELL)],
        "nb05-18": [("dw1 = x @ dh1", "g-missing-transpose-w1", CELL)],
    },
    "07_gradient_checking.ipynb": {
        "0ba29a90": [(_central, key, CHECK) for _central, key in [
            ("(L_plus - L_minus) / epsilon", "n-h-not-2h"),
            ("(L_minus - L_plus) / (2 * epsilon)", "n-sign"),
            ("(L_plus - L_minus) / (4 * epsilon)", "n-4h"),
            ("(L_plus - L_0) / epsilon", "n-forward"),
            ("(L_0 - L_minus) / epsilon", "n-backward"),
            ("COPY", "n-copy-perturbed"),
            ("NOT RESTORED", "n-not-restored"),
        ]],
    },
    "08_training.ipynb": {
        "caa21374": [(f"for name in params:\n    new_params[name] = {new}", key, CHECK)
                     for new, key in [
            ("params[name] + lr * grads[name]", "st-added"),
            ("params[name] - grads[name]", "st-no-lr"),
            ("params[name].copy()", "st-unchanged"),
            ("params[name] - 2 * lr * grads[name]", "st-twice"),
            ("params[name] - lr * params[name]", "st-lr-p"),
            ("params[name] - lr * grads[name] if name.startswith('w') else params[name]",
             "st-biases-left-out"),
        ]] + [("new_params = params\nfor name in params:\n    new_params[name] -= lr * grads[name]",
               "st-in-place", CHECK)],
    },
    "11_beyond_the_paper.ipynb": {
        "nb11-06": [("dx = (dh1 @ w1.T).T", "d-transposed", CHECK),
                    ("dx = (dh1 @ w1.T).sum(axis=0, keepdims=True)", "d-summed", CHECK),
                    ("dx = dh1", "d-dh1-for-dx", CHECK),
                    ("dx = (dh2 @ w2.T) @ w1.T", "d-mask-B-missing", CHECK),
                    ("dx = (B * ((dy @ w3.T) @ w2.T)) @ w1.T", "d-mask-A-missing", CHECK),
                    ("dx = 2 * dh1 @ w1.T", "d-factor", CHECK),
                    ("dx = dh1 @ w1", "d-w1-not-transposed", CELL)],
        "nb11-09": [(f"dw1_mean = x.T @ dh1{w}\ndb1_mean = {b}", key, CHECK) for w, b, key in [
            ("", "dh1.sum(axis=0, keepdims=True)", "d-sum-loss"),
            (" / n", "dh1.sum(axis=0, keepdims=True) / n", "d-mean-n"),
            (" / (n * d_out) ** 2", "dh1.sum(axis=0, keepdims=True)", "d-mean-twice"),
            (" / (n * d_out)", "dh1 / (n * d_out)", "d-bias-seed-form")]],
        "nb11-12": [(f"dw1_reg = {w}\ndw2_reg = h1_relu.T @ dh2 + 2 * lam * w2\n"
                     f"dw3_reg = h2_relu.T @ dy + 2 * lam * w3\ndb1_reg = {b}", key, CHECK)
                    for w, b, key in [
            ("x.T @ dh1", "None", "d-decay-missing"),
            ("x.T @ dh1 + lam * w1", "None", "d-decay-factor"),
            ("x.T @ dh1 - 2 * lam * w1", "None", "d-decay-sign"),
            ("2 * lam * w1", "None", "d-decay-only"),
            ("x.T @ dh1 + 2 * lam * w1", "dh1.sum(axis=0, keepdims=True) + 2 * lam * b1",
             "d-decay-bias")]],
        "nb11-17": [(f"dh1_leaky = {m} * (dh2_leaky @ w2.T)\ndw1_leaky = x.T @ dh1_leaky\n"
                     "db1_leaky = dh1_leaky.sum(axis=0, keepdims=True)", key, CHECK)
                    for m, key in [
            ("B", "d-leaky-relu-mask"),
            ("1.0", "d-leaky-no-slope"),
            ("np.where(h1 >= 0, alpha, 1.0)", "d-leaky-swapped")]],
    },
}
# entries that the running example's sizes turn into another entry's hint, which is then the
# right one (tests/test_catalogue.py drives them on sizes where they give a value)
SHOWN_AS = {"g-masks-swapped": "g-mask-B-for-A"}   # d1 ≠ d2: the swap raises at B in (84) first


def _central_body(kind):
    """07's central_difference with one mistake: ``kind`` is the estimate's expression, or one of
    COPY (a copy perturbed) and NOT RESTORED (p[idx] left at p − ε)."""
    perturbed = "q = p.copy()\n" if kind == "COPY" else "q = p\n"
    restore = "" if kind == "NOT RESTORED" else "    q[idx] = original\n"
    estimate = "(L_plus - L_minus) / (2 * epsilon)" if kind in ("COPY", "NOT RESTORED") else kind
    body = (perturbed + "L_0 = loss(forward(params, x)[0], y)\n"
            "for idx in np.ndindex(p.shape):\n    original = q[idx]\n"
            "    q[idx] = original + epsilon\n    L_plus = loss(forward(params, x)[0], y)\n"
            "    q[idx] = original - epsilon\n    L_minus = loss(forward(params, x)[0], y)\n"
            + restore + f"    estimate[idx] = {estimate}\n")
    return "".join("    " + ln + "\n" for ln in body.splitlines())


def _inject(source, wrong):
    """The student's exercise cell with ``wrong`` in place of the placeholder."""
    lines = source.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("# YOUR CODE HERE"))
    if lines[at].startswith("    "):                  # a function stub: the body, then the rest
        end = next(i for i, ln in enumerate(lines) if ln.strip().startswith("raise "))
        return "\n".join(lines[:at]) + "\n" + _central_body(wrong) + "\n".join(lines[end + 1:])
    return "\n".join(lines[:at] + [wrong])


def _student_code(name):
    """The code cells of the student copy of ``name``, and the ids of its exercise cells and of
    their check cells (the code cell after each)."""
    cells = [c for c in nbformat.read(STUDENT / name, as_version=4).cells
             if c.cell_type == "code"]
    exercises = {c.get("id") for c in cells if "YOUR CODE HERE" in c.source}
    checks = {cells[i + 1].get("id") for i, c in enumerate(cells) if c.get("id") in exercises}
    return cells, exercises, checks


def test_every_catalogue_entry_is_driven_through_a_notebook():
    covered = {key for cells in WRONG.values() for plan in cells.values() for _, key, _ in plan}
    assert set(SHOWN_AS.values()) <= covered
    assert covered | set(SHOWN_AS) == set(MISTAKES), sorted(set(MISTAKES) - covered - set(SHOWN_AS))


@pytest.mark.parametrize("name", sorted(WRONG))
def test_each_mistake_is_caught_in_the_notebook_and_nothing_else_fails(name, student_shell):
    run = student_shell
    cells, exercises, checks = _student_code(name)
    plan = WRONG[name]
    assert set(plan) <= exercises, "a planned cell is not an exercise of the student copy"
    failures = []
    # to the end: a mistake that changed another quantity in place must not break later cells
    for i, cell in enumerate(cells):
        cid = cell.get("id")
        for wrong, key, where in plan.get(cid, []):
            err, out = run(_inject(cell.source, wrong))
            if where == CELL:
                assert err is not None and f"Likely mistake: {MISTAKES[key].text()}" in out, \
                    f"{name}: {wrong!r} raised {err!r} without the hint of {key}:\n{out}"
                continue
            assert err is None, f"{name}: {wrong!r} failed in its own cell: {err!r}\n{out}"
            err, out = run(cells[i + 1].source)
            assert getattr(err, "mistake", None) == key, \
                f"{name}: {wrong!r} should fail its check as {key}; got {err!r}"
            named = "the reference" if key == "ref-used" else MISTAKES[key].name
            assert named in str(err), f"{name}: the message of {key} does not name it: {err}"
            if "before[name]" in cells[i + 1].source:      # 07's check puts params back
                err, _ = run("assert all(np.array_equal(params[k], before[k]) for k in params)")
                assert err is None, f"{name}: after {wrong!r} failed, params stay changed"
        if cid in plan:
            continue                 # the last mistake stays; the check cell below may fail
        err, out = run(cell.source)
        if err is not None and cid not in exercises | checks:
            failures.append(f"cell {i} ({cid}): {err!r}")
    assert not failures, f"{name}: with the mistakes in place, other cells failed:\n" + \
        "\n".join(failures)


# Errors of any kind, and answers that pass their check but give a notebook's quantity a new
# value, must not break later cells either: (notebook, exercise cell, the student's code).
ANY_ERROR = [
    ("04_second_hidden_layer.ipynb", "nb04-20", "dh2 = A * (dy @ w3.T"),              # syntax
    ("04_second_hidden_layer.ipynb", "nb04-20", 'dh2 = A * (dy @ params["W3"].T)'),   # KeyError
    ("04_second_hidden_layer.ipynb", "nb04-20", "dh2 = A * (dy @ w3.t)"),        # AttributeError
    ("04_second_hidden_layer.ipynb", "nb04-20", "A = A * (dy @ w3.T)\ndh2 = A"),    # A rebound
    ("04_second_hidden_layer.ipynb", "nb04-23", "h1_relu = h1_relu.T\ndw2 = h1_relu @ dh2"),
    ("03_output_layer.ipynb", "377b97a8", "dy = h2_relu.T @ dy\ndw3 = dy"),         # dy rebound
    ("08_training.ipynb", "caa21374",
     'new_params = {k: params[k] - lr * grads["d" + k] for k in params}'),         # KeyError
]


@pytest.mark.parametrize("name, cid, wrong", ANY_ERROR, ids=[f"{n[:2]}:{w[:30]}"
                                                              for n, _, w in ANY_ERROR])
def test_no_mistake_of_any_kind_breaks_a_later_cell(name, cid, wrong, student_shell):
    cells, exercises, checks = _student_code(name)
    assert cid in exercises
    failures = []
    for i, cell in enumerate(cells):
        err, _ = student_shell(_inject(cell.source, wrong) if cell.get("id") == cid
                               else cell.source)
        if err is not None and cell.get("id") not in exercises | checks:
            failures.append(f"cell {i} ({cell.get('id')}): {err!r}")
    assert not failures, f"{name}, {wrong!r}: later cells failed:\n" + "\n".join(failures)
