"""The expression language: parse (whitelist) → check (names, types) → Python / JavaScript.

An :class:`Expression` is parsed and checked when a form loads, so every mistake is reported
then; CPython compiles it on its first evaluation (compiling costs about as much as parsing and
checking together, and many expressions of a form — hidden sections, rare conditions — are never
evaluated in a process). After that, evaluating it is a plain function call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .check import Checked, check
from .limits import EvaluationError
from .parse import ExprError, parse
from .to_python import Compiled, to_python
from .types import Scope


@dataclass(eq=False)
class Expression:
    source: str
    checked: Checked = field(repr=False)

    @cached_property
    def run(self) -> Compiled:
        """The compiled function ``f(form, row, ctx)``, compiled on first use."""
        return to_python(self.checked)

    @property
    def names(self) -> set[str]:
        """Form-level field ids this expression reads."""
        return self.checked.names

    @property
    def row_names(self) -> set[str]:
        return self.checked.row_names

    @property
    def columns(self) -> set[tuple[str, str]]:
        return self.checked.columns

    @cached_property
    def js(self) -> str:
        """The JavaScript twin: an expression over ``form``, ``row``, ``ctx`` and the runtime ``R``."""
        from .to_js import to_js

        return to_js(self.checked)

    def __call__(self, form: dict[str, Any], row: dict[str, Any] | None = None,
                 ctx: dict[str, Any] | None = None) -> Any:
        return self.run(form, row, ctx)


def compile_expression(source: str, scope: Scope) -> Expression:
    """Parse, check and compile; raise :class:`ExprError` on the first problem."""
    tree = parse(source)
    checked = check(source, tree, scope)
    return Expression(source, checked)


__all__ = ["EvaluationError", "ExprError", "Expression", "Scope", "compile_expression"]
