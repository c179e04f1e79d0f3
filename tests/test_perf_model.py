"""The model written straight as pydantic-core schemas, and the fast validator beside it, give
exactly what Pydantic and the Python rules give (see formengine/compiler.py)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import types
import typing
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError, create_model
from pydantic import Field as PField

import formengine
from formengine import compiler, fieldtypes, validation
from formengine.examples import load_examples
from formengine.form import form_files

from .conftest import FORMS
from .helpers import write_form
from .test_validation import FORM as DEMO

PATHS = form_files(FORMS)
CONTRACT = FORMS / "sales" / "sales_contract.yaml"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_form(tmp_path_factory.mktemp("demo"), DEMO)


# ---------------------------------------------------------------- the model is Pydantic's own


def _reference(model: type[BaseModel], made: dict[type, Any]) -> Any:
    """The same model built by Pydantic from its model_fields (annotation + validators + title)."""
    if model in made:
        return made[model]
    made[model] = model.__name__  # a forward reference while it is being built (tree nodes hold themselves)
    fields = {}
    for name, info in model.model_fields.items():
        annotation = _swap(info.annotation, made)
        if info.metadata:
            annotation = Annotated[(annotation, *info.metadata)]
        fields[name] = (annotation, PField(default=None, title=info.title, description=info.description))
    reference = create_model(model.__name__, __config__=model.model_config, __doc__=model.__doc__, **fields)
    made[model] = reference
    reference.model_rebuild(_types_namespace={model.__name__: reference})
    return reference


def _swap(annotation: Any, made: dict[type, Any]) -> Any:
    """``annotation`` with the form's own models replaced by their references."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation.__module__ == compiler.__name__:
        return _reference(annotation, made)
    args = typing.get_args(annotation)
    if not args:
        return annotation
    origin = typing.get_origin(annotation)
    swapped = tuple(_swap(a, made) for a in args)
    if origin is Annotated:
        return Annotated[(swapped[0], *annotation.__metadata__)]
    if origin in (typing.Union, types.UnionType):
        return typing.Union[swapped]  # noqa: UP007 - built from a tuple of arguments
    return origin[swapped]


def _normal(schema: Any) -> Any:
    """A core schema with references resolved, classes by name and functions by identity."""
    definitions: dict[str, Any] = {}

    def collect(x: Any) -> None:
        if isinstance(x, dict):
            if x.get("type") == "definitions":
                definitions.update((d["ref"], d) for d in x["definitions"])
            for v in x.values():
                collect(v)
        elif isinstance(x, list):
            for v in x:
                collect(v)

    def norm(x: Any, inside: frozenset[str]) -> Any:
        if isinstance(x, dict):
            if x.get("type") == "definitions":
                return norm(x["schema"], inside)
            if x.get("type") == "definition-ref":
                ref = x["schema_ref"]
                return ("recursion", ref.split(":")[0].rsplit(".")[-1]) if ref in inside else norm(definitions[ref], inside)
            here = inside | {x["ref"]} if "ref" in x else inside
            return {k: (v.__qualname__ if k == "cls" else norm(v, here)) for k, v in x.items() if k != "ref"}
        if isinstance(x, list):
            return [norm(v, inside) for v in x]
        if isinstance(x, types.MethodType):  # BaseModel.__get_pydantic_json_schema__ of each class
            return ("method", x.__func__, x.__self__.__qualname__)
        if callable(x) and not isinstance(x, type):
            return ("function", id(x))
        return x

    collect(schema)
    return norm(schema, frozenset())


def _forms(demo: Path) -> list[Path]:
    return [demo, *PATHS]


def test_model_schema_is_the_one_pydantic_derives(demo: Path) -> None:
    for path in _forms(demo):
        model = formengine.load(path).model
        reference = _reference(model, {})
        assert _normal(model.__pydantic_core_schema__) == _normal(reference.__pydantic_core_schema__), path
        for mode in ("validation", "serialization"):
            assert model.model_json_schema(mode=mode) == reference.model_json_schema(mode=mode), path


