"""The DOCX renderer, read back with python-docx: page, fonts, header/footer, tables, values."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from formengine import rendering, view

from .render_support import (
    KITCHEN_SINK_DATA,
    SALES,
    forms_with_examples,
    kitchen_sink,
    load_form,
    missing_texts,
    sales_example,
)

docx = pytest.importorskip("docx")
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

CHOSEN = "☒"


@pytest.fixture(scope="module")
def sales():
    return load_form(SALES)


@pytest.fixture(scope="module")
def sink(tmp_path_factory):
    return kitchen_sink(tmp_path_factory.mktemp("sink"))


def open_docx(content: bytes):
    assert isinstance(content, bytes) and content[:2] == b"PK"
    return docx.Document(io.BytesIO(content))


def all_text(d) -> str:
    """Every paragraph of the body (table cells included) and of the header, one per line."""
    paragraphs = list(d.element.body.iter(qn("w:p")))
    section = d.sections[0]
    paragraphs += list(section.header._element.iter(qn("w:p")))
    return "\n".join(Paragraph(p, None).text for p in paragraphs)


def test_registered_through_entry_point():
    renderer = rendering.get("docx")
    assert (renderer.name, renderer.extension) == ("docx", "docx")
    assert renderer.media_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert rendering.get("word") is renderer


def test_import_formengine_does_not_load_python_docx():
    code = "import sys, formengine; import formengine.rendering; assert 'docx' not in sys.modules, 'docx loaded'"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("filled", [False, True], ids=["blank", "filled"])
def test_page_fonts_header_footer(sales, filled):
    d = open_docx(sales.render("docx", sales_example() if filled else None))
    section = d.sections[0]
    assert abs(section.page_width.cm - 21.0) < 0.05 and abs(section.page_height.cm - 29.7) < 0.05
    for margin in (section.left_margin, section.right_margin, section.top_margin, section.bottom_margin):
        assert abs(margin.cm - 2.0) < 0.05
    normal = d.styles["Normal"]
    rfonts = normal.element.rPr.rFonts
    assert rfonts.get(qn("w:eastAsia")) in ("宋体", "SimSun")
    assert normal.font.name in ("SimSun", "Times New Roman")
    # every run carries the East Asian font too (Word ignores the style for some scripts)
    runs = list(d.element.body.iter(qn("w:r")))
    assert runs
    for r in runs:
        fonts = r.find(qn("w:rPr")).find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == "宋体"
    header = "\n".join(p.text for p in section.header.paragraphs)
    assert "E05" in header
    footer = section.footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert "第 " in footer and " 页 共 " in footer
    # the title: centred, bold, about 16 pt
    title = d.paragraphs[0]
    assert title.text == "买卖合同"
    assert title.alignment == 1  # centre
    assert title.runs[0].bold and title.runs[0].font.size.pt == 16


def test_filled_sales_contract_keeps_every_value(sales):
    d = open_docx(sales.render("docx", sales_example()))
    doc = view.build(sales.spec, sales.validate(sales_example()).value)
    text = all_text(d)
    assert missing_texts(doc, text, CHOSEN) == []
    assert "签字：王建国" in text and "日期：2026年1月15日" in text
    assert "柒万叁仟零柒拾元整" in text


def test_tables_look_like_the_paper_form(sales):
    d = open_docx(sales.render("docx"))
    body = d.element.body
    xml = body.xml
    assert "<w:tblHeader/>" in xml and "<w:cantSplit/>" in xml
    assert all(tr.find(qn("w:trPr")).find(qn("w:cantSplit")) is not None for tr in body.iter(qn("w:tr")))
    # the goods table: its header row repeats, and 8 blank rows are printed
    goods = next(t for t in d.tables if any(c.text == "货品名称" for r in t.rows for c in r.cells))
    rows = list(goods.rows)
    at = next(i for i, r in enumerate(rows) if r.cells[0].text == "货品名称")
    header = rows[at]
    assert all(r._tr.trPr.find(qn("w:tblHeader")) is not None for r in rows[:at + 1])  # titles + header
    assert [c.text for c in header.cells] == ["货品名称", "规格", "单价（元）", "数量", "总价（元）"]
    assert len(rows) == at + 1 + 8 and not any(c.text for r in rows[at + 1:] for c in r.cells)
    # the money boxes: 仟佰拾万仟佰拾元角分 with the label cell merged over two rows
    boxes = next(t for t in d.tables if "仟佰拾万仟佰拾元角分" in "".join(c.text for c in t.rows[0].cells[1:11]))
    assert boxes.rows[0].cells[0]._tc.tcPr.find(qn("w:vMerge")) is not None
    # section titles span the table width; label cells are shaded
    assert body.findall(".//" + qn("w:gridSpan"))
    shaded = [tc for tc in body.iter(qn("w:tc")) if tc.tcPr.find(qn("w:shd")) is not None]
    assert any(Paragraph(tc.find(qn("w:p")), None).text == "合约书编号" for tc in shaded)
    # inline blanks in the clauses are underlined
    clause = next(p for p in d.paragraphs if p.text.startswith("1.交货期限："))
    assert any(r.font.underline for r in clause.runs)
    assert "年" in clause.text and "日" in clause.text


def test_filled_blanks_are_underlined_values(sales):
    d = open_docx(sales.render("docx", sales_example()))
    clause = next(p for p in d.paragraphs if p.text.startswith("1.交货期限："))
    assert [r.text for r in clause.runs if r.font.underline] == ["2026年2月28日"]
    boxes = next(t for t in d.tables if "仟佰拾万仟佰拾元角分" in "".join(c.text for c in t.rows[0].cells[1:11]))
    assert [c.text for c in boxes.rows[1].cells[1:11]] == ["", "", "", "柒", "叁", "零", "柒", "零", "零", "零"]
    assert "73070.00" in boxes.rows[0].cells[11].text


def test_every_block_kind(sink):
    content = sink.render("docx", KITCHEN_SINK_DATA)
    d = open_docx(content)
    section = d.sections[0]
    assert section.orientation == 1  # landscape
    assert abs(section.page_width.cm - 29.7) < 0.05 and abs(section.page_height.cm - 21.0) < 0.05
    text = all_text(d)
    doc = view.build(sink.spec, sink.validate(KITCHEN_SINK_DATA).value)
    assert missing_texts(doc, text, CHOSEN) == []
    assert "☐男\u3000☒女" in text
    assert "☒是\u3000☐否" in text
    assert "☒政府补贴：每人300元/人" in text
    assert "☐其他：" in text
    assert "☒质量" in text and "☒其他：搬迁" in text
    assert "QR-7.5-01" in "\n".join(p.text for p in section.header.paragraphs)
    assert "一式三联（客户一份、财务部一份、存根一份）" in text
    assert "注：" in text and "1. 本表一式三联。" in text and "2. 金额以人民币计。" in text
    assert "A|B\n<script>alert(1)</script>" in text  # kept as text, line break included
    # the one-per-row grid shows ☒ in the chosen column
    survey = next(t for t in d.tables if any(c.text == "项目\\程度" for r in t.rows for c in r.cells))
    row = next(r for r in survey.rows if r.cells[0].text == "服务")
    assert [c.text for c in row.cells[1:]] == ["☒", "☐", "☐"]
    # the tree indents its first column by depth
    tree_cells = [tc for tc in d.element.body.iter(qn("w:tc"))
                  if Paragraph(tc.find(qn("w:p")), None).text.endswith(" 3")]
    ind = tree_cells[0].find(qn("w:p")).find(qn("w:pPr")).find(qn("w:ind"))
    assert int(ind.get(qn("w:left"))) == 2 * 240
    # two parallel groups side by side: both titles in one row
    pair = next(r for t in d.tables for r in t.rows if [c.text for c in r.cells][:1] == ["申请方"])
    assert "审核方" in [c.text for c in pair.cells]
    # a signature inside running text
    assert "经办：签字：赵六" in text


def test_blank_kitchen_sink(sink):
    d = open_docx(sink.render("docx"))
    text = all_text(d)
    assert CHOSEN not in text
    assert "☐男\u3000☐女" in text
    assert "与身份证一致" in text  # hints help whoever fills in the paper form
    numbered = next(t for t in d.tables if any(r.cells[0].text == "序号" for r in t.rows))
    numbers = [r.cells[0].text for r in numbered.rows]
    assert numbers[numbers.index("序号") + 1:] == ["1", "2", "3"]


def test_english(sales):
    d = open_docx(sales.render("docx", sales_example(), lang="en"))
    assert d.paragraphs[0].text == "Sales contract"
    assert "Code: E05" in "\n".join(p.text for p in d.sections[0].header.paragraphs)
    assert "Page " in d.sections[0].footer._element.xml


def test_rendering_is_quick(sales):
    import time

    data = sales.validate(sales_example()).value
    renderer = rendering.get("docx")
    renderer.render(sales, data, {})
    start = time.perf_counter()
    for _ in range(10):
        renderer.render(sales, data, {})
    assert (time.perf_counter() - start) / 10 < 0.25


FORMS = forms_with_examples()


@pytest.mark.parametrize("path,name,data", FORMS, ids=[f"{p.stem}-{n}" for p, n, _ in FORMS])
def test_every_form_blank_and_filled_loses_nothing(path, name, data):
    form = load_form(path)
    blank = open_docx(form.render("docx"))
    assert blank.paragraphs[0].text == form.title.zh
    d = open_docx(form.render("docx", data))
    doc = view.build(form.spec, form.validate(data).value)
    assert missing_texts(doc, all_text(d), CHOSEN) == []
    if form.spec.code:
        assert form.spec.code in "\n".join(p.text for p in d.sections[0].header.paragraphs)


def test_any_text_survives_the_round_trip(sales):
    import re

    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=40, deadline=None)
    @given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
    def check(text):
        data = sales_example()
        data["buyer"] = text
        result = sales.validate(data)
        if not result.ok:
            return
        d = open_docx(rendering.get("docx").render(sales, result.value, {}))
        expected = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", result.value.buyer)
        expected = expected.replace("\r\n", "\n").replace("\r", "\n")
        cell = next(t for t in d.tables for r in t.rows for c in r.cells if c.text == "甲方")
        row = next(r for r in cell.rows if any(c.text == "甲方" for c in r.cells))
        assert row.cells[3].text == expected

    check()
