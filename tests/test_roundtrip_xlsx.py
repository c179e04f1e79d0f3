"""Fillable Excel workbooks: render → fill as a person's tool would → read back → the same data.

The filler here is independent of the renderer: it finds inputs the way any tool can, by the
keys in the hidden key column (section sheets) or key row (table, tree and grid sheets), as
the renderer's docstring documents them, and types what a person types (option labels, 是/否,
real dates, plain numbers). One workbook is also filled through LibreOffice itself.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

openpyxl = pytest.importorskip("openpyxl")

import formengine
from formengine.examples import load_examples
from formengine.fieldtypes import ChoiceDetail
from formengine.form import form_files

from .conftest import FORMS

CONTRACT = FORMS / "sales" / "sales_contract.yaml"
NO_FILE_TYPES = ("image", "attachment")  # cannot travel in a workbook


def valid_examples() -> list[tuple[Path, str, Any]]:
    out = []
    for path in form_files(FORMS):
        for ex in load_examples(path):
            if ex.valid:
                out.append((path, ex.name, ex.data))
    return out


EXAMPLES = valid_examples()
IDS = [f"{p.stem}-{name}" for p, name, _ in EXAMPLES]
_FORMS: dict[Path, formengine.Form] = {}


def load(path: Path) -> formengine.Form:
    if path not in _FORMS:
        _FORMS[path] = formengine.load(path)
    return _FORMS[path]


# ---------------------------------------------------------------- an independent filler


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


def label_of(field: Any, value: str, lang: str = "zh") -> str:
    option = field.choices.get(value)
    return option.label.get(lang) if option else value


def typed(field: Any, value: Any, lang: str = "zh") -> Any:
    """What a person types into a cell for a validated value (None: nothing)."""
    if value is None:
        return None
    t = field.type
    if t in ("money", "decimal", "percent"):
        return float(value) if value != value.to_integral_value() else int(value)  # Excel keeps doubles
    if t == "boolean":
        return ("是" if value else "否") if lang == "zh" else ("Yes" if value else "No")
    if t == "choice":
        return label_of(field, value.value if isinstance(value, ChoiceDetail) else value, lang)
    if t == "multi_choice":
        return "、".join(label_of(field, v.value if isinstance(v, ChoiceDetail) else v, lang) for v in value)
    if t == "time":
        h, m = str(value).split(":")
        return dt.time(int(h), int(m))
    return value  # text, integer, date (a real date), datetime, year-month as text


def detail_of(value: Any) -> Any:
    if isinstance(value, ChoiceDetail):
        d = value.detail
        return float(d) if isinstance(d, Decimal) else d
    return None


def cells_of(field: Any, value: Any, in_table: bool = False, lang: str = "zh") -> dict[str, Any]:
    """key → what to type, for one field (the key grammar of renderers/xlsx_layout.py)."""
    fid, t = field.id, field.type
    if value is None or field.compute is not None or t in NO_FILE_TYPES:
        return {}
    if t in ("signature", "date_range", "year_month_range"):
        parts = ("name", "date") if t == "signature" else ("start", "end")
        return {f"{fid}.{p}": _get(value, p) for p in parts if _get(value, p) is not None}
    if t == "multi_choice" and not in_table:
        out: dict[str, Any] = {}
        for item in value:
            v = item.value if isinstance(item, ChoiceDetail) else item
            out[f"{fid}[{v}]"] = "是" if lang == "zh" else "Yes"
            if isinstance(item, ChoiceDetail):
                out[f"{fid}[{v}]#detail"] = detail_of(item)
        return out
    out = {fid: typed(field, value, lang)}
    if isinstance(value, ChoiceDetail):
        out[f"{fid}#detail"] = detail_of(value)
    return out


def marker(ws: Any) -> str:
    for r in range(1, 11):
        v = ws.cell(r, 1).value
        if isinstance(v, str) and v.startswith("#"):
            return v
    return ""


def marked_row(ws: Any, name: str) -> int:
    return next(r for r in range(1, 20) if ws.cell(r, 1).value == name)


def key_columns(ws: Any) -> dict[str, int]:
    r = marked_row(ws, "#keys")
    return {str(c.value): c.column for c in ws[r] if c.value is not None and c.column > 1}


def fill(content: bytes, form: formengine.Form, value: Any, lang: str = "zh") -> bytes:
    """Type a validated value into a blank workbook and save it, as a person's tool would."""
    wb = openpyxl.load_workbook(io.BytesIO(content))
    spec = form.spec
    section_cells: dict[str, Any] = {}
    for f in spec.fields:
        section_cells.update(cells_of(f, _get(value, f.id), lang=lang))
    for ws in wb.worksheets:
        kind = marker(ws)
        if kind == "#section":
            for row in ws.iter_rows(min_col=1, max_col=1):
                key = row[0].value
                if key in section_cells:
                    ws.cell(row[0].row, 3).value = section_cells[key]
        elif kind.startswith(("#table ", "#tree ")):
            member_id = kind.split(" ", 1)[1]
            member = next(m for m in (*spec.tables, *spec.trees) if m.id == member_id)
            columns = key_columns(ws)
            r = marked_row(ws, "#header") + 1
            for depth, row in _flatten(_get(value, member_id) or [], kind.startswith("#tree")):
                if "#level" in columns:
                    ws.cell(r, columns["#level"]).value = depth
                for c in member.columns:
                    for key, typed_value in cells_of(c, _get(row, c.id), in_table=True, lang=lang).items():
                        ws.cell(r, columns[key]).value = typed_value
                r += 1
        elif kind.startswith("#grid "):
            grid = next(g for g in spec.grids if g.id == kind.split(" ", 1)[1])
            columns = key_columns(ws)
            given = _get(value, grid.id) or {}
            for row in ws.iter_rows(min_col=1, max_col=1):
                rkey = row[0].value
                if rkey not in given:
                    continue
                if grid.one_per_row:
                    ws.cell(row[0].row, columns[given[rkey]]).value = "√"
                    continue
                for ckey, v in given[rkey].items():
                    if ckey in columns and ckey != "#total":
                        ws.cell(row[0].row, columns[ckey]).value = typed(grid.cell, v, lang)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _flatten(nodes: list[Any], tree: bool, depth: int = 1) -> list[tuple[int, Any]]:
    out = []
    for node in nodes:
        out.append((depth, node))
        if tree:
            out.extend(_flatten(_get(node, "children") or [], tree, depth + 1))
    return out


