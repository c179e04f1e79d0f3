"""The plan of a fillable workbook: which sheets, which rows and columns, which key binds each cell.

Writing (``xlsx.py``) and reading (``xlsx_read.py``) both follow this one plan, so a key the
writer puts into a hidden cell is exactly the key the reader expects. Keys never depend on the
language; labels and sheet names do, and the reader accepts the texts of both languages.

Keys (hidden column A of a section sheet, hidden key row of a table/tree/grid sheet):

* ``buyer`` — a field's value (of an image field: the picture anchored at its value cell);
  ``signer.name`` / ``signer.date``, ``period.start`` / ``period.end`` — the parts of a
  structured value;
* ``funding#detail`` — the text of the blank carried by the chosen option;
* ``topics[培训]`` — one option of a multi-choice (是/否), ``topics[其他]#detail`` its blank;
* ``#level`` — a tree row's depth; ``#no`` — a table's row number; ``#total`` — a grid total.

Markers (column A, never a key: keys start with a letter): ``#section``, ``#table ID``,
``#tree ID``, ``#grid ID`` in the first cell of a sheet; ``#keys`` on the key row and
``#header`` on the header row of a table, tree or grid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from formengine.spec import (
    Field,
    FormSpec,
    Grid,
    Group,
    Lang,
    Option,
    Section,
    Table,
    Text,
    TextItem,
    Tree,
    Where,
)

KEY_COL, LABEL_COL, VALUE_COL, NOTE_COL = 1, 2, 3, 4  # A B C D of a section sheet
FIRST_COL = 2  # B: the first column of a table, tree or grid
STAMP_SHEET = "_formengine"
LISTS_SHEET = "_lists"
EXTRA_ROWS = 20  # prepared rows of a table beyond its printed blank rows or its data

SECTION, TABLE, TREE, GRID = "#section", "#table", "#tree", "#grid"
KEYS, HEADER, TOTAL, LEVEL, NUMBER = "#keys", "#header", "#total", "#level", "#no"

UNSUPPORTED = frozenset({"attachment"})  # cannot travel in a workbook
PICTURE = "image"  # a field whose value is a picture inserted at its cell

WORDS: dict[str, dict[Lang, str]] = {
    "item": {"zh": "项目", "en": "Item"},
    "value": {"zh": "填写内容", "en": "Value"},
    "notes": {"zh": "说明", "en": "Notes"},
    "start": {"zh": "起", "en": "from"},
    "end": {"zh": "止", "en": "to"},
    "name": {"zh": "签字", "en": "name"},
    "date": {"zh": "日期", "en": "date"},
    "detail": {"zh": "说明", "en": "details"},
    "level": {"zh": "层级", "en": "Level"},
    "computed": {"zh": "由系统计算", "en": "computed by the server"},
    "formula": {"zh": "自动计算", "en": "computed"},
    "required": {"zh": "必填", "en": "required"},
    "no_file": {"zh": "附件不能在表格中填写，请另行提交", "en": "Files cannot be given in the workbook; send them separately"},
    "picture_here": {"zh": "在此格插入图片", "en": "Insert the picture in this cell"},
    "picture_how": {"zh": "选中此格，插入 → 图片，浮于单元格上方、左上角在此格内（锚定到单元格）；只放一张",
                    "en": "Select this cell, then Insert → Picture, over the cells with its top-left corner "
                          "in this cell (anchored to the cell); one picture"},
    "see": {"zh": "见工作表", "en": "See sheet"},
    "yes": {"zh": "是", "en": "Yes"},
    "no": {"zh": "否", "en": "No"},
    "mark": {"zh": "√", "en": "√"},
    "level_hint": {"zh": "1 为最上层；下一行最多比上一行深一层", "en": "1 is the top; each row at most one level below the row above"},
    "option_hint": {"zh": "选中的选项填“是”", "en": "Put Yes against each chosen option"},
    "one_per_row": {"zh": "每行在一个格中填 √", "en": "Put √ in one cell of each row"},
}


def word(name: str, lang: Lang) -> str:
    return WORDS[name][lang]


def text_of(t: Text | None, lang: Lang) -> str:
    return t.get(lang) if t else ""


# ---------------------------------------------------------------- slots: one bound cell each


@dataclass(frozen=True)
class Slot:
    """A cell bound to (part of) a field's value."""

    key: str
    field: Field
    part: str | None = None  # start/end/name/date of a structured value; "detail"; None
    option: Option | None = None  # the option of a multi-choice row

    @property
    def computed(self) -> bool:
        return self.field.compute is not None

    def label(self, lang: Lang, *, in_table: bool = False) -> str:
        base = self.field.label.get(lang)
        if self.option is not None:
            opt = self.option.label.get(lang)
            if self.part == "detail":
                blank = text_of(self.option.blank_label, lang) or word("detail", lang)
                return f"{opt}：{blank}" if lang == "zh" else f"{opt}: {blank}"
            return opt if in_table else f"{base}：{opt}" if lang == "zh" else f"{base}: {opt}"
        if self.part == "detail":
            blanks = [o for o in self.field.choices.options if o.blank] if self.field.choices else []
            names = "/".join(text_of(o.blank_label, lang) or o.label.get(lang) for o in blanks)
            extra = names or word("detail", lang)
            return f"{base}（{extra}）" if lang == "zh" else f"{base} ({extra})"
        if self.part:
            part = word(self.part, lang)
            return f"{base}（{part}）" if lang == "zh" else f"{base} ({part})"
        return base

    def header(self, lang: Lang) -> str:
        """The column header of a table: label, unit and a required mark."""
        text = self.label(lang, in_table=True)
        unit = self.field.unit or {"money": "元" if lang == "zh" else "", "percent": "%"}.get(self.field.type, "")
        if unit and self.part != "detail":
            text += f"（{unit}）" if lang == "zh" else f" ({unit})"
        if self.field.required and not self.computed and self.part in (None, "name"):
            text += " *"
        return text


