"""The expression language computes the same in Python and in the browser.

Every case in ``expr_conformance.yaml`` is compiled once, evaluated by the Python callable
(``to_python``) and by the JavaScript twin (``to_js`` + ``runtime.js``), and both results
must equal the case's ``expect``.  All JavaScript cases run in ONE ``node`` process.

Case format (see the comment at the top of the YAML file):

* ``scope`` / ``row_scope``: ``{name: type}``, type one of ``number``, ``text``, ``date``,
  ``bool``, ``any``, ``grid``, ``grid:number``, ``list:<type>``,
  ``table:col=type,col=type``, ``record:attr=type,…``; ``context``: ``table`` or ``tree``;
* ``form`` / ``row``: values as YAML; under ``number`` an int stays an int and a string is
  a Decimal (``"12.50"``), under ``date`` a string is a date; anywhere ``{dec: "1.5"}``
  and ``{date: "2026-01-05"}`` give a Decimal / a date; ``ctx``: ``{index: 2}`` or
  ``{outline: [0, 1]}``;
* ``expect``: the canonical result — ``null``, booleans, ints and text as themselves,
  ``{dec: str(d)}`` for a Decimal (Python's ``str``, so ``"1E+2"`` and ``"100"`` differ),
  ``{date: "YYYY-MM-DD"}``, lists as lists, ``{error: true}`` when evaluation raises.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import random
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from formengine.expr import Expression, Scope, compile_expression
from formengine.expr.functions import FUNCTIONS
from formengine.expr.to_js import RUNTIME_PATH, js_string, pinyin_table_js
from formengine.expr.types import (
    ANY,
    BOOL,
    DATE,
    GRID,
    NUMBER,
    TEXT,
    Type,
    list_of,
    record,
    table,
)

HERE = Path(__file__).resolve().parent
CASES_PATH = HERE / "expr_conformance.yaml"
NODE = shutil.which("node")

# ---------------------------------------------------------------------------
# Types and values
# ---------------------------------------------------------------------------

_SIMPLE = {"number": NUMBER, "text": TEXT, "date": DATE, "bool": BOOL, "any": ANY, "grid": GRID,
           "grid:number": GRID}


def _fields(spec: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in spec.split(",")) if spec else {}


def parse_type(spec: str) -> Type:
    if spec in _SIMPLE:
        return _SIMPLE[spec]
    kind, _, rest = spec.partition(":")
    if kind == "list":
        return list_of(parse_type(rest))
    if kind == "table":
        return table({k: parse_type(v) for k, v in _fields(rest).items()})
    if kind == "record":
        return record(**{k: parse_type(v) for k, v in _fields(rest).items()})
    raise ValueError(f"unknown type {spec!r}")


def _tagged(v: Any) -> Any:
    """{dec: …} / {date: …} anywhere; lists and mappings recursively."""
    if isinstance(v, dict) and set(v) == {"dec"}:
        return Decimal(str(v["dec"]))
    if isinstance(v, dict) and set(v) == {"date"}:
        return dt.date.fromisoformat(str(v["date"]))
    if isinstance(v, list):
        return [_tagged(x) for x in v]
    if isinstance(v, dict):
        return {k: _tagged(x) for k, x in v.items()}
    assert not isinstance(v, float), f"write decimals as strings, not YAML floats: {v!r}"
    return v


def to_python(spec: str, v: Any) -> Any:
    """A YAML value as the server's expressions see a field of type *spec*."""
    if v is None:
        return None
    if isinstance(v, dict) and set(v) in ({"dec"}, {"date"}):
        return _tagged(v)
    kind, _, rest = spec.partition(":")
    if kind == "number":
        assert not isinstance(v, float), f"write decimals as strings, not YAML floats: {v!r}"
        return Decimal(v) if isinstance(v, str) and v != "" else v
    if kind == "date":
        return dt.date.fromisoformat(v) if isinstance(v, str) else _tagged(v)
    if kind == "list":
        return [to_python(rest, x) for x in v]
    if kind == "table":
        cols = _fields(rest)
        return [{k: to_python(cols.get(k, "any"), x) for k, x in r.items()} for r in v]
    if kind == "record":
        attrs = _fields(rest)
        return {k: to_python(attrs.get(k, "any"), x) for k, x in v.items()}
    if kind == "grid":
        cell = "number" if rest == "number" else "any"
        return {r: {c: to_python(cell, x) for c, x in cols.items()} if isinstance(cols, dict) else _tagged(cols)
                for r, cols in v.items()}
    return _tagged(v)


