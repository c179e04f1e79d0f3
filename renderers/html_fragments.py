"""The parts of the printable HTML page that change with the data, as plain Python.

Everything else on the page is fixed per form and language and comes from the Jinja2 templates
once (:mod:`.html_page`); these functions run for every value of every page, so they only
join strings. Each takes a view from :mod:`formengine.view` (where the values are already
formatted for a reader) and returns HTML with every text escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from markupsafe import escape

from formengine import view as V
from formengine.spec import Lang

MANY_OPTIONS = 12  # a choice with more options prints as a plain blank (e.g. 56 民族)


def field_kind(fv: V.FieldView) -> str:
    """How a field view is drawn: choice / signature / boxes / textarea / rating / date / range / plain."""
    if isinstance(fv, V.SignatureView):
        return "signature"
    if isinstance(fv, V.DigitBoxesView):
        return "boxes"
    if isinstance(fv, V.ChoiceView):
        if len(fv.options) > MANY_OPTIONS and fv.field.print != "inline":
            return "plain"
        return "choice"
    t = fv.field.type
    if t == "textarea":
        return "textarea"
    if t == "rating":
        return "rating"
    if t in ("date", "datetime"):
        return "date"
    if t in ("date_range", "year_month_range"):
        return "range"
    return "plain"


def _e(text: object) -> str:
    """``str(markupsafe.escape(text))``; a string with nothing to escape is returned as it is."""
    if isinstance(text, str) and not (
            "&" in text or "<" in text or ">" in text or "'" in text or '"' in text):
        return text
    return str(escape(text))


def blank(n: int = 6) -> str:
    """An underlined blank for handwriting: ``＿＿＿``."""
    return '<span class="blank">' + "＿" * n + "</span>"


def fill(text: str) -> str:
    """A filled value, underlined like the blank it fills."""
    return f'<span class="fill">{_e(text)}</span>'


_DATE_BLANK = {
    "zh": '<span class="blank">＿＿＿＿</span>年<span class="blank">＿＿</span>月<span class="blank">＿＿</span>日',
    "en": '<span class="blank">＿＿＿＿</span>-<span class="blank">＿＿</span>-<span class="blank">＿＿</span>',
}


def date_blank(lang: Lang) -> str:
    """A date to write by hand: ＿年＿月＿日 (zh) or ＿-＿-＿ (en)."""
    return _DATE_BLANK["zh" if lang == "zh" else "en"]


def _month_blank(lang: Lang) -> str:
    year, month = ("年", "月") if lang == "zh" else ("-", "")
    return f'<span class="blank">＿＿＿＿</span>{year}<span class="blank">＿＿</span>{month}'


def options(fv: V.ChoiceView) -> str:
    """Every option with its box (☐/☑); an option's own blank filled or left to write in."""
    out = ['<span class="options">']
    for o in fv.options:
        out.append(f'<span class="opt"><span class="box">{o.box}</span>{_e(o.label)}')
        if o.has_blank:
            if o.blank_label:
                out.append(f"（{_e(o.blank_label)}）")
            out.append("：")
            out.append(fill(o.detail) if o.detail else blank(6))
            out.append(_e(o.unit))
        out.append("</span>")
    out.append("</span>")
    return "".join(out)


def signature(fv: V.SignatureView, lang: Lang, with_label: bool = False) -> str:
    """签字 and 日期, each filled or blank; ``with_label`` puts the signer's title first."""
    label = f'<span class="sig-label">{_e(fv.label)}</span>' if with_label else ""
    name = fill(fv.name) if fv.name else blank(7)
    date = fill(fv.date) if fv.date else date_blank(lang)
    zh = lang == "zh"
    return (f'<span class="sig">{label}<span class="sig-part">{"签字" if zh else "Signature"}：{name}</span>\n'
            f'<span class="sig-part">{"日期" if zh else "Date"}：{date}</span>\n</span>')


def boxes(fv: V.DigitBoxesView, lang: Lang) -> str:
    """An amount in the paper's digit boxes (仟佰拾万…角分) with the figures beside them."""
    units = "".join(["<th>" + _e(unit) + "</th>" for unit, _ in fv.boxes])
    digits = "".join(["<td>" + _e(digit) + "</td>" for _, digit in fv.boxes])
    small = fill(fv.text) if fv.text else blank(8)
    return (f'<div class="rmb">\n<table class="rmb-boxes">\n<tr>{units}</tr>\n<tr>{digits}</tr>\n</table>\n'
            f'<span class="rmb-small">{"（小写）" if lang == "zh" else "In figures:"} ¥{small}</span>\n</div>')


def rating(fv: V.FieldView) -> str:
    """A rating as a row of boxes, the given one ticked."""
    f = fv.field
    out = ['<span class="options">']
    for n in range(f.min or 1, (f.max or 5) + 1):
        box = V.CHECKED if fv.text == str(n) else V.UNCHECKED
        out.append(f'<span class="opt"><span class="box">{box}</span>{n}</span>')
    out.append("</span>")
    return "".join(out)


def _range_blank(fv: V.FieldView, lang: Lang) -> str:
    to = "至" if lang == "zh" else "–"
    part = date_blank(lang) if fv.field.type == "date_range" else _month_blank(lang)
    return f"{part} {to} {part}"


