"""Markdown renderer: a GitHub-flavoured Markdown document that still reads as plain text.

Everything shown comes from :mod:`formengine.view` (the same words as HTML and DOCX); this
module only decides the Markdown layout and escapes every text so that no value can break a
table, start a list or inject a link or HTML.
"""

from __future__ import annotations

import re
from typing import Any

from formengine.spec import Lang
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

BLANK = "＿＿＿＿＿＿"  # full-width low lines: a blank to write on
SHORT_BLANK = "＿＿"
NUMERIC = frozenset({"money", "decimal", "integer", "percent"})

WORDS = {
    "zh": {"code": "编号", "date": "日期", "notes": "注", "sep": "：", "gap": "　　"},
    "en": {"code": "Code", "date": "Date", "notes": "Notes", "sep": ": ", "gap": "  "},
}

# ---------------------------------------------------------------- escaping

_INLINE = re.compile(r"([\\`*_\[\]~|])")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_LINE_START = re.compile(r"^(#{1,6}(?=\s|$)|[-+](?=\s)|=+\s*$|-+\s*$|\d+(?=[.)]\s))")


def escape(text: str) -> str:
    """Escape inline Markdown: emphasis, code, links, pipes, HTML and entities."""
    text = _INLINE.sub(r"\\\1", text)
    text = _ENTITY.sub("&amp;", text)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def escape_block(text: str) -> str:
    """Escape text that may span lines: each line also loses its block meaning (heading,
    list item, setext underline, indented code); lines are joined with hard breaks."""
    out = []
    lines = _lines(text)
    for line in lines:
        stripped = line.lstrip(" ")
        # leading spaces would start a code block and an empty line would end the paragraph:
        # both are written as character references, which count as text
        lead = "&#32;" * (len(line) - len(stripped))
        if not line and len(lines) > 1:
            lead = "&#32;"
        line = escape(stripped)
        m = _LINE_START.match(line)
        if m:
            line = (m.group(0) + "\\" + line[m.end():]) if m.group(0)[0].isdigit() else "\\" + line
        out.append(lead + line)
    return "  \n".join(out)


def escape_cell(text: str) -> str:
    """A table cell: one line, pipes escaped, line breaks as <br>."""
    return "<br>".join(escape(line) for line in _lines(text)).strip(" \t") or " "


# ---------------------------------------------------------------- values


def blank_for(field_view: FieldView, lang: str) -> str:
    t = field_view.field.type
    if lang == "zh":
        if t in ("date", "datetime"):
            return "＿＿＿＿年＿＿月＿＿日"
        if t == "year_month":
            return "＿＿＿＿年＿＿月"
        if t == "date_range":
            return "＿＿＿＿年＿＿月＿＿日 至 ＿＿＿＿年＿＿月＿＿日"
        if t == "year_month_range":
            return "＿＿＿＿年＿＿月 至 ＿＿＿＿年＿＿月"
    elif t in ("date_range", "year_month_range"):
        return f"{BLANK} – {BLANK}"
    return BLANK


def option_text(o: OptionView, box: str) -> str:
    text = box + escape(o.label)
    if o.has_blank:
        detail = escape(o.detail) if o.detail else SHORT_BLANK * 2
        text += "：" + escape(o.blank_label) + detail + escape(o.unit)
    return text


def choice_text(v: ChoiceView, lang: str) -> str:
    return WORDS[lang]["gap"].join(option_text(o, o.box) for o in v.options)


def signature_text(v: SignatureView, lang: str) -> str:
    w = WORDS[lang]
    name = escape(v.name) if v.name else BLANK
    date = escape(v.date) if v.date else ("＿＿年＿＿月＿＿日" if lang == "zh" else BLANK)
    return f"{name}  {w['date']}{w['sep']}{date}"


def inline_value(v: FieldView, lang: str) -> str:
    """A field's value on one line of running text (blank → ＿＿＿＿)."""
    if isinstance(v, ChoiceView):
        return choice_text(v, lang)
    if isinstance(v, SignatureView):
        return signature_text(v, lang)
    unit = escape(v.unit)
    if v.blank:
        return blank_for(v, lang) + unit
    return escape_block(v.text) + unit


# ---------------------------------------------------------------- blocks


def gfm_table(header: list[str], rows: list[list[str]], align: list[str] | None = None) -> str:
    """A GFM table; cells are raw strings (escaped here)."""
    n = len(header)
    align = align or ["---"] * n
    lines = ["| " + " | ".join(escape_cell(h) for h in header) + " |",
             "| " + " | ".join(align) + " |"]
    for row in rows:
        cells = list(row) + [""] * (n - len(row))
        lines.append("| " + " | ".join(escape_cell(c) for c in cells[:n]) + " |")
    return "\n".join(lines)


