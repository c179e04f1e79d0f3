"""The format and pixel size of an image file, read from its own header.

A picture in a workbook carries a display size (what the drawing stretches it to); the form's
rules are about the picture itself, so its width and height come from the image file's header —
never from the drawing. Only the few bytes of the header are read: no image library is needed
(openpyxl would need Pillow). A file whose header is not one of these formats keeps the format
its part name says (``emf``, ``svg`` …) and no size: validation then reports what it cannot
confirm.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers (SOF0–SOF15 without DHT C4, JPG C8, DAC CC): they hold the size.
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE = frozenset({0x01, *range(0xD0, 0xDA)})  # markers without a length (TEM, RSTn, SOI, EOI)
_SOS = 0xDA


@dataclass(frozen=True)
class ImageFile:
    format: str | None  # png, jpeg, gif, bmp, tiff, webp; else the part's extension
    width: int | None
    height: int | None


def measure(blob: bytes, part_name: str = "") -> ImageFile:
    """The format and pixel size of an image file (None where the header does not say)."""
    for detect in (_png, _jpeg, _gif, _bmp, _tiff, _webp):
        found = detect(blob)
        if found is not None:
            return found
    extension = part_name.rsplit("/", 1)[-1].rpartition(".")[2].lower() if "." in part_name else ""
    return ImageFile(extension or None, None, None)


def _sizes(fmt: str, width: int | None, height: int | None) -> ImageFile:
    """A size of 0 is no size: a damaged header, not a picture 0 pixels wide."""
    return ImageFile(fmt, width or None, height or None)


def _png(b: bytes) -> ImageFile | None:
    if not b.startswith(PNG_SIGNATURE):
        return None
    if len(b) < 24 or b[12:16] != b"IHDR":
        return ImageFile("png", None, None)
    width, height = struct.unpack(">II", b[16:24])
    return _sizes("png", width, height)


def _jpeg(b: bytes) -> ImageFile | None:
    if not b.startswith(b"\xff\xd8"):
        return None
    i = 2
    while i + 4 <= len(b):
        if b[i] != 0xFF:
            break  # not at a marker: a damaged file
        marker = b[i + 1]
        if marker == 0xFF:  # fill byte before a marker
            i += 1
            continue
        if marker in _STANDALONE:
            i += 2
            continue
        (length,) = struct.unpack(">H", b[i + 2:i + 4])
        if marker in _SOF:
            if i + 9 > len(b):
                break
            height, width = struct.unpack(">HH", b[i + 5:i + 9])
            return _sizes("jpeg", width, height)
        if marker == _SOS or length < 2:
            break  # the image data starts before any frame header: no size to be had
        i += 2 + length
    return ImageFile("jpeg", None, None)


def _gif(b: bytes) -> ImageFile | None:
    if b[:6] not in (b"GIF87a", b"GIF89a"):
        return None
    if len(b) < 10:
        return ImageFile("gif", None, None)
    width, height = struct.unpack("<HH", b[6:10])
    return _sizes("gif", width, height)


def _bmp(b: bytes) -> ImageFile | None:
    if not b.startswith(b"BM") or len(b) < 18:
        return None
    (header,) = struct.unpack("<I", b[14:18])
    if header == 12 and len(b) >= 22:  # BITMAPCOREHEADER: 16-bit sizes
        width, height = struct.unpack("<HH", b[18:22])
        return _sizes("bmp", width, height)
    if header >= 40 and len(b) >= 26:
        width, height = struct.unpack("<ii", b[18:26])
        return _sizes("bmp", abs(width), abs(height))  # a negative height is a top-down bitmap
    return None  # "BM" and an unknown header: not taken for a bitmap


def _tiff(b: bytes) -> ImageFile | None:
    order = {b"II*\x00": "<", b"MM\x00*": ">"}.get(b[:4])
    if order is None:
        return None
    size: dict[int, int] = {}
    try:
        (ifd,) = struct.unpack(order + "I", b[4:8])
        (count,) = struct.unpack(order + "H", b[ifd:ifd + 2])
        for n in range(count):
            entry = b[ifd + 2 + 12 * n: ifd + 14 + 12 * n]
            tag, kind = struct.unpack(order + "HH", entry[:4])
            if tag in (256, 257) and kind in (3, 4):  # ImageWidth, ImageLength as SHORT or LONG
                size[tag] = struct.unpack(order + ("H" if kind == 3 else "I"), entry[8:10 if kind == 3 else 12])[0]
    except struct.error:  # cut short: what was found so far
        pass
    return _sizes("tiff", size.get(256), size.get(257))


def _webp(b: bytes) -> ImageFile | None:
    if b[:4] != b"RIFF" or b[8:12] != b"WEBP":
        return None
    chunk = b[12:16]
    if chunk == b"VP8X" and len(b) >= 30:  # extended: the canvas size, 24 bits each, minus one
        width = int.from_bytes(b[24:27], "little") + 1
        height = int.from_bytes(b[27:30], "little") + 1
        return _sizes("webp", width, height)
    if chunk == b"VP8L" and len(b) >= 25 and b[20] == 0x2F:  # lossless: 14 bits each, minus one
        bits = int.from_bytes(b[21:25], "little")
        return _sizes("webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8 " and len(b) >= 30 and b[23:26] == b"\x9d\x01\x2a":  # lossy: after the start code
        width, height = struct.unpack("<HH", b[26:30])
        return _sizes("webp", width & 0x3FFF, height & 0x3FFF)
    return ImageFile("webp", None, None)


__all__ = ["ImageFile", "measure"]
