"""Renderers with hostile content: labels and values that try to inject script, markup, CSS or
layout print as inert text in every format, and nothing is lost.

* HTML (printable and fillable) is opened in headless Chromium: no script but the page's own
  runs, no dialog opens, no ``javascript:`` address, no event-handler attribute.
* DOCX stays a valid file: python-docx opens it and LibreOffice converts it to PDF.
* Markdown tables keep their rows and columns.
* Control characters cannot reach a document: refused in values (``control_chars``) and in
  definitions (``schema.control_chars``) — never stripped silently.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import formengine
from formengine import view
from formengine.errors import FormDefinitionError
from formengine.rendering import RendererError

from .helpers import write_form
from .render_support import missing_texts

PWN = "window.__pwned=1"
HOSTILE = [
    f"<script>{PWN}</script>",
    f'"><img src=x onerror={PWN}>',
    f"</style><script>{PWN}</script><style>",
    f"x{{}}</style><style>*{{background:url(javascript:{PWN})}}</style>",
    f"expression({PWN})",
    f"javascript:{PWN}",
    "\u202egnp.exe\u202c 右到左",
    "<!-- ]]> {{ 7*7 }} ${7*7} {% raw %}",
    "| --- | a | b |",
    "`code` *em* [link](javascript:alert(1)) ![img](x)",
]
LONG = "长" * 10_000


def _q(i: int) -> str:
    return json.dumps(HOSTILE[i % len(HOSTILE)], ensure_ascii=False)


FORM = f"""\
id: hostile
title: {_q(0)}
code: {json.dumps('E05"}</style><script>' + PWN + '</script>')}
copies: {{count: 2, note: {_q(1)}}}
notes: [{_q(2)}, {_q(3)}]
sections:
  - title: {_q(4)}
    hint: {_q(5)}
    items:
      - {{id: name, label: {_q(6)}, type: text, hint: {_q(7)}, unit: {_q(8)}}}
      - {{id: remark, label: {_q(9)}, type: textarea}}
      - {{id: site, label: {_q(0)}, type: url}}
      - {{id: mail, label: {_q(1)}, type: email}}
      - {{id: kind, label: {_q(2)}, type: choice, choices: [{_q(3)}, 普通, {{value: 其他, blank: text, blank_label: {_q(4)}}}]}}
      - {{id: tags, label: {_q(5)}, type: multi_choice, choices: [{_q(6)}, {_q(7)}], other: true}}
      - {{id: signer, label: {_q(8)}, type: signature}}
      - text: {json.dumps(HOSTILE[9] + " {place} " + HOSTILE[0], ensure_ascii=False)}
        blanks:
          - {{id: place, label: {_q(1)}, type: text}}
      - group:
          title: {_q(2)}
          items:
            - {{id: inner, label: {_q(3)}, type: text}}
  - title: {_q(5)}
    items:
      - table:
          id: rows
          title: {_q(6)}
          row_number: {_q(7)}
          columns:
            - {{id: a, label: {_q(8)}, type: text}}
            - {{id: b, label: {_q(9)}, type: textarea}}
            - {{id: n, label: {_q(0)}, type: integer}}
      - grid:
          id: g
          title: {_q(1)}
          corner: {_q(2)}
          rows: [{{key: r1, label: {_q(3)}}}, {{key: r2, label: {_q(4)}}}]
          columns: [{{key: c1, label: {_q(5)}}}, {{key: c2, label: {_q(6)}}}]
          cell: {{type: text}}
checks:
  - {{rule: "name != 'x'", path: name, message: {_q(7)}}}
