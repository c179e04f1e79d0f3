"""The formengine command: exit codes, messages, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from formengine.cli import main

from .conftest import FORMS
from .helpers import write_form

CONTRACT = FORMS / "sales" / "sales_contract.yaml"


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_check_good_and_bad(tmp_path: Path) -> None:
    assert run("check", CONTRACT).exit_code == 0
    bad = write_form(tmp_path, "id: x\ntitle: T\nsections:\n  - title: A\n    items:\n      - {id: a, lable: A, type: text}\n")
    result = run("check", bad, "--lang", "en")
    assert result.exit_code == 1
    assert f"{bad}:6:" in result.output and "[schema.unknown_key]" in result.output and "did you mean label" in result.output


def test_check_speaks_only_the_authors_language(tmp_path: Path) -> None:
    """Suggestions and details follow --lang: no English in a zh report, no Chinese in an en one."""
    head = "id: x\ntitle: T\nsections:\n  - title: A\n    items:\n"
    misspelt = write_form(tmp_path, head + "      - {id: a, lable: A, type: text}\n", "misspelt.yaml")
    typed = write_form(tmp_path, head + "      - {id: a, label: A, type: integer}\n"
                                        "      - {id: b, label: B, type: text, compute: 'a + \"x\"'}\n", "typed.yaml")
    zh, en = (run("check", misspelt, typed, "--lang", lang, "--no-hints").output for lang in ("zh", "en"))
    assert "是否想写 label" in zh and "did you mean" not in zh
    assert "did you mean label" in en and "是否想写" not in en
    assert "文字只能与文字相加" in zh and "use concat" in en and "文字" not in en


def test_check_broken_yaml_has_no_traceback(tmp_path: Path) -> None:
    bad = write_form(tmp_path, "id: x\ntitle: [\n")
    result = run("check", bad)
    assert result.exit_code == 1 and "Traceback" not in result.output and "[yaml.syntax]" in result.output


def test_validate_reports_paths_and_exit_code(tmp_path: Path) -> None:
    data = tmp_path / "d.json"
    data.write_text(json.dumps({"buyer": "甲", "lines": [{"name": "x", "unit_price": "1", "qty": 0}]}), "utf-8")
    result = run("validate", CONTRACT, data, "--lang", "en")
    assert result.exit_code == 1
    assert "seller: This field is required [required]" in result.output
    assert "lines[0].qty: Must be at least 1 [min]" in result.output
    ok = tmp_path / "ok.yaml"
    ok.write_text("buyer: 甲\nseller: 乙\ndelivery_date: 2026-02-01\nsign_date: 2026年1月1日\n"
                  "lines:\n  - {name: x, unit_price: '1.50', qty: 2}\n", "utf-8")
    result = run("validate", CONTRACT, ok, "--json")
    assert result.exit_code == 0 and json.loads(result.output)["data"]["grand_total"] == "3.00"


def test_validate_with_broken_data_file(tmp_path: Path) -> None:
    data = tmp_path / "d.json"
    data.write_text("{not json", "utf-8")
    result = run("validate", CONTRACT, data)
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_schema_prints_json_schema() -> None:
    result = run("schema", CONTRACT)
    schema = json.loads(result.output)
    assert result.exit_code == 0 and "lines" in schema["properties"]


def test_new_writes_a_form_that_passes_check(tmp_path: Path) -> None:
    target = tmp_path / "visit_log.yaml"
    assert run("new", "visit_log", "-o", target).exit_code == 0
    assert target.read_text("utf-8").startswith("# yaml-language-server: $schema=")
    assert run("check", target).exit_code == 0
    assert run("new", "visit_log", "-o", target).exit_code == 1  # no silent overwrite
    assert run("new", "Bad-Id").exit_code == 2


@pytest.mark.parametrize("args", [["check"], ["validate", str(CONTRACT)], ["render"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert CliRunner().invoke(main, args).exit_code == 2


def test_render_every_form_blank_in_every_format(tmp_path: Path) -> None:
    result = run("render", FORMS, "--to", "html,md,docx", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    from formengine.form import form_files

    expected = {f"{p.stem}.{ext}" for p in form_files(FORMS) for ext in ("html", "md", "docx")}
    assert {p.name for p in tmp_path.iterdir()} == expected


def test_render_filled_and_fillable(tmp_path: Path) -> None:
    data = tmp_path / "d.yaml"
    data.write_text("buyer: 甲公司\nseller: 乙公司\ndelivery_date: 2026-02-01\nsign_date: 2026-01-01\n"
                    "lines:\n  - {name: 钢板, unit_price: '2.50', qty: 4}\n", "utf-8")
    assert run("render", CONTRACT, "--to", "html", "--data", data, "--fillable", "-o", tmp_path).exit_code == 0
    page = (tmp_path / "sales_contract-fillable.html").read_text("utf-8")
    assert "<form" in page and "甲公司" in page


def test_render_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    assert run("render", CONTRACT, "--to", "pdfx", "-o", tmp_path).exit_code == 2


def test_render_in_parallel_processes(tmp_path: Path) -> None:
    result = run("render", FORMS / "sales", "--to", "md", "--jobs", "2", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sales_contract.md").read_text("utf-8").startswith("# 买卖合同")