class _Writer:
    def __init__(self, doc: Document):
        self.doc = doc
        self.lang = doc.lang
        self.w = WORDS[doc.lang]
        self.out: list[str] = []

    def add(self, text: str) -> None:
        self.out.append(text)

    def label(self, text: str) -> str:
        return f"**{escape(text)}**{self.w['sep']}" if text else ""

    def hint(self, f: FieldView) -> str:
        if self.doc.filled or not f.field.hint:
            return ""
        return f"（{escape(f.field.hint.get(self.lang))}）"

    # -- fields
    def field(self, f: FieldView) -> None:
        if isinstance(f, DigitBoxesView):
            self.add(self.label(f.label) + inline_value(f, self.lang))
            digits = [d for _, d in f.boxes] if f.boxes else [""] * len(RMB_UNITS)
            units = [u for u, _ in f.boxes] if f.boxes else list(RMB_UNITS)
            self.add(gfm_table(units, [digits], [":-:"] * len(units)))
            return
        if f.field.type == "textarea" and f.blank:
            lines = max(1, f.field.lines)
            self.add(self.label(f.label) + self.hint(f) + "  \n" + "  \n".join([BLANK * 4] * lines))
            return
        if f.field.type == "textarea" and "\n" in f.text:
            self.add(self.label(f.label) + "  \n" + escape_block(f.text) + escape(f.unit))
            return
        self.add(self.label(f.label) + inline_value(f, self.lang) + self.hint(f))

    def paragraph(self, p: ParagraphView) -> None:
        text = "".join(inline_value(part, self.lang) if isinstance(part, FieldView) else escape_block(part)
                       for part in p.parts)
        self.add(text)

    def caption(self, title: str, hint: Any = None) -> None:
        if title:
            self.add(f"**{escape(title)}**")
        if hint is not None:
            self.add(f"*{escape(hint.get(self.lang))}*")

    def table(self, t: TableView) -> None:
        self.caption(t.title, t.table.hint if not self.doc.filled else None)
        kinds = (["integer"] if t.numbered else []) + [c.type for c in t.table.columns]
        align = ["---:" if k in NUMERIC else "---" for k in kinds]
        rows = list(t.rows)
        for i in range(t.blank_rows):
            rows.append([str(len(t.rows) + i + 1)] if t.numbered else [])
        self.add(gfm_table(t.header, rows, align))

    def grid(self, g: GridView) -> None:
        self.caption(g.title, g.grid.hint if not self.doc.filled else None)
        align = ["---"] + [":-:"] * len(g.header)
        self.add(gfm_table([g.corner] + g.header, [[label] + cells for label, cells in g.rows], align))

    def tree(self, t: TreeView) -> None:
        self.caption(t.title, t.tree.hint if not self.doc.filled else None)
        kinds = [c.type for c in t.tree.columns]
        align = ["---:" if k in NUMERIC else "---" for k in kinds]
        rows = []
        for depth, cells in t.rows:
            cells = list(cells)
            if cells and depth:
                cells[0] = "　" * depth + "└ " + cells[0]
            rows.append(cells)
        rows.extend([] for _ in range(t.blank_rows))
        self.add(gfm_table(t.header, rows, align))

    def blocks(self, blocks: list[Block], level: int) -> None:
        for b in blocks:
            if isinstance(b, FieldView):
                self.field(b)
            elif isinstance(b, ParagraphView):
                self.paragraph(b)
            elif isinstance(b, TableView):
                self.table(b)
            elif isinstance(b, GridView):
                self.grid(b)
            elif isinstance(b, TreeView):
                self.tree(b)
            elif isinstance(b, GroupView):
                if b.title:
                    self.add("#" * min(level, 6) + " " + escape(b.title))
                self.blocks(b.blocks, level + 1)
            else:  # pragma: no cover - a block type this renderer does not know yet
                raise TypeError(f"markdown renderer: unknown block {type(b).__name__}")

    def section(self, s: SectionView) -> None:
        self.add("## " + escape(s.heading))
        if s.hint:
            self.add(f"*{escape(s.hint)}*")
        self.blocks(s.blocks, 3)

    def document(self) -> str:
        doc = self.doc
        self.add("# " + escape(doc.title))
        head = []
        if doc.code:
            head.append(f"{self.w['code']}{self.w['sep']}{escape(doc.code)}")
        if doc.copies:
            head.append(escape(doc.copies))
        if head:
            self.add(self.w["gap"].join(head))
        for s in doc.sections:
            self.section(s)
        if doc.notes:
            if len(doc.notes) == 1:
                self.add(f"{self.w['notes']}{self.w['sep']}{escape_block(doc.notes[0])}")
            else:
                self.add(f"{self.w['notes']}{self.w['sep']}".rstrip())
                self.add("\n".join(f"{i}. {escape_block(n)}" for i, n in enumerate(doc.notes, 1)))
        return "\n\n".join(self.out) + "\n"


def render_document(doc: Document) -> str:
    return _Writer(doc).document()


class MarkdownRenderer:
    """``formengine render --format md``: GitHub-flavoured Markdown."""

    name = "md"
    extension = "md"
    media_type = "text/markdown"

    def render(self, form: Any, values: Any, options: dict[str, Any]) -> str:
        lang: Lang = "en" if options.get("lang") == "en" else "zh"
        return render_document(build(form.spec, values, lang))
