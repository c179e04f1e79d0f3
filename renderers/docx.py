"""DOCX renderer: a Word document that looks like the paper original.

A4 with 2 cm margins, 宋体/SimSun (the East Asian font is set on the Normal style and on every
run), a centred bold title, bordered tables (label cells shaded, header rows repeated, rows
kept whole), ☐/☒ choices, underlined blanks, signature rows, the 仟佰拾万仟佰拾元角分 boxes,
the document code in the page header and 第 N 页 共 M 页 in the footer.

Everything shown comes from :mod:`formengine.view`. For speed (thousands of documents) the
package skeleton — styles, A4 page, header and footer — is built once per orientation and
language with python-docx; each document is that skeleton's zip with its own body (one piece
of WordprocessingML, written as text), header text and title spliced in, so no style or cell
is looked up one at a time and nothing is parsed again. python-docx is imported only inside
functions here, so ``import formengine`` never loads it.

With ``fillable`` the same layout gets a Word content control in every blank
(:mod:`.docx_fillable`), and :meth:`DocxRenderer.extract` reads a filled one back
(:mod:`.docx_read`).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from formengine.spec import Field, Lang
from formengine.view import (
    RMB_UNITS,
    Block,
    ChoiceView,
    DigitBoxesView,
    Document,
    FieldView,
    GridView,
    GroupView,
    OptionView,
    ParagraphView,
    SectionView,
    SignatureView,
    TableView,
    TreeView,
    build,
)

CHOSEN = "☒"
UNCHOSEN = "☐"

EAST_ASIA_FONT = "宋体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = 21  # half-points: 10.5 pt (五号)
SMALL_SIZE = 18  # 9 pt (小五)
TINY_SIZE = 16  # 8 pt, for very wide grids
TITLE_SIZE = 32  # 16 pt (三号)
HEADING_SIZE = 24  # 12 pt (小四)

CM = 567  # twips (dxa) per centimetre
PAGE_W, PAGE_H = 11906, 16838  # A4 in twips
MARGIN = 1134  # 2 cm
LABEL_SHADE = "F2F2F2"
HEADER_SHADE = "E7E6E6"
TITLE_SHADE = "D9D9D9"
HINT_COLOR = "7F7F7F"
BLANK_SPACES = "\u3000" * 6  # ideographic spaces: Word underlines them like text

WORDS = {
    "zh": {"code": "编号：", "sign": "签字：", "date": "日期：", "notes": "注：", "figures": "小写：",
           "to": " 至 ", "colon": "："},
    "en": {"code": "Code: ", "sign": "Signature: ", "date": "Date: ", "notes": "Notes: ", "figures": "In figures: ",
           "to": " – ", "colon": ": "},
}
PAGE_WORDS = {"zh": ("第 ", " 页 共 ", " 页"), "en": ("Page ", " of ", "")}  # around PAGE and NUMPAGES

WIDE_TYPES = frozenset({"textarea", "signature", "multi_choice", "image", "attachment", "date_range",
                        "year_month_range"})
NUMERIC = frozenset({"money", "decimal", "percent"})
DATE_TYPES = frozenset({"date", "datetime", "year_month", "date_range", "year_month_range"})
CENTRED = frozenset({"integer", "date", "year_month", "time", "datetime", "boolean", "choice", "rating",
                     "date_range", "year_month_range", "postcode"})
COLUMN_WEIGHT = {
    "textarea": 2.6, "text": 1.6, "money": 1.2, "decimal": 1.0, "integer": 0.8, "percent": 0.8,
    "date": 1.4, "year_month": 1.2, "date_range": 2.4, "year_month_range": 2.0, "time": 0.9,
    "datetime": 1.8, "boolean": 0.8, "choice": 1.3, "multi_choice": 1.8, "signature": 1.6,
    "phone": 1.4, "mobile": 1.4, "email": 1.8, "url": 2.0, "id_card": 2.0, "uscc": 2.0,
    "bank_account": 2.0, "plate_number": 1.2, "postcode": 1.0, "rating": 1.0,
}

# ---------------------------------------------------------------- XML pieces

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _esc(text: str) -> str:
    # Validation refuses these characters in values and loading refuses them in definitions; should
    # one still arrive (values rendered without validation), it shows as U+FFFD, never silently lost.
    text = _INVALID_XML.sub("\ufffd", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


_RFONTS = (f'<w:rFonts w:ascii="{LATIN_FONT}" w:hAnsi="{LATIN_FONT}" w:eastAsia="{EAST_ASIA_FONT}" '
           f'w:cs="{LATIN_FONT}"/>')


def run(text: str, *, bold: bool = False, size: int | None = None, underline: bool = False,
        color: str | None = None) -> str:
    """One w:r; newlines become w:br, tabs w:tab."""
    rpr = _RFONTS
    if bold:
        rpr += "<w:b/><w:bCs/>"
    if color:
        rpr += f'<w:color w:val="{color}"/>'
    if size:
        rpr += f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
    if underline:
        rpr += '<w:u w:val="single"/>'
    return styled_run(text, rpr)


def styled_run(text: str, rpr: str) -> str:
    """One w:r with run properties ``rpr``; newlines become w:br, tabs w:tab."""
    pieces = []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for i, line in enumerate(text.split("\n")):
        if i:
            pieces.append("<w:br/>")
        for j, chunk in enumerate(line.split("\t")):
            if j:
                pieces.append("<w:tab/>")
            if chunk:
                pieces.append(f'<w:t xml:space="preserve">{_esc(chunk)}</w:t>')
    return f"<w:r><w:rPr>{rpr}</w:rPr>{''.join(pieces)}</w:r>"


def para(runs: str, *, align: str | None = None, before: int = 0, after: int = 0, line: int | None = None,
         indent: int = 0, hanging: int = 0, keep_next: bool = False, size: int | None = None) -> str:
    ppr = "<w:keepNext/>" if keep_next else ""
    if before or after or line:
        ppr += f'<w:spacing w:before="{before}" w:after="{after}"'
        ppr += f' w:line="{line}" w:lineRule="auto"/>' if line else "/>"
    if indent or hanging:
        ppr += f'<w:ind w:left="{indent}"' + (f' w:hanging="{hanging}"/>' if hanging else "/>")
    if align:
        ppr += f'<w:jc w:val="{align}"/>'
    if size:  # the paragraph mark's size, so that an empty cell is not taller than its text
        ppr += f'<w:rPr>{_RFONTS}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>'
    return f"<w:p><w:pPr>{ppr}</w:pPr>{runs}</w:p>" if ppr else f"<w:p>{runs}</w:p>"


@dataclass
class Cell:
    content: str  # one or more w:p
    span: int = 1
    shade: str | None = None
    vmerge: str | None = None  # "restart" / "continue"
    valign: str = "center"


def cell(text: str = "", *, span: int = 1, shade: str | None = None, bold: bool = False,
         align: str | None = None, size: int | None = None, underline: bool = False, indent: int = 0,
         keep_next: bool = False) -> Cell:
    r = run(text, bold=bold, size=size, underline=underline) if text else ""
    return Cell(para(r, align=align, indent=indent, keep_next=keep_next, size=size), span, shade)


class TableXml:
    """A bordered table with a fixed column grid; rows are lists of :class:`Cell`."""

    def __init__(self, widths: list[int], size: int | None = None):
        self.widths = widths
        self.size = size
        self.rows: list[str] = []
        self.has_header = False  # rows repeated on every page (w:tblHeader)

    def row(self, cells: list[Cell], *, header: bool = False, height: int | None = None,
            exact: bool = False) -> None:
        assert sum(c.span for c in cells) == len(self.widths), (cells, self.widths)
        trpr = "<w:cantSplit/>"
        if height:
            trpr += f'<w:trHeight w:val="{height}" w:hRule="{"exact" if exact else "atLeast"}"/>'
        if header:
            trpr += "<w:tblHeader/>"
            self.has_header = True
        out = [f"<w:tr><w:trPr>{trpr}</w:trPr>"]
        col = 0
        for c in cells:
            width = sum(self.widths[col:col + c.span])
            tcpr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
            if c.span > 1:
                tcpr += f'<w:gridSpan w:val="{c.span}"/>'
            if c.vmerge:
                tcpr += f'<w:vMerge w:val="{c.vmerge}"/>' if c.vmerge == "restart" else "<w:vMerge/>"
            if c.shade:
                tcpr += f'<w:shd w:val="clear" w:color="auto" w:fill="{c.shade}"/>'
            tcpr += f'<w:vAlign w:val="{c.valign}"/>'
            out.append(f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{c.content or '<w:p/>'}</w:tc>")
            col += c.span
        out.append("</w:tr>")
        self.rows.append("".join(out))

    def xml(self) -> str:
        total = sum(self.widths)
        border = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                         for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
        margin = 57 if (self.size or BODY_SIZE) >= BODY_SIZE else 28
        tblpr = (f'<w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>'
                 f"<w:tblBorders>{border}</w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
                 f'<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="{margin}" w:type="dxa"/>'
                 f'<w:bottom w:w="0" w:type="dxa"/><w:right w:w="{margin}" w:type="dxa"/></w:tblCellMar>'
                 '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
                 'w:noHBand="1" w:noVBand="1"/>')
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in self.widths)
        return f"<w:tbl><w:tblPr>{tblpr}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(self.rows)}</w:tbl>"


def split_widths(total: int, weights: list[float]) -> list[int]:
    s = sum(weights) or 1.0
    widths = [int(total * w / s) for w in weights]
    widths[-1] += total - sum(widths)
    return widths


# ---------------------------------------------------------------- the document body


Item = str | TableXml  # a paragraph's XML or a table


@dataclass(eq=False)
class Title:
    """A title waiting to be printed: level 0 a section, 1 a group or table."""

    text: str
    hint: str = ""
    level: int = 0


class _Body:
    def __init__(self, doc: Document, width: int):
        self.doc = doc
        self.lang = doc.lang
        self.w = WORDS[doc.lang]
        self.width = width
        self.items: list[Item] = []
        label = int(width * 0.17)
        value = width // 2 - label
        self.grid4 = [label, value, label, width - 2 * label - value]

    # ---- inline pieces (runs)

    def blank_runs(self, f: FieldView, *, underline: bool = True) -> str:
        """A blank for handwriting, shaped by the field's type (underlined in running text)."""
        t, w = f.field.type, self.w
        if self.lang == "zh" and t in DATE_TYPES:
            one = (run("\u3000\u3000\u3000", underline=underline) + run("年")
                   + run("\u3000\u3000", underline=underline) + run("月"))
            if t not in ("year_month", "year_month_range"):
                one += run("\u3000\u3000", underline=underline) + run("日")
            return one + run(w["to"]) + one if t.endswith("_range") else one
        return run(BLANK_SPACES, underline=underline)

    def option_runs(self, o: OptionView) -> str:
        out = run((CHOSEN if o.checked else UNCHOSEN) + o.label)
        if o.has_blank:
            out += run(self.w["colon"] + o.blank_label)
            out += run(o.detail, underline=True) if o.detail else run("\u3000" * 4, underline=True)
            if o.unit:
                out += run(o.unit)
        return out

    def choice_runs(self, v: ChoiceView) -> str:
        gap = run("\u3000")
        return gap.join(self.option_runs(o) for o in v.options)

    def signature_runs(self, v: SignatureView, *, stacked: bool = False) -> str:
        w = self.w
        name = run(v.name, underline=True) if v.name else run("\u3000" * 6, underline=True)
        if v.date:
            date = run(v.date, underline=True)
        elif self.lang == "zh":
            date = (run("\u3000\u3000\u3000", underline=True) + run("年") + run("\u3000\u3000", underline=True)
                    + run("月") + run("\u3000\u3000", underline=True) + run("日"))
        else:
            date = run("\u3000" * 6, underline=True)
        sep = run("\n") if stacked else run("\u3000\u3000")
        return run(w["sign"]) + name + sep + run(w["date"]) + date

    def inline_runs(self, f: FieldView, *, underline: bool = True) -> str:
        """A field inside running text: the value underlined, or an underlined blank."""
        if isinstance(f, ChoiceView):
            return self.choice_runs(f)
        if isinstance(f, SignatureView):
            return self.signature_runs(f)
        unit = run(f.unit) if f.unit else ""
        if f.blank:
            return self.blank_runs(f) + unit
        return run(f.text, underline=underline) + unit

    def hint_runs(self, f: FieldView) -> str:
        if self.doc.filled or not f.field.hint:
            return ""
        return run(f.field.hint.get(self.lang), size=SMALL_SIZE, color=HINT_COLOR)

    # ---- cells for the label/value grid

    def value_cell(self, f: FieldView, span: int, *, stacked: bool = False) -> tuple[Cell, int | None]:
        """The value cell of a field and the row height it needs."""
        height = None
        hint = self.hint_runs(f)
        if isinstance(f, ChoiceView):
            content = para(self.choice_runs(f))
        elif isinstance(f, SignatureView):
            content = para(self.signature_runs(f, stacked=stacked))
            height = 2 * 300 if stacked else 520
        elif f.blank and f.field.type in DATE_TYPES and self.lang == "zh":
            content = para(self.blank_runs(f, underline=False), align="right" if span == 1 else None)
        elif f.blank:
            content = para(run(f.unit), align="right") if f.unit else para("")
            if f.field.type == "textarea":
                height = max(1, f.field.lines) * 400
        else:
            content = para(run(f.text) + (run(f.unit) if f.unit else ""))
            if f.field.type == "textarea":
                height = max(1, f.field.lines) * 400
        if hint:
            content += para(hint)
        valign = "top" if f.field.type == "textarea" else "center"
        return Cell(content, span, valign=valign), height

    def is_wide(self, f: FieldView) -> bool:
        t = f.field.type
        if t in WIDE_TYPES or isinstance(f, DigitBoxesView):
            return True
        if isinstance(f, ChoiceView):
            return sum(len(o.label) + 2 + (6 if o.has_blank else 0) for o in f.options) > 14
        return False

    # ---- tables

    def new_table(self, widths: list[int], heading: list[Title], size: int | None = None, *,
                  repeat: bool = False) -> TableXml:
        """A table; the pending section/group titles become its first, spanning rows (repeated
        on every page with the column headers when ``repeat``)."""
        t = TableXml(widths, size)
        for title in heading:
            runs = run(title.text, bold=True)
            if title.hint:
                runs += run("\u3000" + title.hint, size=SMALL_SIZE, color=HINT_COLOR)
            top = title.level == 0
            t.row([Cell(para(runs, align=None if top else "center", keep_next=True), len(widths),
                        TITLE_SHADE if top else HEADER_SHADE)], header=repeat, height=400)
        heading.clear()
        return t

    def fields_table(self, fields: list[FieldView], heading: list[Title], section_title: str) -> None:
        widths = self.grid4
        t = self.new_table(widths, heading)
        pending: FieldView | None = None

        def flush_single(f: FieldView) -> None:
            cell_v, h = self.value_cell(f, 3)
            t.row([cell(f.label, shade=LABEL_SHADE, align="center"), cell_v], height=max(h or 0, 400))

        for f in fields:
            if isinstance(f, DigitBoxesView):
                if pending:
                    flush_single(pending)
                    pending = None
                if t.rows:
                    self.items.append(t)
                    t = TableXml(widths)
                self.digit_boxes(f, heading)
                continue
            if self.is_wide(f):
                if pending:
                    flush_single(pending)
                    pending = None
                if f.label == section_title and len(fields) == 1:
                    cell_v, h = self.value_cell(f, 4)
                    t.row([cell_v], height=max(h or 0, 400))
                else:
                    flush_single(f)
                continue
            if pending is None:
                pending = f
                continue
            a, b = pending, f
            va, ha = self.value_cell(a, 1)
            vb, hb = self.value_cell(b, 1)
            t.row([cell(a.label, shade=LABEL_SHADE, align="center"), va,
                   cell(b.label, shade=LABEL_SHADE, align="center"), vb], height=max(ha or 0, hb or 0, 400))
            pending = None
        if pending:
            flush_single(pending)
        if t.rows:
            self.items.append(t)

    def group_pair(self, a: GroupView, b: GroupView, heading: list[Title]) -> None:
        """Two parallel groups (甲方 / 乙方) side by side."""
        t = self.new_table(self.grid4, heading)
        t.row([Cell(para(run(a.title, bold=True), align="center", keep_next=True), 2, HEADER_SHADE),
               Cell(para(run(b.title, bold=True), align="center", keep_next=True), 2, HEADER_SHADE)], height=400)
        for fa, fb in zip(a.blocks, b.blocks):
            assert isinstance(fa, FieldView) and isinstance(fb, FieldView)
            va, ha = self.value_cell(fa, 1, stacked=True)
            vb, hb = self.value_cell(fb, 1, stacked=True)
            t.row([cell(fa.label, shade=LABEL_SHADE, align="center"), va,
                   cell(fb.label, shade=LABEL_SHADE, align="center"), vb], height=max(ha or 0, hb or 0, 400))
        self.items.append(t)

    def digit_boxes(self, f: DigitBoxesView, heading: list[Title] | None = None) -> None:
        label = self.grid4[0]
        amount = int(self.width * 0.22)
        boxes = f.boxes or [(u, "") for u in RMB_UNITS]  # 10 boxes; more from 亿 up
        box = (self.width - label - amount) // len(boxes)
        widths = [label] + [box] * len(boxes) + [self.width - label - amount - box * len(boxes) + amount]
        t = self.new_table(widths, heading or [])
        figures = self.figures_runs(f)
        t.row([Cell(para(run(f.label), align="center"), 1, LABEL_SHADE, "restart")]
              + [cell(u, align="center", shade=HEADER_SHADE, size=SMALL_SIZE) for u, _ in boxes]
              + [Cell(para(figures), 1, None, "restart")], height=340)
        t.row([Cell(para(""), 1, LABEL_SHADE, "continue")]
              + [cell(d, align="center") for _, d in boxes]
              + [Cell(para(""), 1, None, "continue")], height=440)
        self.items.append(t)

    def figures_runs(self, f: DigitBoxesView) -> str:
        """小写：the amount in figures beside the boxes."""
        return run(self.w["figures"]) + (run(f.text + f.unit) if f.text else run("\u3000" * 5) + run(f.unit))

    def column_widths(self, kinds: list[tuple[str, str]], numbered: bool) -> list[int]:
        weights = [max(COLUMN_WEIGHT.get(k, 1.2), min(len(label), 12) * 0.22) for k, label in kinds]
        if numbered:
            weights.insert(0, 0.6)
        return split_widths(self.width, weights)

    def table(self, v: TableView, heading: list[Title], section_title: str) -> None:
        cols = v.table.columns
        widths = self.column_widths([(c.type, h) for c, h in zip(cols, v.header[1:] if v.numbered else v.header)],
                                    v.numbered)
        if v.title and v.title != section_title:
            heading.append(Title(v.title, "", 1))
        t = self.new_table(widths, heading, repeat=True)
        if v.table.hint and not self.doc.filled:
            t.row([Cell(para(run(v.table.hint.get(self.lang), size=SMALL_SIZE, color=HINT_COLOR)), len(widths))],
                  header=True)
        t.row([cell(h, shade=HEADER_SHADE, bold=True, align="center") for h in v.header], header=True, height=420)
        kinds = (["integer"] if v.numbered else []) + [c.type for c in cols]
        aligns = ["right" if k in NUMERIC else "center" if k in CENTRED else None for k in kinds]
        self.table_rows(t, v, aligns)
        self.items.append(t)

    @staticmethod
    def blank_row_height(columns: tuple[Field, ...]) -> int:
        lines = max([c.lines for c in columns if c.type == "textarea"] + [1])
        return max(454, min(lines, 4) * 330)

    def table_rows(self, t: TableXml, v: TableView, aligns: list[str | None]) -> None:
        """The rows below the header: the filled ones, then blank ones for handwriting."""
        for row in v.rows:
            t.row([cell(text, align=a) for text, a in zip(row, aligns)], height=420)
        start = len(v.rows)
        height = self.blank_row_height(v.table.columns)
        for i in range(v.blank_rows):
            cells = [cell(str(start + i + 1), align="center")] if v.numbered else []
            cells += [cell("") for _ in v.table.columns]
            t.row(cells, height=height)

    def grid(self, v: GridView, heading: list[Title], section_title: str) -> None:
        n = len(v.header)
        size = TINY_SIZE if n > 12 else None
        longest = max([len(v.corner)] + [len(label) for label, _ in v.rows] + [2])
        label_w = min(int(self.width * 0.35), max(int(1.6 * CM), longest * (160 if size else 220) + 120))
        widths = [label_w] + split_widths(self.width - label_w, [1.0] * n)
        if v.title and v.title != section_title:
            heading.append(Title(v.title, "", 1))
        t = self.new_table(widths, heading, size, repeat=True)
        if v.grid.hint and not self.doc.filled:
            t.row([Cell(para(run(v.grid.hint.get(self.lang), size=SMALL_SIZE, color=HINT_COLOR)), len(widths))],
                  header=True)
        t.row([cell(v.corner, shade=HEADER_SHADE, size=size)]
              + [cell(h, shade=HEADER_SHADE, bold=True, align="center", size=size) for h in v.header],
              header=True, height=420)
        self.grid_rows(t, v, size)
        self.items.append(t)

    def grid_rows(self, t: TableXml, v: GridView, size: int | None) -> None:
        """One row per row label (and the totals row), a cell per column."""
        totals = bool(v.grid.column_totals)
        for i, (label, cells) in enumerate(v.rows):
            is_total = totals and i == len(v.rows) - 1
            t.row([cell(label, shade=LABEL_SHADE, size=size, bold=is_total)]
                  + [cell(CHOSEN if c == "☑" else c, align="center", size=size) for c in cells], height=420)

    def tree(self, v: TreeView, heading: list[Title], section_title: str) -> None:
        cols = v.tree.columns
        widths = self.column_widths([(c.type, h) for c, h in zip(cols, v.header)], False)
        if v.title and v.title != section_title:
            heading.append(Title(v.title, "", 1))
        t = self.new_table(widths, heading, repeat=True)
        if v.tree.hint and not self.doc.filled:
            t.row([Cell(para(run(v.tree.hint.get(self.lang), size=SMALL_SIZE, color=HINT_COLOR)), len(widths))],
                  header=True)
        t.row([cell(h, shade=HEADER_SHADE, bold=True, align="center") for h in v.header], header=True, height=420)
        aligns = ["right" if c.type in NUMERIC else "center" if c.type in CENTRED else None for c in cols]
        for depth, cells in v.rows:
            row = []
            for j, (text, a) in enumerate(zip(cells, aligns)):
                if j == 0:
                    row.append(cell(("└ " if depth else "") + text, indent=depth * 240))
                else:
                    row.append(cell(text, align=a))
            t.row(row, height=420)
        for _ in range(v.blank_rows):
            t.row([cell("") for _ in cols], height=454)
        self.items.append(t)

    # ---- paragraphs and headings

    def paragraph(self, p: ParagraphView) -> None:
        runs = "".join(self.inline_runs(part) if isinstance(part, FieldView) else run(part) for part in p.parts)
        self.items.append(para(runs, line=360))

    def heading_para(self, title: Title) -> None:
        size = HEADING_SIZE if title.level == 0 else None
        r = run(title.text, bold=True, size=size)
        self.items.append(para(r, before=200 if title.level == 0 else 120, after=80, keep_next=True))
        if title.hint:
            self.items.append(para(run(title.hint, size=SMALL_SIZE, color=HINT_COLOR), after=60, keep_next=True))

    # ---- walking the view

    @staticmethod
    def tabular(b: Block) -> bool:
        if isinstance(b, GroupView):
            return all(_Body.tabular(x) for x in b.blocks)
        return not isinstance(b, ParagraphView)

    @staticmethod
    def pairable(a: Block, b: Block) -> bool:
        """Two groups of the same shape (甲方 / 乙方) print side by side."""
        if not (isinstance(a, GroupView) and isinstance(b, GroupView) and a.title and b.title):
            return False
        if len(a.blocks) != len(b.blocks) or not a.blocks:
            return False
        for x, y in zip(a.blocks, b.blocks):
            if not (isinstance(x, FieldView) and isinstance(y, FieldView)) or type(x) is not type(y):
                return False
            if isinstance(x, DigitBoxesView) or "textarea" in (x.field.type, y.field.type):
                return False
            if isinstance(x, ChoiceView) and isinstance(y, ChoiceView) and max(_choice_len(x), _choice_len(y)) > 10:
                return False
        return True

    def blocks(self, blocks: list[Block], heading: list[Title], section_title: str) -> None:
        """Lay out blocks in paper order. ``heading`` holds titles not printed yet: the next
        table takes them as its first rows; a paragraph gets them as headings first."""
        fields: list[FieldView] = []

        def flush() -> None:
            if fields:
                self.fields_table(list(fields), heading, section_title)
                fields.clear()

        i = 0
        while i < len(blocks):
            b = blocks[i]
            i += 1
            if isinstance(b, FieldView):
                fields.append(b)
                continue
            flush()
            if isinstance(b, GroupView) and i < len(blocks) and self.pairable(b, blocks[i]):
                other = blocks[i]
                assert isinstance(other, GroupView)
                self.group_pair(b, other, heading)
                i += 1
            elif isinstance(b, ParagraphView):
                self.emit_heading(heading)
                self.paragraph(b)
            elif isinstance(b, TableView):
                self.table(b, heading, section_title)
            elif isinstance(b, GridView):
                self.grid(b, heading, section_title)
            elif isinstance(b, TreeView):
                self.tree(b, heading, section_title)
            elif isinstance(b, GroupView):
                title = Title(b.title, "", 1) if b.title else None
                if self.tabular(b):
                    if title:
                        heading.append(title)
                    self.blocks(b.blocks, heading, b.title or section_title)
                    if title and title in heading:  # an empty group: nothing to print
                        heading.remove(title)
                else:
                    self.emit_heading(heading)
                    if title:
                        self.heading_para(title)
                    self.blocks(b.blocks, heading, b.title or section_title)
            else:  # pragma: no cover - a block type this renderer does not know yet
                raise TypeError(f"docx renderer: unknown block {type(b).__name__}")
        flush()

    def emit_heading(self, heading: list[Title]) -> None:
        for title in heading:
            self.heading_para(title)
        heading.clear()

    def section(self, s: SectionView) -> None:
        """A section; a section made only of tables and fields has its title as the first row
        of its first table (like the paper form), otherwise a heading paragraph."""
        title = Title(s.heading, s.hint, 0)
        if s.blocks and all(self.tabular(b) for b in s.blocks):
            heading = [title]
            self.blocks(s.blocks, heading, s.title)
            self.emit_heading(heading)
        else:
            self.heading_para(title)
            self.blocks(s.blocks, [], s.title)


