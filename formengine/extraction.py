"""Reading a filled-in fillable document back into a validated submission (``Form.extract``).

A renderer that writes fillable files can also read them back: it then has an ``extract``
method (:class:`Extractor`), so reading is found through the same ``formengine.renderers``
entry points as writing. Extraction only *reads*: it turns what was typed into the submission
a user would have sent and records where each value sat. Checking is then exactly
``Form.validate``, and every error is given its place in the document. Problems with the file
itself (another form's file, a deleted input, text typed outside the inputs) are issues like
any other, so one call reports everything and never returns a silently wrong value.
"""

from __future__ import annotations

import hashlib
import io
import json
import lzma
import re
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .errors import FormEngineError, ValidationIssue
from .validation import ValidationResult, capped

if TYPE_CHECKING:
    from .form import Form
    from .spec import Field, FormSpec

# Document properties every fillable file carries, so a file is matched to its form.
FORM_PROPERTY = "formengine.form"
SHAPE_PROPERTY = "formengine.shape"
# Issues after which the file's inputs cannot be trusted to mean the form's fields.
FATAL = frozenset({"file_unreadable", "file_not_fillable", "file_wrong_form", "file_form_changed"})


class ExtractError(FormEngineError):
    """The file cannot be read as this format at all (not a zip, no document part …)."""


MAX_UNPACKED = 200 * 1024 * 1024  # a filled form is small; refuse a zip bomb before unpacking it
# What reading a damaged zip raises besides BadZipFile: a broken deflate stream, a part cut
# short, a compression method or an encryption flag zipfile cannot handle, a bad name.
DAMAGED_ZIP = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, NotImplementedError, RuntimeError,
               OSError, ValueError, KeyError)


def check_package(package: zipfile.ZipFile) -> None:
    """Every part of an Office file unpacks, checksums included, within MAX_UNPACKED: checked once
    up front, so reading a part later (properties, relationships, pictures) cannot fail halfway."""
    if sum(i.file_size for i in package.infolist()) > MAX_UNPACKED:
        raise ExtractError(f"unpacks to more than {MAX_UNPACKED // 2**20} MB")
    for info in package.infolist():
        try:
            with package.open(info) as part:
                while part.read(1 << 20):
                    pass
        except DAMAGED_ZIP as exc:
            raise ExtractError(f"the part {info.filename} is damaged ({exc})"[:300]) from None


@dataclass
class Extracted:
    """What an extractor read: the submission, where each value sat, and problems with the file."""

    data: dict[str, Any] = field(default_factory=dict)
    where: dict[str, tuple[str, str]] = field(default_factory=dict)  # data path → (zh, en)
    issues: list[ValidationIssue] = field(default_factory=list)

    def put(self, path: str, zh: str, en: str) -> None:
        self.where[path] = (zh, en)


@runtime_checkable
class Extractor(Protocol):
    """A renderer whose fillable output can be read back."""

    name: str
    extension: str

    def extract(self, form: Form, content: bytes) -> Extracted: ...


@dataclass
class ExtractionResult(ValidationResult):
    """A :class:`ValidationResult` that also keeps what was read from the file."""

    read: dict[str, Any] = field(default_factory=dict)


def shape(spec: FormSpec) -> str:
    """A short fingerprint of the data a form collects: ids, types, options, rows and columns.

    Labels and layout may change without invalidating files already sent out; a changed field
    id, type or option list may not, because a value would then be read into the wrong place.
    """

    def fld(f: Field) -> list[Any]:
        return [f.id, f.type, list(f.choices.values) if f.choices else None]

    from .spec import Grid, Table, Tree

    parts: list[Any] = []
    for m in spec.members:
        if isinstance(m, Grid):
            parts.append([m.id, "grid", fld(m.cell), [r.key for r in m.rows], [c.key for c in m.columns]])
        elif isinstance(m, (Table, Tree)):
            parts.append([m.id, type(m).__name__.lower(), [fld(c) for c in m.columns]])
        else:
            parts.append(fld(m))
    digest = hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()
    return digest[:16]


