"""What a printed form shows, independent of the output format.

Renderers walk a :class:`Document`: a list of blocks in paper order, each value already
formatted for a reader (dates as 2026年1月15日, choices as ☐/☑ with their labels, amounts
with two places). HTML, Markdown and DOCX therefore print the same words, and formatting
rules live in one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Union

from pydantic import BaseModel

from .fieldtypes import ChoiceDetail
from .spec import Field, FormSpec, Grid, Group, Lang, Section, Table, Text, TextItem, Tree

CHECKED = "☑"
UNCHECKED = "☐"
RMB_UNITS = ("仟", "佰", "拾", "万", "仟", "佰", "拾", "元", "角", "分")


def _plain(values: Any) -> dict[str, Any]:
    if values is None:
        return {}
    if isinstance(values, BaseModel):
        return dict(values.__dict__)
    return dict(values)


def as_dict(values: Any) -> dict[str, Any]:
    """The top-level values of a submission (a validated model, a dict or None) by id."""
    return _plain(values)


def _get(obj: Any, key: str) -> Any:
    if isinstance(obj, BaseModel):
        return getattr(obj, key, None)
    if isinstance(obj, dict):
        return obj.get(key)
    return None


def format_date(d: Any, lang: Lang = "zh") -> str:
    if isinstance(d, dt.datetime):
        return d.strftime("%Y-%m-%d %H:%M") if lang == "en" else f"{d.year}年{d.month}月{d.day}日 {d:%H:%M}"
    if isinstance(d, dt.date):
        return d.isoformat() if lang == "en" else f"{d.year}年{d.month}月{d.day}日"
    return "" if d is None else str(d)


def format_year_month(v: Any, lang: Lang = "zh") -> str:
    if not v:
        return ""
    year, month = str(v).split("-")
    return str(v) if lang == "en" else f"{int(year)}年{int(month)}月"


_STEPS: dict[int, Decimal] = {}


def format_number(v: Any, places: int | None = None) -> str:
    if isinstance(v, Decimal):
        if places is not None:
            step = _STEPS.get(places)
            if step is None:
                step = _STEPS[places] = Decimal(1).scaleb(-places)
            v = v.quantize(step)
        return format(v, "f")
    return str(v)


def option_label(field: Field, value: str, lang: Lang) -> str:
    option = field.choices.get(value) if field.choices else None
    return option.label.get(lang) if option else value


_PLAIN_TYPES = frozenset({"text", "textarea", "integer", "rating", "time", "phone", "mobile", "email", "url",
                          "postcode", "id_card", "uscc", "bank_account", "plate_number"})


def display(field: Field, value: Any, lang: Lang = "zh") -> str:
    """A value as a reader sees it on paper; '' for an empty value."""
    if value is None or (isinstance(value, (str, list)) and not value):
        return ""
    t = field.type
    if t in _PLAIN_TYPES:  # the last line below, without walking the other types first
        return format_number(value) if isinstance(value, Decimal) else str(value)
    if t == "money":
        return format_number(value, 2)
    if t in ("decimal",):
        return format_number(value)
    if t == "percent":
        return format_number(value)  # the unit (%) is printed after it, as on a blank form
    if t in ("date", "datetime"):
        return format_date(value, lang)
    if t == "year_month":
        return format_year_month(value, lang)
    if t == "date_range":
        sep = " 至 " if lang == "zh" else " – "
        return format_date(_get(value, "start"), lang) + sep + format_date(_get(value, "end"), lang)
    if t == "year_month_range":
        sep = " 至 " if lang == "zh" else " – "
        return format_year_month(_get(value, "start"), lang) + sep + format_year_month(_get(value, "end"), lang)
    if t == "boolean":
        return ("是" if value else "否") if lang == "zh" else ("Yes" if value else "No")
    if t == "choice":
        return _choice_text(field, value, lang)
    if t == "multi_choice":
        return "、".join(_choice_text(field, v, lang) for v in value)
    if t == "signature":
        name, date = _get(value, "name"), _get(value, "date")
        return " ".join(x for x in (name or "", format_date(date, lang) if date else "") if x)
    if t == "image":
        name, w, h = _get(value, "name"), _get(value, "width"), _get(value, "height")
        size = f" ({w}×{h})" if w and h else ""
        return f"{name or ''}{size}"
    if t == "attachment":
        return str(_get(value, "name") or "")
    return format_number(value) if isinstance(value, Decimal) else str(value)


Format = Callable[[Any], str]
_CENTS = Decimal("0.01")


def formatter(field: Field, lang: Lang = "zh") -> Format:
    """:func:`display` for one field, what depends only on its type decided once: for table
    columns, whose cells are formatted row after row. Anything unusual goes to :func:`display`."""
    t = field.type

    def general(value: Any) -> str:
        return display(field, value, lang)

    if t in _PLAIN_TYPES:
        def plain(value: Any) -> str:
            if value.__class__ is str:  # '' is '' too
                return value
            return str(value) if value.__class__ is int else general(value)
        return plain
    if t == "money":
        def money(value: Any) -> str:
            # str() of an amount quantized to 分 is its "f" format (an exponent of -2 is never
            # written in E notation), at a third of the cost
            return str(value.quantize(_CENTS)) if value.__class__ is Decimal else general(value)
        return money
    if t in ("decimal", "percent"):
        def number(value: Any) -> str:
            return format(value, "f") if value.__class__ is Decimal else general(value)
        return number
    return general


def _choice_text(field: Field, value: Any, lang: Lang) -> str:
    if isinstance(value, (ChoiceDetail, dict)):
        v, detail = _get(value, "value"), _get(value, "detail")
        option = field.choices.get(v) if field.choices else None
        unit = option.unit if option and option.unit else ""
        shown = format_number(detail) if isinstance(detail, Decimal) else str(detail)
        return f"{option_label(field, v, lang)}：{shown}{unit}"
    return option_label(field, str(value), lang)


# ---------------------------------------------------------------- blocks


@dataclass
class FieldView:
    field: Field
    label: str
    text: str  # '' when blank
    unit: str = ""

    @property
    def blank(self) -> bool:
        return self.text == ""


@dataclass
class OptionView:
    label: str
    checked: bool
    detail: str = ""  # the option's own blank, filled
    blank_label: str = ""
    unit: str = ""
    has_blank: bool = False

    @property
    def box(self) -> str:
        return CHECKED if self.checked else UNCHECKED


@dataclass
class ChoiceView(FieldView):
    options: list[OptionView] = field(default_factory=list)
    multi: bool = False


@dataclass
class SignatureView(FieldView):
    name: str = ""
    date: str = ""


@dataclass
class DigitBoxesView(FieldView):
    boxes: list[tuple[str, str]] = field(default_factory=list)  # (unit, digit) pairs, digit '' when blank


@dataclass
class ParagraphView:
    """Text with inline blanks: parts are plain strings or filled/blank fields."""

    parts: list[str | FieldView]


@dataclass
class TableView:
    table: Table
    title: str
    header: list[str]
    rows: list[list[str]]
    blank_rows: int  # empty rows to print after the filled ones
    numbered: bool


@dataclass
class GridView:
    grid: Grid
    title: str
    corner: str
    header: list[str]
    rows: list[tuple[str, list[str]]]  # (row label, cells)


@dataclass
class TreeView:
    tree: Tree
    title: str
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (depth from 0, cells)
    blank_rows: int


@dataclass
class GroupView:
    title: str
    blocks: list[Block]


Block = Union[FieldView, ParagraphView, TableView, GridView, TreeView, GroupView]


@dataclass
class SectionView:
    number: str
    title: str
    hint: str
    blocks: list[Block]

    @property
    def heading(self) -> str:
        if not self.number:
            return self.title
        sep = "、" if not self.number.isdigit() else ". "
        return f"{self.number}{sep}{self.title}"


@dataclass
class Document:
    spec: FormSpec
    lang: Lang
    filled: bool
    title: str
    code: str
    copies: str  # 一式N联 line, '' when not printed in copies
    sections: list[SectionView]
    notes: list[str]

    def fields(self) -> list[FieldView]:
        """Every field view, in order (inline blanks and groups included)."""
        out: list[FieldView] = []

        def walk(blocks: list[Block]) -> None:
            for b in blocks:
                if isinstance(b, FieldView):
                    out.append(b)
                elif isinstance(b, ParagraphView):
                    out.extend(p for p in b.parts if isinstance(p, FieldView))
                elif isinstance(b, GroupView):
                    walk(b.blocks)
        for s in self.sections:
            walk(s.blocks)
        return out


def build(spec: FormSpec, values: Any = None, lang: Lang = "zh") -> Document:
    """The printable document of a form, blank (``values=None``) or filled."""
    data = _plain(values)
    copies = ""
    if spec.copies:
        copies = f"一式{_zh_count(spec.copies)}联" if lang == "zh" else f"In {spec.copies} copies"
        if spec.copies_note:
            copies += f"（{spec.copies_note.get(lang)}）" if lang == "zh" else f" ({spec.copies_note.get(lang)})"
    return Document(
        spec=spec, lang=lang, filled=values is not None, title=spec.title.get(lang), code=spec.code or "",
        copies=copies, sections=[_section(s, data, lang) for s in spec.sections],
        notes=[n.get(lang) for n in spec.notes],
    )


def _zh_count(n: int) -> str:
    from .cn import number_zh

    return number_zh(n)


def _t(text: Text | None, lang: Lang) -> str:
    return text.get(lang) if text else ""


def _section(section: Section, data: dict[str, Any], lang: Lang) -> SectionView:
    return SectionView(section.number, section.title.get(lang), _t(section.hint, lang),
                       [_block(item, data, lang) for item in section.items])


def _block(item: Any, data: dict[str, Any], lang: Lang) -> Block:
    if isinstance(item, Field):
        return field_view(item, data.get(item.id), lang)
    if isinstance(item, TextItem):
        return _paragraph(item, data, lang)
    if isinstance(item, Group):
        return GroupView(_t(item.title, lang), [_block(i, data, lang) for i in item.items])
    if isinstance(item, Table):
        return _table(item, data.get(item.id), lang)
    if isinstance(item, Grid):
        return _grid(item, data.get(item.id), lang)
    assert isinstance(item, Tree)
    return _tree(item, data.get(item.id), lang)


def field_view(f: Field, value: Any, lang: Lang) -> FieldView:
    label = f.label.get(lang)
    unit = f.unit or {"money": "元" if lang == "zh" else "", "percent": "%"}.get(f.type, "")
    text = display(f, value, lang)
    if f.type in ("choice", "multi_choice", "boolean"):
        return ChoiceView(f, label, text, unit, options=_options(f, value, lang), multi=f.type == "multi_choice")
    if f.type == "signature":
        date = _get(value, "date")
        return SignatureView(f, label, text, unit, name=str(_get(value, "name") or ""),
                             date=format_date(date, lang) if date else "")
    if f.print == "digit_boxes" and f.type == "money":
        return DigitBoxesView(f, label, text, unit, boxes=_boxes(value))
    return FieldView(f, label, text, unit)


def field_viewer(f: Field, lang: Lang) -> Callable[[Any], FieldView]:
    """:func:`field_view` for one field, what depends only on the field decided once: for a
    renderer that shows the same form again and again."""
    probe = field_view(f, None, lang)
    label, unit = probe.label, probe.unit
    if type(probe) is FieldView:
        text = formatter(f, lang)
        return lambda value: FieldView(f, label, text(value), unit)
    if type(probe) is SignatureView:
        def signature(value: Any) -> SignatureView:  # display()'s text, with the date formatted once
            name, date = _get(value, "name"), _get(value, "date")
            day = format_date(date, lang) if date else ""
            text = " ".join(x for x in (name or "", day) if x)
            return SignatureView(f, label, text, unit, name=str(name or ""), date=day)
        return signature
    return lambda value: field_view(f, value, lang)  # choices, digit boxes: their parts need the value


def _boxes(value: Any) -> list[tuple[str, str]]:
    if value is None:
        return [(u, "") for u in RMB_UNITS]
    from .cn import rmb_digit_boxes

    for places in range(len(RMB_UNITS), 15):  # 亿 and above get boxes of their own, up to 仟亿
        try:
            return rmb_digit_boxes(value, places)
        except ValueError:  # negative, or too large for these boxes
            continue
    return [(u, "") for u in RMB_UNITS]  # paper cannot box it: the figure and 大写 still print it


def _options(f: Field, value: Any, lang: Lang) -> list[OptionView]:
    if f.type == "boolean":
        yes, no = ("是", "否") if lang == "zh" else ("Yes", "No")
        return [OptionView(yes, value is True), OptionView(no, value is False)]
    assert f.choices is not None
    chosen: dict[str, Any] = {}
    for v in (value if isinstance(value, list) else [value] if value is not None else []):
        if isinstance(v, (ChoiceDetail, dict)):
            chosen[str(_get(v, "value"))] = _get(v, "detail")
        else:
            chosen[str(v)] = None
    out = []
    for o in f.choices.options:
        detail = chosen.get(o.value)
        out.append(OptionView(o.label.get(lang), o.value in chosen,
                              format_number(detail) if isinstance(detail, Decimal) else ("" if detail is None else str(detail)),
                              _t(o.blank_label, lang), o.unit or "", o.blank is not None))
    return out


def _paragraph(item: TextItem, data: dict[str, Any], lang: Lang) -> ParagraphView:
    import re

    blanks = {f.id: f for f in item.blanks}
    parts: list[str | FieldView] = []
    for piece in re.split(r"(\{[a-z][a-z0-9_]*\})", item.text.get(lang)):
        name = piece[1:-1] if piece.startswith("{") and piece.endswith("}") else None
        if name in blanks:
            parts.append(field_view(blanks[name], data.get(name), lang))
        elif piece:
            parts.append(piece)
    return ParagraphView(parts)


def _cells(columns: tuple[Field, ...], row: Any, lang: Lang) -> list[str]:
    values = row.__dict__ if isinstance(row, BaseModel) else row if isinstance(row, dict) else {}
    return [display(c, values.get(c.id), lang) for c in columns]


def row_texts(t: Table, rows: Any, lang: Lang,
              formats: Sequence[Format] | None = None) -> Iterator[list[str]]:
    """The texts of a table's filled rows, in order (rows that are None skipped), led by the row's
    number when the table numbers its rows. ``formats``: the columns' :func:`formatter`, when a
    renderer keeps them between calls."""
    columns = list(zip([c.id for c in t.columns], formats or [formatter(c, lang) for c in t.columns]))
    numbered = t.row_number is not None
    n = 0
    for row in rows or ():
        if row is None:
            continue
        n += 1
        values = row.__dict__ if isinstance(row, BaseModel) else row if isinstance(row, dict) else {}
        cells = [fmt(values.get(key)) for key, fmt in columns]
        if numbered:
            cells.insert(0, str(n))
        yield cells


def _table(t: Table, rows: Any, lang: Lang) -> TableView:
    header = [c.label.get(lang) + (f"（{c.unit}）" if c.unit and lang == "zh" else f" ({c.unit})" if c.unit else "")
              for c in t.columns]
    numbered = t.row_number is not None
    if numbered:
        header.insert(0, _t(t.row_number, lang))
    body = list(row_texts(t, rows, lang))
    blank = 0 if rows else t.print_rows
    return TableView(t, _t(t.title, lang), header, body, blank, numbered)


def grid_view(g: Grid, cells: Any, lang: Lang) -> GridView:
    """The view of a grid's cells (a submission's value for it)."""
    return _grid(g, cells, lang)


def tree_view(t: Tree, nodes: Any, lang: Lang) -> TreeView:
    """The view of a tree's nodes (a submission's value for it)."""
    return _tree(t, nodes, lang)


def _grid(g: Grid, cells: Any, lang: Lang) -> GridView:
    cells = cells or {}
    columns = [c.label.get(lang) for c in g.columns]
    keys = [c.key for c in g.columns]
    if g.row_totals:
        columns.append(g.row_totals.get(lang))
        keys.append(g.row_totals.zh)
    rows = [(r.label.get(lang), r.key) for r in g.rows]
    if g.column_totals:
        rows.append((g.column_totals.get(lang), g.column_totals.zh))
    body = []
    for label, rk in rows:
        row = cells.get(rk)
        if g.one_per_row:
            body.append((label, [CHECKED if row == k else UNCHECKED for k in keys]))
        else:
            body.append((label, [display(g.cell, (row or {}).get(k), lang) for k in keys]))
    return GridView(g, _t(g.title, lang), _t(g.corner, lang), columns, body)


def _tree(t: Tree, nodes: Any, lang: Lang) -> TreeView:
    rows: list[tuple[int, list[str]]] = []

    def walk(items: Any, depth: int) -> None:
        for node in items or ():
            rows.append((depth, _cells(t.columns, node, lang)))
            walk(_get(node, "children"), depth + 1)
    walk(nodes, 0)
    return TreeView(t, _t(t.title, lang), [c.label.get(lang) for c in t.columns], rows, 0 if rows else t.print_rows)


def all_texts(doc: Document) -> list[str]:
    """Every non-empty value text a filled document shows (used to prove nothing is lost)."""
    out: list[str] = []

    def walk(blocks: list[Block]) -> None:
        for b in blocks:
            if isinstance(b, FieldView) and b.text:
                out.append(b.text)
            elif isinstance(b, ParagraphView):
                out.extend(p.text for p in b.parts if isinstance(p, FieldView) and p.text)
            elif isinstance(b, GroupView):
                walk(b.blocks)
            elif isinstance(b, TableView):
                out.extend(c for r in b.rows for c in r if c)
            elif isinstance(b, GridView):
                out.extend(c for _, r in b.rows for c in r if c and c not in (CHECKED, UNCHECKED))
            elif isinstance(b, TreeView):
                out.extend(c for _, r in b.rows for c in r if c)
    for s in doc.sections:
        walk(s.blocks)
    return out
