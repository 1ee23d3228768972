"""The student's side of grading: the process that runs a student's cells, and the wire format.

This file is run inside the sandbox as ``python -I -S -c <this source>`` (it is never a file
there), with only the standard library and NumPy. It imports nothing from this repository, and
the grader imports it for the wire format alone (:func:`encode`, :func:`decode`, frames).

Wire format: a frame is a JSON header (4-byte length first) followed by its binary blobs (8-byte
length each). Values travel as data only: arrays as their raw bytes with dtype and shape (numeric
dtypes only, the size checked against the bytes),
NumPy scalars as 0-d arrays, plain numbers and strings as JSON, lists, tuples and dicts of
them as tagged JSON; anything else becomes a marker naming its type, never an object.

The process (the "zygote") imports NumPy once, then per request forks a child that runs one cell
in a fresh namespace (the inputs the grader sends, NumPy, stubs) and sends back the values of the
names the exercise creates, or the result of calling the function it defines. The child talks to
the zygote only, through its own pipes; the zygote alone writes to the grader (it is not
dumpable, so the child cannot reach its file descriptors), and after each child it kills every
process left behind, then says "done". Functions the notebook gives an exercise (07's
``forward``, ``loss``) run in the grader: a call here is a request relayed to the grader.
"""

import io
import json
import os
import re
import struct
import sys

MAX_DEPTH = 20


class WireError(ValueError):
    """A frame or value that does not follow the wire format."""


def _np():
    import numpy
    return numpy


def encode(v, blobs, depth=0):
    """``v`` as a JSON tree; arrays appended to ``blobs`` (bytes)."""
    np = _np()
    if depth > MAX_DEPTH:
        return {"x": "nested too deep"}
    t = type(v)
    if v is None or t in (bool, str):
        return v
    if t is int or t is float:
        return v
    if isinstance(v, (np.ndarray, np.generic)):
        arr = np.asarray(v)
        if arr.dtype.kind not in "biufc":
            return {"x": f"array of dtype {arr.dtype}"}
        blobs.append(arr.tobytes())
        return {"a" if isinstance(v, np.ndarray) else "s": [len(blobs) - 1, arr.dtype.str,
                                                           list(arr.shape)]}
    if t in (list, tuple):
        return {"l" if t is list else "t": [encode(x, blobs, depth + 1) for x in v]}
    if t is dict:
        if not all(type(k) is str for k in v):
            return {"x": "dict with keys that are not strings"}
        return {"d": [[k, encode(x, blobs, depth + 1)] for k, x in v.items()]}
    if isinstance(v, np.random.Generator) and type(v.bit_generator).__name__ == "PCG64":
        return {"g": v.bit_generator.state["state"]}
    return {"f" if callable(v) else "x": t.__name__}


class Opaque:
    """A value that could not travel: its type name, and whether it was callable."""

    def __init__(self, type_name, is_callable):
        self.type_name, self.callable = str(type_name), bool(is_callable)

    def __repr__(self):
        return f"<{self.type_name}>"


_DTYPE = re.compile(r"^[<>|=][biufc][0-9]{1,2}$")


def _array(body, blobs):
    """An array from [blob index, dtype string, shape]: numbers only, its size checked."""
    np = _np()
    if type(body) is not list or len(body) != 3:
        raise WireError("bad array")
    k, dtype, shape = body
    if type(k) is not int or not 0 <= k < len(blobs) or type(dtype) is not str or \
            not _DTYPE.match(dtype) or type(shape) is not list or len(shape) > 32 or \
            not all(type(n) is int and n >= 0 for n in shape):
        raise WireError("bad array")
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise WireError(f"bad dtype {dtype!r}") from None
    if dt.kind not in "biufc" or int(np.prod(shape, dtype=object)) * dt.itemsize != \
            len(blobs[k]):
        raise WireError("array size does not match its data")
    return np.frombuffer(bytearray(blobs[k]), dtype=dt).reshape(shape)


