"""``formengine render --data many`` : one document per record, streamed, in one or more processes."""

from __future__ import annotations

import json
import types
import zipfile
from pathlib import Path

from click.testing import CliRunner

from formengine.cli import main
from formengine.rendering import Record, is_batch, iter_records

from .conftest import FORMS

CONTRACT = FORMS / "sales" / "sales_contract.yaml"


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def contract(n: int) -> dict:
    return {"contract_no": f"HT-{n:03d}", "buyer": "上海华东贸易有限公司", "seller": "江苏宏达钢铁股份有限公司",
            "sign_date": "2026-01-15", "delivery_date": "2026-02-28",
            "lines": [{"name": f"钢板{n}", "unit_price": "10.50", "qty": n}]}


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("word/document.xml").decode("utf-8")


def test_json_lines_make_one_document_per_record(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "contracts.jsonl", [contract(n) for n in (1, 2, 3)])
    result = run("render", CONTRACT, "--to", "docx,html", "--data", data, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [f"sales_contract-{n}.{ext}" for n in (1, 2, 3) for ext in ("docx", "html")]
    for n in (1, 2, 3):
        assert f"HT-{n:03d}" in docx_text(tmp_path / "out" / f"sales_contract-{n}.docx")
        assert f"钢板{n}" in (tmp_path / "out" / f"sales_contract-{n}.html").read_text("utf-8")
    assert "3/3" in result.output


def test_blank_lines_are_skipped_and_numbering_follows_records(tmp_path: Path) -> None:
    data = tmp_path / "c.jsonl"
    data.write_text(json.dumps(contract(1)) + "\n\n   \n" + json.dumps(contract(2)) + "\n", "utf-8")
    assert run("render", CONTRACT, "--to", "md", "--data", data, "-o", tmp_path / "out").exit_code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["sales_contract-1.md", "sales_contract-2.md"]
    assert "HT-002" in (tmp_path / "out" / "sales_contract-2.md").read_text("utf-8")


def test_bad_records_are_reported_with_their_line_and_the_rest_still_rendered(tmp_path: Path) -> None:
    data = tmp_path / "c.jsonl"
    data.write_text("\n".join([json.dumps(contract(1)), json.dumps({"buyer": "甲"}), "{not json",
                               json.dumps(contract(4))]) + "\n", "utf-8")
    result = run("render", CONTRACT, "--to", "md", "--data", data, "-o", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 1
    assert f"{data}:2:" in result.output and "seller: This field is required [required]" in result.output
    assert f"{data}:3:" in result.output and "JSONDecodeError" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["sales_contract-1.md", "sales_contract-4.md"]
    assert "2/4" in result.output


def test_a_folder_of_data_files_in_name_order(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "b.yaml").write_text("buyer: 乙买方\nseller: 乙卖方\ndelivery_date: 2026-02-01\nsign_date: 2026-01-01\n"
                                   "lines:\n  - {name: 钢板, unit_price: '2.50', qty: 4}\n", "utf-8")
    (folder / "a.json").write_text(json.dumps(contract(7), ensure_ascii=False), "utf-8")
    (folder / "notes.txt").write_text("not data", "utf-8")
    result = run("render", CONTRACT, "--to", "md", "--data", folder, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "HT-007" in (tmp_path / "out" / "sales_contract-1.md").read_text("utf-8")
    assert "乙买方" in (tmp_path / "out" / "sales_contract-2.md").read_text("utf-8")
    assert len(list((tmp_path / "out").iterdir())) == 2


def test_parallel_workers_write_the_same_documents(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "c.jsonl", [contract(n) for n in range(1, 71)])  # more than one chunk per worker
    assert run("render", CONTRACT, "--to", "docx", "--data", data, "--jobs", "1", "-o", tmp_path / "one").exit_code == 0
    result = run("render", CONTRACT, "--to", "docx", "--data", data, "--jobs", "2", "-o", tmp_path / "two")
    assert result.exit_code == 0, result.output
    one = {p.name: p.read_bytes() for p in (tmp_path / "one").iterdir()}
    two = {p.name: p.read_bytes() for p in (tmp_path / "two").iterdir()}
    assert len(one) == 70 and one == two  # same input, same bytes, whichever process made them


def test_fillable_batch_names(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "c.jsonl", [contract(1)])
    assert run("render", CONTRACT, "--data", data, "--fillable", "-o", tmp_path / "out").exit_code == 0
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["sales_contract-1-fillable.html"]


def test_a_broken_form_is_reported_once(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: T\nsections:\n  - title: A\n    items:\n      - {id: a, lable: A, type: text}\n", "utf-8")
    data = write_jsonl(tmp_path / "c.jsonl", [contract(n) for n in range(1, 40)])
    result = run("render", bad, "--to", "md", "--data", data, "-o", tmp_path / "out", "--jobs", "2")
    assert result.exit_code == 1
    assert result.output.count("[schema.unknown_key]") == 1


def test_records_are_read_lazily(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "c.jsonl", [contract(n) for n in range(1, 4)])
    records = iter_records(data)
    assert isinstance(records, types.GeneratorType)  # streamed, never a list of every record
    first = next(records)
    assert first == Record(1, f"{data}:1", text=json.dumps(contract(1), ensure_ascii=False) + "\n")
    assert is_batch(data) and is_batch(tmp_path) and not is_batch(tmp_path / "one.json")


def test_single_data_file_still_makes_one_document(tmp_path: Path) -> None:
    data = tmp_path / "d.json"
    data.write_text(json.dumps(contract(5)), "utf-8")
    assert run("render", CONTRACT, "--to", "md", "--data", data, "-o", tmp_path / "out").exit_code == 0
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["sales_contract.md"]
