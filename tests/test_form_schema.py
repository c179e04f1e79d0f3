"""Tests for schemas/form.schema.json, the JSON Schema of the form definition language."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "form.schema.json"

CJK = re.compile(r"[\u3400-\u9fff]")
ASCII_LETTER = re.compile(r"[A-Za-z]")

# Keywords whose value is a subschema / a list of subschemas / a mapping of subschemas.
CONDITION_KEYS = {"if", "then", "else", "not"}
SUBSCHEMA_KEYS = {
    "items", "contains", "additionalProperties", "propertyNames", "not", "if", "then", "else",
    "unevaluatedItems", "unevaluatedProperties", "contentSchema",
}
SUBSCHEMA_LIST_KEYS = {"allOf", "anyOf", "oneOf", "prefixItems"}
SUBSCHEMA_MAP_KEYS = {"properties", "patternProperties", "dependentSchemas", "$defs"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema)


def load(text: str) -> Any:
    return yaml.safe_load(textwrap.dedent(text))


# ---------------------------------------------------------------------------
# 1. the schema itself


def test_schema_is_valid_2020_12(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://formengine.dev/schemas/form.schema.json"
    assert schema["title"] and schema["description"]
    Draft202012Validator.check_schema(schema)


def _walk(node: Any, where: str) -> Iterator[tuple[str, str, Any]]:
    """Yield (location, property name, property schema) for every entry of every `properties`."""
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in CONDITION_KEYS:
            continue  # conditions only select rules; editors show their descriptions as a key's help
        if key in SUBSCHEMA_KEYS:
            yield from _walk(value, f"{where}/{key}")
        elif key in SUBSCHEMA_LIST_KEYS and isinstance(value, list):
            for i, sub in enumerate(value):
                yield from _walk(sub, f"{where}/{key}/{i}")
        elif key in SUBSCHEMA_MAP_KEYS and isinstance(value, dict):
            for name, sub in value.items():
                if key == "properties":
                    yield f"{where}/properties", name, sub
                yield from _walk(sub, f"{where}/{key}/{name}")


def test_every_property_has_a_bilingual_description(schema: dict[str, Any]) -> None:
    props = list(_walk(schema, "#"))
    assert len(props) > 100  # the walk really reaches the nested definitions
    bad = []
    for where, name, sub in props:
        desc = sub.get("description") if isinstance(sub, dict) else None
        if not (
            isinstance(desc, str)
            and desc.strip()
            and CJK.search(desc)
            and ASCII_LETTER.search(desc)
        ):
            bad.append(f"{where}/{name}: {desc!r}")
    assert not bad, "properties without a bilingual description:\n" + "\n".join(bad)


def test_conditions_carry_no_description(schema: dict[str, Any]) -> None:
    """yaml-language-server shows a description found inside if/then as the key's help text."""
    def descriptions(node: Any) -> int:
        if isinstance(node, dict):
            return ("description" in node) + sum(descriptions(v) for v in node.values())
        return sum(descriptions(v) for v in node) if isinstance(node, list) else 0

    def conditions(node: Any) -> Iterator[Any]:
        if isinstance(node, dict):
            for key, value in node.items():
                yield from [value] if key in CONDITION_KEYS else conditions(value)
        elif isinstance(node, list):
            for value in node:
                yield from conditions(value)

    found = list(conditions(schema))
    assert found and sum(descriptions(c) for c in found) == 0


def test_required_defs_exist(schema: dict[str, Any]) -> None:
    defs = schema["$defs"]
    for name in (
        "text", "expression", "identifier", "field", "option", "choice_list", "table", "grid",
        "tree", "text_item", "group", "use_item", "section", "block", "check", "copies",
        "source", "print",
    ):
        assert name in defs, name
    assert defs["expression"]["maxLength"] == 1000
    assert defs["identifier"]["pattern"] == "^[a-z][a-z0-9_]*$"
    assert len(defs["field"]["properties"]["type"]["enum"]) == 28


# ---------------------------------------------------------------------------
# 2. valid documents

