"""A paper worksheet for the derivation by hand, and its answer key with a rubric.

    python -m course.worksheet --seed N [--out DIR]

writes ``DIR/worksheet-N.md``, for the students, and ``DIR/worksheet-N-key.md``, for the teacher
(``DIR`` is ``build/worksheets`` unless given). The worksheet is notebook 01's pencil example with
new numbers: one unit per layer, two samples, small integers chosen by the seed. It asks for
every value of the forward pass and every gradient of the backward pass, sample by sample; the
gradient with respect to the input; and the same network with a leaky ReLU in its first layer.
It holds no answer. The key holds every answer, the points and a rubric.

Every number in the key comes from the reference network, :mod:`helpers.network` (its
``forward``, ``loss`` and ``backward``, and its leaky-ReLU variation ``Net``): nothing here writes
(1)–(6) or (81)–(86) again. The only arithmetic of its own is rule 2 of notebook 01 (a product
sends the gradient through the other factor), for the gradients with respect to ``h2_relu``,
``h1_relu`` and ``x``, which the reference network does not return. The same seed gives the same
two files, byte for byte.
"""

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers import network

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "worksheets"
ALPHA = 0.1                               # the leaky ReLU's slope below 0, as in notebook 11
PARAMS = ("w1", "b1", "w2", "b2", "w3", "b3")
NOTEBOOK_01 = {"x": (1, -1), "y": (1, 0), "w1": 2, "b1": -1, "w2": 3, "b2": -1, "w3": -1, "b3": 1}
LARGEST = 40                              # no value or gradient larger than this, in magnitude
BLANK = "&emsp;" * 6                      # an empty box in a table, wide enough to write in
LINES = "\n\n".join(["___"] * 3)          # ruled lines for a written answer

# The rows of the tables: (name in the tables, what it is). Names are notebook 01's.
FORWARD = [("h1", "x·w1 + b1"), ("h1_relu", "Relu(h1)"), ("h2", "h1_relu·w2 + b2"),
           ("h2_relu", "Relu(h2)"), ("y_pred", "h2_relu·w3 + b3"), ("L_i", "(y_pred − y)²")]
BACKWARD = [("dy", "∂L/∂y_pred"), ("dh2_relu", "∂L/∂h2_relu"), ("dh2", "∂L/∂h2"),
            ("dh1_relu", "∂L/∂h1_relu"), ("dh1", "∂L/∂h1")]
GRADIENTS = [(f"d{p}", f"∂L/∂{p}") for p in ("w3", "b3", "w2", "b2", "w1", "b1")]
LEAKY = [("h1_leaky", "max(h1, α·h1)"), ("h2", "h1_leaky·w2 + b2"), ("h2_relu", "Relu(h2)"),
         ("y_pred", "h2_relu·w3 + b3"), ("dy", "∂L/∂y_pred"), ("dh2", "∂L/∂h2"),
         ("dh1_leaky", "∂L/∂h1_leaky"), ("dh1", "∂L/∂h1")]
LEAKY_TOTALS = [("L", "the loss"), ("dw1", "∂L/∂w1"), ("db1", "∂L/∂b1")]


@dataclass(frozen=True)
class Problem:
    """The numbers of one worksheet: two samples x, y and the six parameters, all integers."""
    seed: int
    x: tuple
    y: tuple
    params: tuple                          # w1, b1, w2, b2, w3, b3

    def arrays(self):
        """x and y as 2×1 columns, the parameters as 1×1 matrices, in float64."""
        return ({k: np.array([[float(v)]]) for k, v in zip(PARAMS, self.params, strict=True)},
                np.array(self.x, float).reshape(2, 1), np.array(self.y, float).reshape(2, 1))


def _through(G, w):
    """Rule 2 of notebook 01: the left factor of a product with w receives G·wᵀ."""
    return G @ w.T