def assert_reads_back(form: formengine.Form, content: bytes, data: Any) -> None:
    """The file reads back as the example; image and attachment fields cannot travel in a
    workbook, so a required one is reported ``required`` and nothing else differs."""
    want = form.validate(data).data()
    result = form.extract(content, format="xlsx")
    files = {f.id for f in form.spec.fields if f.type in NO_FILE_TYPES and f.id in data}
    if files:
        assert {e.code for e in result.errors} <= {"required"} and {e.path for e in result.errors} <= files
        assert form.validate({**result.read, **{k: data[k] for k in files}}).data() == want
        return
    assert result.ok, result.format("en")
    assert result.data() == want


@pytest.mark.parametrize(("path", "name", "data"), EXAMPLES, ids=IDS)
def test_every_catalog_form_round_trips_through_a_blank_workbook(path: Path, name: str, data: Any) -> None:
    form = load(path)
    value = form.validate(data).value
    filled = fill(form.render("xlsx", fillable=True), form, value)
    assert_reads_back(form, filled, data)


@pytest.mark.parametrize(("path", "name", "data"), EXAMPLES, ids=IDS)
def test_a_prefilled_workbook_reads_back_equal(path: Path, name: str, data: Any) -> None:
    form = load(path)
    assert_reads_back(form, form.render("xlsx", data, fillable=True), data)


@pytest.mark.parametrize("stem", ["sales_contract", "customer_maintenance_statistics", "product_bom",
                                  "trainee_registration"])
def test_an_english_workbook_reads_back_equal(stem: str) -> None:
    path, _, data = next(e for e in EXAMPLES if e[0].stem == stem)
    form = load(path)
    assert_reads_back(form, fill(form.render("xlsx", lang="en"), form, form.validate(data).value, "en"), data)
    assert_reads_back(form, form.render("xlsx", data, lang="en"), data)


