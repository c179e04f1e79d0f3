"""XLSX renderer: a fillable Excel workbook, blank or pre-filled, that can be read back.

Layout (see ``xlsx_layout.py`` for the keys):

* **One sheet per form section** holding fields: column B the label (locked; ``*`` marks a
  required field), C the value (unlocked), D unit, hint and "computed" notes (locked). Hidden
  column A holds each row's key (``buyer``, ``signer.date``, ``topics[培训]`` …), so a row
  that is moved or a row inserted above keeps its binding. A signature, date range or
  year-month range takes one row per part; a choice is a drop-down of its labels, with a
  second row for the text of an option's own blank; a multi-choice takes one 是/否 row per
  option. Static text and group titles are printed as rows of their own.
* **An image field** is a row whose value cell says "在此格插入图片 / Insert the picture in
  this cell"; the person selects it and inserts the picture over the cells with its top-left
  corner in that cell (Excel: Insert → Pictures → Place over Cells; LibreOffice: Insert →
  Image, anchored to the cell). The cell is unlocked and the sheet's protection allows objects,
  because LibreOffice inserts into a protected sheet only at an unlocked cell. Reading finds it in the package's drawing part (``xlsx_pictures.py``) and measures
  the embedded image file itself (``xlsx_imagefile.py``). A pre-filled workbook cannot embed a
  picture it does not have: the value of an image field is not written, the placeholder stays.
  Attachment fields cannot travel in a workbook: a row says so and they are left out (a
  required one is then reported ``required`` when the file is read back).
* **One sheet per table or tree**: a title row, a hidden key row naming each column's key, a
  header row, then data rows. Rows are prepared (borders, formats, formulas) for every row
  the table may have when ``max_rows`` ≤ 200, else for the printed blank rows plus 20; a
  person adds rows by typing below or by inserting rows (the sheet's protection allows it;
  input columns are unlocked and validated 10,000 rows down). A row inserted by hand gets no
  formula in its computed cells (spreadsheets do not copy them): the workbook's totals then
  leave it out until the formula is copied down, while reading back is unaffected and the
  server computes every value. A blank row between filled rows is read as an empty row
  (``empty_row``), as the language requires. A tree has a first column "层级" (1 = top level;
  a row one deeper than the row above is its child).
* **One matrix sheet per grid**: row labels down column B (keys in hidden column A), column
  labels across the header row (keys in the hidden key row), totals as formulas.
* Hidden, protected sheets ``_lists`` (long option lists and label → value tables) and
  ``_formengine`` (the stamp: form id and data shape, also written as custom document
  properties, either is read; and the fixed texts written, so a file still reads after the
  form's labels change).

Data validation: drop-downs for choices and booleans (是/否), whole/decimal numbers within the
field's min/max, dates within bounds, text length; an input message shows the hint, whether the
field is required and the expected format. Number formats: money ``#,##0.00``, decimals with
their places, dates ``yyyy-mm-dd``, text fields ``@`` (so a postcode or an ID number is not
turned into a number). Every sheet is protected without a password: only input cells are
unlocked.

Computed fields and columns hold an Excel formula translated from the form's expression
(``formengine/expr/to_excel.py``); where no faithful formula exists the cell is locked, says
"由系统计算 / computed by the server" in a note, and (pre-filled) shows the server's value.
Computed cells are never read back; a value typed over a formula is reported as text outside
the inputs.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from formengine.extraction import Extracted, stamp
from formengine.spec import Field, FormSpec, Grid, Lang, Table, Tree
from formengine.view import display

from .xlsx_formulas import DATA_ROWS, Formulas, Places, in_row, locate, span, translate
from .xlsx_layout import (
    EXTRA_ROWS,
    FIRST_COL,
    GRID,
    HEADER,
    KEY_COL,
    KEYS,
    LABEL_COL,
    LEVEL,
    LISTS_SHEET,
    NOTE_COL,
    NUMBER,
    PICTURE,
    SECTION,
    STAMP_SHEET,
    TABLE,
    TOTAL,
    TREE,
    VALUE_COL,
    GridSheet,
    SectionSheet,
    Slot,
    TableSheet,
    plan,
    sheet_names,
    text_of,
    word,
)
from .xlsx_values import cell_value, number_format, plain, slot_format

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXTS_COL = 4  # column D of the stamp sheet: the fixed texts written
PREPARED_MAX = 200  # a table allowing at most this many rows gets all of them prepared
MAX_CELL_TEXT = 32_767  # Excel's limit for one cell
FONT = "宋体"
LOCKED_FILL = "F2F2F2"
HEADER_FILL = "D9E1F2"
COMPUTED_FILL = "FFF2CC"
HINT_COLOR = "7F7F7F"
ROW_HEIGHT = 20  # points: room to type in
PICTURE_ROW_HEIGHT = 48  # an image field's row: room to see where the picture goes
REQUIRED_MARK = " *"


class XlsxRenderer:
    name = "xlsx"
    extension = "xlsx"
    media_type = XLSX_MEDIA_TYPE

    def render(self, form: Any, values: Any, options: dict[str, Any]) -> bytes:
        return _Writer(form, values, options.get("lang", "zh")).write()

    def extract(self, form: Any, content: bytes) -> Extracted:
        from .xlsx_read import extract

        return extract(form, content)


# ---------------------------------------------------------------- texts shared with the reader


def label_text(slot: Slot, lang: Lang) -> str:
    f = slot.field
    required = f.required and f.compute is None and slot.part in (None, "name") and slot.option is None
    return slot.label(lang) + (REQUIRED_MARK if required else "")


def note_text(slot: Slot, lang: Lang, formula: bool) -> str:
    f = slot.field
    parts = []
    if slot.part != "detail":
        unit = f.unit or {"money": "元" if lang == "zh" else "", "percent": "%"}.get(f.type, "")
        if unit:
            parts.append(unit)
    if f.compute is not None:
        parts.append(word("formula" if formula else "computed", lang))
    if f.hint and slot.part in (None, "name", "start"):
        parts.append(f.hint.get(lang))
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


def see_text(name: str, lang: Lang) -> str:
    return f"{word('see', lang)}“{name}”" if lang == "zh" else f"{word('see', lang)} '{name}'"


def table_title(sheet: TableSheet | GridSheet, lang: Lang) -> str:
    member = sheet.member if isinstance(sheet, TableSheet) else sheet.grid
    title = sheet.name(lang)
    hint = text_of(member.hint, lang)
    return f"{title}\n{hint}" if hint else title


def grid_total_labels(g: Grid, lang: Lang) -> tuple[str, str]:
    return text_of(g.row_totals, lang), text_of(g.column_totals, lang)


# ---------------------------------------------------------------- the writer


@dataclass
class _Style:
    font: Any
    bold: Any
    title: Any
    hint: Any
    border: Any
    locked: Any
    unlocked: Any
    label_fill: Any
    header_fill: Any
    computed_fill: Any
    wrap: Any
    centre: Any


def _styles() -> _Style:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

    thin = Side(style="thin", color="808080")
    return _Style(
        font=Font(name=FONT, size=11), bold=Font(name=FONT, size=11, bold=True),
        title=Font(name=FONT, size=16, bold=True), hint=Font(name=FONT, size=10, color=HINT_COLOR),
        border=Border(left=thin, right=thin, top=thin, bottom=thin),
        locked=Protection(locked=True), unlocked=Protection(locked=False),
        label_fill=PatternFill("solid", fgColor=LOCKED_FILL), header_fill=PatternFill("solid", fgColor=HEADER_FILL),
        computed_fill=PatternFill("solid", fgColor=COMPUTED_FILL),
        wrap=Alignment(wrap_text=True, vertical="center"), centre=Alignment(horizontal="center", vertical="center",
                                                                             wrap_text=True),
    )


class _Lists:
    """Option lists on the hidden ``_lists`` sheet: labels in one column, values beside them."""

    def __init__(self) -> None:
        self.columns: list[tuple[list[str], list[str]]] = []
        self.index: dict[tuple[tuple[str, ...], tuple[str, ...]], int] = {}

    def add(self, labels: list[str], values: list[str]) -> tuple[str, str]:
        key = (tuple(labels), tuple(values))
        if key not in self.index:
            self.index[key] = len(self.columns)
            self.columns.append((labels, values))
        col = self.index[key] * 2 + 1
        n = len(labels)
        return span(LISTS_SHEET, 1, col, n, col), span(LISTS_SHEET, 1, col + 1, n, col + 1)


def _inline_list(labels: list[str]) -> str | None:
    """An Excel list formula "a,b,c", when the labels allow it (no comma or quote, ≤ 255 chars)."""
    if any("," in x or '"' in x or not x for x in labels):
        return None
    text = ",".join(labels)
    return f'"{text}"' if len(text) <= 250 else None


class _Writer:
    def __init__(self, form: Any, values: Any, lang: Lang):
        from openpyxl import Workbook

        self.form = form
        self.spec: FormSpec = form.spec
        self.values = values
        self.lang = lang
        self.plan = plan(self.spec)
        self.names = sheet_names(self.plan.sheets, lang)
        self.style = _styles()
        self.lists = _Lists()
        self.places = Places()
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self.rows: dict[str, list[Any]] = {}  # table/tree id → the rows to write (flattened tree)

    # ---------------------------------------------------------- top level

    def write(self) -> bytes:
        from openpyxl.packaging.custom import StringProperty
        from openpyxl.workbook.protection import WorkbookProtection

        self.locate()
        formulas = translate(self.spec, self.places, self.lang)
        for sheet, name in zip(self.plan.sheets, self.names):
            ws = self.wb.create_sheet(name)
            if isinstance(sheet, SectionSheet):
                self.section_sheet(ws, sheet, formulas)
            elif isinstance(sheet, TableSheet):
                self.table_sheet(ws, sheet, formulas)
            else:
                self.grid_sheet(ws, sheet)
        self.lists_sheet()
        self.stamp_sheet()
        for key, value in stamp(self.form).items():
            self.wb.custom_doc_props.append(StringProperty(name=key, value=value))
        self.wb.security = WorkbookProtection(lockStructure=True)  # no password: guards against slips
        self.wb.calculation.fullCalcOnLoad = True
        if self.wb.worksheets:
            self.wb.active = 0
        buffer = io.BytesIO()
        self.wb.save(buffer)
        return buffer.getvalue()

    def value(self, key: str) -> Any:
        if self.values is None:
            return None
        return getattr(self.values, key, None) if not isinstance(self.values, dict) else self.values.get(key)

    # ---------------------------------------------------------- positions (before anything is written)

    def locate(self) -> None:
        self.places = locate(self.plan, self.names, self.lists, self.lang)
        for sheet in self.plan.sheets:
            if isinstance(sheet, TableSheet):
                self.rows[sheet.member.id] = self.table_rows(sheet.member)

    def table_rows(self, member: Table | Tree) -> list[Any]:
        """The data rows to pre-fill: (depth, row) pairs, a tree flattened depth-first."""
        out: list[Any] = []

        def walk(nodes: Any, depth: int) -> None:
            for node in nodes or ():
                out.append((depth, node))
                if isinstance(member, Tree):
                    walk(getattr(node, "children", None) if not isinstance(node, dict) else node.get("children"),
                         depth + 1)
        walk(self.value(member.id), 1)
        return out

    # ---------------------------------------------------------- section sheets

    def section_sheet(self, ws: Any, sheet: SectionSheet, formulas: Formulas) -> None:
        st, lang = self.style, self.lang
        ws.cell(1, KEY_COL, SECTION)
        for r, row in enumerate(sheet.rows, start=1):
            if row.kind == "slot":
                assert row.slot is not None
                self.slot_row(ws, r, row.slot, formulas)
                continue
            texts = [t.get(lang) for t in row.texts]
            if row.kind == "see":
                texts = [see_text(self.names[_index(self.plan.sheets, row.target)], lang)]
            if row.kind == "header":
                ws.row_dimensions[r].height = ROW_HEIGHT
                for i, text in enumerate(texts):
                    c = ws.cell(r, LABEL_COL + i, text)
                    c.font, c.fill, c.border, c.alignment = st.bold, st.header_fill, st.border, st.centre
                continue
            if row.kind == "info":
                a = ws.cell(r, LABEL_COL, texts[0])
                b = ws.cell(r, NOTE_COL, word("no_file", lang))
                a.font, b.font, a.alignment, b.alignment = st.font, st.hint, st.wrap, st.wrap
                a.fill, a.border, b.border = st.label_fill, st.border, st.border
                ws.cell(r, VALUE_COL).border = st.border
                continue
            c = ws.cell(r, LABEL_COL, texts[0])
            ws.merge_cells(start_row=r, start_column=LABEL_COL, end_row=r, end_column=NOTE_COL)
            c.alignment = st.wrap
            c.font = {"title": st.title, "heading": st.bold, "group": st.bold}.get(row.kind, st.font)
            if row.kind in ("title", "heading", "group"):
                ws.row_dimensions[r].height = 26 if row.kind == "title" else ROW_HEIGHT
            if row.kind == "note" or row.kind == "see":
                lines = max(1, len(texts[0]) // 40 + texts[0].count("\n") + 1)
                ws.row_dimensions[r].height = 16 * lines
        ws.column_dimensions["A"].hidden = True
        ws.column_dimensions["B"].width = 26
        ws.column_dimensions["C"].width = 40
        ws.column_dimensions["D"].width = 30
        self.protect(ws, rows=False)
        self.page(ws, f"B1:D{len(sheet.rows)}", landscape=False)

    def slot_row(self, ws: Any, r: int, slot: Slot, formulas: Formulas) -> None:
        st, lang, f = self.style, self.lang, slot.field
        formula = formulas.formulas.get(f.id) if slot.computed else None
        ws.cell(r, KEY_COL, slot.key)
        label = ws.cell(r, LABEL_COL, label_text(slot, lang))
        label.font, label.fill, label.border, label.alignment = st.font, st.label_fill, st.border, st.wrap
        note = ws.cell(r, NOTE_COL, note_text(slot, lang, formula is not None) or None)
        note.font, note.border, note.alignment = st.hint, st.border, st.wrap
        cell = ws.cell(r, VALUE_COL)
        cell.border, cell.font = st.border, st.font
        cell.number_format = slot_format(slot)
        ws.row_dimensions[r].height = max(30, 16 * min(f.lines, 12)) if f.type == "textarea" else ROW_HEIGHT
        cell.alignment = st.wrap
        if slot.computed:
            self.computed_cell(cell, f, formula, self.value(f.id))
            return
        if f.type == PICTURE:  # the picture floats over the cell; the words only say where it goes
            self.put(cell, word("picture_here", lang))
            # unlocked: LibreOffice inserts a picture into a protected sheet only at an unlocked cell
            cell.font, cell.protection, cell.alignment = st.hint, st.unlocked, st.centre
            ws.row_dimensions[r].height = PICTURE_ROW_HEIGHT
            ws.protection.objects = False  # openpyxl: False = Excel may insert pictures while protected
            self.validate(ws, slot, cell.coordinate)
            return
        cell.protection = st.unlocked
        self.put(cell, cell_value(slot, self.value(f.id), lang) if self.values is not None else None)
        self.validate(ws, slot, cell.coordinate)

    def computed_cell(self, cell: Any, f: Field, formula: str | None, value: Any, *, row: int | None = None,
                      first: bool = True) -> None:
        """A formula; or, without one, the server's value (pre-filled) or the words "computed by
        the server" (on the first row of a table column only), with a note saying so."""
        from openpyxl.comments import Comment

        st = self.style
        cell.fill, cell.protection = st.computed_fill, st.locked
        if formula is not None:
            cell.value = in_row(formula, row) if row is not None else formula
            return
        shown = display(f, value, self.lang) if value is not None else ""
        if shown or first:
            self.put(cell, shown or f"（{word('computed', self.lang)}）")
        if first:
            cell.comment = Comment(f"{word('computed', 'zh')} / {word('computed', 'en')}", "formengine")

    def put(self, cell: Any, value: Any) -> None:
        """Write a value as data, never as a formula (a text may start with '=')."""
        if isinstance(value, str) and len(value) > MAX_CELL_TEXT:
            from formengine.rendering import RendererError

            raise RendererError(f"文字超过 Excel 单元格上限 {MAX_CELL_TEXT} 字 / text longer than an Excel cell holds "
                                f"({len(value)} > {MAX_CELL_TEXT} characters)")
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"

    # ---------------------------------------------------------- tables and trees

    def table_sheet(self, ws: Any, sheet: TableSheet, formulas: Formulas) -> None:
        from openpyxl.utils import get_column_letter

        st, lang, member = self.style, self.lang, sheet.member
        place = self.places.tables[member.id]
        rows = self.rows[member.id]
        ws.cell(1, KEY_COL, f"{TREE if sheet.is_tree else TABLE} {member.id}")
        ws.cell(2, KEY_COL, KEYS)
        ws.cell(3, KEY_COL, HEADER)
        last_col = max(place.columns.values(), default=FIRST_COL)
        title = ws.cell(1, FIRST_COL, table_title(sheet, lang))
        title.font, title.alignment = st.title, st.wrap
        if last_col > FIRST_COL:
            ws.merge_cells(start_row=1, start_column=FIRST_COL, end_row=1, end_column=last_col)
        ws.row_dimensions[1].height = 26 if "\n" not in str(title.value) else 44
        ws.row_dimensions[2].hidden = True
        ws.row_dimensions[3].height = ROW_HEIGHT
        prepared = self.prepared_rows(member, len(rows))
        first, last = place.first, place.first + prepared - 1
        if sheet.numbered:
            assert isinstance(member, Table) and member.row_number is not None
            ws.cell(2, FIRST_COL, NUMBER)
            head = ws.cell(3, FIRST_COL, member.row_number.get(lang))
            head.font, head.fill, head.border, head.alignment = st.bold, st.header_fill, st.border, st.centre
            ws.column_dimensions[get_column_letter(FIRST_COL)].width = 6
            for r in range(first, last + 1):
                c = ws.cell(r, FIRST_COL, f"=ROW()-{first - 1}")
                c.border, c.fill, c.alignment = st.border, st.label_fill, st.centre
        for slot in sheet.slots:
            col = place.columns[slot.key]
            letter = get_column_letter(col)
            ws.cell(2, col, slot.key)
            head = ws.cell(3, col, slot.header(lang) if slot.key != LEVEL else word("level", lang) + REQUIRED_MARK)
            head.font, head.fill, head.border, head.alignment = st.bold, st.header_fill, st.border, st.centre
            ws.column_dimensions[letter].width = _width(slot)
            key = f"{member.id}.{slot.key}"
            formula = formulas.formulas.get(key) if slot.computed else None
            if not slot.computed:  # typing below the prepared rows stays possible
                ws.column_dimensions[letter].protection = st.unlocked
                ws.column_dimensions[letter].number_format = slot_format(slot)
                self.validate(ws, slot, f"{letter}{first}:{letter}{first + DATA_ROWS - 1}", table=True)
            for i in range(prepared):
                r = first + i
                cell = ws.cell(r, col)
                cell.border, cell.font, cell.alignment = st.border, st.font, st.wrap
                ws.row_dimensions[r].height = ROW_HEIGHT
                cell.number_format = slot_format(slot)
                value = None
                if i < len(rows):
                    depth, row = rows[i]
                    value = depth if slot.key == LEVEL else self.row_value(slot, row)
                if slot.computed:
                    raw = self.row_raw(slot, rows[i][1]) if i < len(rows) else None
                    self.computed_cell(cell, slot.field, formula, raw, row=r, first=r == first)
                else:
                    cell.protection = st.unlocked
                    self.put(cell, value)
        ws.column_dimensions["A"].hidden = True
        ws.freeze_panes = ws.cell(first, FIRST_COL)
        self.protect(ws, rows=True)
        printed = first + max(member.print_rows, len(rows)) - 1  # the paper shows the usual blank rows
        self.page(ws, f"{get_column_letter(FIRST_COL)}1:{get_column_letter(last_col)}{printed}",
                  landscape=len(sheet.slots) > 6)

    def prepared_rows(self, member: Table | Tree, filled: int) -> int:
        """Rows made ready (formats, formulas): every row the table may have when that is at most
        PREPARED_MAX, else the printed blank rows (or the data) and EXTRA_ROWS more."""
        if isinstance(member, Table) and member.max_rows is not None and filled <= member.max_rows <= PREPARED_MAX:
            return max(member.max_rows, 1)
        return max(member.print_rows, filled) + EXTRA_ROWS

    def row_raw(self, slot: Slot, row: Any) -> Any:
        fid = slot.field.id
        return row.get(fid) if isinstance(row, dict) else getattr(row, fid, None)

    def row_value(self, slot: Slot, row: Any) -> Any:
        raw = self.row_raw(slot, row)
        if slot.part is None and slot.option is None:
            return plain(slot.field, raw, self.lang)
        return cell_value(slot, raw, self.lang)

    # ---------------------------------------------------------- grids

    def grid_sheet(self, ws: Any, sheet: GridSheet) -> None:
        from openpyxl.utils import get_column_letter

        st, lang, g = self.style, self.lang, sheet.grid
        place = self.places.grids[g.id]
        cells = self.value(g.id) or {}
        ws.cell(1, KEY_COL, f"{GRID} {g.id}")
        ws.cell(2, KEY_COL, KEYS)
        ws.cell(3, KEY_COL, HEADER)
        row_total, col_total = grid_total_labels(g, lang)
        last_col = max(place.columns.values()) + (1 if row_total else 0)
        last_row = max(place.rows.values()) + (1 if col_total else 0)
        title = ws.cell(1, FIRST_COL, table_title(sheet, lang))
        title.font, title.alignment = st.title, st.wrap
        ws.merge_cells(start_row=1, start_column=FIRST_COL, end_row=1, end_column=last_col)
        ws.row_dimensions[1].height = 24 if "\n" not in str(title.value) else 40
        ws.row_dimensions[2].hidden = True
        corner = ws.cell(3, FIRST_COL, text_of(g.corner, lang) or None)
        corner.font, corner.fill, corner.border, corner.alignment = st.bold, st.header_fill, st.border, st.centre
        for c in g.columns:
            col = place.columns[c.key]
            ws.cell(2, col, c.key)
            head = ws.cell(3, col, c.label.get(lang))
            head.font, head.fill, head.border, head.alignment = st.bold, st.header_fill, st.border, st.centre
            ws.column_dimensions[get_column_letter(col)].width = 5 if len(g.columns) > 12 else 10
        first_col, end_col = min(place.columns.values()), max(place.columns.values())
        for r in g.rows:
            row = place.rows[r.key]
            ws.cell(row, KEY_COL, r.key)
            label = ws.cell(row, FIRST_COL, r.label.get(lang))
            label.font, label.fill, label.border, label.alignment = st.font, st.label_fill, st.border, st.wrap
            given = cells.get(r.key) if isinstance(cells, dict) else None
            for c in g.columns:
                cell = ws.cell(row, place.columns[c.key])
                cell.border, cell.font, cell.protection = st.border, st.font, st.unlocked
                cell.alignment = st.centre
                cell.number_format = number_format(g.cell)
                if g.one_per_row:
                    self.put(cell, word("mark", lang) if given == c.key else None)
                elif isinstance(given, dict):
                    self.put(cell, plain(g.cell, given.get(c.key), lang))
        sqref = f"{get_column_letter(first_col)}4:{get_column_letter(end_col)}{3 + len(g.rows)}"
        self.validate_grid(ws, g, sqref)
        if row_total:  # a row's total, shown once the row has a value (as the engine fills it in)
            col = end_col + 1
            ws.cell(2, col, TOTAL)
            head = ws.cell(3, col, row_total)
            head.font, head.fill, head.border, head.alignment = st.bold, st.header_fill, st.border, st.centre
            for r in g.rows:
                row = place.rows[r.key]
                rng = f"{get_column_letter(first_col)}{row}:{get_column_letter(end_col)}{row}"
                self.total_cell(ws, ws.cell(row, col), rng, g.cell)
        if col_total:
            row = last_row
            ws.cell(row, KEY_COL, TOTAL)
            label = ws.cell(row, FIRST_COL, col_total)
            label.font, label.fill, label.border, label.alignment = st.bold, st.label_fill, st.border, st.wrap
            for col in range(first_col, last_col + 1):
                letter = get_column_letter(col)
                self.total_cell(ws, ws.cell(row, col), f"{letter}4:{letter}{3 + len(g.rows)}", g.cell)
        ws.column_dimensions["A"].hidden = True
        ws.column_dimensions[get_column_letter(FIRST_COL)].width = 16
        ws.freeze_panes = ws.cell(4, FIRST_COL + 1)
        self.protect(ws, rows=False)
        self.page(ws, f"{get_column_letter(FIRST_COL)}1:{get_column_letter(last_col)}{last_row}",
                  landscape=len(g.columns) > 8)

    def total_cell(self, ws: Any, cell: Any, rng: str, f: Field) -> None:
        st = self.style
        cell.value = f'=IF(COUNT({rng})=0,"",SUM({rng}))'
        cell.fill, cell.border, cell.protection, cell.alignment = st.computed_fill, st.border, st.locked, st.centre
        cell.number_format = number_format(f)

    # ---------------------------------------------------------- validation, lists, protection, page

    def list_formula(self, labels: list[str], values: list[str]) -> str:
        inline = _inline_list(labels)
        if inline is not None:
            return inline
        label_range, _ = self.lists.add(labels, values)
        return label_range  # no "=": a formula in the file is stored without it

    def validate(self, ws: Any, slot: Slot, sqref: str, table: bool = False) -> None:
        """Data validation and the input message of a slot's cell(s)."""
        from openpyxl.worksheet.datavalidation import DataValidation

        f, lang = slot.field, self.lang
        kind, formula1, formula2, operator = None, None, None, None
        error = ""
        if slot.key == LEVEL:
            kind, operator, formula1 = "whole", "between", "1"
            formula2 = str(getattr(self._tree_of(ws), "max_depth", 10))
        elif slot.option is not None and slot.part is None:
            kind, formula1 = "list", f'"{word("yes", lang)},{word("no", lang)}"'
        elif slot.part == "detail":
            pass
        elif f.type == "choice":
            assert f.choices is not None
            kind = "list"
            formula1 = self.list_formula([o.label.get(lang) for o in f.choices.options], list(f.choices.values))
        elif f.type == "boolean":
            kind, formula1 = "list", f'"{word("yes", lang)},{word("no", lang)}"'
        elif f.type in ("integer", "rating", "decimal", "money", "percent"):
            kind = "whole" if f.type in ("integer", "rating") else "decimal"
            low, high = f.min, f.max
            if f.type == "rating":
                low, high = (1 if low is None else low), (5 if high is None else high)
            operator, formula1, formula2 = _bounds(low, high, _num)
        elif f.type in ("date", "datetime") or (slot.part in ("start", "end", "date") and f.type != "year_month_range"):
            kind = "date"
            low = f.min if f.type == "date" else None
            high = f.max if f.type == "date" else None
            operator, formula1, formula2 = _bounds(low or dt.date(1900, 1, 1), high, _date)
        elif f.type in ("text", "textarea") and (f.min_length is not None or f.max_length is not None):
            kind = "textLength"
            operator, formula1, formula2 = _bounds(f.min_length, f.max_length, str)
        if kind == "list":
            error = "请从下拉列表中选择" if lang == "zh" else "Choose from the list"
        elif kind:
            error = _range_message(f, lang) if slot.key != LEVEL else word("level_hint", lang)
        dv = DataValidation(type=kind, formula1=formula1, formula2=formula2, operator=operator,
                            allow_blank=True, showInputMessage=True, showErrorMessage=kind is not None,
                            errorStyle="stop", errorTitle=slot.label(lang, in_table=table)[:32] if kind else None,
                            error=error[:255] if kind else None, promptTitle=slot.label(lang, in_table=table)[:32],
                            prompt=self.prompt(slot)[:255] or None)
        dv.add(sqref)
        ws.add_data_validation(dv)

    def _tree_of(self, ws: Any) -> Tree | None:
        marker = str(ws.cell(1, KEY_COL).value)
        tid = marker.split(" ", 1)[1] if " " in marker else ""
        return next((t for t in self.spec.trees if t.id == tid), None)

    def validate_grid(self, ws: Any, g: Grid, sqref: str) -> None:
        from openpyxl.worksheet.datavalidation import DataValidation

        lang = self.lang
        cell = g.cell
        if g.one_per_row:
            dv = DataValidation(type="list", formula1=f'"{word("mark", lang)}"', allow_blank=True,
                                showInputMessage=True, prompt=word("one_per_row", lang))
        elif cell.type == "choice":
            assert cell.choices is not None
            dv = DataValidation(type="list", allow_blank=True, showErrorMessage=True, errorStyle="stop",
                                formula1=self.list_formula([o.label.get(lang) for o in cell.choices.options],
                                                           list(cell.choices.values)))
        elif cell.type == "boolean":
            dv = DataValidation(type="list", formula1=f'"{word("yes", lang)},{word("no", lang)}"', allow_blank=True,
                                showErrorMessage=True, errorStyle="stop")
        elif cell.type in ("integer", "decimal", "money", "percent"):
            operator, formula1, formula2 = _bounds(cell.min, cell.max, _num)
            dv = DataValidation(type="whole" if cell.type == "integer" else "decimal", operator=operator,
                                formula1=formula1, formula2=formula2, allow_blank=True, showErrorMessage=True,
                                errorStyle="stop", error=_range_message(cell, lang)[:255])
        else:
            return
        if g.hint:
            dv.showInputMessage = True
            dv.prompt = g.hint.get(lang)[:255]
        dv.add(sqref)
        ws.add_data_validation(dv)

    def prompt(self, slot: Slot) -> str:
        f, lang = slot.field, self.lang
        parts = []
        if slot.key == LEVEL:
            return word("level_hint", lang)
        if f.type == PICTURE:
            parts.append(word("picture_how", lang))
        if slot.option is not None and slot.part is None:
            parts.append(word("option_hint", lang))
        if f.hint and slot.part != "detail":
            parts.append(f.hint.get(lang))
        if f.required and slot.part in (None, "name") and slot.option is None:
            parts.append(word("required", lang))
        fmt = _format_hint(f, slot, lang) if f.type != PICTURE else _picture_rules(f, lang)
        if fmt:
            parts.append(fmt)
        if f.type in ("integer", "decimal", "money", "percent", "rating", "date") and slot.part is None and \
                (f.min is not None or f.max is not None):
            parts.append(_range_message(f, lang))
        return ("；" if lang == "zh" else "; ").join(parts)

    def lists_sheet(self) -> None:
        if not self.lists.columns:
            return
        ws = self.wb.create_sheet(LISTS_SHEET)
        for i, (labels, values) in enumerate(self.lists.columns):
            for r, (label, value) in enumerate(zip(labels, values), start=1):
                self.put(ws.cell(r, 2 * i + 1), label)
                self.put(ws.cell(r, 2 * i + 2), value)
        ws.sheet_state = "hidden"
        ws.protection.sheet = True

    def stamp_sheet(self) -> None:
        """The stamp, and in column D every fixed text of the visible sheets: a file keeps being
        read after the form's labels change (they do not change its shape)."""
        ws = self.wb.create_sheet(STAMP_SHEET)
        for r, (key, value) in enumerate([*stamp(self.form).items(), ("formengine.lang", self.lang)], start=1):
            ws.cell(r, 1, key)
            self.put(ws.cell(r, 2), value)
        for r, text in enumerate(sorted(fixed_texts(self.spec, self.lang)), start=1):
            self.put(ws.cell(r, TEXTS_COL), text)
        ws.sheet_state = "hidden"
        ws.protection.sheet = True

    def protect(self, ws: Any, rows: bool) -> None:
        """Protected without a password: labels and formulas stay put, inputs are unlocked.
        openpyxl's flags are 'forbidden while protected': False allows the action."""
        p = ws.protection
        p.sheet = True
        p.formatColumns = p.formatRows = False  # widths and heights may be adjusted
        if rows:  # a table grows by inserting rows
            p.insertRows = p.deleteRows = False

    def page(self, ws: Any, area: str, landscape: bool) -> None:
        ws.print_area = area
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if landscape or self.spec.orientation == "landscape" else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True