def solve(problem):
    """Every answer of the worksheet, from the reference network: {part: {name: values}}, each
    value a tuple (one entry per sample, or one number for a total)."""
    params, x, y = problem.arrays()
    y_pred, cache = network.forward(params, x)
    grads = network.backward(params, x, y, cache)          # puts dy, dh2, dh1 into the cache
    samples = []
    for i in range(2):                                     # each sample's share: L is a sum
        xi, yi = x[i:i + 1], y[i:i + 1]
        out, c = network.forward(params, xi)
        samples.append((network.loss(out, yi), network.backward(params, xi, yi, c)))
    dh2_relu, dh1_relu = _through(cache["dy"], params["w3"]), _through(cache["dh2"], params["w2"])
    column = {**cache, "dh2_relu": dh2_relu, "dh1_relu": dh1_relu,
              "L_i": np.array([[s[0]] for s in samples])}
    net = network.Net(network.leaky_relu(ALPHA), network.RELU)
    leaky_pred, leaky = network._forward(params, x, net)
    leaky_grads = network._backward(params, x, y, leaky, net)
    leaky.update(h1_leaky=leaky["h1_relu"], dh1_leaky=_through(leaky["dh2"], params["w2"]))
    leaky_total = {"L": network._loss(leaky_pred, y, net, params),
                   "dw1": leaky_grads["w1"][0, 0], "db1": leaky_grads["b1"][0, 0]}
    leaky_w1 = []                                          # each sample's share of dw1
    for i in range(2):
        xi, yi = x[i:i + 1], y[i:i + 1]
        leaky_w1.append(network._backward(params, xi, yi, network._forward(params, xi, net)[1],
                                          net)["w1"][0, 0])

    def rows(names, source):
        return {n: tuple(source[n][:, 0]) for n, _ in names}

    return {
        "A": rows(FORWARD, column), "A total": {"L": (network.loss(y_pred, y),)},
        "B": rows(BACKWARD, column),
        "B gradients": {f"d{p}": (samples[0][1][p][0, 0], samples[1][1][p][0, 0], grads[p][0, 0])
                        for p in ("w3", "b3", "w2", "b2", "w1", "b1")},
        "C": {"dx": tuple(_through(cache["dh1"], params["w1"])[:, 0])},
        "D": rows(LEAKY, leaky), "D total": {k: (v,) for k, v in leaky_total.items()},
        "D shares": {"dw1": tuple(leaky_w1)},
        "mean L": network._loss(y_pred, y, network.Net(network.RELU, network.RELU, mean=True),
                                params),
    }


def _signs_suitable(problem):
    """One sample through both ReLUs, one stopped by the first only; no pre-activation at 0."""
    params, x, _ = problem.arrays()
    _, cache = network.forward(params, x)
    h1, h2 = cache["h1"][:, 0], cache["h2"][:, 0]
    return (0 not in h1 and (h2 > 0).all() and (h1 < 0).sum() == 1)


def _suitable(problem, answers):
    """Besides :func:`_signs_suitable`: no pre-activation at a kink and no sample already right,
    in part D too; the stopped sample's leaky ReLU lets its gradient through; all values small;
    not notebook 01's own numbers."""
    given = dict(zip(PARAMS, problem.params, strict=True))
    if {**given, "x": problem.x, "y": problem.y} == NOTEBOOK_01:
        return False
    a, b, d = answers["A"], answers["B"], answers["D"]
    values = [v for part in ("A", "A total", "B", "B gradients", "C", "D", "D total")
              for row in answers[part].values() for v in row]
    if max(abs(v) for v in values) > LARGEST:
        return False
    if 0 in a["h1"] + a["h2"] + d["h2"] or 0 in b["dy"] + d["dy"]:
        return False
    stopped = next(i for i in range(2) if a["h1"][i] < 0)           # as _signs_suitable
    return d["h2"][stopped] > 0


def draw(seed):
    """The first suitable numbers of the seed's random stream (deterministic per seed)."""
    rng = np.random.default_rng(seed)
    weights = np.array([-3, -2, -1, 1, 2, 3])
    for _ in range(100_000):
        w = rng.choice(weights, 3)
        b = rng.integers(-2, 3, 3)
        problem = Problem(seed, tuple(int(v) for v in rng.choice(weights, 2)),
                          tuple(int(v) for v in rng.integers(-2, 3, 2)),
                          (int(w[0]), int(b[0]), int(w[1]), int(b[1]), int(w[2]), int(b[2])))
        if not _signs_suitable(problem):                   # cheap: the forward pass only
            continue
        answers = solve(problem)
        if _suitable(problem, answers):
            return problem, answers
    raise RuntimeError(f"no suitable numbers for seed {seed}")


def num(v):
    """A number as a pencil writes it: an integer without a point, at most six decimals, −."""
    r = round(float(v), 6) + 0.0
    text = str(int(r)) if r == int(r) else f"{r:.6f}".rstrip("0")
    return text.replace("-", "−")


