"""The pictures (and text boxes) of a workbook, found in its package: which sheet, which cell.

openpyxl reads pictures only through Pillow, and drops them without it; reading the package
needs no image library. A worksheet part's relationships name its drawing part; each
anchor of the drawing (``xdr:twoCellAnchor``, ``xdr:oneCellAnchor``: Excel's and LibreOffice's
"Insert → Picture", anchored to a cell) has a ``from`` cell — the cell the picture's top-left
corner is in — and a ``pic`` whose ``a:blip r:embed`` names the image part (``xl/media/…``).
The name the person's tool recorded is the picture's ``xdr:cNvPr`` description or name.
A picture placed at a fixed position (``xdr:absoluteAnchor``) has no cell.

Text boxes are found too: text typed into one is text outside the inputs.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from typing import Any

from formengine.extraction import ExtractError

IMAGE_EXTENSIONS = ("png", "jpg", "jpeg", "jpe", "gif", "bmp", "dib", "tif", "tiff", "webp", "emf", "wmf", "svg")
_ANCHORS = ("twoCellAnchor", "oneCellAnchor", "absoluteAnchor")
MAX_ROW, MAX_COL = 1_048_576, 16_384  # the size of a sheet
# the ends of relationship types (the same in transitional and strict packages)
_OFFICE_DOCUMENT, _DRAWING = "/officeDocument", "/drawing"


@dataclass(frozen=True)
class Drawn:
    """A picture or a text box on a sheet."""

    sheet: str
    row: int | None  # the top-left cell, 1-based; None for a picture placed at a fixed position
    col: int | None
    kind: str  # "picture" or "text"
    name: str = ""  # a picture's name as recorded; a text box's text
    blob: bytes | None = None  # the embedded image file (None: linked, or its part is missing)
    part: str = ""  # the image part's name

    @property
    def coordinate(self) -> str | None:
        if self.row is None or self.col is None:
            return None
        from openpyxl.utils import get_column_letter

        return f"{get_column_letter(self.col)}{self.row}"


def drawn(package: zipfile.ZipFile) -> list[Drawn]:
    """Every picture and text box of every worksheet, in sheet order."""
    names = set(package.namelist())
    if not any("drawings/" in n for n in names):
        return []  # no drawing part at all: nothing to parse
    parts = _Parts(package, names)
    out: list[Drawn] = []
    for sheet, sheet_part in parts.sheets():
        drawing = parts.drawing_of(sheet_part)
        if drawing is not None:
            out.extend(parts.anchors(sheet, drawing))
    return out


class _Parts:
    def __init__(self, package: zipfile.ZipFile, names: set[str]):
        self.package = package
        self.names = names

    def xml(self, part: str) -> Any:
        try:
            from lxml import etree
        except ImportError:  # pragma: no cover - lxml comes with python-docx; say what is missing
            raise ExtractError("reading pictures needs the lxml package (pip install lxml)") from None
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        try:
            return etree.fromstring(self.package.read(part), parser)
        except (etree.XMLSyntaxError, KeyError, zipfile.BadZipFile) as exc:
            raise ExtractError(f"damaged part {part} ({exc})"[:300]) from None

    def relations(self, part: str, *, with_type: bool = False) -> dict[str, Any]:
        """A part's relationships: id → (target part, external?[, relationship type])."""
        folder, base = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", base + ".rels")
        if rels not in self.names:
            return {}
        out: dict[str, Any] = {}
        for rel in self.xml(rels):
            target = rel.get("Target") or ""
            external = rel.get("TargetMode") == "External"
            if not external:
                target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[rel.get("Id") or ""] = (target, external, rel.get("Type") or "") if with_type else (target, external)
        return out

    def main_part(self) -> str:
        for rel in self.xml("_rels/.rels") if "_rels/.rels" in self.names else ():
            if (rel.get("Type") or "").endswith(_OFFICE_DOCUMENT):
                return (rel.get("Target") or "").lstrip("/")
        return "xl/workbook.xml"

    def sheets(self) -> list[tuple[str, str]]:
        """(sheet name, worksheet part) in the workbook's order."""
        book = self.main_part()
        if book not in self.names:
            return []
        rels = self.relations(book)
        out = []
        for sheet in self.xml(book).iter("{*}sheet"):
            target = rels.get(_rel_id(sheet, "id") or "")
            if target is not None and not target[1] and target[0] in self.names:
                out.append((sheet.get("name") or "", target[0]))
        return out

    def drawing_of(self, sheet_part: str) -> str | None:
        """The sheet's drawing part, found through its relationships (a sheet has one at most;
        the sheet's own XML, which can be large, need not be parsed)."""
        for target, external, kind in self.relations(sheet_part, with_type=True).values():
            if kind.endswith(_DRAWING) and not external and target in self.names:
                return str(target)
        return None

    def anchors(self, sheet: str, drawing: str) -> list[Drawn]:
        root = self.xml(drawing)
        for fallback in list(root.iter("{*}Fallback")):  # mc:AlternateContent: the choice counts, once
            fallback.getparent().remove(fallback)
        rels = self.relations(drawing)
        out = []
        for anchor in root.iter(*(f"{{*}}{a}" for a in _ANCHORS)):
            row, col = _from_cell(anchor)
            for pic in anchor.iter("{*}pic"):
                out.append(self.picture(sheet, row, col, pic, rels))
            for shape in anchor.iter("{*}sp"):
                text = "".join(t.text or "" for t in shape.iter("{*}t")).strip()
                if text:
                    out.append(Drawn(sheet, row, col, "text", text))
        return out

    def picture(self, sheet: str, row: int | None, col: int | None, pic: Any,
                rels: dict[str, tuple[str, bool]]) -> Drawn:
        props = next(pic.iter("{*}cNvPr"), None)
        blip = next(pic.iter("{*}blip"), None)
        rel_id = _rel_id(blip, "embed") if blip is not None else None
        target = rels.get(rel_id or "")
        blob = None
        part = ""
        if target is not None and not target[1]:
            part = target[0]
            if part in self.names:
                blob = self.package.read(part)
        elif target is not None:
            part = target[0]
        name = _picture_name(props.get("descr") if props is not None else None,
                             props.get("name") if props is not None else None, part)
        return Drawn(sheet, row, col, "picture", name, blob, part)


