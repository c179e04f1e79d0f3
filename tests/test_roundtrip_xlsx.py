"""Fillable Excel workbooks: render → fill as a person's tool would → read back → the same data.

The filler here is independent of the renderer: it finds inputs the way any tool can, by the
keys in the hidden key column (section sheets) or key row (table, tree and grid sheets), as
the renderer's docstring documents them, and types what a person types (option labels, 是/否,
real dates, plain numbers). A picture is inserted as Excel does it: after openpyxl has saved
the typed cells, a drawing part anchored at the image field's cell is written into the package
with lxml (openpyxl itself would need Pillow). One workbook is also filled through LibreOffice.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import struct
import subprocess
import zipfile
import zlib
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
PRACTICE = FORMS / "training" / "practice_result_registration.yaml"


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
    if value is None or field.compute is not None or t == "image":  # a picture: see insert_pictures
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
    return with_pictures(out.getvalue(), form, value)


def _flatten(nodes: list[Any], tree: bool, depth: int = 1) -> list[tuple[int, Any]]:
    out = []
    for node in nodes:
        out.append((depth, node))
        if tree:
            out.extend(_flatten(_get(node, "children") or [], tree, depth + 1))
    return out


def assert_reads_back(form: formengine.Form, content: bytes, data: Any) -> None:
    want = form.validate(data).data()
    result = form.extract(content, format="xlsx")
    assert result.ok, result.format("en")
    assert result.data() == want


# ---------------------------------------------------------------- pictures, as Excel inserts them

NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
}
DRAWING_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
DRAWING_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
# CT_Worksheet: <drawing> comes before these (openpyxl writes <legacyDrawing> for cell notes)
AFTER_DRAWING = ("legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
                 "webPublishItems", "tableParts", "extLst")
EMU_PER_PIXEL = 9525
MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "emf": "image/x-emf"}


def png(width: int, height: int, size: int | None = None) -> bytes:
    """A real grey-scale PNG of width × height pixels, padded with a tEXt chunk to ``size`` bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\x00" + b"\x00" * ((width + 7) // 8)  # filter byte, then 1-bit pixels
    head = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
    body = chunk(b"IDAT", zlib.compress(row * height, 9))
    end = chunk(b"IEND", b"")
    if size is None:
        return head + body + end
    keyword = b"Comment\x00"
    pad = size - len(head) - len(body) - len(end) - 12 - len(keyword)
    assert pad >= 0, f"a {width}×{height} PNG takes more than {size} bytes"
    out = head + chunk(b"tEXt", keyword + b"x" * pad) + body + end
    assert len(out) == size
    return out


def picture_of(value: Any) -> bytes:
    """The image file a person inserts for a validated image value (the test writes PNGs)."""
    assert value.format == "png", "the test filler writes PNG pictures only"
    return png(value.width, value.height, value.bytes)


def with_pictures(content: bytes, form: formengine.Form, value: Any) -> bytes:
    """Insert each image field's picture at its value cell (found through the hidden keys)."""
    wanted = {f.id: _get(value, f.id) for f in form.spec.fields if f.type == "image" and _get(value, f.id)}
    if not wanted:
        return content
    wb = openpyxl.load_workbook(io.BytesIO(content))
    places = []
    for ws in wb.worksheets:
        if marker(ws) != "#section":
            continue
        for row in ws.iter_rows(min_col=1, max_col=1):
            if row[0].value in wanted:
                image = wanted[row[0].value]
                places.append((ws.title, f"C{row[0].row}", image.name, picture_of(image)))
    return insert_pictures(content, places)


