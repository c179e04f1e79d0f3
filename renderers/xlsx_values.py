"""Values between a submission and workbook cells, both ways.

Writing puts what a person would type: an option's label, 是/否, a real date, an exact
decimal. Reading turns what openpyxl finds in a cell (text, int, float, datetime, time, bool)
back into what a person would have submitted — and never repairs it: a value the field cannot
take is passed on as it is, so validation reports it at its place.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from formengine.fieldtypes import ChoiceDetail
from formengine.spec import Field, Lang

from .xlsx_layout import Slot, word

NUMBER_FORMATS = {
    "money": "#,##0.00", "integer": "0", "rating": "0", "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm", "time": "hh:mm",
}
NUMERIC = frozenset({"integer", "rating", "decimal", "money", "percent"})
MAX_CELL_TEXT = 32_767  # Excel's limit for one cell

# What a person may type into a 是/否 cell (parse_bool's words, and the usual marks).
YES = frozenset({"是", "true", "yes", "y", "1", "有", "√", "✓", "✔", "☑", "☒"})
NO = frozenset({"否", "false", "no", "n", "0", "无", "×", "☐"})


def number_format(f: Field) -> str:
    if f.type in ("decimal", "percent"):
        return "0." + "0" * f.places if f.places else "0"
    return NUMBER_FORMATS.get(f.type, "@")


def slot_format(slot: Slot) -> str:
    """The number format of a slot's cell: a structured value's date parts are dates."""
    f = slot.field
    if slot.part in ("start", "end", "date") and f.type in ("date_range", "signature"):
        return NUMBER_FORMATS["date"]
    if slot.part is not None or slot.option is not None:
        return "@"
    return number_format(f)


def _get(obj: Any, key: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key, None)


def option_label(f: Field, value: str, lang: Lang) -> str:
    option = f.choices.get(value) if f.choices else None
    return option.label.get(lang) if option else value


# ---------------------------------------------------------------- writing


def cell_value(slot: Slot, value: Any, lang: Lang) -> Any:
    """What the slot's cell holds for a validated value (None: leave it empty)."""
    f = slot.field
    if value is None:
        return None
    if slot.option is not None:  # one option of a multi-choice
        for item in value:
            if (item.value if isinstance(item, ChoiceDetail) else item) == slot.option.value:
                if slot.part == "detail":
                    return item.detail if isinstance(item, ChoiceDetail) else None
                return word("yes", lang)
        return None
    if slot.part == "detail":
        return value.detail if isinstance(value, ChoiceDetail) else None
    if slot.part:
        value = _get(value, slot.part)
        if value is None:
            return None
        if f.type == "year_month_range":
            return str(value)
        return value
    return plain(f, value, lang)


def plain(f: Field, value: Any, lang: Lang) -> Any:
    """A whole value of a field as one cell (a table cell, a grid cell)."""
    if value is None:
        return None
    t = f.type
    if t == "boolean":
        return word("yes" if value else "no", lang)
    if t == "choice":
        return option_label(f, value.value if isinstance(value, ChoiceDetail) else str(value), lang)
    if t == "multi_choice":
        parts = []
        for item in value:
            if isinstance(item, ChoiceDetail):
                parts.append(f"{option_label(f, item.value, lang)}：{_detail_text(item.detail)}")
            else:
                parts.append(option_label(f, item, lang))
        return "、".join(parts)
    if t == "time":
        hours, minutes = str(value).split(":")[:2]
        return dt.time(int(hours), int(minutes))
    return value


def _detail_text(detail: Any) -> str:
    return format(detail, "f") if isinstance(detail, Decimal) else str(detail)


def put(cell: Any, value: Any) -> None:
    """Write a value as data, never as a formula (a text may start with '=')."""
    if isinstance(value, str) and len(value) > MAX_CELL_TEXT:
        from formengine.rendering import RendererError

        raise RendererError(f"文字超过 Excel 单元格上限 {MAX_CELL_TEXT} 字 / text longer than an Excel cell holds "
                            f"({len(value)} > {MAX_CELL_TEXT} characters)")
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


