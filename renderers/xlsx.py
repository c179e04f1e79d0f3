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

Modules: :mod:`.xlsx_layout` (the plan and keys), :mod:`.xlsx_formulas` (positions and
formulas), :mod:`.xlsx_writer` (the sheets) with :mod:`.xlsx_style`, :mod:`.xlsx_validation`,
:mod:`.xlsx_prompts`, :mod:`.xlsx_hidden` and :mod:`.xlsx_values`; :mod:`.xlsx_texts` (the
fixed texts, shared with the reader); :mod:`.xlsx_read` (reading back, with
:mod:`.xlsx_read_cells`, :mod:`.xlsx_read_sheets`, :mod:`.xlsx_pictures`, :mod:`.xlsx_imagefile`).
"""

from __future__ import annotations

from typing import Any

from formengine.extraction import Extracted

from .xlsx_writer import WorkbookWriter

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class XlsxRenderer:
    name = "xlsx"
    extension = "xlsx"
    media_type = XLSX_MEDIA_TYPE

    def render(self, form: Any, values: Any, options: dict[str, Any]) -> bytes:
        return WorkbookWriter(form, values, options.get("lang", "zh")).write()

    def extract(self, form: Any, content: bytes) -> Extracted:
        from .xlsx_read import extract

        return extract(form, content)
