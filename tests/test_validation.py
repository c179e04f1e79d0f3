"""Submissions: every error at once, with its path, stable code and zh/en message."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

import formengine
from formengine.validation import MAX_ISSUES

from .helpers import load_text

FORM = """\
id: demo
title: {zh: 演示, en: Demo}
choices:
  funding:
    - {value: 免费}
    - {value: 补贴, blank: money, unit: 元/人}
sections:
  - title: 基本
    items:
      - {id: name, label: 姓名, type: text, required: true, max_length: 10}
      - {id: id_no, label: 身份证, type: id_card}
      - {id: uscc, label: 信用代码, type: uscc}
      - {id: mobile, label: 手机, type: mobile}
      - {id: postcode, label: 邮编, type: postcode}
      - {id: plate, label: 车牌, type: plate_number}
      - {id: founded, label: 成立时间, type: date}
      - {id: period, label: 期间, type: date_range}
      - {id: months, label: 起止年月, type: year_month_range}
      - {id: ok, label: 同意, type: boolean}
      - {id: reason, label: 原因, type: choice, choices: [价格, 服务], other: true}
      - {id: fund, label: 经费, type: choice, choices: funding}
      - {id: devices, label: 设备, type: multi_choice, choices: [电脑, 手机], max: 2}
      - {id: result, label: 结果, type: choice, choices: [成功, 失败]}
      - {id: fail_reason, label: 失败原因, type: text, visible_if: "result == '失败'", required: true}
      - {id: contract_no, label: 合同号, type: text, required_if: "result == '成功'"}
      - {id: staff, label: 员工总数, type: integer, min: 0}
      - {id: tech, label: 技术人员, type: integer, min: 0}
      - {id: sales, label: 销售人员, type: integer, min: 0}
      - {id: filled_on, label: 填表日期, type: date, default_expr: today()}
      - {id: photo, label: 照片, type: image, width: 951, height: {min: 550, max: 700}}
      - {id: share, label: 内销, type: percent}
  - title: 明细
    items:
      - table:
          id: lines
          max_rows: 3
          columns:
            - {id: code, label: 编码, type: text, unique: true}
            - {id: price, label: 单价, type: money}
            - {id: qty, label: 数量, type: integer}
            - {id: total, label: 总价, type: money, compute: price * qty}
            - {id: no, label: 序号, type: integer, compute: row_number()}
          checks:
            - {rule: qty <= 100, message: 数量不超过100}
      - {id: grand, label: 合计, type: money, compute: sum(lines.total)}
      - grid:
          id: visitors
          rows: [上午, 下午]
          columns: {from: 1, to: 3}
          cell: {type: integer, min: 0}
          row_totals: 合计
          column_totals: 合计
      - tree:
          id: bom
          max_depth: 2
          columns:
            - {id: level, label: 阶层, type: integer, compute: level()}
            - {id: number, label: 序号, type: text, compute: outline()}
            - {id: part, label: 料号, type: text, required: true}
checks:
  - rule: tech + sales <= staff
    path: staff
    message: {zh: 各类人员之和不得超过员工总数, en: Staff counts exceed the total}
  - rule: founded <= today()
    message: {zh: 成立时间不能在将来, en: Founding date cannot be in the future}