def insert_pictures(content: bytes, pictures: list[tuple[str, str, str, bytes]]) -> bytes:
    """Write (sheet, cell, file name, image file) pictures into a saved workbook as Excel's
    Insert → Picture does: a drawing part per sheet, each picture a twoCellAnchor
    (editAs="oneCell") whose ``from`` is the cell, its file in xl/media, its name in cNvPr."""
    from lxml import etree
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    parts = {}
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        for info in z.infolist():
            parts[info.filename] = z.read(info)
    book = etree.fromstring(parts["xl/workbook.xml"])
    book_rels = {r.get("Id"): r.get("Target") for r in etree.fromstring(parts["xl/_rels/workbook.xml.rels"])}
    sheet_part = {}
    for sheet in book.iter(f"{{{NS['main']}}}sheet"):
        target = book_rels[sheet.get(f"{{{NS['r']}}}id")]
        sheet_part[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    types = etree.fromstring(parts["[Content_Types].xml"])
    extensions = {d.get("Extension") for d in types.iter(f"{{{NS['ct']}}}Default")}
    by_sheet: dict[str, list[tuple[str, str, bytes]]] = {}
    for sheet, cell, name, blob in pictures:
        by_sheet.setdefault(sheet, []).append((cell, name, blob))
    media = sum(1 for p in parts if p.startswith("xl/media/"))
    for n, (sheet, items) in enumerate(by_sheet.items(), start=1 + sum(1 for p in parts if p.startswith("xl/drawings/d"))):
        drawing = f"xl/drawings/drawing{n}.xml"
        root = etree.Element(f"{{{NS['xdr']}}}wsDr", nsmap={"xdr": NS["xdr"], "a": NS["a"], "r": NS["r"]})
        rels = etree.Element(f"{{{NS['rel']}}}Relationships", nsmap={None: NS["rel"]})
        for i, (cell, name, blob) in enumerate(items, start=1):
            media += 1
            ext = name.rpartition(".")[2].lower() if "." in name else "png"  # the part is named as the file
            parts[f"xl/media/image{media}.{ext}"] = blob
            if ext not in extensions:
                etree.SubElement(types, f"{{{NS['ct']}}}Default", Extension=ext,
                                 ContentType=MEDIA_TYPES.get(ext, "application/octet-stream"))
                extensions.add(ext)
            etree.SubElement(rels, f"{{{NS['rel']}}}Relationship", Id=f"rId{i}", Type=IMAGE_REL,
                             Target=f"../media/image{media}.{ext}")
            letters, row = coordinate_from_string(cell)
            root.append(_anchor(column_index_from_string(letters) - 1, row - 1, i, name, f"rId{i}"))
        parts[drawing] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        parts[f"xl/drawings/_rels/drawing{n}.xml.rels"] = etree.tostring(rels, xml_declaration=True,
                                                                        encoding="UTF-8", standalone=True)
        etree.SubElement(types, f"{{{NS['ct']}}}Override", PartName=f"/{drawing}", ContentType=DRAWING_TYPE)
        _link_drawing(parts, sheet_part[sheet], f"../drawings/drawing{n}.xml")
    parts["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def _anchor(col: int, row: int, shape_id: int, name: str, rel: str) -> Any:
    from lxml import etree

    x, a = NS["xdr"], NS["a"]
    anchor = etree.Element(f"{{{x}}}twoCellAnchor", editAs="oneCell")
    for tag, (c, r) in (("from", (col, row)), ("to", (col + 9, row + 30))):
        mark_ = etree.SubElement(anchor, f"{{{x}}}{tag}")
        for child, v in (("col", c), ("colOff", 0), ("row", r), ("rowOff", 0)):
            etree.SubElement(mark_, f"{{{x}}}{child}").text = str(v)
    pic = etree.SubElement(anchor, f"{{{x}}}pic")
    nv = etree.SubElement(pic, f"{{{x}}}nvPicPr")
    etree.SubElement(nv, f"{{{x}}}cNvPr", id=str(shape_id + 1), name=f"图片 {shape_id}", descr=name)
    locks = etree.SubElement(etree.SubElement(nv, f"{{{x}}}cNvPicPr"), f"{{{a}}}picLocks")
    locks.set("noChangeAspect", "1")
    fill = etree.SubElement(pic, f"{{{x}}}blipFill")
    etree.SubElement(fill, f"{{{a}}}blip").set(f"{{{NS['r']}}}embed", rel)
    etree.SubElement(etree.SubElement(fill, f"{{{a}}}stretch"), f"{{{a}}}fillRect")
    sp = etree.SubElement(pic, f"{{{x}}}spPr")
    xfrm = etree.SubElement(sp, f"{{{a}}}xfrm")
    etree.SubElement(xfrm, f"{{{a}}}off", x="0", y="0")
    etree.SubElement(xfrm, f"{{{a}}}ext", cx=str(400 * EMU_PER_PIXEL), cy=str(260 * EMU_PER_PIXEL))  # shown smaller
    etree.SubElement(etree.SubElement(sp, f"{{{a}}}prstGeom", prst="rect"), f"{{{a}}}avLst")
    etree.SubElement(anchor, f"{{{x}}}clientData")
    return anchor


def _link_drawing(parts: dict[str, bytes], sheet: str, target: str) -> None:
    """The worksheet's <drawing r:id> and its relationship (added to any it already has)."""
    from lxml import etree

    folder, base = sheet.rsplit("/", 1)
    rels_name = f"{folder}/_rels/{base}.rels"
    rels = (etree.fromstring(parts[rels_name]) if rels_name in parts
            else etree.Element(f"{{{NS['rel']}}}Relationships", nsmap={None: NS["rel"]}))
    used = {r.get("Id") for r in rels}
    rid = next(f"rId{i}" for i in range(1, 1000) if f"rId{i}" not in used)
    etree.SubElement(rels, f"{{{NS['rel']}}}Relationship", Id=rid, Type=DRAWING_REL, Target=target)
    parts[rels_name] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
    ws = etree.fromstring(parts[sheet])
    ref = etree.Element(f"{{{NS['main']}}}drawing")
    ref.set(f"{{{NS['r']}}}id", rid)
    later = next((c for c in ws if etree.QName(c).localname in AFTER_DRAWING), None)
    if later is not None:
        later.addprevious(ref)
    else:
        ws.append(ref)
    parts[sheet] = etree.tostring(ws, xml_declaration=True, encoding="UTF-8", standalone=True)


@pytest.mark.parametrize(("path", "name", "data"), EXAMPLES, ids=IDS)
def test_every_catalog_form_round_trips_through_a_blank_workbook(path: Path, name: str, data: Any) -> None:
    form = load(path)
    value = form.validate(data).value
    filled = fill(form.render("xlsx", fillable=True), form, value)
    assert_reads_back(form, filled, data)


@pytest.mark.parametrize(("path", "name", "data"), EXAMPLES, ids=IDS)
def test_a_prefilled_workbook_reads_back_equal(path: Path, name: str, data: Any) -> None:
    """Pre-filled cells read back as they are; a picture cannot be pre-filled (the workbook has
    only its name and size), so the person inserts it, as into a blank workbook."""
    form = load(path)
    value = form.validate(data).value
    assert_reads_back(form, with_pictures(form.render("xlsx", data, fillable=True), form, value), data)


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
    assert by_path["topics"].code == "file_detail_unchosen" and "没有选择“其他”" in by_path["topics"].message_zh
    assert by_path["parts"].where_zh == "'物料'!B6" and by_path["parts"].code == "file_tree_level"
    assert by_path["parts"].message_zh == "层级应为 1 到 3 的整数，不是“4”"
    assert by_path["survey.q1"].where_zh == "'满意度'!C4"
    assert result.read["parts"] == [{"part_no": "A-1", "children": [{"part_no": "A-1-1"}]}, {"part_no": "B"}]
    assert result.read["survey"] == {"q2": "不满意"} and result.read["topics"] == ["培训"]


# ---------------------------------------------------------------- pictures


def practice_example() -> Any:
    return next(d for p, _, d in EXAMPLES if p == PRACTICE)


def without_picture(form: formengine.Form) -> dict[str, Any]:
    """The example's validated value, all but the screenshot (each test inserts its own)."""
    return {k: v for k, v in dict(form.validate(practice_example()).value).items() if k != "screenshot"}


def practice_workbook(picture: bytes | None, name: str = "首页截图.png", *, cell: str | None = None,
                      more: list[tuple[str, str, str, bytes]] = ()) -> tuple[formengine.Form, bytes, str]:
    """The practice-result workbook with everything but the picture typed in, then ``picture``
    inserted at the screenshot's cell (or at ``cell``), and any ``more`` pictures."""
    form = load(PRACTICE)
    typed_in = fill(form.render("xlsx"), form, without_picture(form))
    ws = openpyxl.load_workbook(io.BytesIO(typed_in))["实践成果信息"]
    place = f"C{find_key(ws, 'screenshot')}"
    pictures = [("实践成果信息", cell or place, name, picture)] if picture is not None else []
    return form, insert_pictures(typed_in, [*pictures, *more]), place


def test_the_picture_cell_says_where_the_picture_goes() -> None:
    form = load(PRACTICE)
    ws = openpyxl.load_workbook(io.BytesIO(form.render("xlsx")))["实践成果信息"]
    r = find_key(ws, "screenshot")
    cell = ws.cell(r, 3)
    assert cell.value == "在此格插入图片" and ws.cell(r, 2).value == "店铺首页截图 *"
    assert not cell.protection.locked and ws.protection.sheet and not ws.protection.objects
    prompt = next(dv.prompt for dv in ws.data_validations.dataValidation if str(dv.sqref) == cell.coordinate)
    assert "插入 → 图片" in prompt and "宽 951 像素，高 550–700 像素" in prompt
    english = openpyxl.load_workbook(io.BytesIO(form.render("xlsx", lang="en")))["Practice result"]
    assert english.cell(find_key(english, "screenshot"), 3).value == "Insert the picture in this cell"


def test_a_picture_is_read_from_its_own_file_not_its_display_size() -> None:
    form, content, place = practice_workbook(png(951, 655, 300_000), "店铺首页.png")
    result = form.extract(content, format="xlsx")
    assert result.ok, result.format("en")
    assert result.data()["screenshot"] == {"name": "店铺首页.png", "width": 951, "height": 655, "bytes": 300_000,
                                           "format": "png"}  # the drawing shows it 400 × 260
    assert place == "C4"


def test_a_too_wide_picture_fails_with_image_width_at_its_cell() -> None:
    form, content, place = practice_workbook(png(1920, 650))
    result = form.extract(content, format="xlsx")
    assert codes_and_places(result) == {("image_width", "screenshot", f"'实践成果信息'!{place}")}
    assert result.read["screenshot"]["width"] == 1920
    assert "图片宽度应为 951 像素，实际 1920" in result.errors[0].format("zh")


def test_two_pictures_in_one_place_are_a_duplicate_input() -> None:
    form, content, place = practice_workbook(png(951, 620), more=[("实践成果信息", "C4", "另一张.png", png(951, 600))])
    result = form.extract(content, format="xlsx")
    assert codes_and_places(result) == {("file_duplicate_input", "screenshot", f"'实践成果信息'!{place}")}
    assert "出现了 2 次" in result.errors[0].message_zh


def test_a_picture_elsewhere_is_outside_the_inputs_with_its_cell() -> None:
    form, content, _ = practice_workbook(None, more=[("实践成果信息", "D4", "首页.png", png(951, 620)),
                                                     ("_formengine", "A1", "藏起来.png", png(10, 10))])
    result = form.extract(content, format="xlsx")
    found = {(e.code, e.path, e.where_zh, e.message("zh")) for e in result.errors}
    assert found == {
        ("file_text_outside", "", "'实践成果信息'!D4", "填写框外有文字“[图片 首页.png]”；请填在对应的框内"),
        ("file_text_outside", "", "'_formengine'!A1", "填写框外有文字“[图片 藏起来.png]”；请填在对应的框内"),
        ("required", "screenshot", "'实践成果信息'!C4", "必填"),  # where the picture should have gone
    }
    assert "[picture 首页.png]" in next(e.message("en") for e in result.errors if e.where_zh.endswith("D4"))


def test_text_typed_into_a_text_box_is_outside_the_inputs() -> None:
    from lxml import etree

    form, content, _ = practice_workbook(png(951, 620), more=[("实践成果信息", "B12", "box", png(1, 1))])
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    drawing = etree.fromstring(parts["xl/drawings/drawing1.xml"])
    pic = drawing.findall(f"{{{NS['xdr']}}}twoCellAnchor/{{{NS['xdr']}}}pic")[1]  # the second becomes a text box
    box = etree.fromstring(f"""<xdr:sp xmlns:xdr="{NS['xdr']}" xmlns:a="{NS['a']}"><xdr:nvSpPr>
        <xdr:cNvPr id="9" name="文本框 1"/><xdr:cNvSpPr txBox="1"/></xdr:nvSpPr><xdr:spPr/>
        <xdr:txBody><a:bodyPr/><a:p><a:r><a:t>截图是</a:t></a:r><a:r><a:t>昨天截的</a:t></a:r></a:p></xdr:txBody></xdr:sp>""")
    pic.getparent().replace(pic, box)
    parts["xl/drawings/drawing1.xml"] = etree.tostring(drawing)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    result = form.extract(out.getvalue(), format="xlsx")
    assert [(e.code, e.where_zh, e.params["text"]) for e in result.errors] == [
        ("file_text_outside", "'实践成果信息'!B12", "截图是昨天截的")]


def test_an_unknown_image_format_is_passed_on_as_found(tmp_path: Path) -> None:
    emf = b"\x01\x00\x00\x00" + b"\x00" * 200  # an EMF record header: not an image format read here
    form, content, _ = practice_workbook(emf, "截图.emf")
    result = form.extract(content, format="xlsx")
    assert result.read["screenshot"] == {"name": "截图.emf", "bytes": 204, "format": "emf"}  # no size: none read
    strict = tmp_path / "strict.yaml"  # a form that names its formats reports it
    strict.write_text("""\
id: strict
title: 截图
sections:
  - title: 截图
    items:
      - {id: shot, label: 截图, type: image, required: true, formats: [png, jpeg]}
""", encoding="utf-8")
    form = formengine.load(strict)
    blank = form.render("xlsx")
    cell = f"C{find_key(openpyxl.load_workbook(io.BytesIO(blank))['截图'], 'shot')}"
    result = form.extract(insert_pictures(blank, [("截图", cell, "截图.emf", emf)]), format="xlsx")
    assert codes_and_places(result) == {("file_format", "shot", f"'截图'!{cell}")}


def test_text_in_the_picture_cell_and_a_picture_placed_in_the_cell_are_reported() -> None:
    form, content, place = practice_workbook(None)
    wb = openpyxl.load_workbook(io.BytesIO(content))
    wb["实践成果信息"][place] = "截图见邮件"
    result = form.extract(saved(wb), format="xlsx")
    typed_over = next(e for e in result.errors if e.code == "check")
    assert (typed_over.path, typed_over.where_zh) == ("screenshot", f"'实践成果信息'!{place}")
    assert "图片格中输入了文字“截图见邮件”" in typed_over.message_zh
    wb["实践成果信息"][place] = "#VALUE!"  # Excel 365's "Place in Cell" as other readers see it
    in_cell = io.BytesIO()
    with zipfile.ZipFile(in_cell, "w") as z, zipfile.ZipFile(io.BytesIO(saved(wb))) as old:
        for item in old.infolist():
            z.writestr(item, old.read(item))
        z.writestr("xl/richData/richValueRel.xml", "<richValueRels/>")
    result = form.extract(in_cell.getvalue(), format="xlsx")
    assert "图片放进了单元格内" in next(e.message_zh for e in result.errors if e.code == "check")


def test_a_prefilled_workbook_keeps_the_placeholder_for_the_picture() -> None:
    form = load(PRACTICE)
    content = form.render("xlsx", practice_example(), fillable=True)
    ws = openpyxl.load_workbook(io.BytesIO(content))["实践成果信息"]
    assert ws.cell(find_key(ws, "screenshot"), 3).value == "在此格插入图片"
    assert not any(n.startswith("xl/media/") for n in zipfile.ZipFile(io.BytesIO(content)).namelist())
    result = form.extract(content, format="xlsx")
    assert codes_and_places(result) == {("required", "screenshot", "'实践成果信息'!C4")}


def test_image_headers_are_measured_like_python_docx_does() -> None:
    from formengine.renderers.xlsx_imagefile import measure

    def jpeg(w: int, h: int) -> bytes:
        jfif = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00"
        sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, h, w, 3) + b"\x01\x11\x00\x02\x11\x01\x03\x11\x01"
        return b"\xff\xd8" + jfif + sof + b"\xff\xd9"

    def gif(w: int, h: int) -> bytes:
        return b"GIF89a" + struct.pack("<HH", w, h) + b"\x00\x00\x00;"

    def bmp(w: int, h: int) -> bytes:  # a top-down bitmap has a negative height
        info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, 0, 2835, 2835, 0, 0)
        return b"BM" + struct.pack("<IHHI", 14 + len(info), 0, 0, 14 + len(info)) + info

    def tiff(w: int, h: int) -> bytes:
        entries = struct.pack("<HHIHH", 256, 3, 1, w, 0) + struct.pack("<HHII", 257, 4, 1, h)
        return b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 2) + entries + b"\x00" * 4

    samples = {"png": png(951, 620), "jpeg": jpeg(951, 700), "gif": gif(320, 200), "bmp": bmp(640, 480),
               "tiff": tiff(1200, 800)}
    docx_image = pytest.importorskip("docx.image.image").Image  # python-docx, an independent reader
    for fmt, blob in samples.items():
        theirs = docx_image.from_blob(blob)
        ours = measure(blob, f"xl/media/image1.{fmt}")
        assert (ours.format, ours.width, ours.height) == (fmt, theirs.px_width, theirs.px_height), fmt
    assert measure(bmp(640, -480)).height == 480  # top-down (python-docx reads 4294966816 here)
    vp8x = b"RIFF\x00\x00\x00\x00WEBPVP8X" + struct.pack("<I", 10) + b"\x00" * 4 + (950).to_bytes(3, "little") \
        + (619).to_bytes(3, "little")
    assert measure(vp8x) == type(measure(vp8x))("webp", 951, 620)
    assert measure(b"\x89PNG\r\n\x1a\n", "x.png") == type(measure(b""))("png", None, None)  # cut short
    assert measure(b"<svg/>", "xl/media/image3.svg") == type(measure(b""))("svg", None, None)


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
dispatcher = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
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
        for sheet, ref, path in work.get("pictures", []):  # as a person does: select the cell, Insert → Image
            target = doc.Sheets.getByName(sheet)
            doc.CurrentController.setActiveSheet(target)
            doc.CurrentController.select(target.getCellRangeByName(ref))
            dispatcher.executeDispatch(doc.CurrentController.Frame, ".uno:InsertGraphic", "", 0,
                                       (prop("FileName", uno.systemPathToFileUrl(path)), prop("AsLink", False)))
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