def encode(v: Any) -> Any:
    """Python value → tagged JSON that the node driver turns into runtime values."""
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return {"$int": str(v)}
    if isinstance(v, Decimal):
        return {"$dec": str(v)}
    if isinstance(v, dt.date):
        return {"$date": v.isoformat()}
    if isinstance(v, (list, tuple)):
        return [encode(x) for x in v]
    if isinstance(v, dict):
        return {"$obj": {k: encode(x) for k, x in v.items()}}
    raise TypeError(f"cannot encode {v!r}")


def canonical(v: Any) -> Any:
    """The comparable form of a result (the node driver builds the same one)."""
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, Decimal):
        return {"dec": str(v)}
    if isinstance(v, dt.date):
        return {"date": v.isoformat()}
    if isinstance(v, (list, tuple)):
        return [canonical(x) for x in v]
    if isinstance(v, dict):
        return {"obj": {k: canonical(x) for k, x in v.items()}}
    return {"other": repr(v)}


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


class Case:
    def __init__(self, index: int, raw: dict[str, Any]):
        self.index = index
        self.raw = raw
        self.expr: str = raw["expr"]
        scope = {k: str(t) for k, t in (raw.get("scope") or {}).items()}
        row_scope = {k: str(t) for k, t in (raw.get("row_scope") or {}).items()}
        self.scope = Scope({k: parse_type(t) for k, t in scope.items()},
                           {k: parse_type(t) for k, t in row_scope.items()},
                           raw.get("context", "form"))
        self.form = {k: to_python(scope.get(k, "any"), v) for k, v in (raw.get("form") or {}).items()}
        self.row = ({k: to_python(row_scope.get(k, "any"), v) for k, v in raw["row"].items()}
                    if "row" in raw else None)
        self.ctx = raw.get("ctx")
        self.expect = raw["expect"]
        slug = re.sub(r"\s+", " ", self.expr)[:48]
        self.id = raw.get("id") or f"{index:03d}:{slug}"

    def compile(self) -> Expression:
        return compile_expression(self.expr, self.scope)


def _load_cases() -> list[Case]:
    raw = yaml.safe_load(CASES_PATH.read_text(encoding="utf-8"))
    return [Case(i, c) for i, c in enumerate(raw)]


CASES = _load_cases()


def run_python(expr: Expression, form: dict[str, Any], row: dict[str, Any] | None,
               ctx: dict[str, Any] | None) -> Any:
    try:
        return canonical(expr(form, row, ctx))
    except Exception:  # noqa: BLE001 - the server reports any exception as an evaluation error
        return {"error": True}


# Random arithmetic over ints and decimals: extra Python-vs-JavaScript checks beyond the
# hand-written table (the expected value is whatever Python computes).


