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

The reader is built in layers: :mod:`.xlsx_read_cells` reads one cell and reports issues,
:mod:`.xlsx_read_sheets` finds every sheet's bound cells, and this module assembles the
submission from them.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Callable
from typing import Any

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
from formengine.spec import Field, Lang, Table, Tree

from .xlsx_imagefile import measure
from .xlsx_layout import LEVEL, PICTURE, GridSheet, TableSheet, where_cell, where_row, where_sheet
from .xlsx_read_cells import Found, FoundRows, both, find_stamp_sheet
from .xlsx_read_sheets import SheetScanner
from .xlsx_values import mark, split_choices, submitted


def extract(form: Any, content: bytes) -> Extracted:
    wb = _load(content)
    out = Extracted(issues=check_stamp(form, _stamp(wb)))
    if any(i.code in FATAL for i in out.issues):
        return out
    WorkbookReader(form.spec, wb, content, out).read()
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
    ws = find_stamp_sheet(wb)
    if ws is not None:
        rows = {str(r[0]): str(r[1]) for r in ws.iter_rows(min_row=1, max_row=10, max_col=2, values_only=True)
                if r[0] is not None and r[1] is not None}
        return {k: v for k, v in rows.items() if k in (FORM_PROPERTY, SHAPE_PROPERTY)}
    return found


class WorkbookReader(SheetScanner):
    """Reads a workbook: scans its sheets, then assembles the submission from the cells found."""

    def read(self) -> None:
        self.scan()
        self.assemble()

    def assemble(self) -> None:
        self.assemble_fields()
        self.assemble_tables()
        self.assemble_grids()

    def assemble_fields(self) -> None:
        for key, slot in self.slots.items():
            cells = self.found.get(key, [])
            if not cells:
                self.issue(slot.field.id, "file_missing_input", label=both(slot.label))
            elif len(cells) > 1:
                self.issue(slot.field.id, "file_duplicate_input", cells[1].where, label=both(slot.label),
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
            if not self.one_copy(tid, sheet.name, [f.sheet for f in found]):
                continue
            rows = self.tree_rows(sheet, found[0]) if sheet.is_tree else self.rows(sheet, found[0], tid)
            if rows:
                self.out.data[tid] = rows

    def assemble_grids(self) -> None:
        for gid, sheet in self.grids.items():
            cells = self.grid_cells.get(gid, [])
            if not self.one_copy(gid, sheet.name, [c[0] for c in cells]):
                continue
            value = self.grid_value(sheet, cells[0][1])
            if value:
                self.out.data[gid] = value

    def one_copy(self, member_id: str, name: Callable[[Lang], str], sheets: list[Any]) -> bool:
        """Whether a table's or grid's input was found (in ``sheets``, in file order): a missing
        one and extra copies are reported, and the first copy is where the member sits."""
        if not sheets:
            self.issue(member_id, "file_missing_input", label=both(name))
            return False
        if len(sheets) > 1:
            self.issue(member_id, "file_duplicate_input", where_sheet(sheets[1], "zh"),
                       where_en=where_sheet(sheets[1], "en"), label=both(name), count=len(sheets))
        self.out.put(member_id, where_sheet(sheets[0], "zh"), where_sheet(sheets[0], "en"))
        return True

    def cell(self, key: str) -> Found | None:
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

    def picture(self, f: Field, cell: Found | None, path: str) -> tuple[Any, str]:
        """An image field's value from the picture at its cell (where: the cell, picture or not)."""
        pictures = self.pictures.get(f.id, [])
        if not pictures:
            return None, cell.where if cell is not None else ""
        where = where_cell(pictures[0].sheet, pictures[0].coordinate or "")
        if len(pictures) > 1:
            self.issue(path, "file_duplicate_input", where_cell(pictures[1].sheet, pictures[1].coordinate or ""),
                       label=both(lambda lang: f.label.get(lang)), count=len(pictures))
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

    def rows(self, sheet: TableSheet, found: FoundRows, tid: str) -> list[dict[str, Any]]:
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

    def row_values(self, sheet: TableSheet, cells: dict[str, Found], path: str) -> dict[str, Any]:
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

    def tree_rows(self, sheet: TableSheet, found: FoundRows) -> list[dict[str, Any]]:
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

    def grid_value(self, sheet: GridSheet, rows: dict[str, dict[str, Found]]) -> dict[str, Any]:
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


def _key(k: str) -> str:
    from formengine.errors import data_path

    path: str = data_path(["x", k])
    return path[1:]


def _part_type(field_type: str, part: str) -> str:
    if part == "name":
        return "text"
    return "year_month" if field_type == "year_month_range" else "date"


__all__ = ["extract"]