# ---- the two documents --------------------------------------------------------------------

def _points(k):
    return f"{k} point{'' if k == 1 else 's'}"


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def _network(problem):
    p = dict(zip(PARAMS, problem.params, strict=True))
    return "\n\n".join([
        "For each sample, a number x and its target y, the network computes",
        "```\n"
        "h1 = x·w1 + b1           h1_relu = Relu(h1)       where Relu(h) = max(h, 0)\n"
        "h2 = h1_relu·w2 + b2     h2_relu = Relu(h2)\n"
        "y_pred = h2_relu·w3 + b3\n"
        "```",
        "and the loss adds up both samples: L = (y_pred − y)² of sample 1 + (y_pred − y)² of "
        "sample 2, a sum, not a mean. With the numbers",
        _table(["", "sample 1", "sample 2"],
               [["x", num(problem.x[0]), num(problem.x[1])],
                ["y", num(problem.y[0]), num(problem.y[1])]]),
        _table(list(PARAMS), [[num(p[k]) for k in PARAMS]]),
        "no pre-activation (h1, h2) is exactly 0, here or in part D."])


QUESTIONS = {
    "B": "In which sample does the backward pass stop at a ReLU, and at which one? To which of "
         "the six gradients does that sample still send something, and why?",
    "C": "Which of notebook 01's four local rules takes `dh1` to `dx`, and what does it say?",
    "D": "Which sample's share of ∂L/∂w1 differs from part B, and why?",
}
POINTS = {"row": 1, "B": 2, "C": 1, "D": 2}


def _written(answers, problem):
    """The answers to the written questions, from the numbers."""
    a = answers["A"]
    k = next(i for i in range(2) if a["h1"][i] < 0)
    why = (f"Sample {k + 1}: h1 = {num(a['h1'][k])} < 0, so the mask B is 0 there and `dh1` = 0: "
           f"the gradient stops at the first ReLU. ")
    gets = [n for n, (s0, s1, _) in answers["B gradients"].items() if (s0, s1)[k] != 0]
    why += (f"It still sends a share to {', '.join(f'`{g}`' for g in gets)}, which the backward "
            f"pass reaches before that ReLU; the other shares are 0, either behind the ReLU or "
            f"multiplied by a ReLU output of 0.")
    d, leaky_share = answers["D"], answers["D"]["dh1"][k]
    return {
        "B": why,
        "C": "Rule 2, a product sends the gradient through the other factor, transposed: "
             "h1 = x·w1 + b1, so x receives `dh1`·w1ᵀ (here `dh1`·w1, one number per sample).",
        "D": (f"Sample {k + 1}'s: its h1 = {num(a['h1'][k])} < 0, where the leaky ReLU has slope "
              f"α = {num(ALPHA)} instead of 0, so `dh1` = α·`dh1_leaky` = {num(leaky_share)} "
              f"instead of 0, and its share of ∂L/∂w1 is x·`dh1` = "
              f"{num(answers['D shares']['dw1'][k])}. The forward pass changes for that sample too "
              f"(h1_leaky = {num(d['h1_leaky'][k])}). Sample {2 - k}'s h1 > 0: slope 1, "
              f"as before."),
    }


