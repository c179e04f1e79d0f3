"""The fillable HTML page in a real headless Chromium: live rules, submit, server errors, safety.

Skipped only when playwright or the Chromium binary is missing (CI installs both and sets
FORMENGINE_REQUIRE_BROWSER, which turns such a skip into a failure).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import formengine
from formengine.examples import load_examples

from .conftest import FORMS
from .helpers import write_form

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
    pytest.skip(f"chromium not found at {CHROMIUM}", allow_module_level=True)

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
CONTRACT = FORMS / "sales" / "sales_contract.yaml"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def open_page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    """open_page(html) → a page showing it; page errors fail the test."""
    pages: list[Any] = []
    errors: list[str] = []

    def open_(html: str) -> Any:
        page = browser.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        target = tmp_path / f"page{len(pages)}.html"
        target.write_text(html, encoding="utf-8")
        page.goto(target.as_uri())
        pages.append(page)
        return page

    yield open_
    for page in pages:
        page.close()
    assert not errors, errors


def fillable(form: formengine.Form, data: Any = None, **options: Any) -> str:
    html = form.render("html", data, fillable=True, **options)
    assert isinstance(html, str)
    return html


def value(page: Any, path: str) -> str:
    return page.locator(f'[data-path="{path}"]').first.input_value()


def fill_contract_lines(page: Any) -> None:
    page.fill('[data-path="lines[0].name"]', "冷轧钢板")
    page.fill('[data-path="lines[0].unit_price"]', "4350.00")
    page.fill('[data-path="lines[0].qty"]', "12")
    page.click(".fe-add-row")
    page.fill('[data-path="lines[1].name"]', "镀锌钢管")
    page.fill('[data-path="lines[1].unit_price"]', "86.55")
    page.fill('[data-path="lines[1].qty"]', "7")


# ---------------------------------------------------------------- (a) computed values


def test_contract_totals_update_as_the_user_types(open_page: Any) -> None:
    form = formengine.load(CONTRACT)
    page = open_page(fillable(form))
    assert value(page, "grand_total") == "0.00"  # sum of no lines, as on the server
    page.fill('[data-path="lines[0].unit_price"]', "4350.00")
    page.fill('[data-path="lines[0].qty"]', "12")
    assert value(page, "lines[0].total") == "52200.00"
    assert value(page, "grand_total") == "52200.00"
    assert value(page, "grand_total_upper") == "伍万贰仟贰佰元整"
    fill_contract_lines(page)
    server = form.validate({"buyer": "甲", "seller": "乙", "delivery_date": "2030-01-01", "sign_date": "2026-01-01",
                            "lines": [{"name": "冷轧钢板", "unit_price": "4350.00", "qty": 12},
                                      {"name": "镀锌钢管", "unit_price": "86.55", "qty": 7}]})
    assert server.ok, server.format()
    v = server.value
    assert value(page, "lines[0].total") == format(v.lines[0].total, "f") == "52200.00"
    assert value(page, "lines[1].total") == format(v.lines[1].total, "f") == "605.85"
    assert value(page, "grand_total") == format(v.grand_total, "f") == "52805.85"
    assert value(page, "grand_total_upper") == v.grand_total_upper == "伍万贰仟捌佰零伍元捌角伍分"
    # removing a row updates the totals too
    page.locator('tr.fe-row').nth(1).locator(".fe-remove-row").click()
    assert value(page, "grand_total") == "52200.00"


# ---------------------------------------------------------------- (b) visibility


REVEAL = """\
    id: reveal
    title: 付款申请
    sections:
      - title: 付款
        items:
          - {id: method, label: 付款方式, type: choice, choices: [现金, 转账, {value: 其他, blank: text}], required: true}
          - {id: account, label: 收款账号, type: bank_account, visible_if: method == '转账', required: true}
          - {id: amount, label: 金额, type: money, min: 0}
          - {id: reason, label: 大额说明, type: textarea, required_if: amount > 10000}
