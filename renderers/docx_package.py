"""The package side of a fillable DOCX: namespaces the controls need, and the document
properties (``docProps/custom.xml``) that tie a file to its form.

The properties are ordinary custom document properties (File ▸ Properties ▸ Custom in Word,
File ▸ Properties ▸ Custom Properties in LibreOffice): both keep them when they save a file.
"""

from __future__ import annotations

import io
import zipfile
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

_FILLABLE: dict[tuple[bool, str], _Skeleton] = {}


def fillable_skeleton(landscape: bool, lang: str) -> _Skeleton:
    """The printable skeleton with the Word 2012 namespace declared (w14 and w15 ignorable, so
    Word 2007 still opens the file) and a place for the custom properties."""
    key = (landscape, lang)
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
            data = data.replace(b"</Types>", override.encode() + b"</Types>")
        elif name == "_rels/.rels":
            rel = f'<Relationship Id="rIdFormengine" Type="{CUSTOM_REL}" Target="{CUSTOM_PART}"/>'
            data = data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
        entries.append((name, data))
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
