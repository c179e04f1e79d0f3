"""Filling a fillable DOCX the way Word does, for the round-trip tests.

Independent of the renderer: it knows only the documented tag scheme (``buyer``,
``period.start``, ``topics=质量``, ``funding.detail=补贴``, ``lines[].qty``, ``bom[]#level``,
``grid['row']['col']``) and Word's content-control markup. Typing into a control replaces its
placeholder with a run, as Word does; picking a date writes the text in the control's own
format and ``w:fullDate``; choosing from a drop-down shows the item's text; ticking a box sets
``w14:checked`` and its symbol; "+" on a repeating section copies the last row with its
inputs emptied; inserting a picture into a picture control adds the image as a new part with
a relationship (and its file type to the content types), points the placeholder's
``a:blip r:embed`` at it, fits it into the placeholder's box and records the file name as the
picture's name and description.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import posixpath
import struct
import zipfile
import zlib
from decimal import Decimal
from typing import Any

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
PIC = "{http://schemas.openxmlformats.org/drawingml/2006/picture}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS = {"w": W_NS, "w14": W14[1:-1], "w15": W15[1:-1], "wp": WP[1:-1], "a": A[1:-1], "pic": PIC[1:-1], "r": R[1:-1]}
RELS = "word/_rels/document.xml.rels"
TYPES = "[Content_Types].xml"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
PKG_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def make_png(width: int, height: int, size: int) -> bytes:
    """A real PNG of ``width`` × ``height`` pixels (1-bit grey), exactly ``size`` bytes long: a
    text chunk pads it, as the comments a screenshot tool writes do."""
    rows = b"".join(b"\x00" + bytes((width + 7) // 8) for _ in range(height))
    head = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
    body = _chunk(b"IDAT", zlib.compress(rows, 9)) + _chunk(b"IEND", b"")
    pad = size - len(head) - len(body) - 12 - len(b"Comment\x00")
    assert pad >= 0, f"a {width}×{height} PNG needs more than {size} bytes"
    return head + _chunk(b"tEXt", b"Comment\x00" + b"x" * pad) + body


def quote(key: str) -> str:
    return "'" + key.replace("\\", "\\\\").replace("'", "\\'") + "'"


class Filler:
    def __init__(self, content: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(content))
        self.root = etree.fromstring(self.zip.read("word/document.xml"))
        self._index: dict[str, list[Any]] | None = None  # tag → controls of the whole body
        self.parts: dict[str, bytes] = {}  # parts added or changed (besides the document)

    # ---- finding controls

    def controls(self, scope: Any = None) -> list[Any]:
        """Value controls (not repeating sections / items) in ``scope`` (default: the body)."""
        scope = self.root if scope is None else scope
        return [s for s in scope.iter(W + "sdt")
                if s.find("w:sdtPr/w15:repeatingSection", NS) is None
                and s.find("w:sdtPr/w15:repeatingSectionItem", NS) is None]

    def by_tag(self, tag: str, scope: Any = None) -> Any:
        if scope is None:
            if self._index is None:
                self._index = {}
                for s in self.controls():
                    t = s.find("w:sdtPr/w:tag", NS)
                    if t is not None:
                        self._index.setdefault(t.get(W + "val"), []).append(s)
            found = self._index.get(tag, [])
        else:
            found = [s for s in self.controls(scope) if s.find("w:sdtPr/w:tag", NS) is not None
                     and s.find("w:sdtPr/w:tag", NS).get(W + "val") == tag]
        assert len(found) == 1, (tag, len(found))
        return found[0]

    def rows(self, member: str) -> list[Any]:
        """The table rows holding ``member[]…`` controls, in order."""
        prefix = member + "[]"
        return [tr for tr in self.root.iter(W + "tr")
                if any((t.get(W + "val") or "").startswith(prefix) for t in tr.iter(W + "tag"))]

    # ---- typing

    def type_text(self, sdt: Any, text: str) -> None:
        pr = sdt.find("w:sdtPr", NS)
        for flag in pr.findall("w:showingPlcHdr", NS):
            pr.remove(flag)
        content = sdt.find("w:sdtContent", NS)
        for child in list(content):
            content.remove(child)
        r = etree.SubElement(content, W + "r")
        rpr = pr.find("w:rPr", NS)
        if rpr is not None:
            r.append(copy.deepcopy(rpr))
        for i, line in enumerate(text.split("\n")):
            if i:
                etree.SubElement(r, W + "br")
            t = etree.SubElement(r, W + "t")
            t.text = line
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")

    def pick_date(self, sdt: Any, day: dt.date) -> None:
        date = sdt.find("w:sdtPr/w:date", NS)
        fmt = date.find("w:dateFormat", NS).get(W + "val")
        text = (fmt.replace("yyyy", f"{day.year:04d}").replace("MM", f"{day.month:02d}")
                .replace("dd", f"{day.day:02d}").replace("M", str(day.month)).replace("d", str(day.day)))
        date.set(W + "fullDate", f"{day.isoformat()}T00:00:00Z")
        self.type_text(sdt, text)

    def choose(self, sdt: Any, value: str) -> None:
        lists = sdt.find("w:sdtPr/w:dropDownList", NS)
        label = next(i.get(W + "displayText") for i in lists.findall("w:listItem", NS) if i.get(W + "value") == value)
        lists.set(W + "lastValue", value)
        self.type_text(sdt, label)

    def tick(self, sdt: Any, on: bool = True) -> None:
        sdt.find("w:sdtPr/w14:checkbox/w14:checked", NS).set(W14 + "val", "1" if on else "0")
        for t in sdt.iter(W + "t"):
            t.text = "☒" if on else "☐"

    def add_row(self, member: str) -> Any:
        """Word's "+" on a repeating section: a copy of the last row, its inputs emptied."""
        section = next(s for s in self.root.iter(W + "sdt")
                       if s.find("w:sdtPr/w15:repeatingSection", NS) is not None
                       and s.find("w:sdtPr/w:tag", NS).get(W + "val") == member)
        items = section.find("w:sdtContent", NS).findall("w:sdt", NS)
        new = copy.deepcopy(items[-1])
        items[-1].addnext(new)
        self._index = None
        for sdt in self.controls(new):
            if sdt.find("w:sdtPr/w14:checkbox", NS) is not None:
                self.tick(sdt, False)
            elif sdt.find("w:sdtPr/w:showingPlcHdr", NS) is None:
                self.type_text(sdt, "")
        return new

    # ---- pictures

    def part(self, name: str) -> bytes:
        return self.parts[name] if name in self.parts else self.zip.read(name)

    def add_image(self, blob: bytes, extension: str, content_type: str) -> str:
        """A new image part with a relationship from the document; its relationship id."""
        names = set(self.zip.namelist()) | set(self.parts)
        n = 1
        while f"word/media/image{n}.{extension}" in names:
            n += 1
        name = f"word/media/image{n}.{extension}"
        self.parts[name] = blob
        rels = etree.fromstring(self.part(RELS))
        ids = {r.get("Id") for r in rels}
        k = len(ids) + 1
        while f"rId{k}" in ids:
            k += 1
        rel = etree.SubElement(rels, PKG_REL + "Relationship")
        rel.set("Id", f"rId{k}")
        rel.set("Type", IMAGE_REL)
        rel.set("Target", posixpath.relpath(name, "word"))
        self.parts[RELS] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
        types = etree.fromstring(self.part(TYPES))
        if not any(d.get("Extension", "").lower() == extension for d in types.findall(PKG_TYPES + "Default")):
            default = etree.Element(PKG_TYPES + "Default", Extension=extension, ContentType=content_type)
            types.insert(0, default)
            self.parts[TYPES] = etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)
        return f"rId{k}"

    def insert_picture(self, sdt: Any, blob: bytes, file_name: str, px: tuple[int, int],
                       extension: str = "png", content_type: str = "image/png") -> None:
        """What Word does when a picture file is picked for a picture control."""
        pr = sdt.find("w:sdtPr", NS)
        for flag in pr.findall("w:showingPlcHdr", NS):
            pr.remove(flag)
        rid = self.add_image(blob, extension, content_type)
        sdt.find(".//a:blip", NS).set(R + "embed", rid)
        for props in (sdt.find(".//wp:docPr", NS), sdt.find(".//pic:cNvPr", NS)):
            props.set("name", file_name)
            props.set("descr", file_name)
        extent = sdt.find(".//wp:extent", NS)
        box_w, box_h = int(extent.get("cx")), int(extent.get("cy"))
        scale = min(box_w / px[0], box_h / px[1])  # fitted into the placeholder's box
        cx, cy = str(round(px[0] * scale)), str(round(px[1] * scale))
        for size in (extent, sdt.find(".//a:xfrm/a:ext", NS)):
            size.set("cx", cx)
            size.set("cy", cy)

    def save(self) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
            for info in self.zip.infolist():
                data = self.part(info.filename)
                if info.filename == "word/document.xml":
                    data = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)
                copy_info = zipfile.ZipInfo(info.filename, info.date_time)  # writing updates an info's sizes
                copy_info.compress_type = info.compress_type
                out.writestr(copy_info, data)
            for name, data in self.parts.items():
                if name not in self.zip.namelist():
                    out.writestr(name, data)
        return buf.getvalue()


