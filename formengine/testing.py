"""Hypothesis strategies derived from a form, for testing formengine and your own pipelines.

    from hypothesis import given
    from formengine.testing import valid_submissions

    @given(valid_submissions(form))
    def test_my_pipeline(data): ...

``valid_submissions`` draws a value for every input field within its bounds, then repairs what
a form's own rules reject (hidden fields removed, conditionally required ones drawn, fields of
a failing check left empty) and keeps only data the form accepts. ``broken_submissions`` takes
a valid one and breaks it in a way the form must reject, returning the data and the path the
error must be reported at.
"""

from __future__ import annotations

import copy
import functools
import datetime as dt
import string
from decimal import Decimal
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from .form import Form
from .spec import Field, Grid, Table, Tree

_DAY0 = dt.date(2000, 1, 1)
_TEXT = st.text(alphabet=st.sampled_from("甲乙丙丁上海北京华东贸易有限公司客户经理ABCxyz0123 "), min_size=1,
                max_size=12).map(str.strip).filter(bool)
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def _id_card(draw: Any) -> str:
    from .cn import is_valid_id_card

    area = draw(st.sampled_from(["110105", "310104", "440305", "320102"]))
    birth = draw(st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2005, 12, 31)))
    body = f"{area}{birth:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
    assert is_valid_id_card(body + check)
    return body + check


def _uscc(draw: Any) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    body = "91" + draw(st.sampled_from(["110000", "310000", "440300"])) + "".join(
        draw(st.lists(st.sampled_from(alphabet), min_size=10, max_size=10)))
    total = sum(alphabet.index(c) * w for c, w in zip(body, weights))
    return str(body) + alphabet[(31 - total % 31) % 31]


def _bounded_number(f: Field, places: int | None) -> st.SearchStrategy[Any]:
    low = f.min if f.min is not None else (0 if f.type in ("money", "percent") else -1000)
    high = f.max if f.max is not None else (100 if f.type == "percent" else 10**6)
    if places is None:
        return st.integers(int(low), int(high))
    return st.decimals(min_value=low, max_value=high, places=places, allow_nan=False, allow_infinity=False).map(str)


_ANCHOR = dt.date(2026, 1, 15)


def _date(f: Field) -> st.SearchStrategy[dt.date]:
    """Mostly dates a few days apart (so rules such as "within two days" can hold), some far."""
    low = f.min if isinstance(f.min, dt.date) else _DAY0
    high = f.max if isinstance(f.max, dt.date) else dt.date(2030, 12, 31)
    near_low, near_high = max(low, _ANCHOR - dt.timedelta(days=3)), min(high, _ANCHOR + dt.timedelta(days=3))
    wide = st.dates(min_value=low, max_value=high)
    if near_low > near_high:
        return wide
    return st.one_of(st.dates(min_value=near_low, max_value=near_high), wide)


def _with_detail(value: str, detail: Any) -> dict[str, Any]:
    return {"value": value, "detail": detail}


def _choice(f: Field) -> st.SearchStrategy[Any]:
    assert f.choices is not None
    strategies: list[st.SearchStrategy[Any]] = []
    for o in f.choices.options:
        if o.blank is None:
            strategies.append(st.just(o.value))
        else:
            detail: st.SearchStrategy[Any] = (_TEXT if o.blank == "text" else
                                              st.integers(1, 1000).map(str if o.blank != "integer" else int))
            strategies.append(detail.map(functools.partial(_with_detail, o.value)))
    return st.one_of(strategies)


