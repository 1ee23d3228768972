"""The classroom layer: checks for the exercise cells, the mistake catalogue, hints for errors
raised in the student's own cell, the reference by name and the answer reveal.

``exercises.checks``       check_forward, check_loss, check_gradient, check_seed_bias_form
``exercises.numerical``    check_numerical_gradient (07), check_gd_step (08)
``exercises.derivations``  exercises beyond the paper, graded by finite differences
``exercises.catalogue``    the mistakes, as data: name, equation, recognition, hint
``exercises.handler``      the IPython exception handler that explains NumPy errors
``exercises.answers``      reference, use (no cascade), show_answer
``exercises.provenance``   refuses answers taken from the reference implementation
``exercises.tasks``        what each exercise asks for (the student copy's prompts)

Notebooks import it as ``import exercises``. Importing it in IPython (Jupyter) installs
:func:`exercises.handler.install`: NumPy errors that typical mistakes raise in the exercise cell
itself come with the catalogue's hint.
"""

from ._compare import ExerciseError
from .answers import reference, show_answer, use, use_step
from .checks import check_forward, check_gradient, check_loss, check_seed_bias_form
from .derivations import (
    check_input_gradient,
    check_leaky_relu_gradient,
    check_mean_loss_gradient,
    check_weight_decay_gradient,
)
from .numerical import check_gd_step, check_numerical_gradient

__all__ = ["check_forward", "check_loss", "check_gradient", "check_seed_bias_form",
           "check_numerical_gradient", "check_gd_step", "reference", "use", "use_step",
           "show_answer",
           "check_input_gradient", "check_mean_loss_gradient", "check_weight_decay_gradient",
           "check_leaky_relu_gradient", "ExerciseError"]

from .handler import install as _install  # noqa: E402

_install()
