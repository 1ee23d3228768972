"""The running example's sizes expose shape mistakes, and 01–05 and 10 share one example.

With two equal sizes a missing transpose can keep the right shape (with n = d2, ``h2_relu @ dy``
is as square as ``h2_relu.T @ dy`` is wrong), so the text promises sizes n, d_in, d1, d2, d_out
that are pairwise different. This test reads the size assignments in the notebooks' code cells
(``n, d_in, d1, d2, d_out = …``) and checks the promise wherever a notebook makes it, and that the
running example of 02–05 (also used by 01 and 10) is one example: the same sizes, seed and biases,
so that a matrix printed in 02 is the matrix 05 uses.

Deliberate exceptions, each said in its notebook: 07 uses d1 = d2 so that two planted bugs keep
their shape and only the numbers can catch them; 04's demonstration of exact zeros uses
d1 = d2 = 3 (``n_z, d_in_z, … =``), the narrow widths it is about; 06 times equal sizes s and
checks agreement on pairwise different ones first; 08 and 09 use PyTorch's warm-up sizes.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
SIZES = re.compile(r"^\s*n, d_in, d1, d2, d_out = (\d+), (\d+), (\d+), (\d+), (\d+)\s*(?:#.*)?$",
                   re.M)
CLAIM = re.compile(r"pairwise different|all five differ|five sizes", re.I)
RUNNING = ["01_derivation", "02_forward_pass", "03_output_layer", "04_second_hidden_layer",
           "05_first_hidden_layer", "10_matrix_differentials"]


def _load(stem):
    return json.loads((NB_DIR / f"{stem}.ipynb").read_text(encoding="utf-8"))


def _code(nb):
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def _markdown(nb):
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def size_assignments(nb):
    return [tuple(int(v) for v in m.groups()) for m in SIZES.finditer(_code(nb))]


@pytest.mark.parametrize("stem", [p.stem for p in sorted(NB_DIR.glob("[0-9][0-9]_*.ipynb"))])
def test_sizes_differ_wherever_the_text_says_so(stem):
    nb = _load(stem)
    if not CLAIM.search(_markdown(nb)):
        return
    found = size_assignments(nb)
    literal_tuples = [tuple(int(v) for v in m.groups()) for m in
                      re.finditer(r"\((\d+), (\d+), (\d+), (\d+), (\d+)\)", _code(nb))]
    layers = re.compile(r"^d_in, d1, d2, d_out = (\d+), (\d+), (\d+), (\d+)$", re.M)
    layers_only = [tuple(int(v) for v in m.groups())              # 00 draws d_in, d1, d2, d_out
                   for m in layers.finditer(_code(nb))]
    assert found or literal_tuples or layers_only, \
        f"{stem} claims pairwise different sizes but assigns none"
    for sizes in found + layers_only:
        assert len(set(sizes)) == len(sizes), f"{stem}: sizes {sizes} are not all different"


@pytest.mark.parametrize("stem", RUNNING)
def test_the_running_example_is_pairwise_different(stem):
    found = size_assignments(_load(stem))
    assert found, f"{stem} should assign n, d_in, d1, d2, d_out for the running example"
    for sizes in found:
        assert len(set(sizes)) == 5, f"{stem}: n, d_in, d1, d2, d_out = {sizes}"


def test_one_running_example_through_01_to_05_and_10():
    first = {}
    for stem in RUNNING:
        code = _code(_load(stem))
        sizes = size_assignments(_load(stem))[0]
        code = code[SIZES.search(code).start():]            # the example is built after its sizes
        seed = re.search(r"default_rng\((\d+)\)", code)
        bias = re.search(r"params\[name\] = ([\d.]+) \* rng\.standard_normal", code)
        assert seed and bias, f"{stem}: the running example's seed or bias scale not found"
        this = {"sizes": sizes, "seed": seed.group(1), "bias scale": bias.group(1)}
        first = first or this
        assert this == first, f"{stem} builds {this}, the running example is {first}"


def test_00_draws_the_running_example():
    code = _code(_load("00_start_here"))
    m = re.search(r"^d_in, d1, d2, d_out = (\d+), (\d+), (\d+), (\d+)$", code, re.M)
    assert m, "00 should draw the running example's layers"
    n, *layers = size_assignments(_load("02_forward_pass"))[0]
    assert tuple(int(v) for v in m.groups()) == tuple(layers)


def test_the_pattern_catches_equal_sizes():
    nb = {"cells": [{"cell_type": "code", "source": "n, d_in, d1, d2, d_out = 4, 3, 5, 4, 2"}]}
    assert size_assignments(nb) == [(4, 3, 5, 4, 2)]
    assert len(set(size_assignments(nb)[0])) < 5