def _random_cases(count: int = 300, seed: int = 20260105) -> list[tuple[str, str, dict[str, Any]]]:
    rnd = random.Random(seed)
    names = {"a": NUMBER, "b": NUMBER, "c": NUMBER}

    def number() -> Any:
        kind = rnd.random()
        if kind < 0.3:
            return rnd.randint(-1000, 1000)
        digits = rnd.choice([1, 2, 3, 6, 12, 20, 27, 30])
        value = Decimal(rnd.randrange(10 ** digits)).scaleb(-rnd.randint(0, 8))
        return -value if rnd.random() < 0.4 else value

    def operand(depth: int) -> str:
        if depth > 2 or rnd.random() < 0.4:
            return rnd.choice(["a", "b", "c", "0.5", "3", "-2", "1.25", "0.1", "7"])
        op = rnd.choice(["+", "-", "*", "/", "//", "%", "**"])
        if op == "**":
            return f"({operand(depth + 1)}) ** {rnd.choice(['2', '3', '-1', '-2', '0.5', '1.5', '10', '0'])}"
        return f"({operand(depth + 1)} {op} {operand(depth + 1)})"

    out = []
    for i in range(count):
        expr = operand(0)
        wrap = rnd.random()
        if wrap < 0.15:
            expr = f"round({expr}, {rnd.randint(-2, 4)})"
        elif wrap < 0.25:
            expr = f"format({expr}, '{rnd.choice(['0', '000', '0.00', '0.0000'])}')"
        elif wrap < 0.35:
            expr = f"{expr} {rnd.choice(['<', '<=', '==', '!=', '>', '>='])} {operand(1)}"
        form = {n: number() for n in names}
        out.append((f"rand{i:03d}", expr, form))
    return out


RANDOM = _random_cases()
RANDOM_SCOPE = Scope({"a": NUMBER, "b": NUMBER, "c": NUMBER})


# ---------------------------------------------------------------------------
# JavaScript: one node process for everything
# ---------------------------------------------------------------------------

DRIVER = r"""
'use strict';
const fs = require('fs');
const [runtimePath, pinyinPath, casesPath] = process.argv.slice(2);
const R = require(runtimePath);
R.setPinyinTable(JSON.parse(fs.readFileSync(pinyinPath, 'utf8')));

function decode(v) {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(decode);
  if ('$int' in v) return BigInt(v.$int);
  if ('$dec' in v) return R.dec(v.$dec);
  if ('$date' in v) return R.date(v.$date);
  const out = {};
  for (const k of Object.keys(v.$obj)) out[k] = decode(v.$obj[k]);
  return out;
}

function canonical(v) {
  switch (R.typeOf(v)) {
    case 'null': return 'null';
    case 'bool': return v ? 'true' : 'false';
    case 'int': return v.toString();
    case 'decimal': return JSON.stringify({dec: R.str(v)});
    case 'date': return JSON.stringify({date: v.toString()});
    case 'text': return JSON.stringify(v);
    case 'list': return '[' + v.map(canonical).join(',') + ']';
    default:
      if (typeof v === 'number') return JSON.stringify({other: 'JS number ' + v});
      return '{"obj":{' + Object.keys(v).map(k => JSON.stringify(k) + ':' + canonical(v[k])).join(',') + '}}';
  }
}

const cases = JSON.parse(fs.readFileSync(casesPath, 'utf8'));
const out = [];
for (const c of cases) {
  let result;
  try {
    const f = new Function('form', 'row', 'ctx', 'R', 'return ' + c.code);
    result = canonical(f(decode(c.form), decode(c.row), c.ctx, R));
  } catch (e) {
    result = JSON.stringify({error: true, message: String(e && e.message || e)});
  }
  out.push(JSON.stringify(c.id) + ':' + result);  // text, so big ints stay exact
}
process.stdout.write('{' + out.join(',') + '}');
"""


