"""Baseline: the filled 买卖合同 as a straightforward python-docx script (open the default
template, set 宋体, add paragraphs and tables, save) — what one writes without formengine."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt


def _money(v: Any) -> str:
    return "" if v is None else format(Decimal(v).quantize(Decimal("0.01")), "f")


def _date(d: Any) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if isinstance(d, dt.date) else ""


def render(c: Any) -> bytes:
    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    section = d.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    section.header.paragraphs[0].text = "编号：E05"
    section.header.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT

    title = d.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("买卖合同")
    run.bold = True
    run.font.size = Pt(18)

    parties = d.add_table(rows=2, cols=4)
    parties.style = "Table Grid"
    parties.cell(0, 0).text = "合约书编号"
    parties.cell(0, 1).merge(parties.cell(0, 3)).text = c.contract_no or ""
    for j, text in enumerate(("甲方", c.buyer, "乙方", c.seller)):
        parties.cell(1, j).text = text
    d.add_paragraph("为甲方向乙方购下列货品，双方议定各项条件如下：")

    d.add_paragraph().add_run("货品明细").bold = True
    lines = d.add_table(rows=1, cols=5)
    lines.style = "Table Grid"
    for j, text in enumerate(("货品名称", "规格", "单价（元）", "数量", "总价（元）")):
        lines.rows[0].cells[j].text = text
    for line in c.lines:
        cells = lines.add_row().cells
        values = (line.name, line.spec or "", _money(line.unit_price), str(line.qty), _money(line.total))
        for j, text in enumerate(values):
            cells[j].text = text
            if j >= 2:
                cells[j].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    totals = d.add_table(rows=2, cols=2)
    totals.style = "Table Grid"
    totals.cell(0, 0).text = "总价"
    totals.cell(0, 1).text = f"¥{_money(c.grand_total)}"
    totals.cell(1, 0).text = "总价(大写)"
    totals.cell(1, 1).text = c.grand_total_upper or ""

    def heading(text: str) -> None:
        d.add_paragraph().add_run(text).bold = True

    heading("一、交货时间、地点和方式")
    d.add_paragraph(f"1.交货期限：{_date(c.delivery_date)}")
    d.add_paragraph(f"2.交货地点：{c.delivery_place or ''}")
    d.add_paragraph(f"3.方式：{c.delivery_method or ''}")
    d.add_paragraph(f"4.运费：{c.freight or ''}")
    heading("二、验收")
    d.add_paragraph(f"1.验收地点：{c.inspection_place or ''}")
    d.add_paragraph("2.乙方保证所交货品为符合品质协议之产品。")
    d.add_paragraph("3.若所交货品一部分或全部不符合品质及交期的约定，乙方应负责更换或赔偿退换所发生的费用。")
    for title_text, value in (("三、保证责任", c.warranty), ("四、罚则", c.penalties), ("五、其他", c.other_terms)):
        heading(title_text)
        d.add_paragraph(value or "")

    heading("签署")
    signing = d.add_table(rows=3, cols=2)
    signing.style = "Table Grid"
    for j, (who, sig, address) in enumerate((("甲方", c.buyer_signatory, c.buyer_address),
                                             ("乙方", c.seller_signatory, c.seller_address))):
        signing.cell(0, j).text = f"{who}负责人（签字）：{sig.name if sig and sig.name else ''}"
        signing.cell(1, j).text = f"日期：{_date(sig.date) if sig else ''}"
        signing.cell(2, j).text = f"{who}地址：{address or ''}"
    d.add_paragraph(f"签约日期：{_date(c.sign_date)}")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