"""


def test_a_choice_reveals_a_field(open_page: Any, tmp_path: Path) -> None:
    form = formengine.load(write_form(tmp_path, REVEAL))
    page = open_page(fillable(form))
    account = page.locator('[data-path="account"]')
    assert not account.is_visible() and account.is_disabled()
    page.check('input[data-path="method"][value="转账"]')
    assert account.is_visible() and account.is_enabled()
    assert account.evaluate("el => el.required") is True
    page.check('input[data-path="method"][value="现金"]')
    assert not account.is_visible() and account.is_disabled()
    # the option's own blank is enabled (and required) only while its option is chosen
    detail = page.locator('[data-part="detail"][data-option="其他"]')
    assert detail.is_disabled()
    page.check('input[data-path="method"][value="其他"]')
    assert detail.is_enabled() and detail.evaluate("el => el.required") is True
    # required_if follows the amount
    reason = page.locator('[data-path="reason"]')
    assert reason.evaluate("el => el.required") is False
    page.fill('[data-path="amount"]', "20000")
    assert reason.evaluate("el => el.required") is True
    page.fill('[data-path="amount"]', "200")
    assert reason.evaluate("el => el.required") is False


def test_hidden_values_are_not_submitted(open_page: Any, tmp_path: Path) -> None:
    form = formengine.load(write_form(tmp_path, REVEAL))
    page = open_page(fillable(form))
    page.check('input[data-path="method"][value="转账"]')
    page.fill('[data-path="account"]', "6222 0212 3456 7890")
    page.check('input[data-path="method"][value="其他"]')
    page.fill('[data-part="detail"][data-option="其他"]', "支付宝")
    page.click("#fe-submit")
    data = json.loads(page.inner_text("#fe-json"))
    assert data == {"method": {"value": "其他", "detail": "支付宝"}}
    assert form.validate(data).ok


# ---------------------------------------------------------------- (c) messages


def test_a_failing_check_shows_its_message_and_blocks_submit(open_page: Any) -> None:
    form = formengine.load(CONTRACT)
    page = open_page(fillable(form))
    page.fill('[data-path="sign_date"]', "2026-01-15")
    page.fill('[data-path="delivery_date"]', "2026-01-10")
    message = page.locator('[data-msg-for="delivery_date"] .fe-msg')
    assert message.inner_text() == "交货期限不得早于签约日期"
    page.fill('[data-path="buyer"]', "甲")
    page.fill('[data-path="seller"]', "乙")
    fill_contract_lines(page)
    page.click("#fe-submit")
    assert page.inner_text("#fe-json") == ""  # not submitted
    page.fill('[data-path="delivery_date"]', "2026-02-28")
    assert page.locator('[data-msg-for="delivery_date"] .fe-msg').count() == 0


def test_server_errors_are_shown_next_to_their_inputs(open_page: Any) -> None:
    form = formengine.load(CONTRACT)
    page = open_page(fillable(form))
    fill_contract_lines(page)
    result = form.validate({"buyer": "上海华东贸易有限公司", "delivery_date": "2026-01-10", "sign_date": "2026-01-15",
                            "lines": [{"name": "冷轧钢板", "unit_price": "4350.00", "qty": 12},
                                      {"name": "镀锌钢管", "unit_price": "86.505", "qty": 0}]})
    errors = [e.as_dict() for e in result.errors]
    assert {e["path"] for e in errors} >= {"seller", "delivery_date", "lines[1].unit_price", "lines[1].qty"}
    shown = page.evaluate("errors => FormEngine.showErrors(errors)", errors)
    assert shown == len(errors)
    by_path = {e["path"]: e["zh"] for e in errors}
    for path in ("seller", "lines[1].unit_price", "lines[1].qty"):
        assert by_path[path] in page.locator(f'[data-msg-for="{path}"] .fe-msg-server').first.inner_text()
    # typing into the field clears its server message
    page.fill('[data-path="seller"]', "乙公司")
    assert page.locator('[data-msg-for="seller"] .fe-msg-server').count() == 0


# ---------------------------------------------------------------- (d) submit


def test_submitted_json_validates_on_the_server(open_page: Any) -> None:
    form = formengine.load(CONTRACT)
    page = open_page(fillable(form))
    page.evaluate("""() => document.addEventListener('formengine:submit', e => { window.__submitted = e.detail; })""")
    page.fill('[data-path="contract_no"]', "HT-2026-001")
    page.fill('[data-path="buyer"]', "上海华东贸易有限公司")
    page.fill('[data-path="seller"]', "江苏宏达钢铁股份有限公司")
    fill_contract_lines(page)
    page.click(".fe-add-row")  # an empty third row is left out of the submission
    page.fill('[data-path="delivery_date"]', "2026-02-28")
    page.fill('[data-path="delivery_place"]', "上海市宝山区富锦路885号仓库")
    page.fill('[data-path="warranty"]', "质量保证期十二个月。")
    page.fill('[data-path="buyer_signatory.name"]', "王建国")
    page.fill('[data-path="buyer_signatory.date"]', "2026-01-15")
    page.fill('[data-path="sign_date"]', "2026-01-15")
    page.click("#fe-submit")
    data = json.loads(page.inner_text("#fe-json"))
    assert page.evaluate("window.__submitted") == data
    result = form.validate(data)
    assert result.ok, result.format()
    v = result.value
    assert [format(r.total, "f") for r in v.lines] == ["52200.00", "605.85"]
    assert v.grand_total == Decimal("52805.85")
    assert v.grand_total_upper == "伍万贰仟捌佰零伍元捌角伍分"
    assert data["grand_total"] == "52805.85" and data["grand_total_upper"] == v.grand_total_upper
    assert data["buyer_signatory"] == {"name": "王建国", "date": "2026-01-15"}
    assert len(data["lines"]) == 2 and "seller_signatory" not in data
    assert result.data() == form.validate(result.data()).data()


def test_prefilled_page_round_trips_the_example(open_page: Any) -> None:
    form = formengine.load(CONTRACT)
    example = next(e.data for e in load_examples(CONTRACT) if e.valid)
    expected = form.validate(example)
    page = open_page(fillable(form, example))
    assert value(page, "grand_total") == "73070.00"
    data = page.evaluate("FormEngine.data()")
    result = form.validate(data)
    assert result.ok, result.format()
    assert result.data() == expected.data()


def test_missing_required_value_blocks_submit(open_page: Any) -> None:
    form = formengine.load(CONTRACT)
    page = open_page(fillable(form))
    fill_contract_lines(page)
    page.click("#fe-submit")
    assert page.inner_text("#fe-json") == ""
    assert page.evaluate("document.querySelector('[data-path=\"buyer\"]').validity.valueMissing") is True


def test_defaults_follow_their_inputs_until_typed_over(open_page: Any, tmp_path: Path) -> None:
    form = formengine.load(write_form(tmp_path, """\
        id: defaults
        title: 默认值
        sections:
          - title: 客户
            items:
              - {id: customer, label: 客户简称, type: text, required: true}
              - {id: initials, label: 拼音首字母, type: text, required: true,
                 default_expr: pinyin_initials(customer)}
              - {id: unit, label: 单位, type: text, default: 件}
              - {id: due, label: 到期日, type: date, default_expr: "add_days(today(), 30)"}
        """))
    html = fillable(form)
    assert "setPinyinTable(" in html
    page = open_page(html)
    assert value(page, "unit") == "件"
    assert value(page, "initials") == ""
    page.fill('[data-path="customer"]', "海信")
    assert value(page, "initials") == "HX"
    page.fill('[data-path="customer"]', "重庆长安")
    assert value(page, "initials") == form.validate({"customer": "重庆长安"}).value.initials
    page.fill('[data-path="initials"]', "CQCA")  # typed over: no longer follows the name
    page.fill('[data-path="customer"]', "长安")
    assert value(page, "initials") == "CQCA"
    page.click("#fe-submit")
    data = json.loads(page.inner_text("#fe-json"))
    result = form.validate(data)
    assert result.ok, result.format()
    assert data["initials"] == "CQCA" and data["unit"] == "件"
    assert result.value.due == form.validate({"customer": "x"}).value.due


# ---------------------------------------------------------------- grids and trees


GRID_TREE = """\
    id: grid_tree
    title: 网格与树
    sections:
      - title: 统计
        items:
          - grid:
              id: visits
              title: 来店批数
              corner: 时间段\\日期
              rows: ["08:00-10:00", "10:00-12:00"]
              columns: {from: 1, to: 3}
              cell: {type: integer, min: 0}
              row_totals: 合计
              column_totals: 总计
          - {id: total_visits, label: 总批数, type: integer, compute: grid_total(visits)}
          - grid:
              id: survey
              title: 满意度
              rows: [{key: quality, label: 质量}, {key: service, label: 服务}]
              columns: [满意, 一般, 不满意]
              one_per_row: true
          - tree:
              id: bom
              title: 物料清单
              columns:
                - {id: number, label: 序号, type: text, compute: outline()}
                - {id: part, label: 料号, type: text, required: true}
                - {id: qty, label: 用量, type: integer}