def run_node(items: list[dict[str, Any]], tmp: Path) -> dict[str, Any]:
    assert NODE is not None
    driver = tmp / "driver.js"
    driver.write_text(DRIVER, encoding="utf-8")
    pinyin = tmp / "pinyin.json"
    pinyin.write_text(pinyin_table_js(), encoding="utf-8")
    cases = tmp / "cases.json"
    cases.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([NODE, str(driver), str(RUNTIME_PATH), str(pinyin), str(cases)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def _js_item(id: str, code: str, form: dict[str, Any], row: dict[str, Any] | None,
             ctx: dict[str, Any] | None) -> dict[str, Any]:
    return {"id": id, "code": code, "form": encode(form), "row": encode(row), "ctx": ctx}


@pytest.fixture(scope="module")
def js_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if NODE is None:
        pytest.skip("node is not on PATH")
    items = [_js_item(c.id, c.compile().js, c.form, c.row, c.ctx) for c in CASES]
    for id, expr, form in RANDOM:
        items.append(_js_item(id, compile_expression(expr, RANDOM_SCOPE).js, form, None, None))
    return run_node(items, tmp_path_factory.mktemp("expr_js"))


def _strip(result: Any) -> Any:
    if isinstance(result, dict) and result.get("error") is True:
        return {"error": True}
    return result


# ---------------------------------------------------------------------------
# The table, in both languages
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_python(case: Case) -> None:
    assert run_python(case.compile(), case.form, case.row, case.ctx) == case.expect


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_javascript(case: Case, js_results: dict[str, Any]) -> None:
    result = js_results[case.id]
    assert _strip(result) == case.expect, result


@pytest.mark.parametrize(("id", "expr", "form"), RANDOM, ids=[r[0] for r in RANDOM])
def test_random_arithmetic_agrees(id: str, expr: str, form: dict[str, Any], js_results: dict[str, Any]) -> None:
    expected = run_python(compile_expression(expr, RANDOM_SCOPE), form, None, None)
    assert _strip(js_results[id]) == expected, (expr, form, js_results[id])


def test_table_is_large_and_covers_every_function() -> None:
    assert len(CASES) >= 80
    called = {node.func.id for c in CASES for node in ast.walk(ast.parse(c.expr.strip(), mode="eval"))
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert set(FUNCTIONS) <= called, sorted(set(FUNCTIONS) - called)
    assert len({c.id for c in CASES}) == len(CASES)


# ---------------------------------------------------------------------------
# Emitted code: safe inside <script>, same strings
# ---------------------------------------------------------------------------

HOSTILE = [
    "</script><script>alert(1)</script>",
    "a\u2028b\u2029c",
    "<!-- x --> & y",
    "\\\"'`${x}",
    "\u007f\u0085\ud7ff",  # control characters (U+0000–U+001F) are refused in text constants (test_sandbox.py)
]


def _literal_source(text: str) -> str:
    return "concat(" + repr(text) + ")"


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_literals_are_escaped(text: str) -> None:
    code = compile_expression(_literal_source(text), Scope({})).js
    assert "<" not in code and ">" not in code.replace("=>", "") and "&" not in code
    assert "\u2028" not in code and "\u2029" not in code
    assert code.isascii()


def test_hostile_literals_evaluate_to_the_same_text(tmp_path: Path) -> None:
    if NODE is None:
        pytest.skip("node is not on PATH")
    raw = "concat('</script><script>alert(1)</script>', '\u2028')"  # a raw U+2028 in the source
    sources = [raw] + [_literal_source(t) for t in HOSTILE]
    items = []
    for i, source in enumerate(sources):
        expr = compile_expression(source, Scope({}))
        items.append(_js_item(f"h{i}", expr.js, {}, None, None))
    results = run_node(items, tmp_path)
    for i, source in enumerate(sources):
        expected = compile_expression(source, Scope({}))({})
        assert results[f"h{i}"] == expected


def test_js_string_escapes_html_and_line_separators() -> None:
    assert js_string("</script>") == '"\\u003c/script\\u003e"'
    assert js_string("a\u2028b") == '"a\\u2028b"'
    assert js_string("&") == '"\\u0026"'
    assert json.loads(js_string("</script>\u2028&")) == "</script>\u2028&"


def test_names_and_attributes_are_quoted() -> None:
    scope = Scope({"金额": NUMBER, "lines": table({"qty": NUMBER}), "period": record(start=DATE)},
                  {"qty": NUMBER}, "table")
    code = compile_expression("金额 + qty + sum(lines.qty) + days_between(period.start, today())", scope).js
    assert code.isascii()
    assert 'R.get(form, "\\u91d1\\u989d")' in code
    assert 'R.get(row, "qty")' in code
    assert 'R.column(R.get(form, "lines"), "qty")' in code
    assert 'R.attr(R.get(form, "period"), "start")' in code


def test_expression_js_property() -> None:
    expr = compile_expression("round(unit_price * qty, 2)", Scope({}, {"unit_price": NUMBER, "qty": NUMBER}, "table"))
    assert expr.js == 'R.fn.round(R.mul(R.get(row, "unit_price"), R.get(row, "qty")), 2n)'


def test_pinyin_table_inverts_the_python_table() -> None:
    from formengine.cn import pinyin_initial_table

    inverted = {ch: letter for letter, chars in json.loads(pinyin_table_js()).items() for ch in chars}
    assert inverted == {ch: ini for ch, ini in pinyin_initial_table().items() if ini}
    assert "<" not in pinyin_table_js()


def test_today_is_the_local_date(tmp_path: Path) -> None:
    if NODE is None:
        pytest.skip("node is not on PATH")
    before = dt.date.today()
    results = run_node([_js_item("today", compile_expression("today()", Scope({})).js, {}, None, None)], tmp_path)
    assert results["today"]["date"] in {before.isoformat(), dt.date.today().isoformat()}


def test_runtime_inputs_and_json(tmp_path: Path) -> None:
    """R.num / R.date read what <input> elements hold; R.toJSON gives what the server accepts."""
    if NODE is None:
        pytest.skip("node is not on PATH")
    script = tmp_path / "inputs.js"
    script.write_text(
        "const R = require(process.argv[2]);\n"
        "const show = v => JSON.stringify(R.toJSON(v));\n"
        "const out = [\n"
        "  show(R.num('1,234.50', 'decimal')), show(R.num('12', 'decimal')), show(R.num('12')),\n"
        "  show(R.num('12', 'int')), show(R.num('12.5', 'int')), show(R.num(' ￥3 ')), show(R.num(0.1)),\n"
        "  show(R.num(7)), show(R.num('abc')), show(R.num('')), show(R.num('１２')),\n"
        "  show(R.date('2026-01-05')), show(R.date('2026/1/5')), show(R.date('2026年1月5日')),\n"
        "  show(R.date('2026-02-30')), show(R.date(new Date(2026, 0, 5))),\n"
        "  R.typeOf(R.num('12.50', 'decimal')), R.typeOf(R.num(3)),\n"
        "  show([R.dec('1E+2'), 2n ** 60n, {a: R.date('2026-01-05')}]),\n"
        "];\n"
        "process.stdout.write(JSON.stringify(out));\n",
        encoding="utf-8")
    proc = subprocess.run([NODE, str(script), str(RUNTIME_PATH)], capture_output=True, text=True,
                          timeout=60, check=True)
    assert json.loads(proc.stdout) == [
        '"1234.50"', '"12"', "12", "12", "null", "3", '"0.1"', "7", "null", "null", "12",
        '"2026-01-05"', '"2026-01-05"', '"2026-01-05"', "null", '"2026-01-05"',
        "decimal", "int", '["100",' + '"1152921504606846976"' + ',{"a":"2026-01-05"}]',
    ]


def test_runtime_has_every_function() -> None:
    if NODE is None:
        pytest.skip("node is not on PATH")
    proc = subprocess.run([NODE, "-e", "process.stdout.write(JSON.stringify(Object.keys(require(process.argv[1]).fn)))",
                           str(RUNTIME_PATH)], capture_output=True, text=True, timeout=60, check=True)
    assert set(json.loads(proc.stdout)) == set(FUNCTIONS)
