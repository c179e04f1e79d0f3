"""One registry: field type name → how its values are parsed, checked, typed and printed.

Every per-value rule lives here as a Pydantic validator that raises
``PydanticCustomError("fe", …, {"code": …})``; :mod:`formengine.validation` turns those into
issues with our stable codes. Rules that look at more than one value (required, visibility,
computed values, tables, checks) belong to :mod:`formengine.semantics`.

Each type also gives a *native* pydantic-core schema (:class:`Shape` ``fast``) for the usual
way its values are written — text without control characters, amounts as ``"12.50"``, ISO
dates — that gives exactly what the Python rules give without calling Python. It only has to
be right when it accepts: anything it refuses goes to the Python rules (see
:mod:`formengine.compiler`), which decide and explain.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, WrapValidator
from pydantic_core import CoreSchema, PydanticCustomError
from pydantic_core import core_schema as cs

from . import cn
from .expr.types import ANY, BOOL, DATE, NUMBER, TEXT, Type, list_of, record
from .spec import Bounds, ChoiceList, Field

_FE = "fe"


def fail(code: str, **params: Any) -> PydanticCustomError:
    return PydanticCustomError(_FE, code, {"code": code, **params})


# ---------------------------------------------------------------- value shapes

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class DateRange(_Strict):
    start: _Date = None
    end: _Date = None


class YearMonthRange(_Strict):
    start: str | None = None
    end: str | None = None


class Signature(_Strict):
    name: _Str = None
    date: _Date = None


class ImageInfo(_Strict):
    name: _Str = None
    width: _Int = None
    height: _Int = None
    bytes: _Int = None
    format: _Str = None


class FileInfo(_Strict):
    name: _Str = None
    bytes: _Int = None
    format: _Str = None


class ChoiceDetail(_Strict):
    value: str
    detail: Decimal | int | str | None = None  # parsed and checked by the option's blank (parse_detail)


# ---------------------------------------------------------------- parsers

def parse_date(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date) or v is None:
        return v
    if isinstance(v, str):
        try:
            return cn.parse_date(v)
        except ValueError as exc:
            raise fail("date", detail=str(exc)) from None
    raise fail("date", detail=f"{type(v).__name__}")


def parse_year_month(v: Any) -> Any:
    if v is None:
        return v
    if isinstance(v, (dt.date, dt.datetime)):
        return f"{v.year:04d}-{v.month:02d}"
    if isinstance(v, str):
        try:
            return cn.parse_year_month(v)
        except ValueError as exc:
            raise fail("year_month", detail=str(exc)) from None
    raise fail("year_month", detail=type(v).__name__)


_Date = Annotated[dt.date | None, BeforeValidator(parse_date)]

_TIME = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)(?::[0-5]\d)?$")


def parse_time(v: Any) -> Any:
    if v is None:
        return v
    if isinstance(v, dt.time):
        return f"{v.hour:02d}:{v.minute:02d}"
    m = _TIME.match(str(v).strip()) if isinstance(v, str) else None
    if not m:
        raise fail("time")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def parse_bool(v: Any) -> Any:
    if isinstance(v, str):
        s = v.strip().lower()
        if s in ("是", "true", "yes", "y", "1", "有", "√"):
            return True
        if s in ("否", "false", "no", "n", "0", "无", "×"):
            return False
    return v


def parse_decimal(v: Any) -> Any:
    if v is None or isinstance(v, Decimal):
        return v
    if isinstance(v, bool):
        raise fail("type", expected_zh="数字", expected_en="a number")
    if isinstance(v, (int, float)):
        return Decimal(str(v))
    if isinstance(v, str):
        text = v.strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise fail("type", expected_zh="数字", expected_en="a number") from None
        if not d.is_finite():
            raise fail("type", expected_zh="数字", expected_en="a number")
        return d
    raise fail("type", expected_zh="数字", expected_en="a number")


MAX_DIGITS = 28  # Decimal's precision: a number with more digits cannot be computed with exactly


def _too_many_digits() -> PydanticCustomError:
    return fail("type", expected_zh=f"不超过 {MAX_DIGITS} 位的数字", expected_en=f"a number of at most {MAX_DIGITS} digits")


def check_int(v: Any) -> Any:
    """A whole number of at most MAX_DIGITS digits (10**5000 would not even print)."""
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 10**MAX_DIGITS:
        raise _too_many_digits()
    return v


_Int = Annotated[int | None, AfterValidator(check_int)]


def parse_text(v: Any) -> Any:
    if isinstance(v, (int, Decimal)) and not isinstance(v, bool):
        if isinstance(v, int) and abs(v) >= 10**MAX_DIGITS:
            raise fail("type", expected_zh="文字", expected_en="text")
        return str(v)  # a phone or code typed as a number in YAML/JSON
    return no_control_chars(v)  # before whitespace is trimmed: "x\x0b" is refused, not cut to "x"


# XML 1.0 forbids these (a Word document cannot hold them) and nobody types them on purpose.
# Tab, line feed and carriage return are ordinary text.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def no_control_chars(v: Any) -> Any:
    """Refuse a text holding control characters, naming them (never stripped silently)."""
    if isinstance(v, str):
        found = sorted(set(CONTROL_CHARS.findall(v)))
        if found:
            raise fail("control_chars", chars=", ".join(f"U+{ord(c):04X}" for c in found[:5]))
    return v


_Str = Annotated[str | None, AfterValidator(no_control_chars)]
DateRange.model_rebuild()
Signature.model_rebuild()
ImageInfo.model_rebuild()
FileInfo.model_rebuild()
ChoiceDetail.model_rebuild()


# ---------------------------------------------------------------- checks built per field

def _bounds(field: Field, measure: Callable[[Any], Any] = lambda v: v) -> Callable[[Any], Any]:
    low, high = field.min, field.max

    def check(v: Any) -> Any:
        if v is None:
            return v
        m = measure(v)
        if low is not None and m < low:
            raise fail("min", limit=_show(low))
        if high is not None and m > high:
            raise fail("max", limit=_show(high))
        return v
    return check


def _show(v: Any) -> str:
    return v.isoformat() if isinstance(v, dt.date) else str(v)


def _places(places: int) -> Callable[[Any], Any]:
    """More places than allowed is an error (never rounded away); trailing zeros are fine."""
    step = Decimal(1).scaleb(-places)

    def check(v: Any) -> Any:
        if v is None:
            return v
        try:  # always quantize: 1E+999999999 has no fraction but would print a billion digits
            exact = v.quantize(step)
        except InvalidOperation:  # more digits than Decimal's 28 of precision
            raise _too_many_digits() from None
        if exact != v:
            raise fail("places", places=places)
        return exact  # "80" and "80.0" are stored as 80.00, like computed values
    return check


def _text_rules(field: Field) -> Callable[[Any], Any]:
    regex = re.compile(field.pattern) if field.pattern else None
    message = field.pattern_message

    def check(v: Any) -> Any:
        if v is None:
            return v
        no_control_chars(v)
        if field.min_length is not None and len(v) < field.min_length:
            raise fail("min_length", limit=field.min_length)
        if field.max_length is not None and len(v) > field.max_length:
            raise fail("max_length", limit=field.max_length)
        if regex is not None and not regex.fullmatch(v):
            if message:
                raise fail("check", message_zh=message.zh, message_en=message.en or message.zh, pattern=True)
            raise fail("pattern")
        return v
    return check


def _format_rule(code: str, ok: Callable[[str], bool], normalise: Callable[[str], str] = str.strip) -> Callable[[Any], Any]:
    def check(v: Any) -> Any:
        if v is None:
            return v
        v = normalise(v)
        if not ok(v):
            raise fail(code)
        return v
    return check


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^(https?://)?([\w-]+\.)+[\w-]+(:\d+)?(/\S*)?$", re.IGNORECASE)


def _range_order(v: Any) -> Any:
    if v is not None and v.start is not None and v.end is not None and v.start > v.end:
        raise fail("range_order")
    return v


def _in_bounds(value: Any, bounds: Bounds | None) -> bool:
    if bounds is None or value is None:
        return True
    return (bounds.min is None or value >= bounds.min) and (bounds.max is None or value <= bounds.max)


def _bounds_text(b: Bounds) -> str:
    if b.min == b.max:
        return str(b.min)
    return f"{b.min if b.min is not None else ''}–{b.max if b.max is not None else ''}"


def _file_rules(field: Field) -> Callable[[Any], Any]:
    def check(v: Any) -> Any:
        if v is None:
            return v
        for axis, bounds in (("width", field.width), ("height", field.height)):
            actual = getattr(v, axis, None)  # unknown size where the form sets one: not shown to fit
            if bounds is not None and (actual is None or not _in_bounds(actual, bounds)):
                raise fail(f"image_{axis}", expected=_bounds_text(bounds), actual=actual if actual is not None else "?")
        if field.max_bytes is not None and v.bytes is not None and v.bytes > field.max_bytes:
            raise fail("file_size", limit=field.max_bytes)
        if field.formats and v.format is not None and v.format.lower() not in field.formats:
            raise fail("file_format", allowed="/".join(field.formats))
        return v
    return check


def parse_detail(option_blank: str, detail: Any) -> Any:
    if option_blank in ("money", "decimal"):
        d = parse_decimal(detail)
        if option_blank == "money" and d is not None:
            _places(2)(d)
        return d
    if option_blank == "integer":
        if isinstance(detail, int) and not isinstance(detail, bool):
            return check_int(detail)
        if isinstance(detail, str) and detail.strip().lstrip("-").isdigit() and len(detail.strip()) <= MAX_DIGITS:
            return int(detail)
        raise fail("type", expected_zh="整数", expected_en="an integer")
    return no_control_chars(parse_text(detail))


def _one_choice(choices: ChoiceList) -> Callable[[Any], Any]:
    allowed = "、".join(choices.values)

    def check(v: Any) -> Any:
        if v is None:
            return v
        value = v.value if isinstance(v, ChoiceDetail) else v
        option = choices.get(value)
        if option is None:
            raise fail("choice", value=value, allowed=allowed)
        detail = v.detail if isinstance(v, ChoiceDetail) else None
        if option.blank is None:
            if detail not in (None, ""):
                raise fail("choice_detail_unexpected", value=value)
            return value
        if detail in (None, ""):
            raise fail("choice_detail_required", value=value)
        return ChoiceDetail(value=value, detail=parse_detail(option.blank, detail))
    return check


def _many_choices(field: Field) -> Callable[[Any], Any]:
    assert field.choices is not None
    one = _one_choice(field.choices)

    def check(v: Any) -> Any:
        if v is None:
            return v
        out, seen = [], set()
        for item in v:
            item = one(item)
            key = item.value if isinstance(item, ChoiceDetail) else item
            if key in seen:
                raise fail("choice_duplicate", value=key)
            seen.add(key)
            out.append(item)
        if field.min is not None and len(out) < field.min:
            raise fail("min_items", limit=field.min)
        if field.max is not None and len(out) > field.max:
            raise fail("max_items", limit=field.max)
        return out
    return check


def _after(*rules: Callable[[Any], Any]) -> WrapValidator:
    """Run Pydantic's own parsing, then our rules, on non-empty values."""
    def run(v: Any, handler: Any) -> Any:
        if v is None or v == "":
            return None
        v = handler(v)
        for rule in rules:
            v = rule(v)
        return v
    return WrapValidator(run)