"""


def test_grid_totals_one_per_row_and_tree(open_page: Any, tmp_path: Path) -> None:
    form = formengine.load(write_form(tmp_path, GRID_TREE))
    page = open_page(fillable(form))
    page.fill("""[data-path="visits['08:00-10:00']['1']"]""", "2")
    page.fill("""[data-path="visits['08:00-10:00']['2']"]""", "3")
    page.fill("""[data-path="visits['10:00-12:00']['3']"]""", "4")
    assert page.inner_text("""output[data-path="visits['08:00-10:00'].合计"]""") == "5"
    assert page.inner_text("""output[data-path="visits.总计['3']"]""") == "4"
    assert page.inner_text("""output[data-path="visits.总计.合计"]""") == "9"
    assert value(page, "total_visits") == "9"
    page.check('input[data-path="survey.quality"][value="满意"]')
    page.check('input[data-path="survey.service"][value="一般"]')
    page.fill('[data-path="bom[0].part"]', "A-1")
    page.locator("tr.fe-node").first.locator(".fe-add-child").click()
    page.fill('[data-path="bom[0].children[0].part"]', "B-7")
    page.fill('[data-path="bom[0].children[0].qty"]', "2")
    assert value(page, "bom[0].number") == "1"
    assert value(page, "bom[0].children[0].number") == "1.1"
    page.click(".fe-add-node")
    page.fill('[data-path="bom[1].part"]', "C-3")
    assert value(page, "bom[1].number") == "2"
    page.click("#fe-submit")
    data = json.loads(page.inner_text("#fe-json"))
    result = form.validate(data)
    assert result.ok, result.format()
    assert data["survey"] == {"quality": "满意", "service": "一般"}
    assert data["visits"]["总计"] == {"1": 2, "2": 3, "3": 4, "合计": 9}
    assert result.value.total_visits == 9
    assert [n["number"] for n in data["bom"]] == ["1", "2"]
    assert data["bom"][0]["children"][0] == {"number": "1.1", "part": "B-7", "qty": 2}


# ---------------------------------------------------------------- (e) hostile text


PWN = "<img src=x onerror=window.__pwned=1>"


def test_hostile_labels_and_values_do_not_run(open_page: Any, tmp_path: Path) -> None:
    q = json.dumps(PWN)
    form = formengine.load(write_form(tmp_path, f"""\
        id: hostile
        title: {q}
        notes: [{q}]
        sections:
          - title: {q}
            hint: {q}
            items:
              - {{id: name, label: {q}, type: text, hint: {q}}}
              - {{id: kind, label: {q}, type: choice, choices: [{q}, 普通, {{value: 其他, blank: text, blank_label: {q}}}]}}
              - text: {json.dumps(PWN + "：{place}")}
                blanks:
                  - {{id: place, label: {q}, type: text}}
              - table:
                  id: rows
                  title: {q}
                  columns:
                    - {{id: a, label: {q}, type: text}}
        checks:
          - rule: name != 'x'
            path: name
            message: {q}
        """))
    data = {"name": PWN, "kind": PWN, "place": PWN, "rows": [{"a": PWN}]}
    pages = [open_page(form.render("html")), open_page(form.render("html", data)), open_page(fillable(form, data))]
    page = pages[-1]
    assert value(page, "name") == PWN
    page.fill('[data-path="name"]', "x")  # the check fails: its (hostile) message is shown as text
    assert page.locator('[data-msg-for="name"] .fe-msg').inner_text() == PWN
    page.evaluate("errs => FormEngine.showErrors(errs)", [{"path": "place", "code": "x", "zh": PWN, "en": PWN},
                                                          {"path": "nowhere", "code": "x", "zh": PWN, "en": PWN}])
    page.evaluate("d => FormEngine.setData(d)", {"name": PWN, "rows": [{"a": PWN}, {"a": PWN}]})
    page.check('input[data-path="kind"][value="其他"]')
    page.wait_for_timeout(200)
    for p in pages:
        assert p.evaluate("typeof window.__pwned") == "undefined"
        assert p.evaluate("document.querySelectorAll('img').length") == 0


# ---------------------------------------------------------------- every catalog example


def _catalog_examples() -> list[Any]:
    from formengine.form import form_files

    out = []
    for path in form_files(FORMS):
        for i, example in enumerate(e for e in load_examples(path) if e.valid):
            out.append(pytest.param(path, example.data, id=f"{path.stem}-{i}"))
    return out


@pytest.fixture(scope="module")
def shared_page(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One page reused by many tests (opening a page costs more than loading one)."""
    page = browser.new_page()
    page.fe_errors = []
    page.on("pageerror", lambda exc: page.fe_errors.append(str(exc)))
    page.fe_dir = tmp_path_factory.mktemp("pages")
    yield page
    page.close()


@pytest.mark.parametrize(("path", "data"), _catalog_examples())
def test_page_round_trips_every_valid_example(shared_page: Any, path: Path, data: Any) -> None:
    """A page prefilled with a valid example gives back data the server accepts, with the same values:
    the page's computed values, totals and defaults agree with the server's."""
    form = formengine.load(path)
    expected = form.validate(data)
    assert expected.ok, expected.format()
    target = shared_page.fe_dir / f"{form.id}.html"
    target.write_text(fillable(form, data), encoding="utf-8")
    shared_page.fe_errors.clear()
    shared_page.goto(target.as_uri())
    result = form.validate(shared_page.evaluate("FormEngine.data()"))
    assert result.ok, result.format()
    assert result.value.model_dump() == expected.value.model_dump()
    assert shared_page.evaluate("document.querySelectorAll('.fe-msg').length") == 0  # no check fails
    assert not shared_page.fe_errors, shared_page.fe_errors
