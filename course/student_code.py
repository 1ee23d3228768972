"""Code cells of the classroom edition (used by make_student.py): solution regions become
placeholders whose comment names what to compute, its shape and the equation (from
:mod:`exercises.tasks`), never the formula; hidden tests are removed. See
make_student.py and CONTRIBUTING.md for the convention.
"""

import ast
import json
import re
import textwrap

from exercises.tasks import TASK_OF_NAME, TASKS

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
_EQ = re.compile(r"eqs?\.\s*(\(\d{1,2}\)(?:\s*(?:/|,|and|–)\s*\(\d{1,2}\))*)")


class ConventionError(ValueError):
    """An exercise region does not follow the convention in CONTRIBUTING.md."""


def _marker(line):
    return line.strip()


def _has_exercise(nb):
    return any(c.cell_type == "code" and any(_marker(ln) == BEGIN for ln in
                                             c.source.splitlines()) for c in nb.cells)


def _strip_hidden(lines, where):
    out, hidden = [], False
    for ln in lines:
        m = _marker(ln)
        if m == BEGIN_HIDDEN:
            if hidden:
                raise ConventionError(f"{where}: nested {BEGIN_HIDDEN}")
            hidden = True
        elif m == END_HIDDEN:
            if not hidden:
                raise ConventionError(f"{where}: {END_HIDDEN} without {BEGIN_HIDDEN}")
            hidden = False
        elif not hidden:
            out.append(ln)
    if hidden:
        raise ConventionError(f"{where}: {BEGIN_HIDDEN} without {END_HIDDEN}")
    return out


def _comment_above(lines, i, where):
    """The comment naming the exercise: the nearest block of comment lines above line ``i``."""
    j = i - 1
    while j >= 0 and not _is_comment(lines[j]):
        j -= 1
    block = []
    while j >= 0 and _is_comment(lines[j]):
        block.insert(0, lines[j].strip().lstrip("#").strip())
        j -= 1
    if not block:
        raise ConventionError(f"{where}: no comment line naming the equation above {BEGIN} "
                              f"(e.g. '# eq. (81): the gradient of L with respect to w3')")
    return " ".join(block)


def _is_comment(line):
    s = line.strip()
    return s.startswith("#") and not s.startswith("###")


def task_text(comment):
    """What the placeholder asks for, from the comment above the markers.

    '# eq. (83): the gradient …' gives 'write eq. (83) here'; a comment that does not start with
    an equation number is quoted: 'write here: gradient descent, …'.
    """
    m = _EQ.match(comment)
    if m:
        return f"write eq. {m.group(1)} here"
    return f"write here: {comment}"


def _assigned_names(code):
    """Names a region creates (assigned before they are read), and the functions it defines."""
    tree = ast.parse(code)
    created, seen, functions = [], set(), []
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.append(stmt)
            seen.add(stmt.name)
            continue
        loads = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)
                 and isinstance(n.ctx, ast.Load)}
        stores = []
        targets = (stmt.targets if isinstance(stmt, ast.Assign) else
                   [stmt.target] if isinstance(stmt, ast.AnnAssign) else [])
        for t in targets:
            stores += [n.id for n in ast.walk(t) if isinstance(n, ast.Name)
                       and isinstance(n.ctx, ast.Store)]
        for name in stores:
            if name not in seen and name not in loads:
                created.append(name)
        seen |= loads | set(stores)
    return created, functions


def _placeholder(region, indent, task, where):
    """The lines that replace a solution region; ``task`` is the error text of the raise."""
    raise_line = f"{indent}raise NotImplementedError({json.dumps(task, ensure_ascii=False)})"
    if indent:                                     # inside a function or a block: just raise
        return [f"{indent}# YOUR CODE HERE", raise_line]
    code = textwrap.dedent("\n".join(region))
    try:
        created, functions = _assigned_names(code)
    except SyntaxError as err:
        raise ConventionError(f"{where}: the solution region is not valid Python "
                              f"({err.msg}, line {err.lineno})") from None
    out = []
    code_lines = code.splitlines()
    for fn in functions:                           # keep the signature, raise in the body
        first = fn.body[0]
        start = fn.decorator_list[0].lineno if fn.decorator_list else fn.lineno
        keep = code_lines[start - 1: first.lineno - 1]
        doc = ast.get_docstring(fn, clean=False)
        if doc is not None and isinstance(first, ast.Expr):
            keep += code_lines[first.lineno - 1: first.end_lineno]
        body_indent = re.match(r"\s*", code_lines[first.lineno - 1]).group(0) or "    "
        out += keep + [f"{body_indent}# YOUR CODE HERE", body_indent + raise_line.strip()]
    if created:
        out.append("# YOUR CODE HERE: replace None by your answer, then delete the raise line")
        out += [f"{name} = None" for name in created]
        out.append(raise_line)
    elif not functions:
        out += ["# YOUR CODE HERE", raise_line]
    return out


