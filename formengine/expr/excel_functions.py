"""The Excel twins of the expression language's functions: ``fn_<name>`` for ``name(...)``.

``sum`` skips empty values and ``concat`` reads them as ``""``, as the engine does; numbers
turned into text with decimals (``TEXT`` format codes depend on the locale's decimal point)
are not translated, and dates become text through ``YEAR``/``MONTH``/``DAY``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

from .excel_cells import NUMBER_TYPES, TEXT_TYPES
from .excel_nodes import NodeTranslator
from .excel_value import (
    NULL,
    Finish,
    Translated,
    Untranslatable,
    guard,
    is_null,
    iso_date,
    merge,
    same,
    strict,
    string_literal,
)


class Translator(NodeTranslator):
    """The whole translator: the syntax nodes, and every function that has an Excel twin."""

    # ------------------------------------------------------------------ arguments

    def scalar(self, node: ast.AST, *kinds: str) -> Translated:
        x = strict(self.emit(node))
        if x.kind != "null":
            self.need(x, *kinds)
        return x

    def whole(self, node: ast.AST) -> int:
        """A whole-number constant argument (places, counts)."""
        sign = 1
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            sign, node = -1, node.operand
        if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
            return sign * node.value
        raise Untranslatable("a computed number of places")

    def need_numbers(self, x: Translated) -> None:
        if x.operand is None or x.operand.type != "number":
            raise Untranslatable("a sum over a column that is not numeric")

    # ------------------------------------------------------------------ functions

    def fn_sum(self, *args: ast.AST) -> Translated:
        parts = []
        for arg in args:
            x = self.emit(arg)
            if x.kind == "range":
                self.need_numbers(x)
                parts.append(x.text)
            elif x.kind == "null":
                continue
            elif x.operand is not None and x.kind == "number":
                parts.append(x.text)  # SUM skips an empty or text cell, as the engine skips null
            else:
                x = strict(x)
                self.need(x, "number")
                parts.append(guard(x, x.text, "0"))
        return Translated(f"SUM({','.join(parts) or '0'})", "number")

    def fn_count(self, arg: ast.AST) -> Translated:
        x = self.emit(arg)
        if x.kind == "range":
            # COUNTIF(r,"?*") counts numbers too in LibreOffice: LEN works alike in both
            return Translated(f"SUMPRODUCT(--(LEN({x.text})>0))", "number", places=0)
        x = strict(x)
        if x.kind == "null":
            return Translated("0", "number", places=0)
        return Translated(guard(x, "1", "0"), "number", places=0)

    def _extreme(self, fn: str, args: Sequence[ast.AST]) -> Translated:
        refs, kinds = [], set()
        for arg in args:
            x = self.emit(arg)
            op = x.operand
            if x.kind == "range" and op is not None and op.type in ("number", "date"):
                kinds.add(op.type)
            elif op is not None and x.kind in ("number", "date") and not x.timed:
                kinds.add(x.kind)
            else:
                raise Untranslatable(f"{fn.lower()}() of a computed value")
            refs.append(x.text)
        if len(kinds) != 1:
            raise Untranslatable(f"{fn.lower()}() of mixed kinds")
        joined = ",".join(refs)
        return Translated(f"{fn}({joined})", kinds.pop(), ((f"COUNT({joined})=0",),))

    def fn_min(self, *args: ast.AST) -> Translated:
        return self._extreme("MIN", args)

    def fn_max(self, *args: ast.AST) -> Translated:
        return self._extreme("MAX", args)

    def fn_round(self, value: ast.AST, places: ast.AST | None = None) -> Translated:
        n = 0 if places is None else self.whole(places)
        x = self.scalar(value, "number")
        if x.kind == "null":
            return NULL
        return Translated(f"ROUND({x.text},{n})", "number", x.stages, max(n, 0))

    def fn_abs(self, value: ast.AST) -> Translated:
        x = self.scalar(value, "number")
        return NULL if x.kind == "null" else Translated(f"ABS({x.text})", "number", x.stages, x.places)

    def fn_len(self, value: ast.AST) -> Translated:
        x = self.scalar(value, "text")
        return NULL if x.kind == "null" else Translated(f"LEN({x.text})", "number", x.stages, 0)

    def fn_today(self) -> Translated:
        return Translated("TODAY()", "date")

    def _date(self, node: ast.AST) -> Translated:
        x = self.scalar(node, "date")
        if x.kind == "null":
            return x
        return Translated(f"INT({x.text})", "date", x.stages) if x.timed else x

    def fn_weekday(self, d: ast.AST) -> Translated:
        x = self._date(d)
        return NULL if x.kind == "null" else Translated(f"WEEKDAY({x.text},2)", "number", x.stages, 0)

    def fn_weekday_zh(self, d: ast.AST) -> Translated:
        x = self._date(d)
        if x.kind == "null":
            return NULL
        return Translated(f'("星期"&MID("一二三四五六日",WEEKDAY({x.text},2),1))', "text", x.stages)

    def fn_days_between(self, a: ast.AST, b: ast.AST) -> Translated:
        x, y = self._date(a), self._date(b)
        if "null" in (x.kind, y.kind):
            return NULL
        return Translated(f"({y.text}-{x.text})", "number", merge(x.stages, y.stages), 0)

    def fn_add_days(self, d: ast.AST, n: ast.AST) -> Translated:
        x, k = self._date(d), self.scalar(n, "number")
        if "null" in (x.kind, k.kind):
            return NULL
        return Translated(f"({x.text}+TRUNC({k.text}))", "date", merge(x.stages, k.stages))

    def fn_add_months(self, d: ast.AST, n: ast.AST) -> Translated:
        x, k = self._date(d), self.scalar(n, "number")
        if "null" in (x.kind, k.kind):
            return NULL
        return Translated(f"EDATE({x.text},TRUNC({k.text}))", "date", merge(x.stages, k.stages))

    def _part(self, fn: str, d: ast.AST) -> Translated:
        x = self._date(d)  # a year-month is text in its cell: not translated
        return NULL if x.kind == "null" else Translated(f"{fn}({x.text})", "number", x.stages, 0)

    def fn_year(self, d: ast.AST) -> Translated:
        return self._part("YEAR", d)

    def fn_month(self, d: ast.AST) -> Translated:
        return self._part("MONTH", d)

    def fn_day(self, d: ast.AST) -> Translated:
        return self._part("DAY", d)

    def fn_days_in_month(self, d: ast.AST) -> Translated:
        x = self._date(d)
        return NULL if x.kind == "null" else Translated(f"DAY(EOMONTH({x.text},0))", "number", x.stages, 0)

    def text_of(self, x: Translated) -> str:
        """The engine's text of a filled value (functions._text), valid when x is filled."""
        if x.kind == "text":
            return x.text
        if x.kind == "number":
            if x.places != 0:  # TEXT(x,"0.00") depends on the locale's decimal point
                raise Untranslatable("a number with decimals turned into text")
            return f"({x.text}&\"\")"
        if x.kind == "date":
            if x.timed:
                raise Untranslatable("a date-time turned into text")
            return iso_date(x.text)
        if x.kind == "bool":
            return f'IF({x.text},"是","否")'
        raise Untranslatable(f"{x.kind} turned into text")

    def fn_concat(self, *args: ast.AST) -> Translated:
        pieces = []
        for arg in args:
            x = strict(self.emit(arg))
            if x.kind == "null":
                continue
            pieces.append(guard(x, self.text_of(x)))
        return Translated("(" + "&".join(pieces) + ")" if pieces else '""', "text")

    def fn_format(self, value: ast.AST, pattern: ast.AST) -> Translated:
        if not (isinstance(pattern, ast.Constant) and isinstance(pattern.value, str)):
            raise Untranslatable("a computed format pattern")
        x = strict(self.emit(value))
        if x.kind == "null":
            return NULL
        text = pattern.value
        if x.kind == "date":
            pieces = []
            for token in re.split(r"(YYYY|YY|MM|DD)", text):
                if token == "YYYY":
                    pieces.append(f'RIGHT("000"&YEAR({x.text}),4)')
                elif token == "YY":
                    pieces.append(f'RIGHT("0"&MOD(YEAR({x.text}),100),2)')
                elif token in ("MM", "DD"):
                    pieces.append(f'RIGHT("0"&{"MONTH" if token == "MM" else "DAY"}({x.text}),2)')
                elif token:
                    pieces.append(string_literal(token))
            return Translated("(" + "&".join(pieces or ['""']) + ")", "text", x.stages)
        if x.kind == "number" and re.fullmatch(r"0+(\.0+)?", text):
            if "." in text:
                raise Untranslatable("format() with decimals depends on the locale")
            return Translated(f"TEXT(ROUND({x.text},0),{string_literal(text)})", "text", x.stages)
        return Translated(self.text_of(x), "text", x.stages)

    def fn_upper(self, s: ast.AST) -> Translated:
        x = self.scalar(s, "text")
        return NULL if x.kind == "null" else Translated(f"UPPER({x.text})", "text", x.stages)

    def fn_left(self, s: ast.AST, n: ast.AST) -> Translated:
        count = self.whole(n)
        if count < 0:
            raise Untranslatable("left() with a negative count")
        x = self.scalar(s, "text")
        return NULL if x.kind == "null" else Translated(f"LEFT({x.text},{count})", "text", x.stages)

    def _emptiness(self, arg: ast.AST) -> str:
        x = self.emit(arg)
        if x.kind in ("range", "grid"):
            raise Untranslatable("empty() of a list")
        return is_null(strict(x))

    def fn_empty(self, arg: ast.AST) -> Translated:
        return Translated(self._emptiness(arg), "bool")

    def fn_filled(self, arg: ast.AST) -> Translated:
        return Translated(f"NOT({self._emptiness(arg)})", "bool")

    def fn_coalesce(self, *args: ast.AST) -> Translated:
        values = [strict(self.emit(a)) for a in args]
        values = [v for v in values if v.kind != "null"]
        kinds = {v.kind for v in values}
        if not values:
            return NULL
        if len(kinds) > 1 or kinds & {"range", "grid"}:
            raise Untranslatable("coalesce() of different kinds")
        places = {v.places for v in values}

        def closer(finish: Finish) -> str:
            out = '""'
            for v in reversed(values):
                out = f"IF({is_null(v)},{out},{finish(v.text, v.kind, v.places)})"
            return out
        return Translated(closer(same), kinds.pop(), places=places.pop() if len(places) == 1 else None, closer=closer,
                  timed=any(v.timed for v in values))

    def fn_sumproduct(self, a: ast.AST, b: ast.AST) -> Translated:
        x, y = self.emit(a), self.emit(b)
        for r in (x, y):
            if r.kind != "range":
                raise Untranslatable("sumproduct() of values that are not columns")
            self.need_numbers(r)
        return Translated(f"SUMPRODUCT({x.text},{y.text})", "number")

    def fn_sum_if(self, values: ast.AST, keys: ast.AST, key: ast.AST) -> Translated:
        v, k = self.emit(values), self.emit(keys)
        if v.kind != "range" or k.kind != "range":
            raise Untranslatable("sum_if() of values that are not columns")
        self.need_numbers(v)
        if k.operand is None or k.operand.type not in TEXT_TYPES | {"choice"} or k.operand.labels is not None:
            raise Untranslatable("sum_if() keyed by a column whose cells are not its values")
        wanted = self.scalar(key, "text")
        if wanted.kind == "null":
            return Translated("0", "number")
        body = f"SUMPRODUCT(--EXACT({k.text},{wanted.text}),{v.text})"
        return Translated(guard(wanted, body, "0"), "number")

    def grid_arg(self, node: ast.AST) -> str:
        x = self.emit(node)
        if x.kind != "grid" or x.name is None:
            raise Untranslatable("a grid function of something else than a grid")
        return x.name

    def key_arg(self, node: ast.AST) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, int)) and not isinstance(node.value, bool):
            return str(node.value)
        raise Untranslatable("a computed grid row or column")

    def _grid_sum(self, grid: str, row: str | None, column: str | None) -> Translated:
        op = self.cells.grid(grid, row, column)
        if op is None or not (op.type in NUMBER_TYPES or op.type in ("decimal", "percent")):
            raise Untranslatable(f"totals of grid {grid}")
        return Translated(f"SUM({op.ref})", "number")

    def fn_row_total(self, grid: ast.AST, row: ast.AST) -> Translated:
        return self._grid_sum(self.grid_arg(grid), self.key_arg(row), None)

    def fn_column_total(self, grid: ast.AST, column: ast.AST) -> Translated:
        return self._grid_sum(self.grid_arg(grid), None, self.key_arg(column))

    def fn_grid_total(self, grid: ast.AST) -> Translated:
        return self._grid_sum(self.grid_arg(grid), None, None)

    def fn_cell(self, grid: ast.AST, row: ast.AST, column: ast.AST) -> Translated:
        g = self.grid_arg(grid)
        op = self.cells.grid(g, self.key_arg(row), self.key_arg(column))
        if op is None:
            raise Untranslatable(f"a cell of grid {g}")
        return self.operand(op, g)

    def fn_row_number(self) -> Translated:
        text = self.cells.row_number()
        if text is None:
            raise Untranslatable("row_number() outside a table sheet")
        return Translated(text, "number", places=0)

    def fn_level(self) -> Translated:
        ref = self.cells.level()
        if ref is None:
            raise Untranslatable("level() outside a tree sheet")
        return Translated(ref, "number", ((f'{ref}=""',),), 0)