def test_a_picture_inserted_in_libreoffice_reads_back(tmp_path: Path) -> None:
    """LibreOffice inserts the picture into the protected sheet at the selected (unlocked) cell."""
    form = load(PRACTICE)
    data = practice_example()
    value = form.validate(data).value
    blank = tmp_path / "blank.xlsx"
    blank.write_bytes(form.render("xlsx"))
    picture = tmp_path / value.screenshot.name
    picture.write_bytes(picture_of(value.screenshot))
    place = f"C{find_key(openpyxl.load_workbook(blank)['实践成果信息'], 'screenshot')}"
    cells = [c for c in person_types(form, value) if c[2] != "在此格插入图片"]
    out = tmp_path / "filled.xlsx"
    libreoffice(tmp_path, [{"in": str(blank), "out": str(out), "cells": cells,
                            "pictures": [["实践成果信息", place, str(picture)]]}])
    result = form.extract(out)
    assert result.ok, result.format("en")
    got, want = result.data(), form.validate(data).data()
    assert got is not None and got["screenshot"].pop("name") == "Image 1"  # LibreOffice keeps no file name
    want["screenshot"].pop("name")
    assert got == want


def test_a_workbook_made_before_labels_changed_still_reads(tmp_path: Path) -> None:
    relabelled = tmp_path / "sales_contract.yaml"
    relabelled.write_text(CONTRACT.read_text("utf-8").replace("zh: 甲方, en: Buyer (Party A)",
                                                              "zh: 买方, en: Buyer"), "utf-8")
    form = formengine.load(relabelled)  # same shape: labels are not part of it
    result = form.extract(saved(filled_contract()), format="xlsx")
    assert result.ok, result.format("en")


