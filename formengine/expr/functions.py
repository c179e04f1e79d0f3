"""The functions expressions may call: one registry, one signature each.

Every entry has a Python implementation here and a twin of the same name in
``runtime.js``; the conformance table (tests/expr_conformance.yaml) runs both. Functions
treat ``None`` (an empty field) as "unknown": they skip it in aggregates and return ``None``
when an essential argument is empty, so a half-filled form never crashes a rule.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .limits import MAX_TEXT, EvaluationError
from .types import ANY, BOOL, DATE, NUMBER, TEXT, Context, Type, list_of


@dataclass(frozen=True)
class Function:
    name: str
    impl: Callable[..., Any]
    params: tuple[Type, ...]
    returns: Type
    doc_zh: str
    doc_en: str
    example: str
    optional: int = 0  # how many trailing params may be left out
    variadic: bool = False  # the last param repeats
    context: Context | None = None  # needs the row/tree context (passed first)

    @property
    def signature(self) -> str:
        names = [str(p) for p in self.params]
        if self.variadic:
            names[-1] += ", …"
        for i in range(len(names) - self.optional, len(names)):
            names[i] = f"[{names[i]}]"
        return f"{self.name}({', '.join(names)}) → {self.returns}"

    def accepts(self, count: int) -> bool:
        low = len(self.params) - self.optional
        return count >= low and (self.variadic or count <= len(self.params))


def _present(values: Any) -> list[Any]:
    if values is None:
        return []
    if isinstance(values, (list, tuple)):  # empty text is absent; only text is compared with ""
        return [v for v in values if v is not None and (not isinstance(v, str) or v != "")]
    return [values]


def _flatten(args: tuple[Any, ...]) -> list[Any]:
    out: list[Any] = []
    for arg in args:
        out.extend(_present(arg))
    return out


def _sum(*args: Any) -> Any:
    total: Any = 0
    for v in _flatten(args):
        total = total + v
    return total


def _min(*args: Any) -> Any:
    values = _flatten(args)
    return min(values) if values else None


def _max(*args: Any) -> Any:
    values = _flatten(args)
    return max(values) if values else None


def _round(x: Any, places: Any = 0) -> Any:
    if x is None:
        return None
    exp = Decimal(1).scaleb(-int(places or 0))
    return Decimal(x).quantize(exp, rounding=ROUND_HALF_UP)


def _abs(x: Any) -> Any:
    return None if x is None else abs(x)


def _len(x: Any) -> Any:
    return None if x is None else len(x)


def _count(x: Any) -> int:
    return len(_present(x))


def _weekday(d: dt.date | None) -> int | None:
    return None if d is None else d.isoweekday()


def _weekday_zh(d: dt.date | None) -> str | None:
    return None if d is None else "星期" + "一二三四五六日"[d.weekday()]


def _days_between(a: dt.date | None, b: dt.date | None) -> int | None:
    return None if a is None or b is None else (_as_date(b) - _as_date(a)).days


def _as_date(d: dt.date) -> dt.date:
    return d.date() if isinstance(d, dt.datetime) else d


def _add_days(d: dt.date | None, n: Any) -> dt.date | None:
    return None if d is None or n is None else _as_date(d) + dt.timedelta(days=int(n))


def _add_months(d: dt.date | None, n: Any) -> dt.date | None:
    if d is None or n is None:
        return None
    d = _as_date(d)
    index = d.year * 12 + d.month - 1 + int(n)
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(d.day, last))


def _part(name: str) -> Callable[[Any], Any]:
    def get(d: Any) -> Any:
        if d is None:
            return None
        if isinstance(d, str):  # year_month "2026-01"
            year, month = d.split("-")
            return int(year) if name == "year" else int(month)
        return getattr(d, name)
    return get


def _rmb_upper(x: Any) -> str | None:
    from ..cn import rmb_upper

    return None if x is None else rmb_upper(x)


def _pinyin_initials(s: Any) -> str | None:
    from ..cn import pinyin_initials

    return None if s is None else pinyin_initials(str(s))


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _capped(text: str) -> str:
    """Text a function builds obeys the limit of ``+`` and ``*`` on text (MAX_TEXT characters)."""
    if len(text) > MAX_TEXT:
        raise EvaluationError("text too long")
    return text


def _concat(*args: Any) -> str:
    """The values as text, joined; refused as soon as the parts pass MAX_TEXT characters, before
    they are joined (190 arguments of 10,000 characters each never make a 1,900,000-character text)."""
    size, parts = 0, []
    for a in args:
        part = _text(a)
        size += len(part)
        if size > MAX_TEXT:
            raise EvaluationError("text too long")
        parts.append(part)
    return "".join(parts)


_DATE_TOKEN = re.compile(r"YYYY|YY|MM|DD")


def _format(value: Any, pattern: Any) -> str | None:
    """Dates with YYYY YY MM DD; numbers with a pattern of zeros (``000`` pads, ``0.00`` rounds)."""
    if value is None or pattern is None:
        return None
    pattern = str(pattern)
    if isinstance(value, dt.date):
        parts = {"YYYY": f"{value.year:04d}", "YY": f"{value.year % 100:02d}",
                 "MM": f"{value.month:02d}", "DD": f"{value.day:02d}"}
        return _capped(_DATE_TOKEN.sub(lambda m: parts[m.group(0)], pattern))
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool) and re.fullmatch(r"0+(\.0+)?", pattern):
        whole, _, frac = pattern.partition(".")
        rounded = _round(value, len(frac))
        sign = "-" if rounded < 0 else ""
        digits = format(abs(rounded), "f")
        head, _, tail = digits.partition(".")
        return _capped(sign + head.zfill(len(whole)) + ("." + tail if frac else ""))
    return _capped(_text(value))  # a huge number written out in full (1E+999999) is text too


def _empty(v: Any) -> bool:
    return v is None or v == "" or v == [] or v == {}


def _coalesce(*args: Any) -> Any:
    for a in args:
        if not _empty(a):
            return a
    return None


def _upper(s: Any) -> Any:
    return None if s is None else _capped(str(s).upper())  # 'ß' → 'SS': upper-casing can lengthen text


def _left(s: Any, n: Any) -> Any:
    return None if s is None or n is None else str(s)[: int(n)]


def _cells(grid: Any) -> list[Any]:
    return [v for key in (grid or {}) for v in _grid_row(grid, key).values()]


def _grid_row(grid: Any, row: Any) -> dict[str, Any]:
    """A grid row as {column: value}; a question-matrix row (one chosen column) as {column: True}."""
    value = (grid or {}).get(str(row))
    if isinstance(value, str):
        return {value: True}
    return value if isinstance(value, dict) else {}


def _row_total(grid: Any, row: Any) -> Any:
    return _sum(list(_grid_row(grid, row).values()))


def _column_total(grid: Any, column: Any) -> Any:
    return _sum([_grid_row(grid, key).get(str(column)) for key in (grid or {})])


def _grid_total(grid: Any) -> Any:
    return _sum(_cells(grid))


def _cell(grid: Any, row: Any, column: Any) -> Any:
    return _grid_row(grid, row).get(str(column))


def _pairs(a: Any, b: Any) -> list[tuple[Any, Any]]:
    return [(x, y) for x, y in zip(a or (), b or ()) if x is not None and y is not None and x != "" and y != ""]


def _sumproduct(a: Any, b: Any) -> Any:
    return _sum([x * y for x, y in _pairs(a, b)])


def _sum_if(values: Any, keys: Any, key: Any) -> Any:
    return _sum([v for v, k in _pairs(values, keys) if k == key])


def _ordered(descending: bool) -> Callable[[Any], Any]:
    def check(values: Any) -> bool:
        items = _present(values)
        pairs = zip(items, items[1:])
        return all(b <= a for a, b in pairs) if descending else all(a <= b for a, b in pairs)
    return check


def _year_month_parts(d: Any) -> tuple[int, int]:
    if isinstance(d, str):
        year, month = d.split("-")
        return int(year), int(month)
    return d.year, d.month


def _days_in_month(d: Any) -> int | None:
    if d is None:
        return None
    year, month = _year_month_parts(d)
    return calendar.monthrange(year, month)[1]


def _date_of(year_month: Any, day: Any) -> dt.date | None:
    """The date of a day in a month; null when the month has no such day (2月30日)."""
    if year_month is None or day is None:
        return None
    year, month = _year_month_parts(year_month)
    day = int(day)
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return dt.date(year, month, day)


def _today() -> dt.date:
    return dt.date.today()


def _row_number(ctx: Any) -> int:
    return int(ctx["index"]) + 1


def _level(ctx: Any) -> int:
    return len(ctx["outline"])


def _outline(ctx: Any) -> str:
    return ".".join(str(i + 1) for i in ctx["outline"])


NUMS = list_of(NUMBER)
GRID_T = Type("grid")


def _f(name: str, impl: Callable[..., Any], params: tuple[Type, ...], returns: Type,
       zh: str, en: str, example: str, **kw: Any) -> Function:
    return Function(name, impl, params, returns, zh, en, example, **kw)


FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    _f("sum", _sum, (ANY,), NUMBER, "求和，空值不计；可传表格列", "Sum; empty values skipped; takes a table column",
       "sum(lines.total)", variadic=True),
    _f("count", _count, (ANY,), NUMBER, "非空值的个数", "Number of non-empty values", "count(lines.name)"),
    _f("min", _min, (ANY,), ANY, "最小值，空值不计", "Smallest value, empty ones skipped", "min(a, b)", variadic=True),
    _f("max", _max, (ANY,), ANY, "最大值，空值不计", "Largest value, empty ones skipped", "max(lines.qty)", variadic=True),
    _f("round", _round, (NUMBER, NUMBER), NUMBER, "四舍五入到指定小数位", "Round half up to the given places",
       "round(a / b * 100, 2)", optional=1),
    _f("abs", _abs, (NUMBER,), NUMBER, "绝对值", "Absolute value", "abs(balance)"),
    _f("len", _len, (ANY,), NUMBER, "文字的字数或列表的项数", "Length of a text or list", "len(remark)"),
    _f("today", _today, (), DATE, "今天的日期", "Today's date", "sign_date <= today()"),
    _f("weekday", _weekday, (DATE,), NUMBER, "星期几（1=星期一 … 7=星期日）", "ISO weekday, 1 = Monday", "weekday(visit_date)"),
    _f("weekday_zh", _weekday_zh, (DATE,), TEXT, "中文星期：星期一 … 星期日", "Weekday in Chinese", "weekday_zh(visit_date)"),
    _f("days_between", _days_between, (DATE, DATE), NUMBER, "两个日期相差的天数（后减前）", "Days from the first date to the second",
       "days_between(received, replied) <= 15"),
    _f("add_days", _add_days, (DATE, NUMBER), DATE, "日期加天数", "Date plus days", "add_days(received, 15)"),
    _f("add_months", _add_months, (DATE, NUMBER), DATE, "日期加月数（月末对齐）", "Date plus months (clamped to month end)",
       "add_months(last_service, interval)"),
    _f("year", _part("year"), (ANY,), NUMBER, "年份", "Year of a date or year-month", "year(sign_date)"),
    _f("month", _part("month"), (ANY,), NUMBER, "月份", "Month of a date or year-month", "month(sign_date)"),
    _f("day", _part("day"), (DATE,), NUMBER, "日", "Day of the month", "day(sign_date)"),
    _f("rmb_upper", _rmb_upper, (NUMBER,), TEXT, "人民币大写金额", "Amount in Chinese capital numerals (大写)",
       "rmb_upper(grand_total)"),
    _f("pinyin_initials", _pinyin_initials, (TEXT,), TEXT, "汉字拼音首字母（大写）", "Upper-case pinyin initials",
       "pinyin_initials(customer)"),
    _f("concat", _concat, (ANY,), TEXT, "把各值连成文字", "Join values into text", "concat('SZ', abbr, format(sign_date, 'YYYYMMDD'))",
       variadic=True),
    _f("format", _format, (ANY, TEXT), TEXT, "按格式输出：日期 YYYY/YY/MM/DD，数字 000 补零、0.00 保留小数",
       "Format a date (YYYY YY MM DD) or a number (000 pads, 0.00 rounds)", "format(seq, '000')"),
    _f("upper", _upper, (TEXT,), TEXT, "转为大写字母", "Upper-case", "upper(abbr)"),
    _f("left", _left, (TEXT, NUMBER), TEXT, "左起若干个字符", "The first n characters", "left(code, 2)"),
    _f("empty", _empty, (ANY,), BOOL, "是否为空", "Whether the value is empty", "empty(reason)"),
    _f("filled", lambda v: not _empty(v), (ANY,), BOOL, "是否已填写", "Whether the value is filled", "filled(reason)"),
    _f("coalesce", _coalesce, (ANY,), ANY, "第一个非空值", "The first non-empty value", "coalesce(actual, planned)",
       variadic=True),
    _f("sumproduct", _sumproduct, (ANY, ANY), NUMBER, "两列逐行相乘后求和（加权合计）", "Sum of pairwise products (a weighted total)",
       "sumproduct(items.score, items.weight)"),
    _f("sum_if", _sum_if, (ANY, ANY, ANY), NUMBER, "按条件求和：第二列等于给定值的行，第一列之和",
       "Sum of the first column over rows whose second column equals the value",
       "sum_if(payments.amount, payments.method, '现金')"),
    _f("ascending", _ordered(False), (ANY,), BOOL, "非空值是否从小到大排列", "Whether the non-empty values rise (or stay equal)",
       "ascending(lines.delivery_date)"),
    _f("descending", _ordered(True), (ANY,), BOOL, "非空值是否从大到小排列（排名表）", "Whether the non-empty values fall (a ranking)",
       "descending(top_sales.amount)"),
    _f("days_in_month", _days_in_month, (ANY,), NUMBER, "该月的天数（日期或年月）", "Days in the month of a date or year-month",
       "days_in_month(stat_month)"),
    _f("date_of", _date_of, (ANY, NUMBER), DATE, "某年月的第几日；该月没有这一天时为空", "The date of a day in a year-month; null when the month has no such day",
       "weekday_zh(date_of(stat_month, 14))"),
    _f("row_total", _row_total, (GRID_T, TEXT), NUMBER, "网格某一行的合计", "Total of one grid row", "row_total(visitors, '08:00-10:00')"),
    _f("column_total", _column_total, (GRID_T, TEXT), NUMBER, "网格某一列的合计", "Total of one grid column", "column_total(visitors, '1')"),
    _f("grid_total", _grid_total, (GRID_T,), NUMBER, "网格所有格的合计", "Total of all grid cells", "grid_total(visitors)"),
    _f("cell", _cell, (GRID_T, TEXT, TEXT), ANY, "网格中的一格", "One grid cell", "cell(scores, 'q1', '满意')"),
    _f("row_number", _row_number, (), NUMBER, "表格中本行的序号（从 1 起）", "This row's number in its table (from 1)",
       "row_number()", context="table"),
    _f("level", _level, (), NUMBER, "树中本项的层级（从 1 起）", "This node's level in its tree (from 1)", "level()",
       context="tree"),
    _f("outline", _outline, (), TEXT, "树中本项的编号，如 1.2.3", "This node's outline number, e.g. 1.2.3", "outline()",
       context="tree"),
)}
