"""From checked YAML to a :class:`~formengine.spec.FormSpec`, collecting every problem.

Two passes over the items: the first only learns which ids exist and their types (the
scope), the second builds the frozen spec and compiles each expression against that scope.
Nothing here raises on the first problem; :func:`build_form` raises once, with all of them.
"""

from __future__ import annotations

import ast
import keyword
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from . import cn
from .codes import did_you_mean
from .errors import FormDefinitionError, Problem
from .expr import ExprError, Expression, Scope, compile_expression
from .expr.check import LITERAL_NAMES
from .expr.types import GRID, Type
from .expr.types import table as table_type
from .fieldtypes import COMMON, GRID_CELL_TYPES, TYPES, expr_type
from .graph import compute_order
from .library import Library, Loc, find_root
from .loader import Path_
from .spec import (
    Bounds,
    Check,
    ChoiceList,
    Field,
    FormSpec,
    Grid,
    Group,
    Item,
    Label,
    Option,
    Section,
    Source,
    Table,
    Text,
    TextItem,
    Tree,
    Where,
)

RESERVED = set(keyword.kwlist) | set(LITERAL_NAMES) | {"children", "form", "row", "ctx"} | {
    n for n in dir(BaseModel) if not n.startswith("_")}
KNOWN_FIELD_KEYS = COMMON.union(*(t.options for t in TYPES.values()))
_PEEKED: dict[str, Type] = {}  # field type name → its type in expressions
MAX_EXPANDED = 20_000  # items visited while expanding blocks and groups (a real form: under 100)
MAX_GRID_LABELS = 1_000  # labels of a numbered grid axis ({from: 1, to: 31})
MAX_BLOCK_DEPTH = 20  # blocks using blocks using blocks …
_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
# What building from a value of the wrong kind raises (``int([1])``, ``"x".get``, ``{} in TYPES`` …).
# Anything else (a time limit, MemoryError) is never taken for a malformed piece: see _Isolated.
MALFORMED = (TypeError, ValueError, AttributeError, LookupError, ArithmeticError, RecursionError)


@dataclass
class _Use:
    prefix: str = ""
    local: frozenset[str] = frozenset()  # ids defined by the block (renamed by prefix)

    def id(self, raw: Any) -> str:
        return f"{self.prefix}{raw}" if self.prefix else str(raw)


@dataclass
class _Context:
    visible: tuple[Expression, ...] = ()
    use: _Use = field(default_factory=_Use)
    chain: tuple[str, ...] = ()  # the blocks being expanded, outermost first (a block may not use itself)


def text(value: Any) -> Text | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return Text(str(value.get("zh", "")), value.get("en"))
    return Text(str(value))


class _Isolated:
    """Build one section, item, column or check on its own: ``with builder.isolated: …``.

    The building code may assume a well-formed value. When the files already have structural
    problems (the schema refused a value), a crash on one malformed piece (``places: [1]``, a
    column that is a number) would end the whole build and hide every problem the builder finds
    after it; instead only that piece is dropped: the schema problem already explains it, and the
    definition is refused anyway. On structurally valid files a crash is our bug: it is raised, and
    :func:`build_form` reports it as ``internal``. A class made once per builder, not a
    @contextmanager: it wraps every item of every form.
    """

    __slots__ = ("builder",)

    def __init__(self, builder: Builder):
        self.builder = builder

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> bool:
        return kind is not None and issubclass(kind, MALFORMED) and self.builder.structural > 0


