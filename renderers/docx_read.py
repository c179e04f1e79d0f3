"""Reading a filled fillable DOCX back into the submission a person made (``Form.extract``).

Values are found by their controls' tags (:mod:`.docx_controls`), never by where they sit,
so a file whose rows were added in Word, or whose repeating section another program
dropped, reads the same: any table row whose controls carry a table's column tags is a row
of that table. What was typed is passed on as typed (trimmed) for ``Form.validate`` to
check; a choice's label becomes its value, ticked boxes a list of values, the parts of a
date range or signature one object. Nothing is guessed: a deleted input, a copied one, an
input the form does not have, a detail typed for an option not chosen, and text typed
outside the inputs (found by comparing the page with a freshly made blank one,
:mod:`.docx_align`) are each reported with where they are.

Dates: the text a date picker shows is the value (``2026年1月15日``, ``2026-01-15``); when it
shows the date in another format, the date the picker recorded (``w:fullDate``) is used if
its year, month and day all appear in the text. Computed fields are not read (the server
computes them) and attachment fields cannot travel in the file.

Images: the picture in an image field's picture control is the value, measured from the
image file itself (:func:`.docx_package.measure`: pixel size, byte size, format; never the
display size in the document), named by the description or name the program recorded for
it (Word: the file name). The placeholder picture is no value, even when another program
dropped the control's "showing placeholder" flag. Two pictures in a field's place (both in its
control, or one in it and one loose beside it in the same paragraph or cell) are reported, not
chosen between; any other picture outside a picture control is reported like text typed
outside the inputs (never taken as a value, as text typed beside an input is not). A picture whose image is
not in the file (linked to a file on the filler's disk, or its part gone) makes the file
unreadable: there is nothing to measure or send on, and the message says to insert it.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from formengine.codes import Localized
from formengine.errors import ValidationIssue, data_path
from formengine.extraction import (
    DAMAGED_ZIP,
    FATAL,
    Extracted,
    ExtractError,
    check_package,
    check_stamp,
)
from formengine.spec import Field, FormSpec, Grid, Group, Lang, Table, Tree

from .docx_align import compare
from .docx_controls import (
    cell_tag,
    detail_tag,
    level_tag,
    option_tag,
    part_tag,
    row_member,
    row_prefix,
    tag_in,
)
from .docx_package import (
    LANG_PROPERTY,
    PLACEHOLDER_PART,
    Part,
    document_relationships,
    measure,
    open_package,
    placeholder_png,
    read_custom_properties,
)
from .docx_parse import CHECKED_SYMBOLS, Control, Item, ParseError, Picture, Row, Unit, parse

_YMD = (re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$"),
        re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$"))
_YM = (re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月$"), re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$"))
_NOT_READ = frozenset({"attachment"})


def extract(form: Any, content: bytes) -> Extracted:
    """What a filled fillable file holds, where each value sits, and what is wrong with the file."""
    try:
        package = open_package(content)
        check_package(package)
        xml = package.read("word/document.xml")
    except DAMAGED_ZIP as exc:
        raise ExtractError(f"not a readable Word file: {exc}") from None
    props = read_custom_properties(package)
    out = Extracted(issues=check_stamp(form, props))
    if any(i.code in FATAL for i in out.issues):
        return out
    lang: Lang = "en" if props.get(LANG_PROPERTY) == "en" else "zh"
    try:
        page = parse(xml)
    except ParseError as exc:
        raise ExtractError(str(exc)) from None
    template = blank_page(form, lang)
    comparison = compare(template, page)
    _Reader(form, lang, page, template, out, _Images(package)).read()
    for outside in comparison.outside:
        out.issues.append(_issue("", "file_text_outside", outside.place, text=outside.text))
    return out


_TEMPLATES: dict[tuple[int, str], tuple[FormSpec, list[Item]]] = {}


def blank_page(form: Any, lang: Lang) -> list[Item]:
    """The blank fillable page of a form, parsed (made once per form object and language)."""
    key = (id(form.spec), lang)
    cached = _TEMPLATES.get(key)
    if cached is not None and cached[0] is form.spec:
        return cached[1]
    from .docx_fillable import render_fillable

    with open_package(render_fillable(form, None, lang)) as package:
        page = parse(package.read("word/document.xml"))
    if len(_TEMPLATES) >= 32:
        _TEMPLATES.clear()
    _TEMPLATES[key] = (form.spec, page)
    return page


def _issue(path: str, code: str, place: tuple[str, str] | None, **params: Any) -> ValidationIssue:
    issue = ValidationIssue.make(path, code, **params)
    if not place:
        return issue
    return ValidationIssue(issue.path, issue.code, issue.message_zh, issue.message_en, issue.params, *place)


def shown_date(text: str, month: bool) -> str | None:
    """``2026年1月15日`` / ``2026-01-15`` / ``2026/1/15`` (or the year-month forms) as ISO; None
    for any other text or an impossible date."""
    for pattern in _YM if month else _YMD:
        m = pattern.match(text)
        if m:
            numbers = [int(x) for x in m.groups()]
            try:
                d = dt.date(numbers[0], numbers[1], numbers[2] if not month else 1)
            except ValueError:
                return None
            return d.isoformat()[:7] if month else d.isoformat()
    return None


def _member_names(spec: FormSpec, lang: Lang) -> dict[str, str]:
    """What a person calls each table, tree and grid: its title, else its section's."""
    names: dict[str, str] = {}

    def walk(items: Any, section: str) -> None:
        for item in items:
            if isinstance(item, (Table, Tree, Grid)):
                names[item.id] = item.title.get(lang) if item.title else section
            elif isinstance(item, Group):
                walk(item.items, item.title.get(lang) if item.title else section)
    for s in spec.sections:
        walk(s.items, s.title.get(lang))
    return names


