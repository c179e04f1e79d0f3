"""The printable HTML page compiled once per form and language (renderers/html_page.py).

What a user relies on: printing many records of a form renders the templates once, the
compiled page never outlives or mixes up its form, and the fast paths behind it (cell
formatters, escaping) print exactly what the general ones print.
"""

from __future__ import annotations

import datetime as dt
import gc
import weakref
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
import pytest
from formengine.renderers import html as html_renderer
from formengine.renderers import html_page
from formengine.renderers.html_fragments import _e
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup, escape

import formengine
from formengine import view
from formengine.examples import load_examples
from formengine.spec import Field

from .conftest import FORMS
from .helpers import write_form

CONTRACT = FORMS / "sales" / "sales_contract.yaml"


def _contract_example() -> dict[str, Any]:
    return next(e.data for e in load_examples(CONTRACT) if e.valid)


def test_templates_render_once_per_form_and_language(monkeypatch: pytest.MonkeyPatch) -> None:
    form = formengine.load(CONTRACT)
    compiled: list[str] = []
    original = html_renderer.compile_printable

    def counting(spec: Any, lang: Any) -> html_page.Page:
        compiled.append(lang)
        return original(spec, lang)

    monkeypatch.setattr(html_renderer, "compile_printable", counting)
    first = form.render("html", _contract_example())
    assert compiled == ["zh"]

    def no_templates(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("a compiled page rendered a template")

    monkeypatch.setattr(jinja2.Template, "render", no_templates)
    other = dict(_contract_example(), buyer="北京<东方>&贸易公司",
                 lines=[{"name": "螺栓", "unit_price": "0.35", "qty": 1000}])
    second = form.render("html", other)
    assert "北京&lt;东方&gt;&amp;贸易公司" in second and "北京<东方>" not in second
    assert "螺栓" in second and "350.00" in second and "冷轧钢板" not in second
    assert "冷轧钢板" in first and "螺栓" not in first
    assert form.render("html") == form.render("html")  # the blank page is kept whole
    assert compiled == ["zh"]
    monkeypatch.undo()
    monkeypatch.setattr(html_renderer, "compile_printable", counting)
    english = form.render("html", _contract_example(), lang="en")
    assert compiled == ["zh", "en"]
    assert '<html lang="en">' in english and "Sales contract" in english
    for page in (first, second, english):
        assert "\x00" not in page  # no slot left unfilled


def test_a_compiled_page_goes_with_its_form() -> None:
    form = formengine.load(CONTRACT)
    page = html_page.cached(form.spec, "zh", html_renderer.compile_printable)
    assert html_page.cached(form.spec, "zh", html_renderer.compile_printable) is page
    gone = weakref.ref(page)
    del form, page
    gc.collect()
    assert gone() is None


def test_a_reloaded_form_prints_its_new_text(tmp_path: Path) -> None:
    body = """\
        id: visit
        title: 拜访记录
        sections:
          - title: 基本信息
            items:
              - {id: customer, label: LABEL, type: text}
    """
    path = write_form(tmp_path, body.replace("LABEL", "客户名称"))
    before = formengine.load(path).render("html", {"customer": "华东贸易"})
    write_form(tmp_path, body.replace("LABEL", "单位名称"))
    after = formengine.load(path).render("html", {"customer": "华东贸易"})
    assert "客户名称" in before and "客户名称" not in after and "单位名称" in after


# ---------------------------------------------------------------- the fast paths print the same


def _one_field_of_each_type() -> list[Field]:
    seen: dict[str, Field] = {}
    for form in formengine.load_dir(FORMS).values():
        spec = form.spec
        columns = [c for t in (*spec.tables, *spec.trees) for c in t.columns]
        for f in (*spec.fields, *columns, *(g.cell for g in spec.grids)):
            seen.setdefault(f.type, f)
    return [seen[t] for t in sorted(seen)]


FIELDS = _one_field_of_each_type()

ANY_VALUE = st.one_of(
    st.none(), st.text(max_size=8), st.integers(-10**6, 10**6), st.booleans(),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.dates(), st.datetimes(), st.lists(st.text(max_size=3), max_size=2),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.fixed_dictionaries({"name": st.one_of(st.none(), st.text(max_size=4)),
                           "date": st.one_of(st.none(), st.dates(), st.datetimes())}),
    st.fixed_dictionaries({"start": st.one_of(st.none(), st.dates()),
                           "end": st.one_of(st.none(), st.dates())}),
)


def _outcome(fn: Any, value: Any) -> Any:
    try:
        return fn(value)
    except Exception as exc:  # noqa: BLE001 - both must refuse the same values the same way
        return type(exc)


def test_the_catalog_has_the_usual_column_types() -> None:
    assert {"text", "integer", "money", "decimal", "date", "choice"} <= {f.type for f in FIELDS}


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.type)
@given(value=ANY_VALUE, lang=st.sampled_from(["zh", "en"]))
def test_the_per_field_fast_paths_print_what_the_view_prints(field: Field, value: Any, lang: Any) -> None:
    display = _outcome(lambda v: view.display(field, v, lang), value)
    assert _outcome(view.formatter(field, lang), value) == display
    field_view = _outcome(lambda v: view.field_view(field, v, lang), value)
    assert _outcome(view.field_viewer(field, lang), value) == field_view


def test_a_column_formatter_examples() -> None:
    money = next(f for f in FIELDS if f.type == "money")
    assert view.formatter(money)(Decimal(4350)) == "4350.00"
    assert view.formatter(money)(None) == ""
    date = next(f for f in FIELDS if f.type == "date")
    assert view.formatter(date, "zh")(dt.date(2026, 2, 28)) == "2026年2月28日"
    assert view.formatter(date, "en")(dt.date(2026, 2, 28)) == "2026-02-28"


@given(st.one_of(st.text(), st.text(alphabet="<>&'\"ab中"), st.integers(),
                st.builds(Markup, st.text(alphabet="<a>&"))))
def test_escaping_matches_markupsafe(text: Any) -> None:
    assert _e(text) == str(escape(text))