def _choice_len(v: ChoiceView) -> int:
    return sum(len(o.label) + 2 for o in v.options)


# ---------------------------------------------------------------- the package

# Adjacent tables merge into one in Word and LibreOffice, which is what a paper form looks
# like; but only the merged table's first rows can repeat on a new page. So a table with its
# own header rows is kept apart from the one above by a paragraph 1 pt high. After a table, a
# little air before running text.
_TABLE_GAP = ('<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
              '<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr></w:p>')
_TEXT_GAP = ('<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="100" w:lineRule="exact"/>'
             '<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr></w:p>')


def _join(items: list[Item]) -> str:
    out: list[str] = []
    previous_table = False
    for item in items:
        if isinstance(item, TableXml):
            if previous_table and item.has_header:
                out.append(_TABLE_GAP)
            out.append(item.xml())
            previous_table = True
        else:
            if previous_table and "<w:keepNext/>" not in item[:60]:
                out.append(_TEXT_GAP)
            out.append(item)
            previous_table = False
    return "".join(out)


_CODE_MARK = "FORMENGINE-CODE-MARK"
_TITLE_MARK = "FORMENGINE-TITLE-MARK"


class _Skeleton:
    """A complete .docx built once with python-docx — styles, A4 page, margins, header and
    footer — whose body, header text and title are filled in per document.

    Opening and saving a python-docx Document costs more than laying out a whole form, so a
    document is assembled from the skeleton's zip entries with its own body spliced in."""

    def __init__(self, package: bytes, text_width: int):
        import zipfile

        self.text_width = text_width
        self.entries: list[tuple[str, bytes]] = []
        with zipfile.ZipFile(io.BytesIO(package)) as z:
            for info in z.infolist():
                self.entries.append((info.filename, z.read(info.filename)))
        self.document = next(name for name, data in self.entries if b"<w:body>" in data)

    def assemble(self, body_xml: str, header_text: str, title: str, extra: dict[str, bytes] | None = None) -> bytes:
        import zipfile

        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in [*self.entries, *(extra or {}).items()]:
                if name == self.document:
                    xml = data.decode("utf-8")
                    start = xml.index("<w:body>") + len("<w:body>")
                    end = xml.rindex("<w:sectPr")
                    data = (xml[:start] + body_xml + xml[end:]).encode("utf-8")
                elif _CODE_MARK.encode() in data:
                    data = data.replace(_CODE_MARK.encode(), _esc(header_text).encode("utf-8"))
                elif _TITLE_MARK.encode() in data:
                    data = data.replace(_TITLE_MARK.encode(), _esc(title).encode("utf-8"))
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # same input, same bytes
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, data, compresslevel=1)
        return buf.getvalue()