# ---------------------------------------------------------------- shapes: what Pydantic validates

ModelRef = Callable[[type[BaseModel]], CoreSchema]  # a shared model's schema, as a reference to it


@dataclass(frozen=True)
class Base:
    """The plain type under a field's validators and its pydantic-core schema, as Pydantic
    generates it (``ref`` gives shared models such as :class:`Signature` by reference);
    ``filled``: a native schema accepting exactly the validated values that are not empty."""

    annotation: Any
    core: Callable[[ModelRef], CoreSchema]
    filled: CoreSchema | None = None


@dataclass(frozen=True)
class Shape:
    """How one value is validated: ``Annotated[base, *validators]`` (innermost first), and a
    native schema that accepts part of the same values with the same results (or none): a
    ``nullable`` one whose other values, where the base has ``filled``, are never empty (what
    the fast validator relies on for required fields)."""

    base: Base
    validators: tuple[Any, ...] = ()
    fast: CoreSchema | None = None

    @property
    def annotation(self) -> Any:
        return Annotated[(self.base.annotation, *self.validators)] if self.validators else self.base.annotation


def _plain(annotation: Any, kind: str, filled: CoreSchema | None = None) -> Base:
    return Base(annotation, lambda ref: {"type": "nullable", "schema": {"type": kind}}, filled)


