"""Formulas of a fillable workbook: where each value sits, and the formula of each computed field.

The expression translator (:mod:`formengine.expr.to_excel`) asks :class:`WorkbookCells` for
the cell of every name; this module answers from the positions the writer chose, and turns
the engine's value into what the cell shows (:func:`finisher`: money rounded to 2 places, a
choice value shown as its label …). Computed fields are translated in the engine's compute
order, and a name whose own value has no formula is not readable: a total must never be
built from a cell that only says "computed by the server".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from openpyxl.utils import get_column_letter

from formengine.expr.to_excel import ROW, Finish, Operand, Untranslatable, to_excel
from formengine.spec import Field, FormSpec, Lang

from .xlsx_layout import (
    FIRST_COL,
    LEVEL,
    PICTURE,
    VALUE_COL,
    GridSheet,
    Plan,
    SectionSheet,
    TableSheet,
    where_cell,
    word,
)

NUMBER_PLACES = {"integer": 0, "rating": 0, "money": 2}


@dataclass
class TablePlace:
    sheet: str
    columns: dict[str, int]  # column key → column number
    fields: dict[str, Field]  # column key → its field
    first: int  # first data row
    last: int  # last row formulas reach (the prepared rows end earlier)


@dataclass
class GridPlace:
    sheet: str
    rows: dict[str, int]
    columns: dict[str, int]
    cell: Field


@dataclass
class Places:
    """Where every value of the form sits in the workbook being written."""

    fields: dict[str, tuple[str, int, int, Field]] = field(default_factory=dict)  # key → sheet, row, col, field
    tables: dict[str, TablePlace] = field(default_factory=dict)
    grids: dict[str, GridPlace] = field(default_factory=dict)
    lists: dict[str, tuple[str, str]] = field(default_factory=dict)  # field key → (labels, values) ranges


def absolute(sheet: str, row: int, col: int) -> str:
    return where_cell(sheet, f"${get_column_letter(col)}${row}")


def span(sheet: str, row1: int, col1: int, row2: int, col2: int) -> str:
    a, b = get_column_letter(col1), get_column_letter(col2)
    return where_cell(sheet, f"${a}${row1}:${b}${row2}")


def _places(f: Field) -> int:
    return NUMBER_PLACES.get(f.type, f.places)


class WorkbookCells:
    """The :class:`~formengine.expr.to_excel.Cells` of one formula (a table row's, or the form's)."""

    def __init__(self, places: Places, ready: set[str], table: str | None = None):
        self.places = places
        self.ready = ready  # computed values that have a formula: "id" or "table.column"
        self.table = places.tables.get(table) if table else None
        self.table_id = table

    def _operand(self, ref: str, f: Field, key: str) -> Operand:
        return Operand(ref, f.type, _places(f), self.places.lists.get(key))

    def _readable(self, f: Field, key: str) -> bool:
        return f.compute is None or key in self.ready

    def field(self, name: str, where: str) -> Operand | None:
        if where == "row":
            return self._row(name)
        found = self.places.fields.get(name)
        if found is not None:
            sheet, row, col, f = found
            return self._operand(absolute(sheet, row, col), f, name) if self._readable(f, name) else None
        if name in self.places.grids:
            return Operand("", "grid")
        return None

    def _row(self, key: str) -> Operand | None:
        t = self.table
        if t is None or key not in t.columns:
            return None
        f = t.fields[key]
        name = key.partition(".")[0]
        if not self._readable(f, f"{self.table_id}.{name}"):
            return None
        return self._operand(f"{get_column_letter(t.columns[key])}{ROW}", f, f"{self.table_id}.{key}")

    def part(self, name: str, where: str, attr: str) -> Operand | None:
        key = f"{name}.{attr}"
        if where == "row":
            op = self._row(key)
        else:
            found = self.places.fields.get(key)
            op = None if found is None else Operand(absolute(found[0], found[1], found[2]), found[3].type)
        if op is None:
            return None
        part_type = {"date": "date", "start": "date", "end": "date", "name": "text"}.get(attr)
        if op.type == "year_month_range" or part_type is None:
            return None  # a year-month is text as typed, not the engine's "YYYY-MM"
        return Operand(op.ref, part_type)

    def column(self, table: str, column: str) -> Operand | None:
        t = self.places.tables.get(table)
        if t is None or column not in t.columns:
            return None
        f = t.fields[column]
        if not self._readable(f, f"{table}.{column}"):
            return None
        col = t.columns[column]
        return Operand(span(t.sheet, t.first, col, t.last, col), f.type, _places(f),
                       self.places.lists.get(f"{table}.{column}"))

    def grid(self, grid: str, row: str | None, column: str | None) -> Operand | None:
        g = self.places.grids.get(grid)
        if g is None or (row is not None and row not in g.rows) or (column is not None and column not in g.columns):
            return None
        rows = [g.rows[row]] if row is not None else list(g.rows.values())
        cols = [g.columns[column]] if column is not None else list(g.columns.values())
        ref = (absolute(g.sheet, rows[0], cols[0]) if len(rows) == len(cols) == 1
               else span(g.sheet, min(rows), min(cols), max(rows), max(cols)))
        return Operand(ref, g.cell.type, _places(g.cell), self.places.lists.get(grid))

    def row_number(self) -> str | None:
        return None if self.table is None else f"(ROW()-{self.table.first - 1})"

    def level(self) -> str | None:
        t = self.table
        if t is None or LEVEL not in t.columns:
            return None
        return f"{get_column_letter(t.columns[LEVEL])}{ROW}"


def finisher(f: Field, lang: Lang, labels: tuple[str, str] | None) -> Finish:
    """How the engine's value of a computed field becomes what its cell shows (semantics.coerce)."""

    def finish(text: str, kind: str, places: int | None) -> str:
        t = f.type
        if t in ("money", "decimal", "percent", "integer", "rating"):
            if kind != "number":
                raise Untranslatable(f"a {kind} stored in a {t} field")
            return f"ROUND({text},{_places(f)})"
        if t == "date":
            if kind != "date":
                raise Untranslatable(f"a {kind} stored in a date field")
            return text
        if t in ("text", "textarea"):
            if kind == "text":
                return text
            if kind == "number" and places == 0:
                return f"({text}&\"\")"
            raise Untranslatable(f"a {kind} stored as text")
        if t == "choice" and kind == "text":
            if labels is None:
                return text
            return f"IFERROR(INDEX({labels[0]},MATCH({text},{labels[1]},0)),{text})"
        if t == "boolean" and kind == "bool":
            return f'IF({text},"{word("yes", lang)}","{word("no", lang)}")'
        raise Untranslatable(f"a {kind} stored in a {t} field")
    return finish


