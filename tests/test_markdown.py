"""The Markdown renderer: GFM tables that no value can break, boxes, blanks, no data lost."""

from __future__ import annotations

import html
import re

import pytest
from formengine.renderers.markdown import MarkdownRenderer, escape, escape_block, escape_cell

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


@pytest.fixture(scope="module")
def sales():
    return load_form(SALES)


@pytest.fixture(scope="module")
def sink(tmp_path_factory):
    return kitchen_sink(tmp_path_factory.mktemp("sink"))


def split_row(line: str) -> list[str]:
    """Cells of a GFM table row: split on pipes not escaped by a backslash."""
    assert line.startswith("|") and line.endswith("|"), line
    cells, cur, i = [], "", 1
    body = line[1:-1]
    while i - 1 < len(body):
        ch = body[i - 1]
        if ch == "\\" and i < len(body):
            cur += ch + body[i]
            i += 2
            continue
        if ch == "|":
            cells.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    cells.append(cur)
    return [c.strip(" ") for c in cells]


def tables(md: str) -> list[list[list[str]]]:
    """Every GFM table of a document as rows of cells (the delimiter row included)."""
    out, current = [], []
    for line in md.split("\n"):
        if line.startswith("|"):
            current.append(split_row(line))
        elif current:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def as_text(md: str) -> str:
    """What a reader sees: escapes, hard breaks and <br> resolved."""
    text = md.replace("<br>", "\n").replace("  \n", "\n")
    text = re.sub(r"\\(.)", r"\1", text)
    return html.unescape(text)


def test_registered_through_entry_point():
    renderer = rendering.get("md")
    assert isinstance(renderer, MarkdownRenderer)
    assert (renderer.name, renderer.extension, renderer.media_type) == ("md", "md", "text/markdown")
    assert rendering.get("markdown") is renderer


def test_blank_sales_contract(sales):
    md = sales.render("md")
    assert md.startswith("# 买卖合同\n")
    assert "编号：E05" in md
    assert "## 一、交货时间、地点和方式" in md
    assert "**甲方**：＿＿＿＿" in md
    assert "1.交货期限：＿＿＿＿年＿＿月＿＿日" in md
    assert "**甲方负责人**：＿＿＿＿＿＿  日期：＿＿年＿＿月＿＿日" in md
    goods, boxes = tables(md)[:2]
    assert goods[0] == ["货品名称", "规格", "单价（元）", "数量", "总价（元）"]
    assert len(goods) == 2 + 8  # header, delimiter, print_rows blank rows
    assert all(cell == "" for row in goods[2:] for cell in row)
    assert boxes[0] == list(view.RMB_UNITS)
    assert boxes[2] == [""] * 10


def test_filled_sales_contract_keeps_every_value(sales):
    md = sales.render("md", sales_example())
    doc = view.build(sales.spec, sales.validate(sales_example()).value)
    assert missing_texts(doc, as_text(md), view.CHECKED) == []
    boxes = tables(md)[1]
    assert boxes[2] == ["", "", "", "柒", "叁", "零", "柒", "零", "零", "零"]
    assert "**总价(大写)**：柒万叁仟零柒拾元整" in md
    assert "**甲方负责人**：王建国  日期：2026年1月15日" in md


def test_pipe_and_newline_do_not_break_the_table(sales):
    data = sales_example()
    data["lines"] = [dict(data["lines"][0], spec="1.0mm|1250mm\n第二行 <b>x</b>")] + data["lines"][1:]
    md = sales.render("md", data)
    goods = tables(md)[0]
    assert len(goods) == 2 + 3
    assert all(len(row) == 5 for row in goods)
    assert goods[2][1] == r"1.0mm\|1250mm<br>第二行 &lt;b&gt;x&lt;/b&gt;"


def test_a_real_gfm_parser_sees_the_same_tables(sink):
    markdown_it = pytest.importorskip("markdown_it")
    md = sink.render("md", KITCHEN_SINK_DATA)
    parser = markdown_it.MarkdownIt("commonmark").enable("table")
    tokens = parser.parse(md)
    opened = [t for t in tokens if t.type == "table_open"]
    assert len(opened) == len(tables(md))
    rendered = parser.render(md)
    # the values tried to inject HTML and links: they print as text
    assert "<script" not in rendered and "<b>" not in rendered and "<i>" not in rendered
    assert "<a " not in rendered
    assert "&lt;script&gt;" in rendered
    # every table row has as many cells as its header
    for table in tables(md):
        assert len({len(row) for row in table}) == 1
    # the lines table: 2 rows of data, its multi-line cell kept in one row
    rows = [t for t in tokens if t.type == "tr_open"]
    assert len(rows) == sum(len(t) - 1 for t in tables(md))


