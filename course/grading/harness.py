"""The verdict, in the grader's process: each exercise's cell runs in the sandbox, its check here.

For every notebook of the assignment, :class:`Prepared` runs the solution notebook's import and
setup cells and, after each exercise, its reference solution, here and once: the namespace before
each exercise is the same for every student (a wrong answer never spoils the next exercise).

For an exercise, :class:`Grader`:

1. sends the student's cell to the sandbox with the data of that namespace it may read (arrays,
   numbers; never an answer: see :mod:`.scope`), NumPy, and the functions the solution itself
   calls (07: ``forward``, ``loss``, which then run here, on data of the exercise's own shapes
   only); every other name of the notebook's imports (``helpers``, ``backward`` …) answers
   that the reference implementation is not given to this exercise. It gets back the values of
   the names the exercise creates;
2. runs the solution notebook's check cell here, on those values and its own inputs; a function
   the exercise defines (07's ``central_difference``) is called in the sandbox on the check's
   arguments, and what it changed in them comes back too;
3. if it passed, does the same on each hidden case (:mod:`.hidden_cases`) with central
   differences for gradients.
"""

import contextlib
import copy
import functools
import io
import re
import sys
import traceback
import types
import warnings

import numpy as np

from . import hidden_cases, notebooks, wire
from .sandbox import CpuLimit, Died, NoSandbox, TimedOut
from .scope import ANSWERS, PROBLEM_DATA, guarded, shapes_of

BLOCKED = ("helpers", "exercises", "course")
_DISPLAY = ("helpers.printing", "helpers.plotting", "matplotlib", "IPython.display")


class StudentError(Exception):
    """Something the student's code did in the sandbox (``info`` as sent by the child)."""

    def __init__(self, info):
        super().__init__(info.get("msg", ""))
        self.info = info


class _Lazy(types.ModuleType):
    """Stands for matplotlib / matplotlib.pyplot until first used: importing pyplot costs about
    a second, and the kept setup cells draw nothing."""

    def __getattr__(self, attr):
        if isinstance(sys.modules.get("matplotlib"), _Lazy):
            del sys.modules["matplotlib"]
            sys.modules.pop("matplotlib.pyplot", None)
        import importlib
        return getattr(importlib.import_module(self.__name__), attr)


def _lazy_matplotlib():
    if "matplotlib" not in sys.modules:
        mpl, plt = _Lazy("matplotlib"), _Lazy("matplotlib.pyplot")
        mpl.__dict__["pyplot"] = plt
        sys.modules["matplotlib"], sys.modules["matplotlib.pyplot"] = mpl, plt


def is_data(v, depth=0):
    """Whether ``v`` can go to the sandbox as data (see wire.encode)."""
    if depth > 10:
        return False
    if v is None or type(v) in (bool, int, float, str):
        return True
    if isinstance(v, np.ndarray):
        return v.dtype.kind in "biufc"
    if isinstance(v, np.generic):
        return np.asarray(v).dtype.kind in "biufc"
    if type(v) in (list, tuple):
        return all(is_data(x, depth + 1) for x in v)
    if type(v) is dict:
        return all(type(k) is str and is_data(x, depth + 1) for k, x in v.items())
    return isinstance(v, np.random.Generator)


