"""Runs inside a submission's kernel: each exercise of the student under limits, then its check.

The runner sends a job (JSON in the kernel's temporary working folder) and one cell per step:
``H.begin(i)`` opens notebook i in a fresh namespace (its import cells), ``H.step(i, j)`` runs a
setup cell of the solution notebook or grades an exercise. For an exercise:

1. the student's cell runs in the notebook's namespace (the names it must create removed first),
   with a time limit and a bounded output, then the solution notebook's own check cell;
2. the reference solution runs, so a wrong answer never spoils the next exercise (no cascade),
   and anything the student's code replaced in helpers or NumPy is put back;
3. if it passed, the same cell runs again on each hidden case (grading.hidden_cases) in a fresh
   namespace, with the check cell and, for gradients, central differences.

Each exercise's result is one display bundle of MIME type ``application/x-grading+json``.
"""

import io
import json
import signal
import sys
import time
import traceback
import types

import numpy as np

MIME = "application/x-grading+json"
_STATE = {}


class TimeLimit(BaseException):
    """The student's code ran longer than the time limit."""


class _Bounded(io.TextIOBase):
    def __init__(self, limit):
        self.limit, self.size = limit, 0

    def writable(self):
        return True

    def write(self, s):
        self.size += len(s)
        return len(s)

    @property
    def overflow(self):
        return self.size > self.limit


def _snapshot():
    mods = [m for k, m in list(sys.modules.items()) if m is not None and (
        k == "helpers" or k.startswith("helpers.") or k in ("numpy", "numpy.linalg"))]
    return [(m, dict(vars(m))) for m in mods]


def _restore(snap):
    for mod, saved in snap:
        d = vars(mod)
        for k in set(d) - set(saved):           # keep submodules NumPy imports lazily
            if not isinstance(d[k], types.ModuleType):
                del d[k]
        for k, v in saved.items():
            if d.get(k, None) is not v:
                d[k] = v


def _alarm(signum, frame):
    raise TimeLimit()


def _run(source, ns, name):
    """exec ``source`` in ``ns`` under the limits; returns (exception or None, output overflow)."""
    out = _Bounded(_STATE["job"]["output_limit"])
    saved = sys.stdout, sys.stderr, signal.getsignal(signal.SIGALRM), np.geterr()
    sys.stdout = sys.stderr = out
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, _STATE["job"]["time_limit"])
    try:
        exec(compile(_STATE["transform"](source), name, "exec"), ns)    # noqa: S102
        err = None
    except BaseException as e:                # SystemExit, KeyboardInterrupt, TimeLimit, …
        err = e
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        sys.stdout, sys.stderr = saved[0], saved[1]
        signal.signal(signal.SIGALRM, saved[2])
        np.seterr(**saved[3])
    if out.overflow:
        _STATE["overflow"] = True
    return err


def _describe(err, where):
    """(short reason, full message) for an exception raised by student code or its check."""
    if isinstance(err, TimeLimit):
        t = _STATE["job"]["time_limit"]
        return f"time limit: {where} ran longer than {t:g} s (an endless loop?)", ""
    if isinstance(err, SystemExit):
        return f"{where} called sys.exit() / exit(): nothing after it ran", ""
    if isinstance(err, KeyboardInterrupt):
        return f"{where} was interrupted", ""
    if isinstance(err, NotImplementedError):
        return "not answered: the placeholder's raise NotImplementedError is still there", ""
    if isinstance(err, SyntaxError):
        return f"syntax error in {where}, line {err.lineno}: {err.msg}", ""
    if isinstance(err, NameError):
        return (f"{err} in {where}: a variable the exercise must create is missing or renamed",
                "")
    if isinstance(err, AssertionError):
        msg = str(err)
        hint = next((ln.split("Likely mistake:", 1)[1].strip() for ln in msg.splitlines()
                     if "Likely mistake:" in ln), "")
        return (hint or msg.splitlines()[0]) if msg else "a check failed", msg
    tb = traceback.format_exception_only(type(err), err)[-1].strip()
    return f"{tb} (in {where})", ""


class _Lazy(types.ModuleType):
    """Stands for matplotlib / matplotlib.pyplot until first used: the grader skips the plots,
    and importing pyplot costs about a second per kernel."""

    def __getattr__(self, attr):
        if "matplotlib" in sys.modules and isinstance(sys.modules["matplotlib"], _Lazy):
            del sys.modules["matplotlib"]
            sys.modules.pop("matplotlib.pyplot", None)
        import importlib
        return getattr(importlib.import_module(self.__name__), attr)


