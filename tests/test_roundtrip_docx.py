"""Fillable DOCX (issue #7): content controls bound to the data, filled, read back.

Every catalog example is typed into a blank fillable file by an independent filler
(``roundtrip_docx_fill``, which knows only the tag scheme and Word's markup) and must read back
as the submission it was — an image too: the filler inserts a generated picture of the
example's size, byte size and name into the picture control, as Word does. Files edited by hand — rows added, a row's wrapper lost, an input
deleted or copied, text typed outside the inputs, another form's file, an older form, a
corrupt file, a wrong value — give a clear issue with where it is. LibreOffice is the other
program people fill these files in: a file it saved, and a file filled in it through UNO,
read back too.
"""

from __future__ import annotations

import copy
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from formengine import extraction
from formengine.cli import main
from formengine.form import load

from .render_support import (
    FORMS,
    KITCHEN_SINK_DATA,
    SALES,
    forms_with_examples,
    kitchen_sink,
    load_form,
)

docx = pytest.importorskip("docx")  # the [docx] extra: python-docx, and lxml with it
from docx.image.image import Image
from lxml import etree

from .roundtrip_docx_fill import NS, W14, Filler, R, W, fill, make_png

EXAMPLES = forms_with_examples()
NOT_IN_FILES = ("attachment",)  # cannot travel in a Word file (see renderers/docx_read.py)
HERE = Path(__file__).resolve().parent
PRACTICE = FORMS / "training" / "practice_result_registration.yaml"  # its point is a screenshot
# a table, a tree, a check-box grid, a drop-down grid and a picture
LO_FORMS = [SALES, FORMS / "quality" / "product_bom.yaml", FORMS / "customer" / "customer_maintenance_statistics.yaml",
            FORMS / "automotive" / "showroom_traffic_statistics.yaml", PRACTICE]
UNO_PYTHON = "/usr/bin/python3"  # Debian's python3-uno lives in the system Python


def blank(form: Any, lang: str = "zh") -> bytes:
    content = form.render("docx", fillable=True, lang=lang)
    assert isinstance(content, bytes)
    return content


def expected(form: Any, data: dict[str, Any], pictures: bool = True) -> Any:
    """What reading back must give: the submission without what a Word file cannot carry (and
    without its images when no picture was inserted: a file rendered with data keeps the
    placeholder, as the data holds no picture)."""
    left_out = NOT_IN_FILES if pictures else (*NOT_IN_FILES, "image")
    kept = {k: v for k, v in data.items()
            if not (form.spec.field(k) and form.spec.field(k).type in left_out)}
    return form.validate(kept)


def assert_reads_back(form: Any, content: bytes, data: dict[str, Any], pictures: bool = True) -> None:
    got, want = form.extract(content, format="docx"), expected(form, data, pictures)
    assert [e.code for e in got.errors if e.code.startswith("file_")] == []
    if want.ok:
        assert got.ok, [e.format("en") for e in got.errors]
        assert got.data() == want.data()
    else:  # a required image left out: reported as missing, nothing else
        assert not pictures
        assert sorted((e.path, e.code) for e in got.errors) == sorted((e.path, e.code) for e in want.errors)


@pytest.fixture(scope="module")
def sales() -> Any:
    return load_form(SALES)


@pytest.fixture(scope="module")
def sales_data() -> dict[str, Any]:
    from .render_support import sales_example

    return sales_example()


@pytest.fixture(scope="module")
def sink(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return kitchen_sink(tmp_path_factory.mktemp("sink"))


def codes(result: Any) -> list[str]:
    return [e.code for e in result.errors]


def issue(result: Any, code: str) -> Any:
    found = [e for e in result.errors if e.code == code]
    assert len(found) == 1, [e.format("en") for e in result.errors]
    return found[0]


# ---------------------------------------------------------------- every catalog form round-trips


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("path", "name", "data"), EXAMPLES, ids=[f"{p.stem}-{n}" for p, n, _ in EXAMPLES])
def test_a_file_filled_in_word_reads_back_as_the_submission(path: Path, name: str, data: Any, lang: str) -> None:
    form = load_form(path)
    assert_reads_back(form, fill(blank(form, lang), form, form.validate(data).value), data)


@pytest.mark.parametrize(("path", "name", "data"), EXAMPLES, ids=[f"{p.stem}-{n}" for p, n, _ in EXAMPLES])
def test_a_file_rendered_with_data_reads_back_the_same(path: Path, name: str, data: Any) -> None:
    form = load_form(path)
    content = form.render("docx", data, fillable=True)
    assert isinstance(content, bytes)
    assert_reads_back(form, content, data, pictures=False)


@pytest.mark.parametrize("path", sorted({p for p, _, _ in EXAMPLES}), ids=lambda p: p.stem)
def test_a_blank_file_reads_back_empty(path: Path) -> None:
    form = load_form(path)
    result = form.extract(blank(form), format="docx")
    assert result.read == {}
    assert [e.format("en") for e in result.errors if e.code.startswith("file_")] == []