def test_model_is_an_ordinary_pydantic_model(demo: Path) -> None:
    model = formengine.load(demo).model
    assert issubclass(model, BaseModel) and model.__pydantic_complete__
    assert list(model.model_fields) == [m.id for m in formengine.load(demo).spec.members]
    assert typing.get_type_hints(model)["name"] == str | None
    assert model.model_validate({"name": " 张三 "}).name == "张三"
    with pytest.raises(ValidationError) as info:
        model.model_validate({"staff": "many"})
    assert info.value.errors()[0]["loc"] == ("staff",)

    class Tagged(model):  # type: ignore[valid-type,misc]
        tag: str = "x"

    assert set(Tagged.model_fields) == set(model.model_fields) | {"tag"}
    value = Tagged.model_validate({"name": " 张三 ", "lines": [{"code": "A", "price": "1.5"}]})
    assert value.name == "张三" and value.lines[0].price == Decimal("1.50") and value.tag == "x"
    with pytest.raises(ValidationError):
        Tagged.model_validate({"lines": [{"price": "1.005"}]})  # the field type's rules, inherited


# ---------------------------------------------------------------- the fast validator


TRICKY: list[Any] = [
    None, "", " ", "  x ", "x", "x\x0b", "\x0bx", "\x1cx", "\ud800", "\ufffe", "a\tb", "\u3000x", "长" * 300,
    0, 1, -1, 80, 80.5, 0.1, 10**27, 10**28, True, False, "80", "80.5", "80.50", "80.505", " 80.50 ", "1,234.50",
    "¥12.00", "1E+2", "-0.00", "00012.30", "1_000.00", "NaN", "Infinity", "9" * 26 + ".00", "9" * 27 + ".00",
    "2026年1月5日", "2026-1-5", "2026-01-05", "2026/01/05", "2026-02-30", "2026-01-05T10:00", "0000-01-05",
    dt.date(2026, 1, 5), dt.datetime(2026, 1, 5, 10, 0), Decimal("80.5"), Decimal("1E+2"), [], {}, [None], ["x"],
    {"value": "价格"}, {"name": "张三", "date": "2026-01-05"}, {"name": " ", "date": "2026年1月5日"}, {"zz": 1},
    "价格", "服务", "其他", "是", "否", "甲", "10:05", "2026-01",
]


def _slots(spec: Any, data: dict[str, Any]) -> list[tuple[Any, Any]]:
    out: list[tuple[Any, Any]] = []
    for m in spec.members:
        out.append((data, m.id))
        rows = data.get(m.id)
        if isinstance(rows, list) and hasattr(m, "columns"):
            out += [(row, c.id) for row in rows[:3] if isinstance(row, dict) for c in m.columns]
            out += [(rows, i) for i in range(min(len(rows), 2))]
    return out


@st.composite
def _mutants(draw: Any, spec: Any, bases: list[dict[str, Any]]) -> dict[str, Any]:
    data = copy.deepcopy(draw(st.sampled_from(bases)))
    for _ in range(draw(st.integers(1, 4))):
        container, key = draw(st.sampled_from(_slots(spec, data)))
        container[key] = copy.copy(draw(st.sampled_from(TRICKY)))
    return data


def _valid_bases(path: Path) -> list[dict[str, Any]]:
    return [e.data for e in load_examples(path) if e.valid]


DEMO_VALID = {
    "name": "张三", "id_no": "11010519491231002X", "founded": "2020年3月5日", "ok": "是", "reason": "价格",
    "fund": {"value": "补贴", "detail": "300"}, "devices": ["电脑"], "result": "成功", "contract_no": "SZ001",
    "staff": 10, "tech": 3, "sales": 5, "share": "12.50",
    "lines": [{"code": "A", "price": "0.10", "qty": 3}, {"code": "B", "price": "0.20", "qty": 1}],
    "visitors": {"上午": {"1": 2}}, "bom": [{"part": "P-1", "children": [{"part": "P-1-1"}]}],
    "period": {"start": "2026-01-01", "end": "2026-03-31"}, "photo": {"name": "a.png", "width": 951, "height": 600},
}