def _shared(annotation: Any, model: type[BaseModel]) -> Base:
    return Base(annotation, lambda ref: {"type": "nullable", "schema": ref(model)})


def _options(ref: ModelRef) -> CoreSchema:
    return {"type": "union", "choices": [{"type": "str"}, ref(ChoiceDetail)]}


_SOME_TEXT = cs.str_schema(strict=True, min_length=1, strip_whitespace=False)
TEXT_BASE = _plain(str | None, "str", _SOME_TEXT)
INT_BASE = _plain(int | None, "int", cs.int_schema(strict=True))
DECIMAL_BASE = _plain(Decimal | None, "decimal", cs.decimal_schema(strict=True))
DATE_BASE = _plain(dt.date | None, "date", cs.date_schema(strict=True))
DATETIME_BASE = Base(dt.datetime | None, lambda ref: cs.nullable_schema(cs.datetime_schema()))
BOOL_BASE = _plain(bool | None, "bool", cs.bool_schema(strict=True))
CHOICE_BASE = Base(str | ChoiceDetail | None, lambda ref: {"type": "nullable", "schema": _options(ref)},
                   _SOME_TEXT)  # not with a detail
CHOICES_BASE = Base(list[str | ChoiceDetail] | None,
                    lambda ref: {"type": "nullable", "schema": {"type": "list", "items_schema": _options(ref)}})


