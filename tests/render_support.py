"""Shared by the Markdown and DOCX renderer tests: example forms and "no data lost" checks."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from formengine import view
from formengine.examples import load_examples
from formengine.form import form_files

ROOT = Path(__file__).resolve().parents[1]
FORMS = ROOT / "forms"
SALES = FORMS / "sales" / "sales_contract.yaml"


def sales_example() -> dict[str, Any]:
    return dict(next(e for e in load_examples(SALES) if e.valid).data)


@cache
def load_form(path: Path):
    """A form, loaded once per test session."""
    import formengine

    return formengine.load(path)


def forms_with_examples() -> list[tuple[Path, str, Any]]:
    """(form file, example name, data) of every valid example under forms/ (read when collected,
    so forms other people add while the suite is run are included)."""
    out = []
    for path in form_files(FORMS):
        for example in load_examples(path):
            if example.valid:
                out.append((path, example.name, example.data))
    return out


def missing_texts(doc: view.Document, haystack: str, checked: str) -> list[str]:
    """Value texts of a filled document (``view.all_texts``) that the output does not show.

    A signature prints its name and date apart (签字 … 日期 …), and a choice prints its options
    with boxes, so those two are found by their parts: the name and the date; each chosen option
    as ``checked + label`` and its detail."""
    alternatives: dict[str, list[str]] = {}
    for f in doc.fields():
        if isinstance(f, view.SignatureView) and f.text:
            alternatives[f.text] = [x for x in (f.name, f.date) if x]
        elif isinstance(f, view.ChoiceView) and f.text:
            parts = []
            for o in f.options:
                if o.checked:
                    parts.append(checked + o.label)
                    if o.detail:
                        parts.append(o.detail)
            alternatives[f.text] = parts
    lost = []
    for text in view.all_texts(doc):
        if text in haystack:
            continue
        parts = alternatives.get(text)
        if parts and all(p in haystack for p in parts):
            continue
        lost.append(text)
    return lost


# A form that uses every block and field kind the view knows, in landscape.
KITCHEN_SINK = """\
id: kitchen_sink
title: {zh: 全功能测试表, en: Everything form}
code: QR-7.5-01
copies: {count: 3, note: 客户一份、财务部一份、存根一份}
notes:
  - 本表一式三联。
  - 金额以人民币计。
print: {orientation: landscape}
choices:
  funding:
    - {value: 免费}
    - {value: 补贴, label: {zh: 政府补贴, en: Subsidy}, blank: money, blank_label: 每人, unit: 元/人}
    - {value: 其他, blank: text}
  satisfaction: [满意, 一般, 不满意]
