"""No data lost, for every catalog form: a value the form does not take is reported, never
dropped; a valid value survives JSON exactly; every value of an example is printed.

(tests/test_generated.py checks generated submissions round-trip; the Markdown and DOCX tests
check every example's values are printed in those formats — here the HTML page and the rest.)
"""

from __future__ import annotations

import html
import json
import re
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, settings

import formengine
from formengine import view
from formengine.examples import load_examples
from formengine.form import form_files
from formengine.spec import Field, Grid, Table, Tree
from formengine.testing import field_values

from .conftest import FORMS
from .render_support import missing_texts

PATHS = form_files(FORMS)
UNKNOWN = "zz_not_in_the_form"


@cache
def load(path: Path) -> formengine.Form:
    return formengine.load(path)


def base_data(path: Path) -> dict[str, Any]:
    """A valid example of the form (the first), or an empty submission."""
    valid = [e.data for e in load_examples(path) if e.valid and isinstance(e.data, dict)]
    return json.loads(json.dumps(valid[0], ensure_ascii=False, default=str)) if valid else {}


@cache
def a_value(f: Field) -> Any:
    """Some valid value of one field (ignoring the form's other rules)."""
    return find(field_values(f), lambda v: True, settings=settings(
        database=None, max_examples=50, phases=[Phase.generate], suppress_health_check=list(HealthCheck)))


def errors(form: formengine.Form, data: Any) -> set[tuple[str, str]]:
    return {(e.path, e.code) for e in form.validate(data).errors}


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_unknown_keys_are_reported_at_their_path(path: Path) -> None:
    form = load(path)
    data = base_data(path)
    data[UNKNOWN] = "丢了吗"
    assert (UNKNOWN, "unknown_field") in errors(form, data)
    for m in form.spec.members:
        probe = base_data(path)
        if isinstance(m, (Table, Tree)):
            rows = probe.get(m.id) or [{}]
            rows[0] = dict(rows[0], **{UNKNOWN: 1})
            probe[m.id] = rows
            assert (f"{m.id}[0].{UNKNOWN}", "unknown_field") in errors(form, probe), m.id
        elif isinstance(m, Grid):
            probe[m.id] = dict(probe.get(m.id) or {}, **{UNKNOWN: m.columns[0].key if m.one_per_row else {}})
            assert (f"{m.id}.{UNKNOWN}", "grid_row") in errors(form, probe), m.id
        elif isinstance(m, Field) and m.type in ("signature", "image", "attachment", "date_range", "year_month_range"):
            value = probe.get(m.id) if isinstance(probe.get(m.id), dict) else {}
            probe[m.id] = dict(value, **{UNKNOWN: 1})
            assert (f"{m.id}.{UNKNOWN}", "unknown_field") in errors(form, probe), m.id


HIDDEN = [(path, m.id, None) for path in PATHS for m in load(path).spec.members
          if isinstance(m, (Field, Table, Tree, Grid)) and m.visible_if]
HIDDEN += [(path, m.id, c.id) for path in PATHS for m in load(path).spec.members if isinstance(m, (Table, Tree))
           for c in m.columns if c.visible_if]


def test_the_catalog_has_conditional_fields() -> None:
    assert len(HIDDEN) >= 50


