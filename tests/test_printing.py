"""helpers.printing: numbers print the same on every machine (rounded, −0 as 0), matrices keep
their significant digits, masks print as 0/1."""

import numpy as np
import pytest

from helpers.printing import fmt, show


@pytest.mark.parametrize("value, digits, text", [
    (-0.0, 4, "0"),
    (np.float32(-0.0), 4, "0"),
    (0.0, 4, "0"),
    (1 / 3, 4, "0.3333"),
    (2 / 3, 2, "0.67"),
    (-2 / 3, 3, "-0.667"),
    (123456.0, 4, "1.235e+05"),
    (1.0, 4, "1"),
    (2.5e-7, 4, "2.5e-07"),
    (np.float64(0.1) + np.float64(0.2), 4, "0.3"),
    (True, 4, "1"),
    (np.int64(-7), 4, "-7"),
    (float("nan"), 4, "nan"),
    (float("-inf"), 4, "-inf"),
])
def test_fmt(value, digits, text):
    assert fmt(value, digits) == text


def test_fmt_does_not_depend_on_last_bits():
    assert fmt(0.1 + 0.2) == fmt(0.3)
    assert fmt(-1e-17 + 0.0 * 3) == "-1e-17"          # tiny is not zero: it is printed as is
    assert fmt(np.float64(-1e-300) * 1e-300) == "0"     # underflow to −0 prints as 0


@pytest.mark.parametrize("digits, exc", [(0, ValueError), (-1, ValueError), (2.5, TypeError),
                                         ("4", TypeError)])
def test_fmt_bad_digits(digits, exc):
    with pytest.raises(exc, match="digits must be"):
        fmt(1.0, digits)
    with pytest.raises(exc, match="digits must be"):
        show("m", np.ones((1, 1)), digits)


def test_show_rounds_and_prints_shape(capsys):
    show("w", np.array([[1 / 3, -2 / 3], [1.0, 0.25]]))
    assert capsys.readouterr().out == "w (2×2):\n[[ 0.3333 -0.6667]\n [ 1.      0.25  ]]\n"


def test_show_negative_zero(capsys):
    show("z", np.array([[-0.0, 1.5], [-1e-30 * 1e-300, 2.0]]))
    out = capsys.readouterr().out
    assert "-0" not in out and out == "z (2×2):\n[[0.  1.5]\n [0.  2. ]]\n"


def test_show_keeps_significant_digits_of_small_entries(capsys):
    show("g", np.array([[0.5, 0.001234567]]))
    assert capsys.readouterr().out == "g (1×2):\n[[0.5      0.001235]]\n"


def test_show_bool_matrix(capsys):
    show("A", np.array([[True, False], [False, True]]))
    assert capsys.readouterr().out == "A (2×2):\n[[1 0]\n [0 1]]\n"


def test_show_is_independent_of_last_bits(capsys):
    m = np.random.default_rng(0).standard_normal((3, 4))
    show("m", m)
    first = capsys.readouterr().out
    show("m", m * (1 + 4e-16))
    assert capsys.readouterr().out == first


def test_show_float32_scalar_and_empty(capsys):
    show("x", np.array([[1 / 3]], dtype=np.float32))
    show("s", np.float64(-0.0))
    show("e", np.zeros((0, 3)))
    assert capsys.readouterr().out == "x (1×1):\n[[0.3333]]\ns ():\n0.\ne (0×3):\n[]\n"


def test_complex_is_refused_not_truncated():
    with pytest.raises(TypeError, match=r"fmt prints real numbers"):
        fmt(1 + 2j)
    with pytest.raises(TypeError, match=r"show prints real numbers; z has dtype complex128"):
        show("z", np.array([[1 + 2j]]))