# ---------------------------------------------------------------- native schemas (the fast path)

# CONTROL_CHARS as a pydantic-core (Rust) class; pydantic-core itself refuses text with lone surrogates.
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\uFFFE\uFFFF"
_NOT_CONTROL = f"[^{_CONTROL}]"
# Text without control characters that trimming leaves as it is (\s: what pydantic-core trims).
_TRIMMED = rf"[^\s{_CONTROL}](?:[^{_CONTROL}]*[^\s{_CONTROL}])?"
_ISO_DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_LIMIT = 10**MAX_DIGITS


# Several fields of a form share one of these (pydantic-core reads a schema, it never changes it).
_RAW: dict[str, CoreSchema] = {}


def _raw(pattern: str) -> CoreSchema:
    """Text exactly as submitted (not trimmed), matching ``pattern`` as a whole."""
    schema = _RAW.get(pattern)
    if schema is None:
        schema = _RAW[pattern] = cs.str_schema(strict=True, pattern=f"^(?:{pattern})$", strip_whitespace=False)
    return schema


def _nullable(schema: CoreSchema) -> CoreSchema:
    return {"type": "nullable", "schema": schema}


def _limits(low: Any, high: Any) -> dict[str, Any]:
    return {k: v for k, v in (("ge", low), ("le", high)) if v is not None}


def _chain(*steps: CoreSchema) -> CoreSchema:
    return {"type": "chain", "steps": list(steps)}


_FAST_TEXT = _nullable(_raw(_TRIMMED))


def _fast_text(f: Field) -> CoreSchema | None:
    """Text without control characters nor spaces around it (what the Python rule keeps as it is)."""
    if f.pattern:  # a Python regular expression: pydantic-core's dialect differs, the Python rule decides
        return None
    if f.min_length is None and f.max_length is None:
        return _FAST_TEXT
    lengths = {k: v for k, v in (("min_length", f.min_length), ("max_length", f.max_length)) if v is not None}
    return _nullable({**_raw(_TRIMMED), **lengths})


def _fast_int(f: Field) -> CoreSchema:
    return _nullable({"type": "int", "strict": True, "gt": -_LIMIT, "lt": _LIMIT, **_limits(f.min, f.max)})


