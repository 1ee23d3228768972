"""The checks behind the exercise cells, as the notebooks import them:
``from helpers import exercises``. The implementation lives in :mod:`helpers.classroom`.

    check_forward(name, value, params, x)             (1)–(5)
    check_loss(L, y_pred, y)                          (6)
    check_gradient(name, value, params, x, y)         (81)–(86), biases as 1×d column sums
    check_seed_bias_form(name, value, params, x, y)   (82), (84), (86) as the paper's n×d matrices
    check_numerical_gradient(estimate, params, x, y, name, h=1e-5)
    check_gd_step(new_params, old_params, grads, lr)
    reference(name, params, x, y=None)               an earlier result, by name
    use(name, value, params, x, y=None)              no cascade: yours if right, else the reference
    use_step(new_params, params, grads, lr)          the same for the gradient-descent step (08)
    show_answer(name)                                the formula, on request

Beyond the paper, graded by finite differences (helpers.classroom.derivations):

    check_input_gradient(dx, params, x, y)                        ∂L/∂x
    check_mean_loss_gradient(name, value, params, x, y)           L_mean = L / (n·d_out)
    check_weight_decay_gradient(name, value, params, x, y, lam)   L + lam·Σ‖w‖²
    check_leaky_relu_gradient(name, value, params, x, y, alpha=0.1)

Importing this module in IPython (Jupyter) installs :func:`helpers.classroom.handler.install`:
NumPy errors that typical mistakes raise in the exercise cell itself come with the catalogue's
hint.
"""

from .classroom import (
    ExerciseError,
    check_forward,
    check_gd_step,
    check_gradient,
    check_input_gradient,
    check_leaky_relu_gradient,
    check_loss,
    check_mean_loss_gradient,
    check_numerical_gradient,
    check_seed_bias_form,
    check_weight_decay_gradient,
    reference,
    show_answer,
    use,
    use_step,
)
from .classroom.handler import install as _install

__all__ = ["check_forward", "check_loss", "check_gradient", "check_seed_bias_form",
           "check_numerical_gradient", "check_gd_step", "reference", "use", "use_step",
           "show_answer",
           "check_input_gradient", "check_mean_loss_gradient", "check_weight_decay_gradient",
           "check_leaky_relu_gradient", "ExerciseError"]

_install()
