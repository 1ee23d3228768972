"""What the kernel remembers of the cells run so far (filled by :mod:`exercises.session`).

``LAST[name]`` is the error of the last run of the cell that last bound ``name`` (None if that
run went through), so that a check judges the value the exercise cell produced on its last run,
not one left over from an earlier attempt. ``REBOUND[answer]`` holds the names an exercise cell
rebound that existed before it ran (``forward``, ``w3``), with their values before, for the
``use`` cell after it. ``EXERCISES`` are the names this notebook's exercise cells compute (the
arguments of :func:`exercises.start`). A cell stopped by a failed check (an ExerciseError) has
computed what it binds above the check: that is no failure of its own.
"""

import ast
import linecache
import re
import sys

LAST = {}
REBOUND = {}
RESTORED = {}     # name -> the index in In of the ``use`` cell that put the notebook's own back
EXERCISES = []

_ASSIGN = re.compile(r"^([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)?(?:[-+*/@%&|^]|//|\*\*)?=(?!=)")
_DEF = re.compile(r"^(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)")


def reset():
    LAST.clear()
    REBOUND.clear()
    RESTORED.clear()
    EXERCISES.clear()


def parse(source):
    """The cell's syntax tree, IPython magics blanked (the lines keep their numbers); None if
    it does not parse."""
    for src in (source, "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln
                                  for ln in (source or "").splitlines())):
        try:
            return ast.parse(src or "")
        except (SyntaxError, ValueError):
            pass
    return None


def bound_names(source):
    """The names a cell binds at top level, in order: assignments (also of an entry,
    ``new_params[k] = …``), functions, classes and imports; not loop variables and nothing
    inside a function. A cell that does not parse is read line by line."""
    tree = parse(source)
    if tree is None:
        found = [m.group(1) for ln in (source or "").splitlines()
                 for m in (_ASSIGN.match(ln), _DEF.match(ln)) if m]
        return list(dict.fromkeys(found))
    return _bound(tree.body)


def bound_before(source, lineno, after=False):
    """The names that the top-level statements of a cell ending before line ``lineno`` bind:
    what the cell computed before the statement on that line ran (``after``: the names that
    the statements starting after that line bind)."""
    tree = parse(source)
    if tree is None or not lineno:
        return set()
    return set(_bound([s for s in tree.body if (s.lineno > lineno if after else
                                                (s.end_lineno or s.lineno) < lineno)]))


def _bound(body):
    out = []
    for stmt in _top_level(body):
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.append(stmt.name)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            out += [(a.asname or a.name).split(".")[0] for a in stmt.names if a.name != "*"]
        else:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if \
                isinstance(stmt, (ast.AugAssign, ast.AnnAssign)) else []
            out += [b for t in targets for b in _bases(t)]
    return list(dict.fromkeys(out))


def _top_level(body):
    """The statements of ``body``, with those inside top-level loops, ifs, withs and trys."""
    for stmt in body:
        yield stmt
        for field in ("body", "orelse", "finalbody", "handlers"):
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                yield from _top_level(getattr(stmt, field, []) or [])


def _bases(target):
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [b for t in target.elts for b in _bases(t)]
    if isinstance(target, ast.Starred):
        return _bases(target.value)
    while isinstance(target, (ast.Subscript, ast.Attribute)):
        target = target.value
    return [target.id] if isinstance(target, ast.Name) else []


def describe(err, width=90):
    """'ValueError: matmul: …', on one line of at most ``width`` characters: a long message
    loses its middle, never its end (NumPy puts the sizes there: "(size 3 is different from
    5)"). A SyntaxError names the line of the cell, not the cell's internal file name."""
    if isinstance(err, SyntaxError) and err.lineno:
        return f"{type(err).__name__}: {err.msg} (line {err.lineno} of the cell)"
    text = str(err).strip().splitlines()
    line = f"{type(err).__name__}: {text[0]}" if text else type(err).__name__
    if len(line) <= width:
        return line
    half = (width - 3) // 2
    return f"{line[:half].rstrip()} … {line[-half:].lstrip()}"


def watching():
    """Whether the running IPython shell tells the checks how each cell's last run went: the
    post_run_cell hook that :func:`exercises.start` registers is there."""
    try:
        from IPython import get_ipython
    except ImportError:                            # pragma: no cover - IPython is a dependency
        return False
    events = getattr(get_ipython(), "events", None)
    hooks = getattr(events, "callbacks", {}).get("post_run_cell", [])
    return any(getattr(h, "__module__", None) == "exercises.session"
               and getattr(h, "__name__", None) == "_after" for h in hooks)


def cell_line(ns, depth=1):
    """(source, line) of the notebook cell whose top-level code is running the caller's caller
    (``depth`` frames further up), or (None, None) if that is not a cell's own code (a function
    of the student's, the classroom's ``use``)."""
    frame = sys._getframe(depth + 1)
    while frame is not None and frame.f_globals is not ns:
        frame = frame.f_back
    if frame is None or frame.f_code.co_name != "<module>":
        return None, None
    return "".join(linecache.getlines(frame.f_code.co_filename)) or None, frame.f_lineno


def failing_line(err, ns):
    """The line of the cell's own code that ``err`` left (its outermost entry in the cell)."""
    tb = getattr(err, "__traceback__", None)
    while tb is not None:
        if tb.tb_frame.f_globals is ns and tb.tb_frame.f_code.co_name == "<module>":
            return tb.tb_lineno
        tb = tb.tb_next
    return None


def from_cell():
    """The running IPython shell's namespace if the caller's caller runs in a notebook cell."""
    try:
        from IPython import get_ipython
    except ImportError:                            # pragma: no cover - IPython is a dependency
        return None
    ns = getattr(get_ipython(), "user_ns", None)
    frame = sys._getframe(1)
    while frame is not None and ns is not None:
        if frame.f_globals is ns:
            return ns
        frame = frame.f_back
    return None