def _fast_decimal(f: Field, places: int) -> CoreSchema | None:
    """A number written as text with exactly ``places`` places: Decimal("12.50") is what the
    Python rule stores too (other spellings, and numbers, are brought to that form by it)."""
    if not 0 <= places < MAX_DIGITS:
        return None
    whole = f"-?[0-9]{{1,{MAX_DIGITS - places}}}"
    written = f"{whole}\\.[0-9]{{{places}}}" if places else whole
    low, high = (None if b is None else Decimal(b) for b in (f.min, f.max))
    return _nullable(_chain(_raw(written), {"type": "decimal", **_limits(low, high)}))


def _fast_date(f: Field) -> CoreSchema:
    """An ISO date as text, or a date (不是 2026年1月15日: the Python rule parses those)."""
    limits = _limits(f.min, f.max)
    return _nullable({"type": "union", "mode": "left_to_right", "choices": [
        _chain(_raw(_ISO_DATE), {"type": "date", **limits}), {"type": "date", "strict": True, **limits}]})


def _fast_choice(f: Field) -> CoreSchema | None:
    """One of the options that take no detail, exactly as written in the definition."""
    assert f.choices is not None
    plain = [o.value for o in f.choices.options
             if o.blank is None and o.value and o.value == o.value.strip() and not CONTROL_CHARS.search(o.value)]
    return _nullable({"type": "literal", "expected": plain}) if plain else None


def _fast_signature() -> CoreSchema:
    """Signature, its fields native where they can be (its model does not trim text)."""
    raw_name = cs.str_schema(strict=True, pattern=f"^{_NOT_CONTROL}*$", strip_whitespace=False)
    date = cs.union_schema([cs.chain_schema([_raw(_ISO_DATE), cs.date_schema()]), cs.date_schema(strict=True),
                            cs.no_info_before_validator_function(parse_date, cs.nullable_schema(cs.date_schema()))],
                           mode="left_to_right")
    fields = {"name": cs.model_field(cs.with_default_schema(cs.nullable_schema(raw_name), default=None)),
              "date": cs.model_field(cs.with_default_schema(cs.nullable_schema(date), default=None))}
    return cs.nullable_schema(cs.model_schema(
        Signature, cs.model_fields_schema(fields, model_name="Signature", extra_behavior="forbid"),
        config=Signature.__pydantic_core_schema__["config"]))


# ---------------------------------------------------------------- the registry

@dataclass(frozen=True)
class FieldType:
    name: str
    zh: str  # what a value is, for messages ("应为日期")
    en: str
    shape: Callable[[Field], Shape]
    expr_type: Callable[[Field], Type]
    options: frozenset[str] = frozenset()
    bound: Callable[[Any], Any] | None = None  # parses min/max written in the definition
    to_expr: Callable[[Any], Any] | None = None  # value as expressions see it


COMMON = frozenset({"id", "label", "type", "hint", "unit", "required", "required_if", "visible_if",
                    "compute", "default", "default_expr", "unique", "print"})
TEXTUAL = frozenset({"min_length", "max_length", "pattern", "pattern_message"})
BOUNDED = frozenset({"min", "max"})


def _text_shape(f: Field) -> Shape:
    return Shape(TEXT_BASE, (BeforeValidator(parse_text), _after(_text_rules(f))), _fast_text(f))


def _formatted(code: str, ok: Callable[[str], bool], norm: Callable[[str], str] = str.strip) -> Callable[[Field], Shape]:
    def shape(f: Field) -> Shape:
        return Shape(TEXT_BASE, (BeforeValidator(parse_text), _after(_format_rule(code, ok, norm), _text_rules(f))))
    return shape


def _int_shape(f: Field) -> Shape:
    return Shape(INT_BASE, (_after(check_int, _bounds(f)),), _fast_int(f))


def _decimal_shape(places: Callable[[Field], int]) -> Callable[[Field], Shape]:
    def shape(f: Field) -> Shape:
        n = places(f)
        return Shape(DECIMAL_BASE, (BeforeValidator(parse_decimal), _after(_places(n), _bounds(f))), _fast_decimal(f, n))
    return shape


def _date_shape(f: Field) -> Shape:
    return Shape(DATE_BASE, (BeforeValidator(parse_date), _after(_bounds(f))), _fast_date(f))


def _choice_shape(f: Field) -> Shape:
    assert f.choices is not None
    return Shape(CHOICE_BASE, (BeforeValidator(parse_text), _after(_one_choice(f.choices))), _fast_choice(f))


