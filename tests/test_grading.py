"""The grader (course/grading/): discovery, hidden cases, mistakes, and a class of 3.

Submissions are graded as ``make grade`` does: each student's cells in a sandbox (bubblewrap
where installed, else a plain process: tests/test_sandbox.py checks the sandbox itself), the
checks here. The class test grades a synthetic class of 3 through the command line: one correct,
one with every catalogued mistake, one with every breakage (a process killed, an endless loop,
...); the full class of 60, one mistake or breakage each, is ``make grade`` itself.
"""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course import synthetic_class
from course.grading import cli, hidden_cases, notebooks, runner, sandbox, submissions

ROOT = Path(__file__).resolve().parent.parent

ASSIGNMENTS = notebooks.discover(ROOT / "notebooks")
ISOLATE = sandbox.bwrap() is not None


def test_exercises_are_discovered_from_markers_and_ids():
    exercises = [e for a in ASSIGNMENTS.values() for e in a.exercises]
    assert len(exercises) >= 10
    ids = [e.cell_id for e in exercises] + [e.check_id for e in exercises]
    assert len(ids) == len(set(ids)), "cell ids must be unique across the assignment"
    for e in exercises:
        assert e.targets, f"{e.notebook} {e.cell_id}: the exercise creates no name"
        assert "exercises." in e.check or "check" in e.check, f"{e.check_id} is not a check"
        assert e.points > 0


def test_points_come_from_a_tag_on_the_exercise_or_check_cell(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import numpy as np"),
        nbformat.v4.new_code_cell("# eq. (1): x\n### BEGIN SOLUTION\nz = 1\n### END SOLUTION",
                                  metadata={"tags": ["points:3"]}),
        nbformat.v4.new_code_cell("assert z == 1"),
        nbformat.v4.new_code_cell("# eq. (2): y\n### BEGIN SOLUTION\nw = 2\n### END SOLUTION"),
        nbformat.v4.new_code_cell("assert w == 2", metadata={"tags": ["points:0.5"]}),
        nbformat.v4.new_code_cell("# eq. (3): v\n### BEGIN SOLUTION\nv = 3\n### END SOLUTION"),
        nbformat.v4.new_code_cell("assert v == 3")])
    nbformat.write(nb, tmp_path / "01_x.ipynb")
    a = notebooks.load(tmp_path / "01_x.ipynb")
    assert [e.points for e in a.exercises] == [3.0, 0.5, 1.0]
    assert [e.targets for e in a.exercises] == [["z"], ["w"], ["v"]]


def _gives_an_answer(title):
    from exercises.tasks import TASKS
    return [t.formula for t in TASKS.values() if t.formula and t.formula in title] + [
        t.code for t in TASKS.values() if t.code and t.code in title]


def test_feedback_states_each_exercise_as_the_student_copy_does_not_its_answer():
    """The feedback lists every exercise, handed in or not; its title is the student copy's
    prompt, not the solution's comment (which spells out e.g. dy = 2(y_pred − y))."""
    from exercises.tasks import TASKS
    dy = ASSIGNMENTS["03_output_layer.ipynb"].exercises[0]
    assert dy.title == TASKS["dy"].prompt()
    step = ASSIGNMENTS["08_training.ipynb"].exercises[0]             # a dict, not named "step"
    assert step.title == TASKS["step"].prompt() and "lr·∂L/∂p" not in step.title
    for e in (e for a in ASSIGNMENTS.values() for e in a.exercises):
        assert not _gives_an_answer(e.title), (e.name, e.title)
    # the solution's own comment, the title before, is what the check catches
    nb = nbformat.read(ROOT / "notebooks" / dy.notebook, as_version=4)
    (cell,) = [c for c in nb.cells if c.get("id") == dy.cell_id]
    assert _gives_an_answer(notebooks._title(notebooks.solution_region(cell.source)[1]))


def test_hidden_cases_have_pairwise_different_sizes():
    for case in hidden_cases.CASES:
        dims = [case[k] for k in ("n", "d_in", "d1", "d2", "d_out")]
        assert len(set(dims)) == 5, case
    assert len({c["seed"] for c in hidden_cases.CASES}) == len(hidden_cases.CASES)


def test_no_hidden_case_reaches_the_student_edition():
    for p in (ROOT / "student").rglob("*"):
        assert "hidden_cases" not in p.name and p.suffix != ".py", f"{p} must not be in student/"
        if p.is_file():
            text = p.read_text(encoding="utf-8", errors="replace")
            for word in ("hidden_cases", "grading.", "from course.grading", "import grading"):
                assert word not in text, f"{p.name} refers to the teacher's {word}"


def _grade(tmp_path, nbs, **limits):
    """Grade {name: nb} as one submission; {cell id: row}."""
    sub_dir = tmp_path / "s"
    sub_dir.mkdir()
    for name, nb in nbs.items():
        nbformat.write(nb, sub_dir / name)
    sub = submissions.Submission("s", sorted(sub_dir.iterdir()))
    limits = runner.Limits(**{"time_limit": 5, "isolate": ISOLATE, **limits})
    assignments = {n: a for n, a in ASSIGNMENTS.items() if n in nbs}
    return {r["cell_id"]: r for r in runner.grade_submission(sub, assignments, limits)}


def _student(regions=None):
    return {n: synthetic_class._filled(nbformat.read(ROOT / "student" / n, as_version=4), a,
                                       regions)
            for n, a in ASSIGNMENTS.items()}


