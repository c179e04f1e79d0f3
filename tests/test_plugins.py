"""Renderers are plugins: a third-party one works through the public API and the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import formengine
from formengine.cli import main

from .conftest import FORMS

CONTRACT = FORMS / "sales" / "sales_contract.yaml"
FILLED = {"buyer": "甲公司", "seller": "乙公司", "delivery_date": "2026-02-01", "sign_date": "2026-01-01",
          "lines": [{"name": "钢板", "unit_price": "2.50", "qty": 4}]}


class CsvRenderer:
    """A toy third-party renderer: one line per top-level value."""

    name = "csv"
    extension = "csv"
    media_type = "text/csv"

    def render(self, form, values, options):
        if values is None:
            return "\n".join(f"{m},{''}" for m in form.spec.data_ids)
        data = values.model_dump(mode="json")
        return "\n".join(f"{k},{data.get(k)}" for k in form.spec.data_ids if not isinstance(data.get(k), list))


@pytest.fixture(autouse=True)
def toy() -> None:
    formengine.register_renderer(CsvRenderer())


def test_toy_renderer_through_the_api() -> None:
    form = formengine.load(CONTRACT)
    assert isinstance(CsvRenderer(), formengine.Renderer)
    assert "grand_total,10.00" in form.render("csv", FILLED)
    assert form.render("csv").startswith("contract_no,")


def test_invalid_data_is_refused_not_rendered() -> None:
    form = formengine.load(CONTRACT)
    with pytest.raises(formengine.RendererError) as info:
        form.render("csv", {"buyer": "甲"})
    assert info.value.result is not None and any(e.path == "seller" for e in info.value.result.errors)


def test_unknown_format() -> None:
    with pytest.raises(formengine.RendererError):
        formengine.load(CONTRACT).render("pdfx")


def test_toy_renderer_through_the_cli(tmp_path: Path) -> None:
    data = tmp_path / "d.yaml"
    import yaml

    data.write_text(yaml.safe_dump(FILLED, allow_unicode=True), "utf-8")
    result = CliRunner().invoke(main, ["render", str(CONTRACT), "--to", "csv", "--data", str(data), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "grand_total,10.00" in (tmp_path / "sales_contract.csv").read_text("utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("buyer: 甲\n", "utf-8")
    result = CliRunner().invoke(main, ["render", str(CONTRACT), "--to", "csv", "--data", str(bad), "-o", str(tmp_path / "x")])
    assert result.exit_code == 1 and "seller" in result.output


def test_importing_formengine_loads_no_renderer_library() -> None:
    code = "import sys, formengine; print([m for m in ('docx', 'jinja2', 'formengine.renderers.html') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