def decode(tree, blobs, depth=0):
    """The value of a JSON tree from :func:`encode`; raises WireError on anything else."""
    np = _np()
    if depth > MAX_DEPTH + 1:
        raise WireError("value nested too deep")
    if tree is None or type(tree) in (bool, str, int, float):
        return tree
    if type(tree) is not dict or len(tree) != 1:
        raise WireError(f"unexpected value {type(tree).__name__}")
    (tag, body), = tree.items()
    if tag in ("a", "s"):
        arr = _array(body, blobs)
        if tag == "s":
            if arr.ndim != 0:
                raise WireError("bad scalar")
            return arr[()]
        return arr
    if tag in ("l", "t") and type(body) is list:
        items = [decode(x, blobs, depth + 1) for x in body]
        return items if tag == "l" else tuple(items)
    if tag == "d" and type(body) is list:
        out = {}
        for item in body:
            if type(item) is not list or len(item) != 2 or type(item[0]) is not str:
                raise WireError("bad dict entry")
            out[item[0]] = decode(item[1], blobs, depth + 1)
        return out
    if tag == "g" and type(body) is dict:
        try:
            bg = np.random.PCG64(0)
            bg.state = {"bit_generator": "PCG64", "state": body, "has_uint32": 0, "uinteger": 0}
        except Exception as e:
            raise WireError(f"bad generator state: {e}") from None
        return np.random.Generator(bg)
    if tag in ("f", "x") and type(body) is str:
        return Opaque(body[:100], tag == "f")
    raise WireError(f"unknown tag {tag!r}")


def write_frame(fd, header, blobs=()):
    head = json.dumps({**header, "nblobs": len(blobs)}).encode()
    parts = [struct.pack(">I", len(head)), head]
    for b in blobs:
        parts += [struct.pack(">Q", len(b)), b]
    data = b"".join(parts)
    while data:
        n = os.write(fd, data)
        data = data[n:]


def read_frame(read_exactly, limit):
    """(header, blobs) read with ``read_exactly(n) -> bytes``; at most ``limit`` bytes."""
    (n,) = struct.unpack(">I", read_exactly(4))
    total = n
    if total > limit:
        raise WireError(f"a message of over {limit} bytes")
    try:
        header = json.loads(read_exactly(n))
    except (ValueError, RecursionError) as e:
        raise WireError(f"bad header: {e}") from None
    if type(header) is not dict or type(header.get("nblobs")) is not int:
        raise WireError("bad header")
    blobs = []
    for _ in range(header["nblobs"]):
        (m,) = struct.unpack(">Q", read_exactly(8))
        total += m + 8
        if total > limit:
            raise WireError(f"a message of over {limit} bytes")
        blobs.append(read_exactly(m))
    return header, blobs


def _blocking_reader(fd):
    def read_exactly(n):
        chunks, got = [], 0
        while got < n:
            b = os.read(fd, min(n - got, 1 << 20))
            if not b:
                raise EOFError("the other side closed the channel")
            chunks.append(b)
            got += len(b)
        return b"".join(chunks)
    return read_exactly


# ---- inside the sandbox ----------------------------------------------------------------------

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


def _copy_back(old, new):
    """Put the values ``new`` (returned by the grader) into the caller's objects ``old``."""
    np = _np()
    if isinstance(old, np.ndarray) and isinstance(new, np.ndarray) and old.shape == new.shape \
            and old.flags.writeable:
        np.copyto(old, new, casting="unsafe")
    elif type(old) is dict and type(new) is dict:
        for k, v in new.items():
            if k in old and isinstance(old[k], (np.ndarray, dict, list)):
                _copy_back(old[k], v)
            else:
                old[k] = v
    elif type(old) is list and type(new) is list and len(old) == len(new):
        for i, v in enumerate(new):
            if isinstance(old[i], (np.ndarray, dict, list)):
                _copy_back(old[i], v)
            else:
                old[i] = v


