"""Finding the bound cells of every sheet of a filled workbook by their keys, never by position.

A section sheet's hidden column A names the value in column C of the same row; a table, tree
or grid sheet's hidden key row names each column and its ``#header`` row marks where data rows
begin. Pictures are matched to the image field whose value cell holds their top-left corner.
What the scan finds is kept for :mod:`.xlsx_read` to assemble; what cannot be read right is
reported.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from formengine.codes import Localized
from formengine.extraction import Extracted
from formengine.spec import Field, FormSpec

from .xlsx_layout import (
    FIRST_COL,
    HEADER,
    KEY_COL,
    KEYS,
    LABEL_COL,
    LISTS_SHEET,
    NUMBER,
    PICTURE,
    STAMP_SHEET,
    TOTAL,
    VALUE_COL,
    GridSheet,
    Slot,
    TableSheet,
    where_cell,
    where_sheet,
)
from .xlsx_pictures import Drawn, drawn
from .xlsx_read_cells import (
    CellReader,
    Found,
    FoundRows,
    both,
    cells_by_row,
    cells_in_row,
    find_stamp_sheet,
)
from .xlsx_values import is_blank

MARKER = re.compile(r"^#(section|table|tree|grid)(?: ([a-z][a-z0-9_]*))?$")
MARKER_ROWS = 10  # markers are searched this far down column A (rows may be inserted above)
MAX_ROWS = 10_000  # rows of a table or tree read; a value typed farther down is reported instead


class SheetScanner(CellReader):
    """Walks every sheet and records the cells bound to each key (assembled by the reader)."""

    def __init__(self, spec: FormSpec, wb: Any, content: bytes, out: Extracted):
        super().__init__(spec, wb, content, out)
        self.found: dict[str, list[Found]] = {}
        self.table_rows: dict[str, list[FoundRows]] = {}
        self.grid_cells: dict[str, list[tuple[str, dict[str, dict[str, Found]]]]] = {}
        self.section_rows: dict[str, dict[int, str]] = {}  # section sheet → row → key
        self.pictures: dict[str, list[Drawn]] = {}  # image field key → the pictures at its cell

    def scan(self) -> None:
        """Every sheet's bound cells, and where each picture sits."""
        stamp_sheet = find_stamp_sheet(self.wb)
        for ws in self.wb.worksheets:
            if ws.title in (STAMP_SHEET, LISTS_SHEET) or ws is stamp_sheet:
                continue
            kind, ident, top = self.marker(ws)
            if kind == "section":
                self.section(ws)
            elif kind in ("table", "tree") and ident in self.tables:
                self.table(ws, self.tables[ident], top)
            elif kind == "grid" and ident in self.grids:
                self.grid(ws, self.grids[ident], top)
            elif kind is not None:
                self.issue("", "file_unknown_input", where_sheet(ws.title, "zh"), where_en=where_sheet(ws.title, "en"),
                           name=f"{kind} {ident}")
            else:
                for _, cells in cells_by_row(ws):
                    for cell in cells:
                        if not is_blank(cell.value):
                            self.outside(ws.title, cell)
        self.place_pictures()

    def place_pictures(self) -> None:
        """Each picture to the image field whose value cell holds its top-left corner."""
        with zipfile.ZipFile(io.BytesIO(self.source)) as package:
            found = drawn(package)
        for d in found:
            key = self.section_rows.get(d.sheet, {}).get(d.row or 0) if d.col == VALUE_COL else None
            if d.kind == "picture" and key is not None and self.slots[key].field.type == PICTURE:
                self.pictures.setdefault(key, []).append(d)
                continue
            where_zh = where_cell(d.sheet, d.coordinate) if d.coordinate else where_sheet(d.sheet, "zh")
            where_en = where_zh if d.coordinate else where_sheet(d.sheet, "en")
            if d.kind == "picture":
                text: Any = Localized(f"[图片 {d.name}]", f"[picture {d.name}]")
            else:
                text = d.name if len(d.name) <= 40 else d.name[:40] + "…"
            self.issue("", "file_text_outside", where_zh, where_en=where_en, text=text)

    def marker(self, ws: Any) -> tuple[str | None, str | None, int]:
        for r in range(1, MARKER_ROWS + 1):
            value = ws.cell(r, KEY_COL).value
            m = MARKER.match(value) if isinstance(value, str) else None
            if m:
                return m.group(1), m.group(2), r
        return None, None, 0

    def section(self, ws: Any) -> None:
        keys: dict[int, str] = {}
        for _, cells in cells_by_row(ws, max_col=KEY_COL):
            cell = cells[0]
            if is_blank(cell.value) or (isinstance(cell.value, str) and MARKER.match(cell.value)):
                continue
            key = str(cell.value).strip()
            if key not in self.slots:
                self.issue("", "file_unknown_input", where_cell(ws.title, cell.coordinate), name=key)
                continue
            keys[cell.row] = key
        self.section_rows[ws.title] = keys
        for r, key in keys.items():  # a bound row counts as present even when its value is empty
            cell = ws.cell(r, VALUE_COL)
            raw = None
            if self.slots[key].computed:
                if not is_blank(cell.value):
                    self.computed(ws.title, cell, key)
            elif self.slots[key].field.type == PICTURE:  # the value is a picture; the cell only says so
                if not is_blank(cell.value) and not self.fixed(cell):
                    self.picture_cell(ws.title, cell, self.slots[key].field)
            elif not is_blank(cell.value):
                raw = self.content(ws, cell)
            self.found.setdefault(key, []).append(Found(ws.title, cell.coordinate, raw))
        for _, cells in cells_by_row(ws, min_col=LABEL_COL):
            for cell in cells:
                if is_blank(cell.value) or (cell.column == VALUE_COL and cell.row in keys):
                    continue
                if not self.fixed(cell):
                    self.outside(ws.title, cell)

    def picture_cell(self, sheet: str, cell: Any, f: Field) -> None:
        """Something other than the placeholder in an image field's cell: a picture placed *in*
        the cell (Excel 365's "Place in Cell" stores it as a cell value, shown as #VALUE! to
        older readers), or typed text. Neither is a picture over the cell, so neither is read."""
        where = where_cell(sheet, cell.coordinate)
        if cell.data_type == "e" and self.has_part("xl/richData/"):
            self.rule(f.id, where, "图片放进了单元格内；请改为插入浮于单元格上方的图片",
                      "The picture was placed in the cell; insert it over the cells instead (Place over Cells)")
            return
        shown = str(cell.value).strip()
        shown = shown if len(shown) <= 40 else shown[:40] + "…"
        self.rule(f.id, where, f"图片格中输入了文字“{shown}”；请在此格插入图片本身",
                  f"Text “{shown}” was typed into the picture's cell; insert the picture itself")

    def has_part(self, prefix: str) -> bool:
        with zipfile.ZipFile(io.BytesIO(self.source)) as package:
            return any(name.startswith(prefix) for name in package.namelist())

    # ------------------------------------------------------------------ tables and trees

    def marked_rows(self, ws: Any, top: int, member_id: str, name: Any) -> tuple[int, int] | None:
        """The hidden key row and the header row of a table or grid sheet; None (reported) when lost."""
        keys_row, header_row = self.header_rows(ws, top)
        if keys_row is None or header_row is None:
            self.issue(member_id, "file_missing_input", where_sheet(ws.title, "zh"), where_en=where_sheet(ws.title, "en"),
                       label=both(name))
            return None
        return keys_row, header_row

    def header_rows(self, ws: Any, top: int) -> tuple[int | None, int | None]:
        keys_row = header_row = None
        for r in range(top, top + MARKER_ROWS):
            value = ws.cell(r, KEY_COL).value
            if value == KEYS and keys_row is None:
                keys_row = r
            elif value == HEADER and header_row is None:
                header_row = r
        return keys_row, header_row

    def table(self, ws: Any, sheet: TableSheet, top: int) -> None:
        member = sheet.member
        marked = self.marked_rows(ws, top, member.id, sheet.name)
        if marked is None:
            return
        keys_row, header_row = marked
        expected = {s.key: s for s in sheet.slots}
        columns = self.key_columns(ws, keys_row, expected, extra=(NUMBER,) if sheet.numbered else ())
        for name, slot in expected.items():
            if name not in columns.values():
                self.issue(member.id, "file_missing_input", where_sheet(ws.title, "zh"),
                           where_en=where_sheet(ws.title, "en"), label=both(lambda lang, s=slot: f"{sheet.name(lang)}：{s.label(lang, in_table=True)}"))
        below: dict[int, dict[str, Found]] = {}  # the rows below the header the sheet has
        for r, row in cells_by_row(ws):
            values: dict[str, Found] = {}
            for cell in row:
                if is_blank(cell.value):
                    continue
                key = columns.get(cell.column)
                if r <= header_row:
                    if cell.column == KEY_COL or r == keys_row or self.fixed(cell):
                        continue
                    self.outside(ws.title, cell)
                elif key is None or key == NUMBER:
                    if key == NUMBER and cell.data_type == "f":
                        continue
                    if cell.column == KEY_COL and isinstance(cell.value, str) and MARKER.match(cell.value):
                        continue
                    self.outside(ws.title, cell)
                elif expected[key].computed:
                    self.computed(ws.title, cell, f"{member.id}.{expected[key].field.id}")
                else:
                    values[key] = Found(ws.title, cell.coordinate, self.content(ws, cell))
            if r > header_row:
                below[r] = values
        # every row down to the last one holding a value, blank rows included (a gap is reported)
        last = max((r for r, values in below.items() if values), default=header_row)
        if last > header_row + MAX_ROWS:  # not a million blank rows read before it
            far = next(iter(below[last].values()))
            self.rule(member.id, far.where, f"第 {last} 行有内容，超出表格可读的 {MAX_ROWS} 行",
                      f"Row {last} holds a value, beyond the {MAX_ROWS} rows a table is read to")
            last = header_row + MAX_ROWS
        found = FoundRows(ws.title, [(r, below.get(r, {})) for r in range(header_row + 1, last + 1)])
        self.table_rows.setdefault(member.id, []).append(found)

    def key_columns(self, ws: Any, keys_row: int, expected: dict[str, Slot], extra: tuple[str, ...] = ()) -> dict[int, str]:
        columns: dict[int, str] = {}
        seen: dict[str, list[str]] = {}
        for cell in cells_in_row(ws, keys_row, FIRST_COL):
            if is_blank(cell.value):
                continue
            key = str(cell.value).strip()
            if key not in expected and key not in extra:
                self.issue("", "file_unknown_input", where_cell(ws.title, cell.coordinate), name=key)
                continue
            seen.setdefault(key, []).append(cell.coordinate)
            if len(seen[key]) == 1:
                columns[cell.column] = key
        for key, cells in seen.items():
            if len(cells) > 1 and key in expected:
                self.issue("", "file_duplicate_input", where_cell(ws.title, cells[1]),
                           label=both(lambda lang, s=expected[key]: s.label(lang, in_table=True)), count=len(cells))
        return columns

    # ------------------------------------------------------------------ grids

    def grid(self, ws: Any, sheet: GridSheet, top: int) -> None:
        g = sheet.grid
        marked = self.marked_rows(ws, top, g.id, sheet.name)
        if marked is None:
            return
        keys_row, header_row = marked
        column_keys = {c.key for c in g.columns}
        columns: dict[int, str] = {}
        column_cells: dict[str, list[str]] = {}  # a column key → the key cells naming it
        for cell in cells_in_row(ws, keys_row, FIRST_COL):
            if is_blank(cell.value):
                continue
            key = str(cell.value)
            if key in column_keys or key == TOTAL:
                column_cells.setdefault(key, []).append(cell.coordinate)
                if len(column_cells[key]) == 1:  # a copied column is not read: its cells are outside
                    columns[cell.column] = key
            else:
                self.issue("", "file_unknown_input", where_cell(ws.title, cell.coordinate), name=key)
        row_keys = {r.key for r in g.rows}
        rows: dict[str, dict[str, Found]] = {}
        row_cells: dict[str, list[str]] = {}  # a row key → the key cells naming it
        for r, row in cells_by_row(ws):
            key_cell = ws.cell(r, KEY_COL).value
            rkey = None if is_blank(key_cell) else str(key_cell)
            if r > header_row and rkey is not None and rkey not in row_keys and rkey != TOTAL:
                self.issue("", "file_unknown_input", where_cell(ws.title, f"A{r}"), name=rkey)
                rkey = None
            if r > header_row and rkey in row_keys:
                row_cells.setdefault(rkey, []).append(f"A{r}")
                if len(row_cells[rkey]) > 1:  # a copied row: which one is meant cannot be told
                    continue
                rows[rkey] = {}
            for cell in row:
                if is_blank(cell.value) or cell.column == KEY_COL:
                    continue
                ckey = columns.get(cell.column)
                if r <= header_row:
                    if r != keys_row and not self.fixed(cell):
                        self.outside(ws.title, cell)
                elif rkey == TOTAL or ckey == TOTAL:
                    if cell.data_type != "f" and not (cell.column == FIRST_COL and self.fixed(cell)):
                        self.outside(ws.title, cell)
                elif rkey is not None and ckey is not None:
                    rows[rkey][ckey] = Found(ws.title, cell.coordinate, self.content(ws, cell))
                elif not (cell.column == FIRST_COL and self.fixed(cell)):
                    self.outside(ws.title, cell)
        for axis, found in ((g.columns, column_cells), (g.rows, row_cells)):
            for item in axis:
                cells = found.get(item.key, [])
                if len(cells) > 1:
                    self.issue(g.id, "file_duplicate_input", where_cell(ws.title, cells[1]), count=len(cells),
                               label=both(lambda lang, t=item.label: f"{sheet.name(lang)}：{t.get(lang)}"))
        missing = [c.label for c in g.columns if c.key not in columns.values()]
        missing += [r.label for r in g.rows if r.key not in rows]
        for label in missing:
            self.issue(g.id, "file_missing_input", where_sheet(ws.title, "zh"), where_en=where_sheet(ws.title, "en"),
                       label=both(lambda lang, t=label: f"{sheet.name(lang)}：{t.get(lang)}"))
        self.grid_cells.setdefault(g.id, []).append((ws.title, rows))