def _index(sheets: list[Any], target: object) -> int:
    return next(i for i, s in enumerate(sheets) if s is target)


def _width(slot: Slot) -> float:
    weights = {"textarea": 30, "text": 18, "money": 14, "decimal": 12, "integer": 9, "percent": 10, "date": 13,
               "datetime": 17, "time": 8, "boolean": 8, "choice": 14, "multi_choice": 20, "phone": 15,
               "signature": 14, "date_range": 13, "year_month_range": 11, "year_month": 10}
    if slot.key == LEVEL:
        return 7
    return float(weights.get(slot.field.type, 16))


def _num(v: Any) -> str:
    return format(v, "f") if not isinstance(v, int) else str(v)


def _date(v: Any) -> str:
    return f"DATE({v.year},{v.month},{v.day})"


def _bounds(low: Any, high: Any, fmt: Any) -> tuple[str | None, str | None, str | None]:
    if low is not None and high is not None:
        return "between", fmt(low), fmt(high)
    if low is not None:
        return "greaterThanOrEqual", fmt(low), None
    if high is not None:
        return "lessThanOrEqual", fmt(high), None
    return "between", fmt(-(10**15)), fmt(10**15)


def _range_message(f: Field, lang: Lang) -> str:
    what = {"integer": ("整数", "a whole number"), "rating": ("整数", "a whole number"),
            "date": ("日期", "a date"), "datetime": ("日期时间", "a date and time"),
            "text": ("文字", "text"), "textarea": ("文字", "text")}.get(f.type, ("数字", "a number"))
    low, high = f.min, f.max
    if f.type in ("text", "textarea"):
        low, high = f.min_length, f.max_length
    if lang == "zh":
        text = f"应为{what[0]}"
        if low is not None:
            text += f"，不小于 {_shown(low)}"
        if high is not None:
            text += f"，不大于 {_shown(high)}"
        return text
    text = f"Must be {what[1]}"
    if low is not None:
        text += f", at least {_shown(low)}"
    if high is not None:
        text += f", at most {_shown(high)}"
    return text


