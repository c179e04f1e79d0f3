"""The expression sandbox: escape attempts are refused when the form loads; what is accepted is
inert and its evaluation is bounded in time and size.

The table of attempts is ``formengine.fuzz.SANDBOX_PAYLOADS`` (``python -m formengine.fuzz
--sandbox`` runs it too and docs/reliability.md lists it).
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import pytest

import formengine
from formengine import fuzz
from formengine.expr import ExprError, Scope, compile_expression
from formengine.expr.types import ANY, NUMBER, TEXT

from .helpers import write_form

CASES = [pytest.param(p, slot, id=f"{i:02d}-{slot}-{p.name}")
         for i, p in enumerate(fuzz.SANDBOX_PAYLOADS) for slot in p.slots]


def test_the_table_is_large_enough() -> None:
    assert len(fuzz.SANDBOX_PAYLOADS) >= 30
    assert len(CASES) >= 90


@pytest.mark.parametrize("slot", ["compute", "visible_if", "check"])
def test_the_sandbox_form_loads_with_a_harmless_expression(tmp_path: Path, slot: str) -> None:
    expr = "qty + 1" if slot == "compute" else "qty >= 1"
    assert fuzz.check_payload(tmp_path, expr, slot) is None


@pytest.mark.parametrize(("payload", "slot"), CASES)
def test_escape_attempt_is_refused_at_load(tmp_path: Path, payload: fuzz.Payload, slot: str) -> None:
    start = time.perf_counter()
    problems = fuzz.check_payload(tmp_path, payload.expr, slot)
    assert time.perf_counter() - start < 5
    assert problems, f"{payload.expr!r} loaded"
    assert not fuzz.bad_problems(problems), [p.format("en") for p in problems]
    found = {p.code for p in problems}
    assert found & set(payload.codes), (payload.codes, [p.format("en") for p in problems])
    # located: at the line holding the expression, with a message in both languages
    text = fuzz.sandbox_form(payload.expr, slot).splitlines()
    lines = {i for i, t in enumerate(text, 1) if ("rule:" if slot == "check" else "id: target") in t}
    if "compute.cycle" in payload.codes:  # a cycle may be reported at either of its fields
        lines |= {i for i, t in enumerate(text, 1) if "id: cyc" in t}
    at = [p for p in problems if p.code in payload.codes]
    assert any(p.line in lines for p in at), [p.format("en") for p in at]
    assert all(p.message_zh and p.message_en and p.hint_en for p in at)


def test_the_sandbox_command_counts_every_case() -> None:
    counts = fuzz.run_sandbox()
    assert counts.tried == len(CASES) and counts.rejected == counts.tried, counts.failures


# ---------------------------------------------------------------- regressions of the hardening


def test_format_patterns_cannot_carry_a_format_string_attack() -> None:
    scope = Scope({"amount": NUMBER, "d": ANY})
    for pattern in ("{0.__class__}", "{}", "%s", "}{"):
        with pytest.raises(ExprError) as info:
            compile_expression(f"format(amount, '{pattern}')", scope)
        assert info.value.code == "expr.forbidden" and info.value.column == 16
    # the supported patterns still work, and a pattern coming from data is only ever text
    assert compile_expression("format(amount, '000')", scope)({"amount": 7}) == "007"
    scope = Scope({"amount": NUMBER, "name": TEXT})
    expr = compile_expression("format(amount, name)", scope)
    assert expr({"amount": 7, "name": "{0.__class__.__init__.__globals__}"}) == "7"


@pytest.mark.parametrize("source", ["ａmount", "ﬁlled(amount)", "amount + ｑty"])
def test_lookalike_names_are_not_normalised_into_real_ones(source: str) -> None:
    scope = Scope({"amount": NUMBER, "qty": NUMBER})
    with pytest.raises(ExprError) as info:
        compile_expression(source, scope)
    assert info.value.code == "expr.forbidden"
    # names in other scripts are fine when the form has them
    assert compile_expression("金额 + 1", Scope({"金额": NUMBER}))({"金额": 1}) == 2


@pytest.mark.parametrize(("source", "code"), [
    ("1e999 + amount", "expr.too_large"),
    ("1e16", "expr.too_large"),
    ("amount\x00", "expr.syntax"),
    ("concat('a', '\\x07')", "expr.forbidden"),
])
def test_constants_and_characters(source: str, code: str) -> None:
    with pytest.raises(ExprError) as info:
        compile_expression(source, Scope({"amount": NUMBER}))
    assert info.value.code == code


def test_expr_error_survives_a_generator_context_manager() -> None:
    """ExprError was a frozen dataclass: raising it through a ``@contextmanager`` block turned it
    into a FrozenInstanceError (contextlib sets ``__traceback__``)."""
    @contextlib.contextmanager
    def block():  # type: ignore[no-untyped-def]
        yield

    with pytest.raises(ExprError), block():
        compile_expression("nowhere + 1", Scope({}))


# ---------------------------------------------------------------- accepted, and bounded

BOUNDED = """\
id: bounded
title: 有界
sections:
  - title: 一
    items:
      - {id: name, label: 名称, type: textarea}
      - {id: qty, label: 数量, type: integer}
      - table:
          id: lines
          columns:
            - {id: item, label: 品名, type: text}
            - {id: price, label: 单价, type: money}
            - {id: n, label: 数量, type: integer}
            - {id: total, label: 金额, type: money, compute: price * n}
      - {id: grand, label: 合计, type: money, compute: sum(lines.total)}
      - {id: upper, label: 大写, type: text, compute: rmb_upper(grand)}
      - {id: names, label: 品名汇总, type: textarea, compute: "concat(name, name, name, name, name)"}
      - {id: doubled, label: 加倍, type: textarea, compute: name + name}
      - {id: repeated, label: 重复, type: textarea, compute: coalesce(name) * 1000000000}
      - {id: rows_repeated, label: 行, type: integer, compute: len(coalesce(lines.item) * 1000000000)}
      - {id: tower, label: 乘方, type: integer, compute: "((((qty ** 10) ** 10) ** 10) ** 10) ** 10"}
      - {id: many, label: 计数, type: integer, compute: "count(lines.item) + sum(lines.n) + max(lines.n)"}
