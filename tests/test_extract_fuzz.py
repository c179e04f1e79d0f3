"""Hand-edited fillable files: random edits never crash reading back, never give a silent wrong value.

A filled fillable Word or Excel file of a few catalog forms (tables, a tree, grids, choices
with details, a picture) is edited at random the ways a file gets damaged or edited by hand:
XML elements deleted, copied or moved (controls, rows, cells, tags, sheets, picture anchors),
attributes changed, tags or keys swapped, parts dropped, bytes flipped, the zip cut short,
sheets renamed or reordered, empty paragraphs and rows inserted, elements wrapped, and odd
text typed into the inputs and beside them (control characters, very long text, formulas,
XML, emoji, digits int() cannot read, a cell a million rows down). For every edit:

* ``Form.extract`` never raises, and every issue it gives is a known validation code;
* a result that is ok holds exactly what validating what was read gives;
* an edit the reader says it tolerates (see the readers' docstrings: a sheet renamed or moved,
  a row inserted, an empty paragraph inserted, a wrapper around a paragraph) reads the same data;
* an edit that deletes or copies an input (a control or its tag, a key cell or a row holding
  one, a sheet, a picture), also when the copy was then typed over, or moves a control or a
  keyed row, reads the same data or reports an issue: never ok with other data;
* text typed into a text input reads back as typed (trimmed); text typed beside the inputs is
  reported.

Tags and keys are trusted: swapping two, or moving a key cell alone onto another row, rebinds
the inputs, and such edits are only held to the first two properties.

``FORMENGINE_LONG=1`` runs many more edits. Each crash or silent value found is fixed in the
reader and kept fixed by a focused test at the end of this file.
"""

from __future__ import annotations

import copy
import io
import os
import random
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from formengine.codes import VALIDATION
from formengine.examples import load_examples

from .render_support import FORMS, load_form

pytest.importorskip("docx")
openpyxl = pytest.importorskip("openpyxl")
from lxml import etree
from openpyxl.utils import column_index_from_string, get_column_letter

from . import roundtrip_docx_fill as docx_fill
from .test_roundtrip_xlsx import fill as xlsx_fill

LONG = bool(os.environ.get("FORMENGINE_LONG"))
# edits per format: reading a Word file back takes ~20 ms, a workbook ~120 ms (openpyxl)
EDITS = {"docx": 5000 if LONG else 300, "xlsx": 2000 if LONG else 200}
# a table (sales_contract), a tree (product_bom), computed fields and a choice (customer_grading),
# a check-box grid (customer_maintenance_statistics), number and drop-down grids
# (showroom_traffic_statistics), a picture and a choice with its own blank (practice_result_registration)
STEMS = ("sales_contract", "product_bom", "customer_grading", "customer_maintenance_statistics",
         "showroom_traffic_statistics", "practice_result_registration")
PICTURE_STEMS = ("practice_result_registration",)
PATHS = {p.stem: p for p in FORMS.glob("*/*.yaml") if p.stem in STEMS}

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W, W14, W15 = f"{{{W_NS}}}", docx_fill.W14, docx_fill.W15
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
S_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
S = f"{{{S_NS}}}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
PKG_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
SHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
MARKER = re.compile(r"^#(section|table|tree|grid)(?: (\S+))?$")
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# ---------------------------------------------------------------- what an edit promises

ANY, SAME, NO_SILENT = "any", "same", "no_silent"


@dataclass
class Edit:
    """An edited file, what was done, and what reading it must give."""

    what: str
    content: bytes
    expect: str = ANY  # SAME: the data read is unchanged; NO_SILENT: unchanged, or an issue
    typed: tuple[str, str] | None = None  # (field id, text typed into its input)
    reported: str | None = None  # an issue code reading it must give


@dataclass
class Base:
    """A filled fillable file of one form, and what it reads back as."""

    form: Any
    fmt: str
    content: bytes
    data: dict[str, Any]


_BASES: dict[tuple[str, str], Base] = {}


def base(stem: str, fmt: str) -> Base:
    key = (stem, fmt)
    if key not in _BASES:
        form = load_form(PATHS[stem])
        example = next(e for e in load_examples(PATHS[stem]) if e.valid)
        value = form.validate(example.data).value
        if fmt == "docx":
            content = docx_fill.fill(form.render("docx", fillable=True), form, value)
        else:
            content = xlsx_fill(form.render("xlsx"), form, value)
        result = form.extract(content, format=fmt)
        assert result.ok, result.format("en")
        _BASES[key] = Base(form, fmt, content, result.data())
    return _BASES[key]


def check(b: Base, edit: Edit) -> Any:
    """Everything reading an edited file must hold to (any exception fails the test)."""
    result = b.form.extract(edit.content, format=b.fmt)
    shown = [e.format("en") for e in result.errors] + [e.format("zh") for e in result.errors]
    assert {e.code for e in result.errors} <= set(VALIDATION), shown
    if result.ok:
        assert result.data() == b.form.validate(result.read).data()
    if edit.expect == SAME:
        assert result.ok, shown
        assert result.data() == b.data
    elif edit.expect == NO_SILENT and result.ok:
        assert result.data() == b.data, "an input was deleted or copied, and other data was read without an issue"
    if edit.typed is not None:
        fid, text = edit.typed
        assert result.read.get(fid) == (text.strip() or None)
    if edit.reported is not None:
        assert edit.reported in {e.code for e in result.errors}, shown
    return result


# ---------------------------------------------------------------- text a person may type

ODD_TEXTS = [
    "=cmd|' /C calc'!A0", "=1+1", "+SUM(A1:A9)", "@SUM(1)", "-2+3",
    "<w:t>x</w:t>", "</w:t></w:r></w:sdtContent></w:sdt><w:r><w:t>injected", '<c r="A1"><v>1</v></c>',
    "<![CDATA[x]]>", "&amp;&lt;&#x41;", "😀👍🏽🇨🇳", "\u202e逆序", "\u200b", "ｘ１２３", "  前后空格  ", " ", "",
    "\t\n", "1e309", "NaN", "-0", "0x1F", "²", "①", "１２", "٣", "Ⅳ", "½", "2026-02-30", "2026年13月1日", "是、否", "√", "☒",
    "#section", "#table lines", "#keys", "#header", "_x0001_", "a" * 40_000,
    "中" * 3000 + "\n" + "b" * 3000, "\x01\x02", "tab\there", "bell\x07", "nul\x00", "\x1b[31mred",
]
_ALPHABET = "abcXYZ019 .,-:/;'\"<>&=+@#" + "中文表格填写是否" + "😀🎉" + "\u3000\u00a0\u200b\t\n\x7f"
_ILLEGAL = "\x00\x01\x0b\x1f\ufffe"  # no XML file can hold these: an edited file, not a person's typing