def test_boxes_blanks_and_every_block(sink):
    md = sink.render("md", KITCHEN_SINK_DATA)
    assert "**性别**：☐男　　☑女" in md
    assert "**已婚**：☑是　　☐否" in md
    assert "☑政府补贴：每人300元/人" in md
    assert "☐其他：＿＿＿＿" in md
    assert "☑质量" in md and "☑其他：搬迁" in md
    assert "**经理**：张三  日期：2026年1月15日" in md
    assert "**总监**：李四  日期：＿＿年＿＿月＿＿日" in md
    assert "编号：QR-7.5-01　　一式三联（客户一份、财务部一份、存根一份）" in md
    assert "注：\n\n1. 本表一式三联。\n2. 金额以人民币计。" in md
    survey = next(t for t in tables(md) if t[0][0] == r"项目\\程度")
    assert survey[2] == ["服务", "☑", "☐", "☐"]
    tree = next(t for t in tables(md) if t[0] == ["阶层", "序号", "料号"])
    assert [r[2] for r in tree[2:]] == ["P-1", "P-1-1", "P-1-2", "P-1-2-1"]
    assert tree[5][0].startswith("　　└")
    # the static text cannot become a list, a table or a link
    assert r"\- 这不是列表 \| 也不是表格 &lt;b&gt;粗体&lt;/b&gt; \[链接\](http://x)" in md
    doc = view.build(sink.spec, sink.validate(KITCHEN_SINK_DATA).value)
    assert missing_texts(doc, as_text(md), view.CHECKED) == []


def test_blank_kitchen_sink_prints_empty_boxes_and_rows(sink):
    md = sink.render("md")
    assert "☑" not in md
    assert "**性别**：☐男　　☐女" in md
    lines = next(t for t in tables(md) if t[0][0] == "序号")
    assert [r[0] for r in lines[2:]] == ["1", "2", "3"]
    assert "（与身份证一致）" in md  # hints help whoever fills in the paper form


def test_english(sales):
    md = sales.render("md", sales_example(), lang="en")
    assert md.startswith("# Sales contract\n")
    assert "Code: E05" in md
    assert "**Party A representative**: 王建国  Date: 2026-01-15" in md


@pytest.mark.parametrize("text", ["*x*", "_x_", "`x`", "[a](b)", "<a href=x>", "a|b", "~~s~~", "&amp;", "\\"])
def test_escape_is_reversible(text):
    assert as_text(escape(text)) == text
    assert as_text(escape_cell(text)) == text.strip() or text.strip() == ""


@pytest.mark.parametrize("line", ["# h", "- item", "+ item", "1. one", "2) two", "===", "---", "    code",
                                  "a\n\n    code", "a\n> quote"])
def test_block_markers_lose_their_meaning(line):
    markdown_it = pytest.importorskip("markdown_it")
    rendered = markdown_it.MarkdownIt("commonmark").render("**x**：a  \n" + escape_block(line))
    assert rendered.startswith("<p>") and rendered.count("<p>") == 1
    assert not re.search(r"<(h\d|ul|ol|li|pre|code|hr|blockquote)", rendered)
    shown = ["" if x == " " else x for x in as_text(escape_block(line)).split("\n")]  # an empty line: one space
    assert shown == line.split("\n")


FORMS = forms_with_examples()


@pytest.mark.parametrize("path,name,data", FORMS, ids=[f"{p.stem}-{n}" for p, n, _ in FORMS])
def test_every_form_blank_and_filled_loses_nothing(path, name, data):
    form = load_form(path)
    blank = form.render("md")
    assert blank.startswith("# ")
    md = form.render("md", data)
    doc = view.build(form.spec, form.validate(data).value)
    assert missing_texts(doc, as_text(md), view.CHECKED) == []
    for table in tables(md) + tables(blank):
        assert len({len(row) for row in table}) == 1


def test_any_text_in_a_cell_keeps_the_table(sales):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=60, deadline=None)
    @given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
    def check(text):
        data = sales_example()
        data["lines"] = [dict(data["lines"][0], spec=text)]
        result = sales.validate(data)
        if not result.ok:
            return
        md = rendering.get("md").render(sales, result.value, {})
        goods = tables(md)[0]
        assert len(goods) == 3 and all(len(row) == 5 for row in goods)
        shown = as_text(goods[2][1])
        expected = result.value.lines[0].spec.replace("\r\n", "\n").replace("\r", "\n").strip(" \t")
        assert shown == (expected or "")

    check()