def _shown(v: Any) -> str:
    return v.isoformat() if isinstance(v, dt.date) else str(v)


def _picture_rules(f: Field, lang: Lang) -> str:
    """An image field's rules as the input message states them: pixels, size, formats."""
    zh = lang == "zh"
    parts = []
    for bounds, name in ((f.width, ("宽", "width")), (f.height, ("高", "height"))):
        if bounds is None:
            continue
        low, high = bounds.min, bounds.max
        span_text = str(low) if low == high else f"{'' if low is None else low}–{'' if high is None else high}"
        parts.append(f"{name[0]} {span_text} 像素" if zh else f"{name[1]} {span_text} px")
    if f.max_bytes is not None:
        parts.append(f"不超过 {f.max_bytes} 字节" if zh else f"at most {f.max_bytes} bytes")
    if f.formats:
        parts.append(("格式 " if zh else "format ") + "/".join(f.formats))
    return ("，" if zh else ", ").join(parts)


def _format_hint(f: Field, slot: Slot, lang: Lang) -> str:
    zh = lang == "zh"
    if slot.part == "detail":
        return "选择带说明的选项时填写" if zh else "Fill in when the chosen option asks for details"
    t = f.type
    if t == "date" or (slot.part in ("start", "end", "date") and t in ("date_range", "signature")):
        return "日期，如 2026-01-15" if zh else "A date, e.g. 2026-01-15"
    if t == "datetime":
        return "日期时间，如 2026-01-15 09:30" if zh else "Date and time, e.g. 2026-01-15 09:30"
    if t == "year_month" or t == "year_month_range":
        return "年月，如 2026-01" if zh else "Year and month, e.g. 2026-01"
    if t == "time":
        return "时间，如 09:30" if zh else "A time, e.g. 09:30"
    if t == "boolean":
        return "选择 是 或 否" if zh else "Choose Yes or No"
    if t == "choice":
        return "从下拉列表中选择" if zh else "Choose from the list"
    if t == "multi_choice" and slot.option is None:
        return "多个选项用“、”分隔" if zh else "Separate options with 、 or commas"
    if t == "money":
        return "金额，最多两位小数" if zh else "An amount, at most 2 decimals"
    if t == "percent":
        return "百分数，填 35 表示 35%" if zh else "Percent points: 35 means 35 %"
    return ""


