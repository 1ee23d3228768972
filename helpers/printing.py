"""Print numbers so that stored notebook outputs are the same on every machine.

Strict nbval compares every printed character with a fresh run. Different BLAS builds and thread
counts can change the last bits of a result, and NumPy 2 prints scalars as ``np.float64(…)``, so
the notebooks never print a bare array or scalar: they print through these functions, which round
to a few significant digits and turn −0 into 0.
"""

import numpy as np

__all__ = ["fmt", "show"]


def fmt(value, digits=4):
    """A number as a string with ``digits`` significant digits (``-0`` printed as ``0``)."""
    v = float(value)
    if v == 0:
        v = 0.0
    return f"{v:.{digits}g}"


def show(name, matrix, digits=4):
    """Print ``name``, the shape and the entries of a matrix, rounded to ``digits`` significant digits.

    Rounding happens before printing, so the text does not depend on the last bits of the value.
    """
    m = np.asarray(matrix)
    if m.dtype == bool:
        body = np.array2string(m.astype(int), separator=" ")
    else:
        rounded = np.vectorize(lambda v: float(fmt(v, digits)), otypes=[float])(m) if m.size \
            else m.astype(float)
        body = np.array2string(rounded + 0.0, separator=" ", precision=digits,
                               floatmode="maxprec", suppress_small=False)
    shape = "×".join(str(s) for s in m.shape)
    print(f"{name} ({shape}):\n{body}")