# ---------------------------------------------------------------- reading


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def decimal_text(x: float) -> str:
    """A float as the decimal a person typed: repr is the shortest text that reads back as the
    same float, so 86.5 stays 86.5 (never 86.5000000000000001) and nothing is rounded away."""
    try:
        return format(Decimal(repr(x)), "f")
    except InvalidOperation:  # inf / nan
        return repr(x)


def _number_as_text(x: float) -> str:
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return decimal_text(x) if isinstance(x, float) else str(x)


def _datetime_text(x: dt.datetime) -> str:
    if x.time() == dt.time(0):
        return x.date().isoformat()
    return x.isoformat(timespec="seconds" if x.second else "minutes")


def _time_text(x: dt.time) -> str:
    """HH:MM (HH:MM:SS when seconds were typed). A time read from a float can miss the minute
    by a microsecond (08:29:59.999999): rounding to the nearest second undoes that, nothing more."""
    seconds = round(x.hour * 3600 + x.minute * 60 + x.second + x.microsecond / 1e6)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


def submitted(f: Field, raw: Any, as_type: str | None = None) -> Any:
    """What a person typed into a cell of field f (read as ``as_type`` when given: the part of a
    structured value, a choice's detail), as a submitted value; None when empty."""
    if is_blank(raw):
        return None
    t = as_type or f.type
    if isinstance(raw, str):
        text = raw.strip()
        return choice_value(f, text) if t == "choice" else text
    if isinstance(raw, bool):
        return raw  # TRUE/FALSE typed into a cell: only a boolean takes it; validation decides
    if isinstance(raw, dt.datetime):
        if t == "year_month" and raw.day == 1 and raw.time() == dt.time(0):
            return f"{raw.year:04d}-{raw.month:02d}"  # Excel reads "2026-01" as 2026-01-01
        if t == "time" and raw.date() in (dt.date(1899, 12, 30), dt.date(1899, 12, 31), dt.date(1900, 1, 1)):
            return _time_text(raw.time())
        return _datetime_text(raw)
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, dt.time):
        return _time_text(raw) if t in ("time", "text", "textarea") else raw.isoformat()
    if isinstance(raw, (int, float)):
        if t in ("integer", "rating"):
            return int(raw) if isinstance(raw, int) or raw.is_integer() else decimal_text(raw)
        if t in NUMERIC:
            return raw if isinstance(raw, int) else decimal_text(raw)
        if t == "boolean":
            return raw
        if t == "choice":
            return choice_value(f, _number_as_text(raw))
        if t in ("date", "datetime"):
            return raw  # a bare serial number is not a date a person typed: validation says so
        return _number_as_text(raw)
    return str(raw)


def choice_value(f: Field, text: str) -> str:
    """The option whose label (in either language) or value was typed; else the text itself."""
    if f.choices is None:
        return text
    for o in f.choices.options:
        if text in (o.value, o.label.zh, o.label.en):
            return o.value
    return text


def mark(raw: Any) -> bool | None | str:
    """A 是/否 cell of a multi-choice option: True, False (or empty), or the unknown text."""
    if is_blank(raw):
        return None
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)):
        return {1: True, 0: False}.get(raw, str(raw))  # type: ignore[arg-type]
    text = str(raw).strip()
    if text.lower() in YES:
        return True
    if text.lower() in NO:
        return False
    return text


def split_choices(f: Field, text: str) -> list[Any]:
    """A multi-choice typed into one table cell: labels separated by 、 , ， ; ； or new lines;
    "label：detail" for an option with its own blank."""
    import re

    out: list[Any] = []
    for piece in re.split(r"[、,，;；\n]", text):
        piece = piece.strip()
        if not piece:
            continue
        value = choice_value(f, piece)
        m = re.match(r"^(.*?)[：:](.*)$", piece, re.DOTALL)
        if f.choices is not None and f.choices.get(value) is None and m:
            option = choice_value(f, m.group(1).strip())
            if f.choices.get(option) is not None:
                out.append({"value": option, "detail": m.group(2).strip()})
                continue
        out.append(value)
    return out
