"""The student's side of grading: the process in the sandbox that runs a student's cells.

It runs as ``python -I -S -c <wire.py, then this source>`` (never a file there), with only the
standard library and NumPy; it imports nothing from this repository.

The process (the "zygote") imports NumPy once, then per request forks a child that runs one cell
once per case (the notebook's data, then each hidden case), each time in a fresh namespace (the
inputs the grader sends, NumPy, stubs), and sends back, case by case as each ends, the values of
the names the exercise creates, or the result of calling the function it defines. The child talks to
the zygote only, through its own pipes; the zygote alone writes to the grader (it is the
sandbox's init and not dumpable, so the child can neither reach its file descriptors nor signal
it), and after each child it kills every process left behind, then says "done". Functions the
notebook gives an exercise (07's ``forward``, ``loss``) run in the grader: a call here is a
request relayed to the grader.
"""

import io
import json
import os
import struct
import sys

try:                                    # in the sandbox, wire.py's source comes just before this
    from .wire import (
        WireError,
        _blocking_reader,
        _np,
        copy_back,
        decode,
        encode,
        read_frame,
        request_cases,
        write_frame,
    )
except ImportError:
    pass


class _Counted(io.TextIOBase):
    """sys.stdout and sys.stderr of a student's cell: counts characters, keeps none."""

    def __init__(self):
        self.size = 0

    def writable(self):
        return True

    def write(self, s):
        self.size += len(s)
        return len(s)


class _Absorb:
    """Stands for a display helper (plt, show, fmt …): any use does nothing."""

    def __getattr__(self, name):
        return self

    def __call__(self, *a, **k):
        return self

    def __iter__(self):
        return iter(())

    def __str__(self):
        return ""


class ReferenceUnavailable(Exception):
    """The student's cell used part of the course's reference implementation."""


class _Refused:
    def __init__(self, name):
        object.__setattr__(self, "_name", name)

    def _refuse(self, what):
        raise ReferenceUnavailable(what)

    def __getattr__(self, attr):
        self._refuse(f"{object.__getattribute__(self, '_name')}.{attr}")

    def __call__(self, *a, **k):
        self._refuse(object.__getattribute__(self, "_name"))


class _Blocker:
    """Import hook: the repository's packages are not there, and saying so names the reason."""

    def __init__(self, names):
        self.names = set(names)

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in self.names:
            raise ReferenceUnavailable(fullname)
        return None


class _Shell:
    """get_ipython() for magics turned into Python: %time / %timeit run their code once."""

    def __init__(self, ns):
        self.ns, self.user_ns = ns, ns

    def run_line_magic(self, name, line, *a):
        if name in ("time", "timeit") and line.strip():
            exec(compile(line, "<magic>", "exec"), self.ns)        # noqa: S102

    def run_cell_magic(self, name, line, cell, *a):
        if name in ("time", "timeit", "capture"):
            exec(compile(cell, "<magic>", "exec"), self.ns)        # noqa: S102

    def system(self, *a, **k):
        return None

    def getoutput(self, *a, **k):
        return []

    def __getattr__(self, name):
        return _Absorb()


def _given(name, case, fd_in, fd_out, limit):
    read = _blocking_reader(fd_in)

    def call(*args, **kwargs):
        blobs = []
        hdr = {"op": "given", "name": name, "case": case, "args": encode(list(args), blobs),
               "kwargs": encode(kwargs, blobs)}
        write_frame(fd_out, hdr, blobs)
        reply, rblobs = read_frame(read, limit)
        if reply.get("error"):
            import builtins
            cls = getattr(builtins, str(reply.get("type")), None)
            if not (isinstance(cls, type) and issubclass(cls, Exception)):
                cls = RuntimeError
            raise cls(reply["error"])
        copy_back(list(args), decode(reply["args"], rblobs))
        return decode(reply["result"], rblobs)

    call.__name__ = call.__qualname__ = name
    return call