def student_source(source, where="cell"):
    """A code cell's source with its solution regions replaced and hidden tests removed.

    Returns ``(new_source, n_regions)``.
    """
    lines = _strip_hidden(source.splitlines(), where)
    out, i, n = [], 0, 0
    while i < len(lines):
        if _marker(lines[i]) == END:
            raise ConventionError(f"{where}: {END} without {BEGIN}")
        if _marker(lines[i]) != BEGIN:
            out.append(lines[i])
            i += 1
            continue
        indent = re.match(r"\s*", lines[i]).group(0)
        comment = _comment_above(lines, i, where)
        j = i + 1
        while j < len(lines) and _marker(lines[j]) not in (END, BEGIN):
            j += 1
        if j == len(lines) or _marker(lines[j]) == BEGIN:
            raise ConventionError(f"{where}: {BEGIN} without a matching {END}")
        region = lines[i + 1:j]
        if not any(ln.strip() for ln in region):
            raise ConventionError(f"{where}: empty solution region")
        prompt, task = _prompt(region, comment)
        _replace_comment(out, prompt, indent)
        out += _placeholder(region, indent, task, where)
        n += 1
        i = j + 1
    return "\n".join(out), n




def _prompt(region, comment):
    """The comment the student sees above a placeholder: what to compute, its shape and the
    equation (from exercises.tasks), never the formula of the solution's comment."""
    code = textwrap.dedent("\n".join(region))
    try:
        tree = ast.parse(code)
    except SyntaxError:
        tree = None
    stored = []
    for node in ast.walk(tree) if tree is not None else ():
        target = node
        while isinstance(target, (ast.Subscript, ast.Attribute)):
            target = target.value
        if isinstance(target, ast.Name) and isinstance(target.ctx, ast.Store) or (
                target is not node and isinstance(target, ast.Name)
                and isinstance(node.ctx, ast.Store)):
            if target.id not in stored:
                stored.append(target.id)
    keys = [k for k in stored if k in TASKS] or [TASK_OF_NAME[k] for k in stored
                                                if k in TASK_OF_NAME][:1]
    if keys:
        lines = [ln for k in keys for ln in textwrap.wrap(TASKS[k].prompt(), 96,
                                                          subsequent_indent="  ")]
        return lines, TASKS[keys[0]].task()
    m = _EQ.match(comment)
    if m:
        return [f"eq. {m.group(1)}: see the text above for what to compute"], task_text(comment)
    return ["see the text above for what to compute"], "write your answer here"


def region_task(source):
    """The placeholder error texts of a solution cell's regions (for the tests)."""
    lines = _strip_hidden(source.splitlines(), "cell")
    return [_prompt(_region_at(lines, i), _comment_above(lines, i, "cell"))[1]
            for i, ln in enumerate(lines) if _marker(ln) == BEGIN]


def _region_at(lines, i):
    j = i + 1
    while j < len(lines) and _marker(lines[j]) != END:
        j += 1
    return lines[i + 1:j]


def _replace_comment(out, prompt, indent):
    """Replace the comment block nearest above the region (already in ``out``) by ``prompt``."""
    j = len(out) - 1
    while j >= 0 and not _is_comment(out[j]):
        j -= 1
    end = j + 1
    while j >= 0 and _is_comment(out[j]):
        j -= 1
    pad = re.match(r"\s*", out[end - 1]).group(0) if end > 0 else indent
    out[j + 1:end] = [f"{pad}# {line}" for line in prompt]


PREDICTION_TAG = "prediction"


def prediction_placeholder(source, where="cell"):
    """A prediction cell (tag ``prediction``) as the classroom edition shows it: each value
    replaced by ``...`` for the student to write (padded, so that comments keep their column);
    comments kept. The cell holds comments and one-line assignments ``name = value`` only."""
    try:
        body = ast.parse(source).body
    except SyntaxError as err:
        raise ConventionError(f"{where}: the prediction cell is not valid Python "
                              f"({err.msg})") from None
    lines = source.splitlines()
    for stmt in body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and stmt.lineno == stmt.end_lineno):
            raise ConventionError(f"{where}: a prediction cell holds one-line assignments "
                                  f"`name = value` and comments only")
        line = lines[stmt.lineno - 1].encode()             # ast's offsets count UTF-8 bytes
        start, end = stmt.value.col_offset, stmt.value.end_col_offset
        rest = line[end:]
        pad = b" " * max(0, len(line[start:end].decode()) - 3) if rest.strip() else b""
        lines[stmt.lineno - 1] = (line[:start] + b"..." + pad + rest).decode()
    return "\n".join(lines)


def answer_expressions(notebooks):
    """The expressions an exercise asks for: right-hand sides in the solution regions that
    compute something (a product, a sum, a mask, a difference quotient)."""
    out = set()
    for nb in notebooks:
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            for region in _regions_code(cell.source):
                try:
                    tree = ast.parse(textwrap.dedent(region))
                except SyntaxError:
                    continue
                for node in ast.walk(tree):
                    if isinstance(node, (ast.Assign, ast.AugAssign)):
                        expr = ast.unparse(node.value)
                        if len(expr) >= 8 and re.search(r"@|\*|\.sum|maximum|/", expr):
                            out.add(expr)
    return sorted(out)


def _regions_code(source):
    out, region = [], None
    for ln in source.splitlines():
        if _marker(ln) == BEGIN:
            region = []
        elif _marker(ln) == END and region is not None:
            out.append("\n".join(region))
            region = None
        elif region is not None:
            region.append(ln)
    return out