# ---------------------------------------------------------------- filling a form's values


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


def typed(value: Any) -> str:
    """What a person types for a plain value."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _day(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    text = str(value)
    return dt.date.fromisoformat(text if len(text) > 7 else text + "-01")


def fill_field(filler: Filler, field: Any, value: Any, base: str, scope: Any = None) -> None:
    """Type ``value`` (validated) of ``field`` into the controls tagged from ``base``."""
    if value is None or field.compute is not None or field.type == "attachment":
        return
    t = field.type
    if t == "image":  # a generated picture of the size, byte size and name the example gives
        fmt = _get(value, "format")
        assert fmt == "png", f"the filler makes PNG pictures only, not {fmt}"
        px = (_get(value, "width"), _get(value, "height"))
        filler.insert_picture(filler.by_tag(base, scope), make_png(*px, _get(value, "bytes")), _get(value, "name"), px)
    elif t in ("date", "year_month"):
        filler.pick_date(filler.by_tag(base, scope), _day(value))
    elif t in ("date_range", "year_month_range", "signature"):
        for part in (("name", "date") if t == "signature" else ("start", "end")):
            v = _get(value, part)
            if v is None:
                continue
            sdt = filler.by_tag(f"{base}.{part}", scope)
            filler.type_text(sdt, v) if part == "name" else filler.pick_date(sdt, _day(v))
    elif t == "choice":
        chosen, detail = (_get(value, "value"), _get(value, "detail")) if not isinstance(value, str) else (value, None)
        filler.choose(filler.by_tag(base, scope), chosen)
        if detail is not None:
            filler.type_text(filler.by_tag(f"{base}.detail={chosen}", scope), typed(detail))
    elif t == "multi_choice":
        for item in value:
            chosen, detail = (item, None) if isinstance(item, str) else (_get(item, "value"), _get(item, "detail"))
            filler.tick(filler.by_tag(f"{base}={chosen}", scope))
            if detail is not None:
                filler.type_text(filler.by_tag(f"{base}.detail={chosen}", scope), typed(detail))
    elif t == "boolean":
        filler.tick(filler.by_tag(f"{base}={'true' if value else 'false'}", scope))
    else:
        filler.type_text(filler.by_tag(base, scope), typed(value))


def flatten(nodes: Any, depth: int = 0) -> list[tuple[int, Any]]:
    """A tree's nodes in page order with their depth (0 = top)."""
    out: list[tuple[int, Any]] = []
    for node in nodes or ():
        out.append((depth, node))
        out.extend(flatten(_get(node, "children"), depth + 1))
    return out


