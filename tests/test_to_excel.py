"""Expressions translated into Excel formulas compute what the engine computes.

The formulas a workbook carries are evaluated by LibreOffice (recalculated, saved, read back
with openpyxl) and compared with the engine's own computed values: for every valid example
of every catalog form, and for a form that exercises each construct the translator knows,
with filled, empty, zero and edge values. Expressions without a faithful formula must be
refused, never translated approximately.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest

openpyxl = pytest.importorskip("openpyxl")

import formengine
from formengine.examples import load_examples
from formengine.expr import Scope, compile_expression
from formengine.expr.to_excel import TRUE_WORDS, Operand, Untranslatable, to_excel
from formengine.expr.types import BOOL, DATE, NUMBER, TEXT, list_of, table
from formengine.fieldtypes import parse_bool
from formengine.form import form_files
from formengine.view import option_label

from .conftest import FORMS
from .test_roundtrip_xlsx import libreoffice

# ---------------------------------------------------------------- the translator alone


class Cells:
    """Cells of a test: form fields in column C of sheet S, row columns in a table row."""

    types: ClassVar[dict[str, str]] = {"a": "decimal", "b": "decimal", "n": "integer", "s": "text", "d": "date", "at": "datetime",
             "flag": "boolean", "kind": "choice", "phone": "phone", "ym": "year_month", "when": "time"}

    def field(self, name: str, where: str) -> Operand | None:
        if name not in self.types:
            return None
        labels = ("'_lists'!$A$1:$A$2", "'_lists'!$B$1:$B$2") if name == "kind" else None
        return Operand(f"'S'!$C${list(self.types).index(name) + 1}", self.types[name], 2, labels)

    def part(self, name: str, where: str, attr: str) -> Operand | None:
        return None

    def column(self, table: str, column: str) -> Operand | None:
        return Operand("'T'!$B$4:$B$10003", "money") if (table, column) == ("lines", "total") else None

    def grid(self, grid: str, row: str | None, column: str | None) -> Operand | None:
        return None

    def row_number(self) -> str | None:
        return None

    def level(self) -> str | None:
        return None


SCOPE = Scope({"a": NUMBER, "b": NUMBER, "n": NUMBER, "s": TEXT, "d": DATE, "at": DATE, "flag": BOOL,
               "kind": TEXT, "phone": TEXT, "ym": TEXT, "when": TEXT, "tags": list_of(TEXT),
               "lines": table({"total": NUMBER})})


def formula(source: str) -> str:
    return to_excel(compile_expression(source, SCOPE).checked, Cells())


def test_arithmetic_is_null_when_an_input_is_empty_and_division_by_zero_is_null() -> None:
    assert formula("a * n") == "=IF(OR('S'!$C$1=\"\",'S'!$C$3=\"\"),\"\",('S'!$C$1*'S'!$C$3))"
    # b = 0 is only tested once b is known to be filled: nested, never evaluated on an empty cell
    assert formula("a / b") == ("=IF(OR('S'!$C$1=\"\",'S'!$C$2=\"\"),\"\",IF('S'!$C$2=0,\"\","
                                "('S'!$C$1/'S'!$C$2)))")
    assert formula("sum(lines.total)") == "=SUM('T'!$B$4:$B$10003)"  # sum skips empties, as SUM does


def test_text_is_compared_exactly_and_quotes_are_escaped() -> None:
    assert formula("s == 'A\"B'") == "=IF('S'!$C$4=\"\",\"\",EXACT('S'!$C$4,\"A\"\"B\"))"
    assert "IFERROR(INDEX('_lists'!$B$1:$B$2,MATCH('S'!$C$8" in formula("kind == 'x'")  # a label → its value


@pytest.mark.parametrize("source", [
    "rmb_upper(a)", "pinyin_initials(s)", "a // b", "a % b", "s < 'b'", "concat(s, a)", "format(a, '0.00')",
    "phone == '123'", "ym == '2026-01'", "when == '08:00'", "1 < a < 2", "len(tags)", "'x' in tags",
    "concat(at)", "min(a + 1, b)", "round(a, n)",
])
def test_what_excel_cannot_reproduce_is_refused(source: str) -> None:
    with pytest.raises(Untranslatable):
        formula(source)


def test_boolean_words_match_the_engines() -> None:
    assert all(parse_bool(w) is True for w in TRUE_WORDS)
    assert all(parse_bool(w.upper()) is True for w in TRUE_WORDS)


# ---------------------------------------------------------------- evaluated by LibreOffice


def _key_rows(ws: Any) -> dict[str, int]:
    return {str(row[0].value): row[0].row for row in ws.iter_rows(min_col=1, max_col=1) if row[0].value}


def computed_cells(wb: Any, form: formengine.Form) -> dict[str, Any]:
    """Path → the value LibreOffice computed, for every computed field, column and grid total."""
    out: dict[str, Any] = {}
    for ws in wb.worksheets:
        marker = str(ws["A1"].value or "")
        keys = _key_rows(ws)
        if marker == "#section":
            for f in form.spec.fields:
                if f.compute is not None and f.id in keys:
                    out[f.id] = ws.cell(keys[f.id], 3).value
        elif marker.startswith(("#table ", "#grid ")):
            member = marker.split(" ", 1)[1]
            key_row = keys["#keys"]
            columns = {str(c.value): c.column for c in ws[key_row] if c.value is not None and c.column > 1}
            first = keys["#header"] + 1
            if marker.startswith("#table "):
                t = form.spec.table(member)
                assert t is not None
                for c in t.columns:
                    if c.compute is not None:
                        for r in range(first, ws.max_row + 1):
                            out[f"{member}[{r - first}].{c.id}"] = ws.cell(r, columns[c.id]).value
            else:
                g = next(g for g in form.spec.grids if g.id == member)
                total_row = keys.get("#total")
                for r in range(first, ws.max_row + 1):
                    rkey = g.column_totals.zh if r == total_row and g.column_totals else ws.cell(r, 1).value
                    for ckey, col in columns.items():
                        ck = g.row_totals.zh if ckey == "#total" and g.row_totals else ckey
                        if r == total_row or ckey == "#total":
                            out[f"{member}/{rkey}/{ck}"] = ws.cell(r, col).value
    return out


def engine_values(form: formengine.Form, data: Any) -> dict[str, Any]:
    value = form.validate(data).value
    assert value is not None
    out: dict[str, Any] = {}
    for f in form.spec.fields:
        if f.compute is not None:
            out[f.id] = (f, getattr(value, f.id))
    for t in form.spec.tables:
        for c in t.columns:
            if c.compute is not None:
                for i, row in enumerate(getattr(value, t.id) or []):
                    out[f"{t.id}[{i}].{c.id}"] = (c, getattr(row, c.id))
    for g in form.spec.grids:
        cells = getattr(value, g.id) or {}
        for rk, row in cells.items():
            for ck, v in (row or {}).items() if isinstance(row, dict) else ():
                if (g.row_totals and ck == g.row_totals.zh) or (g.column_totals and rk == g.column_totals.zh):
                    out[f"{g.id}/{rk}/{ck}"] = (g.cell, v)
    return out


def same(field: Any, engine: Any, shown: Any) -> bool:
    if engine is None:
        return shown in (None, "")
    if isinstance(engine, bool):
        return shown == ("是" if engine else "否")
    if isinstance(engine, (Decimal, int)):
        return isinstance(shown, (int, float)) and Decimal(repr(shown)) == engine
    if isinstance(engine, dt.date):
        return isinstance(shown, dt.datetime) and shown.date() == engine
    if field.type == "choice":
        return shown == option_label(field, engine, "zh")
    return shown == engine


def check_formulas(tmp_path: Path, cases: list[tuple[formengine.Form, str, Any]]) -> int:
    """Render each case pre-filled, let LibreOffice compute, compare with the engine; returns how
    many formula results were compared (cells without a formula are the server's value)."""
    files = []
    for i, (form, _, data) in enumerate(cases):
        source = tmp_path / f"in{i}.xlsx"
        source.write_bytes(form.render("xlsx", data))
        files.append({"in": str(source), "out": str(tmp_path / f"out{i}.xlsx")})
    libreoffice(tmp_path, files)
    compared = 0
    problems = []
    for (form, name, data), work in zip(cases, files):
        formulas = openpyxl.load_workbook(work["in"])
        shown = computed_cells(openpyxl.load_workbook(work["out"], data_only=True), form)
        written = computed_cells(formulas, form)
        for path, (field, value) in engine_values(form, data).items():
            if not (isinstance(written.get(path), str) and written[path].startswith("=")):
                continue  # "computed by the server": no formula to check
            compared += 1
            if not same(field, value, shown.get(path)):
                problems.append(f"{form.id}/{name} {path}: engine {value!r}, LibreOffice {shown.get(path)!r}, "
                                f"formula {written[path][:300]}")
    assert not problems, "\n".join(problems)
    return compared


def catalog_cases() -> list[tuple[formengine.Form, str, Any]]:
    out = []
    for path in form_files(FORMS):
        form = formengine.load(path)
        has_formula = any(f.compute for f in form.spec.fields) or any(
            c.compute for t in (*form.spec.tables, *form.spec.trees) for c in t.columns) or any(
            g.row_totals or g.column_totals for g in form.spec.grids)
        if has_formula:
            out.extend((form, ex.name, ex.data) for ex in load_examples(path) if ex.valid)
    return out


def test_catalog_formulas_compute_what_the_engine_computes(tmp_path: Path) -> None:
    cases = catalog_cases()
    assert check_formulas(tmp_path, cases) >= 60


CONSTRUCTS = """\
id: constructs
title: 公式
sections:
  - title: 输入
    items:
      - {id: a, label: A, type: decimal, places: 3}
      - {id: b, label: B, type: decimal, places: 3}
      - {id: n, label: N, type: integer}
      - {id: d1, label: D1, type: date}
      - {id: d2, label: D2, type: date}
      - {id: s, label: S, type: text}
      - {id: t, label: T, type: text}
      - {id: flag, label: Flag, type: boolean}
      - {id: level, label: Level, type: choice, choices: [{value: A, label: 甲}, {value: B, label: 乙}]}
      - table:
          id: rows
          columns:
            - {id: qty, label: 数量, type: integer}
            - {id: price, label: 单价, type: money}
            - {id: kind, label: 类别, type: choice, choices: [x, y]}
            - {id: total, label: 金额, type: money, compute: "price * qty"}
            - {id: no, label: 序号, type: integer, compute: "row_number()"}
            - {id: tag, label: 标记, type: text, compute: "concat(kind, '-', no) if filled(kind) else null"}
  - title: 结果
    items:
      - {id: r_add, label: 加, type: decimal, compute: "a + b"}
      - {id: r_sub, label: 减, type: decimal, compute: "a - b"}
      - {id: r_mul, label: 乘, type: decimal, places: 4, compute: "a * b"}
      - {id: r_div, label: 除, type: decimal, places: 6, compute: "a / b"}
      - {id: r_div0, label: 除零, type: decimal, compute: "a / (b - b)"}
      - {id: r_pow, label: 幂, type: decimal, places: 4, compute: "a ** 2"}
      - {id: r_neg, label: 负, type: decimal, compute: "-a + 0"}
      - {id: r_round, label: 舍入, type: decimal, compute: "round(a / 3, 1)"}
      - {id: r_half, label: 四舍五入, type: money, compute: "a * 0.005"}
      - {id: r_if, label: 较大, type: decimal, compute: "a if a > b else b"}
      - {id: r_and, label: 且, type: boolean, compute: "a > 0 and b > 0"}
      - {id: r_or, label: 或, type: boolean, compute: "a > 100 or flag"}
      - {id: r_not, label: 非, type: boolean, compute: "not flag"}
      - {id: r_in, label: 属于, type: text, compute: "'yes' if s in ['abc', 'xyz'] else 'no'"}
      - {id: r_contains, label: 包含, type: text, compute: "'yes' if s in t else 'no'"}
      - {id: r_eq, label: 相等, type: boolean, compute: "s == t"}
      - {id: r_len, label: 长度, type: integer, compute: "len(s)"}
      - {id: r_upper, label: 大写, type: text, compute: "upper(left(s, 2))"}
      - {id: r_concat, label: 连接, type: text, compute: "concat(s, '/', n, '/', d1, '/', flag)"}
      - {id: r_format, label: 格式, type: text, compute: "concat(format(d1, 'YYYY年MM月DD日 YY'), '#', format(n, '0000'))"}
      - {id: r_between, label: 相隔, type: integer, compute: "days_between(d1, d2)"}
      - {id: r_add_days, label: 加天, type: date, compute: "add_days(d1, n)"}
      - {id: r_add_months, label: 加月, type: date, compute: "add_months(d1, n)"}
      - {id: r_weekday, label: 星期, type: integer, compute: "weekday(d1)"}
      - {id: r_weekday_zh, label: 星期中文, type: text, compute: "weekday_zh(d1)"}
      - {id: r_parts, label: 年月日, type: integer, compute: "year(d1) * 10000 + month(d1) * 100 + day(d1)"}
      - {id: r_month_days, label: 月天数, type: integer, compute: "days_in_month(d1)"}
      - {id: r_coalesce, label: 首个, type: decimal, compute: "coalesce(a, b)"}
      - {id: r_empty, label: 空, type: boolean, compute: "empty(s)"}
      - {id: r_filled, label: 已填, type: boolean, compute: "filled(d1)"}
      - {id: r_sum, label: 合计, type: money, compute: "sum(rows.total)"}
      - {id: r_sum_args, label: 和, type: decimal, compute: "sum(a, b, n)"}
      - {id: r_count, label: 个数, type: integer, compute: "count(rows.price)"}
      - {id: r_min, label: 最低价, type: money, compute: "min(rows.price)"}
      - {id: r_max_date, label: 较晚, type: date, compute: "max(d1, d2)"}
      - {id: r_sumproduct, label: 加权, type: money, compute: "sumproduct(rows.qty, rows.price)"}
      - {id: r_sum_if, label: 分类合计, type: money, compute: "sum_if(rows.total, rows.kind, 'x')"}
      - {id: r_choice, label: 等级, type: choice, choices: [{value: A, label: 甲}, {value: B, label: 乙}],
         compute: "'A' if n > 5 else 'B'"}
      - {id: r_choice_in, label: 是甲, type: boolean, compute: "level == 'A'"}
      - {id: r_visible, label: 仅当勾选, type: decimal, visible_if: flag, compute: "a * 2"}
      - {id: r_abs, label: 绝对值, type: decimal, compute: "abs(a - b)"}
      - {id: r_nested, label: 嵌套, type: text, compute: "'neg' if a < 0 else ('zero' if a == 0 else 'pos')"}
"""

DATASETS = {
    "filled": {"a": "12.50", "b": "-3.25", "n": 7, "d1": "2026-01-31", "d2": "2026-03-01", "s": "abc", "t": "xabcx",
               "flag": True, "level": "A",
               "rows": [{"qty": 3, "price": "19.99", "kind": "x"}, {"qty": 2, "price": "5.05", "kind": "y"},
                        {"qty": 1, "price": "0.10", "kind": "x"}]},
    "empty": {},
    "zeros": {"a": "0", "b": "0", "n": 0, "d1": "2024-02-29", "s": "ABC", "t": "abc", "flag": False,
              "rows": [{"price": "3.00"}, {"qty": 4}]},
    "negative": {"a": "-2.675", "b": "100.1", "n": -13, "d1": "2026-03-31", "d2": "2025-12-31", "s": "xyz",
                 "t": "Xyz", "level": "B", "rows": [{"qty": 10, "price": "0.01", "kind": "y"}]},
    "rounding": {"a": "2.675", "b": "2.675", "n": 12, "d1": "2026-12-31", "s": "中文字符", "t": "中文", "flag": True},
}


def test_each_construct_computes_what_the_engine_computes(tmp_path: Path) -> None:
    path = tmp_path / "constructs.yaml"
    path.write_text(CONSTRUCTS, encoding="utf-8")
    form = formengine.load(path)
    wb = openpyxl.load_workbook(io.BytesIO(form.render("xlsx")))
    formulas = computed_cells(wb, form)
    refused = [f.id for f in form.spec.fields if f.compute and not str(formulas.get(f.id, "")).startswith("=")]
    assert refused == []  # every construct above has a formula
    for name, data in DATASETS.items():
        assert form.validate(data).ok, (name, form.validate(data).format("en"))
    cases = [(form, name, data) for name, data in DATASETS.items()]
    assert check_formulas(tmp_path, cases) > 5 * 40
