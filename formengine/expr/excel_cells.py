"""What a formula reads: the workbook cells an expression names, and what each one holds.

Cells show what a person typed, not the submitted value: a choice cell holds the option's
label (mapped back to its value through the hidden list sheet), a boolean cell ``是``/``否``, a
date cell a date serial. :class:`Operand` tells the translator what a cell holds; only field
types whose cell content *is* the engine's value are read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# A placeholder for "this row" in references of a table row, replaced by the renderer per row.
# Control characters cannot occur in an expression (the parser refuses them) nor in a sheet name.
ROW = "\x00ROW\x00"

# What parse_bool (formengine.fieldtypes) reads as true; Excel's "=" ignores case as it does.
TRUE_WORDS = ("是", "true", "yes", "y", "1", "有", "√")

NUMBER_TYPES = {"integer": 0, "rating": 0, "money": 2}  # field type → places (decimal/percent: own)
TEXT_TYPES = frozenset({"text", "textarea"})  # stored exactly as typed (trimmed by extraction)


@dataclass(frozen=True)
class Operand:
    """A cell (or range) a formula reads, and what it holds.

    ``ref`` is an A1 reference (``'立约人'!$C$5``; in a table row ``D`` + :data:`ROW`);
    ``type`` the field type of its content. ``labels`` = (labels range, values range) when the
    cell shows an option's label that differs from the value the engine sees.
    """

    ref: str
    type: str
    places: int = 2
    labels: tuple[str, str] | None = None


class Cells(Protocol):
    """Where the workbook keeps each value the expression names (None: nowhere readable)."""

    def field(self, name: str, where: str) -> Operand | None: ...

    def part(self, name: str, where: str, attr: str) -> Operand | None: ...

    def column(self, table: str, column: str) -> Operand | None: ...

    def grid(self, grid: str, row: str | None, column: str | None) -> Operand | None: ...

    def row_number(self) -> str | None: ...

    def level(self) -> str | None: ...