def fixed_texts(spec: FormSpec, lang: Lang) -> set[str]:
    """Every text the writer puts into a locked cell of a visible sheet, in one language: the
    reader accepts these where no value belongs, and calls anything else text typed outside."""
    p = plan(spec)
    names = sheet_names(p.sheets, lang)
    out = {f"（{word('computed', lang)}）", word("no_file", lang), word("picture_here", lang)}
    for sheet in p.sheets:
        if isinstance(sheet, SectionSheet):
            for row in sheet.rows:
                if row.slot is not None:
                    out.add(label_text(row.slot, lang))
                    out.update(note_text(row.slot, lang, formula) for formula in (True, False))
                elif row.kind == "see":
                    out.add(see_text(names[_index(p.sheets, row.target)], lang))
                else:
                    out.update(t.get(lang) for t in row.texts)
        elif isinstance(sheet, TableSheet):
            out.add(table_title(sheet, lang))
            out.update(s.header(lang) for s in sheet.slots if s.key != LEVEL)
            out.add(word("level", lang) + REQUIRED_MARK)
            if isinstance(sheet.member, Table) and sheet.member.row_number is not None:
                out.add(sheet.member.row_number.get(lang))
        else:
            g = sheet.grid
            out.add(table_title(sheet, lang))
            out.update(x for x in (text_of(g.corner, lang), *grid_total_labels(g, lang)) if x)
            out.update(c.label.get(lang) for c in g.columns)
            out.update(r.label.get(lang) for r in g.rows)
    out.discard("")
    return out
