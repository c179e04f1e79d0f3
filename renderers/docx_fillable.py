"""The fillable DOCX: the printable layout with a content control in every blank.

The page is laid out exactly as the blank printable form (:class:`renderers.docx._Body`);
only what goes into a blank changes: a text input, a date picker, a drop-down list, check
boxes, a picture control for an image — each bound to its data by its tag
(:mod:`.docx_controls`). Table and tree rows form a repeating section, so Word adds a row like
the others with one click. Computed values get no input (the server computes them) and
attachment fields cannot travel in a Word file: both get a grey note instead. Rendering with
data fills the inputs in, and the file reads back to the same data — except an image: the
data holds only what was measured of it (name, size, format), not the picture, so its
picture control keeps its placeholder and the picture is inserted by the person filling in.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from formengine.extraction import stamp
from formengine.fieldtypes import ChoiceDetail
from formengine.spec import Field, Lang, Option
from formengine.view import (
    DigitBoxesView,
    Document,
    FieldView,
    GridView,
    TableView,
    TreeView,
    _get,
    _plain,
    build,
    display,
)
from formengine.view import format_number as _format_number

from .docx import (
    CENTRED,
    HEADER_SHADE,
    HINT_COLOR,
    LABEL_SHADE,
    NUMERIC,
    SMALL_SIZE,
    Cell,
    TableXml,
    Title,
    _Body,
    assemble_document,
    cell,
    para,
    run,
)
from .docx_controls import (
    INLINE_PICTURE_WIDTH_EMU,
    PICTURE_WIDTH_EMU,
    Ids,
    Look,
    checkbox_control,
    date_control,
    detail_tag,
    dropdown_control,
    grey,
    level_tag,
    option_tag,
    part_tag,
    picture_control,
    repeating_section,
    row_prefix,
    tag_in,
    text_control,
)
from .docx_controls import cell_tag as grid_cell_tag
from .docx_package import (
    CUSTOM_PART,
    LANG_PROPERTY,
    PLACEHOLDER_REL_ID,
    custom_properties,
    fillable_skeleton,
)

WORDS: dict[str, dict[str, str]] = {
    "zh": {"type": "点击填写", "type_short": "填写", "date": "选择日期", "month": "选择年月", "choose": "请选择",
           "time": "时:分", "datetime": "如 2026-01-15 09:30", "computed": "（自动计算）", "grid_computed": "自动",
           "separate": "（不能在此文件中填写，请另行提交）", "level": "层级", "start": "开始", "end": "结束",
           "sign": "签字", "signed": "日期", "detail": "说明", "yes": "是", "no": "否", "table": "表格"},
    "en": {"type": "Click to type", "type_short": "Type", "date": "Pick a date", "month": "Pick a month",
           "choose": "Choose", "time": "HH:MM", "datetime": "e.g. 2026-01-15 09:30", "computed": "(computed)",
           "grid_computed": "auto", "separate": "(cannot be filled in this file; submit it separately)",
           "level": "Level", "start": "start", "end": "end", "sign": "signature", "signed": "date",
           "detail": "detail", "yes": "Yes", "no": "No", "table": "table"},
}
GRID_PLACEHOLDER = "\u3000"  # grid cells are small: the cell's border is the box
DEFAULT_ASPECT = (4, 3)  # width : height of a picture box when the field does not say
_NO_UNIT = frozenset({"choice", "multi_choice", "boolean", "signature", "image", "attachment"})


def alias_part(lang: Lang, alias: str, part: str) -> str:
    """``付款日期（开始）`` / ``Payment date (start)``."""
    return f"{alias}（{part}）" if lang == "zh" else f"{alias} ({part})"


def alias_option(lang: Lang, alias: str, option: str) -> str:
    return f"{alias}：{option}" if lang == "zh" else f"{alias}: {option}"


def boolean_items(lang: Lang) -> list[tuple[str, str]]:
    w = WORDS[lang]
    return [(w["yes"], "true"), (w["no"], "false")]


def _detail_text(detail: Any) -> str:
    if detail is None:
        return ""
    return _format_number(detail) if isinstance(detail, Decimal) else str(detail)


def _chosen(value: Any) -> dict[str, Any]:
    """option value → its detail (None without one), for a choice or multi_choice value."""
    out: dict[str, Any] = {}
    for v in value if isinstance(value, list) else [value] if value is not None else []:
        if isinstance(v, (ChoiceDetail, dict)):
            out[str(_get(v, "value"))] = _get(v, "detail")
        else:
            out[str(v)] = None
    return out


def _typical(bounds: Any) -> int | None:
    """A pixel size within a field's ``width`` / ``height`` rule (the middle of a range)."""
    if bounds is None:
        return None
    low, high = bounds.min, bounds.max
    if low is not None and high is not None:
        return (int(low) + int(high)) // 2
    return int(low) if low is not None else int(high) if high is not None else None