class Builder(Library):
    """Builds one form; the include handling it inherits lives in :mod:`formengine.library`."""

    def __init__(self, path: Path, root: Path | None, display: str | None):
        super().__init__((root or find_root(path)).resolve())
        self.path = path
        self.display = display or str(path)
        self.scope_types: dict[str, Type] = {}
        self.first_seen: dict[str, Loc] = {}
        self._choice_cache: dict[str, ChoiceList] = {}
        self.block_checks: list[Check] = []  # checks carried by blocks used as items
        self.expanded = 0  # items walked so far: blocks using blocks cannot blow up (a "billion laughs")
        self._reported: set[tuple[str, Path_]] = set()  # block cycles and depth, reported once per place
        self._locals: dict[tuple[str, Path_], frozenset[str]] = {}  # make_use: the ids each block defines
        self.isolated = _Isolated(self)

    # ------------------------------------------------------------------ items

    def walk(self, items: list[Loc], ctx: _Context, depth: int = 0) -> Iterator[tuple[str, Loc, _Context]]:
        """Yield leaf items (kind, raw, context), expanding groups and block uses."""
        for loc in items:
            self.expanded += 1
            if self.expanded > MAX_EXPANDED:
                if self.expanded == MAX_EXPANDED + 1:
                    self.problems.append(loc.doc.problem("form.too_large", loc.path, what="条目", what_en="items",
                                                         limit=MAX_EXPANDED))
                return
            v = loc.value
            if not isinstance(v, dict):
                continue
            if "use" in v:
                name = v.get("use")
                if isinstance(name, str) and name in ctx.chain:  # a block using itself, directly or not
                    self._once(loc, "ref.block_cycle", chain=" → ".join((*ctx.chain, name)))
                    continue
                if depth >= MAX_BLOCK_DEPTH:
                    self._once(loc, "form.too_large", what="层块嵌套", what_en="levels of blocks using blocks",
                               limit=MAX_BLOCK_DEPTH)
                    continue
                block = self.block(loc.child("use"))
                if block is None:
                    continue
                chain = (*ctx.chain, str(name))
                use = self.make_use(block, str(v.get("prefix") or ""), ctx, chain, depth + 1)
                sub = _Context(ctx.visible, use, chain)
                yield from self.walk(self.block_items(block), sub, depth + 1)
                if block.get("checks"):
                    yield "checks", block, sub
            elif "group" in v:
                g = loc.child("group")
                yield "group", g, ctx
            elif "table" in v:
                yield "table", loc.child("table"), ctx
            elif "grid" in v:
                yield "grid", loc.child("grid"), ctx
            elif "tree" in v:
                yield "tree", loc.child("tree"), ctx
            elif "text" in v:
                yield "text", loc, ctx
            elif "id" in v:
                yield "field", loc, ctx

    def _once(self, loc: Loc, code: str, **params: object) -> None:
        if (loc.doc.file, loc.path) not in self._reported:
            self._reported.add((loc.doc.file, loc.path))
            self.problems.append(loc.doc.problem(code, loc.path + ("use",), **params))  # type: ignore[arg-type]

    def block(self, name_loc: Loc) -> Loc | None:
        name = name_loc.value
        if not isinstance(name, str):  # `use: {a: 1}`: the schema reports it (and a dict is not hashable)
            return None
        if name not in self.blocks:
            self.problems.append(name_loc.doc.problem("ref.unknown_block", name_loc.path, name=name,
                                                      suggestion=did_you_mean(str(name), list(self.blocks))))
            return None
        self.features.add("blocks")
        return self.blocks[name]

    @staticmethod
    def block_items(block: Loc) -> list[Loc]:
        if isinstance(block.value, list):
            return [block.child(i) for i in range(len(block.value))]
        return block.items("items")

    def make_use(self, block: Loc, prefix: str, outer: _Context, chain: tuple[str, ...] = (),
                 depth: int = 0) -> _Use:
        key = (block.doc.file, block.path)
        local = self._locals.get(key)
        if local is None:  # the ids a block defines do not depend on where it is used: walk it once
            found: set[str] = set()
            for kind, loc, _ in self.walk(self.block_items(block), _Context(chain=chain), depth):
                if kind == "field" or kind in ("table", "grid", "tree"):
                    found.add(str(loc.get("id")))
                elif kind == "text":
                    found.update(str(b.get("id")) for b in loc.items("blanks"))
            local = self._locals[key] = frozenset(found)
        full = outer.use.prefix + prefix
        return _Use(full, frozenset(local) | outer.use.local if full else frozenset())

    def children(self, loc: Loc, ctx: _Context) -> Iterator[tuple[str, Loc, _Context]]:
        """Group content is walked like section content."""
        yield from self.walk(loc.items("items"), ctx)

    # ------------------------------------------------------------------ pass 1: scope

    def learn_scope(self, sections: list[Loc]) -> None:
        for section in self.section_locs(sections):
            with self.isolated:
                self._learn(self.walk(section.items("items"), _Context()))

    def _learn(self, leaves: Iterator[tuple[str, Loc, _Context]]) -> None:
        for kind, loc, ctx in leaves:
            with self.isolated:  # drops a declaration (names using it then look unknown): guard, not rely
                self._learn_one(kind, loc, ctx)

    def _learn_one(self, kind: str, loc: Loc, ctx: _Context) -> None:
        if kind == "group":
            self._learn(self.children(loc, ctx))
        elif kind == "field":
            self.declare(ctx, loc, self.peek_type(loc))
        elif kind == "text":
            for blank in loc.items("blanks"):
                self.declare(ctx, blank, self.peek_type(blank))
        elif kind == "table":
            cols = {str(c.get("id")): self.peek_type(c) for c in loc.items("columns")}
            self.declare(ctx, loc, table_type(cols))
        elif kind == "grid":
            self.declare(ctx, loc, GRID)
        elif kind == "tree":
            from .expr.types import ANY
            self.declare(ctx, loc, ANY)

    def peek_type(self, loc: Loc) -> Type:
        t = loc.get("type")
        if not isinstance(t, str) or t not in TYPES:  # `type: {a: 1}`: the schema reports it
            from .expr.types import ANY
            return ANY
        typ = _PEEKED.get(t)
        if typ is None:  # a type's expression type does not depend on the field's options
            typ = _PEEKED[t] = expr_type(Field(id="x", label=Text(""), type=t, where=Where("", 0, 0)))
        return typ

    def declare(self, ctx: _Context, loc: Loc, typ: Type) -> None:
        """Make the id of ``loc`` (a field, blank, table, grid or tree) known to expressions."""
        raw = loc.get("id")
        if not isinstance(raw, str):  # missing or not text: the schema reports it (not as the id "None")
            return
        id = ctx.use.id(raw)
        if id in self.first_seen:
            first = self.first_seen[id].where()
            self.problems.append(loc.doc.problem("id.duplicate", loc.path + ("id",), id=id,
                                                 first=f"{first.file}:{first.line}"))
            return
        if id in RESERVED or id.startswith("model_"):
            self.problems.append(loc.doc.problem("id.reserved", loc.path + ("id",), id=id))
        self.first_seen[id] = loc
        self.scope_types[id] = typ

    def section_locs(self, sections: list[Loc]) -> list[Loc]:
        out = []
        for s in sections:
            if isinstance(s.value, dict) and "use" in s.value:
                block = self.block(s.child("use"))
                if block is not None and isinstance(block.value, dict):
                    out.append(block)
            elif isinstance(s.value, dict):
                out.append(s)
        return out

    # ------------------------------------------------------------------ pass 2: spec

    def expr(self, loc: Loc, scope: Scope, use: _Use) -> Expression | None:
        source = loc.value
        if source is None:
            return None
        if not isinstance(source, str):
            source = str(source).lower() if isinstance(source, bool) else str(source)
        if use.prefix:
            source = rename(source, use.prefix, use.local)
        try:
            return compile_expression(source, scope)
        except ExprError as exc:
            line, col = loc.doc.where(loc.path)
            self.problems.append(Problem.make(exc.code, file=loc.doc.file, line=line, column=col + exc.column - 1,
                                              path=_fmt(loc.path), **exc.params))
            return None

    def expr_of(self, loc: Loc, key: str, scope: Scope, use: _Use) -> Expression | None:
        """The expression under ``key``, if written (:meth:`expr` without making a Loc for nothing)."""
        return self.expr(loc.child(key), scope, use) if loc.get(key) is not None else None

    def form_scope(self) -> Scope:
        return Scope(self.scope_types)

    def field(self, loc: Loc, ctx: _Context, scope: Scope, id: str | None = None) -> Field | None:
        v = loc.value
        if not isinstance(v, dict):  # a column or blank that is a number: the schema reports it
            return None
        ftype = v.get("type")
        if not isinstance(ftype, str) or ftype not in TYPES:
            return None
        fid = id or ctx.use.id(v.get("id"))
        self.features.add(f"type:{ftype}")
        kind = TYPES[ftype]
        allowed = COMMON | kind.options
        for key in v:
            if key in KNOWN_FIELD_KEYS and key not in allowed:  # unknown keys: the schema reports them
                self.problems.append(loc.doc.problem("field.option", loc.path + (key,), at_key=True, type=ftype, key=key))
        bounds = {}
        for key in ("min", "max"):
            if key in v and kind.bound is not None:
                try:
                    bounds[key] = kind.bound(v[key])
                except (ValueError, TypeError) as exc:
                    self.problems.append(loc.doc.problem("field.value", loc.path + (key,), key=key, value=v[key],
                                                         type=ftype, detail=str(exc)))
        if bounds.get("min") is not None and bounds.get("max") is not None and bounds["min"] > bounds["max"]:
            self.problems.append(loc.doc.problem("field.bounds", loc.path + ("min",), min=v["min"], max=v["max"]))
        if ftype == "rating":
            bounds.setdefault("min", 1)
            bounds.setdefault("max", 5)
        pattern = v.get("pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, TypeError) as exc:
                self.problems.append(loc.doc.problem("field.pattern", loc.path + ("pattern",), detail=str(exc)))
                pattern = None
        choices = None
        if ftype in ("choice", "multi_choice"):
            choices = self.choices(loc, bool(v.get("other")))
        if v.get("compute") is not None and any(k in v for k in ("default", "default_expr", "required_if")):
            self.problems.append(loc.doc.problem("field.compute_and_default", loc.path + ("compute",)))
        own_visible = self.expr(loc.child("visible_if"), scope, ctx.use) if "visible_if" in v else None
        for key in ("compute", "visible_if", "required_if", "default_expr"):
            if key in v:
                self.features.add(key)
        if v.get("print") == "digit_boxes":
            self.features.add("digit_boxes")
        default = v.get("default")
        if default is not None and ftype in ("date",):
            try:
                default = cn.parse_date(str(default))
            except ValueError as exc:
                self.problems.append(loc.doc.problem("field.value", loc.path + ("default",), key="default",
                                                     value=default, type=ftype, detail=str(exc)))
        return Field(
            id=fid, label=text(v.get("label")) or Text(fid), type=ftype, where=loc.where(),
            hint=text(v.get("hint")), unit=v.get("unit"), required=bool(v.get("required")),
            required_if=self.expr_of(loc, "required_if", scope, ctx.use),
            visible_if=ctx.visible + ((own_visible,) if own_visible else ()),
            compute=self.expr_of(loc, "compute", scope, ctx.use),
            default=default, default_expr=self.expr_of(loc, "default_expr", scope, ctx.use),
            min=bounds.get("min"), max=bounds.get("max"),
            min_length=v.get("min_length"), max_length=v.get("max_length"),
            pattern=pattern, pattern_message=text(v.get("pattern_message")), choices=choices,
            places=int(v.get("places", 2)), unique=bool(v.get("unique")), lines=int(v.get("lines", 3)),
            print=v.get("print"), width=_bounds(v.get("width")), height=_bounds(v.get("height")),
            max_bytes=v.get("max_bytes"), formats=tuple(str(f).lower() for f in v.get("formats") or ()),
        )

    def choices(self, loc: Loc, other: bool) -> ChoiceList | None:
        raw = loc.child("choices")
        if isinstance(raw.value, str):
            name = raw.value
            if name not in self.choice_lists:
                self.problems.append(raw.doc.problem("ref.unknown_choices", raw.path, name=name,
                                                     suggestion=did_you_mean(name, list(self.choice_lists))))
                return None
            if name not in self._choice_cache:
                built = self.options(self.choice_lists[name], name)
                if built is None:
                    return None
                self._choice_cache[name] = built
            result = self._choice_cache[name]
        elif isinstance(raw.value, list):
            inline = self.options(raw, None)
            if inline is None:
                return None
            result = inline
        else:
            return None
        if any(o.blank for o in result.options):
            self.features.add("option_blank")
        if other:
            self.features.add("choice_other")
            if result.get("其他") is None:
                result = ChoiceList(result.options + (Option("其他", Text("其他", "Other"), blank="text"),), result.name)
        return result

    def options(self, loc: Loc, name: str | None) -> ChoiceList | None:
        if not isinstance(loc.value, list):
            return None
        if not loc.value:
            self.problems.append(loc.doc.problem("choices.empty", loc.path))
            return None
        out: list[Option] = []
        seen: set[str] = set()
        for i, raw in enumerate(loc.value):
            if isinstance(raw, dict):
                value = str(raw.get("value"))
                option = Option(value, text(raw.get("label")) or Text(value), raw.get("blank"),
                                text(raw.get("blank_label")), raw.get("unit"))
            else:
                value = str(raw)
                option = Option(value, Text(value))
            if value in seen:
                self.problems.append(loc.doc.problem("choices.duplicate", loc.path + (i,), value=value))
            seen.add(value)
            out.append(option)
        return ChoiceList(tuple(out), name)

    def columns(self, loc: Loc, ctx: _Context, scope: Scope, owner: str) -> tuple[Field, ...]:
        seen: dict[str, Loc] = {}
        out = []
        row_ctx = _Context((), ctx.use)
        for col in loc.items("columns"):
            if not isinstance(col.value, dict):  # the schema reports it (not as "Id None is a reserved word")
                continue
            with self.isolated:
                cid = str(col.get("id"))
                if cid in seen:
                    first = seen[cid].where()
                    self.problems.append(col.doc.problem("id.duplicate", col.path + ("id",), id=f"{owner}.{cid}",
                                                         first=f"{first.file}:{first.line}"))
                    self.field(col, row_ctx, scope, id=cid)  # not a column, but its own mistakes are reported too
                    continue
                if isinstance(col.get("id"), str) and (cid in RESERVED or cid.startswith("model_")):
                    self.problems.append(col.doc.problem("id.reserved", col.path + ("id",), id=cid))
                seen[cid] = col
                f = self.field(col, row_ctx, scope, id=cid)
                if f is not None:
                    out.append(f)
        return tuple(out)

    def checks(self, locs: list[Loc], scope: Scope, use: _Use, default_owner: str = "") -> tuple[Check, ...]:
        out = []
        for loc in locs:
            with self.isolated:
                rule = self.expr(loc.child("rule"), scope, use)
                when = self.expr(loc.child("when"), scope, use) if loc.get("when") is not None else None
                if rule is None:
                    continue
                self.features.add("checks")
                path = loc.get("path")
                if path is not None:
                    path = use.id(path) if use.prefix and path in use.local else str(path)
                    if not self.known_path(path, scope):
                        self.problems.append(loc.doc.problem("ref.unknown_path", loc.path + ("path",), name=path,
                                                             suggestion=did_you_mean(path, scope.all_names())))
                else:
                    named = sorted(rule.row_names) or sorted(rule.names) or [f"{t}.{c}" for t, c in sorted(rule.columns)]
                    ordered = [n for n in _names_in_order(rule) if n in named] or named
                    path = ordered[0] if ordered else default_owner
                out.append(Check(rule, text(loc.get("message")) or Text(""), path, str(loc.get("code") or "check"),
                                 when, loc.where()))
        return tuple(out)

    def known_path(self, path: str, scope: Scope) -> bool:
        if scope.resolve(path) is not None:
            return True
        head, _, tail = path.partition(".")
        found = scope.resolve(head)
        return found is not None and found[1].attr(tail) is not None

    def items(self, leaves: Iterator[tuple[str, Loc, _Context]], scope: Scope, out: list[Field | Table | Grid | Tree]) -> tuple[Item, ...]:
        built: list[Item] = []
        for kind, loc, ctx in leaves:
            with self.isolated:
                item = self.item(kind, loc, ctx, scope, out)
                if item is not None:
                    built.append(item)
        return tuple(built)

    def item(self, kind: str, loc: Loc, ctx: _Context, scope: Scope, out: list[Field | Table | Grid | Tree]) -> Item | None:
        """One leaf of :meth:`walk`, built; the members it defines (fields, tables …) go to ``out``."""
        if kind == "group":
            vis = self.expr(loc.child("visible_if"), scope, ctx.use) if loc.get("visible_if") else None
            sub = _Context(ctx.visible + ((vis,) if vis else ()), ctx.use, ctx.chain)
            self.features.add("group")
            return Group(text(loc.get("title")), self.items(self.children(loc, sub), scope, out), text(loc.get("hint")))
        if kind == "text":
            return self.text_item(loc, ctx, scope, out)
        if kind == "checks":
            self.block_checks.extend(self.checks(loc.items("checks"), scope, ctx.use))
            return None
        member: Field | Table | Grid | Tree | None
        if kind == "field":
            member = self.field(loc, ctx, scope)
        elif kind == "table":
            member = self.table(loc, ctx, scope)
        elif kind == "grid":
            member = self.grid(loc, ctx, scope)
        else:
            member = self.tree(loc, ctx, scope)
        if member is not None:
            out.append(member)
        return member

    def text_item(self, loc: Loc, ctx: _Context, scope: Scope, out: list[Field | Table | Grid | Tree]) -> TextItem:
        body = text(loc.get("text")) or Text("")
        blanks = []
        for b in loc.items("blanks"):
            f = self.field(b, ctx, scope)
            if f is not None:
                blanks.append(f)
                out.append(f)
        if blanks:
            self.features.add("inline_blanks")
        ids = {f.id for f in blanks}
        if ctx.use.prefix:  # placeholders name block-local ids: rename them like the fields
            def prefixed(t: str) -> str:
                return _PLACEHOLDER.sub(
                    lambda m: "{" + (ctx.use.id(m.group(1)) if m.group(1) in ctx.use.local else m.group(1)) + "}", t)
            body = Text(prefixed(body.zh), prefixed(body.en) if body.en else None)
        used = set(_PLACEHOLDER.findall(body.zh))
        for name in sorted(used - ids):
            self.problems.append(loc.doc.problem("ref.blank_missing", loc.path + ("text",), name=name))
        for name in sorted(ids - used):
            self.problems.append(loc.doc.problem("ref.blank_unused", loc.path + ("blanks",), name=name))
        return TextItem(body, tuple(blanks))

    def table(self, loc: Loc, ctx: _Context, scope: Scope) -> Table:
        tid = ctx.use.id(loc.get("id"))
        self.features.add("table")
        vis = self.expr(loc.child("visible_if"), scope, ctx.use) if loc.get("visible_if") else None
        visible = ctx.visible + ((vis,) if vis else ())
        row_scope = self.row_scope(loc, scope, "table")
        columns = self.columns(loc, ctx, row_scope, tid)
        return Table(
            id=tid, title=text(loc.get("title")), columns=columns, where=loc.where(),
            min_rows=int(loc.get("min_rows") or 0), max_rows=loc.get("max_rows"),
            print_rows=int(loc.get("print_rows", 5)), row_number=text(loc.get("row_number")),
            checks=self.checks(loc.items("checks"), row_scope, ctx.use, tid), visible_if=visible,
            hint=text(loc.get("hint")),
        )

    def row_scope(self, loc: Loc, scope: Scope, context: str) -> Scope:
        row = {str(c.get("id")): self.peek_type(c) for c in loc.items("columns")}
        return Scope(scope.form, row, context)  # type: ignore[arg-type]

    def tree(self, loc: Loc, ctx: _Context, scope: Scope) -> Tree:
        tid = ctx.use.id(loc.get("id"))
        self.features.add("tree")
        vis = self.expr(loc.child("visible_if"), scope, ctx.use) if loc.get("visible_if") else None
        columns = self.columns(loc, ctx, self.row_scope(loc, scope, "tree"), tid)
        return Tree(tid, text(loc.get("title")), columns, loc.where(), int(loc.get("max_depth", 10)),
                    int(loc.get("print_rows", 8)), ctx.visible + ((vis,) if vis else ()), text(loc.get("hint")))

    def grid(self, loc: Loc, ctx: _Context, scope: Scope) -> Grid | None:
        gid = ctx.use.id(loc.get("id"))
        self.features.add("grid")
        rows = self.labels(loc.child("rows"))
        columns = self.labels(loc.child("columns"))
        cell_raw = loc.get("cell") or {}
        one = bool(loc.get("one_per_row"))
        ctype = "boolean" if one else cell_raw.get("type", "integer")
        if ctype not in GRID_CELL_TYPES:
            return None
        cell_loc = loc.child("cell")
        fake = dict(cell_raw, id=gid, label=loc.get("title") or gid, type=ctype)
        cell = self.field(Loc(cell_loc.doc, cell_loc.path, fake), _Context(), scope, id=gid)
        if cell is None:
            return None
        vis = self.expr(loc.child("visible_if"), scope, ctx.use) if loc.get("visible_if") else None
        for name, labels in (("rows", rows), ("columns", columns)):
            keys = [lb.key for lb in labels]
            for dup in sorted({k for k in keys if keys.count(k) > 1}):
                self.problems.append(loc.doc.problem("id.duplicate", loc.path + (name,), id=dup, first=name))
        return Grid(gid, text(loc.get("title")), rows, columns, cell, loc.where(), one,
                    text(loc.get("row_totals")), text(loc.get("column_totals")), text(loc.get("corner")),
                    ctx.visible + ((vis,) if vis else ()), text(loc.get("hint")))

    def labels(self, loc: Loc) -> tuple[Label, ...]:
        v = loc.value
        if isinstance(v, dict) and "from" in v:
            low, high = int(v["from"]), int(v.get("to") or v["from"])
            if high < low:  # no labels at all: a grid without rows or columns
                self.problems.append(loc.doc.problem("field.bounds", loc.path + ("from",), min=low, max=high))
                return ()
            if high - low + 1 > MAX_GRID_LABELS:
                self.problems.append(loc.doc.problem("form.too_large", loc.path, what="编号列", what_en="numbered labels",
                                                     limit=MAX_GRID_LABELS))
                return ()
            return tuple(Label(str(i), Text(str(i))) for i in range(low, high + 1))
        if isinstance(v, dict) and "choices" in v:
            lst = self.choices(loc, False)
            return tuple(Label(o.value, o.label) for o in lst.options) if lst else ()
        out = []
        for item in v if isinstance(v, list) else []:
            if isinstance(item, dict):
                key = str(item.get("key"))
                out.append(Label(key, text(item.get("label")) or Text(key)))
            else:
                out.append(Label(str(item), Text(str(item))))
        return tuple(out)


def _bounds(v: Any) -> Bounds | None:
    if v is None:
        return None
    if isinstance(v, dict):
        return Bounds(v.get("min"), v.get("max"))
    return Bounds(v, v)


def _fmt(path: Path_) -> str:
    from .loader import format_path
    return format_path(path)


def _names_in_order(expr: Expression) -> list[str]:
    names = []
    for node in ast.walk(expr.checked.tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            names.append(f"{node.value.id}.{node.attr}")
        elif isinstance(node, ast.Name):
            names.append(node.id)
    pos = {n: expr.source.find(n.split(".")[0]) for n in names}
    return sorted(dict.fromkeys(names), key=lambda n: pos[n])


def rename(source: str, prefix: str, local: frozenset[str]) -> str:
    """Prefix the block-local names an expression uses (``{use: contact, prefix: buyer_}``)."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError:
        return source  # the compiler reports it with its column
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in local:
            node.id = prefix + node.id
    return ast.unparse(tree)


def build_form(path: Path | str, root: Path | str | None = None, display: str | None = None) -> FormSpec:
    """Read, check and build one form; raise FormDefinitionError with every problem."""
    path = Path(path)
    b = Builder(path, Path(root) if root else None, display)
    doc = b.read(path, b.display)
    if doc is None:
        raise FormDefinitionError(b.problems)
    form = Loc(doc, (), doc.data)
    try:
        spec = _build(b, form, path)
    except Exception as exc:  # noqa: BLE001 - never a traceback for a definition
        if b.structural == 0:  # structurally valid files (the form and its includes) crashed the builder: our bug
            b.problems.append(Problem.make("internal", file=b.display, line=1, column=1,
                                           detail=f"{type(exc).__name__}: {exc}"))
        raise FormDefinitionError(b.problems) from None
    if b.problems:
        raise FormDefinitionError(b.problems)
    return spec


def _build(b: Builder, form: Loc, path: Path) -> FormSpec:
    b.include(form, (path.resolve(),))
    b.collect(form)
    sections = form.items("sections")
    b.learn_scope(sections)
    scope = b.form_scope()
    members: list[Field | Table | Grid | Tree] = []
    built_sections: list[Section] = []
    numbering = form.get("numbering", "chinese")
    section_checks: list[Check] = []
    n = 0
    for raw in sections:
        with b.isolated:
            sec = b.section_locs([raw])
            if not sec:
                continue
            s = sec[0]
            use = _Use()
            if raw.get("use") is not None:
                use = b.make_use(s, "", _Context())
            vis = b.expr(s.child("visible_if"), scope, use) if s.get("visible_if") else None
            ctx = _Context((vis,) if vis else (), use)
            items = b.items(b.walk(s.items("items"), ctx), scope, members)
            section_checks.extend(b.checks(s.items("checks"), scope, use))
            number = ""
            if s.get("numbered", True) is not False and numbering != "none":
                n += 1
                number = cn.number_zh(n) if numbering == "chinese" else str(n)
            built_sections.append(Section(text(s.get("title")) or Text(""), items, number, s.get("id"), text(s.get("hint"))))
    checks = tuple(section_checks + b.block_checks) + b.checks(form.items("checks"), scope, _Use())
    order, cycles = compute_order(members)
    b.problems.extend(cycles)
    src = form.get("source")
    copies = form.get("copies")
    if copies is not None:
        b.features.add("copies")
    return FormSpec(
        id=str(form.get("id")), title=text(form.get("title")) or Text(""), file=str(path),
        sections=tuple(built_sections), version=None if form.get("version") is None else str(form.get("version")),
        domain=form.get("domain"),
        source=Source(str(src.get("document", "")), str(src.get("heading", ""))) if isinstance(src, dict) else None,
        code=None if form.get("code") is None else str(form.get("code")),
        copies=copies.get("count") if isinstance(copies, dict) else copies,
        copies_note=text(copies.get("note")) if isinstance(copies, dict) else None,
        notes=tuple(t for t in (text(x) for x in form.get("notes") or ()) if t is not None),
        numbering=numbering, orientation=(form.get("print") or {}).get("orientation", "portrait"),
        checks=checks,
        fields=tuple(m for m in members if isinstance(m, Field)),
        tables=tuple(m for m in members if isinstance(m, Table)),
        trees=tuple(m for m in members if isinstance(m, Tree)),
        grids=tuple(m for m in members if isinstance(m, Grid)),
        members=tuple(members), features=frozenset(b.features), compute_order=order,
    )
