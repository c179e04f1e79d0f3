"""Rules that look at more than one value: defaults, computed values, visibility,
required-ness, tables, grids, trees and checks.

Works on plain dictionaries (a model instance's ``__dict__`` or a partially valid copy), so
the same code serves valid data, where it fills computed values into the model in place,
and invalid data, where it still finds every other error.
"""

from __future__ import annotations

import ast
import datetime as dt
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel

from .errors import ValidationIssue, data_path
from .expr import Expression
from .expr.functions import FUNCTIONS
from .fieldtypes import ChoiceDetail, required_natively
from .spec import Check, Field, FormSpec, Grid, Table, Tree

Row = dict[str, Any]
# Takes each issue found. It may raise to end the pass once enough issues are collected
# (validation.MAX_ISSUES): never call it inside a ``try`` that catches Exception.
Report = Callable[[ValidationIssue], None]


def _is_model(value: Any) -> bool:
    """``isinstance(value, BaseModel)`` without the ABC machinery (Pydantic has no virtual subclasses)."""
    return BaseModel in type(value).__mro__


def _d(value: Any) -> Any:
    return value.__dict__ if _is_model(value) else value


def _is_choice(value: Any) -> bool:
    return ChoiceDetail in type(value).__mro__  # isinstance() without the ABC machinery, as _is_model()


def view(value: Any) -> Any:
    """A value as expressions see it: choices without their details."""
    if _is_choice(value):
        return value.value
    if isinstance(value, list) and value and (isinstance(value[0], str) or _is_choice(value[0])):
        return [v.value if _is_choice(v) else v for v in value]
    return value


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (str, list, dict)):
        return not value
    if _is_model(value):  # a signature or range with nothing filled in
        return all(is_empty(v) for v in value.__dict__.values())
    return False


# Values that are never empty: checked by class before calling is_empty() in the loops over rows.
_SOLID = frozenset({Decimal, int, float, bool, dt.date, dt.datetime})


def _rows_with_reported_values(paths: set[str], table_id: str) -> set[str]:
    """The rows (``lines[1]``) of a table holding a value already reported as invalid (``lines[1].qty``;
    a row reported as a whole, ``lines[1]``, is not one of them: nothing more is said about it)."""
    prefix = table_id + "["
    return {p[:p.index("]") + 1] for p in paths if p.startswith(prefix) and "]." in p}


def _any_filled(row: Row, ids: tuple[str, ...]) -> bool:
    for k in ids:
        v = row.get(k)
        if v is not None and (v.__class__ in _SOLID or (v != "" if v.__class__ is str else not is_empty(v))):
            return True
    return False


def _key(k: str) -> str:
    return data_path(["x", k])[1:]


_CENT, _ONE = Decimal("0.01"), Decimal(1)
_STEPS: dict[int, Decimal] = {}


def coerce(field: Field, value: Any) -> Any:
    """Bring a computed result to the field's type (money to 2 places, half up)."""
    if value is None:
        return None
    t = field.type
    if t == "money":
        return Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)
    if t in ("decimal", "percent"):
        step = _STEPS.get(field.places)
        if step is None:
            step = _STEPS[field.places] = Decimal(1).scaleb(-field.places)
        return Decimal(value).quantize(step, rounding=ROUND_HALF_UP)
    if t in ("integer", "rating"):
        return int(Decimal(value).quantize(_ONE, rounding=ROUND_HALF_UP))
    if t in ("text", "textarea", "choice", "year_month", "time"):
        if isinstance(value, Decimal):
            return format(value, "f")
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)
    return value


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _reason(exc: Exception) -> str:
    if isinstance(exc, ArithmeticError):
        return "数值过大或无效 / number too large or invalid"
    return str(exc) or type(exc).__name__


# ------------------------------------------------------------------ the plan of a form


