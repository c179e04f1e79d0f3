"""The fixed texts of a workbook's locked cells (labels, notes, titles), shared by writer and reader.

The writer puts them into the sheets and records them on the stamp sheet; the reader accepts
them where no value belongs and calls anything else text typed outside the inputs.
"""

from __future__ import annotations

from collections.abc import Sequence

from formengine.spec import FormSpec, Grid, Lang, Table

from .xlsx_layout import (
    LEVEL,
    GridSheet,
    SectionSheet,
    Slot,
    TableSheet,
    plan,
    sheet_names,
    text_of,
    word,
)

TEXTS_COL = 4  # column D of the stamp sheet: the fixed texts written
REQUIRED_MARK = " *"


def label_text(slot: Slot, lang: Lang) -> str:
    f = slot.field
    required = f.required and f.compute is None and slot.part in (None, "name") and slot.option is None
    return slot.label(lang) + (REQUIRED_MARK if required else "")


def note_text(slot: Slot, lang: Lang, formula: bool) -> str:
    f = slot.field
    parts = []
    if slot.part != "detail":
        unit = f.unit or {"money": "元" if lang == "zh" else "", "percent": "%"}.get(f.type, "")
        if unit:
            parts.append(unit)
    if f.compute is not None:
        parts.append(word("formula" if formula else "computed", lang))
    if f.hint and slot.part in (None, "name", "start"):
        parts.append(f.hint.get(lang))
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


def see_text(name: str, lang: Lang) -> str:
    return f"{word('see', lang)}“{name}”" if lang == "zh" else f"{word('see', lang)} '{name}'"


def table_title(sheet: TableSheet | GridSheet, lang: Lang) -> str:
    member = sheet.member if isinstance(sheet, TableSheet) else sheet.grid
    title = sheet.name(lang)
    hint = text_of(member.hint, lang)
    return f"{title}\n{hint}" if hint else title


def grid_total_labels(g: Grid, lang: Lang) -> tuple[str, str]:
    return text_of(g.row_totals, lang), text_of(g.column_totals, lang)


def level_header(lang: Lang) -> str:
    """The header of a tree's level column (always required)."""
    return word("level", lang) + REQUIRED_MARK


def sheet_index(sheets: Sequence[object], target: object) -> int:
    """The position of a sheet of the plan (a "see" row names the sheet it points to)."""
    return next(i for i, s in enumerate(sheets) if s is target)


def fixed_texts(spec: FormSpec, lang: Lang) -> set[str]:
    """Every text the writer puts into a locked cell of a visible sheet, in one language: the
    reader accepts these where no value belongs, and calls anything else text typed outside."""
    p = plan(spec)
    names = sheet_names(p.sheets, lang)
    out = {f"（{word('computed', lang)}）", word("no_file", lang), word("picture_here", lang)}
    for sheet in p.sheets:
        if isinstance(sheet, SectionSheet):
            for row in sheet.rows:
                if row.slot is not None:
                    out.add(label_text(row.slot, lang))
                    out.update(note_text(row.slot, lang, formula) for formula in (True, False))
                elif row.kind == "see":
                    out.add(see_text(names[sheet_index(p.sheets, row.target)], lang))
                else:
                    out.update(t.get(lang) for t in row.texts)
        elif isinstance(sheet, TableSheet):
            out.add(table_title(sheet, lang))
            out.update(s.header(lang) for s in sheet.slots if s.key != LEVEL)
            out.add(level_header(lang))
            if isinstance(sheet.member, Table) and sheet.member.row_number is not None:
                out.add(sheet.member.row_number.get(lang))
        else:
            g = sheet.grid
            out.add(table_title(sheet, lang))
            out.update(x for x in (text_of(g.corner, lang), *grid_total_labels(g, lang)) if x)
            out.update(c.label.get(lang) for c in g.columns)
            out.update(r.label.get(lang) for r in g.rows)
    out.discard("")
    return out
