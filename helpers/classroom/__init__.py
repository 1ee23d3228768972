"""The classroom layer: checks for the exercise cells, the mistake catalogue, hints for errors
raised in the student's own cell, the reference by name and the answer reveal.

``helpers.classroom.checks``       check_forward, check_loss, check_gradient, check_seed_bias_form
``helpers.classroom.numerical``    check_numerical_gradient (07), check_gd_step (08)
``helpers.classroom.derivations``  exercises beyond the paper, graded by finite differences
``helpers.classroom.catalogue``    the mistakes, as data: name, equation, recognition, hint
``helpers.classroom.handler``      the IPython exception handler that explains NumPy errors
``helpers.classroom.answers``      reference, use (no cascade), show_answer
``helpers.classroom.provenance``   refuses answers taken from the reference implementation
``helpers.classroom.tasks``        what each exercise asks for (the student copy's prompts)

Notebooks import it as ``from helpers import exercises``.
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