@st.composite
def field_values(draw: Any, f: Field) -> Any:
    """A raw (JSON-like) valid value for one field, ignoring cross-field rules."""
    t = f.type
    if t in ("text", "textarea"):
        if f.pattern:
            return draw(st.from_regex(f.pattern, fullmatch=True).filter(lambda s: "\n" not in s))
        low, high = f.min_length or 1, min(f.max_length or 20, 40)
        return draw(st.text(alphabet="客户联系人上海123ab", min_size=low, max_size=max(low, high)))
    if t in ("integer", "rating"):
        return draw(_bounded_number(f, None))
    if t == "money":
        return draw(_bounded_number(f, 2))
    if t in ("decimal", "percent"):
        return draw(_bounded_number(f, f.places))
    if t == "date":
        d = draw(_date(f))
        return draw(st.sampled_from([d.isoformat(), f"{d.year}年{d.month}月{d.day}日"]))
    if t == "year_month":
        d = draw(_date(f))
        return f"{d.year:04d}-{d.month:02d}"
    if t in ("date_range", "year_month_range"):
        a, b = sorted(draw(st.lists(st.dates(_DAY0, dt.date(2030, 12, 31)), min_size=2, max_size=2)))
        if t == "date_range":
            return {"start": a.isoformat(), "end": b.isoformat()}
        return {"start": f"{a:%Y-%m}", "end": f"{b:%Y-%m}"}
    if t == "time":
        return f"{draw(st.integers(0, 23)):02d}:{draw(st.integers(0, 59)):02d}"
    if t == "datetime":
        return draw(st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2030, 1, 1))).isoformat(timespec="seconds")
    if t == "boolean":
        return draw(st.booleans())
    if t == "choice":
        return draw(_choice(f))
    if t == "multi_choice":
        assert f.choices is not None
        n = len(f.choices.options)
        count = draw(st.integers(max(f.min or 0, 1), min(f.max or n, n)))
        picked = draw(st.permutations(list(f.choices.options)))[:count]
        return [draw(_choice(Field(f.id, f.label, "choice", f.where, choices=type(f.choices)((o,)))))
                for o in picked]
    if t in ("phone",):
        return f"0{draw(st.sampled_from(['10', '21', '755', '571']))}-{draw(st.integers(20000000, 89999999))}"
    if t == "mobile":
        return f"1{draw(st.sampled_from('3456789'))}{draw(st.integers(0, 999999999)):09d}"
    if t == "email":
        return f"{draw(st.text(string.ascii_lowercase, min_size=1, max_size=8))}@example.com"
    if t == "url":
        return f"https://www.{draw(st.text(string.ascii_lowercase, min_size=1, max_size=8))}.com.cn"
    if t == "postcode":
        return f"{draw(st.integers(100000, 999999))}"
    if t == "id_card":
        return _id_card(draw)
    if t == "uscc":
        return _uscc(draw)
    if t == "bank_account":
        return "".join(draw(st.lists(st.sampled_from(string.digits), min_size=12, max_size=19)))
    if t == "plate_number":
        return (draw(st.sampled_from(_PROVINCES)) + draw(st.sampled_from(_PLATE_LETTERS))
                + f"{draw(st.integers(0, 99999)):05d}")
    if t == "signature":
        return {"name": draw(_TEXT), "date": draw(_date(f)).isoformat()}
    if t == "image":
        return {"name": "photo.png", "format": "png", "bytes": 1000,
                "width": _pick(draw, f.width, 800), "height": _pick(draw, f.height, 600)}
    if t == "attachment":
        fmt = f.formats[0] if f.formats else "pdf"
        return {"name": f"file.{fmt}", "format": fmt, "bytes": 1000}
    raise AssertionError(f"no strategy for {t}")


def _pick(draw: Any, bounds: Any, default: int) -> int:
    if bounds is None:
        return default
    low = bounds.min if bounds.min is not None else 1
    high = bounds.max if bounds.max is not None else low + 1000
    return int(draw(st.integers(int(low), int(high))))


def _inputs(columns: tuple[Field, ...]) -> list[Field]:
    return [c for c in columns if c.compute is None]


@st.composite
def _row(draw: Any, columns: tuple[Field, ...]) -> dict[str, Any]:
    row = {c.id: draw(field_values(c)) for c in _inputs(columns) if c.required or draw(st.booleans())}
    if not row:
        first = _inputs(columns)[0]
        row[first.id] = draw(field_values(first))
    return row


def _table(t: Table) -> st.SearchStrategy[list[dict[str, Any]]]:
    high = min(t.max_rows if t.max_rows is not None else 4, max(t.min_rows, 4))
    return st.lists(_row(t.columns), min_size=t.min_rows, max_size=high)


def _tree(t: Tree) -> st.SearchStrategy[list[dict[str, Any]]]:
    leaf = _row(t.columns)

    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.tuples(leaf, st.lists(children, max_size=2)).map(lambda p: {**p[0], "children": p[1]})
    node = st.recursive(leaf, extend, max_leaves=4) if t.max_depth > 1 else leaf
    return st.lists(node, max_size=3)


def _grid(g: Grid) -> st.SearchStrategy[dict[str, Any]]:
    if g.one_per_row:
        return st.fixed_dictionaries({r.key: st.sampled_from([c.key for c in g.columns]) for r in g.rows})
    cell = field_values(g.cell)
    return st.fixed_dictionaries({}, optional={
        r.key: st.fixed_dictionaries({}, optional={c.key: cell for c in g.columns}) for r in g.rows})


