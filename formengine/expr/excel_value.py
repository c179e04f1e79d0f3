"""A translated sub-expression and the stages of conditions under which it is the engine's null.

The engine's ``null`` is ``""`` in a cell, whereas Excel reads an empty cell as 0: every
translated value therefore carries the conditions under which it is ``null``, in *stages* —
the conditions of one stage may be evaluated together once every earlier stage is false
(``b=0`` for a division is only safe once ``b`` is known to be filled). The closed formula is
``IF(stage1,"",IF(stage2,"",value))``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .excel_cells import Operand


class Untranslatable(Exception):
    """The expression has no faithful Excel formula; ``reason`` says why (English, for logs)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


Finish = Callable[[str, str, "int | None"], str]  # (value text, kind, places) → cell value text


def same(text: str, kind: str, places: int | None) -> str:
    """The :data:`Finish` that shows the engine's value as it is."""
    return text


@dataclass(frozen=True)
class Translated:
    """A translated sub-expression.

    ``text`` is valid (raises no Excel error) whenever none of ``stages`` holds; it is then the
    engine's value. A *closed* value (``closer`` set) builds its own formula that already gives
    ``""`` when null (if-else, coalesce, and/or); used inside arithmetic it is tested as a whole.
    """

    text: str
    kind: str  # number text date bool null range grid
    stages: tuple[tuple[str, ...], ...] = ()
    places: int | None = None  # a number's decimal places in the engine (None: unknown)
    closer: Callable[[Finish], str] | None = field(default=None, compare=False)
    operand: Operand | None = None  # a plain cell or range, as the Cells gave it
    timed: bool = False  # a date-time (its serial has a time of day)
    name: str | None = None  # a grid's id


NULL = Translated('""', "null", (("TRUE",),), closer=lambda finish: '""')


def any_of(conds: Sequence[str]) -> str:
    return conds[0] if len(conds) == 1 else "OR(" + ",".join(conds) + ")"


def merge(*parts: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    """Stages of a value needing all the given ones: stage by stage, in order, without repeats."""
    out: list[list[str]] = []
    for stages in parts:
        for i, stage in enumerate(stages):
            while len(out) <= i:
                out.append([])
            out[i].extend(c for c in stage if c not in out[i])
    return tuple(tuple(s) for s in out)


def guard(x: Translated, value: str, null: str = '""') -> str:
    """``value`` (valid only when x is filled), or ``null`` when x is null."""
    out = value
    for stage in reversed(x.stages):
        out = f"IF({any_of(stage)},{null},{out})"
    return out


def is_null(x: Translated) -> str:
    if not x.stages:
        return "FALSE"
    return guard(Translated(x.text, x.kind, x.stages[:-1]), any_of(x.stages[-1]), "TRUE")


def close(x: Translated, finish: Finish = same) -> str:
    if x.closer is not None:
        return x.closer(finish)
    return guard(x, finish(x.text, x.kind, x.places))


def strict(x: Translated) -> Translated:
    """A closed value as a plain one: its whole formula, null when it gives ""."""
    if x.closer is None or x.kind == "null":
        return x
    text = close(x)
    return Translated(text, x.kind, ((f'{text}=""',),), x.places, timed=x.timed)


def string_literal(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def number_literal(value: int | Decimal) -> tuple[str, int]:
    """An exact number's Excel text and its decimal places."""
    if isinstance(value, Decimal):
        text = format(value, "f")
        places = max(0, -value.as_tuple().exponent)  # type: ignore[operator]
        return text, places
    return str(value), 0


def iso_date(d: str) -> str:
    """The engine's text of a date serial: YYYY-MM-DD, without locale-dependent TEXT codes."""
    return f'(YEAR({d})&"-"&RIGHT("0"&MONTH({d}),2)&"-"&RIGHT("0"&DAY({d}),2))'
