"""HTML renderer: a printable A4 page that looks like the paper original, or a fillable form.

Printable pages are drawn from :mod:`formengine.view` (the format-neutral document with all
display formatting), so HTML prints the same words as Markdown and DOCX. A printable page is
compiled once per form and language (:mod:`.html_page`): the templates are rendered with a slot
wherever a value goes, and printing data only formats the values into the slots
(:mod:`.html_fragments`). Fillable pages carry the form's rules to the browser: the JavaScript
twin of every compiled expression (``Expression.js``) and the expression runtime
(``formengine/expr/runtime.js``) go into one inline script; everything that comes from the
form's text (labels, options, messages) goes into a ``<script type="application/json">`` block,
never into JavaScript source.

Templates, CSS and JS live in ``templates/`` next to this module; the Jinja2 environment
autoescapes everything and is built once per process.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from formengine import view as V
from formengine.errors import data_path
from formengine.spec import Field, FormSpec, Grid, Lang, Table, Tree

from . import html_page
from .html_fragments import field_kind

if TYPE_CHECKING:
    from formengine.form import Form

TEMPLATES = Path(__file__).resolve().parent / "templates"
EXPR_DIR = Path(V.__file__).resolve().parent / "expr"

# Field types that take half a row of the label/value grid (two pairs side by side).
SHORT_TYPES = {
    "text", "integer", "decimal", "money", "percent", "date", "year_month", "time", "datetime",
    "phone", "mobile", "email", "url", "postcode", "id_card", "uscc", "bank_account",
    "plate_number", "boolean",
}
NUMERIC_TYPES = {"integer", "decimal", "money", "percent", "rating"}


# ---------------------------------------------------------------- Jinja2


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The module's Jinja2 environment (autoescaped, built once)."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["css_string"] = css_string
    env.filters["col_class"] = column_class
    env.filters["list_of_one"] = lambda x: [x]
    env.globals.update(fkind=field_kind, asset=asset, layout=layout, tree_indent=_tree_indent_column,
                       input_attrs=input_attrs, data_path=data_path,
                       col_widths=column_widths, is_required=is_required)
    return env


@cache
def _asset_text(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def asset(name: str) -> Markup:
    """A CSS or JS file of the templates folder, for inlining into <style>/<script>."""
    return Markup(raw_text_safe(_asset_text(name)))


def raw_text_safe(code: str) -> str:
    """Make JS/CSS safe inside a raw-text element (<script>, <style>).

    In the code we inline (runtime.js, fillable.js, the compiled expressions, print.css) ``</``
    and ``<!--`` can only stand inside a string literal, a regular expression or a comment,
    where ``<\\/`` and ``<\\!--`` mean the same; the generated expressions escape ``<`` anyway.
    """
    return code.replace("</", "<\\/").replace("<!--", "<\\!--")


def json_for_script(data: Any) -> Markup:
    """JSON for a <script type="application/json"> block: <, > and & escaped."""
    text = json.dumps(data, ensure_ascii=False, default=_json_default, separators=(",", ":"))
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def css_string(value: Any) -> Markup:
    """A CSS string literal: every character other than ASCII letters/digits is hex-escaped."""
    out = []
    for ch in str(value):
        out.append(ch if ch.isascii() and ch.isalnum() else f"\\{ord(ch):06x}")
    return Markup('"' + "".join(out) + '"')


# ---------------------------------------------------------------- layout


@dataclass
class FieldRows:
    """Consecutive fields as a bordered label/value grid: a row holds one or two fields."""

    rows: list[list[V.FieldView]]


@dataclass
class Columns:
    """Groups printed side by side (a contract's 甲方 / 乙方 signing blocks)."""

    groups: list[V.GroupView]


def is_wide(fv: V.FieldView) -> bool:
    """Whether a field takes a full row of the grid rather than half of one."""
    kind = field_kind(fv)
    if kind in ("textarea", "boxes", "signature", "range"):
        return True
    if kind == "choice":
        assert isinstance(fv, V.ChoiceView)
        if fv.multi or any(o.has_blank for o in fv.options):
            return True
        return len(fv.options) > 4 or sum(len(o.label) + 2 for o in fv.options) > 14
    if kind == "rating":
        return (fv.field.max or 5) - (fv.field.min or 1) > 5
    return fv.field.type not in SHORT_TYPES  # by the field, not its value: blank and filled pages alike


def _only_fields(group: V.GroupView) -> bool:
    return bool(group.blocks) and all(isinstance(b, V.FieldView) for b in group.blocks)


def layout(blocks: Iterable[V.Block], pairs: int = 2) -> list[tuple[str, Any]]:
    """Paper layout of a list of blocks: (kind, block) in order.

    Consecutive fields become one label/value grid (``pairs`` short fields a row), consecutive
    signatures one signature row, consecutive groups holding only fields sit side by side.
    """
    out: list[tuple[str, Any]] = []
    pending: list[V.FieldView] = []
    signers: list[V.SignatureView] = []
    groups: list[V.GroupView] = []

    def flush_fields() -> None:
        if not pending:
            return
        rows: list[list[V.FieldView]] = []
        half: list[V.FieldView] = []
        for fv in pending:
            if is_wide(fv) or pairs == 1:
                if half:
                    rows.append(half)
                    half = []
                rows.append([fv])
            else:
                half.append(fv)
                if len(half) == pairs:
                    rows.append(half)
                    half = []
        if half:
            rows.append(half)
        out.append(("fields", FieldRows(rows)))
        pending.clear()

    def flush_signers() -> None:
        if signers:
            out.append(("signatures", list(signers)))
            signers.clear()

    def flush_groups() -> None:
        if len(groups) >= 2:
            for i in range(0, len(groups), 2):
                chunk = groups[i:i + 2]
                if len(chunk) == 2:
                    out.append(("columns", Columns(chunk)))
                else:
                    out.append(("group", chunk[0]))
        elif groups:
            out.append(("group", groups[0]))
        groups.clear()

    for b in blocks:
        if isinstance(b, V.SignatureView):
            flush_fields()
            flush_groups()
            signers.append(b)
            continue
        if isinstance(b, V.FieldView):
            flush_signers()
            flush_groups()
            pending.append(b)
            continue
        flush_fields()
        flush_signers()
        if isinstance(b, V.GroupView) and _only_fields(b):
            groups.append(b)
            continue
        flush_groups()
        if isinstance(b, V.ParagraphView):
            out.append(("paragraph", b))
        elif isinstance(b, V.TableView):
            out.append(("table", b))
        elif isinstance(b, V.GridView):
            out.append(("grid", b))
        elif isinstance(b, V.TreeView):
            out.append(("tree", b))
        elif isinstance(b, V.GroupView):
            out.append(("group", b))
    flush_fields()
    flush_signers()
    flush_groups()
    return out


def column_class(f: Field) -> str:
    """CSS class of a table column by its type (numbers right-aligned, long text wider)."""
    if f.type in NUMERIC_TYPES:
        return "num"
    if f.type in ("textarea",):
        return "long"
    if f.type in ("date", "year_month", "time", "boolean", "rating"):
        return "center"
    return ""


_WEIGHTS = {"textarea": 3.0, "text": 2.0, "date_range": 2.4, "year_month_range": 2.0, "signature": 2.4,
            "multi_choice": 2.0, "choice": 1.6, "date": 1.4, "datetime": 1.8, "year_month": 1.2,
            "money": 1.3, "decimal": 1.1, "percent": 1.0, "integer": 0.9, "rating": 1.2, "boolean": 0.9,
            "time": 0.9, "id_card": 2.0, "uscc": 2.0, "bank_account": 2.0, "email": 2.0, "url": 2.0,
            "phone": 1.5, "mobile": 1.4, "postcode": 1.0, "plate_number": 1.1}


def column_widths(columns: Iterable[Field], numbered: bool = False) -> list[str]:
    """Relative widths of table columns (CSS percentages), by type and label length."""
    cols = list(columns)
    weights = [max(_WEIGHTS.get(c.type, 1.5), min(len(c.label.zh), 12) * 0.3) for c in cols]
    total = sum(weights) or 1.0
    room = 94.0 if numbered else 100.0
    return [f"{w / total * room:.1f}%" for w in weights]


def _tree_indent_column(tree: Tree) -> int:
    for i, c in enumerate(tree.columns):
        if c.type in ("text", "textarea") and c.compute is None:
            return i
    return 0


# ---------------------------------------------------------------- the renderer


class HtmlRenderer:
    """``formengine render --format html``: printable (default) or fillable (``fillable=True``)."""

    name = "html"
    extension = "html"
    media_type = "text/html"

    def render(self, form: Form, values: Any, options: dict[str, Any]) -> str:
        lang = options.get("lang") or "zh"
        if lang not in ("zh", "en"):
            raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
        lang = cast(Lang, lang)
        if options.get("fillable"):
            return render_fillable(form, values, lang)
        return render_printable(form.spec, values, lang)


def _page_context(spec: FormSpec, lang: Lang) -> dict[str, Any]:
    return {
        "lang": lang,
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "orientation": "landscape" if spec.orientation == "landscape" else "portrait",
        "page_label": ("第 ", " 页 共 ", " 页") if lang == "zh" else ("Page ", " of ", ""),
        "code_label": "编号" if lang == "zh" else "No.",
        "version_label": "版本" if lang == "zh" else "Version",
        "notes_label": "注：" if lang == "zh" else "Notes:",
    }


def render_printable(spec: FormSpec, values: Any, lang: Lang = "zh") -> str:
    """The printable page, blank (``values=None``) or filled (a validated model instance)."""
    return html_page.cached(spec, lang, compile_printable).render(values)


def compile_printable(spec: FormSpec, lang: Lang) -> html_page.Page:
    """The printable page of a form with a slot wherever a value goes (see :mod:`.html_page`)."""
    doc = V.build(spec, None, lang)
    sections = [(s, layout(s.blocks)) for s in doc.sections]
    slot = html_page.SlotRecorder(lang)
    template = environment().get_template("printable.html")
    skeleton = template.render(doc=doc, spec=spec, sections=sections, slot=slot, **_page_context(spec, lang))
    return slot.page(skeleton)


# ---------------------------------------------------------------- fillable


class _Functions:
    """The JavaScript twins of the form's expressions, numbered in order of first use."""

    def __init__(self) -> None:
        self.sources: list[str] = []
        self._index: dict[int, int] = {}

    def add(self, expr: Any) -> int | None:
        if expr is None:
            return None
        key = id(expr)
        if key not in self._index:
            self._index[key] = len(self.sources)
            self.sources.append(expr.js)
        return self._index[key]

    def many(self, exprs: Iterable[Any]) -> list[int]:
        return [i for i in (self.add(e) for e in exprs) if i is not None]

    def script(self) -> str:
        body = ",\n".join(f"function (form, row, ctx) {{ return ({src}); }}" for src in self.sources)
        return f"[\n{body}\n]"


def _field_meta(f: Field, fns: _Functions, lang: Lang) -> dict[str, Any]:
    meta: dict[str, Any] = {"type": f.type, "label": f.label.get(lang)}
    if f.required:
        meta["required"] = True
    if f.required_if is not None:
        meta["required_if"] = fns.add(f.required_if)
    if f.visible_if:
        meta["visible_if"] = fns.many(f.visible_if)
    if f.compute is not None:
        meta["compute"] = fns.add(f.compute)
    if f.default is not None:
        meta["default"] = f.default
    if f.default_expr is not None:
        meta["default_expr"] = fns.add(f.default_expr)
    if f.type in ("decimal", "percent"):
        meta["places"] = f.places
    if f.type == "money":
        meta["places"] = 2
    if f.choices is not None:
        meta["options"] = [{"value": o.value, "blank": o.blank} for o in f.choices.options]
    return meta


def _check_meta(c: Any, fns: _Functions, lang: Lang) -> dict[str, Any]:
    return {"rule": fns.add(c.rule), "when": fns.add(c.when), "path": c.path, "code": c.code,
            "zh": c.message.zh, "en": c.message.en or c.message.zh,
            "message": c.message.get(lang)}


def client_model(spec: FormSpec, fns: _Functions, lang: Lang) -> dict[str, Any]:
    """Everything the page script needs to know about the form, as JSON-ready data."""
    fields = {f.id: _field_meta(f, fns, lang) for f in spec.fields}
    tables = {}
    for t in spec.tables:
        tables[t.id] = {
            "columns": {c.id: _field_meta(c, fns, lang) for c in t.columns},
            "order": [c.id for c in t.columns],
            "min_rows": t.min_rows, "max_rows": t.max_rows,
            "visible_if": fns.many(t.visible_if),
            "checks": [_check_meta(c, fns, lang) for c in t.checks],
        }
    trees = {}
    for tr in spec.trees:
        trees[tr.id] = {
            "columns": {c.id: _field_meta(c, fns, lang) for c in tr.columns},
            "order": [c.id for c in tr.columns],
            "max_depth": tr.max_depth, "visible_if": fns.many(tr.visible_if),
        }
    grids = {}
    for g in spec.grids:
        grids[g.id] = {
            "rows": [r.key for r in g.rows], "columns": [c.key for c in g.columns],
            "row_total": g.row_totals.zh if g.row_totals else None,
            "column_total": g.column_totals.zh if g.column_totals else None,
            "one_per_row": g.one_per_row, "cell": _field_meta(g.cell, fns, lang),
            "visible_if": fns.many(g.visible_if),
        }
    kinds = {Field: "field", Table: "table", Tree: "tree", Grid: "grid"}
    return {
        "id": spec.id, "lang": lang,
        "members": [[kinds[type(m)], m.id] for m in spec.members],
        "fields": fields, "tables": tables, "trees": trees, "grids": grids,
        "compute_order": [list(x) for x in spec.compute_order],
        "checks": [_check_meta(c, fns, lang) for c in spec.checks],
        "messages": _messages(lang),
    }


def _messages(lang: Lang) -> dict[str, str]:
    zh = lang == "zh"
    return {
        "required": "必填" if zh else "Required",
        "max_rows": "行数已达上限" if zh else "No more rows allowed",
        "min_rows": "至少需要填写 {n} 行" if zh else "At least {n} rows are needed",
        "invalid_value": "填写的值无效" if zh else "This value is not valid",
        "invalid": "请先更正标出的错误" if zh else "Please correct the marked errors first",
        "submitted": "已生成提交数据" if zh else "Submission data built",
        "evaluation": "规则无法计算" if zh else "A rule could not be evaluated",
    }


def _runtime_js() -> str:
    path = EXPR_DIR / "runtime.js"
    if not path.is_file():
        raise RuntimeError("formengine/expr/runtime.js is missing: the fillable HTML needs the expression runtime")
    return path.read_text(encoding="utf-8")


def _pinyin_js(spec: FormSpec) -> str:
    uses = any("pinyin_initials" in (e.source if e is not None else "") for e in _expressions(spec))
    if not uses:
        return ""
    try:
        from formengine.expr.to_js import pinyin_table_js
    except ImportError:
        return ""
    return f"FormEngineRuntime.setPinyinTable({pinyin_table_js()});"


def _expressions(spec: FormSpec) -> Iterable[Any]:
    def of_field(f: Field) -> Iterable[Any]:
        yield from f.visible_if
        yield f.compute
        yield f.required_if
        yield f.default_expr
    for f in spec.fields:
        yield from of_field(f)
    for t in spec.tables:
        yield from t.visible_if
        for c in t.columns:
            yield from of_field(c)
        for ch in t.checks:
            yield ch.rule
            yield ch.when
    for tr in spec.trees:
        for c in tr.columns:
            yield from of_field(c)
    for ch in spec.checks:
        yield ch.rule
        yield ch.when


def _initial(values: Any) -> Any:
    if values is None:
        return None
    if hasattr(values, "model_dump"):
        return values.model_dump(mode="json", exclude_none=True)
    return values


def input_attrs(f: Field) -> dict[str, Any]:
    """HTML attributes carrying a field's type and constraints."""
    t = f.type
    a: dict[str, Any] = {}
    html_type = {
        "integer": "number", "decimal": "number", "money": "number", "percent": "number",
        "date": "date", "year_month": "month", "time": "time", "datetime": "datetime-local",
        "email": "email", "url": "url", "phone": "tel", "mobile": "tel",
    }.get(t, "text")
    a["type"] = html_type
    if t == "integer":
        a["step"] = "1"
    elif t == "money":
        a["step"] = "0.01"
    elif t in ("decimal", "percent"):
        a["step"] = "1" if f.places == 0 else "0." + "0" * (f.places - 1) + "1"
    if html_type in ("number", "date", "month", "time") and t != "multi_choice":
        for key in ("min", "max"):
            v = getattr(f, key)
            if v is not None:
                a[key] = v.isoformat() if isinstance(v, dt.date) else str(v)
    if f.min_length is not None:
        a["minlength"] = f.min_length
    if f.max_length is not None:
        a["maxlength"] = f.max_length
    if f.pattern:
        a["pattern"] = f.pattern
        if f.pattern_message:
            a["title"] = f.pattern_message.zh
    fixed = {"postcode": ("[0-9]{6}", 6), "mobile": (None, 20), "id_card": ("[0-9]{17}[0-9Xx]", 18),
             "uscc": (None, 18), "plate_number": (None, 8), "bank_account": (None, 40)}
    if t in fixed:
        pattern, length = fixed[t]
        if pattern and "pattern" not in a:
            a["pattern"] = pattern
        a.setdefault("maxlength", length)
    if t in ("postcode", "mobile", "bank_account", "integer"):
        a["inputmode"] = "numeric"
    elif t in ("decimal", "money", "percent"):
        a["inputmode"] = "decimal"
    if is_required(f):
        a["required"] = "required"
    return a


def is_required(f: Field) -> bool:
    """Required on the blank page (the page script keeps it up to date from then on)."""
    return f.required and not f.visible_if and f.compute is None


def render_fillable(form: Form, values: Any, lang: Lang = "zh") -> str:
    spec = form.spec
    fns = _Functions()
    model = client_model(spec, fns, lang)
    model["initial"] = _initial(values)
    doc = V.build(spec, None, lang)
    sections = [(s, layout(s.blocks)) for s in doc.sections]
    functions = raw_text_safe(fns.script())
    pinyin = raw_text_safe(_pinyin_js(spec))
    runtime = raw_text_safe(_runtime_js())
    template = environment().get_template("fillable.html")
    zh = lang == "zh"
    return template.render(
        doc=doc, spec=spec, sections=sections, model_json=json_for_script(model),
        runtime_js=Markup(runtime), functions_js=Markup(functions), pinyin_js=Markup(pinyin),
        ui={
            "submit": "提交" if zh else "Submit", "add_row": "添加一行" if zh else "Add row",
            "remove_row": "删除" if zh else "Remove", "add_child": "添加下级" if zh else "Add child",
            "choose": "请选择" if zh else "Choose…", "name": "签字" if zh else "Name",
            "date": "日期" if zh else "Date", "start": "起" if zh else "From", "end": "止" if zh else "To",
            "yes": "是" if zh else "Yes", "no": "否" if zh else "No", "json": "提交数据" if zh else "Submission",
            "actions": "操作" if zh else "",
        },
        **_page_context(spec, lang))


__all__ = ["HtmlRenderer", "environment", "layout", "render_fillable", "render_printable"]