def fill(content: bytes, form: Any, values: Any) -> bytes:
    """A blank fillable file with a validated submission typed in, rows added as needed."""
    filler = Filler(content)
    spec = form.spec
    for member in spec.members:
        value = _get(values, member.id)
        if value is None:
            continue
        kind = type(member).__name__
        if kind == "Table":
            rows = [r for r in value if r is not None]
            while len(filler.rows(member.id)) < len(rows):
                filler.add_row(member.id)
            for tr, row in zip(filler.rows(member.id), rows):
                for col in member.columns:
                    fill_field(filler, col, _get(row, col.id), f"{member.id}[].{col.id}", tr)
        elif kind == "Tree":
            flat = flatten(value)
            while len(filler.rows(member.id)) < len(flat):
                filler.add_row(member.id)
            for tr, (depth, node) in zip(filler.rows(member.id), flat):
                filler.type_text(filler.by_tag(f"{member.id}[]#level", tr), str(depth + 1))
                for col in member.columns:
                    fill_field(filler, col, _get(node, col.id), f"{member.id}[].{col.id}", tr)
        elif kind == "Grid":
            row_keys = {r.key for r in member.rows}
            for row_key, row in value.items():
                if row_key not in row_keys:
                    continue  # the column totals: computed
                if member.one_per_row:
                    filler.tick(filler.by_tag(f"{member.id}[{quote(row_key)}][{quote(row)}]"))
                    continue
                if member.cell.compute is not None:
                    continue
                for col_key, cell in (row or {}).items():
                    if col_key not in {c.key for c in member.columns}:
                        continue  # a row total: computed
                    tag = f"{member.id}[{quote(row_key)}][{quote(col_key)}]"
                    if member.cell.type == "boolean":
                        filler.choose(filler.by_tag(tag), "true" if cell else "false")
                    else:
                        fill_field(filler, member.cell, cell, tag)
        else:
            fill_field(filler, member, value, member.id)
    return filler.save()
