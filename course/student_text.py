"""Text transforms of the classroom edition (used by make_student.py): what a student must not
see in prose and in the cells of notebooks without exercises.

Markers, in the solution notebooks (see CONTRIBUTING.md, "Exercise format"):

* a cell tagged ``teacher-only`` is dropped; in markdown, the lines between
  ``<!-- BEGIN TEACHER -->`` and ``<!-- END TEACHER -->`` are dropped;
* a cell tagged ``answer`` is replaced by a note that its content is withheld; in markdown, the
  lines between ``<!-- BEGIN ANSWER -->`` (or ``### BEGIN ANSWER``) and ``<!-- END ANSWER -->``
  (``### END ANSWER``), in code the lines between ``### BEGIN ANSWER`` and ``### END ANSWER``
  are replaced by that note; a code line ``### STUDENT: <code>`` becomes ``<code>`` (what the
  classroom edition runs in the withheld code's place), and a markdown line
  ``<!-- STUDENT: <text> -->`` becomes ``<text>`` (after an answer region: instead of the note).

Fallbacks, for notebooks not (yet) marked up:

* a markdown paragraph addressed to teachers — one that names the solution markers or links to
  ``../student/`` — is dropped, and "make lab"/"make test" instructions point to
  ``make lab-student``;
* in a notebook that comes *before* the exercises (01): a display equation ``$$…$$`` tagged
  (81)–(86) (the final matrix form of one of the six gradients), a markdown line with an
  exercise's answer in inline code, and a code cell that computes an exercise's answer (an
  expression from a solution region) are withheld, each replaced by a note naming the notebook
  where the student derives it. Notation, prose, index forms and the steps of a derivation stay,
  also where they contain a transpose or an entrywise product.
"""

import re

TEACHER_TAG, ANSWER_TAG = "teacher-only", "answer"
BEGIN_TEACHER, END_TEACHER = "<!-- BEGIN TEACHER -->", "<!-- END TEACHER -->"
BEGIN_ANSWERS = ("<!-- BEGIN ANSWER -->", "### BEGIN ANSWER")
END_ANSWERS = ("<!-- END ANSWER -->", "### END ANSWER")
_TEACHER_PARAGRAPH = re.compile(r"### BEGIN SOLUTION|\]\(\.\./student/?\)|solution edition",
                                re.IGNORECASE)
_STUDENT_LINE = re.compile(r"^### STUDENT: ?")
_STUDENT_MARKDOWN = re.compile(r"^\s*<!-- STUDENT: ?(.*?) ?-->\s*$")
_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
_TAG = re.compile(r"\\tag\{(\d+)\}")
_MATRIX_FORM = re.compile(r"\^T|\\circ|\^\{T\}")
# where each equation is derived as an exercise: (7)–(20), (81), (82) in 03, …
_WHERE = [(range(7, 21), "03"), (range(21, 48), "04"), (range(48, 81), "05"),
          (range(81, 83), "03"), (range(83, 85), "04"), (range(85, 87), "05")]


class MarkerError(ValueError):
    """Answer or teacher markers that do not pair up."""


def notebook_of(eq):
    return next((nb for r, nb in _WHERE if eq in r), None)


def withheld_note(where=None, eq=None):
    what = f"eq. ({eq})" if eq else "this part"
    place = f" in notebook {where}" if where else " in the exercises below"
    return (f"*[Withheld in the classroom edition: {what} is yours to derive{place}. Your check "
            f"there tells you when you have it.]*")


def _strip_between(lines, begins, ends, where, replacement=None):
    out, inside = [], False
    for ln in lines:
        s = ln.strip()
        if s in begins:
            if inside:
                raise MarkerError(f"{where}: nested {s}")
            inside = True
            if replacement is not None:
                out.append(replacement)
        elif s in ends:
            if not inside:
                raise MarkerError(f"{where}: {s} without its BEGIN")
            inside = False
        elif not inside:
            out.append(ln)
    if inside:
        raise MarkerError(f"{where}: {begins[0]} without its END")
    return out


