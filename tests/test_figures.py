"""Figures a reader can read: log axes with round decade ticks; stored plots sharp on HiDPI."""

import numpy as np
import pytest

from helpers import plotting


@pytest.mark.parametrize("history, step", [
    ([1e1, 1e11, 1e12, 1e30, 1e47, 1e107], 20),   # a diverging run: 106 decades
    ([1e3, 1e2, 1e-9], 2),
    ([1e8, 1e-20], 5),
])
def test_log_ticks_fall_on_round_decade_strides(history, step):
    ax = plotting.loss_curve(np.array(history))
    exponents = np.log10(ax.get_yticks())
    assert np.allclose(exponents, np.round(exponents))
    strides = set(np.diff(np.round(exponents)).astype(int))
    assert strides == {step}
    assert len(exponents) <= 8
    lo, hi = ax.get_ylim()
    assert lo <= min(history) and hi >= max(history)


def test_short_ranges_keep_matplotlibs_ticks():
    ax = plotting.loss_curve(np.array([1.0, 0.5, 0.01]))
    exponents = np.log10([t for t in ax.get_yticks() if t > 0])
    assert set(np.diff(np.round(exponents)).astype(int)) == {1}