"""


@pytest.fixture(scope="module")
def form(tmp_path_factory: pytest.TempPathFactory) -> formengine.Form:
    return load_text(tmp_path_factory.mktemp("demo"), FORM)


def errors(form: formengine.Form, data: dict) -> dict[str, str]:
    result = form.validate(data)
    assert not result.ok
    return {e.path: e.code for e in result.errors}


def test_valid_submission_fills_computed_values(form: formengine.Form) -> None:
    result = form.validate({
        "name": "张三", "id_no": "11010519491231002X", "uscc": "91350100M000100Y43", "mobile": "138 0013 8000",
        "founded": "2020年3月5日", "period": {"start": "2026-01-01", "end": "2026/3/31"},
        "months": {"start": "2020年1月", "end": "2021-06"}, "ok": "是",
        "reason": {"value": "其他", "detail": "搬迁"}, "fund": {"value": "补贴", "detail": "300"},
        "devices": ["电脑"], "result": "成功", "contract_no": "SZ001", "staff": 10, "tech": 3, "sales": 5,
        "lines": [{"code": "A", "price": "0.10", "qty": 3}, {"code": "B", "price": "0.20", "qty": 1}],
        "visitors": {"上午": {"1": 2, "2": 3}, "下午": {"1": 1}},
        "bom": [{"part": "P-1", "children": [{"part": "P-1-1"}, {"part": "P-1-2"}]}],
        "photo": {"name": "a.png", "width": 951, "height": 600},
    })
    assert result.ok, result.format("en")
    v = result.value
    assert v.founded == dt.date(2020, 3, 5) and v.filled_on == dt.date.today()
    assert v.lines[0].total == Decimal("0.30") and v.lines[1].no == 2
    assert v.grand == Decimal("0.50")  # exact: 0.1 * 3 + 0.2
    assert v.visitors["上午"]["合计"] == 5 and v.visitors["合计"]["1"] == 3 and v.visitors["合计"]["合计"] == 6
    assert v.bom[0].children[1].number == "1.2" and v.bom[0].children[1].level == 2
    assert v.months.start == "2020-01" and v.mobile == "13800138000"
    data = result.data()
    assert data["reason"] == {"value": "其他", "detail": "搬迁"} and data["fund"]["detail"] == "300"


def test_every_error_at_once_with_paths(form: formengine.Form) -> None:
    found = errors(form, {
        "name": "一二三四五六七八九十十一", "id_no": "110105194912310021", "uscc": "91350100M000100Y44",
        "mobile": "12345", "postcode": "12345", "plate": "京AI2345", "founded": "2026-02-30",
        "period": {"start": "2026-03-01", "end": "2026-01-01"}, "reason": "其他", "fund": "补贴",
        "devices": ["电脑", "电脑"], "result": "成功", "fail_reason": "太贵", "staff": 5, "tech": 3, "sales": 5,
        "lines": [{"code": "A", "price": "1.005", "qty": 1}, {}, {"code": "A", "qty": 200, "total": "9"},
                  {"code": "C"}],
        "visitors": {"晚上": {"1": 1}, "上午": {"9": 1, "1": -1}},
        "bom": [{"children": [{"part": "x", "children": [{"part": "too deep"}]}]}],
        "photo": {"name": "a.png", "width": 950, "height": 600}, "surprise": 1,
    })
    assert found == {
        "name": "max_length", "id_no": "id_card", "uscc": "uscc", "mobile": "mobile", "postcode": "postcode",
        "plate": "plate_number", "founded": "date", "period": "range_order", "reason": "choice_detail_required",
        "fund": "choice_detail_required", "devices": "choice_duplicate", "fail_reason": "hidden_filled",
        "contract_no": "required", "staff": "check", "lines[0].price": "places", "lines[1]": "empty_row",
        "lines[2].code": "unique", "lines[2].qty": "check", "lines": "max_rows",
        "visitors.晚上": "grid_row", "visitors.上午['9']": "grid_column", "visitors.上午['1']": "min",
        "bom[0].part": "required", "bom[0].children[0].children[0]": "max_depth",
        "photo": "image_width", "surprise": "unknown_field",
    }


def test_expected_codes_each(form: formengine.Form) -> None:
    found = errors(form, {
        "name": "一二三四五六七八九十十一", "uscc": "91350100M000100Y44", "period": {"start": "2026-03-01", "end": "2026-01-01"},
        "result": "成功", "fail_reason": "太贵", "staff": 5, "tech": 3, "sales": 5,
        "lines": [{"code": "A", "price": "1.005", "qty": 1}, {}, {"code": "A", "qty": 200, "total": "9"}],
        "visitors": {"晚上": {"1": 1}}, "photo": {"width": 950, "height": 600}, "surprise": 1,
    })
    for path, code in {
        "name": "max_length", "uscc": "uscc", "period": "range_order", "fail_reason": "hidden_filled",
        "contract_no": "required", "staff": "check", "lines[0].price": "places", "lines[1]": "empty_row",
        "lines[2].code": "unique", "lines[2].qty": "check", "visitors.晚上": "grid_row",
        "photo": "image_width", "surprise": "unknown_field",
    }.items():
        assert found.get(path) == code, (path, found)


def test_an_image_of_unknown_size_is_not_taken_to_fit(form: formengine.Form) -> None:
    """A form that sets the pixel size cannot accept an image whose size nobody measured."""
    result = form.validate({"name": "李明", "photo": {"name": "a.emf", "bytes": 2048}})
    [issue] = [e for e in result.errors if e.path == "photo"]
    assert issue.code == "image_width" and "实际 ?" in issue.message_zh


def test_computed_value_disagreeing_is_reported_not_overwritten_silently(form: formengine.Form) -> None:
    result = form.validate({"name": "x", "lines": [{"code": "A", "price": "2", "qty": 2, "total": "5"}]})
    issue = next(e for e in result.errors if e.path == "lines[0].total")
    assert issue.code == "computed_mismatch" and "4.00" in issue.message_zh and "4.00" in issue.message_en


def test_messages_are_bilingual(form: formengine.Form) -> None:
    result = form.validate({"staff": 1, "tech": 2, "sales": 0})
    by_path = {e.path: e for e in result.errors}
    assert by_path["name"].message_zh == "必填" and by_path["name"].message_en == "This field is required"
    assert by_path["staff"].message_zh == "各类人员之和不得超过员工总数"
    assert by_path["staff"].message_en == "Staff counts exceed the total"


def test_visible_field_required_and_choice_with_detail(form: formengine.Form) -> None:
    found = errors(form, {"name": "x", "result": "失败", "reason": "价格"})
    assert found == {"fail_reason": "required"}
    found = errors(form, {"name": "x", "reason": {"value": "价格", "detail": "贵"}})
    assert found == {"reason": "choice_detail_unexpected"}
    found = errors(form, {"name": "x", "reason": "质量"})
    assert found == {"reason": "choice"}


@pytest.mark.parametrize("data", [None, [], "text", 3])
def test_non_object_submission(form: formengine.Form, data: object) -> None:
    result = form.validate(data)
    assert [e.code for e in result.errors] == ["not_object"]


def test_wrong_types_are_reported_not_raised(form: formengine.Form) -> None:
    found = errors(form, {"name": ["x"], "staff": "many", "lines": "nope", "visitors": [1], "bom": {"part": 1},
                          "period": "2026", "ok": "maybe", "devices": "电脑"})
    assert set(found) == {"name", "staff", "lines", "visitors", "bom", "period", "ok", "devices"}
    assert set(found.values()) == {"type"}


def test_json_schema_of_submission(form: formengine.Form) -> None:
    schema = form.json_schema()
    assert schema["required"] == ["name"]
    assert schema["properties"]["name"]["title"] == "姓名"
    json.dumps(schema)  # serialisable


def test_model_is_pydantic_with_nested_rows(form: formengine.Form) -> None:
    from pydantic import BaseModel

    assert issubclass(form.model, BaseModel)
    row = form.model.model_fields["lines"]
    assert "Row" in str(row.annotation)


def test_sales_contract_from_repo() -> None:
    form = formengine.load(Path(__file__).resolve().parents[1] / "forms" / "sales" / "sales_contract.yaml")
    result = form.validate({"buyer": "甲", "seller": "乙", "delivery_date": "2026-03-01", "sign_date": "2026-01-01",
                            "lines": [{"name": "钢板", "unit_price": "4350.00", "qty": 12}]})
    assert result.ok and result.value.grand_total_upper == "伍万贰仟贰佰元整"


def test_computed_values_respect_their_bounds(tmp_path: Path) -> None:
    form = load_text(tmp_path, """\
        id: t
        title: T
        sections:
          - title: A
            items:
              - {id: a, label: A, type: integer}
              - {id: b, label: B, type: integer, max: 10, compute: a * 2}
        """)
    assert form.validate({"a": 5}).ok
    assert [(e.path, e.code) for e in form.validate({"a": 7}).errors] == [("b", "max")]


BULK = """\
id: bulk
title: {zh: 批量, en: Bulk}
sections:
  - title: 明细
    items:
      - {id: name, label: 名称, type: text}
      - {id: names, label: 名称汇总, type: textarea, compute: "concat(name, name)"}
      - {id: doubled, label: 加倍, type: textarea, compute: name + name}
      - table:
          id: lines
          columns:
            - {id: code, label: 编码, type: text, required: true}
            - {id: qty, label: 数量, type: integer, min: 0}
      - grid:
          id: scores
          rows: [a, b]
          columns: {from: 1, to: 3}
          cell: {type: integer}