@dataclass(frozen=True)
class _TablePlan:
    table: Table
    defaults: tuple[Field, ...]  # columns with a default to fill in
    viewed: bool  # a choice column: expressions read a view of each row, not the row itself
    inputs: tuple[str, ...]  # columns a person fills in (a row with none of them is empty)
    checked: tuple[tuple[Field, int], ...]  # (column, presence rule: 0, _REQUIRED or _CONDITIONAL), in order
    ruled: bool  # a column with a condition, or a check: rows need their context ({"index": i})
    # After the fast validator, which refuses empty values of the columns required_natively():
    native_checked: tuple[tuple[Field, int], ...]  # ``checked`` without the presence rules it enforced
    native_filled: bool  # a column it required: no row can be empty


@dataclass(frozen=True)
class _Plan:
    """What a submission of one form needs done, worked out once per form: which fields have
    defaults, which values expressions see through :func:`view`, the computed values in order,
    and the members that have a rule to check (a field without one needs no visit)."""

    defaults: tuple[Field, ...]
    viewed: tuple[str, ...]
    tables: tuple[_TablePlan, ...]
    table_plans: dict[str, _TablePlan]
    computes: tuple[tuple[str | None, str, Table | Tree | None, Field, bool], ...]  # …, rule reads its context
    members: tuple[Field | Table | Tree | Grid, ...]
    native_members: tuple[Field | Table | Tree | Grid, ...]  # without the fields the fast validator required


_CHOICES = ("choice", "multi_choice")
_PLANS: dict[int, tuple[weakref.ref[FormSpec], _Plan]] = {}


_REQUIRED, _CONDITIONAL = 1, 2


def _has_presence_rule(f: Field) -> bool:
    return bool(f.visible_if) or f.required or f.required_if is not None


def _presence_rule(f: Field) -> int:
    if f.visible_if or f.required_if is not None:
        return _CONDITIONAL
    return _REQUIRED if f.required else 0


def _uses_context(expr: Expression) -> bool:
    """Does the rule call a function of its row's or node's context (``row_number()`` …)?"""
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in FUNCTIONS
               and FUNCTIONS[n.func.id].context is not None for n in ast.walk(expr.checked.tree))


def _make_plan(spec: FormSpec) -> _Plan:
    tables = []
    for t in spec.tables:
        checked = tuple((c, _presence_rule(c)) for c in t.columns if _has_presence_rule(c) or c.unique)
        natively = {c.id for c in t.columns if required_natively(c)}
        tables.append(_TablePlan(
            t, tuple(c for c in t.columns if c.compute is None and (c.default is not None or c.default_expr is not None)),
            any(c.type in _CHOICES for c in t.columns), tuple(c.id for c in t.columns if c.compute is None),
            checked, bool(t.checks) or any(rule == _CONDITIONAL for _, rule in checked),
            tuple((c, 0 if c.id in natively else rule) for c, rule in checked if c.id not in natively or c.unique),
            bool(natively)))
    computes: list[tuple[str | None, str, Table | Tree | None, Field, bool]] = []
    for owner, fid in spec.compute_order:
        if owner is None:
            f = spec.field(fid)
            assert f is not None and f.compute is not None
            computes.append((None, fid, None, f, True))
            continue
        container: Table | Tree = spec.table(owner) or next(t for t in spec.trees if t.id == owner)
        column = next(c for c in container.columns if c.id == fid)
        assert column.compute is not None
        computes.append((owner, fid, container, column, _uses_context(column.compute)))
    members = tuple(m for m in spec.members if not isinstance(m, Field) or _has_presence_rule(m))
    native_members = tuple(m for m in members if not (isinstance(m, Field) and required_natively(m)))
    return _Plan(
        defaults=tuple(f for f in spec.fields if f.compute is None and (f.default is not None or f.default_expr is not None)),
        viewed=tuple(f.id for f in spec.fields if f.type in _CHOICES),
        tables=tuple(tables), table_plans={tp.table.id: tp for tp in tables}, computes=tuple(computes),
        members=members, native_members=native_members)


