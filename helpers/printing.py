"""Print numbers so that stored notebook outputs are the same on every machine: rounded to a
few significant digits (BLAS builds and thread counts change the last bits), −0 as 0, and never
NumPy 2's ``np.float64(…)``. Strict nbval compares every printed character with a fresh run.
"""

import numpy as np

__all__ = ["fmt", "show"]


def fmt(value, digits=4):
    """A number as a string with ``digits`` significant digits (``-0`` printed as ``0``)."""
    _check_digits(digits)
    if np.iscomplexobj(value):
        raise TypeError(f"fmt prints real numbers; got a complex {value!r}")
    v = float(value)
    if v == 0:
        v = 0.0
    return f"{v:.{digits}g}"


def _check_digits(digits):
    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)):
        raise TypeError(f"digits must be an integer; got {type(digits).__name__}")
    if digits < 1:
        raise ValueError(f"digits must be at least 1; got {digits}")


def show(name, matrix, digits=4):
    """Print ``name``, the shape and the entries of a matrix, rounded to ``digits`` significant
    digits before printing; booleans (masks A, B) print as 0 and 1."""
    _check_digits(digits)
    if isinstance(matrix, np.ma.MaskedArray):
        raise TypeError(f"{name} is a masked array; print plain data, e.g. .filled(np.nan)")
    m = np.asarray(matrix)
    if m.dtype.kind not in "biuf":
        raise TypeError(f"show prints real numbers; {name} has dtype {m.dtype}")
    if m.dtype == bool:
        body = np.array2string(m.astype(int), separator=" ")
    else:
        rounded = np.vectorize(lambda v: float(fmt(v, digits)), otypes=[float])(m) if m.size \
            else m.astype(float)
        rounded = rounded + 0.0                      # −0 → 0
        # NumPy's fixed notation prints at most `precision` digits after the point; small
        # entries need more than `digits` of them to keep `digits` significant ones.
        finite = np.abs(rounded[np.isfinite(rounded) & (rounded != 0)])
        precision = digits
        if finite.size:
            precision = max(digits, digits - 1 - int(np.floor(np.log10(finite.min()))))
        body = np.array2string(rounded, separator=" ", precision=precision,
                               floatmode="maxprec", suppress_small=False)
    shape = "×".join(str(s) for s in m.shape)
    print(f"{name} ({shape}):\n{body}")