def test_the_kitchen_sink_round_trips_in_both_languages(sink: Any) -> None:
    values = sink.validate(KITCHEN_SINK_DATA).value
    for lang in ("zh", "en"):
        assert_reads_back(sink, fill(blank(sink, lang), sink, values), KITCHEN_SINK_DATA)
        content = sink.render("docx", KITCHEN_SINK_DATA, fillable=True, lang=lang)
        assert_reads_back(sink, content, KITCHEN_SINK_DATA, pictures=False)


# ---------------------------------------------------------------- what the file is made of


def document(content: bytes) -> Any:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return etree.fromstring(z.read("word/document.xml"))


def control(root: Any, tag: str) -> Any:
    [found] = [s for s in root.iter(W + "sdt") if s.find("w:sdtPr/w:tag", NS) is not None
               and s.find("w:sdtPr/w:tag", NS).get(W + "val") == tag]
    return found


def test_inputs_are_word_content_controls_bound_by_tag(sink: Any) -> None:
    root = document(blank(sink))
    name = control(root, "name")
    assert name.find("w:sdtPr/w:alias", NS).get(W + "val") == "姓名"
    assert name.find("w:sdtPr/w:showingPlcHdr", NS) is not None
    placeholder = name.find("w:sdtContent/w:r", NS)
    assert placeholder.find("w:rPr/w:color", NS).get(W + "val") == "808080"  # grey until typed over
    date = control(root, "pay_date").find("w:sdtPr/w:date", NS)
    assert date.find("w:dateFormat", NS).get(W + "val") == "yyyy年M月d日"
    assert control(root, "period.start").find("w:sdtPr/w:date", NS) is not None
    assert control(root, "months.end").find("w:sdtPr/w:date/w:dateFormat", NS).get(W + "val") == "yyyy年M月"
    items = [(i.get(W + "displayText"), i.get(W + "value"))
             for i in control(root, "funding").findall("w:sdtPr/w:dropDownList/w:listItem", NS)]
    assert items == [("免费", "免费"), ("政府补贴", "补贴"), ("其他", "其他")]
    assert control(root, "funding.detail=补贴").find("w:sdtPr/w:dropDownList", NS) is None  # its own blank
    box = control(root, "topics=质量").find("w:sdtPr/w14:checkbox", NS)
    assert box.find("w14:checked", NS).get(W14 + "val") == "0"
    assert box.find("w14:checkedState", NS).get(W14 + "val") == "2612"  # ☒
    assert box.find("w14:uncheckedState", NS).get(W14 + "val") == "2610"  # ☐
    assert control(root, "married=true") is not None and control(root, "married=false") is not None
    assert control(root, "clerk.name") is not None and control(root, "clerk.date") is not None
    assert control(root, "survey['服务']['满意']").find("w:sdtPr/w14:checkbox", NS) is not None
    assert control(root, "visitors['08:00-10:00']['31']") is not None
    # tables and trees: a repeating section of rows, every row with the column tags
    section = control(root, "lines")
    assert section.find("w:sdtPr/w15:repeatingSection", {**NS, "w15": NS["w15"]}) is not None
    items = section.findall("w:sdtContent/w:sdt", NS)
    assert len(items) == 3  # print_rows
    for item in items:
        assert item.find("w:sdtPr/w15:repeatingSectionItem", NS) is not None
        row_tags = {t.get(W + "val") for t in item.iter(W + "tag")}
        assert row_tags == {"lines[].item", "lines[].note", "lines[].price"}
    level_tags = [t for t in root.iter(W + "tag") if t.get(W + "val") == "bom[]#level"]
    assert len(level_tags) == 8  # the tree's print_rows
    # an image: a picture control showing a placeholder picture that is a part of the package
    photo = control(root, "photo")
    assert photo.find("w:sdtPr/w:picture", NS) is not None
    assert photo.find("w:sdtPr/w:showingPlcHdr", NS) is not None
    assert photo.find("w:sdtPr/w:alias", NS).get(W + "val") == "照片"
    rid = photo.find(".//a:blip", NS).get(R + "embed")
    with zipfile.ZipFile(io.BytesIO(blank(sink))) as z:
        rels = etree.fromstring(z.read("word/_rels/document.xml.rels"))
        [target] = [r.get("Target") for r in rels if r.get("Id") == rid]
        assert r'Extension="png" ContentType="image/png"' in z.read("[Content_Types].xml").decode()
        placeholder = z.read("word/" + target)
    assert Image.from_blob(placeholder).content_type == "image/png"
    # computed values and attachments get a grey note, no input
    tags = {t.get(W + "val") for t in root.iter(W + "tag")}
    assert not {"licence", "bom[].level", "bom[].number"} & tags
    assert "total" in tags  # money in digit boxes: typed in figures beside the boxes
    text = "".join(t.text or "" for t in root.iter(W + "t"))
    assert "（自动计算）" in text and "（不能在此文件中填写，请另行提交）" in text