def _multi_shape(f: Field) -> Shape:
    return Shape(CHOICES_BASE, (_after(_many_choices(f)),))


def _signature_shape(f: Field) -> Shape:
    return Shape(_shared(Signature | None, Signature), (_after(),), _FAST_SIGNATURE)


def _choice_value(v: Any) -> Any:
    return v.value if isinstance(v, ChoiceDetail) else v


def _digits_only(s: str) -> str:
    return re.sub(r"[\s-]", "", s)


def _mobile_digits(s: str) -> str:
    digits = _digits_only(s.strip())
    return re.sub(r"^(\+?86)(?=1\d{10}$)", "", digits)


def _num_bound(v: Any) -> Any:
    if isinstance(v, bool) or not isinstance(v, (int, Decimal)):
        raise ValueError("a number / 数字")
    return v


def _int_bound(v: Any) -> Any:
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError("a whole number / 整数")
    return v


def _date_bound(v: Any) -> Any:
    return cn.parse_date(str(v))


def _ym_bound(v: Any) -> Any:
    return cn.parse_year_month(str(v))


def _time_bound(v: Any) -> Any:
    try:
        return parse_time(str(v))
    except PydanticCustomError:
        raise ValueError("HH:MM") from None


NUM_T = NUMBER
_FAST_BOOL = cs.nullable_schema(cs.bool_schema(strict=True))
_FAST_SIGNATURE = _fast_signature()
TYPES: dict[str, FieldType] = {t.name: t for t in (
    FieldType("text", "文字", "text", _text_shape, lambda f: TEXT, TEXTUAL),
    FieldType("textarea", "文字", "text", _text_shape, lambda f: TEXT, TEXTUAL | {"lines"}),
    FieldType("integer", "整数", "a whole number", _int_shape, lambda f: NUM_T, BOUNDED, _int_bound),
    FieldType("decimal", "数字", "a number", _decimal_shape(lambda f: f.places), lambda f: NUM_T, BOUNDED | {"places"}, _num_bound),
    FieldType("money", "金额", "an amount", _decimal_shape(lambda f: 2), lambda f: NUM_T, BOUNDED, _num_bound),
    FieldType("percent", "百分数", "a percentage", _decimal_shape(lambda f: f.places), lambda f: NUM_T, BOUNDED | {"places"}, _num_bound),
    FieldType("date", "日期", "a date", _date_shape, lambda f: DATE, BOUNDED, _date_bound),
    FieldType("year_month", "年月", "a year-month",
              lambda f: Shape(TEXT_BASE, (BeforeValidator(parse_year_month), _after(_bounds(f)))),
              lambda f: TEXT, BOUNDED, _ym_bound),
    FieldType("date_range", "起止日期", "a date range",
              lambda f: Shape(_shared(DateRange | None, DateRange), (_after(_range_order),)),
              lambda f: record(start=DATE, end=DATE)),
    FieldType("year_month_range", "起止年月", "a year-month range",
              lambda f: Shape(_shared(YearMonthRange | None, YearMonthRange), (_after(_ym_range),)),
              lambda f: record(start=TEXT, end=TEXT)),
    FieldType("time", "时间", "a time", lambda f: Shape(TEXT_BASE, (BeforeValidator(parse_time), _after(_bounds(f)))),
              lambda f: TEXT, BOUNDED, _time_bound),
    FieldType("datetime", "日期时间", "a date-time", lambda f: Shape(DATETIME_BASE, (_after(),)),
              lambda f: DATE),
    FieldType("boolean", "是或否", "yes or no", lambda f: Shape(BOOL_BASE, (BeforeValidator(parse_bool), _after()), _FAST_BOOL),
              lambda f: BOOL),
    FieldType("choice", "选项", "an option", _choice_shape, lambda f: TEXT, frozenset({"choices", "other"}),
              to_expr=_choice_value),
    FieldType("multi_choice", "选项列表", "a list of options", _multi_shape, lambda f: list_of(TEXT),
              frozenset({"choices", "other", "min", "max"}), _int_bound,
              to_expr=lambda v: None if v is None else [_choice_value(x) for x in v]),
    FieldType("rating", "评分", "a rating", _int_shape, lambda f: NUM_T, BOUNDED, _int_bound),
    FieldType("phone", "电话号码", "a phone number", _formatted("phone", cn.is_valid_phone), lambda f: TEXT, TEXTUAL),
    FieldType("mobile", "手机号码", "a mobile number", _formatted("mobile", cn.is_valid_mobile, _mobile_digits),
              lambda f: TEXT),
    FieldType("email", "电子邮箱", "an e-mail address", _formatted("email", lambda s: bool(_EMAIL.match(s))), lambda f: TEXT),
    FieldType("url", "网址", "a web address", _formatted("url", lambda s: bool(_URL.match(s))), lambda f: TEXT),
    FieldType("postcode", "邮政编码", "a postcode", _formatted("postcode", cn.is_valid_postcode), lambda f: TEXT),
    FieldType("id_card", "身份证号码", "a resident ID number",
              _formatted("id_card", cn.is_valid_id_card, lambda s: s.strip().upper()), lambda f: TEXT),
    FieldType("uscc", "统一社会信用代码", "a unified social credit code",
              _formatted("uscc", cn.is_valid_uscc, lambda s: s.strip().upper()), lambda f: TEXT),
    FieldType("bank_account", "银行账号", "a bank account number",
              _formatted("bank_account", cn.is_valid_bank_account, _digits_only), lambda f: TEXT),
    FieldType("plate_number", "车牌号", "a licence plate number",
              _formatted("plate_number", cn.is_valid_plate_number, lambda s: s.strip().upper()), lambda f: TEXT),
    FieldType("signature", "签字", "a signature", _signature_shape,
              lambda f: record(name=TEXT, date=DATE)),
    FieldType("image", "图片", "an image", lambda f: Shape(_shared(ImageInfo | None, ImageInfo), (_after(_file_rules(f)),)),
              lambda f: record(name=TEXT, width=NUMBER, height=NUMBER, bytes=NUMBER, format=TEXT),
              frozenset({"width", "height", "max_bytes", "formats"})),
    FieldType("attachment", "附件", "a file", lambda f: Shape(_shared(FileInfo | None, FileInfo), (_after(_file_rules(f)),)),
              lambda f: record(name=TEXT, bytes=NUMBER, format=TEXT), frozenset({"max_bytes", "formats"})),
)}