@dataclass
class Formulas:
    """The formula of every computed value ("id" or "table.column"), or why it has none."""

    formulas: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)


def translate(spec: FormSpec, places: Places, lang: Lang) -> Formulas:
    out = Formulas()
    ready: set[str] = set()
    for owner, fid in spec.compute_order:
        if owner is None:
            f = spec.field(fid)
            key = fid
        else:
            container = spec.table(owner) or next(t for t in spec.trees if t.id == owner)
            f = next(c for c in container.columns if c.id == fid)
            key = f"{owner}.{fid}"
        assert f is not None and f.compute is not None
        try:
            formula = to_excel(f.compute.checked, WorkbookCells(places, ready, owner),
                               finisher(f, lang, places.lists.get(key)), [c.checked for c in f.visible_if])
        except Untranslatable as exc:
            out.reasons[key] = exc.reason
            continue
        out.formulas[key] = formula
        ready.add(key)
    return out


DATA_ROWS = 10_000  # rows of a table that validation and column formulas cover
FIRST_DATA_ROW = 4  # title, hidden key row and header come first


class ListSink(Protocol):
    def add(self, labels: list[str], values: list[str]) -> tuple[str, str]: ...


def locate(p: Plan, names: list[str], lists: ListSink, lang: Lang) -> Places:
    """Where each value of the plan goes, before anything is written (formulas point across sheets)."""
    places = Places()

    def choice_list(f: Field, key: str) -> None:
        # a label → value table, when cells show labels the engine does not see
        if f.choices is None or f.type not in ("choice", "multi_choice"):
            return
        labels = [o.label.get(lang) for o in f.choices.options]
        values = list(f.choices.values)
        if labels != values:
            places.lists[key] = lists.add(labels, values)

    for sheet, name in zip(p.sheets, names):
        if isinstance(sheet, SectionSheet):
            for r, row in enumerate(sheet.rows, start=1):
                if row.slot is not None and row.slot.field.type != PICTURE:  # a picture is no cell value
                    places.fields[row.slot.key] = (name, r, VALUE_COL, row.slot.field)
                    choice_list(row.slot.field, row.slot.field.id)
        elif isinstance(sheet, TableSheet):
            col = FIRST_COL + (1 if sheet.numbered else 0)
            columns = {s.key: col + i for i, s in enumerate(sheet.slots)}
            fields = {s.key: s.field for s in sheet.slots}
            places.tables[sheet.member.id] = TablePlace(name, columns, fields, FIRST_DATA_ROW,
                                                        FIRST_DATA_ROW + DATA_ROWS - 1)
            for s in sheet.slots:
                if s.part is None:
                    choice_list(s.field, f"{sheet.member.id}.{s.key}")
        elif isinstance(sheet, GridSheet):
            g = sheet.grid
            rows = {r.key: FIRST_DATA_ROW + i for i, r in enumerate(g.rows)}
            cols = {c.key: FIRST_COL + 1 + i for i, c in enumerate(g.columns)}
            places.grids[g.id] = GridPlace(name, rows, cols, g.cell)
            choice_list(g.cell, g.id)
    return places


def in_row(formula: str, row: int) -> str:
    return formula.replace(ROW, str(row))