def test_the_english_file_uses_iso_dates_and_english_labels(sink: Any) -> None:
    root = document(blank(sink, "en"))
    assert control(root, "pay_date").find("w:sdtPr/w:date/w:dateFormat", NS).get(W + "val") == "yyyy-MM-dd"
    items = [i.get(W + "displayText") for i in control(root, "funding").findall("w:sdtPr/w:dropDownList/w:listItem", NS)]
    assert items == ["免费", "Subsidy", "其他"]


def test_the_package_declares_w14_w15_and_carries_the_stamp(sales: Any) -> None:
    content = blank(sales)
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        xml = z.read("word/document.xml").decode()
        types = z.read("[Content_Types].xml").decode()
        rels = z.read("_rels/.rels").decode()
    root_tag = xml[xml.index("<w:document"):xml.index(">", xml.index("<w:document"))]
    ignorable = root_tag.split('mc:Ignorable="')[1].split('"')[0].split()
    assert {"w14", "w15"} <= set(ignorable)
    assert 'xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml"' in root_tag
    assert ('PartName="/docProps/custom.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"') in types
    assert "relationships/custom-properties" in rels and 'Target="docProps/custom.xml"' in rels
    props = docx.Document(io.BytesIO(content)).part.package  # python-docx opens it
    assert props is not None
    from formengine.renderers.docx_package import read_custom_properties

    with zipfile.ZipFile(io.BytesIO(content)) as z:
        found = read_custom_properties(z)
    assert {k: found[k] for k in extraction.stamp(sales)} == extraction.stamp(sales)
    assert found["formengine.lang"] == "zh"


def test_the_printable_file_has_no_inputs(sales: Any, sales_data: dict[str, Any]) -> None:
    for data in (None, sales_data):
        content = sales.render("docx", data)
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            assert b"<w:sdt>" not in z.read("word/document.xml")
            assert "docProps/custom.xml" not in z.namelist()
    printable = sales.extract(sales.render("docx"), format="docx")
    assert codes(printable) == ["file_not_fillable"]


def test_a_file_rendered_with_data_shows_the_values_in_its_inputs(sales: Any, sales_data: dict[str, Any]) -> None:
    root = document(sales.render("docx", sales_data, fillable=True))
    buyer = control(root, "buyer")
    assert buyer.find("w:sdtPr/w:showingPlcHdr", NS) is None
    assert "".join(t.text for t in buyer.iter(W + "t")) == sales_data["buyer"]
    date = control(root, "delivery_date")
    assert date.find("w:sdtPr/w:date", NS).get(W + "fullDate") == "2026-02-28T00:00:00Z"
    assert "".join(t.text for t in date.iter(W + "t")) == "2026年2月28日"


# ---------------------------------------------------------------- edited by hand


def filled_sales(sales: Any, sales_data: dict[str, Any]) -> Filler:
    return Filler(fill(blank(sales), sales, sales.validate(sales_data).value))


def test_rows_added_in_word_are_read(sales: Any, sales_data: dict[str, Any]) -> None:
    filler = Filler(blank(sales))
    lines = [{"name": f"货品{i}", "unit_price": "10.00", "qty": i + 1} for i in range(11)]  # more than print_rows
    data = {**sales_data, "lines": lines}
    content = fill(blank(sales), sales, sales.validate(data).value)
    filler = Filler(content)
    assert len(filler.rows("lines")) == 11
    result = sales.extract(content, format="docx")
    assert result.ok and [r["name"] for r in result.data()["lines"]] == [f"货品{i}" for i in range(11)]
    assert result.data()["grand_total"] == "660.00"  # computed from the rows read


def test_rows_read_the_same_when_their_repeating_section_was_lost(sales: Any, sales_data: dict[str, Any]) -> None:
    filler = filled_sales(sales, sales_data)
    for sdt in list(filler.root.iter(W + "sdt")):  # unwrap: another program kept the rows only
        pr = sdt.find("w:sdtPr", NS)
        if pr.find("w15:repeatingSection", NS) is not None or pr.find("w15:repeatingSectionItem", NS) is not None:
            parent = sdt.getparent()
            for child in sdt.find("w:sdtContent", NS):
                sdt.addprevious(child)
            parent.remove(sdt)
    content = filler.save()
    assert b"repeatingSection" not in content
    assert_reads_back(sales, content, sales_data)


def test_a_deleted_input_is_reported(sales: Any, sales_data: dict[str, Any]) -> None:
    filler = filled_sales(sales, sales_data)
    buyer = filler.by_tag("buyer")
    buyer.getparent().remove(buyer)
    qty = filler.by_tag("lines[].qty", filler.rows("lines")[1])
    qty.getparent().remove(qty)
    result = sales.extract(filler.save(), format="docx")
    missing = [e for e in result.errors if e.code == "file_missing_input"]
    assert {e.path for e in missing} == {"buyer", "lines[1].qty"}
    by_path = {e.path: e for e in missing}
    assert by_path["buyer"].message_zh == "文件中缺少“甲方”的填写框（可能被删除）"
    assert by_path["buyer"].message_en == "The input for “Buyer (Party A)” is missing from the file (deleted?)"
    assert by_path["lines[1].qty"].message_zh == "文件中缺少“货品明细 第 2 条：数量”的填写框（可能被删除）"
    assert by_path["lines[1].qty"].message_en == \
        "The input for “Line items, entry 2: Quantity” is missing from the file (deleted?)"
    assert by_path["lines[1].qty"].where("zh") == "第 2 个表格 第 5 行"
    assert ("buyer", "required") in {(e.path, e.code) for e in result.errors}  # and it is still required


