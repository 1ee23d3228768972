"""Which traceback entries a student sees: the cells' own, not the classroom's.

A failed check, or an argument the classroom's own code refuses, shows the cell's line and the
message; an error in the student's function that a check called shows the cell's line and the
function's, without the checker's frames between them (:mod:`exercises.handler`).
"""

import linecache
import types


def cell_frames_only(tb, ns):
    """The traceback's entries up to the last one that runs code of a notebook cell: a failed
    check shows the line of the check cell and its message, not the checker's own frames."""
    entries = []
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    keep = [e for e in entries if e.tb_frame.f_globals is ns]
    if not keep:
        return entries[-1] if entries else None
    head = None
    for e in reversed(entries[:entries.index(keep[-1]) + 1]):
        head = types.TracebackType(head, e.tb_frame, e.tb_lasti, e.tb_lineno)
    return head


def _entries(tb):
    while tb is not None:
        yield tb
        tb = tb.tb_next


def _classroom(entry):
    return entry.tb_frame.f_globals.get("__name__", "").startswith("exercises.")


def raised_by_classroom(tb):
    """True if the error was raised by the classroom's own code (a bad argument to a check or
    to hint): the message says what was wrong, the checker's frames would only distract."""
    entries = list(_entries(tb))
    return bool(entries) and _classroom(entries[-1])


def without_checker_frames(tb, ns):
    """The traceback without the classroom's frames between two cell frames: an error in the
    student's function called by a check points from the check cell into that function."""
    entries = list(_entries(tb))
    cell = [i for i, e in enumerate(entries) if e.tb_frame.f_globals is ns]
    if len(cell) < 2:
        return tb
    keep = [e for i, e in enumerate(entries) if not (_classroom(e) and cell[0] < i < cell[-1])]
    head = None
    for e in reversed(keep):
        head = types.TracebackType(head, e.tb_frame, e.tb_lasti, e.tb_lineno)
    return head


def user_frame(tb, ns):
    """The innermost traceback entry that runs code of a notebook cell."""
    found = None
    while tb is not None:
        if tb.tb_frame.f_globals is ns:
            found = tb
        tb = tb.tb_next
    return found


def refused_by_helpers(tb):
    """True if a function of :mod:`helpers` refused its arguments (a ``raise`` of its own, with
    a message that says what was wrong): the package's frames would only distract."""
    entries = list(_entries(tb))
    if not entries:
        return False
    last = entries[-1]
    module = last.tb_frame.f_globals.get("__name__", "")
    line = linecache.getline(last.tb_frame.f_code.co_filename, last.tb_lineno).lstrip()
    return module.startswith("helpers.") and line.startswith("raise ")