"""

TOO_MANY_ZH = f"问题过多：只列出了前 {MAX_ISSUES} 个，其余的没有列出"
TOO_MANY_EN = f"Too many problems: only the first {MAX_ISSUES} are listed, the rest are left out"


@pytest.fixture(scope="module")
def bulk(tmp_path_factory: pytest.TempPathFactory) -> formengine.Form:
    return load_text(tmp_path_factory.mktemp("bulk"), BULK)


def _assert_capped(result: formengine.ValidationResult) -> None:
    assert len(result.errors) == MAX_ISSUES + 1
    last = result.errors[-1]
    assert (last.path, last.code, last.message_zh, last.message_en) == ("", "too_many_issues", TOO_MANY_ZH, TOO_MANY_EN)
    assert all(e.code != "too_many_issues" for e in result.errors[:-1])


def test_issues_up_to_the_cap_are_all_listed(bulk: formengine.Form) -> None:
    result = bulk.validate({"lines": [{"qty": 1}] * MAX_ISSUES})
    assert [(e.path, e.code) for e in result.errors] == [(f"lines[{i}].code", "required") for i in range(MAX_ISSUES)]


@pytest.mark.parametrize("rows,first", [
    ([{"qty": 1}] * (MAX_ISSUES + 1), ("lines[0].code", "required")),  # one past the cap, by the form's rules
    ([{"code": "x", "qty": "many"}] * 50_000, ("lines[0].qty", "type")),  # wrong types: Pydantic's errors
    ([{}] * 50_000, ("lines[0]", "empty_row")),
])
def test_issues_past_the_cap_are_left_out_and_said_so(bulk: formengine.Form, rows: list[dict],
                                                      first: tuple[str, str]) -> None:
    result = bulk.validate({"lines": rows})
    _assert_capped(result)
    assert [(e.path, e.code) for e in result.errors[:2]] == [first, (first[0].replace("[0]", "[1]"), first[1])]


def test_cap_counts_type_errors_and_rule_errors_together(bulk: formengine.Form) -> None:
    result = bulk.validate({"lines": [{"code": "x", "qty": "many"}] * 600,  # wrong types: Pydantic's
                            "scores": {f"r{i}": {"1": 1} for i in range(600)}})  # unknown grid rows: the form's rules
    _assert_capped(result)
    codes = [e.code for e in result.errors[:-1]]
    assert codes == ["type"] * 600 + ["grid_row"] * (MAX_ISSUES - 600)  # Pydantic's first, in order


def test_a_grid_with_thousands_of_unknown_rows_is_capped(bulk: formengine.Form) -> None:
    result = bulk.validate({"scores": {f"r{i}": {"1": 1} for i in range(20_000)}})
    _assert_capped(result)
    assert {e.code for e in result.errors[:-1]} == {"grid_row"}


def test_the_work_stops_at_the_cap(bulk: formengine.Form, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issues past the cap are not even made (each is two messages): memory and time stay bounded."""
    from formengine import codes

    made: list[str] = []
    message = codes.validation_message

    def counting(code: str, params: dict[str, object]) -> tuple[str, str]:
        made.append(code)
        return message(code, params)

    monkeypatch.setattr(codes, "validation_message", counting)
    for rows in ([{"qty": 1}] * 20_000, [{"code": "x", "qty": "many"}] * 20_000):
        made.clear()
        _assert_capped(bulk.validate({"lines": rows}))
        assert len(made) == MAX_ISSUES + 2  # the cap, the one that found it full, the final note