def test_a_copied_input_is_reported_not_read(sales: Any, sales_data: dict[str, Any]) -> None:
    filler = filled_sales(sales, sales_data)
    buyer = filler.by_tag("buyer")
    buyer.addnext(copy.deepcopy(buyer))
    result = sales.extract(filler.save(), format="docx")
    copied = issue(result, "file_duplicate_input")
    assert copied.path == "buyer" and copied.params["count"] == 2
    assert "buyer" not in result.read


def _append_text(paragraph: Any, text: str) -> None:
    r = etree.SubElement(paragraph, W + "r")
    etree.SubElement(r, W + "t").text = text


def test_text_typed_outside_the_inputs_is_reported_where_it_is(sales: Any, sales_data: dict[str, Any]) -> None:
    filler = filled_sales(sales, sales_data)
    label = next(tc for tc in filler.root.iter(W + "tc") if "".join(t.text or "" for t in tc.iter(W + "t")) == "甲方")
    _append_text(label.find("w:p", NS), "（盖章）")
    _append_text(filler.by_tag("lines[].name", filler.rows("lines")[2]).getparent(), "另加运费")
    body = filler.root.find("w:body", NS)
    extra = etree.SubElement(body, W + "p")
    _append_text(extra, "补充：货到付款")
    body.append(body.find("w:sectPr", NS))  # the section properties stay last
    result = sales.extract(filler.save(), format="docx")
    outside = sorted((e.params["text"], e.where("zh"), e.where("en")) for e in result.errors
                     if e.code == "file_text_outside")
    last = sum(1 for p in body.findall("w:p", NS) if "".join(t.text or "" for t in p.iter(W + "t")).strip())
    assert outside == sorted([
        ("（盖章）", "第 1 个表格 第 1 行", "table 1, row 1"),
        ("另加运费", "第 2 个表格 第 6 行", "table 2, row 6"),
        ("补充：货到付款", f"第 {last} 段", f"paragraph {last}"),
    ])
    assert [c for c in codes(result) if c != "file_text_outside"] == []  # the values still read
    assert result.read["lines"][2]["name"] == sales_data["lines"][2]["name"]


def test_row_numbers_of_added_rows_are_not_text_outside(sink: Any) -> None:
    """Word copies the last row's number (3) into a row it adds; a person may correct it."""
    filler = Filler(blank(sink))
    added = filler.add_row("lines")
    filler.add_row("lines")
    number = added.find(".//w:tc", NS)
    assert "".join(t.text or "" for t in number.iter(W + "t")) == "3"
    next(number.iter(W + "t")).text = "4"
    filler.type_text(filler.by_tag("lines[].item", filler.rows("lines")[0]), "咨询")
    result = sink.extract(filler.save(), format="docx")
    assert [e.code for e in result.errors if e.code.startswith("file_")] == []
    assert result.read["lines"] == [{"item": "咨询"}]


def test_another_forms_file_is_refused(sales: Any) -> None:
    other = load_form(FORMS / "quality" / "product_bom.yaml")
    result = sales.extract(blank(other), format="docx")
    assert codes(result) == ["file_wrong_form"] and "product_bom" in result.errors[0].message_en


def test_a_file_of_an_older_form_is_refused(sales: Any, tmp_path: Path) -> None:
    text = SALES.read_text("utf-8").replace("en: Quantity}, type: integer", "en: Quantity}, type: decimal", 1)
    assert text != SALES.read_text("utf-8")
    (tmp_path / "sales_contract.yaml").write_text(text, "utf-8")
    older = load(tmp_path / "sales_contract.yaml")
    result = sales.extract(blank(older), format="docx")
    assert codes(result) == ["file_form_changed"]


