"""The process a student's code runs in, confined by bubblewrap, seen from the grader.

:class:`Box` starts ``python -I -S -c <wire.py + child.py>`` in ``bwrap``: its own user, PID,
network, IPC, UTS and cgroup namespaces (no network at all; every process it starts dies with it), a
read-only view of the system (``/usr``), of Python's standard library and of NumPy only (not the
repository, the solutions, the grader, the home folder), a read-only ``/dev`` (its devices, no
``/dev/shm`` to fill), a private ``/tmp`` (a small tmpfs) as the only writable place, and limits
on memory, file size, open files, processes and CPU time.
The wall-clock limit is enforced from here: past it, the whole sandbox is killed (SIGKILL to
bwrap, whose PID namespace takes every process inside with it), whatever the student's code does
with signals. The next request starts a new sandbox.

Without bubblewrap (``isolate=False``, the teacher's explicit choice) the same child runs as a
plain process: the verdict is still computed here, on data, but nothing confines the files it
reads or writes, its network or the processes it leaves.
"""

import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import child, wire

# what the sandbox runs: the wire format, then the child (see child.py)
CHILD_SOURCE = "\n".join(Path(m.__file__).read_text(encoding="utf-8") for m in (wire, child))
SITE = "/sandbox/site"


@dataclass
class Limits:
    time_limit: float = 10.0          # seconds (wall clock) per run of an exercise cell or call
    cpu_limit: float = 2.0            # seconds of CPU per run (the reference needs milliseconds)
    output_limit: int = 100_000       # characters of printed output a cell may print unnoticed
    memory: int = 1 << 30             # bytes of address space per process (RLIMIT_AS)
    processes: int = 6                # processes and threads in the sandbox (RLIMIT_NPROC)
    file_size: int = 16 << 20         # bytes per file written (RLIMIT_FSIZE)
    scratch: int = 32 << 20           # bytes of the private /tmp
    message: int = 16 << 20           # bytes of one message from the sandbox
    submission_limit: float = 120.0   # seconds for all the runs of one submission
    isolate: bool = True              # False: no bubblewrap (the teacher said --no-sandbox)


class Died(Exception):
    """The sandbox ended, closed its channel or broke the wire format."""


class NoSandbox(Exception):
    """The sandbox did not start, three times: not the student's doing."""


class TimedOut(Exception):
    """No answer within the time limit; the sandbox was killed."""


class CpuLimit(Died):
    """The cell used up its CPU time (the kernel stopped it); the sandbox was killed."""


def bwrap():
    return shutil.which("bwrap")


def _numpy_dirs():
    import numpy
    pkg = Path(numpy.__file__).resolve().parent
    return [p for p in (pkg, pkg.parent / "numpy.libs") if p.exists()]


def _system_binds():
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        p = Path(top)
        if p.is_symlink():
            args += ["--symlink", os.readlink(p), top]
        elif p.is_dir():
            args += ["--ro-bind", top, top]
    prefix = Path(sys.base_prefix).resolve()
    if not str(prefix).startswith("/usr/"):
        args += ["--ro-bind", str(prefix), str(prefix)]
    return args


def command(limits):
    """The argv that starts one sandboxed child."""
    python = str(Path(sys.executable).resolve())
    path = [SITE] if limits.isolate else [str(_numpy_dirs()[0].parent)]
    opts = {"path": path, "message_limit": limits.message, "pid_namespace": limits.isolate,
            "limits": {"memory": limits.memory, "fsize": limits.file_size, "nofile": 64,
                       "nproc": limits.processes if limits.isolate else 0}}
    inner = [python, "-I", "-S", "-c", CHILD_SOURCE, json.dumps(opts)]
    if not limits.isolate:
        return inner
    # --as-pid-1: the zygote is the sandbox's init. bwrap's own init would hold the grader's
    # pipes where a student's code could open them (/proc/1/fd); the zygote is not dumpable, and
    # as init no signal sent from inside the sandbox reaches it
    args = [bwrap(), "--unshare-all", "--unshare-user", "--disable-userns", "--as-pid-1",
            "--uid", "65534", "--gid", "65534", "--die-with-parent",
            *_system_binds()]
    for d in _numpy_dirs():
        args += ["--ro-bind", str(d), f"{SITE}/{d.name}"]
    args += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev",
             "--size", str(limits.scratch), "--tmpfs", "/tmp",
             "--chdir", "/tmp", "--clearenv", "--setenv", "HOME", "/tmp",
             "--setenv", "PATH", "/usr/bin:/bin"]
    return args + ["--", *inner]


def environment(limits):
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "SYSTEMROOT")}
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0")
    return env


def probe(limits):
    """None if a sandbox starts and answers here, else the reason it does not."""
    if not limits.isolate:
        return None
    if sys.platform != "linux":
        return f"bubblewrap sandboxes need Linux (this is {sys.platform})"
    if bwrap() is None:
        return "bubblewrap (bwrap) is not installed"
    box = Box(limits)
    try:
        box.start()
    except (Died, TimedOut, OSError) as e:
        return f"bubblewrap does not start here: {e}"
    finally:
        box.close()
    return None


def _status(status):
    """What a wait status from the sandbox says, in words."""
    if type(status) is not int:
        return "it ended"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.valid_signals() else str(sig)
        return f"it was killed by {name}"
    return f"it exited with status {os.WEXITSTATUS(status)}" if os.WIFEXITED(status) \
        else "it ended"