def document(seed, key):
    """The worksheet (``key`` False) or its answer key (``key`` True), as Markdown."""
    problem, answers = draw(seed)
    written = _written(answers, problem) if key else {}
    points = []

    def table(columns, rows, values):
        """Rows to fill in: one box per column, empty on the worksheet; one point a row."""
        points.extend(POINTS["row"] for _ in rows)
        return _table(["", "", *columns, "points"],
                      [[f"`{n}`", what, *(num(v) if key else BLANK for v in values[n]),
                        str(POINTS["row"])] for n, what in rows])

    def question(part):
        points.append(POINTS[part])
        asked = f"{QUESTIONS[part]} ({_points(POINTS[part])})"
        return f"*{asked}*\n\n**Answer.** {written[part]}" if key else f"{asked}\n\n{LINES}"

    samples = ["sample 1", "sample 2"]
    title = (f"# Answer key and rubric · worksheet {seed}\n\nFor the teacher: do not hand out. "
             f"The worksheet is `worksheet-{seed}.md`." if key else
             f"# Backpropagation by hand · worksheet {seed}\n\nName: " + "\\_" * 40)
    parts = [
        title,
        "Notebook 01's pencil example with other numbers: one unit per layer and two samples, so "
        "every matrix is a single number or a pair of numbers. Write each value in its box. A "
        "value worked out correctly from a wrong value of yours above it counts as right. No "
        "calculator is needed.",
        "## The network", _network(problem),
        "## Part A · The forward pass",
        table(samples, FORWARD, answers["A"]),
        table(["value"], [("L", "the loss, both samples")], answers["A total"]),
        "## Part B · The backward pass",
        "Write dv for ∂L/∂v, as notebook 01 does. Sample by sample, from the loss back to h1:",
        table(samples, BACKWARD, answers["B"]),
        "Each weight and bias is used by both samples: its gradient adds up their shares.",
        table(["sample 1's share", "sample 2's share", "sum over the samples"], GRADIENTS,
              answers["B gradients"]),
        question("B"),
        "## Part C · The gradient with respect to the input",
        "x is a number too, and L depends on it.",
        table(samples, [("dx", "∂L/∂x")], answers["C"]), question("C"),
        "## Part D · A leaky ReLU in the first layer",
        f"Replace the first layer's ReLU by the leaky ReLU h1_leaky = max(h1, α·h1) with "
        f"α = {num(ALPHA)}: its slope is 1 where h1 ≥ 0 and α where h1 < 0. Everything else, "
        f"and every number, stays as above (h1 is part A's).",
        table(samples, LEAKY, answers["D"]),
        table(["value"], LEAKY_TOTALS, answers["D total"]),
        question("D"),
    ]
    parts.append(f"**Total: {_points(sum(points))}.**")
    if key:
        parts += ["## Rubric", _rubric(problem, answers)]
    return "\n\n".join(parts) + "\n"


def _rubric(problem, answers):
    """How to mark, and the values the usual mistakes give on this sheet (from the reference
    network run with the mistake)."""
    params, x, y = problem.arrays()
    _, cache = network.forward(params, x)
    unmasked = dict(cache, B=np.ones_like(cache["B"]))                  # mask B left out
    no_mask = network._backward(params, x, y, unmasked)
    net = network.Net(network.leaky_relu(ALPHA), network.RELU)
    _, leaky = network._forward(params, x, net)
    leaky["B"] = (leaky["h1"] >= 0).astype(float)                       # the ReLU's mask kept
    relu_mask = network._backward(params, x, y, leaky, net)
    half = {k: v[2] / 2 for k, v in answers["B gradients"].items()}
    telltales = [
        ["the factor 2 of the square dropped", "every gradient of part B is half the key's: "
         + ", ".join(f"`{k}` = {num(v)}" for k, v in half.items())],
        ["the mask B left out (the gradient passed through a ReLU that is off)",
         f"`dw1` = {num(no_mask['w1'][0, 0])}, `db1` = {num(no_mask['b1'][0, 0])}"],
        ["a mean instead of the sum", f"`L` = {num(answers['mean L'])}"],
        ["one sample's share given as the bias gradient", "a `db` that equals one of its shares"],
        ["part D: the ReLU's mask kept for the leaky ReLU",
         f"`dw1` = {num(relu_mask['w1'][0, 0])}, `db1` = {num(relu_mask['b1'][0, 0])}"],
    ]
    return "\n\n".join([
        "- **One point per row**, shared equally by its boxes. **Carry errors forward**: mark "
        "each box on the student's own boxes above it, so one slip costs one box (the auto-grade "
        "gives no cascade either).",
        "- **The written answers** carry their points only with the reason: naming the mask and "
        "where it sits (part B), the rule (part C), the slope α (part D).",
        "- A value without working is marked as a value: the sheet asks for values.",
        "**Telltales**: what the usual mistakes give on this sheet.",
        _table(["mistake", "gives"], telltales),
    ])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, required=True,
                        help="which numbers: one seed per class, or per row of seats")
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder (default {OUT})")
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error(f"--seed must be 0 or more; got {args.seed}")
    args.out.mkdir(parents=True, exist_ok=True)
    sheet, key = args.out / f"worksheet-{args.seed}.md", args.out / f"worksheet-{args.seed}-key.md"
    sheet.write_text(document(args.seed, key=False), encoding="utf-8")
    key.write_text(document(args.seed, key=True), encoding="utf-8")
    print(f"wrote {sheet} (for the students) and {key} (the answer key, for you)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