Lookup = dict[str, list[Control]]


class _Images:
    """The image files the document's pictures point at."""

    def __init__(self, package: zipfile.ZipFile):
        self.package = package
        self.rels = document_relationships(package)
        self.names = set(package.namelist())

    def part(self, picture: Picture) -> Part | None:
        rid = picture.embed or picture.link
        return self.rels.get(rid) if rid else None

    def blob(self, picture: Picture) -> bytes:
        """The embedded image file. A picture whose image is not in the file — linked to a
        file on the filler's disk instead of inserted, or its part gone — cannot be measured
        nor sent on: the file cannot be read as a submission."""
        part = self.part(picture)
        if part is not None and part.external:
            raise ExtractError(f"图片“{picture.name}”只链接到文件外的图片 {part.name}，没有插入文件中；请插入图片 / "
                               f"the picture “{picture.name}” is only a link to {part.name}, not inserted: insert it")
        if part is None or part.name not in self.names:
            where = part.name if part else picture.embed or picture.link or "?"
            raise ExtractError(f"图片“{picture.name}”的图像文件不在文件中 / the image of picture "
                               f"“{picture.name}” is missing from the file ({where})")
        return self.package.read(part.name)

    def is_placeholder(self, picture: Picture) -> bool:
        part = self.part(picture)
        if part is None or part.external:
            return False
        return part.name == PLACEHOLDER_PART or (part.name in self.names and self.blob(picture) == placeholder_png())


@dataclass(frozen=True)
class Said:
    """How messages name a value (zh, en); for a value in a table row, the row and how it is
    named (``货品明细 第 2 条``), for an input gone missing from it."""

    zh: str
    en: str
    row: Row | None = None
    row_zh: str = ""
    row_en: str = ""


