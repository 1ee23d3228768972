"""How close is a gradient-descent step of ``helpers`` to the BLAS it calls?  ``make bench``

One step of :func:`helpers.training.train` (forward (1)–(5), loss (6), backward (81)–(86), update)
does 8 matrix products: 3 in the forward pass (x·w1, h1_relu·w2, h2_relu·w3) and 5 in the
backward pass (81) h2_reluᵀ·dy, dy·w3ᵀ for (84), (83) h1_reluᵀ·dh2, dh2·w2ᵀ for (86) and
(85) xᵀ·dh1. Everything else (bias, ReLU, masks, loss, update) is elementwise. The *floor* is
those 8 products alone, on the same x and parameters (and arrays of the same shapes for the
intermediates), with preallocated outputs (``np.matmul(..., out=)``): no NumPy code can make the
step faster than its BLAS. The ratio step / floor says how much the rest costs.

A second reference, *floor + update*, adds to those products the least a gradient-descent step
must also do: write new values into the six parameters, as ``g ← p − g`` then ``p ← g``
(``np.subtract`` into the gradient buffer, then ``np.copyto``, as ``train`` does; cheaper here
than ``p -= g``, see the README), with no check and no bias, ReLU, mask or loss. The weights'
gradients are what the products wrote; the biases' are rows of zeros, and their new values go to
a scratch row so that the zeros stay zeros. It runs on copies of the parameters,
so the training run is untouched. (floor + update) / floor is what step / floor would be if all
the elementwise work but the update were free.

The step is timed inside ``train`` itself: a callback records the clock and the page-fault count
after every step, and the first step of each ``train`` call is left out. Step, floor and (if
installed) the same network in PyTorch CPU autograd are measured in turns, repetition after
repetition, and summarised by their median, since single timings on a shared machine are erratic.

Also timed: a *single call*, ``forward`` + ``loss`` + ``backward`` of the public API, as a
notebook cell does it: the step's work without the update, plus the input checks and
``backward``'s check that its cache belongs to these parameters and this x (which runs no second
forward pass). ``train`` sets no BLAS thread count of its own (:data:`THREAD_POLICY`, stated in
the report); the floor and the single call run with the library's default threads too.

    python benchmarks/bench.py                 # all sizes, float64 and float32
    python benchmarks/bench.py --quick         # fewer repetitions (a smoke test)
    python benchmarks/bench.py --no-torch      # skip PyTorch even if it is installed
    python benchmarks/bench.py --threads 1     # one BLAS thread (needs threadpoolctl)

Writes ``benchmarks/results.json`` and prints a Markdown table. Nothing here is part of
``make test``: timings depend on the machine and are never asserted.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from helpers.network import backward, forward, init_params, loss
from helpers.training import train

THREAD_POLICY = "the BLAS library's default thread count at every size (no limit set by train)"

SIZES = [(64, 1000, 100, 100, 10), (256, 1024, 512, 512, 10), (1024, 2048, 1024, 1024, 256)]
DTYPES = ["float64", "float32"]
ENV_VARS = ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_CORETYPE",
            "OPENBLAS_L2_SIZE"]
HERE = Path(__file__).resolve().parent


def products(n, d_in, d1, d2, d_out):
    """The 8 matrix products of one step as (name, m, k, p): an m×k by k×p product."""
    return [("x·w1 (1)", n, d_in, d1), ("h1_relu·w2 (3)", n, d1, d2),
            ("h2_relu·w3 (5)", n, d2, d_out), ("h2_reluᵀ·dy (81)", d2, n, d_out),
            ("dy·w3ᵀ (84)", n, d_out, d2), ("h1_reluᵀ·dh2 (83)", d1, n, d2),
            ("dh2·w2ᵀ (86)", n, d2, d1), ("xᵀ·dh1 (85)", d_in, n, d1)]


def flops(size):
    return sum(2 * m * k * p for _, m, k, p in products(*size))


class Problem:
    """One size and dtype: the parameters, the data and the arrays the floor multiplies."""

    def __init__(self, size, dtype, seed=0):
        n, d_in, d1, d2, d_out = size
        rng = np.random.default_rng(seed)
        self.size, self.dtype = size, np.dtype(dtype)
        self.params = init_params(d_in, d1, d2, d_out, rng=rng, dtype=self.dtype)
        self.x = rng.standard_normal((n, d_in)).astype(self.dtype)
        self.y = rng.standard_normal((n, d_out)).astype(self.dtype)
        # L (6) is a sum over n·d_out terms: a step small enough to stay finite for any size.
        self.lr = 1e-4 / (n * d_out)
        self.samples = {"step": [], "floor": [], "floor_update": [], "torch": [], "single": []}
        self.faults = []
        p, x, dt = self.params, self.x, self.dtype
        a = {k: np.ones(s, dtype=dt) for k, s in (("h1_relu", (n, d1)), ("h2_relu", (n, d2)),
                                                 ("dy", (n, d_out)), ("dh2", (n, d2)),
                                                 ("dh1", (n, d1)))}
        out = {k: np.empty(s, dtype=dt) for k, s in (
            ("h1", (n, d1)), ("h2", (n, d2)), ("y_pred", (n, d_out)), ("dw3", (d2, d_out)),
            ("dh2", (n, d2)), ("dw2", (d1, d2)), ("dh1", (n, d1)), ("dw1", (d_in, d1)))}
        self.floor_args = floor_args(x, p, a, out)
        # floor + update: the same products on copies of the parameters, then p ← p − g for all
        # six as (p, g, new): a weight's new values overwrite its gradient, which the products
        # rewrite every time; a bias's gradient is a row of zeros kept apart from its new values.
        q = {k: v.copy() for k, v in p.items()}
        self.floor_update_args = floor_args(x, q, a, out)
        self.update = [(q[k], out[f"d{k}"], out[f"d{k}"]) if k[0] == "w"
                       else (q[k], np.zeros_like(q[k]), np.empty_like(q[k])) for k in q]

    def run_steps(self, k):
        """k+1 steps of ``train``; keeps the times and page faults of the last k."""
        marks = []

        def callback(step, value):
            marks.append((time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF).ru_minflt))

        train(self.params, self.x, self.y, lr=self.lr, steps=k + 1, callback=callback)
        for (t0, f0), (t1, f1) in zip(marks[:-1], marks[1:], strict=True):
            self.samples["step"].append(t1 - t0)
            self.faults.append(f1 - f0)

    def run_single(self, k):
        """k public forward/loss/backward calls without reused buffers (what a notebook does)."""
        p, x, y = self.params, self.x, self.y
        for _ in range(k):
            t0 = time.perf_counter()
            y_pred, cache = forward(p, x)
            loss(y_pred, y)
            backward(p, x, y, cache)
            self.samples["single"].append(time.perf_counter() - t0)

    def run_floor(self, k, *, update=False):
        """k rounds of the 8 products (the floor) or, with ``update``, of floor + update."""
        matmul, subtract, copyto = np.matmul, np.subtract, np.copyto
        args = self.floor_update_args if update else self.floor_args
        triples = self.update if update else ()
        samples = self.samples["floor_update" if update else "floor"]
        for _ in range(k):
            t0 = time.perf_counter()
            for a, b, out in args:
                matmul(a, b, out=out)
            for p, g, new in triples:
                subtract(p, g, out=new)
            for p, _, new in triples:
                copyto(p, new)
            samples.append(time.perf_counter() - t0)


def floor_args(x, p, a, out):
    """(left, right, out) of the 8 products, in the order of :func:`products`."""
    return [(x, p["w1"], out["h1"]), (a["h1_relu"], p["w2"], out["h2"]),
            (a["h2_relu"], p["w3"], out["y_pred"]), (a["h2_relu"].T, a["dy"], out["dw3"]),
            (a["dy"], p["w3"].T, out["dh2"]), (a["h1_relu"].T, a["dh2"], out["dw2"]),
            (a["dh2"], p["w2"].T, out["dh1"]), (x.T, a["dh1"], out["dw1"])]


class TorchProblem:
    """The same network and step in PyTorch CPU autograd (only if torch is installed)."""

    def __init__(self, torch, problem):
        self.torch = torch
        self.p = {k: torch.tensor(v, requires_grad=True) for k, v in problem.params.items()}
        self.x, self.y = torch.tensor(problem.x), torch.tensor(problem.y)
        self.lr, self.samples = problem.lr, problem.samples["torch"]

    def step(self):
        torch, p = self.torch, self.p
        h1_relu = torch.relu(self.x @ p["w1"] + p["b1"])
        h2_relu = torch.relu(h1_relu @ p["w2"] + p["b2"])
        y_pred = h2_relu @ p["w3"] + p["b3"]
        loss = ((y_pred - self.y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            for v in p.values():
                v.add_(v.grad, alpha=-self.lr)            # torch's fused p ← p − lr·g
                v.grad = None
        return loss.item()

    def run(self, k):
        self.step()
        for _ in range(k):
            t0 = time.perf_counter()
            self.step()
            self.samples.append(time.perf_counter() - t0)


def summary(values):
    return {"min": min(values), "median": statistics.median(values), "max": max(values),
            "count": len(values)}


def blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [{"note": "threadpoolctl not installed (pip install -e '.[bench]')"}]
    return [{**{k: lib.get(k) for k in ("internal_api", "version", "num_threads", "architecture",
                                         "threading_layer")},
             "library": Path(lib["filepath"]).name} for lib in threadpool_info()]


def machine():
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) \
        if Path("/proc/cpuinfo").exists() else platform.processor()
    return {"cpu": model, "cpu_count": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "numpy": np.__version__,
            "load_average_at_start": os.getloadavg(),
            "env": {k: os.environ.get(k) for k in ENV_VARS}}


def import_times(repeats):
    """Median wall time of a fresh ``python -c "import …"`` for helpers, numpy, matplotlib."""
    statements = {"python": "pass", "numpy": "import numpy", "helpers": "import helpers",
                  "numpy + matplotlib.pyplot": "import numpy, matplotlib.pyplot",
                  "helpers + helpers.plotting": "import helpers, helpers.plotting"}
    env = {**os.environ, "MPLBACKEND": "Agg"}
    result = {}
    for name, stmt in statements.items():
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", stmt], check=True, env=env)
            times.append(time.perf_counter() - t0)
        result[name] = summary(times)
    return result


def plan(size, quick):
    """(repetitions, steps per turn): about 0.2 s of steps per turn, fewer turns for big sizes.

    At least 4 steps a turn: the first steps of a ``train`` call can page-fault while the memory
    allocator settles on its thresholds (see the README), and the median should show the steady
    state that a long training run lives in.
    """
    per_step = flops(size) / 20e9                     # a rough guess; only sets the counts
    k = max(4, min(50, round(0.2 / per_step)))
    reps = 3 if quick else (5 if per_step > 0.1 else 11)
    return reps, k


def measure(size, dtype, torch, quick):
    prob = Problem(size, dtype)
    tprob = TorchProblem(torch, prob) if torch is not None else None
    reps, k = plan(size, quick)
    prob.run_steps(1)                                 # warm up BLAS, the allocator, the caches
    prob.run_floor(1)
    prob.run_floor(1, update=True)
    prob.run_single(1)
    for v in prob.samples.values():
        v.clear()
    prob.faults.clear()
    turns = []                                        # per repetition: step / floor, step / torch
    for _ in range(reps):
        prob.run_steps(k)
        prob.run_floor(k)
        prob.run_floor(k, update=True)
        prob.run_single(max(2, k // 4))
        step_turn = statistics.median(prob.samples["step"][-k:])
        floor_turn = statistics.median(prob.samples["floor"][-k:])
        turn = {"floor": step_turn / floor_turn,
                "floor_update": statistics.median(prob.samples["floor_update"][-k:]) / floor_turn,
                "single": statistics.median(prob.samples["single"][-max(2, k // 4):]) / floor_turn}
        if tprob is not None:
            tprob.run(k)
            turn["torch"] = step_turn / statistics.median(prob.samples["torch"][-k:])
        turns.append(turn)
    f = flops(size)
    step, floor = summary(prob.samples["step"]), summary(prob.samples["floor"])
    row = {"size": dict(zip(("n", "d_in", "d1", "d2", "d_out"), size, strict=True)),
           "dtype": dtype, "gflop_per_step": f / 1e9, "repetitions": reps, "steps_per_turn": k,
           "step_s": step, "floor_s": floor,
           "step_gflops": f / step["median"] / 1e9, "floor_gflops": f / floor["median"] / 1e9,
           "ratio_to_floor": summary([t["floor"] for t in turns]),
           "floor_update_s": summary(prob.samples["floor_update"]),
           "floor_update_ratio_to_floor": summary([t["floor_update"] for t in turns]),
           "single_call_s": summary(prob.samples["single"]),
           "single_call_ratio_to_floor": summary([t["single"] for t in turns]),
           "page_faults_per_step": summary(prob.faults)}
    if tprob is not None:
        row["torch_s"] = summary(prob.samples["torch"])
        row["ratio_to_torch"] = summary([t["torch"] for t in turns])
    return row


def ratio(s):
    return f"{s['min']:.2f} / **{s['median']:.2f}** / {s['max']:.2f}"


def markdown(rows, has_torch):
    head = ("| n, d_in, d1, d2, d_out | dtype | step ms (min / median / max) | GFLOP/s "
            "| floor ms (median) | step / floor (min / median / max) "
            "| (floor + update) / floor (min / median / max) "
            "| page faults / step (median, max) | single call ms (median) | single / floor |")
    sep = "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    if has_torch:
        head += " torch ms (median) | step / torch (min / median / max) |"
        sep += " --- | --- |"
    lines = [head, sep]
    for r in rows:
        s, fl = r["step_s"], r["floor_s"]
        line = (f"| {', '.join(str(v) for v in r['size'].values())} | {r['dtype']} "
                f"| {s['min'] * 1e3:.3g} / {s['median'] * 1e3:.3g} / {s['max'] * 1e3:.3g} "
                f"| {r['step_gflops']:.3g} | {fl['median'] * 1e3:.3g} "
                f"| {ratio(r['ratio_to_floor'])} | {ratio(r['floor_update_ratio_to_floor'])} "
                f"| {r['page_faults_per_step']['median']:.0f}, "
                f"{r['page_faults_per_step']['max']:.0f} "
                f"| {r['single_call_s']['median'] * 1e3:.3g} "
                f"| {r['single_call_ratio_to_floor']['median']:.2f} |")
        if has_torch:
            line += f" {r['torch_s']['median'] * 1e3:.3g} | {ratio(r['ratio_to_torch'])} |"
        lines.append(line)
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repetitions instead of 5-11")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    parser.add_argument("--sizes", type=int, nargs="*", help="indices into SIZES (default all)")
    parser.add_argument("--dtypes", nargs="*", default=DTYPES, choices=DTYPES)
    parser.add_argument("--threads", type=int, help="limit BLAS (and torch) to this many "
                        "threads (needs threadpoolctl); default: the library's own choice")
    parser.add_argument("--output", type=Path, default=HERE / "results.json")
    args = parser.parse_args(argv)
    torch = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            torch = None
    if args.threads is not None:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            parser.error("--threads needs threadpoolctl: pip install -e '.[bench]'")
        threadpool_limits(limits=args.threads, user_api="blas")   # in force for the whole run
        if torch is not None:
            torch.set_num_threads(args.threads)
    started = time.perf_counter()
    policy = (f"--threads {args.threads}: every product on {args.threads} BLAS thread(s)"
              if args.threads is not None else THREAD_POLICY)
    print(f"thread policy: {policy}", flush=True)
    info = {"machine": machine(), "blas": blas_info(), "threads_option": args.threads,
            "thread_policy": policy,
            "torch": None if torch is None else {"version": torch.__version__,
                                                 "threads": torch.get_num_threads()}}
    sizes = [SIZES[i] for i in args.sizes] if args.sizes else SIZES
    rows = []
    for size in sizes:
        for dtype in args.dtypes:
            rows.append(measure(size, dtype, torch, args.quick))
            r = rows[-1]
            print(f"{size} {dtype}: step {r['step_s']['median'] * 1e3:.3g} ms, "
                  f"{r['ratio_to_floor']['median']:.3f} × floor "
                  f"({r['ratio_to_floor']['min']:.3f}–{r['ratio_to_floor']['max']:.3f}); "
                  f"floor + update {r['floor_update_ratio_to_floor']['median']:.3f} × floor; "
                  f"single forward/backward call {r['single_call_s']['median'] * 1e3:.3g} ms",
                  flush=True)
    info["imports_s"] = import_times(3 if args.quick else 5)
    info["results"] = rows
    info["bench_wall_s"] = time.perf_counter() - started
    args.output.write_text(json.dumps(info, indent=1) + "\n")
    print()
    print(markdown(rows, torch is not None))
    print()
    imp = info["imports_s"]
    print("import (median wall s, fresh interpreter): "
          + ", ".join(f"{k} {v['median']:.3f}" for k, v in imp.items()))
    blas = "; ".join(f"{b.get('internal_api')} {b.get('version')} {b.get('num_threads')} threads"
                     for b in info["blas"])
    print(f"Thread policy of train: {policy}")
    print(f"BLAS: {blas}. CPU: {info['machine']['cpu']} × {info['machine']['cpu_count']}. "
          f"Total {info['bench_wall_s']:.0f} s; results in {args.output}")


if __name__ == "__main__":
    main()
