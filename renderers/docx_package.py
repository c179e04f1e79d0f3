"""The package side of a fillable DOCX: namespaces the controls need, the document
properties (``docProps/custom.xml``) that tie a file to its form, and the image parts of
picture inputs.

The properties are ordinary custom document properties (File ▸ Properties ▸ Custom in Word,
File ▸ Properties ▸ Custom Properties in LibreOffice): both keep them when they save a file.

A picture input shows a grey placeholder picture (one part, :data:`PLACEHOLDER_PART`, shared
by every picture input of a file) until a person inserts a picture; the program then adds the
picture as a part of its own with a relationship from the document, which is where reading
finds it (:func:`picture_parts`) and measures it (:func:`measure`).
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib
from dataclasses import dataclass
from functools import cache
from xml.sax.saxutils import escape

from lxml import etree

from .docx import _Skeleton, _skeleton
from .docx_controls import W15_NS

CUSTOM_PART = "docProps/custom.xml"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
PROPERTY_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the format id every custom property has
LANG_PROPERTY = "formengine.lang"  # the language the file was made in (labels, date formats)
IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
DOCUMENT_RELS = "word/_rels/document.xml.rels"
PLACEHOLDER_PART = "word/media/formengine-picture.png"
PLACEHOLDER_REL_ID = "rIdFormenginePicture"
PLACEHOLDER_PX = (300, 200)  # the placeholder picture's own size (it is shown stretched to its box)

_FILLABLE: dict[tuple[bool, str, bool], _Skeleton] = {}


def fillable_skeleton(landscape: bool, lang: str, pictures: bool = False) -> _Skeleton:
    """The printable skeleton with the Word 2012 namespace declared (w14 and w15 ignorable, so
    Word 2007 still opens the file) and a place for the custom properties; with ``pictures``
    also the placeholder picture that picture inputs show (:data:`PLACEHOLDER_REL_ID`)."""
    key = (landscape, lang, pictures)
    if key in _FILLABLE:
        return _FILLABLE[key]
    base = _skeleton(landscape, lang)
    entries: list[tuple[str, bytes]] = []
    for name, data in base.entries:
        if name == base.document:
            text = data.decode("utf-8")
            root_end = text.index(">", text.index("<w:document"))
            root = text[:root_end]
            if "xmlns:w15=" not in root:
                root += f' xmlns:w15="{W15_NS}"'
            root = _ignorable(root)
            data = (root + text[root_end:]).encode("utf-8")
        elif name == "[Content_Types].xml":
            override = f'<Override PartName="/{CUSTOM_PART}" ContentType="{CUSTOM_TYPE}"/>'
            if pictures and b'Extension="png"' not in data:
                override += '<Default Extension="png" ContentType="image/png"/>'
            data = data.replace(b"</Types>", override.encode() + b"</Types>")
        elif name == "_rels/.rels":
            rel = f'<Relationship Id="rIdFormengine" Type="{CUSTOM_REL}" Target="{CUSTOM_PART}"/>'
            data = data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
        elif name == DOCUMENT_RELS and pictures:
            target = posixpath.relpath(PLACEHOLDER_PART, "word")
            rel = f'<Relationship Id="{PLACEHOLDER_REL_ID}" Type="{IMAGE_REL}" Target="{target}"/>'
            data = data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
        entries.append((name, data))
    if pictures:
        entries.append((PLACEHOLDER_PART, placeholder_png()))
    skeleton = _Skeleton.__new__(_Skeleton)
    skeleton.text_width, skeleton.entries, skeleton.document = base.text_width, entries, base.document
    _FILLABLE[key] = skeleton
    return skeleton


def _ignorable(root: str) -> str:
    """``mc:Ignorable`` naming w14 and w15 (python-docx's template names w14 and wp14)."""
    marker = 'mc:Ignorable="'
    if marker not in root:
        return root + ' mc:Ignorable="w14 w15"'
    start = root.index(marker) + len(marker)
    end = root.index('"', start)
    names = root[start:end].split()
    names += [n for n in ("w14", "w15") if n not in names]
    return root[:start] + " ".join(names) + root[end:]


def custom_properties(props: dict[str, str]) -> bytes:
    """``docProps/custom.xml`` holding string properties."""
    items = "".join(
        f'<property fmtid="{PROPERTY_FMTID}" pid="{pid}" name="{escape(name, {chr(34): "&quot;"})}">'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(props.items(), start=2))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Properties xmlns="{CUSTOM_NS}" xmlns:vt="{VT_NS}">{items}</Properties>').encode()


def read_custom_properties(z: zipfile.ZipFile) -> dict[str, str]:
    """The custom properties of a package, whatever its part is called ({} when there are none)."""
    name = _custom_part(z)
    if name is None:
        return {}
    try:
        root = etree.fromstring(z.read(name), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return {}
    out: dict[str, str] = {}
    for prop in root.iter(f"{{{CUSTOM_NS}}}property"):
        value = next((child.text or "" for child in prop), "")
        out[prop.get("name", "")] = value
    return out


def _custom_part(z: zipfile.ZipFile) -> str | None:
    """Found through the package relationships, as a reader must; the usual name otherwise."""
    try:
        rels = etree.fromstring(z.read("_rels/.rels"), etree.XMLParser(resolve_entities=False, no_network=True))
    except (KeyError, etree.XMLSyntaxError):
        rels = None
    if rels is not None:
        for rel in rels:
            if rel.get("Type") == CUSTOM_REL:
                target = (rel.get("Target") or "").lstrip("/")
                if target in z.namelist():
                    return target
    return CUSTOM_PART if CUSTOM_PART in z.namelist() else None


def open_package(content: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(content))


# ---------------------------------------------------------------- pictures


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@cache
def placeholder_png() -> bytes:
    """What a picture input shows until a picture is inserted: a light grey frame with a grey
    "landscape" sign (hills and a sun), as Word's own picture placeholder. Drawn here, so the
    same input gives the same bytes."""
    width, height = PLACEHOLDER_PX
    paper, frame, sign = 0xF2, 0xA6, 0xBF
    rows = []
    for y in range(height):
        row = bytearray([paper]) * width
        for x in range(width):
            sun = (x - 196) ** 2 + (y - 70) ** 2 <= 16 ** 2
            hills = 150 >= y >= 80 + abs(x - 120) or 150 >= y >= 105 + abs(x - 180)
            if x < 3 or y < 3 or x >= width - 3 or y >= height - 3:
                row[x] = frame
            elif sun or hills:
                row[x] = sign
        rows.append(b"\x00" + bytes(row))  # filter type 0 for each scan line
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + _png_chunk(b"IEND", b""))


@dataclass(frozen=True)
class Part:
    """Where a relationship of the document points: a part of the package, or (``external``)
    a file outside it, e.g. a picture inserted as a link."""

    name: str
    external: bool = False


def document_relationships(z: zipfile.ZipFile) -> dict[str, Part]:
    """The document's relationships by id (``rId5`` → ``word/media/image1.png``)."""
    try:
        root = etree.fromstring(z.read(DOCUMENT_RELS), etree.XMLParser(resolve_entities=False, no_network=True))
    except (KeyError, etree.XMLSyntaxError):
        return {}
    out: dict[str, Part] = {}
    for rel in root:
        rid, target = rel.get("Id"), rel.get("Target") or ""
        if not rid:
            continue
        if rel.get("TargetMode") == "External":
            out[rid] = Part(target, external=True)
        else:  # relative to word/, or absolute from the package root
            out[rid] = Part(target.lstrip("/") if target.startswith("/") else
                            posixpath.normpath(posixpath.join("word", target)))
    return out


@dataclass(frozen=True)
class Measured:
    """An image file as the server checks it: pixel size, byte size and format (None for what
    cannot be told: the size of an image in a format not recognised)."""

    width: int | None
    height: int | None
    bytes: int
    format: str | None


# python-docx's names for the formats it reads, as formengine names them (``formats:``)
_FORMATS = {"image/png": "png", "image/jpeg": "jpeg", "image/gif": "gif", "image/bmp": "bmp",
            "image/x-ms-bmp": "bmp", "image/tiff": "tiff"}


def measure(blob: bytes, part_name: str) -> Measured:
    """The pixel size and format read from the image file's own header (never from the display
    size written in the document). An image python-docx does not recognise keeps the format
    its part's name says (``webp``, ``emf`` …), so validation can refuse it by format."""
    from docx.image.image import Image

    suffix = posixpath.splitext(part_name)[1].lstrip(".").lower() or None
    try:
        image = Image.from_blob(blob)
    except Exception:  # noqa: BLE001 - any format or damage python-docx's parsers cannot read
        return Measured(None, None, len(blob), suffix)
    content_type = image.content_type
    found = _FORMATS.get(content_type, content_type.rsplit("/", 1)[-1])
    return Measured(image.px_width, image.px_height, len(blob), found)
