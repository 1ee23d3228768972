"""The grades CSV and one Markdown feedback file per student."""

import csv
import re
from pathlib import Path

COLUMNS = ["student", "notebook", "exercise", "cell_id", "points", "max_points", "mistake",
           "notes"]


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def cell(value):
    """A CSV field a spreadsheet shows as text: control characters (NUL …) become spaces, and a
    field a spreadsheet would take for a formula (= + - @, tab, carriage return) starts with '."""
    s = _CONTROL.sub(" ", str(value))
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def write_csv(rows, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({**{k: cell(r.get(k, "")) for k in COLUMNS}, "points": f"{r['points']:g}",
                        "max_points": f"{r['max_points']:g}"})


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _safe(name):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "student"


def feedback(student, rows):
    """The Markdown feedback of one student: totals, then each exercise, pass/fail and hint."""
    got = sum(r["points"] for r in rows)
    out = sum(r["max_points"] for r in rows)
    lines = [f"# Feedback for {student}", "", f"**Total: {got:g} / {out:g} points**", ""]
    nb = None
    for r in rows:
        if r["notebook"] != nb:
            nb = r["notebook"]
            sub = [x for x in rows if x["notebook"] == nb]
            lines += ["", f"## {nb}: {sum(x['points'] for x in sub):g} / "
                          f"{sum(x['max_points'] for x in sub):g}", ""]
        mark = "✅ pass" if r["passed"] else "❌ fail"
        lines.append(f"- **{r['exercise']}** ({r['title']}): {mark}, "
                     f"{r['points']:g} / {r['max_points']:g}")
        if not r["passed"]:
            lines.append(f"  - {r['mistake']}")
            message = r.get("message", "")
            # the check's own message, less its "Likely mistake" line: that is the line above
            said = [ln for ln in message.splitlines()
                    if ln.strip() != f"Likely mistake: {r['mistake']}"]
            if said and said[0] not in r["mistake"]:
                lines.append("  - the check said:")
                lines.append("")
                lines += ["    " + ln for ln in said]
                lines.append("")
        if r.get("notes"):
            lines.append(f"  - note: {r['notes']}")
    return "\n".join(lines).rstrip() + "\n"


def write_feedback(rows, folder):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    students = sorted({r["student"] for r in rows})
    for s in students:
        (folder / f"{_safe(s)}.md").write_text(
            feedback(s, [r for r in rows if r["student"] == s]), encoding="utf-8")
    return students
