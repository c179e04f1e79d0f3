"""The expression language: exact decimals, null semantics, scoping, and what it refuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from formengine.expr import EvaluationError, ExprError, Scope, compile_expression
from formengine.expr.to_python import MAX_TEXT
from formengine.expr.types import DATE, NUMBER, TEXT, list_of, table

SCOPE = Scope(
    form={"a": NUMBER, "b": NUMBER, "d": DATE, "e": DATE, "name": TEXT, "tags": list_of(TEXT),
          "lines": table({"total": NUMBER, "qty": NUMBER})},
)
ROW = Scope(form=SCOPE.form, row={"unit_price": NUMBER, "qty": NUMBER}, context="table")


def run(src: str, form: dict | None = None, scope: Scope = SCOPE, row: dict | None = None, ctx: dict | None = None):
    return compile_expression(src, scope)(form or {}, row, ctx)


@pytest.mark.parametrize("src,expected", [
    ("0.1 + 0.2 == 0.3", True),
    ("1 / 3 * 3 == 1", False),  # exact decimal, 28 digits: like Python's Decimal
    ("round(2.675, 2)", Decimal("2.68")),
    ("round(-2.5)", Decimal("-3")),
    ("7 // 2", 3),
    ("2 ** 10", 1024),
    ("'a' in ['a', 'b']", True),
    ("1 < 2 < 3", True),
    ("'x' if 1 > 2 else 'y'", "y"),
    ("concat('SZ', format(1, '000'))", "SZ001"),
    ("rmb_upper(1234.5)", "壹仟贰佰叁拾肆元伍角"),
    ("null", None),
])
def test_literal_expressions(src: str, expected: object) -> None:
    assert run(src) == expected


def test_null_propagates_and_checks_pass_on_unknown() -> None:
    assert run("a * b", {"a": 3}) is None
    assert run("a > 1 and b > 1", {"a": 3}) is None  # unknown, not False: a check with it passes
    assert run("a > 5 and b > 1", {"a": 3}) is False
    assert run("a > 1 or b > 1", {"a": 3}) is True
    assert run("a / b", {"a": 1, "b": 0}) is None


def test_table_columns_and_row_scope() -> None:
    rows = [{"total": Decimal("1.10")}, {"total": None}, {"total": Decimal("2.20")}]
    assert run("sum(lines.total)", {"lines": rows}) == Decimal("3.30")
    assert run("count(lines.total)", {"lines": rows}) == 2
    assert run("unit_price * qty", {}, ROW, {"unit_price": Decimal("12.50"), "qty": 3}) == Decimal("37.50")
    assert run("row_number()", {}, ROW, {}, {"index": 4}) == 5


def test_dates() -> None:
    form = {"d": dt.date(2026, 1, 31), "e": dt.date(2026, 3, 1)}
    assert run("add_months(d, 1)", form) == dt.date(2026, 2, 28)
    assert run("days_between(d, e)", form) == 29
    assert run("weekday_zh(d)", form) == "星期六"
    assert run("e > d", form) is True


@pytest.mark.parametrize("src,code", [
    ("__import__('os')", "expr.forbidden"),
    ("a.__class__", "expr.forbidden"),
    ("name.upper()", "expr.forbidden"),
    ("(lambda: 1)()", "expr.forbidden"),
    ("[x for x in tags]", "expr.forbidden"),
    ("(a := 1)", "expr.forbidden"),
    ("f'{a}'", "expr.forbidden"),
    ("tags[0]", "expr.forbidden"),
    ("9 ** 9 ** 9", "expr.too_large"),
    ("a ** b", "expr.too_large"),
    ("'a' * 10", "expr.type"),
    ("a + name", "expr.type"),
    ("d > 3", "expr.type"),
    ("sum(a, ", "expr.syntax"),
    ("nmae", "expr.unknown_name"),
    ("summ(a)", "expr.unknown_function"),
    ("round(a, 1, 2)", "expr.arity"),
    ("row_number()", "expr.context"),
    ("a" + " + a" * 600, "expr.too_large"),
    ("-" * 40 + "a", "expr.too_large"),
])
def test_refused_at_compile_time(src: str, code: str) -> None:
    with pytest.raises(ExprError) as info:
        compile_expression(src, SCOPE)
    assert info.value.code == code


def test_did_you_mean_for_names_and_functions() -> None:
    with pytest.raises(ExprError) as info:
        compile_expression("nmae", SCOPE)
    assert "name" in str(info.value.params["suggestion"])
    with pytest.raises(ExprError) as info:
        compile_expression("summ(a)", SCOPE)
    assert "sum" in str(info.value.params["suggestion"])


def test_runtime_type_errors_are_evaluation_errors() -> None:
    from formengine.expr.types import ANY

    expr = compile_expression("x + 1", Scope(form={"x": ANY}))
    with pytest.raises(EvaluationError):
        expr({"x": "text"})


TEXTS = Scope(form={**SCOPE.form, "t": TEXT})  # a one-letter name: 190 arguments fit in an expression


def test_text_functions_stop_at_max_text() -> None:
    """concat(), format() and upper() build at most MAX_TEXT characters, like `+` and `*` on text."""
    big = "字" * MAX_TEXT
    assert run("concat(name)", {"name": big}) == big  # at the limit: made
    assert run("concat(name, null, '')", {"name": big}) == big  # empty values add nothing
    for src, name in [
        ("concat(name, 'x')", big),
        ("concat(" + ", ".join(["t"] * 190) + ")", big),  # 1,900,000 characters if it were built
        ("format(d, name)", "YYYY" * 2501),  # a submitted pattern past the limit
        ("format(a, name)", "0" * (MAX_TEXT + 1)),
        ("upper(name)", "ß" * (MAX_TEXT // 2 + 1)),  # 'ß' → 'SS'
    ]:
        with pytest.raises(EvaluationError, match="text too long"):
            run(src, {"name": name, "t": name, "d": dt.date(2026, 1, 5), "a": 7}, TEXTS)
    with pytest.raises(EvaluationError, match="text too long"):
        run("format(a, 'x')", {"a": Decimal("1E+10000")})  # a number written out in full
    assert len(run("format(a, 'x')", {"a": Decimal(f"1E+{MAX_TEXT - 1}")})) == MAX_TEXT


def test_concat_stops_before_joining(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parts past the limit are never turned into text: the work stops with the first one too many."""
    from formengine.expr import functions

    seen: list[object] = []

    def counting(v: object) -> str:
        seen.append(v)
        return functions_text(v)

    functions_text = functions._text
    monkeypatch.setattr(functions, "_text", counting)
    with pytest.raises(EvaluationError):
        functions.FUNCTIONS["concat"].impl(*["x" * MAX_TEXT] * 190)
    assert len(seen) == 2
