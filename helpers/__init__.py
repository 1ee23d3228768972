"""helpers: the small package the notebooks share.

``network`` (1)–(6) and (81)–(86) · ``gradcheck`` central differences · ``data`` seeded data ·
``training`` gradient descent · ``plotting``, ``diagram``, ``graph`` figures · ``widgets``,
``experiments`` notebook 09's explorer · ``printing`` number formatting for reproducible outputs.
The most used names are importable from ``helpers``; ``plotting``, ``widgets``, ``printing``,
``diagram`` and ``graph`` load on first use, so ``import helpers`` needs NumPy only.
"""

import importlib

from .data import random_data, teacher_data
from .gradcheck import check_gradients, numerical_gradient, rel_error
from .network import backward, forward, init_params, loss, mask_A, mask_B, relu
from .training import TrainingDiverged, gd_step, train

__all__ = ["init_params", "forward", "loss", "backward", "relu", "mask_A", "mask_B",
           "check_gradients", "numerical_gradient", "rel_error", "random_data", "teacher_data",
           "train", "gd_step", "TrainingDiverged"]

__version__ = "0.1.0"

_LAZY = ("plotting", "widgets", "printing", "diagram", "graph")


def __getattr__(name):
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
