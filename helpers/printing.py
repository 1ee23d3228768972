"""Numbers printed the same on every machine (strict nbval): a few significant digits, −0 as 0."""

import numpy as np

from ._checks import check_dims, check_plain


def fmt(value, digits=4):
    """A real number as a string with ``digits`` significant digits (``-0`` printed as ``0``)."""
    check_dims(digits=digits)
    if np.iscomplexobj(value):
        raise TypeError(f"fmt prints real numbers; got a complex {value!r}")
    return f"{float(value) + 0.0:.{digits}g}"


def show(name, matrix, digits=4):
    """Print ``name``, the shape and the entries of a real matrix rounded to ``digits`` significant
    digits; booleans (masks A, B) print as 0 and 1. Masked arrays are refused."""
    check_dims(digits=digits)
    check_plain(matrix, name)
    m = np.asarray(matrix)
    if m.dtype.kind not in "biuf":
        raise TypeError(f"show prints real numbers; {name} has dtype {m.dtype}")
    if m.dtype == bool:
        body = np.array2string(m.astype(int), separator=" ")
    else:
        rounded = np.vectorize(lambda v: float(fmt(v, digits)), otypes=[float])(m)
        # NumPy's fixed notation prints at most `precision` digits after the point; small
        # entries need more than `digits` of them to keep `digits` significant ones.
        finite = np.abs(rounded[np.isfinite(rounded) & (rounded != 0)])
        precision = (max(digits, digits - 1 - int(np.floor(np.log10(finite.min()))))
                     if finite.size else digits)
        body = np.array2string(rounded, separator=" ", precision=precision,
                               floatmode="maxprec", suppress_small=False)
    print(f"{name} ({'×'.join(str(s) for s in m.shape)}):\n{body}")
