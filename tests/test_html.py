"""The HTML renderer without a browser: printable pages (blank and filled) and fillable pages."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import formengine
from formengine.examples import load_examples
from formengine.rendering import get

from .conftest import FORMS
from .helpers import write_form

CONTRACT = FORMS / "sales" / "sales_contract.yaml"

CHOICES_FORM = """\
    id: choices_demo
    title: 选项示例
    code: QR-01
    copies: {count: 3, note: 客户一份、财务一份、存根一份}
    notes: [本表由经办人填写。, 金额以人民币计。]
    choices:
      funding:
        - 免费
        - {value: 补贴, blank: money, unit: 元/人}
        - {value: 其他, blank: text}
    sections:
      - title: 基本信息
        items:
          - {id: name, label: 姓名, type: text, required: true}
          - {id: gender, label: 性别, type: choice, choices: [男, 女], print: inline}
          - {id: funding, label: 费用, type: choice, choices: funding}
          - {id: agreed, label: 是否同意, type: boolean}
          - {id: remark, label: 说明, type: textarea, lines: 4}
          - {id: amount, label: 金额, type: money, print: digit_boxes}
      - title: 签核
        items:
          - {id: manager, label: 经理, type: signature}
          - {id: clerk, label: 经办人, type: signature}
"""

HOSTILE = "<script>alert(1)</script><img src=x onerror=window.__pwned=1>"


def contract() -> formengine.Form:
    return formengine.load(CONTRACT)


def contract_example() -> dict:
    return next(e.data for e in load_examples(CONTRACT) if e.valid)


class _Tags(HTMLParser):
    """Collects start tags with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def text_of(html: str) -> str:
    """The page's text with tags removed (script and style bodies dropped)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", "", html)


# ---------------------------------------------------------------- the plugin


def test_registered_as_html_renderer() -> None:
    renderer = get("html")
    assert (renderer.name, renderer.extension, renderer.media_type) == ("html", "html", "text/html")


def test_environment_is_cached_and_autoescapes() -> None:
    from formengine.renderers.html import environment

    env = environment()
    assert env is environment()
    assert env.autoescape is True or callable(env.autoescape) and env.autoescape("x.html")


# ---------------------------------------------------------------- printable


def test_blank_contract_is_a_standalone_a4_page() -> None:
    html = contract().render("html")
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in html
    assert '<meta charset="utf-8">' in html
    assert "size: A4 portrait" in html
    assert "counter(pages)" in html and "@bottom-center" in html
    assert "thead { display: table-header-group; }" in html
    assert "break-inside: avoid" in html
    assert '"SimSun"' in html and '"Noto Serif CJK SC"' in html
    text = text_of(html)
    assert "买卖合同" in text
    assert "编号：E05" in text
    for label in ("合约书编号", "甲方", "乙方", "货品名称", "规格", "单价（元）", "数量", "总价(大写)",
                  "一、交货时间、地点和方式", "二、验收", "五、其他", "签约日期"):
        assert label in text, label


def test_blank_contract_has_blank_rows_boxes_and_blanks() -> None:
    html = contract().render("html")
    assert html.count('<tr class="blank-row">') == 8  # print_rows of the goods table
    boxes = re.search(r'<table class="rmb-boxes">(.*?)</table>', html, re.DOTALL)
    assert boxes is not None
    assert re.findall(r"<th>(.)</th>", boxes.group(1)) == list("仟佰拾万仟佰拾元角分")
    assert re.findall(r"<td>(.*?)</td>", boxes.group(1)) == [""] * 10
    # inline blanks in the clauses, a date as ＿年＿月＿日, signature lines
    assert "1.交货期限：" in text_of(html)
    assert re.search(r"交货期限：<span class=\"blank\">＿+</span>年<span class=\"blank\">＿+</span>月", html)
    assert re.search(r"交货地点：<span class=\"blank\">＿{6,}</span>", html)
    assert "甲方负责人（签字）：" in text_of(html)
    assert html.count('class="rule"') == 9  # three textareas of three ruled lines


def test_filled_contract_prints_values() -> None:
    form = contract()
    html = form.render("html", contract_example())
    text = text_of(html)
    for value in ("SZHD20260115-1", "上海华东贸易有限公司", "冷轧钢板", "1.0mm×1250mm", "4350.00", "52200.00",
                  "17300.00", "3570.00", "73070.00", "柒万叁仟零柒拾元整", "2026年2月28日",
                  "上海市宝山区富锦路885号仓库", "王建国", "2026年1月15日", "江苏省无锡市锡山区东亭路18号"):
        assert value in text, value
    assert '<tr class="blank-row">' not in html
    boxes = re.search(r'<table class="rmb-boxes">(.*?)</table>', html, re.DOTALL)
    assert boxes is not None
    assert re.findall(r"<td>(.*?)</td>", boxes.group(1)) == ["", "", "", "柒", "叁", "零", "柒", "零", "零", "零"]


def test_filled_printable_matches_view_texts() -> None:
    """Every value the format-neutral view shows is printed."""
    from formengine import view

    form = contract()
    result = form.validate(contract_example())
    doc = view.build(form.spec, result.value)
    text = text_of(form.render("html", contract_example()))
    for value in view.all_texts(doc):
        for word in value.split():  # a signature prints its name and date apart
            assert word in text, word


def test_choices_boxes_option_blanks_signatures_notes(tmp_path: Path) -> None:
    form = formengine.load(write_form(tmp_path, CHOICES_FORM))
    blank = form.render("html")
    text = text_of(blank)
    assert "☐男" in text and "☐女" in text
    assert "☐补贴：" in text and "元/人" in text
    assert re.search(r"☐</span>其他：<span class=\"blank\">＿+</span>", blank)
    assert "☐是" in text and "☐否" in text
    assert blank.count('class="rule"') == 4
    assert "经理" in text and "经办人" in text and "签字：" in text and "日期：" in text
    assert '<div class="sig-row">' in blank  # both signers on one row
    assert "一式三联（客户一份、财务一份、存根一份）" in text
    assert "注：" in text and "本表由经办人填写。" in text and "金额以人民币计。" in text
    assert "编号：QR-01" in text
    filled = form.render("html", {"name": "张三", "gender": "女", "funding": {"value": "补贴", "detail": "120.5"},
                                  "agreed": True, "amount": "1234.56", "manager": {"name": "李四", "date": "2026-01-02"}})
    text = text_of(filled)
    assert "☐男" in text and "☑女" in text
    assert "☑补贴：120.50元/人" in text or "☑补贴：120.5元/人" in text
    assert "☐其他：" in text
    assert "☑是" in text and "☐否" in text
    assert "李四" in text and "2026年1月2日" in text
    boxes = re.search(r'<table class="rmb-boxes">(.*?)</table>', filled, re.DOTALL)
    assert boxes is not None
    assert re.findall(r"<td>(.*?)</td>", boxes.group(1)) == ["", "", "", "", "壹", "贰", "叁", "肆", "伍", "陆"]


def test_english_page(tmp_path: Path) -> None:
    html = contract().render("html", lang="en")
    assert '<html lang="en">' in html
    text = text_of(html)
    assert "Sales contract" in text and "Buyer (Party A)" in text and "Line items" in text


def test_grid_and_tree_printing(tmp_path: Path) -> None:
    form = formengine.load(write_form(tmp_path, """\
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
              - tree:
                  id: bom
                  title: 物料清单
                  columns:
                    - {id: number, label: 序号, type: text, compute: outline()}
                    - {id: part, label: 料号, type: text, required: true}
                    - {id: qty, label: 用量, type: integer}
        """))
    blank = form.render("html")
    assert '<th class="corner split" scope="col"><span class="c-col">日期</span><span class="c-row">时间段</span></th>' in blank
    assert "来店批数" in blank and "物料清单" in blank and "料号" in blank
    filled = form.render("html", {"visits": {"08:00-10:00": {"1": 2, "2": 3}, "10:00-12:00": {"3": 4}},
                                  "bom": [{"part": "A-1", "qty": 1, "children": [{"part": "B-7", "qty": 2}]}]})
    text = text_of(filled)
    assert "总计" in text and "合计" in text
    rows = re.findall(r"<tr( class=\"total\")?><th scope=\"row\" class=\"rlabel\">(.*?)</th>(.*?)</tr>", filled, re.DOTALL)
    cells = {label: re.findall(r"<td[^>]*>(.*?)</td>", body) for _, label, body in rows}
    assert cells["08:00-10:00"] == ["2", "3", "", "5"]
    assert cells["总计"] == ["2", "3", "4", "9"]
    assert 'class="depth-1"' in filled and "B-7" in text and "1.1" in text


# ---------------------------------------------------------------- escaping


def hostile_form(tmp_path: Path) -> formengine.Form:
    return formengine.load(write_form(tmp_path, f"""\
        id: hostile
        title: {json.dumps(HOSTILE)}
        code: {json.dumps(HOSTILE)}
        notes: [{json.dumps(HOSTILE)}]
        sections:
          - title: {json.dumps(HOSTILE)}
            hint: {json.dumps(HOSTILE)}
            items:
              - {{id: name, label: {json.dumps(HOSTILE)}, type: text, hint: {json.dumps(HOSTILE)}}}
              - {{id: kind, label: 类别, type: choice, choices: [{json.dumps(HOSTILE)}, 普通]}}
              - text: {json.dumps(HOSTILE + "：{{place}}")}
                blanks:
                  - {{id: place, label: {json.dumps(HOSTILE)}, type: text}}
              - table:
                  id: rows
                  title: {json.dumps(HOSTILE)}
                  columns:
                    - {{id: a, label: {json.dumps(HOSTILE)}, type: text}}
        checks:
          - rule: name != 'x'
            path: name
            message: {json.dumps(HOSTILE)}
        """))


def test_printable_escapes_labels_and_values(tmp_path: Path) -> None:
    form = hostile_form(tmp_path)
    for html in (form.render("html"),
                 form.render("html", {"name": HOSTILE, "kind": HOSTILE, "place": HOSTILE, "rows": [{"a": HOSTILE}]})):
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert all(not name.startswith("on") for _, attrs in tags(html) for name in attrs)
        assert html.count("<script") == 0


def test_css_string_escapes_everything() -> None:
    from formengine.renderers.html import css_string

    out = str(css_string('E05"}</style><script>'))
    assert out.startswith('"E05') and out.endswith('"')
    assert "<" not in out and "}" not in out and '"' not in out[1:-1]


def test_fillable_keeps_hostile_text_out_of_code(tmp_path: Path) -> None:
    form = hostile_form(tmp_path)
    html = form.render("html", {"name": HOSTILE}, fillable=True)
    assert "<img src=x" not in html
    # exactly two script elements: the JSON data block and the code; neither is closed early
    assert html.count("<script") == 2 and html.count("</script>") == 2
    assert all(not name.startswith("on") for _, attrs in tags(html) for name in attrs)
    model = json.loads(re.search(r'<script type="application/json" id="fe-model">(.*?)</script>', html, re.DOTALL).group(1))
    assert model["fields"]["name"]["label"] == HOSTILE
    assert model["checks"][0]["message"] == HOSTILE
    assert model["initial"] == {"name": HOSTILE}
    code = re.search(r"<script>(.*?)</script>", html, re.DOTALL).group(1)
    assert "alert(1)" not in code and "onerror" not in code


# ---------------------------------------------------------------- fillable


def test_fillable_contract_inputs() -> None:
    html = contract().render("html", fillable=True)
    assert '<form class="sheet fe-form" id="fe-form"' in html
    inputs = {a.get("data-path"): (t, a) for t, a in tags(html) if t in ("input", "select", "textarea")}
    tag, buyer = inputs["buyer"]
    assert tag == "input" and buyer["type"] == "text" and "required" in buyer and buyer["name"] == "buyer"
    assert inputs["delivery_date"][1]["type"] == "date" and "required" in inputs["delivery_date"][1]
    assert inputs["sign_date"][1]["type"] == "date"
    assert "readonly" in inputs["grand_total"][1] and "readonly" in inputs["grand_total_upper"][1]
    assert inputs["warranty"][0] == "textarea" and inputs["warranty"][1]["rows"] == "3"
    assert inputs["buyer_signatory.name"][1]["type"] == "text"
    assert inputs["buyer_signatory.date"][1]["type"] == "date"
    price = inputs["lines[0].unit_price"][1]  # the row template
    assert (price["type"], price["step"], price["min"]) == ("number", "0.01", "0")
    qty = inputs["lines[0].qty"][1]
    assert (qty["type"], qty["step"], qty["min"]) == ("number", "1", "1")
    assert "readonly" in inputs["lines[0].total"][1]
    assert 'class="fe-btn fe-add-row" data-table="lines"' in html
    assert 'id="fe-json"' in html and 'type="submit"' in html
    assert all(not name.startswith("on") for _, attrs in tags(html) for name in attrs)
    model = json.loads(re.search(r'<script type="application/json" id="fe-model">(.*?)</script>', html, re.DOTALL).group(1))
    assert model["tables"]["lines"]["min_rows"] == 1 and model["tables"]["lines"]["max_rows"] == 50
    assert model["compute_order"][0] == ["lines", "total"]
    assert "FormEngineRuntime" in html and "R.fn.rmb_upper" in html


def test_fillable_constraints(tmp_path: Path) -> None:
    form = formengine.load(write_form(tmp_path, """\
        id: constraints
        title: 约束
        sections:
          - title: 字段
            items:
              - {id: email, label: 邮箱, type: email}
              - {id: phone, label: 电话, type: phone}
              - {id: site, label: 网址, type: url}
              - {id: code, label: 编码, type: text, max_length: 8, pattern: "[A-Z]{2}[0-9]+"}
              - {id: rate, label: 比例, type: percent, places: 1, min: 0, max: 100}
              - {id: count, label: 人数, type: integer, min: 1, max: 9}
              - {id: month, label: 月份, type: year_month}
              - {id: tags, label: 标签, type: multi_choice, choices: [甲, 乙, {value: 其他, blank: text}]}
              - {id: pick, label: 选择, type: choice, choices: [一, 二, 三, 四, 五, 六, 七, 八], required: true}
              - {id: reason, label: 原因, type: text, visible_if: pick == '八', required: true}
        """))
    html = form.render("html", fillable=True)
    found = [(t, a) for t, a in tags(html) if t in ("input", "select", "textarea")]
    by_path = {}
    for t, a in found:
        by_path.setdefault(a.get("data-path"), []).append((t, a))
    assert by_path["email"][0][1]["type"] == "email"
    assert by_path["phone"][0][1]["type"] == "tel"
    assert by_path["site"][0][1]["type"] == "url"
    code = by_path["code"][0][1]
    assert code["maxlength"] == "8" and code["pattern"] == "[A-Z]{2}[0-9]+"
    rate = by_path["rate"][0][1]
    assert (rate["type"], rate["step"], rate["min"], rate["max"]) == ("number", "0.1", "0", "100")
    assert by_path["count"][0][1]["max"] == "9"
    assert by_path["month"][0][1]["type"] == "month"
    kinds = [(t, a.get("type"), a.get("data-part")) for t, a in by_path["tags"]]
    assert kinds == [("input", "checkbox", None)] * 3 + [("input", "text", "detail")]
    assert "disabled" in by_path["tags"][-1][1]  # the option's blank: enabled when 其他 is chosen
    assert by_path["pick"][0][0] == "select" and "required" in by_path["pick"][0][1]
    assert "required" not in by_path["reason"][0][1]  # required only while visible: the page script decides


def test_fillable_prefilled_and_english(tmp_path: Path) -> None:
    form = contract()
    result = form.validate(contract_example())
    html = get("html").render(form, result.value, {"fillable": True, "lang": "en"})
    assert '<html lang="en">' in html and "Add row" in html and "Submit" in html
    model = json.loads(re.search(r'<script type="application/json" id="fe-model">(.*?)</script>', html, re.DOTALL).group(1))
    assert model["initial"]["grand_total"] == "73070.00"
    assert model["initial"]["lines"][0]["name"] == "冷轧钢板"


@pytest.mark.parametrize("path", sorted(p for p in FORMS.rglob("*.yaml")
                                        if not p.name.endswith(".examples.yaml") and p.name != "formengine.yaml"
                                        and not any(part.startswith("_") for part in p.relative_to(FORMS).parts)),
                         ids=lambda p: p.stem)
def test_every_catalog_form_renders(path: Path) -> None:
    form = formengine.load(path)
    assert form.title.zh in form.render("html")
    assert "<form" in form.render("html", fillable=True)
    for example in load_examples(path):
        if example.valid:
            html = form.render("html", example.data)
            assert form.title.zh in html