def _quiet(source, ns, name):
    """Run trusted code (a setup, solution or check cell) here, printing nothing; NumPy's
    warnings on a student's odd values (overflow, nan) are not the grader's to show."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
            warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        exec(compile(source, name, "exec"), ns)                            # noqa: S102


class Prepared:
    """One notebook's namespaces: ``before[cell_id]`` (the namespace its exercise runs in),
    ``imports`` (after the import cells only) and ``problems`` (a setup cell that failed)."""

    def __init__(self, assignment):
        _lazy_matplotlib()
        self.before, self.problems = {}, []
        ns = {"__name__": "__main__"}
        for src in assignment.imports:
            _quiet(src, ns, "<imports>")
        self.imports = dict(ns)
        results = [set(e.targets) for e in assignment.exercises]
        later = {e.cell_id: frozenset().union(*results[i + 1:])
                 for i, e in enumerate(assignment.exercises)}
        self.scope = {}     # cell id: (the data the notebook gives before it, later results)
        for kind, s in assignment.steps:
            try:
                if kind == "setup":
                    _quiet(s, ns, "<setup>")
                    continue
                self.before[s.cell_id] = {k: copy.deepcopy(v) if is_data(v) else v
                                          for k, v in ns.items()}
                self.scope[s.cell_id] = (frozenset(k for k, v in ns.items() if is_data(v)),
                                         later[s.cell_id])
                _quiet(s.solution, ns, f"<solution {s.cell_id}>")
            except Exception as e:
                self.problems.append("grader: a solution cell failed: " + "".join(
                    traceback.format_exception_only(type(e), e)).strip())


_PREPARED = {}


def prepared(assignment):
    key = (assignment.notebook, id(assignment))
    if key not in _PREPARED:
        _PREPARED[key] = Prepared(assignment)
    return _PREPARED[key]


@functools.lru_cache(maxsize=256)
def _transform(source):
    """The cell as Python (IPython's magics turned into calls), and the names it reads."""
    from IPython.core.inputtransformer2 import TransformerManager
    try:
        code = TransformerManager().transform_cell(source)
    except Exception:
        code = source
    try:
        return code, frozenset(notebooks.names(code)[1])
    except SyntaxError:
        return code, frozenset()


@functools.lru_cache(maxsize=64)
def _reads(source):
    return frozenset(notebooks.names(source)[1])


_PROBLEMS = {}


def _problem(k):
    """Hidden case k's problem, computed once here (only ever read: checks get copies)."""
    if k not in _PROBLEMS:
        _PROBLEMS[k] = hidden_cases.problem(hidden_cases.CASES[k])
    return _PROBLEMS[k]


# the grader's own states: set here (never by what the sandbox sends, which the student controls)
_GRADER_STATES = ("TimeLimit", "CpuLimit", "Budget", "NoSandbox", "Died")


def describe(info, where, limits, targets=()):
    """(short reason, full message) for an error of the student's code.

    ``info["student"]`` marks what the sandbox sent: an exception of the student's cell, whose
    class name the student chooses. It never reads as one of the grader's own states, and an
    exception of a class not Python's own (the student's, NumPy's) is reported as raised there."""
    kind, msg = str(info.get("type"))[:100], str(info.get("msg", ""))
    if info.get("student") and (kind in _GRADER_STATES or info.get("builtin") is not True):
        return f"{where} raised {kind}{': ' + msg if msg else ''}", ""
    if kind == "TimeLimit":
        return (f"time limit: {where} ran longer than {limits.time_limit:g} s (an endless "
                f"loop?); the sandbox was stopped"), ""
    if kind == "CpuLimit":
        return (f"time limit: {where} used more than {limits.cpu_limit:g} s of CPU time (an "
                f"endless loop?); it was stopped"), ""
    if kind == "Budget":
        return (f"not graded: this submission used up its {limits.submission_limit:g} s of "
                f"running time"), ""
    if kind == "NoSandbox":
        return (f"not graded: the grader could not start a sandbox, three times ({msg}); "
                f"grade this submission again"), ""
    if kind == "Died":
        why = msg or "no details"
        return (f"the process running {where} died or gave no readable answer ({why}): "
                f"os._exit, a crash, a killed parent, running out of memory or an answer of over "
                f"{limits.message >> 20} MiB do that"), ""
    if kind == "ReferenceUnavailable":
        return (f"{where} uses {msg}, from the course's reference implementation, which is "
                f"not given to this exercise when grading: compute the answer with your own "
                f"code"), ""
    if kind == "SystemExit":
        return f"{where} called sys.exit() / exit(): nothing after it ran", ""
    if kind == "KeyboardInterrupt":
        return f"{where} was interrupted", ""
    if kind == "NotImplementedError":
        return "not answered: the placeholder's raise NotImplementedError is still there", ""
    if kind == "SyntaxError":
        return f"syntax error in {where}, line {info.get('lineno')}: {msg}", ""
    if kind == "NameError":
        read = re.match(r"name '(\w+)' is not defined", msg)
        if info.get("student") and read and read.group(1) not in targets:
            return (f"{msg} in {where}: when grading, a cell gets the problem's data (x, y, "
                    f"params, …) and what the notebook gives before the exercise, never grads, "
                    f"cache or an exercise's answer"
                    f"{'' if read.group(1) in ANSWERS else ', and not ' + read.group(1)}"), ""
        return (f"{msg} in {where}: a variable the exercise must create is missing or renamed",
                "")
    if kind == "AssertionError" and not info.get("student"):
        hint = next((ln.split("Likely mistake:", 1)[1].strip() for ln in msg.splitlines()
                     if "Likely mistake:" in ln), "")
        return (hint or msg.splitlines()[0]) if msg else "a check failed", msg
    return f"{kind}: {msg} (in {where})" if msg else f"{kind} (in {where})", ""


def _info(err):
    if isinstance(err, StudentError):
        return err.info
    kind = "AssertionError" if isinstance(err, AssertionError) else type(err).__name__
    return {"type": kind, "msg": str(err),
            "lineno": getattr(err, "lineno", None)}


class Grader:
    """Grades one submission's exercises through one sandbox (``box``)."""

    def __init__(self, box, limits, clock):
        self.box, self.limits, self.clock = box, limits, clock
        self.printed = 0
        self.scope = frozenset(), frozenset()   # the notebook's data before it, later results

    def _answer(self, header, got):
        """One case's answer, read as data; a StudentError if the student's code raised."""
        printed = header.get("printed")          # what the sandbox sends is checked as data
        self.printed = max(self.printed, printed if type(printed) is int else 0)
        error = header.get("error")
        if error and type(error) is not dict:
            return StudentError({"type": "Died", "msg": "an unreadable error report"})
        if error:
            return StudentError({**error, "student": True})
        return header, got

    def _run(self, request, blobs, given):
        """One request's answers, one per case: (header, blobs), or the StudentError that stands
        for it (the student's error; a case the sandbox died or ran out of time before)."""
        n = len(wire.request_cases(request))
        left = self.limits.submission_limit - self.clock()
        if left <= 0:
            return [StudentError({"type": "Budget"})] * n
        answers, fail = [], None
        try:
            answers = self.box.run(request, blobs, min(self.limits.time_limit, left), given)
        except TimedOut as e:
            answers, fail = e.answers, StudentError({"type": "TimeLimit"})
        except CpuLimit as e:
            answers, fail = e.answers, StudentError({"type": "CpuLimit"})
        except Died as e:
            answers, fail = e.answers, StudentError({"type": "Died", "msg": str(e)})
        except NoSandbox as e:
            fail = StudentError({"type": "NoSandbox", "msg": str(e)})
        out = [self._answer(header, got) for header, got in answers[:n]]
        return out + [fail] * (n - len(out))

    def _case(self, step, ns, source):
        """What the cell gets on the data of ``ns``: (the case's request fields, its data, the
        functions given to it)."""
        used = _reads(step.solution)
        _, reads = _transform(source)
        earlier, later = self.scope
        # the data a cell gets: what the solution reads, and of what the cell reads, the
        # problem's data and what the notebook gives before it (earlier results included);
        # never an answer (grads, cache, the exercise's own targets, a later exercise's result)
        # the solution does not read itself
        wanted = used | ((reads & (PROBLEM_DATA | earlier)) - later - ANSWERS)
        given, display, refused, data = {}, [], [], {}
        for k, v in ns.items():
            if k.startswith("__") or k in step.targets or k == "get_ipython":
                continue
            if is_data(v):
                if k in wanted:
                    data[k] = v
            elif v is np:
                continue
            elif (getattr(v, "__name__", "") if isinstance(v, types.ModuleType) else
                  getattr(v, "__module__", "") or "").startswith(_DISPLAY):
                display.append(k)
            elif k in used and callable(v) and not isinstance(v, (type, types.ModuleType)):
                given[k] = v
            else:
                refused.append(k)
        shapes = shapes_of(ns.values())
        given = {k: guarded(k, fn, shapes) for k, fn in given.items()}
        return {"given": sorted(given), "display": display, "refused": refused}, data, given

    def _request(self, step, source, cases):
        """One request that runs ``source`` on each of ``cases`` (from :meth:`_case`)."""
        blobs = []
        req = {"code": _transform(source)[0], "filename": f"<exercise {step.cell_id}>",
               "targets": step.targets, "blocked": list(BLOCKED),
               "cases": [{**meta, "inputs": wire.encode(data, blobs)}
                         for meta, data, _ in cases]}
        return req, blobs, [given for _, _, given in cases]

    def _proxy(self, name, step, source, case):
        def call(*args, **kwargs):
            req, out, given = self._request(step, source, [case])
            req["targets"] = []
            req["call"] = {"name": name, "args": wire.encode(list(args), out),
                           "kwargs": wire.encode(kwargs, out)}
            answer = self._run(req, out, given)[0]
            if isinstance(answer, StudentError):
                raise answer
            header, got = answer
            try:
                wire.copy_back(list(args), wire.decode(header.get("args"), got))
                return wire.decode(header.get("result"), got)
            except wire.WireError as e:
                raise StudentError({"type": "Died", "msg": f"unreadable answer: {e}"}) from None
        call.__name__ = name
        return call

    def verdict(self, step, ns, source, case, answer, where):
        """The check of one case's answer, run here; (passed, reason, message, values)."""
        try:
            if isinstance(answer, StudentError):
                raise answer
            header, got = answer
            sent = header.get("values") or {}
            if type(sent) is not dict:
                raise wire.WireError("values are not a dict")
            values = {k: wire.decode(v, got) for k, v in sent.items() if k in step.targets}
        except wire.WireError as e:
            err = StudentError({"type": "Died", "msg": str(e)})
        except StudentError as e:
            err = e
        else:
            err = None
        if err is not None:
            return (False, *describe(err.info, f"your exercise cell ({where})", self.limits,
                                        step.targets), {})
        check_ns = {k: copy.deepcopy(v) if is_data(v) else v for k, v in ns.items()
                    if k not in step.targets}
        for name, v in values.items():
            if name not in step.targets:
                continue
            if isinstance(v, wire.Opaque) and v.callable:
                v = self._proxy(name, step, source, case)
            elif isinstance(v, wire.Opaque):
                return (False, f"{name} is a {v.type_name}: the grader takes back arrays, "
                               f"numbers and lists or dicts of them only", "", values)
            check_ns[name] = v
        try:
            _quiet(step.check, check_ns, f"<check {step.cell_id}>")
        except StudentError as e:
            return (False, *describe(e.info, f"your exercise cell ({where}, called by the check)",
                              self.limits, step.targets), values)
        except Exception as e:
            return (False, *describe(_info(e), f"the check ({where})", self.limits), values)
        return True, "", "", values

    def exercise(self, step, prep, source):
        """{passed, reason, message, notes} of one exercise whose student cell is ``source``:
        one sandbox run for the notebook's data and every hidden case, each case checked here
        in turn until one fails."""
        self.printed = 0
        self.scope = prep.scope.get(step.cell_id, (frozenset(), frozenset()))
        hc = hidden_cases
        runs = [("as in the notebook", prep.before[step.cell_id], None)] + [
            (hc.label(c), {**prep.imports, **_problem(k)}, k) for k, c in enumerate(hc.CASES)]
        try:
            cases = [self._case(step, ns, source) for _, ns, _ in runs]
            answers = self._run(*self._request(step, source, cases))
        except wire.WireError as e:                       # data the wire cannot carry
            cases, answers = [None] * len(runs), [StudentError({"type": "Died",
                                                                "msg": str(e)})] * len(runs)
        for (where, ns, k), case, answer in zip(runs, cases, answers, strict=True):
            ok, reason, msg, values = self.verdict(step, ns, source, case, answer, where)
            for name in step.targets if ok and k is not None else ():
                if name in hc.FD_NAMES:
                    try:
                        hc.finite_difference_check(name, values.get(name), _problem(k))
                    except (AssertionError, ValueError, TypeError) as e:
                        ok, reason, msg = False, str(e), str(e)
                        break
            if not ok:
                if k is not None:
                    reason = f"{where}: {reason}"
                break
        notes = []
        if self.printed > self.limits.output_limit:
            notes.append(f"output over {self.limits.output_limit} characters was discarded")
        return {"passed": ok, "reason": reason, "message": msg, "notes": notes}