def _bases(form: formengine.Form, path: Path, conds: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Submissions to fill a conditional field into: empty, each option of the choices its
    condition reads, and the form's valid examples."""
    out: list[dict[str, Any]] = [{}]
    for name in sorted(set().union(*(c.names for c in conds))):
        f = form.spec.field(name)
        if f is not None and f.choices is not None:
            out += [{name: o.value if f.type == "choice" else [o.value]} for o in f.choices.options]
        elif f is not None and f.type == "boolean":
            out += [{name: True}, {name: False}]
    return out + [json.loads(json.dumps(e.data, ensure_ascii=False, default=str))
                  for e in load_examples(path) if e.valid and isinstance(e.data, dict)]


@pytest.mark.parametrize(("path", "member", "column"), HIDDEN,
                         ids=[f"{p.stem}-{m}{'.' + c if c else ''}" for p, m, c in HIDDEN])
def test_a_value_for_a_hidden_field_is_reported(path: Path, member: str, column: str | None) -> None:
    """Filled while its condition is false: `hidden_filled` at its path, whether it is an input
    or a computed field (a computed one used to be set to null without a word)."""
    form = load(path)
    m = next(x for x in form.spec.members if x.id == member)
    target: Any = m if column is None else next(c for c in m.columns if c.id == column)  # type: ignore[union-attr]
    where = member if column is None else f"{member}[0].{column}"
    reported = []
    for base in _bases(form, path, target.visible_if):
        data = json.loads(json.dumps(base, ensure_ascii=False))
        if column is None and isinstance(m, Field):
            value = data.get(member) if data.get(member) not in (None, "") else a_value(m)
            data[member] = value
        elif column is None and isinstance(m, (Table, Tree)):
            data[member] = data.get(member) or [{m.columns[0].id: a_value(m.columns[0])}]
        elif column is None:
            data[member] = data.get(member) or {m.rows[0].key: {}}  # type: ignore[union-attr]
        else:
            rows = data.get(member) or [{}]
            rows[0] = dict(rows[0], **{column: rows[0].get(column) or a_value(target)})
            data[member] = rows
        found = errors(form, data)
        if (where, "hidden_filled") in found:
            reported.append(base)
            break
        elif not any(p == where or p.startswith((where + ".", where + "[")) for p, _ in found):
            result = form.validate(data)  # not reported: then it must be kept
            if result.ok:
                kept = result.data()[member]
                assert kept if column is None else kept[0].get(column) not in (None, ""), (base, where)
    assert reported, f"{where} was never hidden in {len(_bases(form, path, target.visible_if))} submissions"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_valid_examples_survive_json_exactly(path: Path) -> None:
    form = load(path)
    for example in load_examples(path):
        if not example.valid:
            continue
        first = form.validate(example.data)
        assert first.ok, first.format("en")
        text = json.dumps(first.data(), ensure_ascii=False, sort_keys=True)
        again = form.validate(json.loads(text))
        assert again.ok and json.dumps(again.data(), ensure_ascii=False, sort_keys=True) == text
        for f in form.spec.fields:  # money: exact Decimals, never floats, never more than 2 places
            given, kept = example.data.get(f.id), first.data().get(f.id)  # type: ignore[union-attr]
            if f.type == "money" and given not in (None, "") and f.compute is None:
                assert isinstance(kept, str) and Decimal(kept) == Decimal(str(given).replace(",", ""))
                assert -Decimal(kept).as_tuple().exponent <= 2  # type: ignore[operator]


def _page_text(markup: str) -> str:
    markup = re.sub(r"<(script|style)\b.*?</\1>", "", markup, flags=re.DOTALL)
    markup = re.sub(r"<(input|textarea)\b[^>]*>", " ", markup)
    markup = re.sub(r"</?(span|b|i|em|strong|u)\b[^>]*>", "", markup)  # inline: ☑ and its label stay together
    return html.unescape(re.sub(r"<[^>]+>", "\n", markup))


EXAMPLES = [(p, e.name, e.data) for p in PATHS for e in load_examples(p) if e.valid]


@pytest.mark.parametrize(("path", "name", "data"), EXAMPLES, ids=[f"{p.stem}-{n}" for p, n, _ in EXAMPLES])
def test_the_printable_page_shows_every_value(path: Path, name: str, data: Any) -> None:
    form = load(path)
    doc = view.build(form.spec, form.validate(data).value)
    text = _page_text(form.render("html", data))
    squeezed = re.sub(r"\s+", " ", text)
    lost = [t for t in missing_texts(doc, text, view.CHECKED) if re.sub(r"\s+", " ", t) not in squeezed]
    assert lost == []


# ---------------------------------------------------------------- garbage never raises


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_garbage_submissions_never_raise(path: Path) -> None:
    """Values of every shape, nested thousands deep, huge, NaN/Infinity, control characters:
    `validate` answers with issues (a path and a known code each), never an exception."""
    from hypothesis import given

    from formengine import codes
    from formengine.fuzz import check_submission, garbage_submissions

    form = load(path)
    custom = {c.code for c in form.spec.checks} | {c.code for t in form.spec.tables for c in t.checks}

    @settings(max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(data=garbage_submissions(form))
    def check(data: Any) -> None:
        result, escape = check_submission(form, data)
        assert not escape, escape
        assert all(e.code in codes.VALIDATION or e.code in custom for e in result.errors)

    check()


def test_the_submissions_job_counts() -> None:
    from formengine.fuzz import run_submissions

    counts = run_submissions(60, seed=3)
    assert counts.tried >= 60 and counts.failures == 0, counts.escapes
    assert counts.valid and counts.broken and counts.garbage
