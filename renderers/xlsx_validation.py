"""Data validation of input cells: drop-down lists, and number, date and text-length bounds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from formengine.spec import FormSpec, Grid, Lang, Tree

from .xlsx_hidden import OptionLists
from .xlsx_layout import KEY_COL, LEVEL, Slot, word
from .xlsx_prompts import prompt, range_message


def inline_list(labels: list[str]) -> str | None:
    """An Excel list formula "a,b,c", when the labels allow it (no comma or quote, ≤ 255 chars)."""
    if any("," in x or '"' in x or not x for x in labels):
        return None
    text = ",".join(labels)
    return f'"{text}"' if len(text) <= 250 else None


class Validations:
    """Adds the data validation of a slot's or a grid's cells to a sheet being written."""

    def __init__(self, spec: FormSpec, lang: Lang, lists: OptionLists):
        self.spec = spec
        self.lang = lang
        self.lists = lists

    def list_formula(self, labels: list[str], values: list[str]) -> str:
        inline = inline_list(labels)
        if inline is not None:
            return inline
        label_range, _ = self.lists.add(labels, values)
        return label_range  # no "=": a formula in the file is stored without it

    def add(self, ws: Any, slot: Slot, sqref: str, table: bool = False) -> None:
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
            error = range_message(f, lang) if slot.key != LEVEL else word("level_hint", lang)
        dv = DataValidation(type=kind, formula1=formula1, formula2=formula2, operator=operator,
                            allow_blank=True, showInputMessage=True, showErrorMessage=kind is not None,
                            errorStyle="stop", errorTitle=slot.label(lang, in_table=table)[:32] if kind else None,
                            error=error[:255] if kind else None, promptTitle=slot.label(lang, in_table=table)[:32],
                            prompt=prompt(slot, lang)[:255] or None)
        dv.add(sqref)
        ws.add_data_validation(dv)

    def _tree_of(self, ws: Any) -> Tree | None:
        """The tree a sheet holds (its marker names it): the bound of its level column."""
        marker = str(ws.cell(1, KEY_COL).value)
        tid = marker.split(" ", 1)[1] if " " in marker else ""
        return next((t for t in self.spec.trees if t.id == tid), None)

    def add_grid(self, ws: Any, g: Grid, sqref: str) -> None:
        """Data validation of a grid's cells: a mark, an option, 是/否 or a number within bounds."""
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
                                errorStyle="stop", error=range_message(cell, lang)[:255])
        else:
            return
        if g.hint:
            dv.showInputMessage = True
            dv.prompt = g.hint.get(lang)[:255]
        dv.add(sqref)
        ws.add_data_validation(dv)


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
