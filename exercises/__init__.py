"""The classroom layer: checks for the exercise cells, the mistake catalogue, hints, the
reference by name and the answer reveal. Notebooks ``import exercises``; their setup cell then
calls ``exercises.start(...)`` with the names their exercise cells compute.

``exercises.session``      start: the hints and the last-run record in a student's kernel
``exercises.checks``       check_forward, check_loss, check_gradient, check_seed_bias_form,
                           check_index_form (14, 15)
``exercises.numerical``    check_numerical_gradient (07), check_gd_step (08)
``exercises.any_depth``    check_backward_any (05's backward pass of any depth)
``exercises.derivations``  exercises beyond the paper, graded by finite differences
``exercises.predictions``  11's "predict before you run" checks, not graded
``exercises.catalogue``    the mistakes, as data: name, equation, recognition, hint
``exercises.handler``      the IPython exception handler that explains errors
``exercises.answers``      reference, use (no cascade), hint (in steps), show_answer
``exercises.provenance``   refuses answers taken from the reference implementation
``exercises.tasks``        what each exercise asks for, its hints and its answer
``exercises.bughunt``      bug_menu, name_bug: 07's bug hunt (feedback, not graded)

Importing it changes nothing in the running kernel; :func:`start` installs the classroom.
"""

from . import derivations
from ._compare import ExerciseError
from .answers import hint, reference, show_answer, use, use_step
from .any_depth import check_backward_any
from .bughunt import bug_menu, name_bug
from .checks import (
    check_forward,
    check_gradient,
    check_index_form,
    check_loss,
    check_seed_bias_form,
)
from .derivations import *  # noqa: F403  (the checks beyond the paper: derivations.__all__)
from .numerical import check_gd_step, check_numerical_gradient
from .session import start

__all__ = ["start", "check_forward", "check_loss", "check_gradient", "check_seed_bias_form",
           "check_index_form", "check_numerical_gradient", "check_gd_step", "check_backward_any",
           "reference", "use",
           "use_step", "hint", "show_answer", "ExerciseError", *derivations.__all__]
__all__ += ["bug_menu", "name_bug"]

# notebook 11's predictions, checked and revealed, not graded (predictions.__all__)
from . import predictions  # noqa: E402
from .predictions import *  # noqa: E402, F403

__all__ += predictions.__all__
