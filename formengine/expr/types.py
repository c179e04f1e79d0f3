"""Static types of the expression language and the scopes names are resolved in.

The type system is deliberately small: it exists to catch an author's mistakes at load time
(adding a date to a name, calling ``sum`` on a text field), not to prove programs correct.
``ANY`` switches checking off wherever a type cannot be known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["number", "text", "date", "bool", "list", "record", "table", "grid", "any", "null"]


@dataclass(frozen=True)
class Type:
    kind: Kind
    of: Type | None = None  # element type of a list
    attrs: tuple[tuple[str, Type], ...] = ()  # record attributes / table columns

    def attr(self, name: str) -> Type | None:
        for key, typ in self.attrs:
            if key == name:
                return typ
        return None

    def __str__(self) -> str:
        if self.kind == "list" and self.of is not None:
            return f"list[{self.of}]"
        return self.kind


NUMBER = Type("number")
TEXT = Type("text")
DATE = Type("date")
BOOL = Type("bool")
ANY = Type("any")
NULL = Type("null")


def list_of(t: Type) -> Type:
    return Type("list", of=t)


def record(**attrs: Type) -> Type:
    return Type("record", attrs=tuple(attrs.items()))


def table(columns: dict[str, Type]) -> Type:
    return Type("table", attrs=tuple(columns.items()))


GRID = Type("grid")

Where = Literal["form", "row"]
Context = Literal["form", "table", "tree"]


@dataclass
class Scope:
    """Names visible to an expression.

    ``row`` holds the columns of the table or tree the expression belongs to (looked up
    first); ``form`` holds the form's fields. ``context`` says which context functions
    (``row_number()``, ``level()``, ``outline()``) are available.
    """

    form: dict[str, Type]
    row: dict[str, Type] = field(default_factory=dict)
    context: Context = "form"

    def resolve(self, name: str) -> tuple[Where, Type] | None:
        if name in self.row:
            return "row", self.row[name]
        if name in self.form:
            return "form", self.form[name]
        return None

    def all_names(self) -> list[str]:
        return list(self.row) + [n for n in self.form if n not in self.row]


def compatible(a: Type, b: Type) -> bool:
    """Whether values of the two types may be compared with each other."""
    if "any" in (a.kind, b.kind) or "null" in (a.kind, b.kind):
        return True
    return a.kind == b.kind