def _rel_id(element: Any, local: str) -> str | None:
    """A relationship attribute (r:id, r:embed) in whichever relationships namespace."""
    for key, value in element.attrib.items():
        if key.endswith("}" + local):
            return str(value)
    return None


def _from_cell(anchor: Any) -> tuple[int | None, int | None]:
    """The anchor's top-left cell (1-based); None outside a sheet's rows and columns, as for a
    picture placed at a fixed position."""
    start = next(anchor.iterchildren("{*}from"), None)
    if start is None:
        return None, None
    col, row = start.find("{*}col"), start.find("{*}row")
    try:
        r, c = int((row.text or "").strip()) + 1, int((col.text or "").strip()) + 1
    except (AttributeError, ValueError):
        return None, None
    if not (1 <= r <= MAX_ROW and 1 <= c <= MAX_COL):
        return None, None
    return r, c


def _picture_name(descr: str | None, name: str | None, part: str) -> str:
    """The file name the tool recorded: a description or name that is a file name (a path is cut
    to its last step), else the description (alt text), else the name, else the part's name."""
    candidates = [x.strip() for x in (descr, name) if x and x.strip()]
    for text in candidates:
        base = text.replace("\\", "/").rsplit("/", 1)[-1]
        if "." in base and base.rpartition(".")[2].lower() in IMAGE_EXTENSIONS:
            return base
    if candidates:
        return candidates[0]
    return posixpath.basename(part)


__all__ = ["Drawn", "drawn"]
