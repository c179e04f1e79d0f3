"""Translate a checked expression into an Excel formula: the spreadsheet twin of :mod:`.to_js`.

A fillable workbook (``renderers/xlsx.py``) shows a computed field as a formula, so whoever
fills it in sees totals as they type. Only what Excel (and LibreOffice) compute exactly as the
engine does is translated; anything else raises :class:`Untranslatable` and the workbook says
the server computes that value instead. A cell showing no value is better than one showing a
wrong one.

How the engine's meaning is kept:

* **Empty values.** The engine's ``null`` is ``""`` in a cell. Arithmetic, comparisons and
  most functions give ``null`` when an argument is ``null``, whereas Excel reads an empty cell
  as 0. So every translated value carries the conditions under which it is ``null`` — in
  *stages*: the conditions of one stage may be evaluated together once every earlier stage is
  false (``b=0`` for a division is only safe once ``b`` is known to be filled). The closed
  formula is ``IF(stage1,"",IF(stage2,"",value))``. ``a if c else b`` tests ``c`` by its
  truth (``null`` counts as false, as in the engine), ``and``/``or`` follow the engine's
  three-valued logic, ``sum`` skips empty values and ``concat`` reads them as ``""``.
* **Cells show what a person typed**, not the submitted value: a choice cell holds the
  option's label (mapped back to its value through the hidden list sheet), a boolean cell
  ``是``/``否``, a date cell a date serial. :class:`Operand` tells the translator what a cell
  holds; only field types whose cell content *is* the engine's value are read (text with a
  normalising parser — phone, mobile, ID numbers — time and year-month are not).
* **Numbers.** Excel computes in binary floating point (15 significant digits), the engine in
  exact decimals; the renderer rounds a result to its field's places, as the engine does, so
  ordinary business figures agree. ``//`` and ``%`` (whose decimal and integer meanings
  differ), numbers turned into text with decimals (``TEXT`` format codes depend on the
  locale's decimal point) and 28-digit precision are not translated.
* **Locale.** Formulas are stored in the file in Excel's invariant (English) syntax; dates are
  turned into text with ``YEAR``/``MONTH``/``DAY``, never with locale-dependent ``TEXT``
  codes.

The parts: :mod:`.excel_value` (a translated value and its null stages), :mod:`.excel_cells`
(the cells a formula reads), :mod:`.excel_nodes` (operators, comparisons, if-else, and/or)
and :mod:`.excel_functions` (the functions); this module closes the formula and checks
Excel's limits.

Nothing written by the form author reaches the formula unquoted: text constants are Excel
string literals with ``"`` doubled, and cell references come from the renderer.
"""

from __future__ import annotations

from collections.abc import Sequence

from .check import Checked
from .excel_cells import ROW, TRUE_WORDS, Cells, Operand
from .excel_functions import Translator
from .excel_value import Finish, Untranslatable, close, same

MAX_FORMULA = 8000  # Excel allows 8,192 characters
MAX_NESTING = 60  # Excel allows 64 nested functions


def to_excel(checked: Checked, cells: Cells, finish: Finish = same, when: Sequence[Checked] = ()) -> str:
    """The formula (with its leading ``=``) computing *checked*, ``""`` where the engine gives null.

    ``finish(text, kind, places)`` turns the engine's value into what the cell shows (rounding
    to a field's places, a choice value into its label); it may raise :class:`Untranslatable`.
    ``when``: conditions (``visible_if``) that must all hold, else the cell is empty.
    Raises :class:`Untranslatable` when no faithful formula exists.
    """
    translator = Translator(checked, cells)
    body = close(translator.emit(checked.tree.body), finish)
    if when:
        tests = [Translator(c, cells).truth(c.tree.body) for c in when]
        body = f"IF({tests[0] if len(tests) == 1 else 'AND(' + ','.join(tests) + ')'},{body},\"\")"
    formula = "=" + body
    if len(formula) > MAX_FORMULA:
        raise Untranslatable(f"formula of {len(formula)} characters")
    if _nesting(formula) > MAX_NESTING:
        raise Untranslatable("formula nested too deeply")
    return formula


def _nesting(formula: str) -> int:
    depth = deepest = 0
    quoted = False
    for ch in formula:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif not quoted and ch == ")":
            depth -= 1
    return deepest


__all__ = ["ROW", "TRUE_WORDS", "Cells", "Finish", "Operand", "Untranslatable", "to_excel"]
