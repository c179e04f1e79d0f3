"""The printable HTML page of a form, compiled once per form and language.

On a printable page only the values depend on the data: which fields share a row, which
groups sit side by side, labels, headers, CSS — all follow from the form. So the templates are
rendered once, with every place that shows a value left as a *slot* (``slot(kind, block, …)``
in ``templates/_paper.html``); printing data then formats each value into its slot
(:mod:`.html_fragments`) and joins the strings. The blank page is kept whole.

A compiled page is kept for as long as its :class:`~formengine.spec.FormSpec` lives (specs
are immutable), like the semantic plan of :mod:`formengine.semantics`.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from formengine import view as V
from formengine.spec import FormSpec, Lang

from . import html_fragments as H

Fill = Callable[[dict[str, Any]], str]
# A slot's mark. The skeleton holds only the form's own text, where control characters are refused at load.
_MARK = re.compile("\x00(\\d+)\x00")


@dataclass(frozen=True)
class Page:
    """A printable page: fixed HTML around the slots, and how to fill each slot from the data."""

    parts: tuple[str, ...]  # one more than fills: parts[0] fill[0] parts[1] … parts[-1]
    fills: tuple[Fill, ...]
    blank: str

    def render(self, values: Any) -> str:
        """The page filled with a submission's values (a validated model or a dict), or blank for None."""
        if values is None:
            return self.blank
        data = V.as_dict(values)
        out: list[str] = [""] * (2 * len(self.fills) + 1)
        out[::2] = self.parts
        out[1::2] = [fill(data) for fill in self.fills]
        return "".join(out)


# ---------------------------------------------------------------- slots


def _field(fragment: Callable[[Any, Lang, str], str]) -> Callable[..., Fill]:
    """A slot showing one field: its blank form is fixed, a value is formatted by the view."""

    def make(fv: V.FieldView, lang: Lang) -> Fill:
        kind, key, view = H.field_kind(fv), fv.field.id, V.field_viewer(fv.field, lang)
        blank = fragment(fv, lang, kind)

        def fill(data: dict[str, Any]) -> str:
            value = data.get(key)
            return blank if value is None else fragment(view(value), lang, kind)
        return fill
    return make


def _body(key: str, blank: str, draw: Callable[[Any], str]) -> Fill:
    """A slot showing the body of a table, grid or tree: ``draw(rows)``, or the blank body without rows."""

    def fill(data: dict[str, Any]) -> str:
        rows = data.get(key)
        return draw(rows) if rows else blank  # None, [] and {} print the blank body, as in formengine.view
    return fill


def _table_rows(block: V.TableView, lang: Lang, classes: Sequence[str]) -> Fill:
    t, css = block.table, tuple(classes)
    formats = tuple(V.formatter(c, lang) for c in t.columns)  # made once, used for every row
    blank = H.table_rows(block.rows, css) + H.blank_table_rows(block.blank_rows, css, block.numbered,
                                                               after=len(block.rows))
    return _body(t.id, blank, lambda rows: H.table_rows(V.row_texts(t, rows, lang, formats), css))


def _grid_rows(block: V.GridView, lang: Lang) -> Fill:
    g = block.grid
    return _body(g.id, H.grid_rows(block), lambda cells: H.grid_rows(V.grid_view(g, cells, lang)))


def _tree_rows(block: V.TreeView, lang: Lang, classes: Sequence[str], indent: int) -> Fill:
    t, css = block.tree, tuple(classes)

    def draw(b: V.TreeView) -> str:
        return H.tree_rows(b, css, indent)
    return _body(t.id, draw(block), lambda nodes: draw(V.tree_view(t, nodes, lang)))


SLOTS: dict[str, Callable[..., Fill]] = {
    "value": _field(H.value),
    "inline": _field(H.inline),
    "line_value": _field(H.line_value),
    "signer": _field(lambda fv, lang, kind: H.signature(fv, lang, with_label=True)),
    "line_signer": _field(lambda fv, lang, kind: H.line_signer(fv)),
    "line_signed_on": _field(lambda fv, lang, kind: H.line_signed_on(fv, lang)),
    "table_rows": _table_rows,
    "grid_rows": _grid_rows,
    "tree_rows": _tree_rows,
}


class SlotRecorder:
    """Given to the templates as ``slot`` while a page is compiled: leaves a mark, remembers the fill."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang
        self.fills: list[Fill] = []

    def __call__(self, kind: str, block: Any, *args: Any) -> Markup:
        self.fills.append(SLOTS[kind](block, self.lang, *args))
        return Markup(f"\x00{len(self.fills) - 1}\x00")

    def page(self, skeleton: str) -> Page:
        """Split the rendered skeleton at the marks into the compiled page."""
        pieces = _MARK.split(skeleton)
        parts, marks = tuple(pieces[::2]), [int(m) for m in pieces[1::2]]
        if marks != list(range(len(self.fills))) or any("\x00" in p for p in parts):
            raise RuntimeError("打印页模板的占位标记错乱 / "
                               "the printable page template left its slot marks out of order")
        fills = tuple(self.fills)
        blank = Page(parts, fills, "").render({})
        return Page(parts, fills, blank)


# ---------------------------------------------------------------- cache


_PAGES: dict[int, tuple[weakref.ref[FormSpec], dict[Lang, Page]]] = {}


def cached(spec: FormSpec, lang: Lang, compile_page: Callable[[FormSpec, Lang], Page]) -> Page:
    """The compiled page of ``spec`` in ``lang``, compiled on first use."""
    key = id(spec)
    hit = _PAGES.get(key)
    if hit is None or hit[0]() is not spec:
        hit = (weakref.ref(spec, lambda _: _PAGES.pop(key, None)), {})
        _PAGES[key] = hit
    pages = hit[1]
    page = pages.get(lang)
    if page is None:
        page = pages[lang] = compile_page(spec, lang)
    return page
