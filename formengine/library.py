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


class Library:
    """The problems found so far and the choice lists and blocks collected from includes."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self.choice_lists: dict[str, Loc] = {}
        self.blocks: dict[str, Loc] = {}
        self.features: set[str] = set()

    def read(self, path: Path, display: str) -> Document | None:
        try:
            doc = read_yaml(path, display)
        except YamlError as exc:
            self.problems.extend(exc.problems)
            return None
        if not isinstance(doc.data, dict):
            self.problems.append(doc.problem("yaml.not_mapping", ()))
            return None
        self.problems.extend(check_document(doc))
        return doc

    def include(self, owner: Loc, chain: tuple[Path, ...]) -> None:
        for item in owner.items("include"):
            rel = item.value
            if not isinstance(rel, str):
                continue
            self.features.add("include")
            if Path(rel).is_absolute() or rel.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", rel):
                continue  # the schema check reports it
            resolved = (chain[-1].parent / rel).resolve()  # chain[-1]: the including file, resolved
            if not resolved.is_relative_to(self.root):
                self.problems.append(item.doc.problem("include.outside_root", item.path, target=rel))
                continue
            if resolved in chain:
                names = " → ".join(p.name for p in (*chain, resolved))
                self.problems.append(item.doc.problem("include.cycle", item.path, chain=names))
                continue
            if not resolved.is_file():
                self.problems.append(item.doc.problem("include.not_found", item.path, target=rel))
                continue
            doc = self.read(resolved, os.path.normpath(Path(item.doc.file).parent / rel))
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
