"""The paper worksheet and its key (course/worksheet.py, ``python -m course.worksheet --seed N``).

The key's numbers are read back from its Markdown and checked against the reference network
(``helpers.forward``, ``loss``, ``backward``) run on the numbers the worksheet gives, and the
gradients the reference network does not return (∂L/∂x, the leaky ReLU's) against central
differences. The worksheet holds no answer: every box is empty, and no number is in it that the
student is not given. Both are the same for the same seed.
"""

import re

import numpy as np
import pytest

import helpers
from course import worksheet
from helpers import network

SEEDS = (0, 1, 7, 2024)
PARAMS = ("w1", "b1", "w2", "b2", "w3", "b3")
NUMBER = re.compile(r"(?<![\w.])[−-]?\d+(?:\.\d+)?(?![\w.])")


def _num(text):
    return float(text.replace("−", "-"))


def _sections(md):
    """{section title: its text}, the sections being the ``## `` headings."""
    return {block.partition("\n")[0].strip(): block.partition("\n")[2]
            for block in re.split(r"^## ", md, flags=re.M)[1:]}


def _rows(text):
    """{name: [boxes]} of the rows to fill in (those whose first cell is `name`)."""
    out = {}
    for line in text.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            out[cells[0].strip("`")] = cells[2:-1]
    return out


def _given(sheet):
    """The numbers the worksheet gives: x and y (2×1), the parameters (1×1)."""
    text = _sections(sheet)["The network"]
    rows = {c[0]: c[1:] for c in ([x.strip() for x in ln.strip().strip("|").split("|")]
                                  for ln in text.splitlines() if ln.startswith("| "))}
    x = np.array([[_num(v)] for v in rows["x"]])
    y = np.array([[_num(v)] for v in rows["y"]])
    lines = [ln for ln in text.splitlines() if ln.startswith("| w1 ")]
    values = text.splitlines()[text.splitlines().index(lines[0]) + 2]
    params = {k: np.array([[_num(v.strip())]]) for k, v in
              zip(PARAMS, values.strip().strip("|").split("|"), strict=True)}
    return params, x, y


def _key(key):
    """{part letter: {name: [numbers]}} read from the key's tables."""
    return {title.split(" ")[1]: {n: [_num(v) for v in vs] for n, vs in _rows(text).items()}
            for title, text in _sections(key).items() if title.startswith("Part ")}


@pytest.fixture(scope="module", params=SEEDS)
def documents(request):
    seed = request.param
    return seed, worksheet.document(seed, key=False), worksheet.document(seed, key=True)


def _close(found, expected, what):
    assert np.allclose(np.ravel(found), np.ravel(expected), rtol=0, atol=1e-9), \
        f"{what}: the key says {found}, the reference network {np.ravel(expected).tolist()}"


