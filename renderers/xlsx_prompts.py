"""The messages of an input cell's data validation: the input prompt and the out-of-range error."""

from __future__ import annotations

import datetime as dt
from typing import Any

from formengine.spec import Field, Lang

from .xlsx_layout import LEVEL, PICTURE, Slot, word


def prompt(slot: Slot, lang: Lang) -> str:
    """The input message of a slot's cell: how to fill it, whether it is required, its bounds."""
    f = slot.field
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
    fmt = format_hint(f, slot, lang) if f.type != PICTURE else picture_rules(f, lang)
    if fmt:
        parts.append(fmt)
    if f.type in ("integer", "decimal", "money", "percent", "rating", "date") and slot.part is None and \
            (f.min is not None or f.max is not None):
        parts.append(range_message(f, lang))
    return ("；" if lang == "zh" else "; ").join(parts)


def range_message(f: Field, lang: Lang) -> str:
    what = {"integer": ("整数", "a whole number"), "rating": ("整数", "a whole number"),
            "date": ("日期", "a date"), "datetime": ("日期时间", "a date and time"),
            "text": ("文字", "text"), "textarea": ("文字", "text")}.get(f.type, ("数字", "a number"))
    low, high = f.min, f.max
    if f.type in ("text", "textarea"):
        low, high = f.min_length, f.max_length
    must, at_least, at_most = _RANGE_WORDS[lang]
    text = must.format(what[0] if lang == "zh" else what[1])
    if low is not None:
        text += at_least.format(_shown(low))
    if high is not None:
        text += at_most.format(_shown(high))
    return text


_RANGE_WORDS = {"zh": ("应为{}", "，不小于 {}", "，不大于 {}"), "en": ("Must be {}", ", at least {}", ", at most {}")}


def _shown(v: Any) -> str:
    return v.isoformat() if isinstance(v, dt.date) else str(v)


def picture_rules(f: Field, lang: Lang) -> str:
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


def format_hint(f: Field, slot: Slot, lang: Lang) -> str:
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