def test_an_english_workbook_speaks_english() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(load(CONTRACT).render("xlsx", lang="en")))
    assert wb.sheetnames[:3] == ["Parties", "Goods", "Line items"]
    parties = wb["Parties"]
    assert parties.cell(find_key(parties, "buyer"), 2).value == "Buyer (Party A) *"


# ---------------------------------------------------------------- the workbook a person sees


def contract_workbook(data: Any = None) -> Any:
    form = load(CONTRACT)
    return openpyxl.load_workbook(io.BytesIO(form.render("xlsx", data)))


def find_key(ws: Any, key: str) -> int:
    return next(row[0].row for row in ws.iter_rows(min_col=1, max_col=1) if row[0].value == key)


def test_inputs_are_unlocked_labels_and_formulas_locked_and_sheets_protected() -> None:
    wb = contract_workbook()
    parties, lines = wb["立约人"], wb["货品明细"]
    r = find_key(parties, "buyer")
    assert parties.protection.sheet and lines.protection.sheet
    assert parties.cell(r, 2).value == "甲方 *" and parties.cell(r, 2).protection.locked
    assert not parties.cell(r, 3).protection.locked
    assert parties.column_dimensions["A"].hidden and lines.row_dimensions[2].hidden
    total = lines["F4"]
    assert total.data_type == "f" and total.protection.locked
    assert not lines["B4"].protection.locked
    assert not lines.protection.insertRows  # openpyxl: False = allowed while protected
    assert wb.security.lockStructure