def _seccomp():
    """A way to forbid new processes, prepared once in the zygote (ctypes costs a child 2 ms):
    after the returned function runs, its process cannot start a process or a thread (fork,
    vfork, clone and clone3 fail with EAGAIN), by a seccomp filter, as no limit on processes
    binds root. Linux on x86-64 and ARM64; elsewhere (None) the limit on processes
    (RLIMIT_NPROC) is what is left."""
    import ctypes
    import platform
    arch = {"x86_64": (0xC000003E, (56, 57, 58, 435)),
            "aarch64": (0xC00000B7, (220, 435))}.get(platform.machine())
    if arch is None or not sys.platform.startswith("linux"):
        return None
    audit, calls = arch
    allow, refuse = 0x7FFF0000, 0x00050000 | 11                 # SECCOMP_RET_ERRNO | EAGAIN
    prog = [(0x20, 0, 0, 4), (0x15, 1, 0, audit), (0x06, 0, 0, refuse),   # another ABI: no
            (0x20, 0, 0, 0), (0x35, len(calls) + 1, 0, 0x40000000)]       # x32 calls: no
    prog += [(0x15, len(calls) - i, 0, nr) for i, nr in enumerate(calls)]
    prog += [(0x06, 0, 0, allow), (0x06, 0, 0, refuse)]
    filters = (ctypes.c_uint64 * len(prog))(*[code | jt << 16 | jf << 24 | k << 32
                                              for code, jt, jf, k in prog])

    class Prog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    libc = ctypes.CDLL(None, use_errno=True)
    fprog = Prog(len(prog), ctypes.addressof(filters))
    prctl, ref = libc.prctl, ctypes.byref(fprog)

    def apply():
        keep = filters                              # noqa: F841 (the filter outlives the call)
        return prctl(38, 1, 0, 0, 0) == 0 and \
            prctl(22, 2, ref, 0, 0) == 0            # NO_NEW_PRIVS; SECCOMP, FILTER
    return apply


_NO_NEW_PROCESSES = None      # set by main() in the zygote


def _error(e):
    import builtins
    out = {"type": type(e).__name__, "builtin": getattr(builtins, type(e).__name__, None)
           is type(e), "msg": str(e)[:4000]}
    if isinstance(e, ReferenceUnavailable):
        out["type"], out["builtin"] = "ReferenceUnavailable", True
    if isinstance(e, SyntaxError):
        out["lineno"], out["msg"] = e.lineno, str(e.msg)[:4000]
    if isinstance(e, SystemExit):
        out["msg"] = ""
    return out


def serve(req, blobs, fd_in, fd_out, limit):
    """Run one request in this (forked) process: its cell once per case (``req["cases"]``, or
    the request itself as the one case), each in a fresh namespace; one answer per case."""
    import builtins
    import resource
    np = _np()
    os.setsid()
    cases = request_cases(req)
    cpu = _number(req.get("cpu"), 2.0)       # CPU seconds per case: SIGXCPU past them, and
    resource.setrlimit(resource.RLIMIT_CPU,   # SIGKILL a second after all the cases' share
                       (_whole(_cpu_used() + cpu), _whole(_cpu_used() + cpu * len(cases)) + 1))
    if _NO_NEW_PROCESSES is not None:
        _NO_NEW_PROCESSES()
    sys.meta_path.insert(0, _Blocker(req.get("blocked", [])))
    code = compile(req["code"], req.get("filename", "<cell>"), "exec")
    for k, case in enumerate(cases):
        if k:
            hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
            resource.setrlimit(resource.RLIMIT_CPU, (min(_whole(_cpu_used() + cpu), hard), hard))
        main = type(sys)("__main__")        # the cell's module: not this one (its wire functions)
        sys.modules["__main__"] = main
        ns = main.__dict__
        ns.update(decode(case["inputs"], blobs))
        ns.update({"__name__": "__main__", "__builtins__": builtins, "np": np, "numpy": np})
        ns["get_ipython"] = lambda ns=ns: _Shell(ns)
        for name in case.get("display", []):
            ns[name] = _Absorb()
        for name in case.get("refused", []):
            ns[name] = _Refused(name)
        for name in case.get("given", []):
            ns[name] = _given(name, k, fd_in, fd_out, limit)
        sink = _Counted()
        sys.stdout = sys.stderr = sink
        answer, out_blobs = {"op": "result", "case": k}, []
        try:
            exec(code, ns)                                                 # noqa: S102
            call = req.get("call")
            if call:
                args = decode(call["args"], blobs)
                kwargs = decode(call["kwargs"], blobs)
                fn = ns.get(call["name"])
                if not callable(fn):
                    raise NameError(f"name '{call['name']}' is not defined")
                result = fn(*args, **kwargs)
                answer["result"] = encode(result, out_blobs)
                answer["args"] = encode(list(args), out_blobs)
        except BaseException as e:                     # SystemExit and KeyboardInterrupt too
            answer["error"] = _error(e)
        if "error" not in answer or not req.get("call"):
            values = {}
            for t in req.get("targets", []):
                if t in ns:
                    try:
                        values[t] = encode(ns[t], out_blobs)
                    except Exception as e:
                        values[t] = {"x": f"unreadable ({type(e).__name__})"}
            answer["values"] = values
        answer["printed"] = sink.size
        write_frame(fd_out, answer, out_blobs)


