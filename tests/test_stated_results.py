"""Every result a notebook's text states is printed by one of its cells.

The project's promise is that every number a reader sees is computed, not pasted in. nbval
guards the outputs; this test guards the prose around them. It reads each notebook's markdown,
picks out the numbers that look like *results* — anything written with an exponent (``1e-10``,
``$3\\cdot 10^{-4}$``, ``$10^{-8}$``) and anything with three or more significant digits
(``0.4873``, ``1342``, ``111210``) — and fails on one that no stored output of the same notebook
shows, to the digits the text gives.

Not results, and so not checked: the **settings** listed in ``SETTINGS`` (sizes, seeds, steps,
learning rates, finite-difference steps ε, tolerances and the like: numbers the author chose,
which a cell uses rather than prints), equation numbers such as "(81)" or "(1)–(86)", numbers in
code spans, links and ``\\tag{}``, and numbers with fewer than three significant digits and no
exponent ("0.3", "640", "4 digits"), which the text uses as approximate words.
"""

import json
import math
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

# Values the notebooks *choose*: sizes n, d_in, d1, d2, d_out and widths, training steps,
# learning rates, finite-difference steps, tolerances and bounds used by assertions, and years in
# citations. A stated number equal to one of these is a setting, not a result.
SETTINGS = {
    # sizes and step counts
    100, 256, 300, 500, 512, 1000, 1024, 2048,
    # learning rates
    1e-6, 2e-5, 1e-4, 1.25e-4, 3e-4, 5e-4, 2e-3,
    # finite-difference steps ε and the ranges they are swept over
    1e-1, 1e-2, 1e-5, 1e-12,
    # tolerances and the bounds the assertions use
    1e-3, 1e-7, 1e-8, 1e-14, 1e4,   # (1e-4, 1e-6 and 1e-12 are listed above)
    # years of the cited works
    2020, 2021,
}

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_LATEX_POW = re.compile(
    r"(?:(\d+(?:\.\d+)?)\s*\\(?:times|cdot)\s*)?10\^\{?(-?\d+)\}?")
_PLAIN = re.compile(r"(?<![\w.])(-?\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?)(?![\w.])")
_UNICODE_POW = re.compile(r"(?:(\d+(?:\.\d+)?)\s*[×·]\s*)?10([⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)")


def _sig_digits(token):
    """Significant digits of a number as written: '0.4873' -> 4, '1342' -> 4, '640' -> 2."""
    mantissa = re.split(r"[eE]", token.replace(",", "").lstrip("-"))[0]
    if "." in mantissa:
        digits = mantissa.replace(".", "").lstrip("0")
        return len(digits)
    return len(mantissa.strip("0")) if mantissa.strip("0") else 1


def _strip(markdown):
    """Markdown without code, links' targets, equation tags and equation references."""
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)                       # link targets
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"\\tag\{[^}]*\}", " ", text)
    text = re.sub(r"\((\d{1,2})\)(?:\s*[–-]\s*\((\d{1,2})\))?", " ", text)   # (81), (1)–(86)
    text = re.sub(r"\(\d{1,2} = \d{1,2}\)", " ", text)              # (34 = 83)
    text = re.sub(r"\b\d{2} · ", " ", text)                           # "07 · Gradient checking"
    text = re.sub(r"Python \d+\.\d+", " ", text)                         # a version, not a number
    return text


def stated_results(markdown):
    """[(value, significant digits, as written)] for the numbers in the text that are results."""
    text, found = _strip(markdown), []

    def power(match):
        mantissa, exponent = match.group(1), match.group(2)
        value = float(mantissa or 1) * 10.0 ** int(exponent)
        digits = _sig_digits(mantissa) if mantissa else 1
        found.append((value, digits, match.group(0)))
        return " "

    text = _LATEX_POW.sub(power, text)
    text = _UNICODE_POW.sub(lambda m: power(_Fake(m.group(1), m.group(2).translate(_SUPERSCRIPT),
                                                  m.group(0))), text)
    for match in _PLAIN.finditer(text):
        token = match.group(1)
        has_exponent = "e" in token.lower()
        digits = _sig_digits(token)
        if has_exponent or digits >= 3:
            found.append((float(token.replace(",", "")), digits, token))
    return [(v, d, w) for v, d, w in found if not _is_setting(v)]


class _Fake:
    """A regex match stand-in for unicode powers (10⁻⁵)."""

    def __init__(self, mantissa, exponent, whole):
        self._groups = (whole, mantissa, exponent)

    def group(self, i):
        return self._groups[i]


def _is_setting(value):
    return any(math.isclose(value, s, rel_tol=1e-9) for s in SETTINGS)


def shown_numbers(nb):
    """Every number in the stored outputs of a notebook (text, markdown and HTML outputs)."""
    texts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            texts.append("".join(out.get("text", "")))
            data = out.get("data", {})
            for kind in ("text/plain", "text/markdown", "text/html"):
                if kind in data and "<Figure size" not in "".join(data[kind]):
                    texts.append("".join(data[kind]))
    numbers = []
    for text in texts:
        for match in _LATEX_POW.finditer(text):
            numbers.append(float(match.group(1) or 1) * 10.0 ** int(match.group(2)))
        for match in _PLAIN.finditer(text.replace("−", "-")):
            numbers.append(float(match.group(1).replace(",", "")))
    return numbers


def _rounds_to(shown, value, digits):
    """Whether ``shown`` rounded to ``digits`` significant digits is ``value``."""
    if value == 0:
        return shown == 0
    if shown == 0:
        return False
    exponent = math.floor(math.log10(abs(value)))
    half_unit = 0.5 * 10.0 ** (exponent - digits + 1)        # half a unit in the last stated digit
    return math.isclose(abs(shown), abs(value), rel_tol=0, abs_tol=half_unit * (1 + 1e-9))


def unshown(nb):
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    shown = shown_numbers(nb)
    return [written for value, digits, written in stated_results(markdown)
            if not any(_rounds_to(s, value, digits) for s in shown)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_stated_result_is_printed(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    missing = unshown(nb)
    assert not missing, (f"{path.name} states {missing} in its text, but no output of the notebook "
                         "shows it: print it in a cell, or add it to SETTINGS if it is a setting")


def test_the_scanner_finds_results_and_skips_settings_and_equation_numbers():
    text = ("errors around $10^{-10}$ and 1e-9, a loss of 1342 and 0.4873, lr $3\\cdot 10^{-4}$, "
            "eqs. (81)–(86), `x = 12345`, 0.3 and 640, [01 · Derivation](01_derivation.ipynb)")
    written = [w for _, _, w in stated_results(text)]
    assert written == ["10^{-10}", "1e-9", "1342", "0.4873"], written      # 3e-4 is a setting


def test_a_stated_number_matches_an_output_only_to_its_own_digits():
    nb = {"cells": [{"cell_type": "markdown", "source": "L falls to 0.0849 and 2.4e-07, about "
                     "$2\\cdot 10^{-7}$, and 123.4"},
                    {"cell_type": "code", "source": "", "outputs": [
                        {"output_type": "stream", "name": "stdout",
                         "text": "L = 0.0849, spacing 2.4e-07, other 123.5\n"}]}]}
    assert unshown(nb) == ["123.4"]