CASES = ["demo", "sales_contract", "customer_record", "sales_order", "product_bom"]


def _case(name: str, demo: Path) -> tuple[formengine.Form, list[dict[str, Any]]]:
    if name == "demo":
        return formengine.load(demo), [DEMO_VALID]
    path = next(p for p in PATHS if p.stem == name)
    return formengine.load(path), _valid_bases(path)


def _dump(value: BaseModel) -> tuple[Any, ...]:
    return type(value), repr(value.model_dump()), value.model_dump_json(), sorted(value.model_fields_set)


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("name", CASES)
def test_fast_validator_accepts_only_what_the_model_gives_alike(name: str, demo: Path) -> None:
    form, bases = _case(name, demo)
    fast = compiler.fast_validator(form.model)
    assert fast is not None

    @SETTINGS
    @given(data=_mutants(form.spec, bases))
    def check(data: dict[str, Any]) -> None:
        try:
            quick = fast.validate_python(copy.deepcopy(data))
        except ValidationError:
            return  # refused: the model decides, as before
        assert _dump(quick) == _dump(form.model.model_validate(copy.deepcopy(data))), data

    check()


def _issues(form: formengine.Form, data: dict[str, Any]) -> tuple[Any, ...]:
    result = form.validate(copy.deepcopy(data))
    found = [(e.path, e.code, e.message_zh, e.message_en, json.dumps(e.params, default=str)) for e in result.errors]
    return found, result.ok and json.dumps(result.data(), ensure_ascii=False, sort_keys=True)


@pytest.mark.parametrize("name", CASES)
def test_validate_reports_the_same_with_or_without_the_fast_validator(name: str, demo: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    form, bases = _case(name, demo)

    @SETTINGS
    @given(data=_mutants(form.spec, bases))
    def check(data: dict[str, Any]) -> None:
        quick = _issues(form, data)
        with monkeypatch.context() as m:
            m.setattr(validation, "fast_validator", lambda model: None)
            assert _issues(form, data) == quick, data

    check()


def test_usual_values_are_validated_without_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """Text, amounts written with their two places, whole numbers and ISO dates: no Python validator
    runs for them (what makes validation about as fast as a hand-written model)."""
    calls: list[str] = []
    wrap = fieldtypes._after

    def counted(*rules: Any) -> Any:
        inner = wrap(*rules).func

        def run(v: Any, handler: Any) -> Any:
            calls.append(repr(v))
            return inner(v, handler)
        return type(wrap())(run)

    monkeypatch.setattr(fieldtypes, "_after", counted)
    form = formengine.load(CONTRACT)
    lines = [{"name": f"货品{i}", "spec": "规格", "unit_price": f"{10 + i}.50", "qty": i + 1} for i in range(20)]
    result = form.validate({"buyer": "甲方公司", "seller": "乙方公司", "lines": lines, "sign_date": "2026-01-15",
                            "delivery_date": "2026-02-28", "buyer_signatory": {"name": "王建国", "date": "2026-01-15"}})
    assert result.ok, result.format("en")
    assert calls == []
    form.validate({"buyer": "甲方公司", "seller": "乙方公司", "lines": lines, "delivery_date": "2026年2月28日"})
    assert calls == ["'2026年2月28日'"]  # other spellings: the Python rule for that value only


def test_loading_and_validating_leave_the_cycle_collector_as_they_found_it(demo: Path, tmp_path: Path) -> None:
    """Collection is paused while a form or a result is built (formengine/form.py), never left off,
    and never turned on behind a caller's back."""
    import gc

    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nsections: [", encoding="utf-8")
    assert gc.isenabled()
    form = formengine.load(demo)
    assert form.validate({"nonsense": 1}).errors and form.validate("not a mapping").errors
    with pytest.raises(formengine.FormDefinitionError):
        formengine.load(broken)
    assert gc.isenabled()
    gc.disable()
    try:
        formengine.load(demo).validate({})
        assert not gc.isenabled()
    finally:
        gc.enable()