def picture_box(f: Field, width_emu: int) -> tuple[int, int]:
    """The placeholder's box: ``width_emu`` wide, as high as the field's expected picture is
    for that width (4 : 3 without a rule), so an inserted picture of the right size fills it."""
    w, h = _typical(f.width), _typical(f.height)
    if not w or not h:
        w, h = DEFAULT_ASPECT
    return width_emu, max(1, width_emu * h // w)


def _as_date(value: Any, month: bool) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if month:  # year_month values are "YYYY-MM"
        year, mon = str(value).split("-")[:2]
        return dt.date(int(year), int(mon), 1)
    return dt.date.fromisoformat(str(value))


class FillableBody(_Body):
    """:class:`_Body` whose blanks are content controls, pre-filled from ``values``."""

    def __init__(self, doc: Document, width: int, values: dict[str, Any]):
        super().__init__(doc, width)
        self.values = values
        self.ids = Ids()
        self.fw = WORDS[doc.lang]

    # ---- one field's inputs

    def field_runs(self, f: Field, value: Any, base: str, alias: str, where: str, *, size: int | None = None,
                   stacked: bool = False) -> str:
        """The inputs of one field. ``where``: "value" (a value cell), "inline" (running text),
        "cell" (a table or tree cell) or "grid" (a grid cell)."""
        w, lang = self.fw, self.lang
        if f.computed:
            return grey(w["grid_computed"] if where == "grid" else w["computed"], size)
        look = Look(size=size, underline=where == "inline")
        t = f.type
        if t == "image":  # the picture cannot come from the data: the placeholder stays (module note)
            width = INLINE_PICTURE_WIDTH_EMU if where == "inline" else PICTURE_WIDTH_EMU
            return picture_control(self.ids, base, alias, PLACEHOLDER_REL_ID, picture_box(f, width))
        if t == "attachment":
            return grey(w["separate"], SMALL_SIZE)
        if t == "choice" or (t == "boolean" and where == "grid"):
            return self.choice_inputs(f, value, base, alias, look, where)
        if t in ("multi_choice", "boolean"):
            return self.box_inputs(f, value, base, alias, look, size)
        if t in ("date", "year_month"):
            return self.date_input(base, alias, value, t == "year_month", look, where)
        if t in ("date_range", "year_month_range"):
            month = t == "year_month_range"
            start = self.date_input(part_tag(base, "start"), alias_part(lang, alias, w["start"]),
                                    _get(value, "start"), month, look, where)
            end = self.date_input(part_tag(base, "end"), alias_part(lang, alias, w["end"]),
                                  _get(value, "end"), month, look, where)
            return start + run(self.w["to"]) + end
        if t == "signature":
            name = text_control(self.ids, part_tag(base, "name"), alias_part(lang, alias, w["sign"]),
                                str(_get(value, "name") or ""), self.placeholder(where), look)
            date = self.date_input(part_tag(base, "date"), alias_part(lang, alias, w["signed"]),
                                   _get(value, "date"), False, look, where)
            if where == "cell":
                return name + run(" ") + date
            sep = run("\n") if stacked else run("\u3000\u3000")
            return run(self.w["sign"]) + name + sep + run(self.w["date"]) + date
        return text_control(self.ids, base, alias, self.text_of(f, value), self.placeholder(where, t), look)

    def placeholder(self, where: str, kind: str = "text") -> str:
        if where == "grid":
            return GRID_PLACEHOLDER
        if kind in ("time", "datetime"):
            return self.fw[kind]
        return self.fw["type_short" if where == "cell" else "type"]

    def text_of(self, f: Field, value: Any) -> str:
        """A value as typed into a text input: as printed, but date-times in ISO form (the
        Chinese printed form is for reading, not for reading back)."""
        if value is None:
            return ""
        if f.type == "datetime" and isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        return display(f, value, self.lang)

    def date_input(self, tag: str, alias: str, value: Any, month: bool, look: Look, where: str) -> str:
        placeholder = GRID_PLACEHOLDER if where == "grid" else self.fw["month" if month else "date"]
        return date_control(self.ids, tag, alias, _as_date(value, month), self.lang, placeholder, look, month=month)

    def choice_inputs(self, f: Field, value: Any, base: str, alias: str, look: Look, where: str) -> str:
        """A drop-down list, then a text input beside each option that carries its own blank."""
        placeholder = GRID_PLACEHOLDER if where == "grid" else self.fw["choose"]
        if f.type == "boolean":
            chosen = None if value is None else "true" if value else "false"
            return dropdown_control(self.ids, base, alias, boolean_items(self.lang), chosen, placeholder, look)
        assert f.choices is not None
        picked = _chosen(value)
        items = [(o.label.get(self.lang), o.value) for o in f.choices.options]
        out = dropdown_control(self.ids, base, alias, items, next(iter(picked), None), placeholder, look)
        for o in f.choices.options:
            if o.blank:
                out += self.detail_input(o, base, alias, picked, look, lead="\u3000" + o.label.get(self.lang))
        return out

    def detail_input(self, option: Option, base: str, alias: str, picked: dict[str, Any], look: Look,
                     lead: str) -> str:
        """``lead`` + ``：`` + the option's blank label, a text input, the option's unit."""
        label = option.label.get(self.lang)
        blank_label = option.blank_label.get(self.lang) if option.blank_label else ""
        out = run(lead + self.w["colon"] + blank_label)
        out += text_control(self.ids, detail_tag(base, option.value),
                            alias_part(self.lang, alias_option(self.lang, alias, label), self.fw["detail"]),
                            _detail_text(picked.get(option.value)), self.fw["type_short"], look)
        return out + (run(option.unit) if option.unit else "")

    def box_inputs(self, f: Field, value: Any, base: str, alias: str, look: Look, size: int | None) -> str:
        """A check box per option (是 / 否 for a boolean), each option's blank beside it."""
        if f.type == "boolean":
            checked = {"true": value is True, "false": value is False}
            pieces = [checkbox_control(self.ids, option_tag(base, v), alias_option(self.lang, alias, text),
                                       checked[v], size) + run(text, size=size)
                      for text, v in boolean_items(self.lang)]
            return run("\u3000", size=size).join(pieces)
        assert f.choices is not None
        picked = _chosen(value)
        pieces = []
        for o in f.choices.options:
            label = o.label.get(self.lang)
            piece = checkbox_control(self.ids, option_tag(base, o.value), alias_option(self.lang, alias, label),
                                     o.value in picked, size) + run(label, size=size)
            if o.blank:
                piece += self.detail_input(o, base, alias, picked, look, lead="")
            pieces.append(piece)
        return run("\u3000", size=size).join(pieces)

    # ---- where the printable form has blanks

    def value_cell(self, f: FieldView, span: int, *, stacked: bool = False) -> tuple[Cell, int | None]:
        field = f.field
        runs = self.field_runs(field, self.values.get(field.id), field.id, f.label, "value", stacked=stacked)
        if f.unit and field.type not in _NO_UNIT and not field.computed:
            runs += run(f.unit)
        content = para(runs)
        hint = self.hint_runs(f)
        if hint:
            content += para(hint)
        height = None
        if field.type == "signature":
            height = 2 * 300 if stacked else 520
        elif field.type == "textarea":
            height = max(1, field.lines) * 400
        return Cell(content, span, valign="top" if field.type == "textarea" else "center"), height

    def inline_runs(self, f: FieldView, *, underline: bool = True) -> str:
        field = f.field
        runs = self.field_runs(field, self.values.get(field.id), field.id, f.label, "inline")
        if f.unit and field.type not in _NO_UNIT and not field.computed:
            runs += run(f.unit)
        return runs

    def figures_runs(self, f: DigitBoxesView) -> str:
        field = f.field
        runs = self.field_runs(field, self.values.get(field.id), field.id, f.label, "value")
        return run(self.w["figures"]) + runs + (run(f.unit) if f.unit and not field.computed else "")

    def table_rows(self, t: TableXml, v: TableView, aligns: list[str | None]) -> None:
        """Rows for the data (and blank ones up to ``print_rows``) as one repeating section."""
        table = v.table
        rows = [r for r in self.values.get(table.id) or () if r is not None]
        count = max(1, table.print_rows, len(rows))
        height = self.blank_row_height(table.columns)
        prefix = row_prefix(table.id)
        start = len(t.rows)
        column_aligns = aligns[1:] if v.numbered else aligns
        for i in range(count):
            row = rows[i] if i < len(rows) else None
            cells = [cell(str(i + 1), align="center")] if v.numbered else []
            for col, align in zip(table.columns, column_aligns):
                runs = self.field_runs(col, _get(row, col.id), tag_in(prefix, col.id), col.label.get(self.lang), "cell")
                cells.append(Cell(para(runs, align=align)))
            t.row(cells, height=height)
        title = v.title or table.id
        t.rows[start:] = [repeating_section(self.ids, table.id, title, t.rows[start:])]

    def grid_rows(self, t: TableXml, v: GridView, size: int | None) -> None:
        g = v.grid
        data = self.values.get(g.id) or {}
        for r in g.rows:
            label = r.label.get(self.lang)
            row_value = _get(data, r.key)
            cells = [cell(label, shade=LABEL_SHADE, size=size)]
            for c in g.columns:
                tag = grid_cell_tag(g.id, r.key, c.key)
                alias = f"{label} / {c.label.get(self.lang)}"
                if g.one_per_row:
                    runs = checkbox_control(self.ids, tag, alias, row_value == c.key, size)
                else:
                    runs = self.field_runs(g.cell, _get(row_value, c.key), tag, alias, "grid", size=size)
                cells.append(Cell(para(runs, align="center", size=size)))
            if g.row_totals:
                cells.append(Cell(para(grey(self.fw["grid_computed"], size), align="center", size=size)))
            t.row(cells, height=420)
        if g.column_totals:
            n = len(g.columns) + (1 if g.row_totals else 0)
            t.row([cell(g.column_totals.get(self.lang), shade=LABEL_SHADE, size=size, bold=True)]
                  + [Cell(para(grey(self.fw["grid_computed"], size), align="center", size=size)) for _ in range(n)],
                  height=420)

    def tree(self, v: TreeView, heading: list[Title], section_title: str) -> None:
        """The printable tree with a level column first: a person types each row's level
        (1 = top, 2 = a child of the row above at level 1 …) and Word adds rows."""
        tree, lang = v.tree, self.lang
        cols = tree.columns
        level_label = self.fw["level"]
        widths = self.column_widths([("integer", level_label)] + [(c.type, h) for c, h in zip(cols, v.header)],
                                    False)
        if v.title and v.title != section_title:
            heading.append(Title(v.title, "", 1))
        t = self.new_table(widths, heading, repeat=True)
        if tree.hint:
            t.row([Cell(para(run(tree.hint.get(lang), size=SMALL_SIZE, color=HINT_COLOR)), len(widths))],
                  header=True)
        t.row([cell(h, shade=HEADER_SHADE, bold=True, align="center") for h in [level_label, *v.header]],
              header=True, height=420)
        aligns = ["right" if c.type in NUMERIC else "center" if c.type in CENTRED else None for c in cols]
        flat: list[tuple[int, Any]] = []

        def walk(nodes: Any, depth: int) -> None:
            for node in nodes or ():
                flat.append((depth, node))
                walk(_get(node, "children"), depth + 1)
        walk(self.values.get(tree.id), 0)
        prefix = row_prefix(tree.id)
        start = len(t.rows)
        for i in range(max(1, tree.print_rows, len(flat))):
            depth, node = flat[i] if i < len(flat) else (0, None)
            level = text_control(self.ids, level_tag(tree.id), level_label, str(depth + 1) if node is not None else "",
                                 "1", Look())
            row = [Cell(para(level, align="center"))]
            for j, (col, align) in enumerate(zip(cols, aligns)):
                runs = self.field_runs(col, _get(node, col.id), tag_in(prefix, col.id), col.label.get(lang), "cell")
                row.append(Cell(para(runs, align=align, indent=depth * 240 if j == 0 else 0)))
            t.row(row, height=454)
        t.rows[start:] = [repeating_section(self.ids, tree.id, v.title or tree.id, t.rows[start:])]
        self.items.append(t)


def render_fillable(form: Any, values: Any, lang: Lang) -> bytes:
    """The fillable .docx of a form, its inputs filled from validated ``values`` (or blank)."""
    view = build(form.spec, None, lang)  # the blank layout: hints, blank rows, empty digit boxes
    pictures = any(f.type == "image" for f in form.spec.fields)
    skeleton = fillable_skeleton(form.spec.orientation == "landscape", lang, pictures)
    body = FillableBody(view, skeleton.text_width, _plain(values))
    props = {**stamp(form), LANG_PROPERTY: lang}
    return assemble_document(view, body, skeleton, {CUSTOM_PART: custom_properties(props)})