sections:
  - title: 基本信息
    hint: 请用正楷填写
    items:
      - {id: name, label: 姓名, type: text, required: true, hint: 与身份证一致}
      - {id: gender, label: 性别, type: choice, choices: [男, 女], print: inline}
      - {id: married, label: 已婚, type: boolean}
      - {id: funding, label: 费用来源, type: choice, choices: funding}
      - {id: topics, label: 感兴趣的课题, type: multi_choice, choices: [质量, 成本, 交期, 安全], other: true}
      - {id: period, label: 培训期间, type: date_range}
      - {id: months, label: 项目月份, type: year_month_range}
      - {id: at, label: 时间, type: time}
      - {id: share, label: 占比, type: percent}
      - {id: score, label: 评分, type: rating}
      - {id: remark, label: 备注, type: textarea, lines: 2}
      - {id: photo, label: 照片, type: image}
      - {id: licence, label: 营业执照, type: attachment}
  - title: 条款
    items:
      - text: "甲方应于{pay_date}前支付{amount}，方式：{pay_way}，经办：{clerk}。"
        blanks:
          - {id: pay_date, label: 付款日期, type: date}
          - {id: amount, label: 金额, type: money}
          - {id: pay_way, label: 付款方式, type: choice, choices: [现金, 转账]}
          - {id: clerk, label: 经办人, type: signature}
      - text: "- 这不是列表 | 也不是表格 <b>粗体</b> [链接](http://x)"
      - group:
          title: 分组
          items:
            - {id: g_text, label: 分组字段, type: text}
            - text: 分组内的文字
  - title: 明细
    items:
      - table:
          id: lines
          title: 明细表
          print_rows: 3
          row_number: 序号
          hint: 每行一项
          columns:
            - {id: item, label: 项目, type: text, required: true}
            - {id: note, label: 说明, type: textarea}
            - {id: price, label: 单价, type: money, unit: 元}
      - {id: total, label: 合计, type: money, print: digit_boxes}
  - title: 满意度
    items:
      - grid:
          id: survey
          title: 满意度调查
          corner: 项目\\程度
          rows: [服务, 质量]
          columns: {choices: satisfaction}
          one_per_row: true
      - grid:
          id: visitors
          title: 来店客户批数
          corner: 时间段\\日期
          rows: ["08:00-10:00", "10:00-12:00"]
          columns: {from: 1, to: 31}
          cell: {type: integer, min: 0}
          row_totals: 合计
          column_totals: 合计
  - title: 物料
    items:
      - tree:
          id: bom
          title: 物料清单
          columns:
            - {id: level, label: 阶层, type: integer, compute: level()}
            - {id: number, label: 序号, type: text, compute: outline()}
            - {id: part_no, label: 料号, type: text, required: true}
  - title: 审批
    items:
      - group:
          title: 申请方
          items:
            - {id: applicant, label: 申请人, type: signature}
            - {id: applicant_phone, label: 电话, type: phone}
      - group:
          title: 审核方
          items:
            - {id: reviewer, label: 审核人, type: signature}
            - {id: reviewer_phone, label: 电话, type: phone}
      - {id: manager, label: 经理, type: signature}
      - {id: director, label: 总监, type: signature}
"""

KITCHEN_SINK_DATA: dict[str, Any] = {
    "name": "A|B\n<script>alert(1)</script>",
    "gender": "女",
    "married": True,
    "funding": {"value": "补贴", "detail": "300"},
    "topics": ["质量", {"value": "其他", "detail": "搬迁"}],
    "period": {"start": "2026-01-01", "end": "2026-01-31"},
    "months": {"start": "2026-01", "end": "2026-03"},
    "at": "09:30",
    "share": "35",
    "score": 4,
    "remark": "第一行\n第二行 | 管道",
    "photo": {"name": "a.png", "width": 951, "height": 600, "bytes": 1200, "format": "png"},
    "licence": {"name": "营业执照.pdf", "bytes": 1200, "format": "pdf"},
    "pay_date": "2026-02-01",
    "amount": "1234.5",
    "pay_way": "转账",
    "clerk": {"name": "赵六"},
    "g_text": "[点我](javascript:alert(1))",
    "lines": [
        {"item": "咨询 | 服务", "note": "多行\n说明 <i>x</i>", "price": "100"},
        {"item": "**粗** _斜_ `码`", "price": "2.5"},
    ],
    "total": "102.50",
    "survey": {"服务": "满意", "质量": "一般"},
    "visitors": {"08:00-10:00": {"1": 3, "2": 4}, "10:00-12:00": {"1": 1}},
    "bom": [{"part_no": "P-1", "children": [
        {"part_no": "P-1-1"},
        {"part_no": "P-1-2", "children": [{"part_no": "P-1-2-1"}]},
    ]}],
    "applicant": {"name": "王五", "date": "2026-01-10"},
    "applicant_phone": "021-12345678",
    "reviewer": {"date": "2026-01-11"},
    "reviewer_phone": "13800138000",
    "manager": {"name": "张三", "date": "2026-01-15"},
    "director": {"name": "李四"},
}


def kitchen_sink(tmp_dir: Path):
    import formengine

    path = tmp_dir / "kitchen_sink.yaml"
    path.write_text(KITCHEN_SINK, encoding="utf-8")
    return formengine.load(path)
