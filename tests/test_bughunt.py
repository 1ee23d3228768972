"""07's bug hunt (exercises.bughunt): the letter for each planted bug is right, every other letter
is wrong with a reason that sets what that bug would fail beside what fails here, the
placeholder only says what to do, nothing raises for a student's input, and no feedback writes
a formula out (the classroom edition withholds them)."""

import re

import numpy as np
import pytest

import exercises
from exercises.bughunt import BUGS, CHOICES, bug_menu, name_bug
from exercises.withheld import PLANTED
from helpers import check_gradients, forward, init_params, random_data

FORMULA = re.compile(r"ᵀ|@|\.T\b|∘|\.sum\(|\.mean\(|\*")


def test_exported_and_one_distinct_letter_per_bug_with_a_decoy():
    assert exercises.name_bug is name_bug and exercises.bug_menu is bug_menu
    letters = [right for right, _, _ in BUGS.values()]
    assert len(set(letters)) == len(BUGS) == len(PLANTED) and set(letters) < set(CHOICES)


def test_the_menu_lists_every_choice(capsys):
    bug_menu()
    out = capsys.readouterr().out
    assert all(f"  {letter}  {bug}" in out for letter, (bug, _) in CHOICES.items())


@pytest.mark.parametrize("k", sorted(BUGS))
def test_right_wrong_and_placeholder(k, capsys):
    right = BUGS[k][0]
    assert name_bug(k, right.upper() + " ") is True
    assert f"bug {k}, {right}: right: {BUGS[k][2]}" in capsys.readouterr().out
    for letter in set(CHOICES) - {right}:
        assert name_bug(k, letter) is False
        out = capsys.readouterr().out
        assert "not this one" in out and CHOICES[letter][1] in out and BUGS[k][1] in out
    for placeholder in ("?", "", "z", None, 3):
        assert name_bug(k, placeholder) is None
        assert "in place of" in capsys.readouterr().out


@pytest.mark.parametrize("k", [0, 6, "1"])
def test_a_bug_that_does_not_exist_is_refused(k):
    with pytest.raises(ValueError, match="numbered 1 to 5"):
        name_bug(k, "a")


def test_no_feedback_writes_a_formula():
    texts = [t for bug, shows in CHOICES.values() for t in (bug, shows)]
    texts += [t for _, seen, why in BUGS.values() for t in (seen, why)]
    assert not [t for t in texts if FORMULA.search(t)]


def test_what_each_bug_shows_is_what_its_check_finds():
    """07's network (d1 = d2, random biases): which parameters fail, for each planted bug."""
    rng = np.random.default_rng(0)
    params = init_params(3, 4, 4, 2, rng=rng)
    for name in ("b1", "b2", "b3"):
        params[name] = 0.1 * rng.standard_normal(params[name].shape)
    x, y = random_data(6, 3, 2, rng=rng)
    forward(params, x)
    order = ("w3", "b3", "w2", "b2", "w1", "b1")
    for k, bug in enumerate(PLANTED, start=1):
        report = check_gradients(params, x, y, backward=bug)
        failing = [p for p in order if not report[p].passed]
        seen = BUGS[k][1]
        if len(failing) == 6:
            assert seen.startswith("all six fail")
        else:
            named = re.findall(r"\b[wb][123]\b", seen.split(";")[0])
            assert named == failing, (k, failing, seen)
