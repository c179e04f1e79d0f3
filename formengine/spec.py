"""The typed, immutable description of a form: what the builder produces from YAML.

Renderers and the compiler read only these objects. Layout (sections, groups, text with
blanks) and data (fields, tables, grids, trees) live side by side: ``Section.items`` keeps
the paper order, ``FormSpec.fields`` etc. give direct access by id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Union

from .expr import Expression

Lang = Literal["zh", "en"]


@dataclass(frozen=True)
class Text:
    """Localised text: Chinese always, English when the author gave it."""

    zh: str
    en: str | None = None

    def get(self, lang: Lang = "zh") -> str:
        return self.en if lang == "en" and self.en else self.zh

    def __str__(self) -> str:
        return self.zh


@dataclass(frozen=True)
class Where:
    file: str
    line: int
    column: int


@dataclass(frozen=True)
class Option:
    value: str
    label: Text
    blank: str | None = None  # text / integer / decimal / money: the option carries its own blank
    blank_label: Text | None = None
    unit: str | None = None


@dataclass(frozen=True)
class ChoiceList:
    options: tuple[Option, ...]
    name: str | None = None

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(o.value for o in self.options)

    def get(self, value: str) -> Option | None:
        for option in self.options:
            if option.value == value:
                return option
        return None

    @property
    def has_blanks(self) -> bool:
        return any(o.blank for o in self.options)


@dataclass(frozen=True)
class Bounds:
    min: Any = None
    max: Any = None


@dataclass(frozen=True)
class Field:
    id: str
    label: Text
    type: str
    where: Where
    hint: Text | None = None
    unit: str | None = None
    required: bool = False
    required_if: Expression | None = None
    visible_if: tuple[Expression, ...] = ()  # all must hold (own condition and its containers')
    compute: Expression | None = None
    default: Any = None
    default_expr: Expression | None = None
    min: Any = None
    max: Any = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    pattern_message: Text | None = None
    choices: ChoiceList | None = None
    places: int = 2
    unique: bool = False
    lines: int = 3
    print: str | None = None
    width: Bounds | None = None
    height: Bounds | None = None
    max_bytes: int | None = None
    formats: tuple[str, ...] = ()

    @property
    def computed(self) -> bool:
        return self.compute is not None


@dataclass(frozen=True)
class Check:
    rule: Expression
    message: Text
    path: str
    code: str = "check"
    when: Expression | None = None
    where: Where | None = None


@dataclass(frozen=True)
class Table:
    id: str
    title: Text | None
    columns: tuple[Field, ...]
    where: Where
    min_rows: int = 0
    max_rows: int | None = None
    print_rows: int = 5
    row_number: Text | None = None
    checks: tuple[Check, ...] = ()
    visible_if: tuple[Expression, ...] = ()
    hint: Text | None = None

    def column(self, id: str) -> Field | None:
        return next((c for c in self.columns if c.id == id), None)


@dataclass(frozen=True)
class Tree:
    id: str
    title: Text | None
    columns: tuple[Field, ...]
    where: Where
    max_depth: int = 10
    print_rows: int = 8
    visible_if: tuple[Expression, ...] = ()
    hint: Text | None = None


@dataclass(frozen=True)
class Label:
    key: str
    label: Text


@dataclass(frozen=True)
class Grid:
    id: str
    title: Text | None
    rows: tuple[Label, ...]
    columns: tuple[Label, ...]
    cell: Field  # type and bounds of every cell (its id is the grid's)
    where: Where
    one_per_row: bool = False
    row_totals: Text | None = None
    column_totals: Text | None = None
    corner: Text | None = None
    visible_if: tuple[Expression, ...] = ()
    hint: Text | None = None


@dataclass(frozen=True)
class TextItem:
    """Static text; ``{id}`` placeholders are inline blanks, each one of ``blanks``."""

    text: Text
    blanks: tuple[Field, ...] = ()


@dataclass(frozen=True)
class Group:
    title: Text | None
    items: tuple[Item, ...]
    hint: Text | None = None


Item = Union[Field, Table, Grid, Tree, TextItem, Group]


@dataclass(frozen=True)
class Section:
    title: Text
    items: tuple[Item, ...]
    number: str = ""  # "一" / "1" / "" as printed
    id: str | None = None
    hint: Text | None = None


@dataclass(frozen=True)
class Source:
    document: str
    heading: str


@dataclass(frozen=True)
class FormSpec:
    id: str
    title: Text
    file: str
    sections: tuple[Section, ...]
    version: str | None = None
    domain: str | None = None
    source: Source | None = None
    code: str | None = None
    copies: int | None = None
    copies_note: Text | None = None
    notes: tuple[Text, ...] = ()
    numbering: str = "chinese"
    orientation: str = "portrait"
    checks: tuple[Check, ...] = ()
    # Direct access, in paper order (fields include inline blanks; not table columns).
    fields: tuple[Field, ...] = ()
    tables: tuple[Table, ...] = ()
    trees: tuple[Tree, ...] = ()
    grids: tuple[Grid, ...] = ()
    members: tuple[Field | Table | Tree | Grid, ...] = ()  # every data item, in paper order
    features: frozenset[str] = field(default_factory=frozenset)
    compute_order: tuple[tuple[str | None, str], ...] = ()  # (table/tree id or None, field id)

    def field(self, id: str) -> Field | None:
        return next((f for f in self.fields if f.id == id), None)

    def table(self, id: str) -> Table | None:
        return next((t for t in self.tables if t.id == id), None)

    @property
    def data_ids(self) -> tuple[str, ...]:
        """Every top-level key a submission may hold, in paper order."""
        return tuple(x.id for x in self.members)