def _ym_range(v: Any) -> Any:
    if v is None:
        return v
    v.start = parse_year_month(v.start)
    v.end = parse_year_month(v.end)
    return _range_order(v)


STRUCTURED = {"date_range", "year_month_range", "signature", "image", "attachment"}
NUMERIC = {"integer", "decimal", "money", "percent", "rating"}
GRID_CELL_TYPES = {"integer", "decimal", "money", "percent", "text", "boolean", "choice"}


def shape(field: Field) -> Shape:
    return TYPES[field.type].shape(field)


def required_natively(field: Field, of: Shape | None = None) -> bool:
    """Required unconditionally, filled in by nobody else (no default, not computed), of a type
    whose emptiness a native schema sees: the fast validator refuses it empty (or absent), so
    after the fast validator the semantic pass need not check it again. ``of``: its shape."""
    return (field.required and not field.visible_if and field.required_if is None and field.compute is None
            and field.default is None and field.default_expr is None
            and (of or shape(field)).base.filled is not None)


def annotation(field: Field) -> Any:
    """``Annotated[base, *validators]``: the field's type as Pydantic would be given it."""
    return shape(field).annotation


def expr_type(field: Field) -> Type:
    return TYPES[field.type].expr_type(field)


def to_expr(field: Field, value: Any) -> Any:
    """The value as expressions see it (a choice's value without its detail …)."""
    convert = TYPES[field.type].to_expr
    return convert(value) if convert else value


def describe(field: Field) -> tuple[str, str | None]:
    """Title and description of a field in the JSON Schema, from its labels."""
    desc = " / ".join(x for x in (field.label.en, field.hint.zh if field.hint else None) if x)
    return field.label.zh, desc or None


__all__ = ["ANY", "TYPES", "FieldType", "Shape", "annotation", "expr_type", "fail", "required_natively", "shape",
           "to_expr"]
