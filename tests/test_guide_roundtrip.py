"""The round-trip guide page shows what formengine really prints for a filled Word and Excel file."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_guide_examples import _run

FOLDER = ROOT / "docs" / "examples" / "getting-started"
PAGE = ROOT / "docs" / "guide" / "roundtrip.md"
# What the person typed: 两人 for the number of visitors, and leaving before arriving.
TYPED = {"name": "李明", "visitors": "两人", "arrived": "14:00", "left": "13:00", "purpose": "洽谈业务"}


def blank(tmp_path: Path, fmt: str) -> bytes:
    code, output = _run(FOLDER, "render", "visit_log.yaml", "--to", fmt, "--fillable", "-o", str(tmp_path))
    assert code == 0, output
    return (tmp_path / f"visit_log-fillable.{fmt}").read_bytes()


def fill_xlsx(content: bytes) -> bytes:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for key, _label, value in sheet.iter_rows(min_col=1, max_col=3):
            if key.value in TYPED:
                value.value = TYPED[key.value]
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def fill_docx(content: bytes) -> bytes:
    pytest.importorskip("docx")
    from .roundtrip_docx_fill import Filler

    filler = Filler(content)
    for key, text in TYPED.items():
        control = filler.by_tag(key)
        filler.choose(control, text) if key == "purpose" else filler.type_text(control, text)
    return filler.save()


@pytest.mark.parametrize(("fmt", "fill", "heading"), [("xlsx", fill_xlsx, "Excel"), ("docx", fill_docx, "Word")])
def test_the_errors_shown_are_what_extract_prints(tmp_path: Path, fmt: str, fill, heading: str) -> None:
    filled = tmp_path / f"visit_log-filled.{fmt}"
    filled.write_bytes(fill(blank(tmp_path, fmt)))
    code, output = _run(FOLDER, "extract", str(filled), "--form", "visit_log.yaml")
    assert code == 1
    errors = output[output.rindex("}") + 1:].strip()  # stderr follows the JSON
    shown = re.search(rf"^{heading}:\n\n```text\n(.*?)\n```", PAGE.read_text("utf-8"), re.MULTILINE | re.DOTALL)
    assert shown is not None and shown.group(1) == errors, f"docs/guide/roundtrip.md must show:\n{errors}"


def test_the_images_on_the_page_exist() -> None:
    for name in re.findall(r"\]\(\.\./img/([^)]+)\)", PAGE.read_text("utf-8")):
        assert (ROOT / "docs" / "img" / name).is_file(), name