def _given(name, fd_in, fd_out, limit):
    read = _blocking_reader(fd_in)

    def call(*args, **kwargs):
        blobs = []
        hdr = {"op": "given", "name": name, "args": encode(list(args), blobs),
               "kwargs": encode(kwargs, blobs)}
        write_frame(fd_out, hdr, blobs)
        reply, rblobs = read_frame(read, limit)
        if reply.get("error"):
            import builtins
            cls = getattr(builtins, str(reply.get("type")), None)
            if not (isinstance(cls, type) and issubclass(cls, Exception)):
                cls = RuntimeError
            raise cls(reply["error"])
        _copy_back(list(args), decode(reply["args"], rblobs))
        return decode(reply["result"], rblobs)

    call.__name__ = call.__qualname__ = name
    return call


def _no_new_processes():
    """From here on, this process cannot start a process or a thread (fork, vfork, clone and
    clone3 fail with EAGAIN): a seccomp filter, as no limit on processes binds root. Linux on
    x86-64 and ARM64; elsewhere the limit on processes (RLIMIT_NPROC) is what is left."""
    import ctypes
    import platform
    arch = {"x86_64": (0xC000003E, (56, 57, 58, 435)),
            "aarch64": (0xC00000B7, (220, 435))}.get(platform.machine())
    if arch is None or not sys.platform.startswith("linux"):
        return False
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
    return libc.prctl(38, 1, 0, 0, 0) == 0 and \
        libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) == 0     # NO_NEW_PRIVS; SECCOMP, FILTER


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
    """Run one request in this (forked) process and write its answer."""
    import builtins
    import resource
    np = _np()
    os.setsid()
    cpu = int(req.get("cpu", 10)) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    _no_new_processes()
    ns = decode(req["inputs"], blobs)
    ns.update({"__name__": "__main__", "__builtins__": builtins, "np": np, "numpy": np})
    ns["get_ipython"] = lambda: _Shell(ns)
    for name in req.get("display", []):
        ns[name] = _Absorb()
    for name in req.get("refused", []):
        ns[name] = _Refused(name)
    for name in req.get("given", []):
        ns[name] = _given(name, fd_in, fd_out, limit)
    sys.meta_path.insert(0, _Blocker(req.get("blocked", [])))
    sink = _Counted()
    sys.stdout = sys.stderr = sink
    answer, out_blobs = {"op": "result"}, []
    try:
        exec(compile(req["code"], req.get("filename", "<cell>"), "exec"), ns)  # noqa: S102
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


def _relay(pid, c2z, z2c, read_grader, fd_out, limit):
    """While child ``pid`` runs: pass its calls of given functions to the grader and the
    answers back; returns (its result frame or None, why there is none). Only this process
    writes to the grader."""
    read_child = _blocking_reader(c2z)
    result = why = None
    while result is None:
        try:
            header, blobs = read_frame(read_child, limit)
        except WireError as e:
            why = f"its answer: {e}"
            break
        except (EOFError, OSError, struct.error):
            break
        if header.get("op") == "result":
            result = header, blobs
        elif header.get("op") == "given":
            header = {k: header.get(k) for k in ("op", "name", "args", "kwargs")}
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
    return result, why


def main(argv):
    import signal
    opts = json.loads(argv[1])
    fd_in, fd_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    sys.path[:0] = opts.get("path", [])
    _limits(opts.get("limits", {}))
    _not_dumpable()
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
        result, why = _relay(pid, c2z_r, z2c_w, read, fd_out, limit)
        _, status = os.waitpid(pid, 0)
        try:                        # whatever it left behind: its group, or the whole sandbox
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        if opts.get("pid_namespace"):
            try:
                os.kill(-1, signal.SIGKILL)
            except OSError:
                pass
        if result is not None:
            write_frame(fd_out, *result)
        write_frame(fd_out, {"op": "done", "status": status, "why": why})


if __name__ == "__main__":
    main(sys.argv)