def odd_text(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(ODD_TEXTS)
    alphabet = _ALPHABET + (_ILLEGAL if rng.random() < 0.1 else "")
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))


def outside_text(rng: random.Random) -> str:
    """A remark typed beside the inputs — none of the form's own texts, which a workbook
    accepts in any cell that holds no input (xlsx_read: labels as they were written)."""
    return rng.choice(["见附件二", "see attached", "已核对无误", "另见背面"]) + rng.choice(["", "！", " ok"])


def plain_text(rng: random.Random) -> str:
    """Text that is none of the other inputs' values, for a copy typed over."""
    return rng.choice(["改动", "changed", "另一个值", "999", "2030-01-01"])


# ---------------------------------------------------------------- a package whose parts are edited


class Package:
    def __init__(self, content: bytes):
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            self.names = z.namelist()
            self.parts = {n: z.read(n) for n in self.names}
        self.trees: dict[str, Any] = {}

    def xml(self, name: str) -> Any:
        if name not in self.trees:
            self.trees[name] = etree.fromstring(self.parts[name])
        return self.trees[name]

    def put(self, name: str, data: bytes) -> None:
        if name not in self.parts:
            self.names.append(name)
        self.parts[name] = data
        self.trees.pop(name, None)

    def drop(self, name: str) -> None:
        self.names.remove(name)
        del self.parts[name]
        self.trees.pop(name, None)

    def save(self, raw: dict[str, tuple[str, bytes]] | None = None) -> bytes:
        """The package; ``raw`` replaces a text in a part after it is written (for bytes lxml
        refuses to write: control characters)."""
        for name, root in self.trees.items():
            self.parts[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        for name, (old, new) in (raw or {}).items():
            self.parts[name] = self.parts[name].replace(old.encode(), new)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name in self.names:
                z.writestr(name, self.parts[name])
        return out.getvalue()


SENTINEL = "FUZZ-SENTINEL-7e1"


def set_text(t: Any, text: str, pkg: Package, part: str, raw: dict[str, tuple[str, bytes]]) -> None:
    """Put ``text`` into an element; text XML cannot hold is written raw into the part."""
    if XML_ILLEGAL.search(text):
        t.text = SENTINEL
        raw[part] = (SENTINEL, text.encode("utf-8", "surrogatepass"))
    else:
        t.text = text
    t.set(XML_SPACE, "preserve")


def attribute_value(rng: random.Random, old: str) -> str:
    return rng.choice(["", "0", "1", "-1", "true", "false", "x", "99999999999", "A1", "rId999", "#keys",
                       old + old, old[::-1], "中文", "a" * 300, "ZZZ1048577", "$A$1:$B$2", "0 1"])


def common_edit(rng: random.Random, b: Base, op: str) -> Edit | None:
    """Edits of the package, the same for both formats."""
    content = b.content
    if op == "truncate_zip":
        n = rng.randrange(len(content))
        return Edit(f"the zip cut at {n} of {len(content)} bytes", content[:n])
    if op == "flip_zip_bytes":
        data = bytearray(content)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= rng.randint(1, 255)
        return Edit("bytes of the zip flipped", bytes(data))
    if op == "damage_part":  # a byte of one part's packed data: a checksum or the deflate stream breaks
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            info = rng.choice(z.infolist())
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        data = bytearray(content)
        data[start + rng.randrange(max(info.compress_size, 1))] ^= rng.randint(1, 255)
        return Edit(f"a packed byte of {info.filename} flipped", bytes(data))
    pkg = Package(content)
    if op == "flip_part_bytes":
        main = [n for n in pkg.names if n.endswith(("document.xml", "custom.xml", "workbook.xml", ".rels"))
                or "worksheets/sheet" in n or "drawings/drawing" in n]
        name = rng.choice(main if rng.random() < 0.7 else pkg.names)
        data = bytearray(pkg.parts[name])
        spots = [rng.randrange(len(data)) for _ in range(rng.randint(1, 8))] if data else []
        for i in spots:
            data[i] ^= rng.randint(1, 255)
        pkg.put(name, bytes(data))
        return Edit(f"bytes {spots} of {name} flipped", pkg.save())
    if op == "drop_part":
        name = rng.choice(pkg.names)
        pkg.drop(name)
        return Edit(f"{name} dropped", pkg.save())
    return None


COMMON_OPS = ("truncate_zip", "flip_zip_bytes", "damage_part", "flip_part_bytes", "drop_part")


# ---------------------------------------------------------------- Word


def _tag(sdt: Any) -> str | None:
    t = sdt.find(f"{W}sdtPr/{W}tag")
    return None if t is None else t.get(W + "val")


def _wrapper(sdt: Any) -> bool:
    pr = sdt.find(W + "sdtPr")
    return pr is not None and (pr.find(W15 + "repeatingSection") is not None
                               or pr.find(W15 + "repeatingSectionItem") is not None)


def value_controls(scope: Any) -> list[Any]:
    return [s for s in scope.iter(W + "sdt") if _tag(s) is not None and not _wrapper(s)]


def _row_tag(tag: str) -> bool:
    return re.match(r"^[a-z][a-z0-9_]*\[\](\.|#)", tag) is not None


def docx_expectation(el: Any) -> str:
    """Deleting, copying or moving an element that holds inputs is NO_SILENT — except a whole
    entry of a table or tree (a row, or a repeating-section item), which a person adds,
    copies and deletes: that is a different submission."""
    if el.tag == W + "tag":  # a control's binding
        return NO_SILENT
    tags = [t for s in value_controls(el) if (t := _tag(s))]
    if not tags:
        return ANY
    entry = el.tag == W + "tr" or (el.tag == W + "sdt" and el.find(f"{W}sdtPr/{W15}repeatingSectionItem") is not None)
    return ANY if entry and all(_row_tag(t) for t in tags) else NO_SILENT


DOCX_KINDS = ("sdt", "tr", "tc", "p", "tbl", "tag", "sdtPr child")


def docx_elements(body: Any, kind: str) -> list[Any]:
    if kind == "sdtPr child":
        return [c for pr in body.iter(W + "sdtPr") for c in pr]
    if kind == "tag":
        return [t for t in body.iter(W + "tag") if t.getparent().tag == W + "sdtPr"]
    return list(body.iter(W + kind))


def type_into_control(sdt: Any, text: str, pkg: Package, raw: dict[str, tuple[str, bytes]]) -> None:
    """What typing into a control does: the placeholder goes, a run with the text comes."""
    pr = sdt.find(W + "sdtPr")
    for flag in pr.findall(W + "showingPlcHdr"):
        pr.remove(flag)
    content = sdt.find(W + "sdtContent")
    if content is None:
        content = etree.SubElement(sdt, W + "sdtContent")
    block = any(c.tag == W + "p" for c in content)
    for child in list(content):
        content.remove(child)
    holder = etree.SubElement(content, W + "p") if block else content
    t = etree.SubElement(etree.SubElement(holder, W + "r"), W + "t")
    set_text(t, text, pkg, "word/document.xml", raw)


def _retype_copy(rng: random.Random, copied: Any, pkg: Package, raw: dict[str, tuple[str, bytes]]) -> str:
    """Change a value in a copied element: the copy was typed over."""
    controls = [s for s in value_controls(copied) if s.find(f"{W}sdtPr/{W}picture") is None]
    if not controls:
        return ""
    sdt = rng.choice(controls)
    box = sdt.find(f"{W}sdtPr/{W14}checkbox/{W14}checked")
    if box is not None:
        box.set(W14 + "val", "0" if box.get(W14 + "val") in ("1", "true") else "1")
        return f", then {_tag(sdt)} in the copy ticked over"
    type_into_control(sdt, plain_text(rng), pkg, raw)
    return f", then {_tag(sdt)} in the copy typed over"


def docx_edit(rng: random.Random, b: Base, op: str) -> Edit:
    found = common_edit(rng, b, op)
    if found is not None:
        return found
    pkg = Package(b.content)
    part = "word/document.xml"
    root = pkg.xml(part)
    body = root.find(W + "body")
    raw: dict[str, tuple[str, bytes]] = {}
    if op in ("delete", "duplicate", "move"):
        kind = rng.choice(DOCX_KINDS)
        el = rng.choice(docx_elements(body, kind))
        expect, tag = docx_expectation(el), ", ".join(_tag(s) or "?" for s in value_controls(el))[:200]
        what = f"{op} a w:{kind} holding [{tag}]"
        if op == "delete":
            el.getparent().remove(el)
        elif op == "duplicate":
            twin = copy.deepcopy(el)
            el.addnext(twin)
            if rng.random() < 0.5:
                what += _retype_copy(rng, twin, pkg, raw)
        else:
            others = [o for o in docx_elements(body, kind) if o is not el and el not in o.iterancestors()
                      and o not in el.iter()]
            if not others:
                return Edit("nothing to move to", b.content, SAME)
            rng.choice(others).addnext(el)
        return Edit(what, pkg.save(raw), expect)
    if op == "change_attribute":  # mostly of the controls' own properties
        scope = rng.choice(list(body.iter(W + "sdtPr"))) if rng.random() < 0.6 else body
        el = rng.choice([e for e in scope.iter() if isinstance(e.tag, str) and e.attrib])
        name = rng.choice(list(el.attrib))
        el.set(name, attribute_value(rng, el.get(name)))
        return Edit(f"{etree.QName(el).localname}@{etree.QName(name).localname} = {el.get(name)[:40]!r}", pkg.save())
    if op == "swap_tags":
        a, c = rng.sample(docx_elements(body, "tag"), 2)
        va, vc = a.get(W + "val"), c.get(W + "val")
        a.set(W + "val", vc)
        c.set(W + "val", va)
        return Edit(f"tags {va} and {vc} swapped", pkg.save())
    if op == "type_text":
        sdt = rng.choice([s for s in value_controls(body) if s.find(f"{W}sdtPr/{W}picture") is None])
        text = odd_text(rng)
        type_into_control(sdt, text, pkg, raw)
        tag = _tag(sdt) or ""
        f = b.form.spec.field(tag)
        typed = (tag, text) if (f is not None and f.type in ("text", "textarea") and not f.computed
                                and not XML_ILLEGAL.search(text)) else None
        return Edit(f"{text[:60]!r} typed into {tag}", pkg.save(raw), typed=typed)
    if op == "type_outside":
        paragraphs = [p for p in body.iter(W + "p") if not any(a.tag == W + "sdt" for a in p.iterancestors())]
        p = rng.choice(paragraphs)
        t = etree.SubElement(etree.SubElement(p, W + "r"), W + "t")
        t.text = outside_text(rng)
        return Edit(f"{t.text!r} typed outside the inputs", pkg.save(), NO_SILENT, reported="file_text_outside")
    if op == "tick":
        boxes = list(body.iter(W14 + "checked"))
        if not boxes:
            return Edit("no check boxes", b.content, SAME)
        box = rng.choice(boxes)
        box.set(W14 + "val", "0" if box.get(W14 + "val") in ("1", "true") else "1")
        return Edit("a box ticked or cleared", pkg.save())
    if op == "wrap":
        # in custom XML or smart tags, as programs do: looked through (docx_parse), unless nested
        # deeper than any program would, which is refused
        kind = rng.choice(("p", "r", "tr", "tc", "sdt", "tbl"))
        el = rng.choice(list(body.iter(W + kind)))
        deep = rng.random() < 0.2
        levels = rng.randint(150, 1500) if deep else rng.randint(1, 3)
        wrapper = rng.choice(("customXml", "smartTag"))
        outer = inner = etree.Element(W + wrapper)
        for _ in range(levels - 1):
            inner = etree.SubElement(inner, W + wrapper)
        el.addprevious(outer)
        inner.append(el)
        return Edit(f"a w:{kind} wrapped in {levels} w:{wrapper}", pkg.save(), ANY if deep else SAME)
    if op == "insert_empty_paragraph":
        # between two paragraphs of the body: values are found by tags, and an empty paragraph
        # is no text outside the inputs (docx_read / docx_align)
        spots = [p for p in body if p.tag == W + "p" and p.getnext() is not None and p.getnext().tag == W + "p"]
        if not spots:
            return Edit("no two paragraphs in a row", b.content, SAME)
        rng.choice(spots).addnext(etree.Element(W + "p"))
        return Edit("an empty paragraph inserted", pkg.save(), SAME)
    raise AssertionError(op)


DOCX_OPS = (*COMMON_OPS, "delete", "duplicate", "move", "change_attribute", "swap_tags", "type_text",
            "type_outside", "tick", "wrap", "insert_empty_paragraph")


# ---------------------------------------------------------------- Excel


def split_cell(ref: str) -> tuple[int, int]:
    m = re.match(r"^\$?([A-Z]{1,3})\$?(\d+)$", ref)
    assert m, ref
    return column_index_from_string(m.group(1)), int(m.group(2))


@dataclass
class Sheet:
    """A worksheet of a fillable workbook as its XML shows it."""

    name: str
    part: str
    entry: Any  # its <sheet> in workbook.xml
    root: Any
    kind: str | None = None  # section, table, tree, grid
    col_a: dict[int, str] = field(default_factory=dict)  # row → text in column A
    keys: dict[str, int] = field(default_factory=dict)  # key → column (table, tree, grid key row)
    keys_row: int = 0
    header_row: int = 0

    def rows(self) -> dict[int, Any]:
        return {int(r.get("r")): r for r in self.root.iter(S + "row")}

    def data(self) -> Any:
        return self.root.find(S + "sheetData")


def _shared(pkg: Package) -> list[str]:
    name = "xl/sharedStrings.xml"
    if name not in pkg.parts:
        return []
    return ["".join(t.text or "" for t in si.iter(S + "t")) for si in pkg.xml(name).iter(S + "si")]


def cell_text(c: Any, shared: list[str]) -> str:
    if c.get("t") == "inlineStr":
        return "".join(t.text or "" for t in c.iter(S + "t"))
    v = c.find(S + "v")
    text = "" if v is None else v.text or ""
    if c.get("t") == "s" and text.isdigit() and int(text) < len(shared):
        return shared[int(text)]
    return text


def sheets(pkg: Package) -> list[Sheet]:
    book = pkg.xml("xl/workbook.xml")
    rels = {r.get("Id"): r.get("Target") for r in pkg.xml("xl/_rels/workbook.xml.rels")}
    shared = _shared(pkg)
    out = []
    for entry in book.iter(S + "sheet"):
        target = rels[entry.get(R_ID)]
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        sheet = Sheet(entry.get("name"), part, entry, pkg.xml(part))
        for row in sheet.root.iter(S + "row"):
            for c in row.iter(S + "c"):
                col, r = split_cell(c.get("r"))
                if col == 1 and cell_text(c, shared):
                    sheet.col_a[r] = cell_text(c, shared)
        for r in sorted(sheet.col_a)[:10]:
            m = MARKER.match(sheet.col_a[r])
            if m:
                sheet.kind = m.group(1)
                break
        for r, text in sheet.col_a.items():
            if text == "#keys" and not sheet.keys_row:
                sheet.keys_row = r
            elif text == "#header" and not sheet.header_row:
                sheet.header_row = r
        if sheet.keys_row:
            row = sheet.rows()[sheet.keys_row]
            for c in row.iter(S + "c"):
                col, _ = split_cell(c.get("r"))
                if col > 1 and cell_text(c, shared):
                    sheet.keys[cell_text(c, shared)] = col
        out.append(sheet)
    return out


def form_sheets(pkg: Package) -> list[Sheet]:
    return [s for s in sheets(pkg) if s.kind is not None]


def xlsx_expectation(sheet: Sheet, row: int, col: int | None = None) -> str:
    """Deleting, copying or moving a key cell, or a row holding one, is NO_SILENT; a whole data
    row of a table or tree is an entry (a different submission), other cells are values."""
    if sheet.kind is None:
        return ANY
    if sheet.kind in ("table", "tree") and row > sheet.header_row:
        return ANY
    if col is None:  # a whole row
        return NO_SILENT if row in sheet.col_a or row == sheet.keys_row else ANY
    return NO_SILENT if (col == 1 and row in sheet.col_a) or row == sheet.keys_row else ANY


def _place(sheet_data: Any, row: Any) -> None:
    """Insert a <row> in row order."""
    r = int(row.get("r"))
    later = next((x for x in sheet_data if int(x.get("r")) > r), None)
    if later is not None:
        later.addprevious(row)
    else:
        sheet_data.append(row)


def _put_cell(sheet: Sheet, cell: Any) -> None:
    col, r = split_cell(cell.get("r"))
    rows = sheet.rows()
    row = rows.get(r)
    if row is None:
        row = etree.Element(S + "row", r=str(r))
        _place(sheet.data(), row)
    for old in row.findall(S + "c"):
        if split_cell(old.get("r"))[0] == col:
            row.remove(old)
    later = next((c for c in row.findall(S + "c") if split_cell(c.get("r"))[0] > col), None)
    if later is not None:
        later.addprevious(cell)
    else:
        row.append(cell)


def _renumber_row(row: Any, r: int) -> None:
    row.set("r", str(r))
    for c in row.findall(S + "c"):
        col, _ = split_cell(c.get("r"))
        c.set("r", f"{get_column_letter(col)}{r}")


def typed_cell(ref: str, text: str, pkg: Package, part: str, raw: dict[str, tuple[str, bytes]],
               formula: bool = False) -> Any:
    """A cell holding typed text (an inline string), or a formula without a saved result."""
    c = etree.Element(S + "c", r=ref)
    if formula:
        c.set("t", "str")
        set_text(etree.SubElement(c, S + "f"), text.lstrip("="), pkg, part, raw)
        return c
    c.set("t", "inlineStr")
    set_text(etree.SubElement(etree.SubElement(c, S + "is"), S + "t"), text, pkg, part, raw)
    return c


def bound_cells(sheet: Sheet) -> list[tuple[str, str | None]]:
    """(cell, section key) of the cells a person types into."""
    if sheet.kind == "section":
        return [(f"C{r}", key) for r, key in sheet.col_a.items() if not key.startswith("#")]
    if sheet.kind == "grid":
        rows = [r for r, key in sheet.col_a.items() if r > sheet.header_row and not key.startswith("#")]
        return [(f"{get_column_letter(c)}{r}", None) for r in rows for c in sheet.keys.values()]
    if sheet.kind in ("table", "tree"):
        return [(f"{get_column_letter(c)}{r}", None) for r in range(sheet.header_row + 1, sheet.header_row + 6)
                for key, c in sheet.keys.items() if key != "#no"]
    return []


def bound(sheet: Sheet, r: int, col: int) -> bool:
    """A cell a person types a value into (or a computed one beside them)."""
    if sheet.kind == "section":
        return col == 3 and r in sheet.col_a and not sheet.col_a[r].startswith("#")
    key_cols = set(sheet.keys.values())
    if sheet.kind == "grid":
        return r in sheet.col_a and r > sheet.header_row and col in key_cols
    return r > sheet.header_row and col in key_cols


def _cells_in(ref: str | None) -> list[str]:
    """The cells of a range like B2:D2, top-left first."""
    if not ref or ":" not in ref:
        return [ref] if ref else []
    (c1, r1), (c2, r2) = (split_cell(x) for x in ref.split(":"))
    return [f"{get_column_letter(c)}{r}" for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


_REF = re.compile(r"(\$?)([A-Z]{1,3})(\$?)(\d+)")


def insert_row(pkg: Package, sheet: Sheet, at: int) -> None:
    """Excel's Insert → Row above row ``at``: everything from it down moves one row down
    (cells, merged ranges, validations, picture anchors)."""
    for row in sheet.data().findall(S + "row"):
        if int(row.get("r")) >= at:
            _renumber_row(row, int(row.get("r")) + 1)

    def shift(text: str) -> str:
        return _REF.sub(lambda m: f"{m[1]}{m[2]}{m[3]}{int(m[4]) + 1 if int(m[4]) >= at else m[4]}", text)

    for el in sheet.root.iter():
        for attr in ("ref", "sqref"):
            if isinstance(el.tag, str) and el.get(attr) and el.tag != S + "c":
                el.set(attr, shift(el.get(attr)))
    drawing = sheet_drawing(pkg, sheet)
    if drawing is not None:
        for mark in pkg.xml(drawing).iter(XDR + "from", XDR + "to"):
            r = mark.find(XDR + "row")
            if r is not None and int(r.text) >= at - 1:
                r.text = str(int(r.text) + 1)


def sheet_drawing(pkg: Package, sheet: Sheet) -> str | None:
    folder, name = sheet.part.rsplit("/", 1)
    rels = f"{folder}/_rels/{name}.rels"
    if rels not in pkg.parts:
        return None
    for rel in pkg.xml(rels):
        if rel.get("Type", "").endswith("/drawing"):
            target = rel.get("Target")
            path = os.path.normpath(os.path.join(folder, target)).replace(os.sep, "/")
            return path if path in pkg.parts else None
    return None


def duplicate_sheet(pkg: Package, sheet: Sheet) -> str:
    """A copy of a sheet, as Excel's Move or Copy → Create a copy makes it."""
    n = 1
    while f"xl/worksheets/sheet{n}.xml" in pkg.parts:
        n += 1
    part = f"xl/worksheets/sheet{n}.xml"
    pkg.put(part, etree.tostring(sheet.root))
    folder, name = sheet.part.rsplit("/", 1)
    rels = f"{folder}/_rels/{name}.rels"
    if rels in pkg.parts:
        pkg.put(f"xl/worksheets/_rels/sheet{n}.xml.rels", etree.tostring(pkg.xml(rels)))
    book_rels = pkg.xml("xl/_rels/workbook.xml.rels")
    rid = f"rIdFuzz{n}"
    etree.SubElement(book_rels, PKG_REL + "Relationship", Id=rid, Type=SHEET_REL, Target=f"worksheets/sheet{n}.xml")
    types = pkg.xml("[Content_Types].xml")
    etree.SubElement(types, PKG_TYPES + "Override", PartName=f"/{part}", ContentType=SHEET_TYPE)
    twin = copy.deepcopy(sheet.entry)
    twin.set("name", f"{sheet.name[:26]} (2)")
    twin.set("sheetId", str(100 + n))
    twin.set(R_ID, rid)
    sheet.entry.addnext(twin)
    return twin.get("name")


def xlsx_edit(rng: random.Random, b: Base, op: str) -> Edit:
    found = common_edit(rng, b, op)
    if found is not None:
        return found
    pkg = Package(b.content)
    all_sheets = sheets(pkg)
    inputs = form_sheets(pkg)
    raw: dict[str, tuple[str, bytes]] = {}
    sheet = rng.choice(inputs)
    rows = sheet.rows()
    if op in ("delete_row", "duplicate_row", "move_row"):
        r = rng.choice(sorted(rows))
        expect = xlsx_expectation(sheet, r)
        row = rows[r]
        what = f"{op} {sheet.name}!{r}"
        if op == "delete_row":
            row.getparent().remove(row)
        else:
            to = max(rows) + rng.randint(1, 3)
            twin = copy.deepcopy(row) if op == "duplicate_row" else row
            if op == "move_row":
                row.getparent().remove(row)
            _renumber_row(twin, to)
            _place(sheet.data(), twin)
            what += f" to row {to}"
            values = [c for c in twin.findall(S + "c") if split_cell(c.get("r"))[0] > 1]
            if op == "duplicate_row" and values and rng.random() < 0.5:
                target = rng.choice(values).get("r")
                _put_cell(sheet, typed_cell(target, plain_text(rng), pkg, sheet.part, raw))
                what += f", then {target} typed over"
        return Edit(what, pkg.save(raw), expect)
    if op in ("delete_cell", "duplicate_cell", "move_cell"):
        cells = [c for row in rows.values() for c in row.findall(S + "c")]
        if not cells:
            return Edit("no cells", b.content, SAME)
        c = rng.choice(cells)
        col, r = split_cell(c.get("r"))
        # a key cell moved alone binds another cell to the input, as swapped keys do (keys, like
        # tags, are trusted); a value moved out of its cell is a value cleared
        expect = ANY if op == "move_cell" else xlsx_expectation(sheet, r, col)
        what = f"{op} {sheet.name}!{c.get('r')}"
        if op == "delete_cell":
            c.getparent().remove(c)
            return Edit(what, pkg.save(), expect)
        # to an empty cell of the same row, to the same column below the last row, or onto any
        # row of the same column (a key cell moved onto another row binds that row's value)
        spot = rng.random()
        if spot < 0.4:
            used = {split_cell(x.get("r"))[0] for x in rows[r].findall(S + "c")}
            to = f"{get_column_letter(max(used) + rng.randint(1, 2))}{r}"
        elif spot < 0.7:
            to = f"{get_column_letter(col)}{max(rows) + rng.randint(1, 2)}"
        else:
            to = f"{get_column_letter(col)}{rng.choice([x for x in rows if x != r] or [max(rows) + 1])}"
        twin = copy.deepcopy(c) if op == "duplicate_cell" else c
        if op == "move_cell":
            c.getparent().remove(c)
        twin.set("r", to)
        _put_cell(sheet, twin)
        what += f" to {to}"
        if op == "duplicate_cell" and rng.random() < 0.5:  # a value typed where the copied key binds
            tcol, tr = split_cell(to)
            if tcol == 1:
                beside = f"C{tr}" if sheet.kind == "section" else f"{get_column_letter(rng.randint(2, 6))}{tr}"
            elif r == sheet.keys_row:
                beside = f"{get_column_letter(tcol)}{sheet.header_row + rng.randint(1, 3)}"
            else:
                beside = f"{get_column_letter(tcol)}{tr + 1}"
            _put_cell(sheet, typed_cell(beside, plain_text(rng), pkg, sheet.part, raw))
            what += f", then {beside} typed"
        return Edit(what, pkg.save(raw), expect)
    if op == "change_attribute":
        part = rng.choice([s.part for s in all_sheets] + [n for n in pkg.names if n.endswith((".xml", ".rels"))])
        root = pkg.xml(part)
        elements = [e for e in root.iter() if isinstance(e.tag, str) and e.attrib]
        if not elements:
            return Edit("no attributes", b.content, SAME)
        el = rng.choice(elements)
        name = rng.choice(list(el.attrib))
        el.set(name, attribute_value(rng, el.get(name)))
        return Edit(f"{part}: {etree.QName(el).localname}@{etree.QName(name).localname} = {el.get(name)[:40]!r}",
                    pkg.save())
    if op == "swap_keys":
        keyed = [(s, r) for s in inputs for r, k in s.col_a.items() if not k.startswith("#")]
        (s1, r1), (s2, r2) = rng.sample(keyed, 2)
        a = next(c for c in s1.rows()[r1].findall(S + "c") if split_cell(c.get("r"))[0] == 1)
        c = next(c for c in s2.rows()[r2].findall(S + "c") if split_cell(c.get("r"))[0] == 1)
        a_copy, c_copy = copy.deepcopy(a), copy.deepcopy(c)
        a_copy.set("r", f"A{r2}")
        c_copy.set("r", f"A{r1}")
        a.getparent().replace(a, c_copy)
        c.getparent().replace(c, a_copy)
        return Edit(f"keys {s1.col_a[r1]} and {s2.col_a[r2]} swapped", pkg.save())
    if op == "rename_sheet":
        new = rng.choice(["改名", "Sheet9", "x" * 31, "表 A (2)", "'quoted'", "#table lines"])
        if new in {s.name for s in all_sheets}:
            new += "1"
        what = f"sheet {sheet.name} renamed {new}"
        sheet.entry.set("name", new)
        return Edit(what, pkg.save(), SAME)
    if op == "reorder_sheets":
        entries = [s.entry for s in all_sheets]
        order = entries[:]
        rng.shuffle(order)
        parent = entries[0].getparent()
        for e in entries:
            parent.remove(e)
        for i, e in enumerate(order):
            parent.insert(i, e)
        return Edit("sheets reordered: " + ", ".join(e.get("name") for e in order), pkg.save(), SAME)
    if op == "delete_sheet":
        victim = rng.choice(all_sheets)
        victim.entry.getparent().remove(victim.entry)
        return Edit(f"sheet {victim.name} deleted", pkg.save(), NO_SILENT if victim.kind else ANY)
    if op == "duplicate_sheet":
        name = duplicate_sheet(pkg, sheet)
        return Edit(f"sheet {sheet.name} copied as {name}", pkg.save(), NO_SILENT)
    if op == "insert_row":
        # a row inserted above the markers, between section rows, below a table's entries: the
        # reader finds cells by keys and markers, not positions (xlsx_read)
        if sheet.kind == "table":
            last = max(r for r, row in rows.items() if len(row.findall(S + "c")))
            at = rng.choice([rng.randint(1, sheet.header_row), last + 1])
        else:
            at = rng.randint(1, max(rows) + 1)
        insert_row(pkg, sheet, at)
        return Edit(f"a row inserted above {sheet.name}!{at}", pkg.save(), SAME)
    if op == "type_outside":  # into a label, a note, a header, beside a table: no input there
        merged = {split_cell(ref) for m in sheet.root.iter(S + "mergeCell")
                  for ref in _cells_in(m.get("ref"))[1:]}  # cells a merged cell hides
        while True:
            r, col = rng.randint(1, max(rows) + 3), rng.randint(2, 8)
            if (col, r) not in merged and r != sheet.keys_row and not bound(sheet, r, col):
                break
        ref = f"{get_column_letter(col)}{r}"
        _put_cell(sheet, typed_cell(ref, outside_text(rng), pkg, sheet.part, raw))
        return Edit(f"a remark typed at {sheet.name}!{ref}", pkg.save(raw), NO_SILENT, reported="file_text_outside")
    if op == "type_far":  # Ctrl+End, or a stray paste: a value far from everything else
        ref = f"{get_column_letter(rng.randint(1, 16384))}{rng.randint(1, 1_048_576)}"
        if rng.random() < 0.5 and sheet.keys:  # down a table's column
            ref = f"{get_column_letter(rng.choice(list(sheet.keys.values())))}{rng.randint(1, 1_048_576)}"
        _put_cell(sheet, typed_cell(ref, odd_text(rng) or "x", pkg, sheet.part, raw))
        return Edit(f"a value typed at {sheet.name}!{ref}", pkg.save(raw))
    if op == "type_value":  # what Excel stores for a number, a date, TRUE, an error typed or pasted
        ref, _ = rng.choice(bound_cells(sheet))
        kind, v = rng.choice([("n", "1e400"), ("n", "-1e400"), ("n", "nan"), ("n", "-0"), ("n", "4e15"), ("n", "1"),
                              ("n", "0"), ("n", "45663.999999999"), ("n", "2958466"), ("n", "-1"), ("n", "1e-300"),
                              ("n", "abc"), ("b", "1"), ("b", "0"), ("b", "2"), ("e", "#N/A"), ("e", "#VALUE!"),
                              ("d", "2026-01-15T00:00:00"), ("d", "9999-99-99"), ("str", "=A1"), ("s", "0"),
                              ("s", "999999"), ("inlineStr", "")])
        old = next((c for c in sheet.rows().get(split_cell(ref)[1], etree.Element("x")).findall(S + "c")
                    if c.get("r") == ref), None)
        c = etree.Element(S + "c", r=ref)
        if old is not None and old.get("s"):
            c.set("s", old.get("s"))  # the cell's number format: a number in a date cell is a date
        c.set("t", kind)
        etree.SubElement(c, S + "v").text = v
        _put_cell(sheet, c)
        return Edit(f"<c t={kind!r}><v>{v}</v> put into {sheet.name}!{ref}", pkg.save())
    if op in ("type_text", "type_formula"):
        cells = bound_cells(sheet)
        ref, key = rng.choice(cells)
        text = odd_text(rng)
        _put_cell(sheet, typed_cell(ref, text, pkg, sheet.part, raw, formula=op == "type_formula"))
        f = b.form.spec.field(key) if key else None
        typed = (key, text) if (op == "type_text" and f is not None and f.type in ("text", "textarea")
                                and not f.computed and not XML_ILLEGAL.search(text)
                                and not re.search(r"_x[0-9A-Fa-f]{4}_", text)) else None
        return Edit(f"{text[:60]!r} typed into {sheet.name}!{ref}", pkg.save(raw), typed=typed)
    if op in ("delete_anchor", "duplicate_anchor", "move_anchor"):
        drawings = [n for n in pkg.names if n.startswith("xl/drawings/") and n.endswith(".xml")]
        anchors = [a for n in drawings for a in pkg.xml(n)]
        if not anchors:
            return Edit("no pictures", b.content, SAME)
        anchor = rng.choice(anchors)
        if op == "delete_anchor":
            anchor.getparent().remove(anchor)
            return Edit("a picture deleted", pkg.save())
        if op == "duplicate_anchor":
            anchor.addnext(copy.deepcopy(anchor))
            return Edit("a picture copied onto itself", pkg.save(), NO_SILENT)
        start = anchor.find(XDR + "from")
        for child, limit in (("row", 40), ("col", 6)):
            el = start.find(XDR + child) if start is not None else None
            if el is not None:
                el.text = str(rng.randrange(limit)) if rng.random() < 0.7 else rng.choice(
                    ["-1", "", "x", "1e3", "16384", "18278", "1048576", "99999999999"])
        return Edit("a picture moved", pkg.save())
    raise AssertionError(op)


XLSX_OPS = (*COMMON_OPS, "delete_row", "duplicate_row", "move_row", "delete_cell", "duplicate_cell", "move_cell", "type_outside",
            "change_attribute", "swap_keys", "rename_sheet", "reorder_sheets", "delete_sheet", "duplicate_sheet",
            "insert_row", "type_text", "type_formula", "type_value", "type_far", "delete_anchor", "duplicate_anchor", "move_anchor")

EDITORS: dict[str, tuple[Callable[[random.Random, Base, str], Edit], tuple[str, ...]]] = {
    "docx": (docx_edit, DOCX_OPS), "xlsx": (xlsx_edit, XLSX_OPS)}


# ---------------------------------------------------------------- the properties

# edits the readers say they tolerate; each may come first, before another edit
TOLERATED = {"docx": ("insert_empty_paragraph",), "xlsx": ("rename_sheet", "reorder_sheets", "insert_row")}
PICTURE_OPS = frozenset({"delete_anchor", "duplicate_anchor", "move_anchor"})


def cases(fmt: str) -> list[tuple[str, str]]:
    return [(stem, op) for stem in STEMS for op in EDITORS[fmt][1] if op not in PICTURE_OPS or stem in PICTURE_STEMS]


def run_edit(fmt: str, stem: str, op: str, rng: random.Random, first: str | None = None) -> Any:
    b = base(stem, fmt)
    if first is not None:
        tolerated = EDITORS[fmt][0](rng, b, first)
        assert tolerated.expect == SAME
        note(f"{stem}.{fmt} first: {tolerated.what}")
        check(b, tolerated)
        b = Base(b.form, fmt, tolerated.content, b.data)
    edit = EDITORS[fmt][0](rng, b, op)
    note(f"{stem}.{fmt}: {edit.what} (expect {edit.expect})")
    return check(b, edit)


@settings(max_examples=EDITS["docx"], deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(case=st.sampled_from(cases("docx")), first=st.sampled_from((None, None, None, *TOLERATED["docx"])),
       rng=st.randoms(use_true_random=False))
def test_a_hand_edited_word_file_reads_right_or_reports(case: tuple[str, str], first: str | None,
                                                        rng: random.Random) -> None:
    run_edit("docx", *case, rng, first)


@settings(max_examples=EDITS["xlsx"], deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(case=st.sampled_from(cases("xlsx")), first=st.sampled_from((None, None, None, *TOLERATED["xlsx"])),
       rng=st.randoms(use_true_random=False))
def test_a_hand_edited_workbook_reads_right_or_reports(case: tuple[str, str], first: str | None,
                                                       rng: random.Random) -> None:
    run_edit("xlsx", *case, rng, first)


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
@pytest.mark.parametrize("stem", STEMS)
def test_the_unedited_files_read_back_as_their_example(stem: str, fmt: str) -> None:
    """The starting point of every edit: without one, each property above holds trivially."""
    b = base(stem, fmt)
    example = next(e for e in load_examples(PATHS[stem]) if e.valid)
    assert b.data == b.form.validate(example.data).data()


# ---------------------------------------------------------------- found by the fuzzer, fixed, kept fixed


def damaged(content: bytes, part: str) -> bytes:
    """The file with one byte of a part's packed data flipped (its checksum or deflate stream breaks)."""
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        info = z.getinfo(part)
    data = bytearray(content)
    data[info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size // 2] ^= 0xFF
    return bytes(data)


@pytest.mark.parametrize(("fmt", "part"), [
    ("docx", "word/document.xml"), ("docx", "_rels/.rels"), ("docx", "docProps/custom.xml"),
    ("docx", "word/_rels/document.xml.rels"), ("docx", "word/media/image1.png"),
    ("xlsx", "xl/worksheets/sheet1.xml"), ("xlsx", "xl/media/image1.png"), ("xlsx", "docProps/app.xml")])
def test_a_damaged_part_makes_the_file_unreadable_not_a_traceback(fmt: str, part: str) -> None:
    """Found by the fuzzer: a part whose checksum or deflate stream was broken raised zlib.error or
    BadZipFile from deep inside reading (the custom properties, the relationships, a picture that
    openpyxl skips and the picture reader then read)."""
    b = base("practice_result_registration", fmt)
    result = b.form.extract(damaged(b.content, part), format=fmt)
    [issue] = result.errors
    assert issue.code == "file_unreadable" and part in issue.message_en


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_a_file_that_unpacks_too_large_is_refused(monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    """A zip bomb is refused before it is unpacked."""
    from formengine import extraction

    b = base("customer_grading", fmt)
    monkeypatch.setattr(extraction, "MAX_UNPACKED", len(b.content))  # the parts unpack to more than that
    [issue] = b.form.extract(b.content, format=fmt).errors
    assert issue.code == "file_unreadable" and "unpacks to more than" in issue.message_en


def _without_check_box_properties(content: bytes, tag: str) -> bytes:
    pkg = Package(content)
    [sdt] = [s for s in value_controls(pkg.xml("word/document.xml")) if _tag(s) == tag]
    pr = sdt.find(W + "sdtPr")
    pr.remove(pr.find(W14 + "checkbox"))
    return pkg.save()


@pytest.mark.parametrize("tag", ["contents=店铺名", "contents=其他", "logged_in=true", "logged_in=false"])
def test_a_check_box_that_lost_its_check_box_properties_reads_as_it_shows(tag: str) -> None:
    """Found by the fuzzer: without ``w14:checkbox`` a ticked box became a text control showing ☒
    and was read as not ticked — the choice vanished without an issue."""
    b = base("practice_result_registration", "docx")
    result = b.form.extract(_without_check_box_properties(b.content, tag), format="docx")
    assert result.ok, result.format("en")
    assert result.data() == b.data


def _showroom_workbook() -> tuple[Base, Package, Sheet]:
    b = base("showroom_traffic_statistics", "xlsx")
    pkg = Package(b.content)
    [visits] = [s for s in form_sheets(pkg) if s.kind == "grid" and s.col_a.get(1) == "#grid store_visits"]
    return b, pkg, visits


def test_a_copied_grid_row_is_reported_not_read() -> None:
    """Found by the fuzzer: a grid row copied below (its key with it) and typed over was read
    over the original row, silently."""
    b, pkg, visits = _showroom_workbook()
    rows = visits.rows()
    first = next(r for r, key in visits.col_a.items() if key == "08:00-10:00")
    copied = copy.deepcopy(rows[first])
    _renumber_row(copied, max(rows) + 2)
    _place(visits.data(), copied)
    raw: dict[str, tuple[str, bytes]] = {}
    _put_cell(visits, typed_cell(f"C{max(rows) + 2}", "7", pkg, visits.part, raw))
    result = b.form.extract(pkg.save(raw), format="xlsx")
    [issue] = result.errors
    assert (issue.code, issue.path, issue.where_en) == ("file_duplicate_input", "store_visits", f"'来店客户批数'!A{max(rows) + 2}")
    assert issue.message_en == "The input for “Walk-in customer groups：08:00-10:00” appears 2 times"


def test_a_copied_grid_column_is_reported_and_its_cells_are_outside() -> None:
    b, pkg, visits = _showroom_workbook()
    col = visits.keys["3"]
    copy_col = max(visits.keys.values()) + 2
    key_cell = next(c for c in visits.rows()[visits.keys_row].findall(S + "c") if split_cell(c.get("r"))[0] == col)
    twin = copy.deepcopy(key_cell)
    twin.set("r", f"{get_column_letter(copy_col)}{visits.keys_row}")
    _put_cell(visits, twin)
    raw: dict[str, tuple[str, bytes]] = {}
    where = f"{get_column_letter(copy_col)}{visits.header_row + 1}"
    _put_cell(visits, typed_cell(where, "9", pkg, visits.part, raw))
    result = b.form.extract(pkg.save(raw), format="xlsx")
    assert sorted((e.code, e.where_en) for e in result.errors) == [
        ("file_duplicate_input", f"'来店客户批数'!{get_column_letter(copy_col)}{visits.keys_row}"),
        ("file_text_outside", f"'来店客户批数'!{where}")]


@pytest.mark.parametrize(("kind", "cell", "code"), [("section", "XFD1048576", "file_text_outside"),
                                                    ("section", "D1000000", "file_text_outside"),
                                                    ("table", "B1000000", "check")])
def test_a_value_typed_far_away_is_reported_at_once(kind: str, cell: str, code: str) -> None:
    """Found by the fuzzer (killed for memory): openpyxl's iter_rows makes every cell of the
    rectangle up to the farthest one, so one value at D1000000 took 20 s and 1 GB, at
    XFD1048576 all memory; a value far down a table's column made a million blank rows."""
    b = base("sales_contract", "xlsx")
    pkg = Package(b.content)
    sheet = next(s for s in form_sheets(pkg) if s.kind == kind)
    raw: dict[str, tuple[str, bytes]] = {}
    _put_cell(sheet, typed_cell(cell, "远处", pkg, sheet.part, raw))
    start = time.perf_counter()
    result = b.form.extract(pkg.save(raw), format="xlsx")
    assert time.perf_counter() - start < 5
    [issue] = result.errors
    assert issue.code == code and issue.where_en == f"'{sheet.name}'!{cell}"


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
@pytest.mark.parametrize("level", ["²", "①"])
def test_a_tree_level_of_a_digit_int_cannot_read_is_reported(fmt: str, level: str) -> None:
    """Found by the fuzzer: "²".isdigit() is true but int("²") raises, so typing ² as a tree
    row's level crashed both readers."""
    b = base("product_bom", fmt)
    pkg = Package(b.content)
    raw: dict[str, tuple[str, bytes]] = {}
    if fmt == "docx":
        [first, *_] = [s for s in value_controls(pkg.xml("word/document.xml")) if _tag(s) == "bom[]#level"]
        type_into_control(first, level, pkg, raw)
    else:
        [tree] = [s for s in form_sheets(pkg) if s.kind == "tree"]
        ref = f"{get_column_letter(tree.keys['#level'])}{tree.header_row + 1}"
        _put_cell(tree, typed_cell(ref, level, pkg, tree.part, raw))
    result = b.form.extract(pkg.save(raw), format=fmt)
    bad = [e for e in result.errors if e.code == "file_tree_level"]
    assert bad and bad[0].params["level"] == level


@pytest.mark.parametrize("col", ["-1", "16384", "99999999"])
def test_a_picture_anchored_outside_the_sheet_is_reported_without_a_cell(col: str) -> None:
    """Found by the fuzzer: an anchor column outside the sheet made get_column_letter raise."""
    b = base("practice_result_registration", "xlsx")
    pkg = Package(b.content)
    [drawing] = [n for n in pkg.names if n.startswith("xl/drawings/drawing")]
    next(pkg.xml(drawing).iter(XDR + "from")).find(XDR + "col").text = col
    result = b.form.extract(pkg.save(), format="xlsx")
    assert sorted((e.code, e.where_en) for e in result.errors) == [
        ("file_text_outside", "sheet '实践成果信息'"), ("required", "'实践成果信息'!C4")]


@pytest.mark.parametrize(("levels", "readable"), [(150, True), (1000, False)])
def test_a_word_body_nested_too_deep_is_unreadable_not_a_recursion_error(levels: int, readable: bool) -> None:
    """Found by the fuzzer: a paragraph wrapped in a thousand smart tags made the page walk,
    which recurses once per level, raise RecursionError."""
    b = base("customer_grading", "docx")
    pkg = Package(b.content)
    p = pkg.xml("word/document.xml").find(W + "body").find(W + "p")
    outer = inner = etree.Element(W + "smartTag")
    for _ in range(levels - 1):
        inner = etree.SubElement(inner, W + "smartTag")
    p.addprevious(outer)
    inner.append(p)
    result = b.form.extract(pkg.save(), format="docx")
    if readable:
        assert result.ok and result.data() == b.data
    else:
        [issue] = result.errors
        assert issue.code == "file_unreadable" and "200 deep" in issue.message_en


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_a_zip_of_an_unknown_version_is_unreadable(fmt: str) -> None:
    """Found by the fuzzer: a flipped byte in the central directory's "version needed to extract"
    makes zipfile raise NotImplementedError ("zip file version 6.4") on opening."""
    b = base("customer_grading", fmt)
    data = bytearray(b.content)
    entry = data.index(b"PK\x01\x02")  # the first central directory entry
    data[entry + 6:entry + 8] = (64).to_bytes(2, "little")
    [issue] = b.form.extract(bytes(data), format=fmt).errors
    assert issue.code == "file_unreadable"
