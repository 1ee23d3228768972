"""07's bug hunt: name each planted bug from its gradient check before the answer is shown.

``bug_menu()`` prints the choices, ``name_bug(k, letter)`` says whether ``letter`` names bug
``k`` and why: for a wrong letter, what that bug would have made fail, beside what fails here;
for the right one, the one-line reason. ``"?"`` (the classroom edition's placeholder) only
says what to do. Nothing raises and nothing is graded: it is feedback, not a check. The
words name the bugs, never their formulas (the classroom edition withholds those).
"""

__all__ = ["bug_menu", "name_bug"]

# letter: (the bug, in words; what a gradient check shows for it)
CHOICES = {
    "a": ("the mask A (33) left out of dh2 (84)",
          "w2, b2, w1 and b1 fail: everything computed from dh2"),
    "b": ("a bias gradient averaged over the samples, not summed",
          "that bias fails alone"),
    "c": ("the factor 2 of dy (82) dropped",
          "all six fail, each analytic entry half the numerical one"),
    "d": ("dh1 (86) masked with A (33), the mask of h2, instead of B (64)",
          "w1 and b1 fail: what is computed from dh1"),
    "e": ("a weight's gradient transposed",
          "that weight fails alone"),
    "f": ("the sign of dy (82) flipped",
          "all six fail, each analytic entry the negative of the numerical one"),
}

# bug k: (its letter, what its check shows, why: one line)
BUGS = {
    1: ("c", "all six fail, and analytic / numerical is 0.5 in every entry",
        "dy (82) lost its factor 2, and every gradient is computed from dy: all six are halved."),
    2: ("b", "b2 fails alone",
        "b2 is added to every row, so its gradient sums over the samples; a mean divides it by "
        "n, and nothing is computed from it."),
    3: ("e", "w2 fails alone",
        "w2's gradient came out transposed; with d1 = d2 it keeps its shape, so only the "
        "numbers tell, and nothing is computed from it."),
    4: ("a", "w2, b2, w1 and b1 fail; w3 and b3 pass",
        "without the mask A, dh2 (84) lets gradient back through switched-off units; w3, b3 "
        "come before dh2 and pass, everything from dh2 on fails."),
    5: ("d", "w1 and b1 fail",
        "dh1 (86) used A, the mask of h2; with d1 = d2 it has the right shape, and only w1 and "
        "b1 are computed from dh1."),
}


def bug_menu():
    """Print the choices for ``name_bug``."""
    print("Name each bug with one of these letters (exercises.name_bug(k, letter)):")
    for letter, (bug, _) in CHOICES.items():
        print(f"  {letter}  {bug}")


def name_bug(k, choice):
    """Say whether ``choice`` (a letter of :func:`bug_menu`) names planted bug ``k`` (1 to 5),
    and why. Returns True if it does, False if not, None for anything that is not a letter of
    the menu (the placeholder ``"?"``)."""
    if k not in BUGS:
        raise ValueError(f"name_bug: the planted bugs are numbered 1 to {len(BUGS)}; got {k!r}")
    right, seen, why = BUGS[k]
    letter = choice.strip().lower() if isinstance(choice, str) else choice
    if letter not in CHOICES:
        print(f"bug {k}: put your diagnosis, a letter {min(CHOICES)}–{max(CHOICES)} from "
              f"exercises.bug_menu(), in place of {choice!r} and run the cell again")
        return None
    if letter == right:
        print(f"bug {k}, {letter}: right: {why}")
        return True
    bug, shows = CHOICES[letter]
    print(f"bug {k}, {letter}: not this one. With {bug}, {shows}; here {seen}. "
          f"Try another letter.")
    return False