def test_choices_numbers_and_dates_are_validated_with_input_messages(tmp_path: Path) -> None:
    form_path = tmp_path / "signup.yaml"
    form_path.write_text("""\
id: signup
title: 报名
sections:
  - title: 报名
    items:
      - {id: level, label: 级别, type: choice, choices: [初级, 中级, 高级], required: true, hint: 按上次成绩选}
      - {id: seats, label: 人数, type: integer, min: 1, max: 30}
      - {id: fee, label: 费用, type: money, min: 0}
      - {id: start, label: 开课日期, type: date, min: 2026-01-01}
      - {id: paid, label: 已付款, type: boolean}
      - {id: note, label: 备注, type: text, max_length: 20}
      - {id: city, label: 城市, type: choice, choices: ["北京,朝阳", 上海]}
""", encoding="utf-8")
    form = formengine.load(form_path)
    wb = openpyxl.load_workbook(io.BytesIO(form.render("xlsx")))
    ws = wb["报名"]
    by_cell = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}

    def dv(key: str) -> Any:
        return by_cell[f"C{find_key(ws, key)}"]
    assert dv("level").type == "list" and dv("level").formula1 == '"初级,中级,高级"'
    assert "按上次成绩选" in dv("level").prompt and "必填" in dv("level").prompt
    assert (dv("seats").type, dv("seats").formula1, dv("seats").formula2) == ("whole", "1", "30")
    assert (dv("fee").type, dv("fee").operator, dv("fee").formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert dv("start").type == "date" and dv("start").formula1 == "DATE(2026,1,1)"
    assert dv("paid").formula1 == '"是,否"'
    assert (dv("note").type, dv("note").operator, dv("note").formula2) == ("textLength", "lessThanOrEqual", None)
    assert dv("city").formula1.startswith("'_lists'!")  # a label with a comma cannot be an inline list
    assert ws.cell(find_key(ws, "fee"), 3).number_format == "#,##0.00"
    assert ws.cell(find_key(ws, "start"), 3).number_format == "yyyy-mm-dd"
    assert wb["_lists"].sheet_state == "hidden" and wb["_lists"]["A1"].value == "北京,朝阳"


def test_the_stamp_is_in_document_properties_and_in_a_hidden_sheet() -> None:
    wb = contract_workbook()
    props = {p.name: p.value for p in wb.custom_doc_props}
    assert props["formengine.form"] == "sales_contract" and len(props["formengine.shape"]) == 16
    ws = wb["_formengine"]
    assert ws.sheet_state == "hidden" and ws.protection.sheet
    assert ws["A1"].value == "formengine.form" and ws["B1"].value == "sales_contract"


# ---------------------------------------------------------------- hand edits


def contract_example() -> Any:
    return next(d for p, _, d in EXAMPLES if p == CONTRACT)


def saved(wb: Any) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def filled_contract() -> Any:
    form = load(CONTRACT)
    return openpyxl.load_workbook(io.BytesIO(fill(form.render("xlsx"), form, form.validate(contract_example()).value)))


def codes_and_places(result: Any) -> set[tuple[str, str, str]]:
    return {(e.code, e.path, e.where_zh) for e in result.errors}


def test_a_row_inserted_in_a_table_is_read_in_its_place() -> None:
    wb = filled_contract()
    lines = wb["货品明细"]
    lines.insert_rows(5)  # between the first and the second line, as Excel's "Insert row" does
    lines["B5"], lines["D5"], lines["E5"] = "热轧卷板", 3980.5, 5
    result = load(CONTRACT).extract(saved(wb), format="xlsx")
    assert result.ok, result.format("en")
    assert [r["name"] for r in result.data()["lines"]] == ["冷轧钢板", "热轧卷板", "镀锌钢管", "角钢"]
    assert result.data()["lines"][1]["total"] == "19902.50"  # computed by the server, not read


def test_a_row_typed_below_the_prepared_rows_is_read_and_a_gap_reported() -> None:
    wb = filled_contract()
    lines = wb["货品明细"]
    assert lines.max_row < 60  # row 60 is beyond the prepared rows…
    assert not lines.column_dimensions["B"].protection.locked  # …where the column's style leaves it open
    lines["B60"], lines["D60"], lines["E60"] = "螺纹钢", 4100, 2
    result = load(CONTRACT).extract(saved(wb), format="xlsx")
    rows = result.read["lines"]
    assert [r.get("name") for r in rows[:3]] == ["冷轧钢板", "镀锌钢管", "角钢"]
    assert rows[-1] == {"name": "螺纹钢", "unit_price": 4100, "qty": 2} and len(rows) == 57
    gaps = [e for e in result.errors if e.code == "empty_row"]  # rows are filled in order, without gaps
    assert len(gaps) == 53 and gaps[0].where_zh == "'货品明细'!7:7（第 7 行）"


def test_a_deleted_input_row_sheet_or_column_is_reported() -> None:
    form = load(CONTRACT)
    wb = filled_contract()
    parties = wb["立约人"]
    parties.delete_rows(find_key(parties, "seller"))
    del wb["签署"]
    wb["货品明细"].delete_cols(3)  # the 规格 column
    result = form.extract(saved(wb), format="xlsx")
    missing = {e.message_zh for e in result.errors if e.code == "file_missing_input"}
    assert "文件中缺少“乙方”的填写框（可能被删除）" in missing
    assert any("甲方负责人" in m for m in missing) and any("规格" in m for m in missing)
    assert not result.ok and result.value is None


def test_text_typed_outside_the_inputs_is_reported_with_its_cell() -> None:
    form = load(CONTRACT)
    wb = filled_contract()
    parties, lines = wb["立约人"], wb["货品明细"]
    r = find_key(parties, "buyer")
    parties.cell(r, 2).value = "甲方：华东贸易"  # over a label
    parties["F3"] = "备注：加急"  # beyond the bound columns
    lines["H4"] = "含税"  # right of the table
    lines["F5"] = 17300  # a typed value over the row's total formula
    result = form.extract(saved(wb), format="xlsx")
    outside = {(e.where_zh, e.params["text"]) for e in result.errors if e.code == "file_text_outside"}
    assert outside == {(f"'立约人'!B{r}", "甲方：华东贸易"), ("'立约人'!F3", "备注：加急"),
                       ("'货品明细'!H4", "含税"), ("'货品明细'!F5", "17300")}
    assert "填写框外有文字“含税”" in next(e.message_zh for e in result.errors if e.where_zh == "'货品明细'!H4")


def test_unknown_and_duplicated_keys_are_reported() -> None:
    form = load(CONTRACT)
    wb = filled_contract()
    parties = wb["立约人"]
    r = find_key(parties, "buyer")
    parties.cell(r + 1, 1).value = "buyer"  # the seller row now claims to be the buyer too
    parties["A20"], parties["C20"] = "buyer_tax_no", "91310000MA1FL8XQ3K"
    result = form.extract(saved(wb), format="xlsx")
    found = {(e.code, e.where_zh) for e in result.errors if e.code.startswith("file_")}
    assert ("file_unknown_input", "'立约人'!A20") in found
    assert ("file_duplicate_input", f"'立约人'!C{r + 1}") in found
    assert ("file_missing_input", "") in found  # the seller's row is gone as such


def test_another_forms_workbook_and_an_older_shape_are_refused(tmp_path: Path) -> None:
    form = load(CONTRACT)
    other = load(FORMS / "sales" / "sales_order.yaml")
    result = form.extract(other.render("xlsx"), format="xlsx")
    assert [e.code for e in result.errors] == ["file_wrong_form"]
    changed = tmp_path / "sales_contract.yaml"
    changed.write_text(CONTRACT.read_text("utf-8").replace("type: integer, required: true, min: 1",
                                                              "type: decimal, required: true, min: 1"), "utf-8")
    older = formengine.load(changed).render("xlsx")  # the form has changed since this file was made
    assert [e.code for e in form.extract(older, format="xlsx").errors] == ["file_form_changed"]


def test_the_stamp_is_read_from_either_place() -> None:
    form = load(CONTRACT)
    wb = filled_contract()
    wb.custom_doc_props.props.clear()  # a tool that drops custom properties
    assert form.extract(saved(wb), format="xlsx").ok
    wb = filled_contract()
    del wb["_formengine"]
    assert form.extract(saved(wb), format="xlsx").ok
    wb.custom_doc_props.props.clear()
    assert [e.code for e in form.extract(saved(wb), format="xlsx").errors] == ["file_not_fillable"]


def test_a_corrupt_workbook_is_unreadable_not_a_traceback() -> None:
    form = load(CONTRACT)
    good = saved(filled_contract())
    for bad in (good[: len(good) // 2], good.replace(b"xl/workbook.xml", b"xl/workbook.xmm", 1), b"PK\x03\x04junk"):
        result = form.extract(bad, format="xlsx")
        assert [e.code for e in result.errors] == ["file_unreadable"], result.format("en")


def test_a_wrong_value_is_a_validation_error_naming_its_cell() -> None:
    form = load(CONTRACT)
    wb = filled_contract()
    wb["货品明细"]["E5"] = "两百"
    wb["货品明细"]["D6"] = 23.805
    parties = wb["交货时间、地点和方式"]
    parties.cell(find_key(parties, "delivery_date"), 3).value = "下个月"
    result = form.extract(saved(wb), format="xlsx")
    assert {(e.code, e.path, e.where_zh) for e in result.errors} >= {
        ("type", "lines[1].qty", "'货品明细'!E5"), ("places", "lines[2].unit_price", "'货品明细'!D6")}
    date_error = next(e for e in result.errors if e.path == "delivery_date")
    assert date_error.where_en.startswith("'交货时间、地点和方式'!C") and "位置" in date_error.format("zh")
    assert result.read["lines"][2]["unit_price"] == "23.805"  # never rounded to fit


def test_typed_cells_read_as_a_person_meant_them() -> None:
    from formengine.renderers.xlsx_values import decimal_text, submitted

    form = load(CONTRACT)
    price = form.spec.table("lines").column("unit_price")  # type: ignore[union-attr]
    qty = form.spec.table("lines").column("qty")  # type: ignore[union-attr]
    name = form.spec.table("lines").column("name")  # type: ignore[union-attr]
    sign = form.spec.field("sign_date")
    assert decimal_text(0.1 + 0.2) == "0.30000000000000004"  # a computed float is not a typed one: kept
    assert submitted(price, 86.5) == "86.5" and submitted(price, 4350) == 4350
    assert submitted(qty, 12.0) == 12 and submitted(qty, 12.5) == "12.5"
    assert submitted(name, 310000.0) == "310000" and submitted(name, "  角钢 ") == "角钢"
    assert submitted(sign, dt.datetime(2026, 1, 15)) == "2026-01-15"
    assert submitted(sign, dt.datetime(2026, 1, 15, 9, 30)) == "2026-01-15T09:30"  # a time is not dropped
    assert submitted(sign, 46037) == 46037  # a bare serial number is not taken for a date


def test_table_gaps_tree_levels_grid_marks_and_option_details_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "mixed.yaml"
    path.write_text("""\
id: mixed
title: 杂项
sections:
  - title: 基本
    items:
      - {id: topics, label: 主题, type: multi_choice, choices: [培训, 参观, {value: 其他, blank: text}]}
      - tree:
          id: parts
          title: 物料
          columns:
            - {id: part_no, label: 料号, type: text, required: true}
      - grid:
          id: survey
          title: 满意度
          rows: [{key: q1, label: 服务}, {key: q2, label: 价格}]
          columns: [满意, 一般, 不满意]
          one_per_row: true
""", encoding="utf-8")
    form = formengine.load(path)
    wb = openpyxl.load_workbook(io.BytesIO(form.render("xlsx")))
    ws = wb["基本"]
    ws.cell(find_key(ws, "topics[培训]"), 3).value = "是"
    ws.cell(find_key(ws, "topics[其他]#detail"), 3).value = "座谈"  # a detail, its option not chosen
    parts = wb["物料"]
    for r, (level, part) in enumerate([(1, "A-1"), (2, "A-1-1"), (4, "A-1-1-1"), (1, "B")], start=4):
        parts.cell(r, 2).value, parts.cell(r, 3).value = level, part
    survey = wb["满意度"]
    survey["C4"], survey["D4"], survey["E5"] = "√", "√", "√"
    result = form.extract(saved(wb), format="xlsx")
    by_path = {e.path: e for e in result.errors}
    assert by_path["topics"].where_zh.endswith(f"C{find_key(ws, 'topics[其他]#detail')}")
    assert "未选择该选项" in by_path["topics"].message_zh
    assert by_path["parts"].where_zh == "'物料'!B6" and "第 6 行的层级" in by_path["parts"].message_zh
    assert by_path["survey.q1"].where_zh == "'满意度'!C4"
    assert result.read["parts"] == [{"part_no": "A-1", "children": [{"part_no": "A-1-1"}]}, {"part_no": "B"}]
    assert result.read["survey"] == {"q2": "不满意"} and result.read["topics"] == ["培训"]


# ---------------------------------------------------------------- through LibreOffice

UNO_SCRIPT = r'''
import json, os, subprocess, sys, time
import uno
from com.sun.star.beans import PropertyValue

def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

TEXT = 256  # com.sun.star.util.NumberFormat.TEXT
job = json.load(open(sys.argv[1], encoding="utf-8"))
pipe = "formengine_%d" % os.getpid()
office = subprocess.Popen([job["soffice"], "-env:UserInstallation=" + job["profile"], "--headless", "--invisible",
                           "--nologo", "--norestore", "--accept=pipe,name=%s;urp;" % pipe],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
local = uno.getComponentContext()
resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
for _ in range(300):
    try:
        ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
        break
    except Exception:
        time.sleep(0.2)
else:
    office.kill(); sys.exit("LibreOffice did not start")
desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
try:
    for work in job["files"]:
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(work["in"]), "_blank", 0, (prop("Hidden", True),))
        if doc is None or not hasattr(doc, "Sheets"):  # Writer alone cannot open a workbook
            sys.exit(3)
        formats = doc.NumberFormats
        for sheet, index, count in work.get("insert_rows", []):
            doc.Sheets.getByName(sheet).Rows.insertByIndex(index, count)
        for sheet, ref, text in work.get("cells", []):
            cell = doc.Sheets.getByName(sheet).getCellRangeByName(ref)
            # as typed: a text-formatted cell keeps the text, any other cell parses it (numbers, dates)
            if formats.getByKey(cell.NumberFormat).Type & TEXT:
                cell.setString(text)
            else:
                cell.setFormula(text)
        doc.calculateAll()
        doc.storeToURL(uno.systemPathToFileUrl(work["out"]), (prop("FilterName", "Calc MS Excel 2007 XML"),))
        doc.close(True)
finally:
    try:
        desktop.terminate()
    except Exception:
        pass
    try:
        office.wait(timeout=60)
    except Exception:
        office.kill()
'''


def libreoffice(tmp_path: Path, files: list[dict[str, Any]]) -> None:
    """Open each workbook in LibreOffice headless, type into cells, recalculate and save as xlsx.
    Skips (a failure where FORMENGINE_REQUIRE_LIBREOFFICE is set) when LibreOffice is missing."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    python = "/usr/bin/python3"
    probe = subprocess.run([python, "-c", "import uno"], capture_output=True, check=False) if os.path.exists(python) else None
    if probe is None or probe.returncode != 0:
        pytest.skip("LibreOffice's Python bridge (uno for /usr/bin/python3) is not installed")
    script = tmp_path / "uno_job.py"
    script.write_text(UNO_SCRIPT, encoding="utf-8")
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"soffice": soffice, "profile": (tmp_path / "profile").as_uri(), "files": files}),
                   encoding="utf-8")
    proc = subprocess.run([python, str(script), str(job)], capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode == 3:
        pytest.skip("LibreOffice Calc (libreoffice-calc-nogui) is not installed: soffice cannot open a workbook")
    for work in files:
        assert Path(work["out"]).is_file(), (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])


def person_types(form: formengine.Form, value: Any) -> list[tuple[str, str, str]]:
    """(sheet, cell, text) a person types into the blank contract, found through the keys."""
    wb = openpyxl.load_workbook(io.BytesIO(fill(form.render("xlsx"), form, value)))
    out = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        for row in ws.iter_rows(min_row=4):
            for cell in row:
                if cell.value is None or cell.protection.locked or cell.data_type == "f":
                    continue
                v = cell.value
                if isinstance(v, dt.datetime) and v.time() == dt.time(0):
                    v = v.date()
                text = v.isoformat() if isinstance(v, (dt.date, dt.time)) else str(v)
                out.append((ws.title, cell.coordinate, text))
    return out


def test_a_workbook_filled_in_libreoffice_reads_back(tmp_path: Path) -> None:
    form = load(CONTRACT)
    data = contract_example()
    value = form.validate(data).value
    blank = tmp_path / "blank.xlsx"
    blank.write_bytes(form.render("xlsx"))
    cells = person_types(form, value)
    # and one more line, in a row inserted between the first two (the sheet allows it)
    cells = [(s, ref, t) if s != "货品明细" or int(ref[1:]) < 5 else (s, f"{ref[0]}{int(ref[1:]) + 1}", t)
             for s, ref, t in cells]
    cells += [("货品明细", "B5", "热轧卷板"), ("货品明细", "D5", "3980.50"), ("货品明细", "E5", "5")]
    out = tmp_path / "filled.xlsx"
    libreoffice(tmp_path, [{"in": str(blank), "out": str(out), "cells": cells,
                            "insert_rows": [["货品明细", 4, 1]]}])
    result = form.extract(out)
    assert result.ok, result.format("en")
    want = form.validate(data).data()
    got = result.data()
    assert got is not None and [r["name"] for r in got["lines"]] == ["冷轧钢板", "热轧卷板", "镀锌钢管", "角钢"]
    assert got["lines"].pop(1) == {"name": "热轧卷板", "unit_price": "3980.50", "qty": 5, "total": "19902.50"}
    assert got.pop("grand_total") == "92972.50"
    want.pop("grand_total")
    got.pop("grand_total_upper"), want.pop("grand_total_upper")
    assert got == want
    shown = openpyxl.load_workbook(out, data_only=True)  # what LibreOffice computed and saved
    lines = shown["货品明细"]
    assert [lines[f"F{r}"].value for r in (4, 6, 7)] == [52200, 17300, 3570]  # the prepared rows' formulas
    goods = shown["货品"]
    totals = [c.value for c in lines["F"][3:] if isinstance(c.value, (int, float))]
    assert goods.cell(find_key(goods, "grand_total"), 3).value == pytest.approx(sum(totals))


def test_a_workbook_made_before_labels_changed_still_reads(tmp_path: Path) -> None:
    relabelled = tmp_path / "sales_contract.yaml"
    relabelled.write_text(CONTRACT.read_text("utf-8").replace("zh: 甲方, en: Buyer (Party A)",
                                                              "zh: 买方, en: Buyer"), "utf-8")
    form = formengine.load(relabelled)  # same shape: labels are not part of it
    result = form.extract(saved(filled_contract()), format="xlsx")
    assert result.ok, result.format("en")