def _lazy_matplotlib():
    if "matplotlib" in sys.modules:
        return
    mpl, plt = _Lazy("matplotlib"), _Lazy("matplotlib.pyplot")
    mpl.__dict__["pyplot"] = plt
    sys.modules["matplotlib"], sys.modules["matplotlib.pyplot"] = mpl, plt


def start(job_path, nonce):
    from IPython.core.inputtransformer2 import TransformerManager

    with open(job_path, encoding="utf-8") as f:
        _STATE["job"] = json.load(f)
    _STATE["nonce"] = nonce
    _lazy_matplotlib()
    _STATE["transform"] = TransformerManager().transform_cell
    from course.grading import hidden_cases
    _STATE["hidden"] = hidden_cases


def _fresh(nb):
    ns = {"__name__": "__main__"}
    try:
        from IPython import get_ipython
        ns["get_ipython"] = get_ipython
    except ImportError:
        pass
    for src in nb["imports"]:
        exec(compile(src, "imports", "exec"), ns)                          # noqa: S102
    return ns


def begin(i):
    _STATE["ns"] = _fresh(_STATE["job"]["notebooks"][i])
    _STATE["snap"] = _snapshot()


def _emit(result):
    from IPython.display import display
    result["nonce"] = _STATE["nonce"]
    display({MIME: result}, raw=True)


def _attempt(step, ns, where):
    """Run the student's cell, then the check, in ``ns``; (passed, reason, message)."""
    for t in step["targets"]:
        ns.pop(t, None)
    err = _run(step["student"], ns, f"<exercise {step['id']}>")
    if err is not None:
        reason, msg = _describe(err, f"your exercise cell ({where})")
        return False, reason, msg
    err = _run(step["check"], ns, f"<check {step['id']}>")
    if err is not None:
        reason, msg = _describe(err, f"the check ({where})")
        return False, reason, msg
    return True, "", ""


def _hidden(step, nb):
    hc = _STATE["hidden"]
    for case in hc.CASES:
        where = hc.label(case)
        original = hc.problem(case)
        ns = _fresh(nb)
        ns.update(hc.problem(case))
        ok, reason, msg = _attempt(step, ns, where)
        if ok:
            for name in step["targets"]:
                if name in hc.FD_NAMES:
                    try:
                        hc.finite_difference_check(name, ns.get(name), original)
                    except AssertionError as e:
                        ok, reason, msg = False, str(e), str(e)
                        break
        _restore(_STATE["snap"])
        if not ok:
            return False, f"{where}: {reason}", msg
    return True, "", ""


def step(i, j):
    nb = _STATE["job"]["notebooks"][i]
    s, ns = nb["steps"][j], _STATE["ns"]
    if s["kind"] == "setup":
        err = _run(s["source"], ns, f"<setup {j}>")
        _restore(_STATE["snap"])
        if err is not None:          # the teacher's cell: report it, never blame the student
            _emit({"kind": "setup", "error": "".join(traceback.format_exception_only(
                type(err), err)).strip()})
        return
    t0 = time.perf_counter()
    _STATE["overflow"] = False
    if s["student"] is None:
        ok, reason, msg = False, s["missing"], ""
    else:
        ok, reason, msg = _attempt(s, ns, "as in the notebook")
    for t in s["targets"]:                          # the reference, so nothing cascades
        ns.pop(t, None)
    _restore(_STATE["snap"])
    err = _run(s["solution"], ns, f"<solution {s['id']}>")
    if ok:
        ok, reason, msg = _hidden(s, nb)
    _restore(_STATE["snap"])
    notes = []
    if _STATE["overflow"]:
        notes.append(f"output over {_STATE['job']['output_limit']} characters was discarded")
    if err is not None:
        notes.append(f"grader: the reference solution failed here ({err!r})")
    _emit({"kind": "exercise", "id": s["id"], "passed": ok, "reason": reason, "message": msg,
           "notes": notes, "seconds": round(time.perf_counter() - t0, 3)})


def replay(i, j):
    """After a kernel restart: rebuild the namespace up to step j without grading."""
    s, ns = _STATE["job"]["notebooks"][i]["steps"][j], _STATE["ns"]
    _run(s["source"] if s["kind"] == "setup" else s["solution"], ns, f"<replay {j}>")
    _restore(_STATE["snap"])
