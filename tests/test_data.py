"""helpers.data: shapes, dtypes, determinism, the teacher relation, bad input."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import forward, random_data, teacher_data

small = st.integers(1, 6)


@given(small, small, small, st.sampled_from([np.float32, np.float64]))
def test_random_data_shapes_and_dtype(n, d_in, d_out, dtype):
    x, y = random_data(n, d_in, d_out, rng=1, dtype=dtype)
    assert x.shape == (n, d_in) and y.shape == (n, d_out)
    assert x.dtype == dtype and y.dtype == dtype


def test_random_data_deterministic():
    a, b, c = random_data(5, 3, 2, rng=4), random_data(5, 3, 2, rng=4), random_data(5, 3, 2, rng=5)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0]) and not np.array_equal(a[1], c[1])
    assert np.array_equal(random_data(5, 3, 2)[0], random_data(5, 3, 2, rng=0)[0]), "None → seed 0"
    g = random_data(5, 3, 2, rng=np.random.default_rng(4))
    assert np.array_equal(g[0], a[0]), "a Generator gives what its seed gives"
    assert not np.array_equal(a[0][:, :2], a[1]), "x and y are different draws"


@given(small, small, small, small, small, st.sampled_from([np.float32, np.float64]))
def test_teacher_data_shapes_and_relation(n, d_in, d1, d2, d_out, dtype):
    x, y, teacher = teacher_data(n, d_in, d1, d2, d_out, rng=2, dtype=dtype)
    assert x.shape == (n, d_in) and y.shape == (n, d_out)
    assert x.dtype == y.dtype == dtype and all(v.dtype == dtype for v in teacher.values())
    assert teacher["w1"].shape == (d_in, d1) and teacher["b3"].shape == (1, d_out)
    assert all(teacher[k].any() for k in ("b1", "b2", "b3")), "the teacher has biases"
    np.testing.assert_array_equal(forward(teacher, x)[0], y)      # noise = 0: y is teacher(x)


def test_teacher_data_noise_and_determinism():
    x0, y0, t0 = teacher_data(50, 3, 4, 4, 2, rng=9)
    x1, y1, t1 = teacher_data(50, 3, 4, 4, 2, noise=0.1, rng=9)
    x2, y2, _ = teacher_data(50, 3, 4, 4, 2, noise=0.1, rng=9)
    x3, _, _ = teacher_data(50, 3, 4, 4, 2, noise=0.1, rng=10)
    np.testing.assert_array_equal(x0, x1)                          # noise changes only y
    assert all(np.array_equal(t0[k], t1[k]) for k in t0)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(x1, x3)
    residual = y1 - y0
    assert 0.07 < residual.std() < 0.13 and abs(residual.mean()) < 0.05


@pytest.mark.parametrize("call, exc, match", [
    (lambda: random_data(0, 2, 1), ValueError, r"n must be a positive integer; got 0"),
    (lambda: random_data(3, -1, 1), ValueError, r"d_in must be a positive integer; got -1"),
    (lambda: random_data(3, 2, 1.0), TypeError, r"d_out must be an integer; got 1.0 \(float\)"),
    (lambda: random_data(True, 2, 1), TypeError, r"n must be an integer; got True"),
    (lambda: random_data(3, 2, 1, dtype=np.int32), TypeError, r"dtype must be float32 or float64"),
    (lambda: teacher_data(3, 2, 0, 2, 1), ValueError, r"d1 must be a positive integer; got 0"),
    (lambda: teacher_data(3, 2, 2, "2", 1), TypeError, r"d2 must be an integer"),
    (lambda: teacher_data(3, 2, 2, 2, 1, noise=-0.1), ValueError, r"noise must be a non-negative"),
    (lambda: teacher_data(3, 2, 2, 2, 1, noise=np.nan), ValueError, r"noise must be a non-neg"),
    (lambda: teacher_data(3, 2, 2, 2, 1, noise="big"), TypeError, r"noise must be a number"),
    (lambda: teacher_data(3, 2, 2, 2, 1, dtype=np.float16), TypeError, r"float32 or float64"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---------------------------------------------------------------- rng like the explorer

@pytest.mark.parametrize("call", [lambda rng: random_data(3, 2, 1, rng=rng),
                                  lambda rng: teacher_data(3, 2, 2, 2, 1, rng=rng)])
def test_rng_bool_refused_and_zero_d_array_accepted(call):
    with pytest.raises(TypeError, match=r"rng must be a non-negative integer seed.*got True"):
        call(True)
    assert np.array_equal(call(np.array(3))[0], call(3)[0])
    assert np.array_equal(call(np.int64(3))[0], call(3)[0])