_SKELETONS: dict[tuple[bool, str], _Skeleton] = {}


def _skeleton(landscape: bool, lang: str) -> _Skeleton:
    key = (landscape, lang)
    if key not in _SKELETONS:
        _SKELETONS[key] = _build_skeleton(landscape, lang)
    return _SKELETONS[key]


def _build_skeleton(landscape: bool, lang: str) -> _Skeleton:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn
    from docx.shared import Pt, Twips

    d = docx.Document()

    # styles: 宋体 for East Asian text on the Normal style and in the document defaults; only
    # the styles a form uses are kept (the default template carries hundreds).
    styles = d.styles.element
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)
    keep = {"Normal", "Header", "HeaderChar", "Footer", "FooterChar", "DefaultParagraphFont", "TableNormal",
            "NoList", "TableGrid"}
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:styleId")) not in keep:
            styles.remove(style)
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        styles.remove(defaults)
    styles.insert(0, parse_xml(
        f"<w:docDefaults {nsdecls('w')}><w:rPrDefault><w:rPr>{_RFONTS}"
        f'<w:sz w:val="{BODY_SIZE}"/><w:szCs w:val="{BODY_SIZE}"/>'
        '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
        '<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault>'
        "</w:docDefaults>"))
    normal = d.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(BODY_SIZE / 2)
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), EAST_ASIA_FONT)
    rfonts.set(qn("w:cs"), LATIN_FONT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0

    # parts a form never needs
    for rel in list(d.part.rels.values()):
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml", "/numbering", "/webSettings")):
            d.part.drop_rel(rel.rId)
    package_rels = d.part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package_rels[rid]

    # the page: A4, 2 cm margins
    section = d.sections[0]
    width, height = (PAGE_H, PAGE_W) if landscape else (PAGE_W, PAGE_H)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Twips(width), Twips(height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Twips(MARGIN))
    section.header_distance = section.footer_distance = Twips(CM)

    # header: the document code, right; footer: 第 N 页 共 M 页 with PAGE / NUMPAGES fields
    section.header.is_linked_to_previous = False
    section.footer.is_linked_to_previous = False
    header_p = section.header.paragraphs[0]._p
    header_p.getparent().replace(header_p, parse_xml(
        f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="Header"/><w:jc w:val="right"/></w:pPr>'
        f"{run(_CODE_MARK, size=SMALL_SIZE)}</w:p>"))
    before, middle, after = PAGE_WORDS[lang]
    footer = (run(before, size=SMALL_SIZE) + _page_field("PAGE", SMALL_SIZE) + run(middle, size=SMALL_SIZE)
              + _page_field("NUMPAGES", SMALL_SIZE) + (run(after, size=SMALL_SIZE) if after else ""))
    footer_p = section.footer.paragraphs[0]._p
    footer_p.getparent().replace(footer_p, parse_xml(
        f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="center"/></w:pPr>{footer}</w:p>'))

    body = d.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    props = d.core_properties
    props.title = _TITLE_MARK
    props.author = props.last_modified_by = "formengine"
    props.comments = props.subject = props.keywords = props.category = ""
    props.revision = 1
    import datetime as dt

    props.created = props.modified = dt.datetime(2026, 1, 1)
    buf = io.BytesIO()
    d.save(buf)
    return _Skeleton(buf.getvalue(), width - 2 * MARGIN)


def _page_field(instr: str, size: int) -> str:
    return (f'<w:fldSimple w:instr=" {instr} \\* MERGEFORMAT ">'
            f"{run('1', size=size)}</w:fldSimple>")


def render_document(view: Document) -> bytes:
    """The .docx of a document view."""
    skeleton = _skeleton(view.spec.orientation == "landscape", view.lang)
    return assemble_document(view, _Body(view, skeleton.text_width), skeleton)


def assemble_document(view: Document, body: _Body, skeleton: _Skeleton,
                      extra: dict[str, bytes] | None = None) -> bytes:
    """Lay ``view`` out with ``body`` (printable, or the fillable subclass) into ``skeleton``;
    ``extra`` parts are added to the package."""
    w = WORDS[view.lang]
    body.items.append(para(run(view.title, bold=True, size=TITLE_SIZE), align="center", after=240, line=300))
    for s in view.sections:
        body.section(s)
    tail: list[str] = []
    if view.copies:
        tail.append(para(run(view.copies), before=160))
    if view.notes:
        if len(view.notes) == 1:
            tail.append(para(run(w["notes"] + view.notes[0], size=SMALL_SIZE), before=80 if tail else 160,
                             indent=420, hanging=420))
        else:
            tail.append(para(run(w["notes"], size=SMALL_SIZE), before=80 if tail else 160))
            tail.extend(para(run(f"{i}. {n}", size=SMALL_SIZE), indent=420, hanging=240)
                        for i, n in enumerate(view.notes, 1))
    xml = _join(body.items) + "".join(tail)
    if not tail and isinstance(body.items[-1], TableXml):
        xml += "<w:p/>"  # a document ends with a paragraph
    return skeleton.assemble(xml, w["code"] + view.code if view.code else "", view.title, extra)


class DocxRenderer:
    """``formengine render --format docx``: a Word document like the paper form."""

    name = "docx"
    extension = "docx"
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def render(self, form: Any, values: Any, options: dict[str, Any]) -> bytes:
        lang: Lang = "en" if options.get("lang") == "en" else "zh"
        if options.get("fillable"):
            from .docx_fillable import render_fillable

            return render_fillable(form, values, lang)
        return render_document(build(form.spec, values, lang))

    def extract(self, form: Any, content: bytes) -> Any:
        """Read a filled fillable document back (``Form.extract``); see :mod:`.docx_read`."""
        from .docx_read import extract

        return extract(form, content)
