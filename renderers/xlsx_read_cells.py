"""Reading one cell of a filled workbook, and reporting a problem at its place.

The base of the reader (:mod:`.xlsx_read`): what a cell holds (a typed formula's last result),
whether its text is one the writer put there, and the issues — each with the cell it is about.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from typing import Any

from formengine.codes import Localized
from formengine.errors import ValidationIssue
from formengine.extraction import FORM_PROPERTY, Extracted
from formengine.spec import FormSpec

from .xlsx_formulas import locate, translate
from .xlsx_layout import STAMP_SHEET, GridSheet, TableSheet, plan, sheet_names, where_cell
from .xlsx_texts import TEXTS_COL, fixed_texts

MAX_OUTSIDE = 50  # text-outside issues reported per sheet


def cells_in_row(ws: Any, r: int, min_col: int = 1) -> list[Any]:
    """The cells row ``r`` has, from column ``min_col`` on."""
    return dict(cells_by_row(ws, min_row=r, min_col=min_col)).get(r, [])


def find_stamp_sheet(wb: Any) -> Any:
    for ws in wb.worksheets:
        if ws.title == STAMP_SHEET or ws.cell(1, 1).value == FORM_PROPERTY:
            return ws
    return None


def written_texts(wb: Any) -> set[str]:
    """The fixed texts the writer recorded (labels as they were when the file was made)."""
    ws = find_stamp_sheet(wb)
    if ws is None:
        return set()
    return {str(c.value) for _, cells in cells_by_row(ws, min_col=TEXTS_COL, max_col=TEXTS_COL) for c in cells
            if c.value is not None}


def cells_by_row(ws: Any, min_row: int = 1, min_col: int = 1, max_col: int | None = None) -> list[tuple[int, list[Any]]]:
    """The cells a sheet has, row by row (only rows that have one), each row's in column order.

    openpyxl's ``iter_rows`` walks the whole rectangle up to the farthest cell and makes every
    cell in it: one value typed far away (D1000000, XFD1048576) took gigabytes and minutes.
    """
    by_row: dict[int, list[Any]] = {}
    for cell in list(ws._cells.values()):  # openpyxl lists only the cells it has here (private)
        if cell.row >= min_row and cell.column >= min_col and (max_col is None or cell.column <= max_col):
            by_row.setdefault(cell.row, []).append(cell)
    return [(r, sorted(by_row[r], key=lambda c: c.column)) for r in sorted(by_row)]


class AnyList:
    """Stands in for the option lists when only whether a formula exists matters."""

    def add(self, labels: list[str], values: list[str]) -> tuple[str, str]:
        return "'_lists'!$A$1:$A$1", "'_lists'!$B$1:$B$1"


@dataclass
class Found:
    """A bound cell as found: where it is, and its content."""

    sheet: str
    coordinate: str
    raw: Any

    @property
    def where(self) -> str:
        return where_cell(self.sheet, self.coordinate)


@dataclass
class FoundRows:
    """What a table or tree sheet held."""

    sheet: str
    rows: list[tuple[int, dict[str, Found]]] = field(default_factory=list)  # (row number, key → cell)


def both(text: Any) -> Localized:
    """A label in both languages, for a message shown in either."""
    return Localized(text("zh"), text("en"))


class CellReader:
    """Reads cells and reports issues; :class:`~.xlsx_read_sheets.SheetScanner` walks the sheets."""

    def __init__(self, spec: FormSpec, wb: Any, content: bytes, out: Extracted):
        self.spec = spec
        self.wb = wb
        self.source = content
        self.out = out
        self.plan = plan(spec)
        self.allowed = fixed_texts(spec, "zh") | fixed_texts(spec, "en") | written_texts(wb)
        self.slots = {s.key: s for s in self.plan.slots()}
        self.tables = {s.member.id: s for s in self.plan.sheets if isinstance(s, TableSheet)}
        self.grids = {s.grid.id: s for s in self.plan.sheets if isinstance(s, GridSheet)}
        self.formula_keys = self._formula_keys()
        self._values: Any = None  # the workbook with cached formula results, loaded if needed
        self.outside_count: dict[str, int] = {}

    def _formula_keys(self) -> set[str]:
        """The computed values the writer gave a formula (the others show the server's value)."""
        names = sheet_names(self.plan.sheets, "zh")
        return set(translate(self.spec, locate(self.plan, names, AnyList(), "zh"), "zh").formulas)

    # ------------------------------------------------------------------ issues

    def issue(self, path: str, code: str, where: str = "", *, where_en: str | None = None, **params: Any) -> None:
        made = ValidationIssue.make(path, code, **params)
        self.out.issues.append(ValidationIssue(made.path, made.code, made.message_zh, made.message_en, made.params,
                                               where, where if where_en is None else where_en))

    def outside(self, sheet: str, cell: Any) -> None:
        self.outside_count[sheet] = self.outside_count.get(sheet, 0) + 1
        if self.outside_count[sheet] > MAX_OUTSIDE:  # a pasted block: the first ones make the point
            return
        text = str(cell.value).strip()
        shown = text if len(text) <= 40 else text[:40] + "…"
        self.issue("", "file_text_outside", where_cell(sheet, cell.coordinate), text=shown)

    def rule(self, path: str, where: str, zh: str, en: str) -> None:
        """A problem with the file's content that no field rule covers (the 'check' code's own text)."""
        self.issue(path, "check", where, message_zh=zh, message_en=en)

    # ------------------------------------------------------------------ one cell

    def fixed(self, cell: Any) -> bool:
        return isinstance(cell.value, str) and (cell.value in self.allowed or cell.value.strip() in self.allowed)

    def computed(self, sheet: str, cell: Any, key: str) -> None:
        """A computed cell: not read; but a typed value where the writer put a formula is reported."""
        if cell.data_type == "f" or key not in self.formula_keys:
            return
        self.outside(sheet, cell)

    def content(self, ws: Any, cell: Any) -> Any:
        """A cell's value; for a formula typed into an input cell, its last computed result."""
        if cell.data_type != "f":
            return cell.value
        if self._values is None:
            from openpyxl import load_workbook

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._values = load_workbook(io.BytesIO(self.source), data_only=True)
        cached = self._values[ws.title][cell.coordinate].value
        return cell.value if cached is None else cached  # no result saved: the formula as it stands