def _number(v, default):
    return float(v) if type(v) in (int, float) and v > 0 else default


def _cpu_used():
    import resource
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def _whole(t):
    """RLIMIT_CPU counts whole seconds: the next one up (a case gets at least its share)."""
    import math
    return math.ceil(t)


def _limits(lim):
    import resource
    for key, res in (("memory", resource.RLIMIT_AS), ("fsize", resource.RLIMIT_FSIZE),
                     ("nofile", resource.RLIMIT_NOFILE), ("nproc", resource.RLIMIT_NPROC)):
        if lim.get(key):
            try:
                resource.setrlimit(res, (lim[key], lim[key]))
            except (ValueError, OSError):              # e.g. RLIMIT_AS on macOS
                pass


def _not_dumpable():
    """Other processes of the sandbox cannot read this one's memory or file descriptors."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)            # PR_SET_DUMPABLE, 0
    except Exception:                                      # not Linux
        pass


def _relay(c2z, z2c, read_grader, fd_out, limit, expected):
    """While the child runs: pass each answer it gives on to the grader, and its calls of
    given functions to the grader and the answers back; returns (the number of answers, why it
    stopped early). Only this process writes to the grader."""
    read_child = _blocking_reader(c2z)
    answered, why = 0, None
    while answered < expected:
        try:
            header, blobs = read_frame(read_child, limit)
        except WireError as e:
            why = f"its answer: {e}"
            break
        except (EOFError, OSError, struct.error):
            break
        if header.get("op") == "result":
            write_frame(fd_out, header, blobs)
            answered += 1
        elif header.get("op") == "given":
            header = {k: header.get(k) for k in ("op", "name", "case", "args", "kwargs")}
            write_frame(fd_out, header, blobs)
            reply = read_frame(read_grader, limit)
            try:
                write_frame(z2c, *reply)
            except OSError:
                break
        else:
            break
    os.close(c2z)
    os.close(z2c)
    return answered, why


def main(argv):
    import resource
    import signal
    opts = json.loads(argv[1])
    fd_in, fd_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    sys.path[:0] = opts.get("path", [])
    _limits(opts.get("limits", {}))
    _not_dumpable()
    global _NO_NEW_PROCESSES
    _NO_NEW_PROCESSES = _seccomp()
    # NumPy's lazily imported parts, once here rather than in every child
    import numpy.linalg  # noqa: F401
    import numpy.random  # noqa: F401
    limit = int(opts.get("message_limit", 1 << 26))
    read = _blocking_reader(fd_in)
    write_frame(fd_out, {"op": "ready"})
    while True:
        try:
            req, blobs = read_frame(read, limit)
        except (EOFError, WireError, struct.error):
            return
        if req.get("op") != "run":
            return
        c2z_r, c2z_w = os.pipe()
        z2c_r, z2c_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:                    # the child never holds the grader's channel
                for fd in (fd_in, fd_out, c2z_r, z2c_w):
                    os.close(fd)
                serve(req, blobs, z2c_r, c2z_w, limit)
            finally:
                os._exit(0)
        os.close(c2z_w)
        os.close(z2c_r)
        expected = len(request_cases(req))
        answered, why = _relay(c2z_r, z2c_w, read, fd_out, limit, expected)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        _, status = os.waitpid(pid, 0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        # killed by its CPU limit: SIGXCPU at the soft limit, SIGKILL at the hard one
        cpu_limit = os.WIFSIGNALED(status) and (
            os.WTERMSIG(status) == signal.SIGXCPU or
            (os.WTERMSIG(status) == signal.SIGKILL and
             used >= _number(req.get("cpu"), 2.0) - 0.05))
        try:                        # whatever it left behind: its group, or the whole sandbox
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        if opts.get("pid_namespace"):
            try:
                os.kill(-1, signal.SIGKILL)
            except OSError:
                pass
        me, kids = resource.getrusage(resource.RUSAGE_SELF), \
            resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
        write_frame(fd_out, {"op": "done", "status": status, "why": why, "cpu": cpu,
                             "answered": answered, "cpu_limit": bool(cpu_limit)})


if __name__ == "__main__":
    main(sys.argv)