def markdown_for_students(text, where="cell"):
    """Drop teacher regions and teacher paragraphs; replace answer regions by a note, or by the
    ``<!-- STUDENT: text -->`` lines that follow the region (an HTML comment, so invisible in
    the solution edition): the student's version of that text."""
    lines = _strip_between(text.splitlines(), (BEGIN_TEACHER,), (END_TEACHER,), where)
    lines = _strip_between(lines, BEGIN_ANSWERS, END_ANSWERS, where, withheld_note())
    out = []
    for ln in lines:
        m = _STUDENT_MARKDOWN.match(ln)
        if m and out and out[-1] == withheld_note():
            out.pop()                                  # the student's text instead of the note
        out.append(m.group(1) if m else ln)
    lines = out
    paragraphs = re.split(r"\n\s*\n", "\n".join(lines))
    kept = [p for p in paragraphs if not _TEACHER_PARAGRAPH.search(p)]
    text = "\n\n".join(kept)
    text = re.sub(r"^make lab +#[^\n]*", "make lab-student   # set up .venv and open JupyterLab "
                  "on the classroom edition", text, flags=re.MULTILINE)
    text = re.sub(r"^make test +#[^\n]*\n?", "", text, flags=re.MULTILINE)
    return text.replace("jupyter lab notebooks/", "jupyter lab student/")


def code_for_students(source, where="cell"):
    """Replace ``### BEGIN ANSWER`` … ``### END ANSWER`` in code by a comment, and turn each
    ``### STUDENT: <code>`` line (a comment in the solution edition) into ``<code>``: what the
    classroom edition runs instead, e.g. the withheld functions imported by name from
    :mod:`exercises.withheld`, so that the cells after it still run. Only code that would give
    away an exercise of its own notebook is withheld so (07's planted bugs)."""
    lines = _strip_between(source.splitlines(), ("### BEGIN ANSWER",), ("### END ANSWER",),
                           where, "# [withheld in the classroom edition: code that would give "
                           "away an exercise of this notebook]")
    return "\n".join(_STUDENT_LINE.sub("", ln) for ln in lines)


def _norm(s):
    return re.sub(r"\s+", "", s)


def withhold_matrix_forms(text, answers):
    """The fallback for a notebook before the exercises: see the module docstring."""
    def display(m):
        body = m.group(1)
        tags = [int(t) for t in _TAG.findall(body)]
        if any(81 <= t <= 86 for t in tags):
            return withheld_note(notebook_of(tags[-1]), tags[-1])
        return m.group(0)

    text = _DISPLAY.sub(display, text)
    out = []
    for para in re.split(r"\n\s*\n", text):
        lines = para.splitlines()
        if lines and all(ln.lstrip().startswith(("- ", "* ", "|", "  ")) for ln in lines):
            kept = [ln for ln in lines if not _gives_answer(ln, answers)]
            if kept:
                out.append("\n".join(kept))
        elif _gives_answer(para, answers):
            if not out or out[-1] != withheld_note():
                out.append(withheld_note())
        else:
            out.append(para)
    return _drop_empty_tables("\n\n".join(out))


_ANSWER_CODE = re.compile(r"\.T\s*@|@\s*\w+\.T|\.sum\(axis=0|keepdims")


def _gives_answer(text, answers):
    """Prose that gives an exercise's answer as code: inline code with the answer (or the
    telltale pieces of one: `.T @`, `.sum(axis=0`)."""
    code = re.findall(r"`([^`]+)`", text)
    return any(_ANSWER_CODE.search(c) or any(_norm(a) in _norm(c) for a in answers)
               for c in code)


def withhold_ahead(text, pending, number="99"):
    """In exercise notebook ``number``, before the exercises of the gradient equations
    ``pending`` (numbers in 81–86): a display equation tagged with one of them, or in matrix form
    (unless it belongs to an earlier notebook), is withheld. Index forms and prose stay."""
    def display(m):
        body = m.group(1)
        tags = [int(t) for t in _TAG.findall(body)]
        earlier = tags and all((notebook_of(t) or "99") < number for t in tags)
        if any(t in pending for t in tags) or (_MATRIX_FORM.search(body) and not earlier):
            return withheld_note(None, tags[-1] if tags else None)
        return m.group(0)
    return _DISPLAY.sub(display, text) if pending else text


def _drop_empty_tables(text):
    """Remove a table whose body rows were all withheld (a header and a separator left)."""
    lines, out, i = text.splitlines(), [], 0
    while i < len(lines):
        is_header = lines[i].lstrip().startswith("|") and i + 1 < len(lines) and re.match(
            r"^\s*\|(\s*:?-+:?\s*\|)+\s*$", lines[i + 1])
        body = i + 2 < len(lines) and lines[i + 2].lstrip().startswith("|")
        if is_header and not body:
            i += 2
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def code_gives_answer(source, answers):
    """True if a code cell computes an exercise's answer (one of ``answers``, or a column sum)."""
    src = _norm(source)
    return any(_norm(a) in src for a in answers) or ".sum(axis=0,keepdims=True)" in src