def test_the_solutions_pass_the_notebook_and_every_hidden_case(tmp_path):
    results = _grade(tmp_path, _student())
    failed = {k: r["mistake"] for k, r in results.items() if not r["passed"]}
    assert not failed
    assert len(results) == sum(len(a.exercises) for a in ASSIGNMENTS.values())


@pytest.mark.parametrize("mistake", synthetic_class.MISTAKES, ids=lambda m: m[0])
def test_each_catalogued_mistake_loses_its_exercise_only(tmp_path, mistake):
    label, target, region, words = mistake
    (ex,) = [e for a in ASSIGNMENTS.values() for e in a.exercises if target in e.targets]
    results = _grade(tmp_path, {ex.notebook: _student({target: region})[ex.notebook]})
    failed = {k: r for k, r in results.items() if not r["passed"]}
    assert list(failed) == [ex.cell_id], f"{label}: {[r['mistake'] for r in failed.values()]}"
    assert words in failed[ex.cell_id]["mistake"]


def test_feedback_gives_the_hint_once(tmp_path):
    from course.grading import report
    name = "03_output_layer.ipynb"
    results = _grade(tmp_path, {name: _student({"dy": "dy = y_pred - y"})[name]})
    r = results[ASSIGNMENTS[name].exercises[0].cell_id]
    assert f"Likely mistake: {r['mistake']}" in r["message"]       # the check says it too
    text = report.feedback("s", [r])
    assert text.count(r["mistake"]) == 1 and "the check said" in text and "expected" in text


def test_a_hard_coded_answer_fails_the_hidden_case(tmp_path):
    nbs = _student()
    setup = next(s for k, s in ASSIGNMENTS["03_output_layer.ipynb"].steps if k == "setup")
    ns = {}
    exec(ASSIGNMENTS["03_output_layer.ipynb"].imports[0] + "\n" + setup, ns)
    values = (2 * (ns["y_pred"] - ns["y"])).tolist()
    nb = nbs["03_output_layer.ipynb"]
    (cell,) = [c for c in nb.cells if c.get("id") == "18ef9d8b"]
    cell.source = f"dy = np.array({values})"
    results = _grade(tmp_path, {"03_output_layer.ipynb": nb})
    assert not results["18ef9d8b"]["passed"]
    assert results["18ef9d8b"]["mistake"].startswith("hidden case")


def test_a_class_of_three_gives_the_expected_grades(tmp_path):
    synthetic_class.build(tmp_path / "class", 3)
    out = tmp_path / "grades"
    r = subprocess.run([sys.executable, "-m", "course.grading",
                        str(tmp_path / "class" / "submissions"),
                        "--out", str(out), "--time-limit", "1", "--quiet", "--jobs", "1",
                        *([] if ISOLATE else ["--no-sandbox"])], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert synthetic_class.compare(tmp_path / "class" / "expected.csv",
                                   out / "grades.csv") == []
    feedback = sorted(p.name for p in (out / "feedback").iterdir())
    assert feedback == [f"student0{k}.md" for k in range(1, 4)]
    text = (out / "feedback" / "student02.md").read_text(encoding="utf-8")
    assert "❌ fail" in text and "transposed" in text
    text = (out / "feedback" / "student03.md").read_text(encoding="utf-8")
    assert "died" in text and "time limit" in text


def test_the_mistake_catalogue_in_teaching_md_is_current():
    from course import teaching_catalogue

    teaching_catalogue.main(["--check"])
    assert "NOT CAUGHT" not in (ROOT / "TEACHING.md").read_text(encoding="utf-8")


def test_without_bubblewrap_grading_stops_unless_told_and_then_says_so(tmp_path, monkeypatch,
                                                                        capsys):
    monkeypatch.setattr(sandbox, "bwrap", lambda: None)
    sub = tmp_path / "subs" / "s"
    sub.mkdir(parents=True)
    name = "03_output_layer.ipynb"
    nbformat.write(_student()[name], sub / name)
    out = tmp_path / "grades"
    assert cli.main([str(tmp_path / "subs"), "--out", str(out), "--quiet"]) == 3
    err = capsys.readouterr().err
    assert "bubblewrap (bwrap) is not installed" in err and "--no-sandbox" in err
    assert not out.exists()
    assert cli.main([str(tmp_path / "subs"), "--out", str(out), "--quiet", "--no-sandbox",
                     "--jobs", "1"]) == 0
    rows = [r for r in (out / "grades.csv").read_text(encoding="utf-8").splitlines()[1:]
            if ",03_output_layer.ipynb," in r]
    assert len(rows) == len(ASSIGNMENTS[name].exercises)
    assert all("graded without a sandbox" in r for r in rows)


def test_a_submission_has_a_time_budget_for_all_its_runs(tmp_path):
    name = "03_output_layer.ipynb"
    rows = _grade(tmp_path, {name: _student()[name]}, submission_limit=0.0)
    assert [r["points"] for r in rows.values()] == [0] * len(ASSIGNMENTS[name].exercises)
    assert all("used up its 0 s of running time" in r["mistake"] for r in rows.values())


def test_a_sandbox_that_does_not_start_is_tried_three_times_and_blames_nobody(tmp_path,
                                                                              monkeypatch):
    starts = []

    def fails(self):
        starts.append(1)
        raise sandbox.Died("the sandbox ended: a loaded machine")

    monkeypatch.setattr(sandbox.Box, "start", fails)
    name = "03_output_layer.ipynb"
    rows = _grade(tmp_path, {name: _student()[name]})
    assert len(starts) == 3 * len(rows)
    assert all(r["mistake"].startswith("not graded: the grader could not start a sandbox, three "
                                       "times") and "grade this submission again" in r["mistake"]
               for r in rows.values())