VALID = {
    "minimal form": """
        id: minimal
        title: 最小表单
        sections:
          - title: 基本信息
            items:
              - {id: name, label: 姓名, type: text, required: true}
        """,
    "sales contract (doc examples)": """
        # yaml-language-server: $schema=../../schemas/form.schema.json
        id: sales_contract
        title: {zh: 买卖合同, en: Sales contract}
        version: "1.0"
        domain: sales
        source: {document: 002_819d55f1a4f3993c.txt, heading: 三 E05 买卖合同}
        code: E05
        copies: {count: 4, note: 客人一份、财务部一份、销售部两份}
        notes: [本合同一式四份, {zh: 双方签字后生效, en: Effective when signed}]
        numbering: arabic
        print: {orientation: landscape}
        include: [../_shared/approval.yaml]
        choices:
          satisfaction: [满意, 一般, 不满意]
          funding:
            - {value: 免费}
            - {value: 补贴, label: {zh: 政府补贴, en: Subsidy}, blank: money, unit: 元/人}
            - {value: 其他, blank: text}
        blocks:
          contact:
            - {id: name, label: 联系人, type: text}
            - {id: phone, label: 电话, type: phone}
          signoff:
            title: 签署
            items:
              - {id: signer, label: 签字, type: signature}
        sections:
          - title: 立约人
            hint: 请填写全称
            items:
              - {id: buyer, label: 甲方, type: text, required: true, max_length: 60}
              - {id: buyer_uscc, label: 统一社会信用代码, type: uscc}
              - use: contact
                prefix: buyer_
              - {use: contact, prefix: seller_}
              - {id: sign_date, label: 签约日期, type: date, default_expr: today()}
              - {id: delivery_date, label: 交货日期, type: date, min: "2026-01-01"}
              - id: funding
                label: 资金来源
                type: choice
                choices: funding
                print: inline
              - {id: sat, label: 满意度, type: multi_choice, choices: [好, 差], other: true, max: 2}
              - {id: rate, label: 税率, type: decimal, places: 3, unit: "%"}
              - {id: memo, label: 备注, type: textarea, lines: 5}
              - {id: code, label: 编号, type: text, pattern: "^[A-Z]{2}\\\\d+$", pattern_message: 格式错误}
              - {id: photo, label: 照片, type: image, width: 951, height: {min: 550, max: 700},
                 max_bytes: 120000, formats: [png, jpeg]}
              - {id: licence, label: 营业执照, type: attachment, formats: [pdf]}
          - title: 货品
            numbered: false
            visible_if: buyer != ''
            items:
              - table:
                  id: lines
                  title: 货品
                  min_rows: 1
                  max_rows: 20
                  print_rows: 8
                  row_number: 序号
                  columns:
                    - {id: name, label: 货品名称, type: text, required: true, unique: true}
                    - {id: unit_price, label: 单价, type: money, required: true}
                    - {id: qty, label: 数量, type: integer, min: 1}
                    - {id: total, label: 总价, type: money, compute: unit_price * qty}
                  checks:
                    - {rule: qty <= 1000, message: 单行数量不超过1000}
              - {id: amount, label: 合计, type: money, compute: sum(lines.total), print: digit_boxes}
          - title: 来店客户
            items:
              - grid:
                  id: visitors
                  title: 来店客户批数
                  corner: 时间段\\日期
                  rows: ["08:00-10:00", "10:00-12:00"]
                  columns: {from: 1, to: 31}
                  cell: {type: integer, min: 0}
                  row_totals: 合计
                  column_totals: 合计
              - grid:
                  id: survey
                  rows: [{key: q1, label: 服务态度}, {key: q2, label: 响应速度}]
                  columns: {choices: satisfaction}
                  one_per_row: true
              - grid:
                  id: scores
                  rows: [甲, 乙]
                  columns: [一月, {key: feb, label: 二月}]
                  cell: {type: choice, choices: [A, B]}
          - title: 物料
            items:
              - tree:
                  id: bom
                  title: 物料清单
                  max_depth: 8
                  print_rows: 10
                  columns:
                    - {id: level, label: 阶层, type: integer, compute: level()}
                    - {id: number, label: 序号, type: text, compute: outline()}
                    - {id: part_no, label: 料号, type: text, required: true}
          - title: 条款
            items:
              - text: "交货期限：{delivery_deadline}"
                blanks:
                  - {id: delivery_deadline, label: 交货期限, type: date}
              - text: {zh: 本合同自双方签字之日起生效。, en: Effective on signature.}
              - group:
                  title: 付款
                  visible_if: amount > 0
                  items:
                    - {id: pay_days, label: 付款天数, type: integer, min: 0, max: 90}
                    - {text: 另行约定。}
          - use: signoff
        checks:
          - rule: delivery_date >= sign_date
            path: delivery_date
            message: {zh: 交货期限不得早于签约日期, en: Delivery cannot precede signing}
            when: filled(delivery_date)
            code: delivery_before_signing
        """,
    "include file": """
        include: [other.yaml]
        choices:
          gender: [男, 女]
        blocks:
          approval:
            title: 审批
            items:
              - {id: manager, label: 经理, type: signature}
          address:
            - {id: province, label: 省, type: text}
            - {id: postcode, label: 邮编, type: postcode}
        """,
    "include file with choices only": """
        choices:
          yes_no: [是, 否]
        """,
    "copies as an integer": """
        id: receipt
        title: 收据
        copies: 3
        sections:
          - use: approval
        """,
}


@pytest.mark.parametrize("name", list(VALID))
def test_valid_documents(validator: Draft202012Validator, name: str) -> None:
    doc = load(VALID[name])
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert not errors, "\n".join(errors)


# ---------------------------------------------------------------------------
# 3. invalid documents: (yaml, expected error path, expected validator keyword)

FORM_HEAD = """
id: broken
title: 坏表单
"""

