"""Safe YAML reading that remembers where every value came from.

PyYAML's composer (libyaml when available) builds a node graph with line/column marks; we
construct plain Python values from it ourselves so that (1) every value keeps its mark for
error messages, (2) no tag outside YAML's core schema can construct anything, and (3) alias
bombs are refused by a node budget instead of exhausting memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .codes import Localized
from .errors import Problem

try:  # libyaml is an order of magnitude faster; the pure-Python loader is the fallback.
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader

_RESOLVED: dict[tuple[str, tuple[bool, bool]], str] = {}  # (text, implicit) → tag


class _Loader(_Base):  # type: ignore[misc]
    """The safe loader, remembering the implicit tag of scalar texts it has seen.

    libyaml calls back into Python to resolve every scalar (a dozen regular expressions); a form
    repeats the same keys and words (id, label, type, text …) hundreds of times. The tag is a
    pure function of the text and how it was written, so the answer is kept (for short texts).
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode or len(value) > 40:
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        tag = _RESOLVED.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(_RESOLVED) < 20_000:
                _RESOLVED[key] = tag
        return tag

MAX_FILE_BYTES = 2_000_000
MAX_NODES = 200_000  # after alias expansion; a form of 1,000 fields has ~20,000
MAX_DEPTH = 64

Path_ = tuple[str | int, ...]

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")}


