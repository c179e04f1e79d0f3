"""Reading definition files and the shared library they include.

An include names a YAML file of ``choices`` and ``blocks`` relative to the including file;
it must stay inside the forms root (symbolic links are resolved first), and cycles are
refused. Everything found is collected by name for the builder.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Problem
from .loader import Document, Path_, YamlError, read_yaml
from .schema_check import check_document
from .spec import Where

ROOT_MARKER = "formengine.yaml"


def find_root(path: Path) -> Path:
    """The forms root: nearest folder up holding ``formengine.yaml``, else the file's folder."""
    start = path.resolve().parent
    for folder in (start, *start.parents):
        if (folder / ROOT_MARKER).is_file():
            return folder
    return start


@dataclass(frozen=True)
class Loc:
    """A raw value and where it sits."""

    doc: Document
    path: Path_
    value: Any

    def child(self, key: str | int) -> Loc:
        v = self.value
        if isinstance(key, int):
            item = v[key] if isinstance(v, list) and key < len(v) else None
        else:
            item = v.get(key) if isinstance(v, dict) else None
        return Loc(self.doc, self.path + (key,), item)

    def get(self, key: str, default: Any = None) -> Any:
        return self.value.get(key, default) if isinstance(self.value, dict) else default

    def items(self, key: str) -> list[Loc]:
        seq = self.get(key)
        if not isinstance(seq, list):
            return []
        sub = self.child(key)
        return [sub.child(i) for i in range(len(seq))]

    def where(self) -> Where:
        line, col = self.doc.where(self.path)
        return Where(self.doc.file, line, col)


def control_chars(doc: Document) -> list[Problem]:
    """Texts and keys holding control characters (YAML escapes such as ``"\\x07"`` or ``"\\0"``):
    no document can print them (a Word file cannot even hold them), so they are refused where
    they are written."""
    from .fieldtypes import CONTROL_CHARS

    def shown(text: str) -> str:
        return ", ".join(f"U+{ord(c):04X}" for c in sorted(set(CONTROL_CHARS.findall(text)))[:5])

    out: list[Problem] = []
    if not doc.escapes:
        return out
    stack: list[tuple[Path_, Any]] = [((), doc.data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if CONTROL_CHARS.search(value):
                out.append(doc.problem("schema.control_chars", path, chars=shown(value)))
            continue
        pairs = list(value.items()) if isinstance(value, dict) else list(enumerate(value)) if isinstance(value, list) else []
        for key, child in pairs:
            if isinstance(key, str) and CONTROL_CHARS.search(key):
                out.append(doc.problem("schema.control_chars", path + (key,), at_key=True, chars=shown(key)))
            stack.append((path + (key,), child))
    return out


_SHARED: dict[tuple[Path, str, int, int], tuple[Document | None, list[Problem]]] = {}


class Library:
    """The problems found so far and the choice lists and blocks collected from includes."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self.choice_lists: dict[str, Loc] = {}
        self.blocks: dict[str, Loc] = {}
        self.features: set[str] = set()
        self.structural = 0  # problems found reading and schema-checking files (the form and its includes)

    def read(self, path: Path, display: str) -> Document | None:
        """Read and check one file (the form or an include); structural problems are counted."""
        before = len(self.problems)
        try:
            doc = read_yaml(path, display)
        except YamlError as exc:
            self.problems.extend(exc.problems)
            doc = None
        if doc is not None and not isinstance(doc.data, dict):
            self.problems.append(doc.problem("yaml.not_mapping", ()))
            doc = None
        if doc is not None:
            self.problems.extend(check_document(doc))
            self.problems.extend(control_chars(doc))
        self.structural += len(self.problems) - before
        return doc

    def read_shared(self, path: Path, display: str) -> Document | None:
        """:meth:`read` for an included file, remembered for the process while the file is
        unchanged: checking a catalogue reads ``_shared/choices.yaml`` once, not once per form.
        The builder never changes a document it reads, so the same one serves every form."""
        try:
            stat = path.stat()
        except OSError:
            return self.read(path, display)
        key = (path, display, stat.st_mtime_ns, stat.st_size)
        hit = _SHARED.get(key)
        if hit is None:
            before = len(self.problems)
            doc = self.read(path, display)
            hit = (doc, self.problems[before:])
            if len(_SHARED) >= 256:
                _SHARED.clear()
            _SHARED[key] = hit
        else:
            self.problems.extend(hit[1])
        return hit[0]

    def include(self, owner: Loc, chain: tuple[Path, ...]) -> None:
        for item in owner.items("include"):
            rel = item.value
            if not isinstance(rel, str):
                continue
            self.features.add("include")
            if Path(rel).is_absolute() or rel.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", rel):
                continue  # the schema check reports it
            shown = rel if len(rel) <= 200 else rel[:200] + "…"
            try:
                resolved = (chain[-1].parent / rel).resolve()  # chain[-1]: the including file, resolved
                inside, found = resolved.is_relative_to(self.root), resolved.is_file()
            except (OSError, ValueError):  # a name too long for the file system, a NUL character …
                self.problems.append(item.doc.problem("include.not_found", item.path, target=shown))
                continue
            if not inside:
                self.problems.append(item.doc.problem("include.outside_root", item.path, target=shown))
                continue
            if resolved in chain:
                names = " → ".join(p.name for p in (*chain, resolved))
                self.problems.append(item.doc.problem("include.cycle", item.path, chain=names))
                continue
            if not found:
                self.problems.append(item.doc.problem("include.not_found", item.path, target=shown))
                continue
            doc = self.read_shared(resolved, os.path.normpath(Path(item.doc.file).parent / rel))
            if doc is None:
                continue
            lib = Loc(doc, (), doc.data)
            if any(k in doc.data for k in ("id", "title", "sections")):
                self.problems.append(doc.problem("include.not_library", ()))
                continue
            self.include(lib, chain + (resolved,))
            self.collect(lib)

    def collect(self, lib: Loc) -> None:
        for kind, table in (("choices", self.choice_lists), ("blocks", self.blocks)):
            group = lib.child(kind)
            if not isinstance(group.value, dict):
                continue
            for name in group.value:
                if name in table:
                    first = table[name].where()
                    self.problems.append(group.doc.problem("id.duplicate", group.path + (name,), at_key=True,
                                                           id=name, first=f"{first.file}:{first.line}"))
                    continue
                table[name] = group.child(name)