def field_slots(f: Field, *, in_table: bool = False) -> list[Slot]:
    """The cells of one field (a table column keeps a multi-choice in one cell)."""
    if f.type in UNSUPPORTED:
        return []
    if f.compute is not None:
        return [Slot(f.id, f)]
    if f.type == "signature":
        return [Slot(f"{f.id}.name", f, "name"), Slot(f"{f.id}.date", f, "date")]
    if f.type in ("date_range", "year_month_range"):
        return [Slot(f"{f.id}.start", f, "start"), Slot(f"{f.id}.end", f, "end")]
    if f.type == "multi_choice" and not in_table:
        assert f.choices is not None
        out = []
        for o in f.choices.options:
            out.append(Slot(f"{f.id}[{o.value}]", f, None, o))
            if o.blank:
                out.append(Slot(f"{f.id}[{o.value}]#detail", f, "detail", o))
        return out
    slots = [Slot(f.id, f)]
    if f.choices is not None and f.choices.has_blanks:
        slots.append(Slot(f"{f.id}#detail", f, "detail"))
    return slots


_OPTION_KEY = re.compile(r"^([a-z][a-z0-9_]*)\[(.*)\](#detail)?$", re.DOTALL)


def parse_key(key: str) -> tuple[str, str | None, str | None]:
    """(field id, part, option value) of a key; part is start/end/name/date/detail or None."""
    m = _OPTION_KEY.match(key)
    if m:
        return m.group(1), "detail" if m.group(3) else None, m.group(2)
    if key.endswith("#detail"):
        return key[: -len("#detail")], "detail", None
    fid, _, part = key.partition(".")
    return fid, part or None, None


# ---------------------------------------------------------------- sheets


@dataclass(frozen=True)
class Row:
    """One row of a section sheet."""

    kind: str  # title heading note group header slot info see
    texts: tuple[Text, ...] = ()  # label / note cells, in language-independent form
    slot: Slot | None = None
    target: object = None  # the sheet a "see" row points to


@dataclass
class SectionSheet:
    section: Section
    rows: list[Row]
    kind: str = "section"

    def name(self, lang: Lang) -> str:
        return self.section.title.get(lang)


@dataclass
class TableSheet:
    member: Table | Tree
    slots: list[Slot]  # the columns, from column B
    section: Section
    kind: str = "table"

    @property
    def is_tree(self) -> bool:
        return isinstance(self.member, Tree)

    @property
    def numbered(self) -> bool:
        return isinstance(self.member, Table) and self.member.row_number is not None

    def name(self, lang: Lang) -> str:
        return text_of(self.member.title, lang) or self.section.title.get(lang)


@dataclass
class GridSheet:
    grid: Grid
    section: Section
    kind: str = "grid"

    def name(self, lang: Lang) -> str:
        return text_of(self.grid.title, lang) or self.section.title.get(lang)


Sheet = SectionSheet | TableSheet | GridSheet


def table_slots(member: Table | Tree) -> list[Slot]:
    slots: list[Slot] = []
    if isinstance(member, Tree):
        slots.append(Slot(LEVEL, _LEVEL_FIELD))
    for c in member.columns:
        slots.extend(field_slots(c, in_table=True))
    return slots