def test_cli_json_of_a_huge_submission_is_bounded(bulk: formengine.Form, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from formengine.cli import main

    data = tmp_path / "data.json"
    data.write_text(json.dumps({"lines": [{"qty": 1}] * 100_000}), encoding="utf-8")
    out = CliRunner().invoke(main, ["validate", bulk.spec.file, str(data), "--json"], catch_exceptions=False)
    assert out.exit_code == 1
    printed = json.loads(out.stdout)
    assert len(printed["errors"]) == MAX_ISSUES + 1
    assert printed["errors"][-1] == {"path": "", "code": "too_many_issues", "zh": TOO_MANY_ZH, "en": TOO_MANY_EN}


def test_text_functions_past_max_text_are_evaluation_issues(bulk: formengine.Form) -> None:
    """concat() refuses text past 10,000 characters as `+` does: an `evaluation` issue, not a huge value."""
    assert bulk.validate({"name": "字" * 5000}).ok  # 10,000 characters: at the limit
    result = bulk.validate({"name": "字" * 6000})
    assert {(e.path, e.code) for e in result.errors} == {("names", "evaluation"), ("doubled", "evaluation")}
    for e in result.errors:
        assert e.message_en.endswith(": text too long") and e.message_zh.endswith(": text too long")


def test_a_row_of_invalid_values_is_not_reported_empty(form: formengine.Form) -> None:
    """Its invalid values are reported and taken out; the row was not left empty, so no
    `empty_row` (it told the person to fill rows in order, which they had done)."""
    result = form.validate({"name": "张三", "lines": [
        {"code": "A", "price": "1.00", "qty": 1}, {"price": "abc", "qty": "x"}, "garbage"]})
    assert sorted((e.path, e.code) for e in result.errors) == [
        ("lines[1].price", "type"), ("lines[1].qty", "type"), ("lines[2]", "type")]


def test_the_other_rules_of_a_row_with_invalid_values_still_apply() -> None:
    from .conftest import FORMS

    contract = formengine.load(FORMS / "sales" / "sales_contract.yaml")
    line = {"unit_price": "abc", "qty": "x"}  # only invalid values, and no name, which is required
    data = {"buyer": "甲", "seller": "乙", "lines": [line], "delivery_date": "2026-12-01", "sign_date": "2026-11-24"}
    assert sorted((e.path, e.code) for e in contract.validate(data).errors) == [
        ("lines[0].name", "required"), ("lines[0].qty", "type"), ("lines[0].unit_price", "type")]
