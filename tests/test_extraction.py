"""Reading files back, independent of the format: matching a file to its form, locating errors."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner

import formengine
from formengine import extraction
from formengine.cli import main
from formengine.errors import ValidationIssue
from formengine.extraction import Extracted, check_stamp, locate, shape, sniff, stamp

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "forms" / "sales" / "sales_contract.yaml"
FORM = """\
id: visit
title: 拜访记录
sections:
  - title: 基本信息
    items:
      - {id: customer, label: 客户, type: text, required: true}
      - {id: visits, label: 次数, type: integer, min: 0}
      - {id: level, label: 等级, type: choice, choices: [A, B]}
"""


def make(tmp_path: Path, text: str = FORM, name: str = "visit.yaml") -> formengine.Form:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return formengine.load(tmp_path / name)


def office_zip(part: str) -> bytes:
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(part, "<x/>")
    return buf.getvalue()


def test_shape_ignores_labels_but_not_ids_types_or_options(tmp_path: Path) -> None:
    base = shape(make(tmp_path).spec)
    assert shape(make(tmp_path, FORM.replace("label: 客户", "label: 客户名称")).spec) == base
    for changed in (FORM.replace("id: visits", "id: visit_count"), FORM.replace("type: integer", "type: decimal"),
                    FORM.replace("[A, B]", "[A, B, C]")):
        assert shape(make(tmp_path, changed).spec) != base


def test_stamp_matches_only_its_own_form(tmp_path: Path) -> None:
    form = make(tmp_path)
    assert check_stamp(form, stamp(form)) == []
    other = formengine.load(CONTRACT)
    [issue] = check_stamp(form, stamp(other))
    assert issue.code == "file_wrong_form" and "sales_contract" in issue.message_en
    [issue] = check_stamp(form, {**stamp(form), extraction.SHAPE_PROPERTY: "0" * 16})
    assert issue.code == "file_form_changed"
    [issue] = check_stamp(form, {})
    assert issue.code == "file_not_fillable"


def test_sniff_tells_word_from_excel_by_their_parts() -> None:
    assert sniff(office_zip("word/document.xml")) == "docx"
    assert sniff(office_zip("xl/workbook.xml")) == "xlsx"
    assert sniff(office_zip("content.xml")) is None
    assert sniff(b"plain text") is None


def test_an_unreadable_file_is_an_issue_not_an_exception(tmp_path: Path) -> None:
    form = make(tmp_path)
    result = form.extract(b"\x00not an office file")
    assert not result.ok and [e.code for e in result.errors] == ["file_unreadable"]
    missing = form.extract(tmp_path / "gone.docx")
    assert [e.code for e in missing.errors] == ["file_unreadable"]
    renamed = tmp_path / "sheet.docx"
    renamed.write_bytes(office_zip("xl/workbook.xml"))  # an Excel file renamed to .docx
    result = form.extract(renamed)
    assert [e.code for e in result.errors] == ["file_unreadable"] and "xlsx" in result.errors[0].message_en


def test_a_format_that_cannot_be_read_back_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(extraction.ExtractError, match="md"):
        make(tmp_path).extract(b"# x", format="md")


def test_errors_are_placed_at_their_value_or_the_nearest_enclosing_one() -> None:
    where = {"lines": ("明细表", "line items"), "lines[2]": ("明细表 第 3 行", "line items, row 3")}
    placed = locate(ValidationIssue.make("lines[2].qty", "required"), where)
    assert (placed.where("zh"), placed.where("en")) == ("明细表 第 3 行", "line items, row 3")
    assert "位置: 明细表 第 3 行" in placed.format("zh") and "at: line items, row 3" in placed.format("en")
    assert locate(ValidationIssue.make("lines[9]", "empty_row"), where).where_zh == "明细表"
    assert locate(ValidationIssue.make("buyer", "required"), where).where_zh == ""
    assert placed.as_dict()["where_en"] == "line items, row 3"
    assert placed == ValidationIssue.make("lines[2].qty", "required")  # where does not change identity


class ToyReader:
    """A third-party format that can be read back: proves extraction goes through the plugin."""

    name = "toy"
    extension = "toy"
    media_type = "text/plain"

    def render(self, form: formengine.Form, values: object, options: dict[str, object]) -> str:
        return ""

    def extract(self, form: formengine.Form, content: bytes) -> Extracted:
        props, _, body = content.decode().partition("\n")
        found = dict(kv.split("=", 1) for kv in props.split(";") if "=" in kv)
        out = Extracted(issues=check_stamp(form, found))
        for line in body.splitlines():
            key, _, value = line.partition("=")
            out.data[key] = value
            out.put(key, f"第 {len(out.data)} 行", f"line {len(out.data)}")
        return out


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> None:
    from formengine import rendering

    monkeypatch.setattr(rendering, "_registered", dict(rendering._registered))
    monkeypatch.setattr(rendering, "_cache", dict(rendering._cache))
    monkeypatch.setattr(extraction, "sniff", lambda content: "toy")
    rendering.register(ToyReader)


def toy_file(form: formengine.Form, body: str, props: dict[str, str] | None = None) -> bytes:
    props = stamp(form) if props is None else props
    return (";".join(f"{k}={v}" for k, v in props.items()) + "\n" + body).encode()


def test_extract_validates_what_was_read_and_places_each_error(tmp_path: Path, toy: None) -> None:
    form = make(tmp_path)
    good = form.extract(toy_file(form, "customer=华东贸易\nvisits=3\nlevel=A"), format="toy")
    assert good.ok and good.data() == {"customer": "华东贸易", "visits": 3, "level": "A"}
    bad = form.extract(toy_file(form, "customer=华东贸易\nvisits=三次\nlevel=C"), format="toy")
    assert not bad.ok and bad.value is None
    assert {(e.path, e.code, e.where_zh) for e in bad.errors} == {
        ("visits", "type", "第 2 行"), ("level", "choice", "第 3 行")}
    assert bad.read == {"customer": "华东贸易", "visits": "三次", "level": "C"}  # what the file said, kept


def test_another_forms_file_is_refused_before_its_values_are_read(tmp_path: Path, toy: None) -> None:
    form = make(tmp_path)
    other = formengine.load(CONTRACT)
    result = form.extract(toy_file(other, "customer=x\nvisits=oops"), format="toy")
    assert [e.code for e in result.errors] == ["file_wrong_form"]  # no type error from a foreign value


def test_cli_extract_prints_json_and_exits_1_on_a_bad_file(tmp_path: Path) -> None:
    form_path = tmp_path / "visit.yaml"
    form_path.write_text(FORM, encoding="utf-8")
    filled = tmp_path / "filled.docx"
    filled.write_bytes(b"garbage")
    result = CliRunner().invoke(main, ["extract", str(filled), "--form", str(form_path), "--lang", "en"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    out = json.loads(result.stdout)
    assert out["ok"] is False and out["errors"][0]["code"] == "file_unreadable"
    markdown = tmp_path / "visit.md"
    markdown.write_text("# 拜访记录", encoding="utf-8")
    usage = CliRunner().invoke(main, ["extract", str(markdown), "--form", str(form_path)])
    assert usage.exit_code == 2 and "cannot be read back" in usage.stderr
    unknown = CliRunner().invoke(main, ["extract", str(form_path), "--form", str(form_path)])
    assert unknown.exit_code == 2 and "unknown format 'yaml'" in unknown.stderr