def stamp(form: Form) -> dict[str, str]:
    """The properties a renderer writes into a fillable file."""
    return {FORM_PROPERTY: form.id, SHAPE_PROPERTY: shape(form.spec)}


def check_stamp(form: Form, found: Mapping[str, str]) -> list[ValidationIssue]:
    """Issues when the properties read from a file do not name this form as it is now."""
    form_id, file_shape = found.get(FORM_PROPERTY), found.get(SHAPE_PROPERTY)
    if not form_id:
        return [ValidationIssue.make("", "file_not_fillable", detail=f"no {FORM_PROPERTY} property")]
    if form_id != form.id:
        return [ValidationIssue.make("", "file_wrong_form", found=form_id, expected=form.id)]
    if file_shape != shape(form.spec):
        return [ValidationIssue.make("", "file_form_changed", found=file_shape or "?", expected=shape(form.spec))]
    return []


def sniff(content: bytes) -> str | None:
    """The format of an Office file by its parts: 'docx', 'xlsx' or None."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, ValueError, NotImplementedError):  # NotImplementedError: an unknown zip version
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def extract(form: Form, source: str | Path | bytes, format: str | None = None) -> ExtractionResult:
    """Read a filled fillable file and validate it; never raises on a bad file.

    ``format`` defaults to the file's suffix, or for bytes to what the content looks like.
    An unknown format, or one whose renderer cannot read files back, raises ExtractError:
    that is a mistake in the call, not in the file.
    """
    from . import rendering

    if isinstance(source, (str, Path)):
        path = Path(source)
        format = format or path.suffix.lstrip(".").lower() or None
        try:
            content = path.read_bytes()
        except OSError as exc:
            return _failed(ValidationIssue.make("", "file_unreadable", detail=exc.strerror or str(exc)))
    else:
        content = source
    found = sniff(content)
    format = format or found
    if not format:
        return _failed(ValidationIssue.make("", "file_unreadable", detail="not a Word (.docx) or Excel (.xlsx) file"))
    try:
        reader = rendering.get(format)
    except rendering.RendererError as exc:
        raise ExtractError(str(exc)) from None
    if not isinstance(reader, Extractor):
        raise ExtractError(f"格式 {format} 不能读回 / format {format!r} cannot be read back")
    if found != reader.name:
        detail = f"the content is {found}, not {reader.name}" if found else f"not a {reader.name} file"
        return _failed(ValidationIssue.make("", "file_unreadable", detail=detail))
    try:
        extracted = reader.extract(form, content)
    except ExtractError as exc:
        return _failed(ValidationIssue.make("", "file_unreadable", detail=str(exc)))
    if any(i.code in FATAL for i in extracted.issues):
        return ExtractionResult(None, capped(list(extracted.issues)), read=extracted.data)
    result = form.validate(extracted.data)
    issues = [*extracted.issues, *(locate(e, extracted.where) for e in result.errors)]
    return ExtractionResult(None if issues else result.value, capped(issues), read=extracted.data)



def _failed(issue: ValidationIssue) -> ExtractionResult:
    return ExtractionResult(None, [issue])


_LAST_STEP = re.compile(r"(\.[^.\[\]]+|\[[^\]]*\])$")


def locate(issue: ValidationIssue, where: Mapping[str, tuple[str, str]]) -> ValidationIssue:
    """The issue with the place of its value, or of the nearest enclosing value that has one."""
    if issue.where_zh:
        return issue
    path = issue.path
    while path:
        if path in where:
            zh, en = where[path]
            return ValidationIssue(issue.path, issue.code, issue.message_zh, issue.message_en,
                                   issue.params, zh, en)
        shorter = _LAST_STEP.sub("", path)
        if shorter == path:
            break
        path = shorter
    return issue
