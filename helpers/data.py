"""Seeded data sets: the paper's random x, y and a learnable "teacher network" set, from
``numpy.random.default_rng(seed)``: the same numbers on every machine, nothing downloaded."""

import numpy as np

from ._checks import check_dims, check_dtype, check_number, make_rng
from .network import _forward, init_params

__all__ = ["random_data", "teacher_data"]


def random_data(n, d_in, d_out, *, rng=None, dtype=np.float64):
    """The paper's data: x (n×d_in) and y (n×d_out), independent standard normal entries.

    Since y does not depend on x, a network can only memorise it (it can when it has more
    parameters than n·d_out numbers to fit). ``rng``: a non-negative integer seed or a Generator;
    ``None`` means seed 0; bools are refused.
    """
    check_dims(n=n, d_in=d_in, d_out=d_out)
    dtype = check_dtype(dtype)
    rng = make_rng(rng)
    x = rng.standard_normal((n, d_in)).astype(dtype)
    y = rng.standard_normal((n, d_out)).astype(dtype)
    return x, y


def teacher_data(n, d_in, d1, d2, d_out, *, noise=0.0, rng=None, dtype=np.float64):
    """A learnable set: y = teacher(x) + noise, the teacher a fixed random network of this shape.

    x has standard normal entries; the teacher's weights come from :func:`init_params` (He scale)
    with random biases (N(0, 0.1²)), so a student network of the same shape can drive the loss (6)
    towards ``noise² · n · d_out``. Returns ``(x, y, teacher_params)``.
    """
    check_dims(n=n, d_in=d_in, d1=d1, d2=d2, d_out=d_out)
    dtype = check_dtype(dtype)
    check_number(noise, "noise")
    rng = make_rng(rng)
    teacher = init_params(d_in, d1, d2, d_out, rng=rng, dtype=dtype)
    for k in ("b1", "b2", "b3"):
        teacher[k] = (0.1 * rng.standard_normal(teacher[k].shape)).astype(dtype)
    x = rng.standard_normal((n, d_in)).astype(dtype)
    y_clean, _ = _forward(teacher, x)
    y = (y_clean + noise * rng.standard_normal(y_clean.shape)).astype(dtype)
    return x, y, teacher
