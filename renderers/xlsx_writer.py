"""Writing a fillable workbook: a sheet per section, table, tree and grid, then the hidden sheets.

The layout is described in :mod:`.xlsx`; where each value goes is decided first
(:func:`.xlsx_formulas.locate`), because formulas point across sheets.
"""

from __future__ import annotations

import io
from typing import Any

from formengine.extraction import stamp
from formengine.spec import Field, FormSpec, Lang, Table, Tree
from formengine.view import display

from .xlsx_formulas import DATA_ROWS, Formulas, Places, in_row, locate, translate
from .xlsx_hidden import OptionLists, lists_sheet, stamp_sheet
from .xlsx_layout import (
    EXTRA_ROWS,
    FIRST_COL,
    GRID,
    HEADER,
    KEY_COL,
    KEYS,
    LABEL_COL,
    LEVEL,
    NOTE_COL,
    NUMBER,
    PICTURE,
    SECTION,
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
from .xlsx_style import PICTURE_ROW_HEIGHT, ROW_HEIGHT, column_width, page_setup, protect, styles
from .xlsx_texts import (
    grid_total_labels,
    label_text,
    level_header,
    note_text,
    see_text,
    sheet_index,
    table_title,
)
from .xlsx_validation import Validations
from .xlsx_values import cell_value, number_format, plain, put, slot_format

PREPARED_MAX = 200  # a table allowing at most this many rows gets all of them prepared


class WorkbookWriter:
    """Writes one workbook: a sheet per section, table, tree and grid, then the hidden sheets."""

    def __init__(self, form: Any, values: Any, lang: Lang):
        from openpyxl import Workbook

        self.form = form
        self.spec: FormSpec = form.spec
        self.values = values
        self.lang = lang
        self.plan = plan(self.spec)
        self.names = sheet_names(self.plan.sheets, lang)
        self.style = styles()
        self.lists = OptionLists()
        self.validations = Validations(self.spec, lang, self.lists)
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
        lists_sheet(self.wb, self.lists)
        stamp_sheet(self.wb, self.form, self.lang)
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
                texts = [see_text(self.names[sheet_index(self.plan.sheets, row.target)], lang)]
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
        protect(ws, rows=False)
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
            put(cell, word("picture_here", lang))
            # unlocked: LibreOffice inserts a picture into a protected sheet only at an unlocked cell
            cell.font, cell.protection, cell.alignment = st.hint, st.unlocked, st.centre
            ws.row_dimensions[r].height = PICTURE_ROW_HEIGHT
            ws.protection.objects = False  # openpyxl: False = Excel may insert pictures while protected
            self.validations.add(ws, slot, cell.coordinate)
            return
        cell.protection = st.unlocked
        put(cell, cell_value(slot, self.value(f.id), lang) if self.values is not None else None)
        self.validations.add(ws, slot, cell.coordinate)

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
            put(cell, shown or f"（{word('computed', self.lang)}）")
        if first:
            cell.comment = Comment(f"{word('computed', 'zh')} / {word('computed', 'en')}", "formengine")

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
            head = ws.cell(3, col, slot.header(lang) if slot.key != LEVEL else level_header(lang))
            head.font, head.fill, head.border, head.alignment = st.bold, st.header_fill, st.border, st.centre
            ws.column_dimensions[letter].width = column_width(slot)
            key = f"{member.id}.{slot.key}"
            formula = formulas.formulas.get(key) if slot.computed else None
            if not slot.computed:  # typing below the prepared rows stays possible
                ws.column_dimensions[letter].protection = st.unlocked
                ws.column_dimensions[letter].number_format = slot_format(slot)
                self.validations.add(ws, slot, f"{letter}{first}:{letter}{first + DATA_ROWS - 1}", table=True)
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
                    put(cell, value)
        ws.column_dimensions["A"].hidden = True
        ws.freeze_panes = ws.cell(first, FIRST_COL)
        protect(ws, rows=True)
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
                    put(cell, word("mark", lang) if given == c.key else None)
                elif isinstance(given, dict):
                    put(cell, plain(g.cell, given.get(c.key), lang))
        sqref = f"{get_column_letter(first_col)}4:{get_column_letter(end_col)}{3 + len(g.rows)}"
        self.validations.add_grid(ws, g, sqref)
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
        protect(ws, rows=False)
        self.page(ws, f"{get_column_letter(FIRST_COL)}1:{get_column_letter(last_col)}{last_row}",
                  landscape=len(g.columns) > 8)

    def total_cell(self, ws: Any, cell: Any, rng: str, f: Field) -> None:
        st = self.style
        cell.value = f'=IF(COUNT({rng})=0,"",SUM({rng}))'
        cell.fill, cell.border, cell.protection, cell.alignment = st.computed_fill, st.border, st.locked, st.centre
        cell.number_format = number_format(f)

    # ---------------------------------------------------------- page

    def page(self, ws: Any, area: str, landscape: bool) -> None:
        page_setup(ws, area, landscape or self.spec.orientation == "landscape")