"""

DATA: dict[str, Any] = {
    "name": HOSTILE[1] + " " + HOSTILE[6],
    "remark": HOSTILE[2] + "\n" + HOSTILE[8] + "\n" + LONG,
    "site": f'https://example.com/"><script>{PWN}</script>',
    "mail": f"<svg/onload={PWN}>@example.com",
    "kind": {"value": "其他", "detail": HOSTILE[0]},
    "tags": [HOSTILE[6], {"value": "其他", "detail": HOSTILE[3]}],
    "signer": {"name": HOSTILE[1], "date": "2026-01-15"},
    "place": HOSTILE[4] + HOSTILE[6],
    "inner": HOSTILE[5],
    "rows": [{"a": "a|b</td><script>" + PWN + "</script>", "b": "l1\nl2 | --- |\n" + HOSTILE[9], "n": 3},
             {"a": "x" * 10_000}],
    "g": {"r1": {"c1": HOSTILE[3], "c2": HOSTILE[8]}, "r2": {"c1": LONG}},
}


@pytest.fixture(scope="module")
def form(tmp_path_factory: pytest.TempPathFactory) -> formengine.Form:
    return formengine.load(write_form(tmp_path_factory.mktemp("hostile"), FORM))


def test_the_hostile_data_is_valid_and_kept_exactly(form: formengine.Form) -> None:
    result = form.validate(DATA)
    assert result.ok, result.format("en")
    again = form.validate(json.loads(json.dumps(result.data(), ensure_ascii=False)))
    assert again.ok and again.value == result.value
    assert result.value.remark == DATA["remark"] and result.value.rows[1].a == "x" * 10_000


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)",
                                 "javascript://example.com/%0aalert(1)", "data:text/html,<script>alert(1)</script>",
                                 "vbscript:msgbox(1)", "java\tscript:alert(1)"])
def test_script_addresses_are_not_web_addresses(form: formengine.Form, url: str) -> None:
    result = form.validate({"site": url})
    assert [(e.path, e.code) for e in result.errors] == [("site", "url")]


# ---------------------------------------------------------------- control characters

CONTROL = [chr(c) for c in (*range(9), 11, 12, *range(14, 32))] + ["\ufffe", "\uffff"]


@pytest.mark.parametrize("char", CONTROL, ids=lambda c: f"U+{ord(c):04X}")
def test_control_characters_in_values_are_refused_at_their_path(form: formengine.Form, char: str) -> None:
    data = {"name": f"a{char}b", "rows": [{"a": f"x{char}", "n": 1}], "signer": {"name": char},
            "kind": {"value": "其他", "detail": char + "y"}, "g": {"r1": {"c1": char}}}
    result = form.validate(data)
    found = {(e.path, e.code) for e in result.errors}
    assert found == {("name", "control_chars"), ("rows[0].a", "control_chars"), ("signer.name", "control_chars"),
                     ("kind", "control_chars"), ("g.r1.c1", "control_chars")}, result.format("en")
    assert f"U+{ord(char):04X}" in result.errors[0].message_en
    with pytest.raises(RendererError) as info:  # refused, never printed with the character dropped
        form.render("docx", data)
    assert info.value.result is not None and not info.value.result.ok


def test_tab_and_line_breaks_are_ordinary_text(form: formengine.Form) -> None:
    assert form.validate({"remark": "a\tb\nc\r\nd", "name": "a\tb"}).ok


def test_control_characters_in_labels_are_refused_at_load(tmp_path: Path) -> None:
    body = FORM.replace(f"label: {_q(9)}, type: textarea", 'label: "备注\\x0b", type: textarea', 1)
    with pytest.raises(FormDefinitionError) as info:
        formengine.load(write_form(tmp_path, body))
    assert [(p.code, p.path) for p in info.value.problems] == [("schema.control_chars", "sections[0].items[1].label")]


def test_a_control_character_that_slips_past_validation_is_shown_not_dropped(form: formengine.Form) -> None:
    """Defence in depth: values handed to the DOCX renderer without validation."""
    docx = pytest.importorskip("docx")
    from formengine import rendering

    value = form.validate({"name": "ok"}).value
    value.name = "a\x07b"  # type: ignore[union-attr]
    content = rendering.get("docx").render(form, value, {})
    text = "\n".join(p.text for t in docx.Document(io.BytesIO(content)).tables for r in t.rows for c in r.cells
                     for p in c.paragraphs)
    assert "a\ufffdb" in text


# ---------------------------------------------------------------- HTML in a real browser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

INSPECT = """() => {
  const attrs = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) attrs.push([el.tagName, a.name, a.value]);
  }
  return {
    pwned: typeof window.__pwned,
    handlers: attrs.filter(([t, n]) => n.toLowerCase().startsWith('on')),
    scriptUrls: attrs.filter(([t, n, v]) => /^\\s*(javascript|vbscript|data):/i.test(v) && n !== 'value'),
    images: document.querySelectorAll('img, svg, iframe, object, embed').length,
    scripts: document.querySelectorAll('script').length,
    styles: document.querySelectorAll('style, link[rel=stylesheet]').length,
    text: document.body.innerText,
  };
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.skip(f"chromium not found at {CHROMIUM}")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _open(browser: Any, tmp_path: Path, name: str, html: str) -> tuple[Any, list[str]]:
    page = browser.new_page()
    events: list[str] = []
    page.on("dialog", lambda d: (events.append(f"dialog {d.type}: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda exc: events.append(f"error: {exc}"))
    page.on("popup", lambda p: events.append("popup"))
    target = tmp_path / f"{name}.html"
    target.write_text(html, encoding="utf-8")
    page.goto(target.as_uri())
    page.wait_for_timeout(100)
    return page, events


@pytest.mark.parametrize("fillable", [False, True], ids=["printable", "fillable"])
def test_html_is_inert_in_chromium(browser: Any, tmp_path: Path, form: formengine.Form, fillable: bool) -> None:
    benign = formengine.load(write_form(tmp_path, FORM.replace("<", "＜"), "benign.yaml"))  # the same, no tags
    for name, data in (("blank", None), ("filled", DATA)):
        html = form.render("html", data, fillable=fillable)
        page, events = _open(browser, tmp_path, f"{name}-{fillable}", html)
        seen = page.evaluate(INSPECT)
        plain, _ = _open(browser, tmp_path, f"benign-{name}-{fillable}", benign.render("html", fillable=fillable))
        expected = plain.evaluate(INSPECT)
        assert seen["pwned"] == "undefined" and not events, events
        assert seen["handlers"] == [] and seen["scriptUrls"] == [], (seen["handlers"], seen["scriptUrls"])
        assert seen["images"] == 0
        assert (seen["scripts"], seen["styles"]) == (expected["scripts"], expected["styles"])
        assert HOSTILE[0] in seen["text"] and HOSTILE[7] in seen["text"]  # printed as text, not evaluated
        if data is not None and not fillable:
            assert LONG in seen["text"] and "x" * 10_000 in seen["text"] and DATA["site"] in seen["text"]
        if fillable and data is not None:  # the page gives back exactly what it was given
            result = form.validate(page.evaluate("FormEngine.data()"))
            assert result.ok, result.format("en")
            assert result.value == form.validate(DATA).value
            page.fill('[data-path="name"]', "x")  # the failing check shows its hostile message as text
            page.fill('[data-path="inner"]', f"</script><img src=x onerror={PWN}>")
            page.wait_for_timeout(150)
            assert page.locator('[data-msg-for="name"] .fe-msg').inner_text() == HOSTILE[7]
            assert page.evaluate("typeof window.__pwned") == "undefined"
            assert page.evaluate("document.querySelectorAll('img').length") == 0
        page.close()
        plain.close()
        assert not events, events


def test_string_constants_cannot_close_the_page_script(browser: Any, tmp_path: Path) -> None:
    """Expressions whose text constants try to leave the inline <script> (see tests/test_sandbox.py)."""
    from formengine.fuzz import INERT_PAYLOADS

    checks = "\n".join(f"  - {{rule: {json.dumps(e)}, path: name, message: 检查{i}}}"
                       for i, e in enumerate(INERT_PAYLOADS))
    path = write_form(tmp_path, f"""\
id: strings
title: 文字
sections:
  - title: 一
    items:
      - {{id: name, label: 名称, type: text}}
      - {{id: amount, label: 金额, type: money}}
checks:
{checks}
""")
    form = formengine.load(path)
    page, events = _open(browser, tmp_path, "strings", form.render("html", fillable=True))
    page.fill('[data-path="name"]', "普通")
    page.fill('[data-path="amount"]', "7")
    page.wait_for_timeout(150)
    seen = page.evaluate(INSPECT)
    assert seen["pwned"] == "undefined" and seen["scripts"] == 2 and not events, events
    assert page.evaluate("document.querySelectorAll('.fe-msg').length") == 0  # every rule holds, as on the server
    page.close()


# ---------------------------------------------------------------- DOCX


def _docx_text(content: bytes) -> str:
    docx = pytest.importorskip("docx")
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    assert content[:2] == b"PK"
    d = docx.Document(io.BytesIO(content))
    paragraphs = list(d.element.body.iter(qn("w:p"))) + list(d.sections[0].header._element.iter(qn("w:p")))
    return "\n".join(Paragraph(p, None).text for p in paragraphs)


def test_docx_is_valid_keeps_every_value_and_converts_to_pdf(form: formengine.Form, tmp_path: Path) -> None:
    blank = form.render("docx")
    filled = form.render("docx", DATA)
    assert isinstance(blank, bytes) and isinstance(filled, bytes)
    blank_text, filled_text = _docx_text(blank), _docx_text(filled)
    for label in HOSTILE:
        assert label in blank_text, label
    doc = view.build(form.spec, form.validate(DATA).value)
    assert missing_texts(doc, filled_text, "☒") == []
    assert LONG in filled_text and "\u202e" in filled_text
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    for name, content in (("blank", blank), ("filled", filled)):
        (tmp_path / f"{name}.docx").write_bytes(content)
    profile = (tmp_path / "profile").as_uri()
    proc = subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(tmp_path / "blank.docx"), str(tmp_path / "filled.docx")],
                          capture_output=True, text=True, timeout=240, check=False)
    for name in ("blank", "filled"):
        pdf = tmp_path / f"{name}.pdf"
        assert pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-", (proc.returncode, proc.stdout, proc.stderr)
        assert pdf.stat().st_size > 1000


# ---------------------------------------------------------------- Markdown


def _md_tables(md: str) -> list[list[int]]:
    """Cells per row of every table, as a real GFM parser (markdown-it) sees them."""
    markdown_it = pytest.importorskip("markdown_it")
    tokens = markdown_it.MarkdownIt("commonmark").enable("table").parse(md)
    tables: list[list[int]] = []
    for t in tokens:
        if t.type == "table_open":
            tables.append([])
        elif t.type == "tr_open":
            tables[-1].append(0)
        elif t.type in ("th_open", "td_open"):
            tables[-1][-1] += 1
    return tables


def test_markdown_tables_keep_their_rows_and_columns(form: formengine.Form) -> None:
    blank, filled = form.render("md"), form.render("md", DATA)
    # the repeating table: header + 2 rows × (row number + 3 columns); the grid: header + 2 rows × 3
    assert _md_tables(filled) == [[4, 4, 4], [3, 3, 3]]
    assert _md_tables(blank) == [[4] * (1 + 5), [3, 3, 3]]  # 5 blank rows printed
    markdown_it = pytest.importorskip("markdown_it")
    rendered = markdown_it.MarkdownIt("commonmark").enable("table").render(filled)
    assert "<script" not in rendered and "<img" not in rendered and "<a " not in rendered and "<style" not in rendered
    doc = view.build(form.spec, form.validate(DATA).value)
    from .test_markdown import as_text

    assert missing_texts(doc, as_text(filled), view.CHECKED) == []
