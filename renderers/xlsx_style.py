"""How the written sheets look and are guarded: fonts, fills, borders, widths, protection, page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .xlsx_layout import LEVEL, Slot

FONT = "宋体"
LOCKED_FILL = "F2F2F2"
HEADER_FILL = "D9E1F2"
COMPUTED_FILL = "FFF2CC"
HINT_COLOR = "7F7F7F"
ROW_HEIGHT = 20  # points: room to type in
PICTURE_ROW_HEIGHT = 48  # an image field's row: room to see where the picture goes


@dataclass
class Style:
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


def styles() -> Style:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

    thin = Side(style="thin", color="808080")
    return Style(
        font=Font(name=FONT, size=11), bold=Font(name=FONT, size=11, bold=True),
        title=Font(name=FONT, size=16, bold=True), hint=Font(name=FONT, size=10, color=HINT_COLOR),
        border=Border(left=thin, right=thin, top=thin, bottom=thin),
        locked=Protection(locked=True), unlocked=Protection(locked=False),
        label_fill=PatternFill("solid", fgColor=LOCKED_FILL), header_fill=PatternFill("solid", fgColor=HEADER_FILL),
        computed_fill=PatternFill("solid", fgColor=COMPUTED_FILL),
        wrap=Alignment(wrap_text=True, vertical="center"), centre=Alignment(horizontal="center", vertical="center",
                                                                             wrap_text=True),
    )


def column_width(slot: Slot) -> float:
    """A table column's width, by what its field holds."""
    weights = {"textarea": 30, "text": 18, "money": 14, "decimal": 12, "integer": 9, "percent": 10, "date": 13,
               "datetime": 17, "time": 8, "boolean": 8, "choice": 14, "multi_choice": 20, "phone": 15,
               "signature": 14, "date_range": 13, "year_month_range": 11, "year_month": 10}
    if slot.key == LEVEL:
        return 7
    return float(weights.get(slot.field.type, 16))


def protect(ws: Any, rows: bool) -> None:
    """Protected without a password: labels and formulas stay put, inputs are unlocked.
    openpyxl's flags are 'forbidden while protected': False allows the action."""
    p = ws.protection
    p.sheet = True
    p.formatColumns = p.formatRows = False  # widths and heights may be adjusted
    if rows:  # a table grows by inserting rows
        p.insertRows = p.deleteRows = False


def page_setup(ws: Any, area: str, landscape: bool) -> None:
    """A4, fitted to the page's width, printing ``area``."""
    ws.print_area = area
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
