"""``make bench``'s references do what its report says (no timing is asserted here)."""

import importlib.util
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_floor_update_runs_the_floors_products_on_copies_and_writes_p_minus_g():
    bench = _bench()
    prob = bench.Problem((5, 7, 6, 4, 3), "float64")
    before = {k: v.copy() for k, v in prob.params.items()}
    copies = [p for p, _ in prob.update_pairs]
    assert [p.shape for p in copies] == [v.shape for v in prob.params.values()]
    assert not any(np.shares_memory(p, v) for p in copies for v in prob.params.values())
    old = [p.copy() for p in copies]
    prob.run_floor_update(1)
    for p, g in prob.update_pairs:
        assert np.array_equal(p, g)                          # p ← g after g ← p − g
    x, (w1, b1) = prob.x, (old[0], old[1])
    # w1's gradient buffer held xᵀ·dh1 (dh1 all ones) before the update; the biases' zeros
    assert np.allclose(copies[0], w1 - x.T @ np.ones((5, 6)))
    assert np.array_equal(copies[1], b1)
    for k, v in prob.params.items():                     # the training run's params untouched
        assert np.array_equal(v, before[k])
    assert len(prob.samples["floor_update"]) == 1
    # the floor's products are the same 8, in the order of products(), on the copies
    assert [(a.shape, b.shape) for a, b, _ in prob.floor_args] == \
        [(a.shape, b.shape) for a, b, _ in prob.floor_update_args] == \
        [((m, k), (k, p)) for _, m, k, p in bench.products(*prob.size)]
