"""Word content controls (``w:sdt``) for the fillable DOCX, and the tags that bind them to data.

Every input of a fillable document is a content control whose ``w:tag`` names what it holds,
so a filled file is read back by tag whatever else was done to the page. The tag scheme:

==============================  ==========================================================
``buyer``                       a field (a top-level field or a blank inside running text)
``period.start`` ``period.end`` the parts of a ``date_range`` / ``year_month_range``
``clerk.name`` ``clerk.date``   the parts of a ``signature``
``topics=质量``                  the check box of option ``质量`` of a ``multi_choice``
``married=true`` ``=false``     the two check boxes (是 / 否) of a ``boolean``
``funding.detail=补贴``          the blank of option ``补贴`` (an option with ``blank:``)
``lines``                       a table's repeating section (the rows around it)
``lines[].qty``                 column ``qty`` of a table row; every row carries the same
                                tags, so a row added in Word is read like the others
                                (``lines[].topics=质量``, ``lines[].period.start`` …)
``bom[].part_no`` ``bom[]#level``  a tree column, and the row's level (1 = top)
``scores['r1']['c2']``          grid cell row ``r1``, column ``c2`` (keys quoted, ``\\'``
                                escaped); a check box in a ``one_per_row`` grid
``photo``                       an ``image`` field: a picture control (one picture)
==============================  ==========================================================

Ids cannot hold ``.``, ``=``, ``[``, ``#`` or ``'`` (they are ``[a-z][a-z0-9_]*``), so a tag is
never ambiguous. ``w:alias`` is the label Word shows on the control.

An image field is a *picture* control (``w:picture``) showing a placeholder picture, as Word
writes one: a person clicks it and picks a file, and Word puts the picture in its place.

Text inputs are *rich text* controls (no ``w:text``): LibreOffice 7.4 keeps those as real
content controls, while it re-saves a plain-text control (``w:text``) showing its placeholder
as three controls holding the placeholder three times, and moves a multi-line control's line
breaks out of it. Reading takes only the text, so nothing depends on the difference.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .docx import _RFONTS, HINT_COLOR, _esc, styled_run

W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
W15_NS = "http://schemas.microsoft.com/office/word/2012/wordml"

CHECKED_SYMBOL = "☒"  # U+2612, what Word's check box shows when ticked
UNCHECKED_SYMBOL = "☐"  # U+2610
BOX_FONT = "MS Gothic"  # the font Word itself writes for check box symbols
PLACEHOLDER_COLOR = "808080"

# Word's date formats (yyyy, M, d as in Word) and the locale of the picker, per language.
DATE_FORMATS = {"zh": ("yyyy年M月d日", "zh-CN"), "en": ("yyyy-MM-dd", "en-US")}
MONTH_FORMATS = {"zh": ("yyyy年M月", "zh-CN"), "en": ("yyyy-MM", "en-US")}

# ---------------------------------------------------------------- tags

ROW_MARK = "[]"
LEVEL_SUFFIX = "#level"
DETAIL_PART = "detail"
_ROW_TAG = re.compile(r"^([a-z][a-z0-9_]*)\[\]")


def tag_in(prefix: str, name: str) -> str:
    """``name`` inside ``prefix`` (``''`` for the top level, ``lines[]`` for a table row)."""
    return f"{prefix}.{name}" if prefix else name


def row_prefix(member_id: str) -> str:
    return member_id + ROW_MARK


def part_tag(base: str, part: str) -> str:
    return f"{base}.{part}"


def option_tag(base: str, value: str) -> str:
    return f"{base}={value}"


def detail_tag(base: str, value: str) -> str:
    return f"{base}.{DETAIL_PART}={value}"


def level_tag(tree_id: str) -> str:
    return row_prefix(tree_id) + LEVEL_SUFFIX


def _quote(key: str) -> str:
    return "'" + key.replace("\\", "\\\\").replace("'", "\\'") + "'"


def cell_tag(grid_id: str, row_key: str, column_key: str) -> str:
    return f"{grid_id}[{_quote(row_key)}][{_quote(column_key)}]"


def row_member(tag: str) -> str | None:
    """The table or tree id of a row tag (``lines[].qty`` → ``lines``), else None."""
    m = _ROW_TAG.match(tag)
    return m.group(1) if m else None


# ---------------------------------------------------------------- XML


class Ids:
    """``w:id`` values: unique in a document, deterministic so the same input gives the same bytes."""

    def __init__(self, start: int = 1000) -> None:
        self.next = start

    def __call__(self) -> int:
        self.next += 1
        return self.next


@dataclass(frozen=True)
class Look:
    """How typed text looks in a control (and its placeholder, in grey)."""

    size: int | None = None
    underline: bool = False

    def rpr(self, color: str | None = None) -> str:
        out = _RFONTS
        if color:
            out += f'<w:color w:val="{color}"/>'
        if self.size:
            out += f'<w:sz w:val="{self.size}"/><w:szCs w:val="{self.size}"/>'
        if self.underline:
            out += '<w:u w:val="single"/>'
        return out


def _sdt(ids: Ids, tag: str, alias: str, look: Look, kind_xml: str, text: str, placeholder: str) -> str:
    """An inline control showing ``text``, or ``placeholder`` in grey while empty."""
    showing = not text
    pr = (f"<w:rPr>{look.rpr()}</w:rPr><w:alias w:val=\"{_esc(alias)}\"/><w:tag w:val=\"{_esc(tag)}\"/>"
          f'<w:id w:val="{ids()}"/>' + ("<w:showingPlcHdr/>" if showing else "") + kind_xml)
    content = styled_run(placeholder, look.rpr(PLACEHOLDER_COLOR)) if showing else styled_run(text, look.rpr())
    return f"<w:sdt><w:sdtPr>{pr}</w:sdtPr><w:sdtContent>{content}</w:sdtContent></w:sdt>"


def text_control(ids: Ids, tag: str, alias: str, text: str, placeholder: str, look: Look = Look()) -> str:
    """A text input (a rich text control: see the module's note on LibreOffice)."""
    return _sdt(ids, tag, alias, look, "", text, placeholder)


def date_control(ids: Ids, tag: str, alias: str, value: dt.date | None, lang: str, placeholder: str,
                 look: Look = Look(), *, month: bool = False) -> str:
    """A date picker; ``month`` shows year and month only (the picked day is ignored on reading)."""
    fmt, locale = (MONTH_FORMATS if month else DATE_FORMATS)[lang]
    full = f' w:fullDate="{value.isoformat()}T00:00:00Z"' if value else ""
    kind = (f'<w:date{full}><w:dateFormat w:val="{fmt}"/><w:lid w:val="{locale}"/>'
            '<w:storeMappedDataAs w:val="dateTime"/><w:calendar w:val="gregorian"/></w:date>')
    return _sdt(ids, tag, alias, look, kind, format_date(value, fmt) if value else "", placeholder)


def format_date(d: dt.date, fmt: str) -> str:
    """A date in one of the Word formats above."""
    return (fmt.replace("yyyy", f"{d.year:04d}").replace("MM", f"{d.month:02d}").replace("dd", f"{d.day:02d}")
            .replace("M", str(d.month)).replace("d", str(d.day)))


def dropdown_control(ids: Ids, tag: str, alias: str, items: list[tuple[str, str]], chosen: str | None,
                     placeholder: str, look: Look = Look()) -> str:
    """A drop-down list of (label, value) items; ``chosen`` is a value or None."""
    label = next((text for text, value in items if value == chosen), "")
    last = f' w:lastValue="{_esc(chosen)}"' if label and chosen is not None else ""
    options = "".join(f'<w:listItem w:displayText="{_esc(text)}" w:value="{_esc(value)}"/>' for text, value in items)
    return _sdt(ids, tag, alias, look, f"<w:dropDownList{last}>{options}</w:dropDownList>", label, placeholder)


def checkbox_control(ids: Ids, tag: str, alias: str, checked: bool, size: int | None = None) -> str:
    """A Word 2010 check box showing ☒ / ☐."""
    fonts = f'<w:rFonts w:ascii="{BOX_FONT}" w:eastAsia="{BOX_FONT}" w:hAnsi="{BOX_FONT}" w:hint="eastAsia"/>'
    if size:
        fonts += f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
    state = (f'<w14:checkbox><w14:checked w14:val="{1 if checked else 0}"/>'
             f'<w14:checkedState w14:val="2612" w14:font="{BOX_FONT}"/>'
             f'<w14:uncheckedState w14:val="2610" w14:font="{BOX_FONT}"/></w14:checkbox>')
    symbol = CHECKED_SYMBOL if checked else UNCHECKED_SYMBOL
    return (f"<w:sdt><w:sdtPr><w:rPr>{fonts}</w:rPr><w:alias w:val=\"{_esc(alias)}\"/>"
            f'<w:tag w:val="{_esc(tag)}"/><w:id w:val="{ids()}"/>{state}</w:sdtPr>'
            f"<w:sdtContent><w:r><w:rPr>{fonts}</w:rPr><w:t>{symbol}</w:t></w:r></w:sdtContent></w:sdt>")


def repeating_section(ids: Ids, tag: str, alias: str, rows: list[str]) -> str:
    """Table rows as a Word 2013 repeating section: Word shows a + to add a row like the last."""
    items = "".join(f'<w:sdt><w:sdtPr><w:id w:val="{ids()}"/><w15:repeatingSectionItem/></w:sdtPr>'
                    f"<w:sdtContent>{row}</w:sdtContent></w:sdt>" for row in rows)
    return (f'<w:sdt><w:sdtPr><w:alias w:val="{_esc(alias)}"/><w:tag w:val="{_esc(tag)}"/><w:id w:val="{ids()}"/>'
            f"<w15:repeatingSection/></w:sdtPr><w:sdtContent>{items}</w:sdtContent></w:sdt>")


# A picture's size on the page, in EMU (914,400 an inch): Word fits an inserted picture into it.
PICTURE_WIDTH_EMU = 2_743_200  # 3 inches: a value cell of a portrait page is wider
INLINE_PICTURE_WIDTH_EMU = 1_371_600  # 1.5 inches inside running text
_A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
_PIC_NS = "http://schemas.openxmlformats.org/drawingml/2006/picture"


def picture_control(ids: Ids, tag: str, alias: str, rel_id: str, size_emu: tuple[int, int]) -> str:
    """A Word picture control showing the placeholder picture ``rel_id`` in a box of
    ``size_emu`` (width, height), marked as showing its placeholder — the markup Word writes
    for Developer ▸ Picture Content Control."""
    cx, cy = size_emu
    shape = ids()
    name = f"Picture {shape}"
    drawing = (
        f'<w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/>'
        '<wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{shape}" name="{name}"/>'
        f'<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a="{_A_NS}" noChangeAspect="1"/></wp:cNvGraphicFramePr>'
        f'<a:graphic xmlns:a="{_A_NS}"><a:graphicData uri="{_PIC_NS}"><pic:pic xmlns:pic="{_PIC_NS}">'
        f'<pic:nvPicPr><pic:cNvPr id="0" name="{name}"/>'
        '<pic:cNvPicPr><a:picLocks noChangeAspect="1" noChangeArrowheads="1"/></pic:cNvPicPr></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:embed="{_esc(rel_id)}"/><a:srcRect/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        f'<pic:spPr bwMode="auto"><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></pic:spPr>'
        "</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing>")
    return (f'<w:sdt><w:sdtPr><w:alias w:val="{_esc(alias)}"/><w:tag w:val="{_esc(tag)}"/><w:id w:val="{ids()}"/>'
            "<w:showingPlcHdr/><w:picture/></w:sdtPr>"
            f"<w:sdtContent><w:r><w:rPr><w:noProof/></w:rPr>{drawing}</w:r></w:sdtContent></w:sdt>")


def grey(text: str, size: int | None = None) -> str:
    """Static grey text (computed fields, notes): a run, not an input."""
    rpr = _RFONTS + f'<w:color w:val="{HINT_COLOR}"/>'
    if size:
        rpr += f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
    return f'<w:r><w:rPr>{rpr}</w:rPr><w:t xml:space="preserve">{_esc(text)}</w:t></w:r>'