def test_a_corrupt_file_is_unreadable_not_a_traceback(sales: Any) -> None:
    content = blank(sales)
    assert codes(sales.extract(content[: len(content) // 2], format="docx")) == ["file_unreadable"]
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            out.writestr(info, data[:200] if info.filename == "word/document.xml" else data)
    result = sales.extract(buf.getvalue(), format="docx")
    assert codes(result) == ["file_unreadable"] and "document.xml" in result.errors[0].message_en


def test_a_wrong_value_is_reported_where_it_was_typed(sales: Any, sales_data: dict[str, Any]) -> None:
    filler = filled_sales(sales, sales_data)
    filler.type_text(filler.by_tag("lines[].qty", filler.rows("lines")[1]), "十二")
    filler.type_text(filler.by_tag("buyer"), "")
    result = sales.extract(filler.save(), format="docx")
    qty = next(e for e in result.errors if e.path == "lines[1].qty")
    assert qty.where("zh") == "货品明细 第 2 条“数量”（第 2 个表格 第 5 行）"
    assert qty.where("en") == "Line items, entry 2, “Quantity” (table 2, row 5)"
    buyer = next(e for e in result.errors if e.path == "buyer")
    assert buyer.code == "required" and buyer.where("zh") == "“甲方”（第 1 个表格 第 1 行）"
    assert result.read["lines"][1]["qty"] == "十二"  # passed on as typed, never repaired


def test_an_input_the_form_does_not_have_is_reported(sales: Any, sales_data: dict[str, Any]) -> None:
    filler = filled_sales(sales, sales_data)
    filler.by_tag("seller").find("w:sdtPr/w:tag", NS).set(W + "val", "seller_name")
    for tag in filler.rows("lines")[0].iter(W + "tag"):  # a row of a table the form does not have
        tag.set(W + "val", tag.get(W + "val").replace("lines[]", "goods[]"))
    result = sales.extract(filler.save(), format="docx")
    unknown = sorted(e.params["name"] for e in result.errors if e.code == "file_unknown_input")
    assert unknown == ["goods[].name", "goods[].qty", "goods[].spec", "goods[].unit_price", "seller_name"]
    assert ("seller", "file_missing_input") in {(e.path, e.code) for e in result.errors}


def test_a_detail_for_an_option_not_chosen_is_reported(sink: Any) -> None:
    filler = Filler(blank(sink))
    filler.choose(filler.by_tag("funding"), "免费")
    filler.type_text(filler.by_tag("funding.detail=其他"), "自筹")
    filler.type_text(filler.by_tag("topics.detail=其他"), "搬迁")
    result = sink.extract(filler.save(), format="docx")
    details = sorted((e.path, e.message_zh) for e in result.errors if e.code == "file_detail_unchosen")
    assert details == [("funding", "填写了“其他”的说明“自筹”，但没有选择“其他”"),
                       ("topics", "填写了“其他”的说明“搬迁”，但没有选择“其他”")]


def test_tree_rows_nest_by_their_level_and_a_bad_level_is_reported(sink: Any) -> None:
    filler = Filler(blank(sink))
    rows = filler.rows("bom")
    for tr, (level, part) in zip(rows, [("", "P-1"), ("2", "P-1-1"), ("3", "P-1-1-1"), ("2", "P-1-2"), ("1", "P-2")]):
        if level:
            filler.type_text(filler.by_tag("bom[]#level", tr), level)
        filler.type_text(filler.by_tag("bom[].part_no", tr), part)
    result = sink.extract(filler.save(), format="docx")
    assert result.read["bom"] == [
        {"part_no": "P-1", "children": [{"part_no": "P-1-1", "children": [{"part_no": "P-1-1-1"}]},
                                        {"part_no": "P-1-2"}]},
        {"part_no": "P-2"}]
    filler.type_text(filler.by_tag("bom[]#level", rows[5]), "3")  # under P-2 (level 1): at most 2
    filler.type_text(filler.by_tag("bom[].part_no", rows[5]), "P-2-1")
    result = sink.extract(filler.save(), format="docx")
    bad = issue(result, "file_tree_level")
    assert bad.params == {"level": "3", "limit": 2} and bad.where("en") == "table 7, row 9"


# ---------------------------------------------------------------- images


@pytest.fixture(scope="module")
def practice() -> Any:
    return load_form(PRACTICE)


PRACTICE_DATA = {"contents": ["用户名", "店铺名", "店招", "轮播"], "logged_in": True}


def with_picture(form: Any, blob: bytes, name: str, px: tuple[int, int], **kind: str) -> Filler:
    """The practice form's blank file with its other inputs filled and a picture inserted."""
    filler = Filler(fill(blank(form), form, PRACTICE_DATA))  # no picture yet: it does not validate
    filler.insert_picture(filler.by_tag("screenshot"), blob, name, px, **kind)
    return filler


def test_an_image_is_measured_from_the_picture_not_its_size_on_the_page(practice: Any) -> None:
    filler = with_picture(practice, make_png(951, 640, 52_000), r"C:\Users\马晓琳\截图\首页.png", (951, 640))
    for extent in (filler.root.find(".//wp:extent", NS), filler.root.find(".//a:xfrm/a:ext", NS)):
        extent.set("cx", "914400")  # shown squeezed to a 1-inch square on the page
        extent.set("cy", "914400")
    result = practice.extract(filler.save(), format="docx")
    assert result.ok, [e.format("en") for e in result.errors]
    # the name is the file name the program recorded, without the folder it came from
    assert result.data()["screenshot"] == {"name": "首页.png", "width": 951, "height": 640, "bytes": 52_000,
                                           "format": "png"}


def test_a_too_wide_image_is_refused_where_it_is(practice: Any) -> None:
    filler = with_picture(practice, make_png(1920, 650, 9_000), "首页截图.png", (1920, 650))
    result = practice.extract(filler.save(), format="docx")
    wide = issue(result, "image_width")
    assert wide.path == "screenshot" and wide.params == {"expected": "951", "actual": 1920}
    assert wide.where("zh") == "“店铺首页截图”（第 1 个表格 第 2 行）"
    assert wide.where("en") == "“Shop home-page screenshot” (table 1, row 2)"
    assert codes(result) == ["image_width"]


def _gif(width: int, height: int) -> bytes:
    """A one-pixel GIF on a ``width`` × ``height`` screen (what an image viewer calls its size)."""
    return (b"GIF89a" + width.to_bytes(2, "little") + height.to_bytes(2, "little") + b"\x80\x00\x00"
            + b"\x00\x00\x00\xff\xff\xff" + b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


def test_a_gif_reads_as_gif_and_an_unknown_format_passes_on_as_found(practice: Any, tmp_path: Path) -> None:
    gif = _gif(951, 600)
    result = practice.extract(with_picture(practice, gif, "首页.gif", (951, 600), extension="gif",
                                           content_type="image/gif").save(), format="docx")
    assert result.ok and result.data()["screenshot"] == {"name": "首页.gif", "width": 951, "height": 600,
                                                         "bytes": len(gif), "format": "gif"}
    webp = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00" + bytes(24)  # a format python-docx does not read
    content = with_picture(practice, webp, "首页.webp", (951, 600), extension="webp", content_type="image/webp").save()
    assert practice.extract(content, format="docx").read["screenshot"] == {
        "name": "首页.webp", "bytes": len(webp), "format": "webp"}  # no pixel size can be told
    # a form that names its formats refuses it
    text = PRACTICE.read_text("utf-8").replace("width: 951, height: {min: 550, max: 700},", "formats: [png, jpeg],")
    assert text != PRACTICE.read_text("utf-8")
    (tmp_path / PRACTICE.name).write_text(text, "utf-8")
    strict = load(tmp_path / PRACTICE.name)
    content = Filler(fill(blank(strict), strict, PRACTICE_DATA))
    content.insert_picture(content.by_tag("screenshot"), webp, "首页.webp", (951, 600), extension="webp",
                           content_type="image/webp")
    refused = issue(strict.extract(content.save(), format="docx"), "file_format")
    assert refused.path == "screenshot" and refused.where("en") == "“Shop home-page screenshot” (table 1, row 2)"


def test_two_pictures_in_an_images_place_are_reported_not_chosen_between(practice: Any) -> None:
    png = make_png(951, 600, 4_000)
    # pasted into the control beside the one inserted
    filler = with_picture(practice, png, "一.png", (951, 600))
    inserted = filler.by_tag("screenshot").find("w:sdtContent/w:r", NS)
    inserted.addnext(copy.deepcopy(inserted))
    result = practice.extract(filler.save(), format="docx")
    twice = issue(result, "file_duplicate_input")
    assert twice.path == "screenshot" and twice.params["count"] == 2 and twice.where("zh") == "第 1 个表格 第 2 行"
    assert "screenshot" not in result.read and ("screenshot", "required") in {(e.path, e.code) for e in result.errors}
    # pasted into the same cell, outside the control
    filler = with_picture(practice, png, "一.png", (951, 600))
    control_ = filler.by_tag("screenshot")
    control_.addnext(copy.deepcopy(control_.find("w:sdtContent/w:r", NS)))
    assert codes(practice.extract(filler.save(), format="docx")) == ["file_duplicate_input", "required"]


def test_a_picture_outside_an_images_place_is_reported_like_text_outside(practice: Any) -> None:
    filler = with_picture(practice, make_png(951, 600, 4_000), "一.png", (951, 600))
    picture = filler.by_tag("screenshot").find("w:sdtContent/w:r", NS)
    filler.by_tag("logged_in=true").addnext(copy.deepcopy(picture))  # beside the yes/no boxes
    result = practice.extract(filler.save(), format="docx")
    outside = issue(result, "file_text_outside")
    assert outside.message_zh == "填写框外有文字“[图片 一.png]”；请填在对应的框内"
    assert outside.where("en") == "table 1, row 4"
    assert result.read["screenshot"]["name"] == "一.png"  # the picture in its place still reads
    # pasted beside the empty picture control: not taken for the value, as typed text is not
    filler = Filler(fill(blank(practice), practice, PRACTICE_DATA))
    empty = filler.by_tag("screenshot")
    beside = copy.deepcopy(empty.find("w:sdtContent/w:r", NS))
    beside.find(".//a:blip", NS).set(R + "embed", filler.add_image(make_png(951, 600, 4_000), "png", "image/png"))
    empty.addnext(beside)
    result = practice.extract(filler.save(), format="docx")
    assert sorted((e.path, e.code, e.where("zh")) for e in result.errors) == [
        ("", "file_text_outside", "第 1 个表格 第 2 行"), ("screenshot", "required", "“店铺首页截图”（第 1 个表格 第 2 行）")]


def test_a_picture_whose_image_is_not_in_the_file_makes_the_file_unreadable(practice: Any) -> None:
    filler = with_picture(practice, make_png(951, 600, 4_000), "一.png", (951, 600))
    filler.by_tag("screenshot").find(".//a:blip", NS).set(R + "embed", "rIdNowhere")  # its part is gone
    result = practice.extract(filler.save(), format="docx")
    assert codes(result) == ["file_unreadable"] and "一.png" in result.errors[0].message_en
    # Word's Insert ▸ Link to File: the picture only points at a file on the filler's disk
    filler = with_picture(practice, make_png(951, 600, 4_000), "一.png", (951, 600))
    blip = filler.by_tag("screenshot").find(".//a:blip", NS)
    rid = blip.attrib.pop(R + "embed")
    blip.set(R + "link", rid)
    rels = etree.fromstring(filler.part("word/_rels/document.xml.rels"))
    [rel] = [r for r in rels if r.get("Id") == rid]
    rel.set("Target", "file:///C:/Users/li/一.png")
    rel.set("TargetMode", "External")
    filler.parts["word/_rels/document.xml.rels"] = etree.tostring(rels)
    linked = practice.extract(filler.save(), format="docx")
    assert codes(linked) == ["file_unreadable"]
    assert "only a link to file:///C:/Users/li/一.png, not inserted" in linked.errors[0].message_en


def test_a_file_rendered_with_an_image_keeps_the_placeholder(practice: Any) -> None:
    data = {**PRACTICE_DATA, "screenshot": {"name": "a.png", "width": 951, "height": 600, "bytes": 9, "format": "png"}}
    content = practice.render("docx", data, fillable=True)
    photo = control(document(content), "screenshot")
    assert photo.find("w:sdtPr/w:showingPlcHdr", NS) is not None
    result = practice.extract(content, format="docx")
    assert codes(result) == ["required"] and result.errors[0].path == "screenshot"


def strip_tags(content: bytes) -> bytes:
    """What LibreOffice 7.4 does when it saves: controls keep their kind and value, lose their
    tags and aliases, and the repeating sections around rows are gone."""
    filler = Filler(content)
    for sdt in list(filler.root.iter(W + "sdt")):
        pr = sdt.find("w:sdtPr", NS)
        if pr.find("w15:repeatingSection", NS) is not None or pr.find("w15:repeatingSectionItem", NS) is not None:
            for child in sdt.find("w:sdtContent", NS):
                sdt.addprevious(child)
            sdt.getparent().remove(sdt)
            continue
        for lost in pr.findall("w:tag", NS) + pr.findall("w:alias", NS):
            pr.remove(lost)
    return filler.save()


def test_a_file_whose_tags_were_lost_reads_back_by_the_place_of_its_inputs(
        sales: Any, sales_data: dict[str, Any], sink: Any) -> None:
    lines = [{"name": f"货品{i}", "unit_price": "10.00", "qty": i + 1} for i in range(11)]  # rows added
    cases = [(sales, {**sales_data, "lines": lines}), (sink, KITCHEN_SINK_DATA)]
    cases += [(load_form(p), d) for p, _, d in EXAMPLES if p in LO_FORMS]
    for form, values in cases:
        content = strip_tags(fill(blank(form), form, form.validate(values).value))
        assert b"<w:tag " not in content
        assert_reads_back(form, content, values)


def test_text_outside_and_missing_inputs_are_found_when_tags_were_lost(sales: Any, sales_data: dict[str, Any]) -> None:
    filler = Filler(strip_tags(fill(blank(sales), sales, sales.validate(sales_data).value)))
    label = next(tc for tc in filler.root.iter(W + "tc") if "".join(t.text or "" for t in tc.iter(W + "t")) == "乙方")
    _append_text(label.find("w:p", NS), "（盖章）")
    result = sales.extract(filler.save(), format="docx")
    assert [(e.code, e.params.get("text"), e.where("zh")) for e in result.errors] == [
        ("file_text_outside", "（盖章）", "第 1 个表格 第 2 行")]


def test_a_placeholder_is_never_a_value(sales: Any, sink: Any) -> None:
    """Another program may drop "showing placeholder" and keep the grey text (or picture)."""
    for form in (sales, sink, load_form(PRACTICE)):
        filler = Filler(blank(form))
        for flag in list(filler.root.iter(W + "showingPlcHdr")):
            flag.getparent().remove(flag)
        assert form.extract(filler.save(), format="docx").read == {}


def test_a_date_picker_value_is_its_text_or_its_recorded_date(sales: Any, sales_data: dict[str, Any]) -> None:
    filler = filled_sales(sales, sales_data)
    signed = filler.by_tag("sign_date")
    filler.type_text(signed, "15/1/2026")  # shown in another format; the picker recorded the date
    filler.by_tag("delivery_date").find("w:sdtPr/w:date", NS).set(W + "fullDate", "2026-03-01T00:00:00Z")
    delivery = filler.by_tag("delivery_date")
    filler.type_text(delivery, "二月底")  # typed over the picker: not a date, passed on as typed
    result = sales.extract(filler.save(), format="docx")
    assert result.read["sign_date"] == "2026-01-15"
    assert result.read["delivery_date"] == "二月底"
    assert ("delivery_date", "date") in {(e.path, e.code) for e in result.errors}


def test_cli_renders_fillable_and_extracts(tmp_path: Path, sales_data: dict[str, Any]) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    rendered = runner.invoke(main, ["render", str(SALES), "--to", "docx", "--fillable", "-o", str(out)])
    assert rendered.exit_code == 0, rendered.output
    [made] = out.glob("*.docx")
    form = load(SALES)
    made.write_bytes(fill(made.read_bytes(), form, form.validate(sales_data).value))
    result = runner.invoke(main, ["extract", str(made), "--form", str(SALES)])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["ok"] is True and printed["data"]["buyer"] == sales_data["buyer"]


# ---------------------------------------------------------------- LibreOffice


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.skip("LibreOffice (soffice) is not installed")
    return found




def test_files_saved_by_libreoffice_read_back(tmp_path: Path, sink: Any) -> None:
    """LibreOffice 7.4 keeps the controls, their kinds and values but drops every tag and the
    repeating sections: the controls are then matched to the blank page by their place. It
    keeps an inserted picture, byte for byte, saving its picture control as two nested ones."""
    soffice = _soffice()
    cases: list[tuple[Any, Path, dict[str, Any]]] = []
    for i, (path, _, data) in enumerate(e for e in EXAMPLES if e[0] in LO_FORMS):
        form = load_form(path)
        for lang in ("zh", "en"):
            target = tmp_path / f"{i}-{lang}.docx"
            target.write_bytes(fill(blank(form, lang), form, form.validate(data).value))
            cases.append((form, target, data))
    edited = Filler(fill(blank(sink), sink, sink.validate(KITCHEN_SINK_DATA).value))
    label = next(tc for tc in edited.root.iter(W + "tc") if "".join(t.text or "" for t in tc.iter(W + "t")) == "性别")
    _append_text(label.find("w:p", NS), "（必填）")
    (tmp_path / "sink.docx").write_bytes(edited.save())
    out = tmp_path / "lo"
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "docx", "--outdir", str(out), *(str(t) for _, t, _ in cases),
                    str(tmp_path / "sink.docx")], check=True, capture_output=True, timeout=600)
    for form, target, data in cases:
        assert_reads_back(form, (out / target.name).read_bytes(), data)
    result = sink.extract(out / "sink.docx")
    assert [(e.params["text"], e.where("zh")) for e in result.errors if e.code == "file_text_outside"] == [
        ("（必填）", "第 1 个表格 第 2 行")]


def test_a_file_filled_in_libreoffice_through_uno_reads_back(tmp_path: Path, sales: Any,
                                                              sales_data: dict[str, Any]) -> None:
    _soffice()
    has_uno = Path(UNO_PYTHON).exists() and subprocess.run(
        [UNO_PYTHON, "-c", "import uno"], check=False, capture_output=True).returncode == 0
    if not has_uno:
        pytest.skip("no Python with LibreOffice's uno module (Debian: python3-uno)")
    source = blank(sales)
    wanted = fill(source, sales, sales.validate(sales_data).value)

    def inputs(content: bytes) -> list[tuple[str, Any]]:
        filler = Filler(content)
        out: list[tuple[str, Any]] = []
        for sdt in filler.controls():
            box = sdt.find("w:sdtPr/w14:checkbox/w14:checked", NS)
            if box is not None:
                out.append(("tick", box.get(W14 + "val") == "1"))
            else:
                shown = "".join(t.text or "" for t in sdt.iter(W + "t"))
                out.append(("type", shown if sdt.find("w:sdtPr/w:showingPlcHdr", NS) is None else None))
        return out

    before, after = inputs(source), inputs(wanted)
    actions = [[i, kind, value] for i, ((kind, old), (_, value)) in enumerate(zip(before, after)) if old != value]
    (tmp_path / "blank.docx").write_bytes(source)
    (tmp_path / "actions.json").write_text(json.dumps(actions, ensure_ascii=False), "utf-8")
    run = subprocess.run([UNO_PYTHON, str(HERE / "uno_fill_docx.py"), str(tmp_path / "blank.docx"),
                          str(tmp_path / "filled.docx"), str(tmp_path / "actions.json"), str(tmp_path / "profile")],
                         check=False, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.splitlines()[-1])
    assert len(seen) == len(before)  # LibreOffice found the same inputs, in the same order
    assert_reads_back(sales, (tmp_path / "filled.docx").read_bytes(), sales_data)


def test_python_docx_opens_every_fillable_file() -> None:
    for path in sorted({p for p, _, _ in EXAMPLES}):
        d = docx.Document(io.BytesIO(blank(load_form(path))))
        assert d.tables  # a real document with the form's tables