def _member(m: Any) -> st.SearchStrategy[Any]:
    if isinstance(m, Field):
        return field_values(m)
    if isinstance(m, Table):
        return _table(m)
    if isinstance(m, Tree):
        return _tree(m)
    return _grid(m)


def _top_level_path(path: str) -> str:
    return path.split("[", 1)[0].split(".", 1)[0]


@st.composite
def valid_submissions(draw: Any, form: Form) -> dict[str, Any]:
    """Data the form accepts: drawn within every field's bounds, repaired against its rules."""
    spec = form.spec
    members = {m.id: m for m in spec.members if not (isinstance(m, Field) and m.compute is not None)}
    data: dict[str, Any] = {}
    for mid, m in members.items():
        if isinstance(m, Field) and not m.required and not draw(st.booleans()):
            continue
        data[mid] = draw(_member(m))
    for _ in range(6):
        result = form.validate(data)
        if result.ok:
            return data
        for e in result.errors:
            _repair(draw, form, data, e.path, e.code)
    if form.validate(data).ok:
        return data
    # Rules too tight for random values (weights summing to 100 …): vary a valid example instead.
    examples = _valid_examples(form)
    assume(bool(examples))
    data = copy.deepcopy(draw(st.sampled_from(examples)))
    free = [m for m in form.spec.members if isinstance(m, Field) and m.id not in _ruled(form)
            and m.compute is None and not m.visible_if]
    for m in free:
        if draw(st.booleans()):
            data[m.id] = draw(field_values(m))
    assume(form.validate(data).ok)
    return data


def _valid_examples(form: Form) -> list[dict[str, Any]]:
    from .examples import load_examples

    return [e.data for e in load_examples(form.spec.file) if e.valid and isinstance(e.data, dict)]


def _ruled(form: Form) -> set[str]:
    """Top-level ids that some rule reads: changing them may break the rule."""
    spec = form.spec
    exprs = [c.rule for c in spec.checks] + [c.when for c in spec.checks if c.when]
    for m in spec.members:
        fields = [m] if isinstance(m, Field) else list(m.columns) if isinstance(m, (Table, Tree)) else []
        for f in fields:
            exprs += [e for e in (f.compute, f.required_if, f.default_expr) if e] + list(f.visible_if)
        exprs += [c.rule for c in getattr(m, "checks", ())]
    names: set[str] = set()
    for e in exprs:
        names |= e.names | {t for t, _ in e.columns}
    return names


def _repair(draw: Any, form: Form, data: dict[str, Any], path: str, code: str) -> None:
    top = _top_level_path(path)
    member = next((m for m in form.spec.members if m.id == top), None)
    if code == "hidden_filled" or member is None:
        _remove(data, path)
    elif code == "required" and isinstance(member, Field) and path == top:
        data[top] = draw(_member(member))
    elif code in ("required", "min_rows") and member is not None and path == top:
        data[top] = draw(_member(member))
    elif code == "unique" or (code == "required" and "[" in path):
        data[top] = draw(_member(member))
    else:  # a failing check or rule: leave the value out (unknown values pass checks)
        if member is not None and not (isinstance(member, Field) and member.required):
            data.pop(top, None)
        else:
            data[top] = draw(_member(member))


def _remove(data: dict[str, Any], path: str) -> None:
    data.pop(_top_level_path(path), None)


@st.composite
def broken_submissions(draw: Any, form: Form) -> tuple[dict[str, Any], str]:
    """A submission the form must reject, and the top-level key the error must be reported at."""
    data = dict(draw(valid_submissions(form)))
    inputs = [m for m in form.spec.members if not (isinstance(m, Field) and m.compute is not None)]
    target = draw(st.sampled_from(inputs))
    how = draw(st.sampled_from(["unknown", "wrong_type", "required"]))
    defaulted = isinstance(target, Field) and (target.default is not None or target.default_expr is not None)
    if how == "required" and isinstance(target, Field) and target.required and not target.visible_if and not defaulted:
        data.pop(target.id, None)
        return data, target.id
    if how == "wrong_type":
        data[target.id] = draw(st.sampled_from([{"nested": [1, 2]}, [[["deep"]]]]))
        if not (isinstance(target, Field) and target.visible_if):
            return data, target.id
    key = "zz_" + draw(st.text(string.ascii_lowercase, min_size=1, max_size=6))
    data[key] = draw(st.one_of(st.integers(), _TEXT, st.none()))
    return data, key


__all__ = ["field_values", "valid_submissions", "broken_submissions", "Decimal"]