def _plan(spec: FormSpec) -> _Plan:
    """The plan of a spec, made on its first submission and kept while the spec lives."""
    hit = _PLANS.get(id(spec))
    if hit is not None and hit[0]() is spec:
        return hit[1]
    plan = _make_plan(spec)
    key = id(spec)
    _PLANS[key] = (weakref.ref(spec, lambda _: _PLANS.pop(key, None)), plan)
    return plan


class Evaluator:
    """One pass over one submission."""

    def __init__(self, spec: FormSpec, values: dict[str, Any], report: Report, skip: set[str], native: bool = False):
        self.spec = spec
        self.plan = plan = _plan(spec)
        self.native = native  # values from the fast validator: what it enforces needs no second look
        self.values = values
        self.report = report
        self.skip = skip  # paths already reported as invalid values
        self.given: dict[str, Any] = {}  # values submitted for conditional computed fields, judged by presence()
        self.env: dict[str, Any] = dict(values)
        for k in plan.viewed:
            if k in values:
                self.env[k] = view(values[k])
        self.rows: dict[str, list[Row]] = {}  # each table's rows as dicts (an empty one for a null row)
        for tp in plan.tables:
            rows = self.rows[tp.table.id] = self._rows(values.get(tp.table.id))
            # without choices a row reads the same to expressions as it is stored: one dict serves both
            self.env[tp.table.id] = [self._row_env(r) for r in rows] if tp.viewed else rows
        for g in spec.grids:
            self.env[g.id] = values.get(g.id)

    @staticmethod
    def _rows(rows: Any) -> list[Row]:
        try:  # validated rows are row models: their attributes
            return [r.__dict__ for r in rows or ()]
        except AttributeError:  # a null row among them
            return [_d(r) if r is not None else {} for r in rows or ()]

    @staticmethod
    def _row_env(row: Row) -> Row:
        return {k: view(v) for k, v in row.items()}

    def issue(self, path: str, code: str, **params: Any) -> None:
        if path not in self.skip:
            self.report(ValidationIssue.make(path, code, **params))

    def run(self, expr: Expression, path: str, row: Row | None = None, ctx: dict[str, Any] | None = None) -> Any:
        try:
            return expr.run(self.env, row, ctx)
        except Exception as exc:  # noqa: BLE001 - a rule that cannot run on this data is reported, never raised
            self.issue(path, "evaluation", detail=f"{expr.source}: {_reason(exc)}")
            return None

    def visible(self, conds: tuple[Expression, ...], path: str, row: Row | None = None,
                ctx: dict[str, Any] | None = None) -> bool:
        return all(self.run(c, path, row, ctx) is True for c in conds)

    # ------------------------------------------------------------------ steps

    def evaluate(self) -> None:
        self.defaults()
        for grid in self.spec.grids:
            self.grid(grid)
        self.computes()
        for m in self.plan.native_members if self.native else self.plan.members:  # only members with a rule to check
            if isinstance(m, Field):
                self.presence(m, self.values, self.env, m.id, None, None)
            elif isinstance(m, Table):
                self.table(m)
            elif isinstance(m, Tree):
                self.tree(m)
            elif isinstance(m, Grid) and m.visible_if and not self.visible(m.visible_if, m.id):
                if not is_empty(self.values.get(m.id)):
                    self.issue(m.id, "hidden_filled")
        for check in self.spec.checks:
            self.check(check, None, None, "")

    def defaults(self) -> None:
        for f in self.plan.defaults:
            self._default(f, self.values, self.env, f.id, None)
        for tp in self.plan.tables:
            if not tp.defaults:
                continue
            t = tp.table
            for i, row in enumerate(self.rows[t.id]):
                env_row = self.env[t.id][i]
                for c in tp.defaults:
                    self._default(c, row, env_row, f"{t.id}[{i}].{c.id}", env_row)

    def _default(self, f: Field, store: Row, env: Row, path: str, row: Row | None) -> None:
        if f.compute is not None or not is_empty(store.get(f.id)):
            return
        value = coerce(f, f.default) if f.default is not None else None
        if f.default_expr is not None:
            value = coerce(f, self.run(f.default_expr, path, row))
        if value is not None:
            store[f.id] = value
            env[f.id] = view(value)

    def computes(self) -> None:
        for owner, fid, container, column, contextual in self.plan.computes:
            if owner is None:
                self._compute(column, self.values, self.env, fid, None, None)
            elif isinstance(container, Table):
                self._column(owner, column, contextual)
            else:
                for node, env_node, path, outline in self._nodes(self.values.get(owner), owner, ()):
                    self._compute(column, node, env_node, f"{path}.{fid}", env_node, {"outline": outline})

    def _column(self, owner: str, column: Field, contextual: bool) -> None:
        """:meth:`_compute` for every row of a table, the usual case inline: the rule runs, its
        value fits, nothing to report (paths and contexts are only made when they are needed)."""
        assert column.compute is not None
        run, env, fid = column.compute.run, self.env, column.id
        hidden, low, high = bool(column.visible_if), column.min, column.max
        step = _CENT if column.type == "money" else None  # coerce() of a Decimal, inline
        rows, env_rows = self.rows[owner], env[owner]
        if step is not None and rows is env_rows and not (contextual or hidden or low is not None or high is not None):
            self._amounts(owner, column, rows)  # the usual line amount: the same, shorter
            return
        for i, (row, env_row) in enumerate(zip(rows, env_rows)):
            try:
                result = run(env, env_row, {"index": i} if contextual else None)
                if step is not None and result.__class__ is Decimal:
                    result = result.quantize(step, ROUND_HALF_UP)
                else:
                    result = coerce(column, result)
            except Exception:  # noqa: BLE001 - _compute runs it again and reports why
                self._compute(column, row, env_row, f"{owner}[{i}].{fid}", env_row, {"index": i})
                continue
            given = row.get(fid)
            if hidden and not is_empty(given):  # hidden: reported as such, not as a mismatch (presence)
                self.given[f"{owner}[{i}].{fid}"] = given
            if result is None:
                continue
            if given is not None and not hidden and not is_empty(given) and given != result:
                self.issue(f"{owner}[{i}].{fid}", "computed_mismatch", expected=_show(result), given=_show(given))
            row[fid] = result
            if env_row is not row or isinstance(result, list) or _is_choice(result):
                env_row[fid] = view(result)
            if low is not None and result < low:
                self.issue(f"{owner}[{i}].{fid}", "min", limit=_show(low))
            elif high is not None and result > high:
                self.issue(f"{owner}[{i}].{fid}", "max", limit=_show(high))

    def _amounts(self, owner: str, column: Field, rows: list[Row]) -> None:
        """:meth:`_column` for a money column read by expressions as stored, without bounds,
        condition or context."""
        assert column.compute is not None
        run, env, fid = column.compute.run, self.env, column.id
        for i, row in enumerate(rows):
            try:
                result = run(env, row, None)
                result = result.quantize(_CENT, ROUND_HALF_UP) if result.__class__ is Decimal else coerce(column, result)
            except Exception:  # noqa: BLE001 - _compute runs it again and reports why
                self._compute(column, row, row, f"{owner}[{i}].{fid}", row, {"index": i})
                continue
            if result is None:
                continue
            given = row.get(fid)
            if given is not None and given != result and not is_empty(given):
                self.issue(f"{owner}[{i}].{fid}", "computed_mismatch", expected=_show(result), given=_show(given))
            row[fid] = result

    def _compute(self, f: Field, store: Row, env: Row, path: str, row: Row | None, ctx: dict[str, Any] | None) -> None:
        """Derive a computed value."""
        assert f.compute is not None
        result = self.run(f.compute, path, row, ctx)
        try:
            result = coerce(f, result)
        except (ArithmeticError, ValueError, TypeError) as exc:
            self.issue(path, "evaluation", detail=f"{f.compute.source}: {_reason(exc)}")
            return
        given = store.get(f.id)
        if f.visible_if and not is_empty(given):  # hidden: reported as such, not as a mismatch (presence)
            self.given[path] = given
        if result is None:
            return
        if not is_empty(given) and given != result and not f.visible_if:
            self.issue(path, "computed_mismatch", expected=_show(result), given=_show(given))
        store[f.id] = result
        env[f.id] = view(result)
        if f.min is not None and result < f.min:  # a derived value still respects its field's bounds
            self.issue(path, "min", limit=_show(f.min))
        elif f.max is not None and result > f.max:
            self.issue(path, "max", limit=_show(f.max))

    def _nodes(self, nodes: Any, path: str, outline: tuple[int, ...]) -> Iterable[tuple[Row, Row, str, tuple[int, ...]]]:
        for i, node in enumerate(nodes or ()):
            node = _d(node)
            here = f"{path}[{i}]"
            yield node, node, here, outline + (i,)
            yield from self._nodes(node.get("children"), f"{here}.children", outline + (i,))

    # ------------------------------------------------------------------ presence

    def presence(self, f: Field, store: Row, env: Row, path: str, row: Row | None, ctx: dict[str, Any] | None) -> None:
        value = store.get(f.id)
        if f.visible_if and not self.visible(f.visible_if, path, row, ctx):
            if f.compute is not None:
                if path in self.given:  # submitted for a field that does not apply: reported, not dropped
                    self.issue(path, "hidden_filled")
                store[f.id] = None  # a derived value of a field that does not apply
            elif not is_empty(value):
                self.issue(path, "hidden_filled")
            return
        if f.compute is not None and path in self.given and value is not None and self.given[path] != value:
            self.issue(path, "computed_mismatch", expected=_show(value), given=_show(self.given[path]))
        if is_empty(value):
            needed = f.required or (f.required_if is not None and self.run(f.required_if, path, row, ctx) is True)
            if needed:
                self.issue(path, "required")

    def table(self, t: Table) -> None:
        raw = self.values.get(t.id)
        if t.visible_if and not self.visible(t.visible_if, t.id):
            if not is_empty(raw):
                self.issue(t.id, "hidden_filled")
            return
        rows = list(raw or ())
        if len(rows) < t.min_rows:
            self.issue(t.id, "min_rows" if rows else ("required" if t.min_rows else "min_rows"), limit=t.min_rows)
        if t.max_rows is not None and len(rows) > t.max_rows:
            self.issue(t.id, "max_rows", limit=t.max_rows)
        tp = self.plan.table_plans[t.id]
        checked, filled = (tp.native_checked, tp.native_filled) if self.native else (tp.checked, False)
        if filled and not checked and not t.checks:
            return  # the fast validator has checked every row
        seen: dict[str, dict[Any, int]] = {c.id: {} for c in t.columns if c.unique}
        env_rows, ruled = self.env[t.id], tp.ruled
        invalid_rows = _rows_with_reported_values(self.skip, t.id) if self.skip else frozenset()
        for i, raw_row in enumerate(rows):
            row = _d(raw_row) if raw_row is not None else {}
            # a row blank only because its invalid values were taken out is not empty: its other rules apply
            if not filled and not _any_filled(row, tp.inputs) and f"{t.id}[{i}]" not in invalid_rows:
                self.issue(f"{t.id}[{i}]", "empty_row")
                continue
            env_row = env_rows[i]
            ctx = {"index": i} if ruled else None  # only conditions and checks read it
            for c, present in checked:  # the columns with a presence rule or unique, in order
                if present == _REQUIRED:  # required, unconditionally: presence() in short
                    v = row.get(c.id)
                    if v is None or (v.__class__ not in _SOLID and (v == "" if v.__class__ is str else is_empty(v))):
                        self.issue(f"{t.id}[{i}].{c.id}", "required")
                elif present:
                    self.presence(c, row, env_row, f"{t.id}[{i}].{c.id}", env_row, ctx)
                if c.unique and not is_empty(row.get(c.id)):
                    key = view(row.get(c.id))
                    if key in seen[c.id]:
                        self.issue(f"{t.id}[{i}].{c.id}", "unique", other=seen[c.id][key] + 1)
                    else:
                        seen[c.id][key] = i
            for check in t.checks:
                self.check(check, env_row, ctx, f"{t.id}[{i}].")

    def tree(self, t: Tree) -> None:
        raw = self.values.get(t.id)
        if t.visible_if and not self.visible(t.visible_if, t.id):
            if not is_empty(raw):
                self.issue(t.id, "hidden_filled")
            return
        for node, env_node, path, outline in self._nodes(raw, t.id, ()):
            if len(outline) > t.max_depth:
                self.issue(path, "max_depth", limit=t.max_depth)
                continue
            for c in t.columns:
                self.presence(c, node, env_node, f"{path}.{c.id}", env_node, {"outline": outline})

    def grid(self, g: Grid) -> None:
        cells = self.values.get(g.id)
        if not cells:
            return
        rows = {r.key for r in g.rows}
        cols = {c.key for c in g.columns}
        row_total = g.row_totals.zh if g.row_totals else None
        col_total = g.column_totals.zh if g.column_totals else None
        for rk in list(cells):
            if rk not in rows and rk != col_total:
                self.issue(f"{g.id}{_key(rk)}", "grid_row", name=rk)
                continue
            row = cells[rk]
            if g.one_per_row:
                if row is not None and row not in cols:
                    self.issue(f"{g.id}{_key(rk)}", "grid_column", name=row)
                continue
            for ck in list(row or {}):
                if ck not in cols and ck != row_total:
                    self.issue(f"{g.id}{_key(rk)}{_key(ck)}", "grid_column", name=ck)
        if g.one_per_row or g.cell.type not in ("integer", "decimal", "money", "percent"):
            return
        # Derived totals: absent → filled in, given and different → error (like computed fields).
        def put(rk: str, ck: str, total: Any) -> None:
            row = cells.get(rk)
            if row is None:
                row = cells[rk] = {}
            given = row.get(ck)
            if given is not None and given != total:
                self.issue(f"{g.id}{_key(rk)}{_key(ck)}", "computed_mismatch", expected=_show(total), given=_show(given))
            row[ck] = total
        data_rows = [r.key for r in g.rows]
        if row_total:
            for rk in data_rows:
                values = [v for ck, v in (cells.get(rk) or {}).items() if ck in cols and v is not None]
                if values:
                    put(rk, row_total, sum(values))
        if col_total:
            for ck in [c.key for c in g.columns] + ([row_total] if row_total else []):
                values = [(cells.get(rk) or {}).get(ck) for rk in data_rows]
                present = [v for v in values if v is not None]
                if present:
                    put(col_total, ck, sum(present))
        self.env[g.id] = {rk: {ck: v for ck, v in (row or {}).items() if ck in cols}
                          for rk, row in cells.items() if rk in rows}

    # ------------------------------------------------------------------ checks

    def check(self, check: Check, row: Row | None, ctx: dict[str, Any] | None, prefix: str) -> None:
        path = prefix + check.path if prefix and "." not in check.path else check.path
        if check.when is not None and self.run(check.when, path, row, ctx) is not True:
            return
        if self.run(check.rule, path, row, ctx) is False:
            message = check.message
            params: dict[str, object] = {"message_zh": message.zh, "message_en": message.en or message.zh,
                                         "rule": check.rule.source}
            if path not in self.skip:
                self.report(ValidationIssue.make(path, check.code, **params) if check.code == "check"
                            else ValidationIssue(path, check.code, message.zh, message.en or message.zh, params))