INVALID = {
    "unknown key lable": (
        """
        sections:
          - title: 甲
            items:
              - {id: buyer, lable: 甲方, type: text}
        """,
        ["sections", 0, "items", 0],
        "additionalProperties",
    ),
    "wrong type value": (
        """
        sections:
          - title: 甲
            items:
              - {id: buyer, label: 甲方, type: string}
        """,
        ["sections", 0, "items", 0, "type"],
        "enum",
    ),
    "table without columns": (
        """
        sections:
          - title: 甲
            items:
              - {id: buyer, label: 甲方, type: text}
              - table: {id: lines, title: 货品}
        """,
        ["sections", 0, "items", 1, "table"],
        "required",
    ),
    "bad id Buyer": (
        """
        sections:
          - title: 甲
            items:
              - {id: Buyer, label: 甲方, type: text}
        """,
        ["sections", 0, "items", 0, "id"],
        "pattern",
    ),
    "mistake inside a table column": (
        """
        sections:
          - title: 甲
            items:
              - table:
                  id: lines
                  columns:
                    - {id: qty, label: 数量, type: integer, minimum: 1}
        """,
        ["sections", 0, "items", 0, "table", "columns", 0],
        "additionalProperties",
    ),
    "image column in a table": (
        """
        sections:
          - title: 甲
            items:
              - table:
                  id: lines
                  columns:
                    - {id: photo, label: 照片, type: image}
        """,
        ["sections", 0, "items", 0, "table", "columns", 0, "type"],
        "not",
    ),
    "choice without choices": (
        """
        sections:
          - title: 甲
            items:
              - {id: gender, label: 性别, type: choice}
        """,
        ["sections", 0, "items", 0],
        "required",
    ),
    "places on money": (
        """
        sections:
          - title: 甲
            items:
              - {id: price, label: 价格, type: money, places: 3}
        """,
        ["sections", 0, "items", 0, "type"],
        "enum",
    ),
    "grid cell missing": (
        """
        sections:
          - title: 甲
            items:
              - grid: {id: g, rows: [a], columns: [b]}
        """,
        ["sections", 0, "items", 0, "grid"],
        "required",
    ),
    "text item with unknown key": (
        """
        sections:
          - title: 甲
            items:
              - {text: "交货：{d}", blank: [{id: d, label: 日期, type: date}]}
        """,
        ["sections", 0, "items", 0],
        "additionalProperties",
    ),
    "use section with title": (
        """
        sections:
          - {use: approval, title: 审批}
        """,
        ["sections", 0],
        "additionalProperties",
    ),
    "section without title": (
        """
        sections:
          - items:
              - {id: a, label: 甲, type: text}
        """,
        ["sections", 0],
        "required",
    ),
    "text without zh": (
        """
        sections:
          - title: {en: Parties}
        """,
        ["sections", 0, "title"],
        "required",
    ),
    "expression too long": (
        """
        sections:
          - title: 甲
            visible_if: "%s"
        """ % ("a" * 1001),
        ["sections", 0, "visible_if"],
        "maxLength",
    ),
    "check without message": (
        """
        sections:
          - title: 甲
        checks:
          - {rule: a > b}
        """,
        ["checks", 0],
        "required",
    ),
    "unknown domain": (
        """
        domain: retail
        sections:
          - title: 甲
        """,
        ["domain"],
        "enum",
    ),
}

INVALID_WHOLE = {
    "form without sections": (
        """
        id: broken
        title: 坏表单
        """,
        [],
        "required",
    ),
    "include file with a form key": (
        """
        version: "1.0"
        choices:
          gender: [男, 女]
        """,
        [],
        "required",
    ),
    "unknown top-level key": (
        """
        choices:
          gender: [男, 女]
        extra: 1
        """,
        [],
        "additionalProperties",
    ),
    "bad block in include file": (
        """
        blocks:
          approval:
            items:
              - {id: manager, label: 经理, type: signature}
        """,
        ["blocks", "approval"],
        "required",
    ),
    "option blank of a wrong type": (
        """
        choices:
          funding:
            - {value: 其他, blank: date}
        """,
        ["choices", "funding", 0, "blank"],
        "enum",
    ),
    "absolute include": (
        """
        include: [/etc/forms/shared.yaml]
        """,
        ["include", 0],
        "pattern",
    ),
}


def _check_invalid(
    validator: Draft202012Validator, doc: Any, path: list[Any], keyword: str
) -> None:
    errors = list(validator.iter_errors(doc))
    assert errors, "document should be invalid"
    found = [(list(e.absolute_path), e.validator) for e in errors]
    assert (path, keyword) in found, found
    # every error is located at (or under) the expected place: no noise elsewhere
    for err_path, _ in found:
        assert err_path[: len(path)] == path, found


@pytest.mark.parametrize("name", list(INVALID))
def test_invalid_form_items(validator: Draft202012Validator, name: str) -> None:
    text, path, keyword = INVALID[name]
    doc = load(FORM_HEAD) | load(text)
    _check_invalid(validator, doc, path, keyword)


@pytest.mark.parametrize("name", list(INVALID_WHOLE))
def test_invalid_documents(validator: Draft202012Validator, name: str) -> None:
    text, path, keyword = INVALID_WHOLE[name]
    _check_invalid(validator, load(text), path, keyword)