class Box:
    """One sandboxed child, started on first use and again after it dies or is killed."""

    def __init__(self, limits):
        self.limits, self.proc, self.starts = limits, None, 0
        self.cpu, self._cpu_now = 0.0, 0.0   # CPU seconds its processes reported (ended, live)

    def start(self):
        self.starts += 1
        errfile = None
        try:
            import tempfile
            errfile = tempfile.TemporaryFile()
            self.proc = subprocess.Popen(
                command(self.limits), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=errfile, env=environment(self.limits), start_new_session=True,
                cwd="/" if self.limits.isolate else None, close_fds=True)
            header, _ = self._read(time.monotonic() + 30)
        except (Died, TimedOut) as e:
            errfile.seek(0)
            said = errfile.read(2000).decode(errors="replace").strip()
            self.kill()
            raise Died(f"{e}{': ' + said if said else ''}") from None
        finally:
            if errfile is not None:
                errfile.close()
        if header.get("op") != "ready":
            self.kill()
            raise Died("the sandbox did not start")

    def kill(self):
        self.cpu, self._cpu_now = self.cpu + self._cpu_now, 0.0
        p, self.proc = self.proc, None
        if p is None:
            return
        try:                    # bwrap, its init and the zygote share this group; the rest of the
            os.killpg(p.pid, signal.SIGKILL)       # PID namespace dies with its init
        except OSError:
            pass
        for f in (p.stdin, p.stdout):
            try:
                f.close()
            except OSError:
                pass
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:                  # pragma: no cover
            pass

    def close(self):
        """End the sandbox: its init, the zygote, takes every process in it along (a polite
        request to exit would only add the wait for an answer)."""
        self.kill()

    def _read(self, deadline):
        fd = self.proc.stdout.fileno()
        sel = selectors.DefaultSelector()
        sel.register(fd, selectors.EVENT_READ)

        def wait():
            left = deadline - time.monotonic()
            if left <= 0 or not sel.select(left):
                raise TimedOut()

        read_exactly = wire._blocking_reader(fd, wait, lambda: Died("the sandbox ended"))
        try:
            return wire.read_frame(read_exactly, self.limits.message)
        except (wire.WireError, ValueError) as e:
            raise Died(f"the sandbox broke the wire format ({e})") from None
        finally:
            sel.close()

    def _write(self, header, blobs):
        try:
            wire.write_frame(self.proc.stdin.fileno(), header, blobs)
        except OSError as e:
            raise Died(f"the sandbox stopped reading ({e})") from None

    def run(self, request, blobs, seconds, given=None):
        """Send one request; its answers, one (header, blobs) per case (``request["cases"]``, or
        the request itself as one case), in order. ``given``: {name: function} the cell may call
        (a list, one per case, for several), run here on the data it sends. Each case has
        ``seconds``. Raises Died or TimedOut (the box is then killed, and started again by the
        next run; the answers given before are in the exception's ``answers``), or NoSandbox
        if it cannot start."""
        for attempt in range(3):
            if self.proc is not None:
                break
            try:
                self.start()
            except (Died, OSError) as e:
                if attempt == 2:
                    raise NoSandbox(str(e)) from None
        n = len(wire.request_cases(request))
        givens = given if isinstance(given, list) else [given or {}] * n
        deadline = time.monotonic() + seconds
        answers = []
        try:
            self._write({**request, "op": "run", "cpu": self.limits.cpu_limit}, blobs)
            while True:
                header, got = self._read(deadline)
                op = header.get("op")
                if op == "given" and len(answers) < n:
                    case = header.get("case")
                    self._given(header, got, givens[case] if type(case) is int and
                                0 <= case < n else {})
                elif op == "result" and len(answers) < n:
                    answers.append((header, got))
                    deadline = time.monotonic() + seconds         # the next case's time
                elif op == "done" and len(answers) == n:
                    if type(header.get("cpu")) is float:
                        self._cpu_now = header["cpu"]
                    return answers
                elif op == "done" and header.get("cpu_limit") is True:
                    raise CpuLimit()
                elif op == "done":
                    why = header.get("why")
                    raise Died(why if type(why) is str else _status(header.get("status")))
                else:
                    raise Died("the sandbox sent something else than a result")
        except (Died, TimedOut) as e:            # CpuLimit is a Died
            e.answers = answers
            self.kill()
            raise

    def _given(self, header, blobs, given):
        fn = given.get(header.get("name"))
        out, reply = [], {"op": "given-result"}
        try:
            if fn is None:
                raise NameError(f"name {header.get('name')!r} is not defined")
            args = wire.decode(header.get("args"), blobs)
            kwargs = wire.decode(header.get("kwargs"), blobs)
            if type(args) is not list or type(kwargs) is not dict:
                raise TypeError("bad arguments")
            result = fn(*args, **kwargs)
            reply["result"] = wire.encode(result, out)
            reply["args"] = wire.encode(args, out)
        except wire.WireError as e:
            raise Died(f"the sandbox broke the wire format ({e})") from None
        except Exception as e:
            out, reply = [], {"op": "given-result", "error": str(e)[:2000],
                              "type": type(e).__name__}
        self._write(reply, out)
