"""Reading a filled fillable workbook back into a submission (``XlsxRenderer.extract``).

Cells are found by their keys, never by position or sheet name: a section sheet's hidden
column A names the value in column C of the same row; a table, tree or grid sheet's hidden key
row names each column and its ``#header`` row marks where data rows begin, so rows inserted
or typed below, sheets renamed or reordered are all read right. What cannot be read right is
reported instead of guessed: a value in a locked or unbound cell (``file_text_outside``), a
deleted sheet, row or column (``file_missing_input``), a key the form does not have
(``file_unknown_input``), a key found twice (``file_duplicate_input``: a copied grid row or
column too, whose cells are not read). Computed cells are not read (the server computes them),
but a formula replaced by a typed value is reported. Only the cells the file has are looked
at, so a value typed far away costs nothing; a table is read down to its last value, at most
``MAX_ROWS`` rows (a value farther down is reported, not read after a million blank rows).

Pictures are read from the package (``xlsx_pictures.py``): a picture whose top-left corner is
in an image field's value cell is that field's value — ``{name, width, height, bytes,
format}``, measured from the embedded image file (``xlsx_imagefile.py``), never from the
drawing's display size; two there are ``file_duplicate_input``; a picture anywhere else, and
text typed into a text box, are ``file_text_outside`` with their cell. Text typed into an
image field's cell, or a picture placed *in* it (Excel 365's "Place in Cell", a cell value
this reader does not take), is reported at the field.

Every value is recorded with its place — ``'货品明细'!E7`` — so validation errors name it.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from typing import Any

from formengine.codes import Localized
from formengine.errors import ValidationIssue
from formengine.extraction import (
    DAMAGED_ZIP,
    FATAL,
    FORM_PROPERTY,
    SHAPE_PROPERTY,
    Extracted,
    ExtractError,
    check_package,
    check_stamp,
)
from formengine.spec import Field, FormSpec, Table, Tree

from .xlsx import TEXTS_COL, fixed_texts
from .xlsx_formulas import locate, translate
from .xlsx_imagefile import measure
from .xlsx_layout import (
    FIRST_COL,
    HEADER,
    KEY_COL,
    KEYS,
    LABEL_COL,
    LEVEL,
    LISTS_SHEET,
    NUMBER,
    PICTURE,
    STAMP_SHEET,
    TOTAL,
    VALUE_COL,
    GridSheet,
    Slot,
    TableSheet,
    plan,
    sheet_names,
    where_cell,
    where_row,
    where_sheet,
)
from .xlsx_pictures import Drawn, drawn
from .xlsx_values import is_blank, mark, split_choices, submitted

_MARKER = re.compile(r"^#(section|table|tree|grid)(?: ([a-z][a-z0-9_]*))?$")
MAX_OUTSIDE = 50  # text-outside issues reported per sheet
_MARKER_ROWS = 10  # markers are searched this far down column A (rows may be inserted above)
MAX_ROWS = 10_000  # rows of a table or tree read; a value typed farther down is reported instead


def extract(form: Any, content: bytes) -> Extracted:
    wb = _load(content)
    out = Extracted(issues=check_stamp(form, _stamp(wb)))
    if any(i.code in FATAL for i in out.issues):
        return out
    _Reader(form.spec, wb, content, out).read()
    return out


def _load(content: bytes) -> Any:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            check_package(z)
    except DAMAGED_ZIP as exc:
        raise ExtractError(f"not a readable zip file ({exc})"[:300]) from None
    try:
        with warnings.catch_warnings():  # openpyxl warns about parts it skips; the issues say what matters
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(content))
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise ExtractError(f"damaged workbook ({type(exc).__name__}: {exc})"[:300]) from None


def _stamp(wb: Any) -> dict[str, str]:
    """The stamp from the custom document properties, else from the hidden stamp sheet."""
    found: dict[str, str] = {}
    try:
        for prop in wb.custom_doc_props:
            if prop.name in (FORM_PROPERTY, SHAPE_PROPERTY) and prop.value is not None:
                found[prop.name] = str(prop.value)
    except (AttributeError, TypeError):  # no custom properties part
        pass
    if found.get(FORM_PROPERTY):
        return found
    ws = _stamp_sheet(wb)
    if ws is not None:
        rows = {str(r[0]): str(r[1]) for r in ws.iter_rows(min_row=1, max_row=10, max_col=2, values_only=True)
                if r[0] is not None and r[1] is not None}
        return {k: v for k, v in rows.items() if k in (FORM_PROPERTY, SHAPE_PROPERTY)}
    return found


def _row(ws: Any, r: int, min_col: int = 1) -> list[Any]:
    """The cells row ``r`` has, from column ``min_col`` on."""
    return dict(_rows(ws, min_row=r, min_col=min_col)).get(r, [])


def _stamp_sheet(wb: Any) -> Any:
    for ws in wb.worksheets:
        if ws.title == STAMP_SHEET or ws.cell(1, 1).value == FORM_PROPERTY:
            return ws
    return None


def _written_texts(wb: Any) -> set[str]:
    """The fixed texts the writer recorded (labels as they were when the file was made)."""
    ws = _stamp_sheet(wb)
    if ws is None:
        return set()
    return {str(c.value) for _, cells in _rows(ws, min_col=TEXTS_COL, max_col=TEXTS_COL) for c in cells
            if c.value is not None}


def _rows(ws: Any, min_row: int = 1, min_col: int = 1, max_col: int | None = None) -> list[tuple[int, list[Any]]]:
    """The cells a sheet has, row by row (only rows that have one), each row's in column order.

    openpyxl's ``iter_rows`` walks the whole rectangle up to the farthest cell and makes every
    cell in it: one value typed far away (D1000000, XFD1048576) took gigabytes and minutes.
    """
    by_row: dict[int, list[Any]] = {}
    for cell in list(ws._cells.values()):  # openpyxl lists only the cells it has here (private)
        if cell.row >= min_row and cell.column >= min_col and (max_col is None or cell.column <= max_col):
            by_row.setdefault(cell.row, []).append(cell)
    return [(r, sorted(by_row[r], key=lambda c: c.column)) for r in sorted(by_row)]


class _AnyList:
    """Stands in for the option lists when only whether a formula exists matters."""

    def add(self, labels: list[str], values: list[str]) -> tuple[str, str]:
        return "'_lists'!$A$1:$A$1", "'_lists'!$B$1:$B$1"


@dataclass
class _Found:
    """A bound cell as found: where it is, and its content."""

    sheet: str
    coordinate: str
    raw: Any

    @property
    def where(self) -> str:
        return where_cell(self.sheet, self.coordinate)


@dataclass
class _Rows:
    """What a table or tree sheet held."""

    sheet: str
    rows: list[tuple[int, dict[str, _Found]]] = field(default_factory=list)  # (row number, key → cell)


class _Reader:
    def __init__(self, spec: FormSpec, wb: Any, content: bytes, out: Extracted):
        self.spec = spec
        self.wb = wb
        self.source = content
        self.out = out
        self.plan = plan(spec)
        self.allowed = fixed_texts(spec, "zh") | fixed_texts(spec, "en") | _written_texts(wb)
        self.slots = {s.key: s for s in self.plan.slots()}
        self.tables = {s.member.id: s for s in self.plan.sheets if isinstance(s, TableSheet)}
        self.grids = {s.grid.id: s for s in self.plan.sheets if isinstance(s, GridSheet)}
        self.found: dict[str, list[_Found]] = {}
        self.table_rows: dict[str, list[_Rows]] = {}
        self.grid_cells: dict[str, list[tuple[str, dict[str, dict[str, _Found]]]]] = {}
        self.formula_keys = self._formula_keys()
        self._values: Any = None  # the workbook with cached formula results, loaded if needed
        self.outside_count: dict[str, int] = {}
        self.section_rows: dict[str, dict[int, str]] = {}  # section sheet → row → key
        self.pictures: dict[str, list[Drawn]] = {}  # image field key → the pictures at its cell

    def _formula_keys(self) -> set[str]:
        """The computed values the writer gave a formula (the others show the server's value)."""
        names = sheet_names(self.plan.sheets, "zh")
        return set(translate(self.spec, locate(self.plan, names, _AnyList(), "zh"), "zh").formulas)

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

    # ------------------------------------------------------------------ sheets

    def read(self) -> None:
        stamp_sheet = _stamp_sheet(self.wb)
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
                for _, cells in _rows(ws):
                    for cell in cells:
                        if not is_blank(cell.value):
                            self.outside(ws.title, cell)
        self.place_pictures()
        self.assemble()

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
        for r in range(1, _MARKER_ROWS + 1):
            value = ws.cell(r, KEY_COL).value
            m = _MARKER.match(value) if isinstance(value, str) else None
            if m:
                return m.group(1), m.group(2), r
        return None, None, 0

    def section(self, ws: Any) -> None:
        keys: dict[int, str] = {}
        for _, cells in _rows(ws, max_col=KEY_COL):
            cell = cells[0]
            if is_blank(cell.value) or (isinstance(cell.value, str) and _MARKER.match(cell.value)):
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
            self.found.setdefault(key, []).append(_Found(ws.title, cell.coordinate, raw))
        for _, cells in _rows(ws, min_col=LABEL_COL):
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

    # ------------------------------------------------------------------ tables and trees

    def marked_rows(self, ws: Any, top: int, member_id: str, name: Any) -> tuple[int, int] | None:
        """The hidden key row and the header row of a table or grid sheet; None (reported) when lost."""
        keys_row, header_row = self.header_rows(ws, top)
        if keys_row is None or header_row is None:
            self.issue(member_id, "file_missing_input", where_sheet(ws.title, "zh"), where_en=where_sheet(ws.title, "en"),
                       label=_both(name))
            return None
        return keys_row, header_row

    def header_rows(self, ws: Any, top: int) -> tuple[int | None, int | None]:
        keys_row = header_row = None
        for r in range(top, top + _MARKER_ROWS):
            value = ws.cell(r, KEY_COL).value
            if value == KEYS and keys_row is None:
                keys_row = r
            elif value == HEADER and header_row is None:
                header_row = r
        return keys_row, header_row

    def table(self, ws: Any, sheet: TableSheet, top: int) -> None:
        member = sheet.member
        rows = self.marked_rows(ws, top, member.id, sheet.name)
        if rows is None:
            return
        keys_row, header_row = rows
        expected = {s.key: s for s in sheet.slots}
        columns = self.key_columns(ws, keys_row, expected, extra=(NUMBER,) if sheet.numbered else ())
        for name, slot in expected.items():
            if name not in columns.values():
                self.issue(member.id, "file_missing_input", where_sheet(ws.title, "zh"),
                           where_en=where_sheet(ws.title, "en"), label=_both(lambda lang, s=slot: f"{sheet.name(lang)}：{s.label(lang, in_table=True)}"))
        below: dict[int, dict[str, _Found]] = {}  # the rows below the header the sheet has
        for r, row in _rows(ws):
            values: dict[str, _Found] = {}
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
                    if cell.column == KEY_COL and isinstance(cell.value, str) and _MARKER.match(cell.value):
                        continue
                    self.outside(ws.title, cell)
                elif expected[key].computed:
                    self.computed(ws.title, cell, f"{member.id}.{expected[key].field.id}")
                else:
                    values[key] = _Found(ws.title, cell.coordinate, self.content(ws, cell))
            if r > header_row:
                below[r] = values
        # every row down to the last one holding a value, blank rows included (a gap is reported)
        last = max((r for r, values in below.items() if values), default=header_row)
        if last > header_row + MAX_ROWS:  # not a million blank rows read before it
            far = next(iter(below[last].values()))
            self.rule(member.id, far.where, f"第 {last} 行有内容，超出表格可读的 {MAX_ROWS} 行",
                      f"Row {last} holds a value, beyond the {MAX_ROWS} rows a table is read to")
            last = header_row + MAX_ROWS
        found = _Rows(ws.title, [(r, below.get(r, {})) for r in range(header_row + 1, last + 1)])
        self.table_rows.setdefault(member.id, []).append(found)

    def key_columns(self, ws: Any, keys_row: int, expected: dict[str, Slot], extra: tuple[str, ...] = ()) -> dict[int, str]:
        columns: dict[int, str] = {}
        seen: dict[str, list[str]] = {}
        for cell in _row(ws, keys_row, FIRST_COL):
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
                           label=_both(lambda lang, s=expected[key]: s.label(lang, in_table=True)), count=len(cells))
        return columns

    # ------------------------------------------------------------------ grids

    def grid(self, ws: Any, sheet: GridSheet, top: int) -> None:
        g = sheet.grid
        rows = self.marked_rows(ws, top, g.id, sheet.name)
        if rows is None:
            return
        keys_row, header_row = rows
        column_keys = {c.key for c in g.columns}
        columns: dict[int, str] = {}
        column_cells: dict[str, list[str]] = {}  # a column key → the key cells naming it
        for cell in _row(ws, keys_row, FIRST_COL):
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
        rows: dict[str, dict[str, _Found]] = {}
        row_cells: dict[str, list[str]] = {}  # a row key → the key cells naming it
        for r, row in _rows(ws):
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
                    rows[rkey][ckey] = _Found(ws.title, cell.coordinate, self.content(ws, cell))
                elif not (cell.column == FIRST_COL and self.fixed(cell)):
                    self.outside(ws.title, cell)
        for axis, found in ((g.columns, column_cells), (g.rows, row_cells)):
            for item in axis:
                cells = found.get(item.key, [])
                if len(cells) > 1:
                    self.issue(g.id, "file_duplicate_input", where_cell(ws.title, cells[1]), count=len(cells),
                               label=_both(lambda lang, t=item.label: f"{sheet.name(lang)}：{t.get(lang)}"))
        missing = [c.label for c in g.columns if c.key not in columns.values()]
        missing += [r.label for r in g.rows if r.key not in rows]
        for label in missing:
            self.issue(g.id, "file_missing_input", where_sheet(ws.title, "zh"), where_en=where_sheet(ws.title, "en"),
                       label=_both(lambda lang, t=label: f"{sheet.name(lang)}：{t.get(lang)}"))
        self.grid_cells.setdefault(g.id, []).append((ws.title, rows))

    # ------------------------------------------------------------------ the submission

    def assemble(self) -> None:
        self.assemble_fields()
        self.assemble_tables()
        self.assemble_grids()

    def assemble_fields(self) -> None:
        for key, slot in self.slots.items():
            cells = self.found.get(key, [])
            if not cells:
                self.issue(slot.field.id, "file_missing_input", label=_both(slot.label))
            elif len(cells) > 1:
                self.issue(slot.field.id, "file_duplicate_input", cells[1].where, label=_both(slot.label),
                           count=len(cells))
        done: set[str] = set()
        for slot in self.slots.values():
            f = slot.field
            if f.id in done or f.compute is not None:
                continue
            done.add(f.id)
            value, where = self.field_value(f)
            if where:
                self.out.put(f.id, where, where)
            if value is not None:
                self.out.data[f.id] = value

    def assemble_tables(self) -> None:
        for tid, sheet in self.tables.items():
            found = self.table_rows.get(tid, [])
            if not found:
                self.issue(tid, "file_missing_input", label=_both(sheet.name))
                continue
            if len(found) > 1:
                self.issue(tid, "file_duplicate_input", where_sheet(found[1].sheet, "zh"),
                           where_en=where_sheet(found[1].sheet, "en"), label=_both(sheet.name), count=len(found))
            self.out.put(tid, where_sheet(found[0].sheet, "zh"), where_sheet(found[0].sheet, "en"))
            rows = self.tree_rows(sheet, found[0]) if sheet.is_tree else self.rows(sheet, found[0], tid)
            if rows:
                self.out.data[tid] = rows

    def assemble_grids(self) -> None:
        for gid, sheet in self.grids.items():
            cells = self.grid_cells.get(gid, [])
            if not cells:
                self.issue(gid, "file_missing_input", label=_both(sheet.name))
                continue
            if len(cells) > 1:
                self.issue(gid, "file_duplicate_input", where_sheet(cells[1][0], "zh"),
                           where_en=where_sheet(cells[1][0], "en"), label=_both(sheet.name), count=len(cells))
            self.out.put(gid, where_sheet(cells[0][0], "zh"), where_sheet(cells[0][0], "en"))
            value = self.grid_value(sheet, cells[0][1])
            if value:
                self.out.data[gid] = value

    def cell(self, key: str) -> _Found | None:
        cells = self.found.get(key)
        return cells[0] if cells else None

    def field_value(self, f: Field) -> tuple[Any, str]:
        """A field's submitted value from its section cells, and where it sits."""
        return self.value_of(f, lambda key: self.cell(key), f.id)

    def value_of(self, f: Field, get: Any, path: str, *, in_table: bool = False) -> tuple[Any, str]:
        """A field's value from the cells ``get(key)`` returns (section rows or a table row)."""
        key = f.id
        if f.type == PICTURE:
            return self.picture(f, get(key), path)
        if f.type == "multi_choice" and not in_table:
            return self.multi(f, get, path)
        if f.type in ("signature", "date_range", "year_month_range"):
            parts = ("name", "date") if f.type == "signature" else ("start", "end")
            value: dict[str, Any] = {}
            wheres = []
            for part in parts:
                found = get(f"{key}.{part}")
                if found is None:
                    continue
                wheres.append(found.where)
                self.out.put(f"{path}.{part}", found.where, found.where)
                typed = submitted(f, found.raw, _part_type(f.type, part))
                if typed is not None:
                    value[part] = typed
            return (value or None), (wheres[0] if wheres else "")
        found = get(key)
        if found is None:
            return None, ""
        if f.type == "multi_choice":  # one table cell
            raw = submitted(f, found.raw, "text")
            return (split_choices(f, raw) if isinstance(raw, str) else raw), found.where
        value = submitted(f, found.raw)
        detail_cell = get(f"{key}#detail") if f.choices is not None and f.choices.has_blanks else None
        if detail_cell is not None:
            detail = submitted(f, detail_cell.raw, "text")
            if detail is not None:
                value = {"value": "" if value is None else value, "detail": detail}
        return value, found.where

    def picture(self, f: Field, cell: _Found | None, path: str) -> tuple[Any, str]:
        """An image field's value from the picture at its cell (where: the cell, picture or not)."""
        pictures = self.pictures.get(f.id, [])
        if not pictures:
            return None, cell.where if cell is not None else ""
        where = where_cell(pictures[0].sheet, pictures[0].coordinate or "")
        if len(pictures) > 1:
            self.issue(path, "file_duplicate_input", where_cell(pictures[1].sheet, pictures[1].coordinate or ""),
                       label=_both(lambda lang: f.label.get(lang)), count=len(pictures))
        first = pictures[0]
        if first.blob is None:  # nothing to measure: say so rather than pass a value without a size
            self.rule(path, where, f"图片“{first.name}”没有嵌入文件中（只是链接，或文件已损坏）；请插入图片本身",
                      f"The picture “{first.name}” is not embedded in the file (a link, or a damaged file); "
                      "insert the picture itself")
            return None, where
        image = measure(first.blob, first.part)
        value = {"name": first.name, "width": image.width, "height": image.height, "bytes": len(first.blob),
                 "format": image.format}
        return {k: v for k, v in value.items() if v is not None}, where

    def multi(self, f: Field, get: Any, path: str) -> tuple[Any, str]:
        assert f.choices is not None
        chosen: list[Any] = []
        wheres = []
        for o in f.choices.options:
            found = get(f"{f.id}[{o.value}]")
            detail_cell = get(f"{f.id}[{o.value}]#detail") if o.blank else None
            if found is not None:
                wheres.append(found.where)
            state = mark(found.raw) if found is not None else None
            detail = submitted(f, detail_cell.raw, "text") if detail_cell is not None else None
            if isinstance(state, str):  # neither 是 nor 否: passed on, validation names it
                chosen.append(state)
            elif state:
                chosen.append({"value": o.value, "detail": detail} if detail is not None else o.value)
            elif detail is not None and detail_cell is not None:
                self.issue(path, "file_detail_unchosen", detail_cell.where, option=o.label.zh, detail=detail)
        where = wheres[0] if len(wheres) == 1 else (f"{wheres[0]}:{wheres[-1].split('!')[-1]}" if wheres else "")
        return (chosen or None), where

    def rows(self, sheet: TableSheet, found: _Rows, tid: str) -> list[dict[str, Any]]:
        member = sheet.member
        assert isinstance(member, Table)
        out: list[tuple[int, dict[str, Any]]] = []
        for r, cells in found.rows:
            i = len(out)
            row = self.row_values(sheet, cells, f"{tid}[{i}]")
            out.append((r, row))
            self.out.put(f"{tid}[{i}]", where_row(found.sheet, r, "zh"), where_row(found.sheet, r, "en"))
        while out and not out[-1][1]:  # the unused prepared rows
            out.pop()
        return [row for _, row in out]

    def row_values(self, sheet: TableSheet, cells: dict[str, _Found], path: str) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for c in sheet.member.columns:
            if c.compute is not None or c.type in ("image", "attachment"):
                continue
            value, where = self.value_of(c, cells.get, f"{path}.{c.id}", in_table=True)
            if where:
                self.out.put(f"{path}.{c.id}", where, where)
            if value is not None:
                row[c.id] = value
        return row

    def tree_rows(self, sheet: TableSheet, found: _Rows) -> list[dict[str, Any]]:
        member = sheet.member
        assert isinstance(member, Tree)
        roots: list[dict[str, Any]] = []
        stack: list[tuple[dict[str, Any], str]] = []  # the open node of each depth, with its path
        for r, cells in found.rows:
            if not cells:  # a blank row carries no node (a tree has no rule against gaps)
                continue
            level_cell = cells.get(LEVEL)
            depth = level_cell.raw if level_cell is not None else None
            if isinstance(depth, float) and depth.is_integer():
                depth = int(depth)
            if isinstance(depth, str) and depth.strip().isdecimal():  # isdigit() takes ², int() not
                depth = int(depth.strip())
            limit = len(stack) + 1
            if not isinstance(depth, int) or isinstance(depth, bool) or not 1 <= depth <= min(limit, member.max_depth):
                place = level_cell.where if level_cell else where_row(found.sheet, r, "zh")
                shown = "" if depth is None else str(level_cell.raw if level_cell is not None else depth)
                self.issue(member.id, "file_tree_level", place, level=shown, limit=min(limit, member.max_depth))
                continue
            del stack[depth - 1:]
            siblings = roots if depth == 1 else stack[-1][0].setdefault("children", [])
            path = f"{member.id}[{len(siblings)}]" if depth == 1 else f"{stack[-1][1]}.children[{len(siblings)}]"
            node = self.row_values(sheet, cells, path)
            self.out.put(path, where_row(found.sheet, r, "zh"), where_row(found.sheet, r, "en"))
            siblings.append(node)
            stack.append((node, path))
        return roots

    def grid_value(self, sheet: GridSheet, rows: dict[str, dict[str, _Found]]) -> dict[str, Any]:
        g = sheet.grid
        out: dict[str, Any] = {}
        for r in g.rows:
            cells = rows.get(r.key, {})
            path = f"{g.id}{_key(r.key)}"
            if g.one_per_row:
                marked = []
                for c in g.columns:
                    found = cells.get(c.key)
                    state = mark(found.raw) if found is not None else None
                    if state is True:
                        marked.append(c.key)
                    elif isinstance(state, str):
                        marked.append(state)
                    if found is not None:
                        self.out.put(f"{path}{_key(c.key)}", found.where, found.where)
                if len(marked) > 1:
                    first = cells[g.columns[0].key].where if g.columns[0].key in cells else ""
                    self.rule(path, first, f"“{r.label.zh}”一行只能选一项，却选了 {len(marked)} 项",
                              f"Row “{r.label.get('en')}” takes one choice, {len(marked)} were marked")
                elif marked:
                    out[r.key] = marked[0]
                continue
            values: dict[str, Any] = {}
            for c in g.columns:
                found = cells.get(c.key)
                if found is None:
                    continue
                self.out.put(f"{path}{_key(c.key)}", found.where, found.where)
                value = submitted(g.cell, found.raw)
                if value is not None:
                    values[c.key] = value
            if values:
                out[r.key] = values
        return out


def _both(text: Any) -> Localized:
    """A label in both languages, for a message shown in either."""
    return Localized(text("zh"), text("en"))


def _key(k: str) -> str:
    from formengine.errors import data_path

    path: str = data_path(["x", k])
    return path[1:]


def _col(n: int) -> str:
    from openpyxl.utils import get_column_letter

    letter: str = get_column_letter(n)
    return letter


def _part_type(field_type: str, part: str) -> str:
    if part == "name":
        return "text"
    return "year_month" if field_type == "year_month_range" else "date"


__all__ = ["extract"]