def test_a_file_with_thousands_of_bad_values_reports_at_most_the_cap(tmp_path: Path) -> None:
    """Reading back is capped like validating (formengine.validation.MAX_ISSUES): the file's own
    issues and the submission's together, then one `too_many_issues`."""
    from formengine.validation import MAX_ISSUES

    path = tmp_path / "codes.yaml"
    path.write_text("id: codes\ntitle: 编码\nsections:\n  - title: 一\n    items:\n      - table:\n"
                    "          id: items\n          columns:\n"
                    "            - {id: code, label: 编码, type: text, max_length: 2}\n", encoding="utf-8")
    form = formengine.load(path)
    filled = fill(form.render("xlsx"), form, {"items": [{"code": f"太长的编码{i}"} for i in range(MAX_ISSUES + 200)]})
    wb = openpyxl.load_workbook(io.BytesIO(filled))
    wb.worksheets[0].cell(1, 12).value = "随手写的字"  # text outside the inputs: an issue of the file itself
    out = io.BytesIO()
    wb.save(out)
    issues = form.extract(out.getvalue()).errors
    assert len(issues) == MAX_ISSUES + 1 and issues[0].code == "file_text_outside"
    assert [i.code for i in issues[1:-1]] == ["max_length"] * (MAX_ISSUES - 1)
    assert issues[-1].code == "too_many_issues" and issues[-1].path == ""