# The depth a person types for each row of a tree (a pseudo-field: never part of the data).
_LEVEL_FIELD = Field(LEVEL, Text("层级", "Level"), "integer", Where("", 0, 0), required=True, min=1)


@dataclass
class Plan:
    spec: FormSpec
    sheets: list[Sheet] = field(default_factory=list)

    def slots(self) -> list[Slot]:
        """Every bound cell of the section sheets."""
        return [r.slot for s in self.sheets if isinstance(s, SectionSheet) for r in s.rows if r.slot]


def plan(spec: FormSpec) -> Plan:
    out = Plan(spec)
    for section in spec.sections:
        rows: list[Row] = [Row("title", (spec.title,)), Row("heading", (_heading(section),))]
        if section.hint:
            rows.append(Row("note", (section.hint,)))
        rows.append(Row("header", (Text(word("item", "zh"), word("item", "en")),
                                   Text(word("value", "zh"), word("value", "en")),
                                   Text(word("notes", "zh"), word("notes", "en")))))
        others: list[Sheet] = []
        _items(section, section.items, rows, others)
        if any(r.kind in ("slot", "info") for r in rows):
            out.sheets.append(SectionSheet(section, rows))
        elif not others and not out.sheets and section is spec.sections[-1]:
            out.sheets.append(SectionSheet(section, rows))  # a form of static text only: one sheet to show
        out.sheets.extend(others)
    return out


def _heading(section: Section) -> Text:
    if not section.number:
        return section.title
    sep = "、" if not section.number.isdigit() else ". "
    return Text(f"{section.number}{sep}{section.title.zh}",
                f"{section.number}{sep}{section.title.en}" if section.title.en else None)


def _items(section: Section, items: tuple[object, ...], rows: list[Row], others: list[Sheet]) -> None:
    for item in items:
        if isinstance(item, Field):
            _field_rows(item, rows)
        elif isinstance(item, TextItem):
            rows.append(Row("note", (_clause(item),)))
            for blank in item.blanks:
                _field_rows(blank, rows)
        elif isinstance(item, Group):
            if item.title:
                rows.append(Row("group", (item.title,)))
            if item.hint:
                rows.append(Row("note", (item.hint,)))
            _items(section, item.items, rows, others)
        elif isinstance(item, (Table, Tree)):
            sheet = TableSheet(item, table_slots(item), section, "tree" if isinstance(item, Tree) else "table")
            others.append(sheet)
            rows.append(Row("see", (), target=sheet))
        elif isinstance(item, Grid):
            gsheet = GridSheet(item, section)
            others.append(gsheet)
            rows.append(Row("see", (), target=gsheet))


def _clause(item: TextItem) -> Text:
    """Static text with each {blank} shown as 【label】: the blank's own row follows."""
    labels = {b.id: b.label for b in item.blanks}

    def fill(text: str, lang: Lang) -> str:
        return re.sub(r"\{([a-z][a-z0-9_]*)\}",
                      lambda m: f"【{labels[m.group(1)].get(lang)}】" if m.group(1) in labels else m.group(0), text)
    return Text(fill(item.text.zh, "zh"), fill(item.text.en, "en") if item.text.en else None)


def _field_rows(f: Field, rows: list[Row]) -> None:
    if f.type in UNSUPPORTED:
        rows.append(Row("info", (f.label,)))
        return
    for slot in field_slots(f):
        rows.append(Row("slot", (), slot))


# ---------------------------------------------------------------- sheet names

_BAD_NAME = re.compile(r"[\[\]:*?/\\]")
RESERVED = {STAMP_SHEET.lower(), LISTS_SHEET.lower(), "history"}


def sheet_names(sheets: list[Sheet], lang: Lang) -> list[str]:
    """Excel-safe, unique sheet names (31 characters, no []:*?/\\, not 'History')."""
    used = set(RESERVED)
    out = []
    for sheet in sheets:
        base = _BAD_NAME.sub("_", sheet.name(lang)).strip().strip("'")[:31] or sheet.kind
        name, n = base, 1
        while name.lower() in used:
            n += 1
            suffix = f"({n})"
            name = base[: 31 - len(suffix)] + suffix
        used.add(name.lower())
        out.append(name)
    return out


def where_cell(sheet: str, coordinate: str) -> str:
    return f"'{sheet.replace(chr(39), chr(39) * 2)}'!{coordinate}"


def where_row(sheet: str, row: int, lang: Lang) -> str:
    place = where_cell(sheet, f"{row}:{row}")
    return f"{place}（第 {row} 行）" if lang == "zh" else f"{place} (row {row})"


def where_sheet(sheet: str, lang: Lang) -> str:
    return f"工作表 '{sheet}'" if lang == "zh" else f"sheet '{sheet}'"
