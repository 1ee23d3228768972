"""helpers: the small package the notebooks share.

``helpers.network``   the paper's network, eqs. (1)–(6) forward, (81)–(86) backward
``helpers.gradcheck`` central finite differences, relative errors, kink detection
``helpers.data``      seeded data: the paper's random x, y and a teacher-network set
``helpers.training``  gradient descent, ``train`` and ``TrainingDiverged``
``helpers.plotting``  loss curves, gradient-check summaries, masks (imports matplotlib)
``helpers.widgets``   the interactive explorer (imports ipywidgets when used)
``exercises`` the checks behind the classroom edition's exercise cells
``helpers.printing``  number formatting that keeps stored notebook outputs identical everywhere
``helpers.diagram``   the network diagram (imports matplotlib)
``helpers.graph``     the computational graph of the backward pass (imports matplotlib)

The most used names are importable from ``helpers`` itself. ``plotting``, ``widgets``,
``exercises``, ``printing``, ``diagram`` and ``graph`` are loaded on first use, so ``import helpers``
needs NumPy only.
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

_LAZY = ("plotting", "widgets", "exercises", "printing", "diagram", "graph")


def __getattr__(name):
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