def value(fv: V.FieldView, lang: Lang, kind: str | None = None) -> str:
    """The value cell of the label/value grid."""
    k = kind or field_kind(fv)
    f = fv.field
    if k == "choice":
        out = options(fv)  # type: ignore[arg-type]
    elif k == "signature":
        out = signature(fv, lang)  # type: ignore[arg-type]
    elif k == "boxes":
        out = boxes(fv, lang)  # type: ignore[arg-type]
    elif k == "rating":
        out = rating(fv)
    elif k == "textarea":
        if fv.text:
            out = f'<div class="textarea-fill" style="min-height: {f.lines * 7}mm">{_e(fv.text)}</div>'
        else:
            hint = f'<div class="hint">{_e(f.hint.get(lang))}</div>' if f.hint else ""
            out = hint + '<div class="ruled">' + '<div class="rule"></div>' * f.lines + "</div>"
    elif k == "date" and not fv.text:
        out = date_blank(lang)
    elif k == "range" and not fv.text:
        out = _range_blank(fv, lang)
    elif fv.text:
        out = fill(fv.text)
    else:
        out = ""
    if fv.unit and k not in ("boxes", "choice"):
        out += f'<span class="unit">{_e(fv.unit)}</span>'
    if not fv.text and f.hint and k != "textarea":
        out += f'<span class="hint">{_e(f.hint.get(lang))}</span>'
    return out


def inline(fv: V.FieldView, lang: Lang, kind: str | None = None) -> str:
    """A field inside a paragraph: the filled value or an underlined blank."""
    k = kind or field_kind(fv)
    if k == "choice":
        out = options(fv)  # type: ignore[arg-type]
    elif k == "signature":
        out = signature(fv, lang)  # type: ignore[arg-type]
    elif fv.text:
        out = f'<span class="fill inline">{_e(fv.text)}</span>'
    elif k == "date":
        out = date_blank(lang)
    else:
        out = blank(12 if fv.field.type in ("text", "textarea") else 6)
    if fv.unit and k != "choice":
        out += _e(fv.unit)
    return out


def line_value(fv: V.FieldView, lang: Lang, kind: str | None = None) -> str:
    """A field written as a line "label：value" (side-by-side signing blocks), after the label."""
    k = kind or field_kind(fv)
    if fv.text or k in ("choice", "boxes", "rating"):
        return value(fv, lang, k)
    if k == "date":
        return date_blank(lang)
    return blank(14) + (_e(fv.unit) if fv.unit else "")


def line_signer(fv: V.SignatureView) -> str:
    """The name part of a signature written as a line."""
    return fill(fv.name) if fv.name else blank(8)


def line_signed_on(fv: V.SignatureView, lang: Lang) -> str:
    """The date part of a signature written as a line."""
    return fill(fv.date) if fv.date else date_blank(lang)


def table_rows(rows: Iterable[Sequence[str]], classes: Sequence[str]) -> str:
    """The filled rows of a table: their texts, one per column (:func:`formengine.view.row_texts`)."""
    # One str.format() per row: the cells' markup made once, a {} where each text goes.
    tds = "".join('<td class="' + _e(c).replace("{", "{{").replace("}", "}}") + '">{}</td>' for c in classes)
    row_html, n = "<tr>" + tds + "</tr>\n", len(classes)
    out = []
    for row in rows:
        if len(row) != n:  # format() would drop a cell silently
            raise ValueError(f"表格行的单元格数与列数不符 / a table row of {len(row)} cells under {n} columns")
        text = "".join(row)  # most rows have nothing to escape: look once
        if "&" in text or "<" in text or ">" in text or "'" in text or '"' in text:
            row = [_e(c) for c in row]
        out.append(row_html.format(*row))
    return "".join(out)


def blank_table_rows(count: int, classes: Sequence[str], numbered: bool, after: int = 0) -> str:
    """``count`` empty rows to write in, numbered from ``after + 1`` when the table numbers its rows."""
    out = []
    for i in range(count):
        first = str(after + i + 1) if numbered else ""
        cells = "".join(f'<td class="{_e(c)}">{first if j == 0 else ""}</td>' for j, c in enumerate(classes))
        out.append(f'<tr class="blank-row">{cells}</tr>\n')
    return "".join(out)


def grid_rows(gv: V.GridView) -> str:
    """The body of a matrix: a row label, then its cells (ticks when one choice per row)."""
    g = gv.grid
    out = []
    last = len(gv.rows) - 1
    total = ' class="total"'
    for r, (label, cells) in enumerate(gv.rows):
        attr = total if g.column_totals and r == last else ""
        end = len(cells) - 1
        tds = "".join(f"<td{total if g.row_totals and i == end else ''}>{_e(c)}</td>"
                      for i, c in enumerate(cells))
        out.append(f'<tr{attr}><th scope="row" class="rlabel">{_e(label)}</th>{tds}</tr>\n')
    return "".join(out)


def tree_rows(tv: V.TreeView, classes: Sequence[str], indent: int) -> str:
    """The body of a tree table: one row per node, the indented column showing its depth."""
    out = []
    for depth, cells in tv.rows:
        tds = []
        for i, c in enumerate(cells):
            if i == indent:
                branch = '<span class="branch">└ </span>' if depth > 0 else ""
                tds.append(f'<td class="{classes[i]} indent d{min(depth, 9)}">{branch}{_e(c)}</td>')
            else:
                tds.append(f'<td class="{classes[i]}">{_e(c)}</td>')
        out.append(f'<tr class="depth-{depth}">{"".join(tds)}</tr>\n')
    empty = "<td></td>" * len(tv.header)
    out.extend(f'<tr class="blank-row">{empty}</tr>\n' for _ in range(tv.blank_rows))
    return "".join(out)