"""


@pytest.fixture(scope="module")
def bounded(tmp_path_factory: pytest.TempPathFactory) -> formengine.Form:
    return formengine.load(write_form(tmp_path_factory.mktemp("bounded"), BOUNDED))


def _timed(form: formengine.Form, data: dict) -> tuple[formengine.ValidationResult, float]:
    start = time.perf_counter()
    result = form.validate(data)
    return result, time.perf_counter() - start


def test_sum_over_two_thousand_rows_is_quick_and_exact(bounded: formengine.Form) -> None:
    rows = [{"item": f"货品{i}", "price": "1234.56", "n": i % 7 + 1} for i in range(2000)]
    result, took = _timed(bounded, {"lines": rows, "qty": 2})
    assert took < 30  # a sanity bound on a busy machine, not a benchmark
    by_path = {(e.path, e.code) for e in result.errors}
    assert ("repeated", "evaluation") not in by_path  # name is empty: null, not an error
    assert ("rows_repeated", "evaluation") in by_path
    assert ("tower", "evaluation") in by_path
    assert not {p for p, _ in by_path} - {"rows_repeated", "tower"}, result.format("en")


def test_long_texts_are_bounded(bounded: formengine.Form) -> None:
    name = "长" * 1999
    result, took = _timed(bounded, {"name": name, "qty": 1})
    assert took < 10
    errors = {e.path: e for e in result.errors}
    assert set(errors) == {"repeated"}, result.format("en")  # refused before a 2 GB text is built
    assert "too long" in errors["repeated"].message_en
    # `+` and concat() on text stop at 10,000 characters
    result, took = _timed(bounded, {"name": "字" * 6000, "qty": 1})
    assert took < 10
    assert {e.path for e in result.errors} == {"names", "doubled", "repeated"}, result.format("en")


def test_nested_powers_of_a_large_number_are_refused_not_computed(bounded: formengine.Form) -> None:
    result, took = _timed(bounded, {"qty": 10**27})
    assert took < 5
    assert [(e.path, e.code) for e in result.errors] == [("tower", "evaluation")]
    assert "too large" in result.errors[0].message_en


def test_inert_payloads_load_and_evaluate_to_text(tmp_path: Path) -> None:
    for i, expr in enumerate(fuzz.INERT_PAYLOADS):
        folder = tmp_path / str(i)
        folder.mkdir()
        assert fuzz.check_payload(folder, expr, "check") is None, expr
        form = formengine.load(folder / "sandbox_check.yaml")
        js = form.spec.checks[0].rule.js
        assert "</" not in js and "<!--" not in js and "\u2028" not in js
        result = form.validate({"name": "普通", "amount": "7"})
        assert result.ok, result.format("en")  # each rule holds: the text is compared as text
