"""A Word body as a person sees it: paragraphs and table rows, each with its own text and the
content controls in it, in page order.

Reading a filled form back needs two things from a page: the controls (what was typed) and
the text around them (to notice text typed outside the inputs). Wrappers are looked
through — a repeating section, its items, a block-level control another program wrapped a
paragraph in — so a row is a row however it is wrapped.

Pictures are found too, each with the relationship of its image and the name the program
recorded for it: those in a picture control belong to it (LibreOffice 7.4 saves a picture
control as two nested controls, the inner one holding the picture: both are one input), the
others sit loose in their paragraph or cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
PIC = "{http://schemas.openxmlformats.org/drawingml/2006/picture}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
V = "{urn:schemas-microsoft-com:vml}"
O = "{urn:schemas-microsoft-com:office:office}"

_P, _TBL, _TR, _TC, _SDT = W + "p", W + "tbl", W + "tr", W + "tc", W + "sdt"
_SDT_PR, _SDT_CONTENT = W + "sdtPr", W + "sdtContent"
_BLOCK = frozenset({_P, _TBL, _TR, _TC})
_SKIP = frozenset({W + "pPr", W + "rPr", W + "tblPr", W + "trPr", W + "tcPr", W + "tblGrid", W + "sectPr",
                   W + "sdtEndPr", W + "delText", W + "instrText"})
_OFF = frozenset({"0", "false", "off"})
CHECKED_SYMBOLS = frozenset("☒☑✓✔✗✘■")
MAX_DEPTH = 200  # a Word body nests a few dozen elements deep; far deeper is no document a program wrote


@dataclass(frozen=True)
class Picture:
    """A picture on the page: the relationship id of its image (``embed``), or of a file it
    links to instead (``link``), and the name the program recorded (description, else name)."""

    embed: str | None
    link: str | None
    name: str


@dataclass(eq=False)
class Control:
    """One content control: what it holds and where it sits."""

    tag: str | None
    alias: str
    kind: str  # "text", "date", "dropdown", "checkbox" or "picture"
    text: str  # what it shows; "" while it shows its placeholder
    shown: str  # what it shows, placeholder included
    checked: bool | None = None
    full_date: str | None = None
    date_format: str | None = None
    items: tuple[tuple[str, str], ...] = ()  # drop-down (label, value)
    place: tuple[str, str] = ("", "")  # (zh, en): "第 2 个表格 第 3 行" / "table 2, row 3"
    table: int = 0  # the table it sits in (1-based), 0 in a paragraph
    by_position: bool = False  # its tag was lost and given back by its position (see docx_align)
    pictures: tuple[Picture, ...] = ()  # a picture control's pictures; () while it shows its placeholder
    unit: Unit | None = field(default=None, repr=False)  # the paragraph or cell it sits in


@dataclass(eq=False)
class Unit:
    """A paragraph or a table cell: its own text (outside controls), its controls, and the
    pictures in it outside any picture control."""

    text: str = ""
    controls: list[Control] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    place: tuple[str, str] = ("", "")


@dataclass(eq=False)
class Para:
    unit: Unit
    number: int  # 1-based among the paragraphs that show something; 0 for an empty one

    @property
    def place(self) -> tuple[str, str]:
        return f"第 {self.number} 段", f"paragraph {self.number}"


@dataclass(eq=False)
class Row:
    table: int  # 1-based among the document's tables
    number: int  # 1-based within its table
    cells: list[Unit]

    @property
    def place(self) -> tuple[str, str]:
        return f"第 {self.table} 个表格 第 {self.number} 行", f"table {self.table}, row {self.number}"

    @property
    def controls(self) -> list[Control]:
        return [c for u in self.cells for c in u.controls]


Item = Para | Row


def squeeze(text: str) -> str:
    """Text without any white space (ideographic spaces included), for comparing."""
    return re.sub(r"\s+", "", text)


class ParseError(ValueError):
    """word/document.xml is not well-formed XML or has no body."""


def parse(xml: bytes) -> list[Item]:
    """The paragraphs and rows of a document body, in page order."""
    try:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"word/document.xml: {exc}") from None
    body = root.find(W + "body")
    if body is None:
        raise ParseError("word/document.xml has no body")
    if _depth(body) > MAX_DEPTH:  # the walk below recurses once per level
        raise ParseError(f"word/document.xml nests elements more than {MAX_DEPTH} deep")
    return _Walker().run(body)


def _depth(root: etree._Element) -> int:
    depth = deepest = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


class _Walker:
    def __init__(self) -> None:
        self.items: list[Item] = []
        self.tables = 0
        self.paragraphs = 0

    def run(self, body: etree._Element) -> list[Item]:
        self.blocks(body)
        return self.items

    # ---- block level

    def blocks(self, parent: etree._Element) -> None:
        for child in parent:
            if child.tag == _P:
                unit = Unit()
                _inline(child, unit)
                shows = bool(squeeze(unit.text) or unit.controls or unit.pictures)
                if shows:
                    self.paragraphs += 1
                para = Para(unit, self.paragraphs if shows else 0)
                _place(unit, para.place)
                self.items.append(para)
            elif child.tag == _TBL:
                self.table(child)
            elif child.tag == _SDT and not _is_control(child):
                content = child.find(_SDT_CONTENT)
                if content is not None:
                    self.blocks(content)
            elif child.tag == _SDT:  # a control holding whole paragraphs
                unit = Unit()
                _control(child, unit)
                self.paragraphs += 1
                para = Para(unit, self.paragraphs)
                _place(unit, para.place)
                self.items.append(para)
            elif child.tag not in _SKIP:
                self.blocks(child)  # customXml, smartTag and other wrappers

    def table(self, tbl: etree._Element) -> None:
        self.tables += 1
        number = self.tables
        for rows, tr in enumerate(_rows(tbl), 1):
            cells = []
            for tc in _cells(tr):
                unit = Unit()
                _inline(tc, unit)
                cells.append(unit)
            row = Row(number, rows, cells)
            for unit in cells:
                _place(unit, row.place, number)
            self.items.append(row)


def _place(unit: Unit, place: tuple[str, str], table: int = 0) -> None:
    unit.place = place
    for c in unit.controls:
        c.place, c.table, c.unit = place, table, unit


def _unwrap(parent: etree._Element, want: str) -> list[etree._Element]:
    """Children of ``parent`` with tag ``want``, looking through controls and other wrappers."""
    out = []
    for child in parent:
        if child.tag == want:
            out.append(child)
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                out.extend(_unwrap(content, want))
        elif child.tag not in _SKIP and child.tag not in _BLOCK:
            out.extend(_unwrap(child, want))
    return out


def _rows(tbl: etree._Element) -> list[etree._Element]:
    return _unwrap(tbl, _TR)


def _cells(tr: etree._Element) -> list[etree._Element]:
    return _unwrap(tr, _TC)


def _is_control(sdt: etree._Element) -> bool:
    """A control holds a value; a wrapper (repeating section, its items, a block or row another
    program wrapped without a tag) only holds other content."""
    pr = sdt.find(_SDT_PR)
    if pr is not None and (pr.find(W15 + "repeatingSection") is not None
                           or pr.find(W15 + "repeatingSectionItem") is not None):
        return False
    content = sdt.find(_SDT_CONTENT)
    holds_blocks = content is not None and any(child.tag in _BLOCK for child in content)
    if not holds_blocks:
        return True
    return pr is not None and pr.find(W + "tag") is not None and content is not None \
        and not any(child.tag in (_TR, _TC, _TBL) for child in content)


def _inline(parent: etree._Element, unit: Unit) -> None:
    """Collect the text outside controls and the controls themselves."""
    for child in parent:
        tag = child.tag
        if tag == W + "t":
            unit.text += child.text or ""
        elif tag == W + "tab":
            unit.text += "\t"
        elif tag in (W + "br", W + "cr"):
            unit.text += "\n"
        elif tag == _SDT:
            if _is_control(child):
                _control(child, unit)
            else:
                content = child.find(_SDT_CONTENT)
                if content is not None:
                    _inline(content, unit)
        elif tag == _P:
            if unit.text and not unit.text.endswith("\n"):
                unit.text += "\n"
            _inline(child, unit)
        elif tag == MC + "AlternateContent":  # the same content twice: read the first choice only
            choice = child.find(MC + "Choice")
            _inline(choice if choice is not None else child, unit)
        elif tag in (W + "drawing", W + "pict"):
            unit.pictures.extend(_pictures(child))
            _inline(child, unit)  # the text of a text box drawn on the page
        elif tag not in _SKIP and isinstance(tag, str):
            _inline(child, unit)


def _pictures(drawing: etree._Element) -> list[Picture]:
    """The pictures of a ``w:drawing`` (DrawingML) or ``w:pict`` (VML, older programs)."""
    out = []
    doc_pr = next(drawing.iter(WP + "docPr"), None)
    for blip in drawing.iter(A + "blip"):
        pic = next((a for a in blip.iterancestors(PIC + "pic")), None)
        own = pic.find(f"{PIC}nvPicPr/{PIC}cNvPr") if pic is not None else None
        out.append(Picture(blip.get(R + "embed"), blip.get(R + "link"), _picture_name(doc_pr, own)))
    for data in drawing.iter(V + "imagedata"):
        shape = data.getparent()
        name = data.get(O + "title") or (shape.get("alt") if shape is not None else None) or ""
        out.append(Picture(data.get(R + "id") or data.get(O + "relid"), None, name))
    return out


def _picture_name(*props: etree._Element | None) -> str:
    """The description a program recorded (Word: the file name, or alt text), else the name."""
    for attr in ("descr", "name"):
        for p in props:
            if p is not None and (p.get(attr) or "").strip():
                return (p.get(attr) or "").strip()
    return ""


def _val(el: etree._Element | None, attr: str = W + "val") -> str | None:
    return None if el is None else el.get(attr)


def _control(sdt: etree._Element, unit: Unit) -> None:
    pr = sdt.find(_SDT_PR)
    if pr is None:
        pr = etree.Element(_SDT_PR)
    content = sdt.find(_SDT_CONTENT)
    shown = Unit()
    if content is not None:
        _inline(content, shown)  # nested controls are controls of their own, after this one
    placeholder = pr.find(W + "showingPlcHdr")
    showing = placeholder is not None and (_val(placeholder) or "1").lower() not in _OFF
    kind, checked, full, fmt = "text", None, None, None
    items: tuple[tuple[str, str], ...] = ()
    box = pr.find(W14 + "checkbox")
    date = pr.find(W + "date")
    lists = pr.find(W + "dropDownList")
    if lists is None:
        lists = pr.find(W + "comboBox")
    if box is not None:
        kind = "checkbox"
        state = _val(box.find(W14 + "checked"), W14 + "val")
        checked = (state.lower() not in _OFF) if state is not None else any(s in shown.text for s in CHECKED_SYMBOLS)
    elif date is not None:
        kind, full = "date", date.get(W + "fullDate")
        fmt = _val(date.find(W + "dateFormat"))
    elif lists is not None:
        kind = "dropdown"
        items = tuple((item.get(W + "displayText") or item.get(W + "value") or "", item.get(W + "value") or "")
                      for item in lists.findall(W + "listItem"))
    elif pr.find(W + "picture") is not None:
        return _picture_control(pr, shown, showing, unit)
    text = "" if showing or kind == "checkbox" else shown.text
    unit.controls.append(Control(_val(pr.find(W + "tag")), _val(pr.find(W + "alias")) or "", kind, text.strip("\n"),
                                 shown.text, checked, full, fmt, items))
    unit.controls.extend(shown.controls)
    unit.pictures.extend(shown.pictures)


def _picture_control(pr: etree._Element, shown: Unit, showing: bool, unit: Unit) -> None:
    """A picture control holds pictures only: controls nested in it (LibreOffice's inner one)
    are looked through, and its alias is taken from them when it has none of its own."""
    pictures = list(shown.pictures)
    alias = _val(pr.find(W + "alias")) or ""
    for inner in shown.controls:
        pictures.extend(inner.pictures)
        alias = alias or inner.alias
    unit.controls.append(Control(_val(pr.find(W + "tag")), alias, "picture", "", shown.text,
                                 pictures=() if showing else tuple(pictures)))
