"""A filled page against the blank page it came from.

Two questions are answered by laying the filled file's paragraphs and rows beside those of a
freshly rendered blank fillable file of the same form:

* **Text typed outside the inputs.** Every paragraph and row keeps its own text (labels,
  units, titles). Text the file has and the blank page has not, at the same place, was typed
  by a person outside an input and is reported with where it is. Rows of a table or tree
  are compared with the blank page's row of that table, however many rows were added.
* **Inputs whose tags were lost.** Some programs keep content controls but drop their tags
  (LibreOffice 7.4 does, when it saves a .docx). When a file has no tagged control at all,
  each control gets the tag of the blank page's control at the same place: same paragraph
  or cell, same kind (text, date, drop-down, check box), same order.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .docx_controls import row_member
from .docx_parse import Control, Item, Para, Row, Unit, squeeze

_DIGITS = re.compile(r"^\d+$")


def _cell_text(text: str) -> str:
    """A cell's own text for comparing; a row number counts as any row number."""
    t = squeeze(text)
    return "#" if _DIGITS.match(t) else t


def _signature(item: Item) -> tuple[str, ...]:
    if isinstance(item, Para):
        return ("P", squeeze(item.unit.text))
    return ("R", *(_cell_text(u.text) for u in item.cells))


@dataclass
class Outside:
    """Text typed outside the inputs: what, and where (zh, en)."""

    text: str
    place: tuple[str, str]


@dataclass
class Comparison:
    outside: list[Outside] = field(default_factory=list)
    positional: bool = False  # tags were given back by position


def data_member(row: Row) -> str | None:
    """The table or tree a row's tagged controls belong to (the most frequent), else None."""
    counts: dict[str, int] = {}
    for c in row.controls:
        member = row_member(c.tag) if c.tag else None
        if member:
            counts[member] = counts.get(member, 0) + 1
    return max(counts, key=lambda m: counts[m]) if counts else None


def compare(template: list[Item], page: list[Item]) -> Comparison:
    """Compare a filled page with the blank page; give lost tags back first if they all were."""
    result = Comparison()
    controls = [c for item in page for c in _controls(item)]
    positional = bool(controls) and not any(c.tag for c in controls)
    patterns: dict[str, Row] = {}  # member → the blank page's first row of that table or tree
    for item in template:
        if isinstance(item, Row):
            member = data_member(item)
            if member and member not in patterns:
                patterns[member] = item
    page_members = _classify(page, patterns, positional)
    # rows of tables and trees: each against the blank row of its table
    for item, member in page_members.items():
        pattern = patterns[member]
        if positional:
            _give_tags(pattern.cells, item.cells)
        added = _row_additions(pattern, item)
        if added:
            result.outside.append(Outside(added, item.place))
    # everything else, aligned in order
    fixed_t = [i for i in template if not (isinstance(i, Row) and data_member(i))]
    fixed_p = [i for i in page if i not in page_members]
    for t_item, p_item in _align(fixed_t, fixed_p):
        if p_item is None:
            continue
        if isinstance(t_item, Para) and isinstance(p_item, Para):
            if positional:
                _give_tags(_units(t_item), _units(p_item))
            added = _additions(t_item.unit.text, p_item.unit.text)
        elif isinstance(t_item, Row) and isinstance(p_item, Row):
            if positional:
                _give_tags(t_item.cells, p_item.cells)
            added = _row_additions(t_item, p_item)
        else:
            added = " ".join(squeeze(u.text) for u in _units(p_item) if squeeze(u.text))
        if added:
            result.outside.append(Outside(added, p_item.place))
    result.positional = positional
    return result


def _controls(item: Item) -> list[Control]:
    return item.unit.controls if isinstance(item, Para) else item.controls


def _units(item: Item) -> list[Unit]:
    return [item.unit] if isinstance(item, Para) else item.cells


