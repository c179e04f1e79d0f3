"""The hidden sheets of a workbook: the option lists behind long drop-downs, and the stamp."""

from __future__ import annotations

from typing import Any

from formengine.extraction import stamp
from formengine.spec import Lang

from .xlsx_formulas import span
from .xlsx_layout import LISTS_SHEET, STAMP_SHEET
from .xlsx_texts import TEXTS_COL, fixed_texts
from .xlsx_values import put


class OptionLists:
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



def lists_sheet(wb: Any, lists: OptionLists) -> None:
    """The ``_lists`` sheet, when a drop-down's labels could not be written inline."""
    if not lists.columns:
        return
    ws = wb.create_sheet(LISTS_SHEET)
    for i, (labels, values) in enumerate(lists.columns):
        for r, (label, value) in enumerate(zip(labels, values), start=1):
            put(ws.cell(r, 2 * i + 1), label)
            put(ws.cell(r, 2 * i + 2), value)
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def stamp_sheet(wb: Any, form: Any, lang: Lang) -> None:
    """The stamp, and in column D every fixed text of the visible sheets: a file keeps being
    read after the form's labels change (they do not change its shape)."""
    ws = wb.create_sheet(STAMP_SHEET)
    for r, (key, value) in enumerate([*stamp(form).items(), ("formengine.lang", lang)], start=1):
        ws.cell(r, 1, key)
        put(ws.cell(r, 2), value)
    for r, text in enumerate(sorted(fixed_texts(form.spec, lang)), start=1):
        put(ws.cell(r, TEXTS_COL), text)
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
