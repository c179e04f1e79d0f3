"""Errors: problems in a form definition are kept apart from errors in submitted data.

A bad definition raises :class:`FormDefinitionError` carrying *every* :class:`Problem`
found, each with file, line and column. Bad data never raises: ``Form.validate`` returns
:class:`ValidationIssue` objects with a path, a stable code and messages in zh and en.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from . import codes

Lang = Literal["zh", "en"]


class FormEngineError(Exception):
    """Root of every error formengine raises."""


@dataclass(frozen=True)
class Problem:
    """One problem in a form definition."""

    code: str
    message_zh: str
    message_en: str
    file: str = "<string>"
    line: int = 0
    column: int = 0
    path: str = ""
    hint_zh: str = ""
    hint_en: str = ""

    @classmethod
    def make(
        cls, code: str, *, file: str = "<string>", line: int = 0, column: int = 0,
        path: str = "", **params: object,
    ) -> Problem:
        zh, en = codes.definition_message(code, params)
        entry = codes.DEFINITION[code]
        return cls(code, zh, en, file, line, column, path, entry.fix_zh, entry.fix_en)

    def message(self, lang: Lang = "zh") -> str:
        return self.message_zh if lang == "zh" else self.message_en

    def format(self, lang: Lang = "zh", *, hint: bool = False) -> str:
        """``file:line:col: path: message [code]`` — the form editors and CI logs understand."""
        where = f"{self.file}:{self.line}:{self.column}"
        at = f" {self.path}:" if self.path else ""
        text = f"{where}:{at} {self.message(lang)} [{self.code}]"
        fix = self.hint_zh if lang == "zh" else self.hint_en
        if hint and fix:
            text += f"\n    {'提示' if lang == 'zh' else 'hint'}: {fix}"
        return text

    def __str__(self) -> str:
        return self.format()


class FormDefinitionError(FormEngineError):
    """A form definition has problems; ``.problems`` lists all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.code))
        super().__init__("\n".join(p.format("en") for p in self.problems))

    def format(self, lang: Lang = "zh", *, hint: bool = False) -> str:
        return "\n".join(p.format(lang, hint=hint) for p in self.problems)


@dataclass(frozen=True)
class ValidationIssue:
    """One error in submitted data, at ``path`` (e.g. ``lines[2].qty``)."""

    path: str
    code: str
    message_zh: str
    message_en: str
    params: dict[str, object] = field(default_factory=dict, compare=False, repr=False)
    # Where the value sits in a filled document read back (Form.extract): "'明细'!C5", "表格 2 第 3 行".
    where_zh: str = field(default="", compare=False)
    where_en: str = field(default="", compare=False)

    @classmethod
    def make(cls, path: str, code: str, **params: object) -> ValidationIssue:
        zh, en = codes.validation_message(code, params)
        return cls(path, code, zh, en, params)

    def message(self, lang: Lang = "zh") -> str:
        return self.message_zh if lang == "zh" else self.message_en

    def where(self, lang: Lang = "zh") -> str:
        return self.where_zh if lang == "zh" else self.where_en or self.where_zh

    def format(self, lang: Lang = "zh") -> str:
        place = self.where(lang)
        at = f" ({'位置' if lang == 'zh' else 'at'}: {place})" if place else ""
        return f"{self.path or '$'}: {self.message(lang)} [{self.code}]{at}"

    def as_dict(self) -> dict[str, str]:
        out = {"path": self.path, "code": self.code, "zh": self.message_zh, "en": self.message_en}
        if self.where_zh:
            out["where_zh"], out["where_en"] = self.where_zh, self.where_en or self.where_zh
        return out

    def __str__(self) -> str:
        return self.format()


def data_path(parts: tuple[str | int, ...] | list[str | int]) -> str:
    """``lines[2].qty``; keys that are not identifiers are quoted: ``visitors['08:00-10:00']['3']``."""
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif not p.isidentifier():
            out += f"[{p!r}]"
        else:
            out += f".{p}" if out else p
    return out
