"""What a student's cell gets from the grader: which data, and which functions on which data.

A cell gets the data its exercise's solution reads and, of what the cell itself reads, the
problem's data and what the notebook gives before the exercise; never an answer (``grads``,
``cache``, the exercise's own targets, a later exercise's result) the solution does not read.
A function the notebook gives the exercise (07's ``forward``, ``loss``) runs in the grader, on
arrays of the exercise's own shapes and types only.
"""

import numpy as np

# what a cell may read beyond what its solution reads: the problem's data, sizes, forward pass
PROBLEM_DATA = frozenset({"x", "y", "params", "w1", "b1", "w2", "b2", "w3", "b3", "n", "d_in",
                          "d1", "d2", "d_out", "h1", "h1_relu", "h2", "h2_relu", "y_pred", "A",
                          "B", "L", "lr"})
ANSWERS = frozenset({"grads", "cache"})
MAX_GIVEN_ARRAYS = 64


def _arrays(v, depth=0):
    """The arrays in a value (lists, tuples and dicts of them)."""
    if isinstance(v, np.ndarray):
        yield v
    elif depth < 10 and type(v) in (list, tuple):
        for x in v:
            yield from _arrays(x, depth + 1)
    elif depth < 10 and type(v) is dict:
        for x in v.values():
            yield from _arrays(x, depth + 1)


def shapes_of(values):
    """The (shape, dtype) of every array in ``values``."""
    return frozenset((a.shape, a.dtype.str) for v in values for a in _arrays(v))


def guarded(name, fn, shapes):
    """``fn`` (a function the notebook gives the exercise, run here on the data the sandbox
    sends), refusing arrays of any shape or dtype the exercise's own data does not have: a cell
    cannot make the grader compute on data of its choosing."""
    def call(*args, **kwargs):
        arrays = list(_arrays([args, kwargs]))
        if len(arrays) > MAX_GIVEN_ARRAYS:
            raise ValueError(f"{name} is given too many arrays ({len(arrays)})")
        for a in arrays:
            if (a.shape, a.dtype.str) not in shapes:
                raise ValueError(f"when grading, {name} takes arrays of the shapes and types of "
                                 f"this exercise's data only, not {a.dtype} {a.shape}")
        return fn(*args, **kwargs)
    return call
