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
    n, d_in, d1 = 5, 7, 6
    prob = bench.Problem((n, d_in, d1, 4, 3), "float64")
    before = {k: v.copy() for k, v in prob.params.items()}
    copies = [p for p, _, _ in prob.update]
    assert [p.shape for p in copies] == [v.shape for v in prob.params.values()]
    assert not any(np.shares_memory(p, v) for p in copies for v in prob.params.values())
    copies[1][...] = 1.5                                  # b1: non-zero, so losing it would show
    old = [p.copy() for p in copies]
    rounds = 3
    prob.run_floor(rounds, update=True)
    for p, _, new in prob.update:
        assert np.array_equal(p, new)                     # p ← new after new ← p − g
    # w1's gradient is xᵀ·dh1 (dh1 all ones) every round; the biases' gradients stay zero
    step = prob.x.T @ np.ones((n, d1))
    assert np.allclose(copies[0], old[0] - rounds * step)
    for k in (1, 3, 5):
        assert np.array_equal(copies[k], old[k])
    for k, v in prob.params.items():                      # the training run's params untouched
        assert np.array_equal(v, before[k])
    assert len(prob.samples["floor_update"]) == rounds and not prob.samples["floor"]
    # the floor's products are the same 8, in the order of products(), on the copies
    assert [(a.shape, b.shape) for a, b, _ in prob.floor_args] == \
        [(a.shape, b.shape) for a, b, _ in prob.floor_update_args] == \
        [((m, k), (k, p)) for _, m, k, p in bench.products(*prob.size)]
