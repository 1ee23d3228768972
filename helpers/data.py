"""Seeded data sets, the same numbers on every machine: the paper's random x, y and a teacher's."""

import numpy as np

from ._checks import check_dims, check_dtype, check_number, make_rng
from .network import _forward, init_params


def random_data(n, d_in, d_out, *, rng=None, dtype=np.float64):
    """The paper's data: x (n×d_in), y (n×d_out), independent N(0, 1) entries: y does not depend
    on x, so a network can only memorise it. Refused: sizes not positive integers, bad rng."""
    check_dims(n=n, d_in=d_in, d_out=d_out)
    dtype = check_dtype(dtype)
    rng = make_rng(rng)
    return (rng.standard_normal((n, d_in)).astype(dtype),
            rng.standard_normal((n, d_out)).astype(dtype))


def teacher_data(n, d_in, d1, d2, d_out, *, noise=0.0, rng=None, dtype=np.float64):
    """``(x, y, teacher)``: y = teacher(x) + noise, the teacher a random He-scaled network with
    N(0, 0.1²) biases, so a student of its shape can drive L (6) towards noise²·n·d_out."""
    check_dims(n=n, d_in=d_in, d1=d1, d2=d2, d_out=d_out)
    check_number(noise, "noise")
    rng = make_rng(rng)
    teacher = init_params(d_in, d1, d2, d_out, rng=rng, dtype=dtype)
    for k in ("b1", "b2", "b3"):
        teacher[k] = (0.1 * rng.standard_normal(teacher[k].shape)).astype(dtype)
    x = rng.standard_normal((n, d_in)).astype(dtype)
    y_clean, _ = _forward(teacher, x)
    y = (y_clean + noise * rng.standard_normal(y_clean.shape)).astype(dtype)
    return x, y, teacher
