"""The wire between the grader and the sandbox: data only, never objects.

A frame is a JSON header (4-byte length first) followed by its binary blobs (8-byte length
each). Values travel as data: arrays as their raw bytes with dtype and shape (numeric dtypes only,
the size checked against the bytes), NumPy scalars as 0-d arrays, plain numbers and strings as
JSON, lists, tuples and dicts of them as tagged JSON, a NumPy random generator as its state;
anything else becomes a marker naming its type (:class:`Opaque`). Nothing is unpickled.

Both sides use this module: the grader imports it, and the sandbox gets its source ahead of
child.py's (``python -c``), with only the standard library and NumPy.
"""

import json
import os
import re
import struct

MAX_DEPTH = 20
MAX_DIM = 1 << 31           # at most this many elements along an axis, or in an empty array


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
            not all(type(n) is int and 0 <= n <= MAX_DIM for n in shape):
        raise WireError("bad array")
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise WireError(f"bad dtype {dtype!r}") from None
    extent = 1
    for n in shape:                          # the size an empty array's shape claims, bounded
        extent *= max(n, 1)
    if extent > MAX_DIM:
        raise WireError("array shape too large")
    if dt.kind not in "biufc" or int(np.prod(shape, dtype=object)) * dt.itemsize != \
            len(blobs[k]):
        raise WireError("array size does not match its data")
    try:
        return np.frombuffer(bytearray(blobs[k]), dtype=dt).reshape(shape)
    except (ValueError, TypeError, OverflowError) as e:
        raise WireError(f"bad array ({e})") from None


def decode(tree, blobs, depth=0):
    """The value of a JSON tree from :func:`encode`; raises WireError on anything else, and
    nothing but WireError."""
    if depth == 0:
        try:
            return decode(tree, blobs, 1)
        except WireError:
            raise
        except (ValueError, TypeError, OverflowError, MemoryError, RecursionError) as e:
            raise WireError(f"bad value ({type(e).__name__})") from None
    np = _np()
    if depth > MAX_DEPTH + 2:
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


def _blocking_reader(fd, wait=None, closed=lambda: EOFError("the other side closed the channel")):
    """``read_exactly(n)`` on ``fd``; ``wait()`` runs before each read (it may raise, e.g. past
    a deadline), ``closed()`` is the exception raised at the end of the stream."""
    def read_exactly(n):
        chunks, got = [], 0
        while got < n:
            if wait is not None:
                wait()
            b = os.read(fd, min(n - got, 1 << 20))
            if not b:
                raise closed()
            chunks.append(b)
            got += len(b)
        return b"".join(chunks)
    return read_exactly


def copy_back(old, new):
    """Put the values ``new`` (returned by the grader) into the caller's objects ``old``."""
    np = _np()
    if isinstance(old, np.ndarray) and isinstance(new, np.ndarray) and old.shape == new.shape \
            and old.flags.writeable:
        np.copyto(old, new, casting="unsafe")
    elif type(old) is dict and type(new) is dict:
        for k, v in new.items():
            if k in old and isinstance(old[k], (np.ndarray, dict, list)):
                copy_back(old[k], v)
            else:
                old[k] = v
    elif type(old) is list and type(new) is list and len(old) == len(new):
        for i, v in enumerate(new):
            if isinstance(old[i], (np.ndarray, dict, list)):
                copy_back(old[i], v)
            else:
                old[i] = v


def request_cases(request):
    """The cases a run request holds: its ``cases``, or the request itself as the one case."""
    return request.get("cases") or [request]