@dataclass
class Document:
    """A YAML document as plain values plus the position of each value and key."""

    file: str
    data: Any
    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    # YAML refuses control characters written as they are; only an escape in double quotes
    # ("\x07") can put one in a value, and there is none without a backslash in the text.
    escapes: bool = True

    def where(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the value at ``path``, or of its nearest ancestor."""
        table = self.key_marks if key else self.marks
        probe = tuple(path)
        while probe:
            if probe in table:
                return table[probe]
            if key and probe in self.marks:
                return self.marks[probe]
            probe = probe[:-1]
        return self.marks.get((), (1, 1))

    def problem(self, code: str, at: Path_, *, at_key: bool = False, **params: object) -> Problem:
        line, col = self.where(at, key=at_key)
        return Problem.make(code, file=self.file, line=line, column=col, path=format_path(at), **params)


def format_path(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class YamlError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def read_yaml(path: Path | str, display: str | None = None) -> Document:
    """Read one YAML file; raise :class:`YamlError` with located problems."""
    name = display or str(path)
    try:
        with Path(path).open("rb") as handle:  # never read more than the limit, however large the file
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise YamlError([Problem.make("file.unreadable", file=name, line=1, column=1,
                                      detail=exc.strerror or str(exc))]) from None
    if len(raw) > MAX_FILE_BYTES:
        size = Path(path).stat().st_size
        raise YamlError([Problem.make("yaml.too_large", file=name, line=1, column=1, size=size, limit=MAX_FILE_BYTES)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:  # located at the first byte that is not UTF-8
        before = raw[:exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        raise YamlError([Problem.make("file.unreadable", file=name, line=line, column=column,
                                      detail=f"not UTF-8 ({exc.reason})")]) from None
    return parse_yaml(text, name)


def _nesting(text: str) -> Any:
    """Where (a yaml Mark) the event stream first nests deeper than MAX_DEPTH, or None.

    Runs before composing: libyaml's composer recurses once per level in C, so a document of
    a few hundred thousand ``[`` (well under the size limit) would overflow the C stack and
    kill the process instead of raising. The parser itself keeps an explicit stack.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return event.start_mark
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
    return None


# Every collection begins with an indicator of its own ([ { for flow, - for a block sequence, : or ?
# for a block mapping), so a text with fewer of them cannot nest deeper than that: libyaml's
# recursion is then safe (10,000 levels are), the event scan is skipped and the nesting limit is
# checked while building. Every catalogue form has under 800.
SAFE_TO_COMPOSE = 1_000


def _may_nest_deep(text: str) -> bool:
    return sum(text.count(c) for c in "[{-?:") > SAFE_TO_COMPOSE


def parse_yaml(text: str, file: str = "<string>") -> Document:
    try:
        deep = _nesting(text) if _may_nest_deep(text) else None
        if deep is not None:
            raise YamlError([Problem.make("yaml.too_deep", file=file, line=deep.line + 1, column=deep.column + 1,
                                          limit=MAX_DEPTH)])
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        detail = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise YamlError([Problem.make("yaml.syntax", file=file, line=line, column=col, detail=detail)]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow: located by its position
        pos = exc.position if isinstance(exc.position, int) else 0
        # libyaml counts UTF-8 bytes, the pure-Python reader characters
        before = text.encode("utf-8")[:pos].decode("utf-8", "replace") if _Base is not yaml.SafeLoader else text[:pos]
        line, col = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        bad = Localized(f"不允许的字符 U+{ord(char):04X}（{exc.reason}）", f"U+{ord(char):04X} {exc.reason}")
        raise YamlError([Problem.make("yaml.syntax", file=file, line=line, column=col, detail=bad)]) from None
    except yaml.YAMLError as exc:
        raise YamlError([Problem.make("yaml.syntax", file=file, line=1, column=1, detail=str(exc))]) from None
    doc = Document(file, None, escapes="\\" in text)
    if node is None:
        doc.data = None
        return doc
    bomb = _alias_bomb(node) if "&" in text else None  # no anchor, no alias: every node is its own
    if bomb is not None:  # refused before a single value is built: a billion laughs costs nothing
        raise YamlError([Problem.make("yaml.alias", file=file, line=bomb.line + 1, column=bomb.column + 1)])
    builder = _Builder(doc)
    doc.data = builder.build(node, (), 0)
    if builder.problems:
        raise YamlError(builder.problems)
    return doc


def _alias_bomb(root: yaml.Node) -> yaml.Mark | None:
    """Where the node graph stops being a reasonable tree, or None.

    Aliases make the composed graph share nodes; expanded, it may hold billions of values, or
    be infinite when an anchor contains its own alias. The size of every distinct node is
    computed once (post-order, without recursion), so the check costs as much as the text.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if done:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            if size[key] > MAX_NODES:
                return node.start_mark
            continue
        if key in size:
            continue
        if key in on_path:  # an anchor holding its own alias: infinitely deep
            return node.start_mark
        on_path.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in on_path:
                return child.start_mark
            if id(child) not in size:
                stack.append((child, False))
    return None


_STR, _NULL, _BOOL, _INT, _FLOAT, _MERGE = (_CORE + t for t in ("str", "null", "bool", "int", "float", "merge"))


class _Builder:
    def __init__(self, doc: Document):
        self.doc = doc
        self.count = 0
        self.problems: list[Problem] = []

    def _fail(self, code: str, node: yaml.Node, path: Path_, **params: object) -> None:
        m = node.start_mark
        self.problems.append(Problem.make(code, file=self.doc.file, line=m.line + 1, column=m.column + 1,
                                          path=format_path(path), **params))

    def build(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        self.count += 1
        if depth > MAX_DEPTH:
            self._fail("yaml.too_deep", node, path, limit=MAX_DEPTH)
            raise YamlError(self.problems)
        if self.count > MAX_NODES:
            if not any(p.code == "yaml.alias" for p in self.problems):
                self._fail("yaml.alias", node, path)
            raise YamlError(self.problems)
        mark = node.start_mark
        self.doc.marks.setdefault(path, (mark.line + 1, mark.column + 1))
        tag = node.tag
        if tag == _STR and node.__class__ is yaml.ScalarNode:  # most values: text, built without further questions
            return node.value
        if tag not in _ALLOWED_TAGS:
            self._fail("yaml.tag", node, path, tag=tag.replace(_CORE, "!!"))
            return None
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            key_marks = self.doc.key_marks
            for key_node, value_node in node.value:
                key_tag = key_node.tag
                if key_tag == _MERGE:
                    self._fail("yaml.tag", key_node, path, tag="<<")
                    continue
                if key_tag not in _ALLOWED_TAGS:  # a tagged key (? !!python/name:os.system)
                    self._fail("yaml.tag", key_node, path, tag=key_tag.replace(_CORE, "!!"))
                    continue
                key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                if not isinstance(key, (str, int)) or isinstance(key, bool):
                    self._fail("schema.type", key_node, path, expected=Localized("文字键", "text key"))
                    continue
                key = str(key)
                child = path + (key,)
                if key in out:
                    self._fail("schema.invalid", key_node, child, detail=Localized(f"重复的键 {key}", f"duplicate key {key}"))
                    continue
                key_mark = key_node.start_mark
                key_marks[child] = (key_mark.line + 1, key_mark.column + 1)
                out[key] = self.build(value_node, child, depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node)

    @staticmethod
    def _scalar(node: yaml.Node) -> Any:
        tag, value = node.tag, node.value
        if tag == _STR:
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:  # YAML 1.2: only true/false; `no`, `on`, `y` stay text (an id `no` …)
            return value.lower() == "true" if value.lower() in ("true", "false") else value
        if tag == _INT:
            try:
                return int(value.replace("_", ""), 0)
            except ValueError:
                return value
        if tag == _FLOAT:
            try:  # decimals stay exact: 0.1 in a definition means 0.1
                return Decimal(value.replace("_", ""))
            except ArithmeticError:
                return value
        return value  # timestamp: dates stay text, parsed by the field type