class _Reader:
    def __init__(self, form: Any, lang: Lang, page: list[Item], template: list[Item], out: Extracted,
                 images: _Images):
        self.form, self.spec, self.lang, self.out, self.images = form, form.spec, lang, out, images
        # pictures outside picture controls, by the paragraph or cell they sit in
        self.loose: dict[int, tuple[Unit, list[Picture]]] = {}
        for item in page:
            for unit in [item.unit] if not isinstance(item, Row) else item.cells:
                found = [p for p in unit.pictures if not images.is_placeholder(p)]
                if found:
                    self.loose[id(unit)] = (unit, found)
        spec = form.spec
        self.names = {"zh": _member_names(spec, "zh"), "en": _member_names(spec, "en")}
        row_members = {t.id for t in spec.tables} | {t.id for t in spec.trees}
        self.aliases: dict[str, dict[str, str]] = {lang: {}}
        self.placeholders: dict[str, str] = {}
        for item in template:
            for c in _controls(item):
                if c.tag:
                    self.aliases[lang].setdefault(c.tag, c.alias)
                    self.placeholders.setdefault(c.tag, c.shown.strip())
        self.top: Lookup = {}
        self.rows: dict[str, list[tuple[Row, Lookup]]] = {}
        self.untagged: list[Control] = []
        for item in page:
            groups: dict[str, Lookup] = {}
            for c in _controls(item):
                member = row_member(c.tag) if c.tag else None
                if c.tag is None:
                    self.untagged.append(c)
                elif isinstance(item, Row) and member is not None and member in row_members:
                    groups.setdefault(member, {}).setdefault(c.tag, []).append(c)
                else:
                    self.top.setdefault(c.tag, []).append(c)
            for member, lookup in groups.items():
                assert isinstance(item, Row)
                self.rows.setdefault(member, []).append((item, lookup))
        self.used: set[int] = set()

    # ---- finding controls

    def take(self, lookup: Lookup, tag: str, path: str, said: Said | None = None) -> Control | None:
        """The one control with ``tag``; a missing or repeated one is an issue (and no value)."""
        found = lookup.get(tag, [])
        for c in found:
            self.used.add(id(c))
        if len(found) == 1:
            return found[0]
        zh, en = self.alias(tag, "zh"), self.alias(tag, "en")
        if said and said.row is not None:
            zh, en = f"{said.row_zh}：{zh}", f"{said.row_en}: {en}"
        if not found:
            place = said.row.place if said and said.row is not None else None
            self.out.issues.append(_issue(path, "file_missing_input", place, label=Localized(zh, en)))
        else:
            self.out.issues.append(_issue(path, "file_duplicate_input", found[0].place, label=Localized(zh, en),
                                          count=len(found)))
        return None

    def alias(self, tag: str, lang: Lang) -> str:
        """An input's label in a language (the other language's blank page is made when needed)."""
        if lang not in self.aliases:
            self.aliases[lang] = {c.tag: c.alias for item in blank_page(self.form, lang) for c in _controls(item)
                                  if c.tag}
        return self.aliases[lang].get(tag) or tag

    def text(self, c: Control | None) -> str:
        if c is None:
            return ""
        text = c.text.strip()
        # a placeholder whose "showing placeholder" flag another program dropped is still empty
        return "" if c.tag and text == self.placeholders.get(c.tag) else text

    def filled(self, c: Control) -> bool:
        """Something was typed, ticked or inserted (a placeholder is nothing)."""
        if c.kind == "picture":
            return any(not self.images.is_placeholder(p) for p in c.pictures)
        return bool(c.checked) if c.kind == "checkbox" else bool(self.text(c))

    def ticked(self, c: Control) -> bool:
        """A check box is ticked. One whose check-box properties were lost (a hand edit, another
        program) is a text control showing its box: ☒ is ticked as it looks, never silently not."""
        if c.kind == "checkbox":
            return bool(c.checked)
        return any(s in c.text for s in CHECKED_SYMBOLS)

    def put(self, path: str, said: Said, c: Control | None) -> None:
        if c is not None:
            self.out.put(path, f"{said.zh}（{c.place[0]}）", f"{said.en} ({c.place[1]})")

    def name(self, member_id: str) -> tuple[str, str]:
        return self.names["zh"].get(member_id, member_id), self.names["en"].get(member_id, member_id)

    # ---- values

    def read(self) -> None:
        for member in self.spec.members:
            if isinstance(member, Table):
                self.table(member)
            elif isinstance(member, Tree):
                self.tree(member)
            elif isinstance(member, Grid):
                self.grid(member)
            else:
                said = Said(f"“{member.label.get('zh')}”", f"“{member.label.get('en')}”")
                v = self.value(member, self.top, member.id, member.id, said)
                if v is not None:
                    self.out.data[member.id] = v
        self.report_unknown()

    def value(self, f: Field, lookup: Lookup, base: str, path: str, said: Said, *, in_grid: bool = False) -> Any:
        """One field's value, None when empty; its place is recorded under ``path``."""
        if f.computed or f.type in _NOT_READ:
            return None

        def take(tag: str) -> Control | None:
            c = self.take(lookup, tag, path, said)
            if path not in self.out.where:  # a value of several inputs sits where its first one is
                self.put(path, said, c)
            return c

        t = f.type
        if t == "image":
            return self.image(take(base), path)
        if t == "choice" or (t == "boolean" and in_grid):
            return self.choice(f, base, path, take)
        if t in ("multi_choice", "boolean"):
            return self.boxes(f, base, path, take)
        if t in ("date", "year_month"):
            return self.date(take(base), t == "year_month")
        if t in ("date_range", "year_month_range", "signature"):
            parts = ("name", "date") if t == "signature" else ("start", "end")
            out: dict[str, Any] = {}
            for part in parts:
                c = take(part_tag(base, part))
                v = self.text(c) if part == "name" else self.date(c, t == "year_month_range")
                if v:
                    out[part] = v
            return out or None
        return self.text(take(base)) or None

    def image(self, c: Control | None, path: str) -> dict[str, Any] | None:
        """The picture in an image field's place, as the server checks it."""
        if c is None:
            return None
        pictures = [p for p in c.pictures if not self.images.is_placeholder(p)]
        if pictures and c.unit is not None and id(c.unit) in self.loose:  # another one beside it
            pictures += self.loose.pop(id(c.unit))[1]
        if len(pictures) > 1:
            label = Localized(self.alias(c.tag or "", "zh"), self.alias(c.tag or "", "en"))
            self.out.issues.append(_issue(path, "file_duplicate_input", c.place, label=label, count=len(pictures)))
            return None
        if not pictures:
            return None
        picture = pictures[0]
        name = re.split(r"[\\/]", picture.name)[-1]  # a program may record the file's whole path
        blob = self.images.blob(picture)
        m = measure(blob, (self.images.part(picture) or Part("")).name)
        found = {"name": name, "width": m.width, "height": m.height, "bytes": m.bytes, "format": m.format}
        return {k: v for k, v in found.items() if v not in (None, "")}

    def date(self, c: Control | None, month: bool) -> str | None:
        text = self.text(c)
        if not text or c is None:
            return None
        iso = shown_date(text, month)
        if iso:
            return iso
        if c.full_date and re.match(r"^\d{4}-\d{2}-\d{2}", c.full_date):
            y, m, d = (int(x) for x in c.full_date[:10].split("-"))
            numbers = {int(x) for x in re.findall(r"\d+", text)}
            if {y, m} <= numbers and (month or d in numbers):
                return c.full_date[:7] if month else c.full_date[:10]
        return text  # validation says what is wrong with it

    def option_value(self, f: Field, c: Control, text: str) -> Any:
        """The value of the option a drop-down shows: its own list first, then the form's labels."""
        for label, value in c.items:
            if text == label:
                return value == "true" if f.type == "boolean" else value
        if f.choices:  # the label in the file's language, the value, then the other labels
            for names in ((o.label.get(self.lang) for o in f.choices.options), (o.value for o in f.choices.options),
                          (o.label.zh for o in f.choices.options), (o.label.en for o in f.choices.options)):
                for o, name in zip(f.choices.options, names):
                    if name == text:
                        return o.value
        return text  # not an option: validation lists the options

    def details(self, f: Field, base: str, take: Any) -> dict[str, tuple[str, Control]]:
        """The filled blanks of the options that carry one: value → (text, control)."""
        out = {}
        for o in f.choices.options if f.choices else ():
            if o.blank:
                c = take(detail_tag(base, o.value))
                text = self.text(c)
                if c is not None and text:
                    out[o.value] = (text, c)
        return out

    def unchosen(self, f: Field, path: str, details: dict[str, tuple[str, Control]], chosen: set[str]) -> None:
        for value, (text, c) in details.items():
            if value not in chosen:
                option = f.choices.get(value) if f.choices else None
                label = Localized(option.label.zh, option.label.get("en")) if option else value
                self.out.issues.append(_issue(path, "file_detail_unchosen", c.place, option=label, detail=text))

    def choice(self, f: Field, base: str, path: str, take: Any) -> Any:
        c = take(base)
        details = self.details(f, base, take)
        text = self.text(c)
        chosen = self.option_value(f, c, text) if c is not None and text else None
        self.unchosen(f, path, details, {chosen} if isinstance(chosen, str) else set())
        if isinstance(chosen, str) and chosen in details:
            return {"value": chosen, "detail": details[chosen][0]}
        return chosen

    def boxes(self, f: Field, base: str, path: str, take: Any) -> Any:
        if f.type == "boolean":
            answers = [v for v, key in ((True, "true"), (False, "false"))
                       if (c := take(option_tag(base, key))) is not None and self.ticked(c)]
            if len(answers) == 2:  # both ticked: passed on as shown, for validation to refuse
                return "是、否" if self.lang == "zh" else "Yes, No"
            return answers[0] if answers else None
        assert f.choices is not None
        boxes = {o.value: take(option_tag(base, o.value)) for o in f.choices.options}
        ticked = {v for v, c in boxes.items() if c is not None and self.ticked(c)}
        details = self.details(f, base, take)
        self.unchosen(f, path, details, ticked)
        chosen = [{"value": o.value, "detail": details[o.value][0]} if o.value in details else o.value
                  for o in f.choices.options if o.value in ticked]
        return chosen or None

    # ---- tables, trees, grids

    def place_member(self, member_id: str, rows: list[tuple[Row, Lookup]]) -> None:
        zh, en = self.name(member_id)
        table = rows[0][0].table
        self.out.put(member_id, f"{zh}（第 {table} 个表格）", f"{en} (table {table})")

    def row_said(self, member_id: str, n: int, row: Row) -> Said:
        zh, en = self.name(member_id)
        return Said(f"{zh} 第 {n} 条", f"{en}, entry {n}", row, f"{zh} 第 {n} 条", f"{en}, entry {n}")

    def cell_said(self, row: Said, f: Field) -> Said:
        return Said(f"{row.zh}“{f.label.get('zh')}”", f"{row.en}, “{f.label.get('en')}”", row.row, row.zh, row.en)

    def table(self, t: Table) -> None:
        entries = self.rows.get(t.id, [])
        if not entries:
            self.out.issues.append(_issue(t.id, "file_missing_input", None, label=Localized(*self.name(t.id))))
            return
        self.place_member(t.id, entries)
        prefix = row_prefix(t.id)
        rows: list[dict[str, Any]] = []
        for i, (row, lookup) in enumerate(entries):
            path = f"{t.id}[{i}]"
            said = self.row_said(t.id, i + 1, row)
            self.out.put(path, f"{said.zh}（{row.place[0]}）", f"{said.en} ({row.place[1]})")
            values = {}
            for col in t.columns:
                v = self.value(col, lookup, tag_in(prefix, col.id), f"{path}.{col.id}", self.cell_said(said, col))
                if v is not None:
                    values[col.id] = v
            rows.append(values)
        while rows and not rows[-1]:  # the blank rows left for more entries
            rows.pop()
        if rows:
            self.out.data[t.id] = rows

    def tree(self, tree: Tree) -> None:
        """Rows with levels become nested nodes: a row at level n+1 is a child of the nearest
        row above it at level n; an empty level means 1."""
        entries = self.rows.get(tree.id, [])
        if not entries:
            self.out.issues.append(_issue(tree.id, "file_missing_input", None,
                                          label=Localized(*self.name(tree.id))))
            return
        self.place_member(tree.id, entries)
        level_key = level_tag(tree.id)
        filled = [any(self.filled(c) for tag, cs in lookup.items() if tag != level_key for c in cs)
                  for _, lookup in entries]
        while filled and not filled[-1]:
            filled.pop()
        for _, lookup in entries[len(filled):]:  # blank rows left for more entries
            for cs in lookup.values():
                self.used.update(id(c) for c in cs)
        prefix = row_prefix(tree.id)
        nodes: list[dict[str, Any]] = []
        stack: list[tuple[dict[str, Any], str]] = []  # (node, path) of the open rows, one per level
        for n, (row, lookup) in enumerate(entries[:len(filled)], 1):
            said = self.row_said(tree.id, n, row)
            text = self.text(self.take(lookup, level_key, tree.id, said))
            deepest = min(len(stack) + 1, tree.max_depth)
            level = 1 if not text else int(text) if text.isdecimal() else 0  # isdigit() takes ², int() not
            if not 1 <= level <= deepest:
                self.out.issues.append(_issue(tree.id, "file_tree_level", row.place, level=text, limit=deepest))
                for cs in lookup.values():
                    self.used.update(id(c) for c in cs)
                continue
            del stack[level - 1:]
            siblings = stack[-1][0].setdefault("children", []) if stack else nodes
            path = f"{stack[-1][1]}.children[{len(siblings)}]" if stack else f"{tree.id}[{len(siblings)}]"
            self.out.put(path, f"{said.zh}（{row.place[0]}）", f"{said.en} ({row.place[1]})")
            node: dict[str, Any] = {}
            for col in tree.columns:
                v = self.value(col, lookup, tag_in(prefix, col.id), f"{path}.{col.id}", self.cell_said(said, col))
                if v is not None:
                    node[col.id] = v
            siblings.append(node)
            stack.append((node, path))
        if nodes:
            self.out.data[tree.id] = nodes

    def grid(self, g: Grid) -> None:
        zh, en = self.name(g.id)
        if not any(cell_tag(g.id, r.key, col.key) in self.top for r in g.rows for col in g.columns):
            self.out.issues.append(_issue(g.id, "file_missing_input", None, label=Localized(zh, en)))
            return  # the whole grid is gone: one issue, not one per cell
        data: dict[str, Any] = {}
        for r in g.rows:
            row_value: dict[str, Any] = {}
            ticked: list[str] = []
            for col in g.columns:
                tag = cell_tag(g.id, r.key, col.key)
                path = data_path((g.id, r.key, col.key))
                said = Said(f"{zh} {r.label.get('zh')} / {col.label.get('zh')}",
                            f"{en} {r.label.get('en')} / {col.label.get('en')}")
                if g.one_per_row:
                    c = self.take(self.top, tag, data_path((g.id, r.key)), said)
                    self.put(path, said, c)
                    if c is not None and self.ticked(c):
                        ticked.append(col.key)
                    continue
                v = self.value(g.cell, self.top, tag, path, said, in_grid=True)
                if v is not None:
                    row_value[col.key] = v
            if ticked:
                data[r.key] = ticked[0] if len(ticked) == 1 else ticked
                self.out.where[data_path((g.id, r.key))] = self.out.where[data_path((g.id, r.key, ticked[0]))]
            elif row_value:
                data[r.key] = row_value
        first = next((c for r in g.rows for col in g.columns for c in self.top.get(cell_tag(g.id, r.key, col.key), [])),
                     None)
        if first is not None:
            self.out.put(g.id, f"{zh}（第 {first.table} 个表格）", f"{en} (table {first.table})")
        if data:
            self.out.data[g.id] = data

    def report_unknown(self) -> None:
        """Inputs the form does not have (by tag), and untagged inputs something was typed into."""
        leftovers = [c for cs in self.top.values() for c in cs]
        leftovers += [c for entries in self.rows.values() for _, lookup in entries for cs in lookup.values()
                      for c in cs]
        for c in leftovers:
            if id(c) not in self.used:
                self.out.issues.append(_issue("", "file_unknown_input", c.place, name=c.tag or c.alias))
        for c in self.untagged:
            if self.filled(c):
                self.out.issues.append(_issue("", "file_unknown_input", c.place, name=c.alias or "?"))
        for unit, pictures in self.loose.values():  # pictures not in an image field's place
            for p in pictures:
                shown = Localized(f"[图片 {p.name}]".replace(" ]", "]"), f"[picture {p.name}]".replace(" ]", "]"))
                self.out.issues.append(_issue("", "file_text_outside", unit.place, text=shown))


def _controls(item: Item) -> list[Control]:
    return item.controls if isinstance(item, Row) else item.unit.controls