def test_the_key_is_the_reference_network(documents):
    seed, sheet, key = documents
    params, x, y = _given(sheet)
    answers = _key(key)
    y_pred, cache = helpers.forward(params, x)
    grads = helpers.backward(params, x, y, cache)
    a, b, c, d = answers["A"], answers["B"], answers["C"], answers["D"]
    for name in ("h1", "h1_relu", "h2", "h2_relu", "y_pred", "dy", "dh2", "dh1"):
        _close((a if name in a else b)[name], cache[name], f"seed {seed}, {name}")
    _close(a["L_i"], [helpers.loss(y_pred[i:i + 1], y[i:i + 1]) for i in range(2)], "L_i")
    _close(a["L"], helpers.loss(y_pred, y), "L")
    # what h2_relu and h1_relu receive: through the mask it is dh2, dh1; rule 2 in scalars
    _close(cache["A"][:, 0] * b["dh2_relu"], cache["dh2"], "A∘dh2_relu = dh2")
    _close(cache["B"][:, 0] * b["dh1_relu"], cache["dh1"], "B∘dh1_relu = dh1")
    _close(b["dh2_relu"], cache["dy"] * params["w3"][0, 0], "dh2_relu = dy·w3")
    _close(b["dh1_relu"], cache["dh2"] * params["w2"][0, 0], "dh1_relu = dh2·w2")
    for p in PARAMS:
        shares = []
        for i in range(2):
            out, ci = helpers.forward(params, x[i:i + 1])
            shares.append(helpers.backward(params, x[i:i + 1], y[i:i + 1], ci)[p][0, 0])
        _close(b[f"d{p}"], [*shares, grads[p][0, 0]], f"d{p}: the two shares and the sum")

    probe = x.copy()
    dx = helpers.numerical_gradient(lambda: helpers.loss(helpers.forward(params, probe)[0], y),
                                    probe)
    assert np.allclose(c["dx"], dx[:, 0], atol=1e-6), f"dx {c['dx']} ≠ central differences"

    alpha = _num(re.search(r"α = ([\d.]+)", sheet)[1])
    net = network.Net(network.leaky_relu(alpha), network.RELU)
    leaky_pred, leaky = network._forward(params, x, net)
    for name, source in (("h1_leaky", "h1_relu"), ("h2", "h2"), ("h2_relu", "h2_relu"),
                         ("y_pred", "y_pred")):
        _close(d[name], leaky[source], f"leaky {name}")
    _close(d["L"], network._loss(leaky_pred, y, net, params), "leaky L")
    _close(d["dy"], 2 * (leaky_pred - y), "leaky dy")
    p = {k: v.copy() for k, v in params.items()}
    for name in ("w1", "b1"):
        g = helpers.numerical_gradient(
            lambda: network._loss(network._forward(p, x, net)[0], y, net, p), p[name])
        assert np.allclose(d[f"d{name}"], g[0, 0], atol=1e-6), \
            f"leaky d{name} {d[f'd{name}']} ≠ central differences {g[0, 0]}"
    slope = np.where(cache["h1"][:, 0] >= 0, 1.0, alpha)
    _close(d["dh1"], slope * d["dh1_leaky"], "leaky dh1 = slope·dh1_leaky")


def test_the_worksheet_holds_no_answer(documents):
    seed, sheet, key = documents
    params, x, y = _given(sheet)
    answers = _key(key)
    boxes = {n: v for title, text in _sections(sheet).items() if title.startswith("Part ")
             for n, v in _rows(text).items()}
    assert boxes.keys() == {n for part in answers.values() for n in part}
    full = {n: v for n, v in boxes.items() if any(re.sub(r"&emsp;|\s", "", c) for c in v)}
    assert not full, f"seed {seed}: boxes filled in on the worksheet: {full}"
    for word in ("Answer", "Rubric", "Telltale", "key"):
        assert word not in sheet, f"seed {seed}: {word!r} on the worksheet"
    for name in boxes:
        assert not re.search(rf"`?\b{name}`?\s*=\s*[−-]?\d", sheet), f"{name} = … on the sheet"
    given = {float(v[0, 0]) for v in [*params.values()]} | set(x[:, 0]) | set(y[:, 0])
    total = _num(re.search(r"Total: (\d+) points", sheet)[1])
    allowed = given | {0, 1, 2, worksheet.ALPHA, seed, total}
    extra = {_num(m) for m in NUMBER.findall(sheet)} - allowed
    assert not extra, f"seed {seed}: numbers on the worksheet that it does not give: {extra}"
    assert re.search(r"Total: \d+ points", key) and "## Rubric" in key


def test_pencil_friendly_and_deterministic_numbers():
    givens = set()
    for seed in range(10):
        sheet = worksheet.document(seed, key=False)
        assert sheet == worksheet.document(seed, key=False)
        params, x, y = _given(sheet)
        numbers = [v[0, 0] for v in params.values()] + list(x[:, 0]) + list(y[:, 0])
        assert all(v == int(v) and abs(v) <= 3 for v in numbers), numbers
        givens.add(tuple(numbers))
        answers = _key(worksheet.document(seed, key=True))
        for part in "ABC":
            assert all(v == int(v) for row in answers[part].values() for v in row), part
        assert all(round(v, 2) == v for row in answers["D"].values() for v in row)
    assert len(givens) == 10, "every seed its own numbers"


def test_the_command_writes_both(tmp_path, capsys):
    assert worksheet.main(["--seed", "3", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "worksheet-3.md").read_text(encoding="utf-8") == \
        worksheet.document(3, key=False)
    assert (tmp_path / "worksheet-3-key.md").read_text(encoding="utf-8") == \
        worksheet.document(3, key=True)
    assert "worksheet-3-key.md" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        worksheet.main(["--seed", "-1", "--out", str(tmp_path)])