def _classify(page: list[Item], patterns: dict[str, Row], positional: bool) -> dict[Row, str]:
    """The page's table and tree rows, with their table or tree id.

    By the rows' tags; when the tags were lost, by the row's own text (labels, row numbers,
    "computed" notes), which is the same on every row of a table: the k-th run of rows
    looking like table rows of that kind belongs to the k-th such table of the blank page."""
    out: dict[Row, str] = {}
    if not positional:
        for item in page:
            if isinstance(item, Row):
                member = data_member(item)
                if member in patterns:
                    out[item] = member
        return out
    by_signature: dict[tuple[str, ...], list[str]] = {}
    for member, row in patterns.items():
        by_signature.setdefault(_signature(row), []).append(member)
    seen: dict[tuple[str, ...], int] = {}
    previous: tuple[str, ...] | None = None
    for item in page:
        sig = _signature(item) if isinstance(item, Row) and item.controls else None
        if not isinstance(item, Row) or sig is None or sig not in by_signature:
            previous = None
            continue
        if sig != previous:
            seen[sig] = seen.get(sig, 0) + 1
        members = by_signature[sig]
        out[item] = members[min(seen[sig], len(members)) - 1]
        previous = sig
    return out


def _align(template: list[Item], page: list[Item]) -> Iterator[tuple[Item | None, Item | None]]:
    """Pairs of (blank page item, filled page item) in order, None where one side has nothing."""
    a = [_signature(i) for i in template]
    b = [_signature(i) for i in page]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal" or (op == "replace" and i2 - i1 == j2 - j1):
            yield from zip(template[i1:i2], page[j1:j2])
            continue
        if op == "replace":  # pair those of the same kind and shape in order, the rest stand alone
            yield from _pair_loosely(template[i1:i2], page[j1:j2])
            continue
        for t in template[i1:i2]:
            yield t, None
        for p in page[j1:j2]:
            yield None, p


def _pair_loosely(template: list[Item], page: list[Item]) -> Iterator[tuple[Item | None, Item | None]]:
    def shape(i: Item) -> tuple[str, int]:
        return ("P", 0) if isinstance(i, Para) else ("R", len(i.cells))

    matcher = difflib.SequenceMatcher(None, [shape(i) for i in template], [shape(i) for i in page], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            yield from zip(template[i1:i2], page[j1:j2])
        else:
            for t in template[i1:i2]:
                yield t, None
            for p in page[j1:j2]:
                yield None, p


def _additions(before: str, after: str) -> str:
    """What ``after`` has that ``before`` has not (white space ignored), pieces joined by …"""
    a, b = squeeze(before), squeeze(after)
    if a == b:
        return ""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    pieces = [b[j1:j2] for op, _, _, j1, j2 in matcher.get_opcodes() if op in ("insert", "replace")]
    return " … ".join(p for p in pieces if p)


def _row_additions(template: Row, page: Row) -> str:
    if len(template.cells) != len(page.cells):  # cells merged or split: compare the row's text
        return _additions("".join(_cell_text(u.text) for u in template.cells),
                          "".join(_cell_text(u.text) for u in page.cells))
    pieces = [_additions(_cell_text(t.text), _cell_text(p.text)) for t, p in zip(template.cells, page.cells)]
    return " … ".join(p for p in pieces if p)


def _give_tags(template: list[Unit], page: list[Unit]) -> None:
    """Give each untagged control of ``page`` the tag of the control of the same kind at the
    same place in ``template`` (cell by cell when the cells match, else along the row)."""
    if len(template) == len(page):
        pairs = list(zip(template, page))
    else:
        pairs = [(Unit(controls=[c for u in template for c in u.controls]),
                  Unit(controls=[c for u in page for c in u.controls]))]
    for t, p in pairs:
        matcher = difflib.SequenceMatcher(None, [c.kind for c in t.controls], [c.kind for c in p.controls],
                                          autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op != "equal":
                continue
            for tc, pc in zip(t.controls[i1:i2], p.controls[j1:j2]):
                if pc.tag is None:
                    pc.tag, pc.by_position = tc.tag, True
                    if not pc.alias:
                        pc.alias = tc.alias
