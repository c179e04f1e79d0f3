"""Fuzzing: bad or hostile input must end in a clear error, never a crash or a lost value.

Three jobs, each a plain seeded loop so a command can run them outside pytest::

    python -m formengine.fuzz --definitions 10000 --submissions 5000 --report docs/reliability.md

* **definitions** — real forms from ``forms/`` are mutated (keys deleted, misspelt or given
  the wrong kind of value, type names misspelt, references broken, YAML text truncated,
  mis-indented or sprinkled with stray characters, deep nesting, huge values, duplicate ids)
  and loaded from a copy of the forms root. Each mutant must load, or raise
  :class:`~formengine.FormDefinitionError` whose every problem has a file, a line ≥ 1 and a
  known code other than ``internal``. Anything else — another exception, an ``internal``
  problem, a load slower than :data:`TIMEOUT` — is an *escape*. A mutant that loads must also
  build its model, validate ``{}`` and render blank without an exception.
* **submissions** — for every catalog form, valid submissions (accepted, unchanged after
  JSON), broken ones (rejected at their path) and raw garbage (values of every shape, deep
  nesting, huge strings and numbers, NaN/Infinity, control characters): ``validate`` must
  never raise.
* **sandbox** — :data:`SANDBOX_PAYLOADS`, expressions trying to leave the expression
  language, each refused when the form loads with an ``expr.*`` or ``compute.cycle`` code.

:func:`run` (definitions) and :func:`run_submissions` return counts plus the details of
every escape; ``--report`` writes them to ``docs/reliability.md``.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from . import codes
from .errors import FormDefinitionError, Problem

FORMS = Path(__file__).resolve().parents[1] / "forms"
TIMEOUT = 15.0  # seconds a single mutant may take to load, build and render blank (a hang, not slowness)
SLOW = 1.0  # a mutant slower than this is counted as slow (not an escape)
SUBMISSION_TIMEOUT = 30.0  # validation is linear in the errors found: 2,000 bad rows take a second or two
EXPR_KEYS = ("compute", "visible_if", "required_if", "default_expr", "rule", "when")


class Timeout(Exception):
    """A mutant took longer than :data:`TIMEOUT`."""


# ====================================================================== mutation operators

_WRONG_VALUES: tuple[Any, ...] = (
    None, True, False, 0, -1, 3, 2**63, 10**100, Decimal("1.5"), Decimal("-0.0"), Decimal("1E+400"),
    "", " ", "x", "2026-13-45", "{", "}", "[", "{name}", "{{x}}", "%s%n%x", "\0", "\u202e", "\ufeff",
    "<script>window.__pwned=1</script>", "../../../etc/passwd", ".nan", [], {}, [None], [1, "a"],
    {"zh": ""}, {"zh": None}, {"en": "x"}, {"a": {"b": {}}}, ["x", "x", "x"], {"from": 1},
)
_SPECIAL_SCALARS = (
    ".nan", ".inf", "-.inf", "1e99999", "-1e-99999", "0x7fffffffffffffffffffffffffff", "0o777", "0b101",
    "1_000", "190:20:30", "~", "null", "Null", "yes", "no", "on", "off", "y", "n", "!!binary aGk=",
    "!!set {a}", "!!omap [a: 1]", "!!python/object/apply:os.system ['true']", "!!python/name:os.system",
    "!custom x", "!!timestamp 2001-12-14", "2001-12-14t21:59:43.10-05:00", "*undefined", "&a x",
    "'unterminated", '"unterminated', "[1, 2", "{a: 1", "|", ">", "- x", "? x", "@x", "`x`", "%TAG",
    "'\u202e\u200b'", '"\\x00\\x07\\x1b"', '"\\ud800"', "012", "0.", "-0", "+12", "1e3", "9" * 400,
)
_STRAY = list(":{}[]&*!|>%@`'\"#-?,\t\\\x07\x1b\u0085\u2028\u202e\ufeff\ufffe中") + [": ", " #", "\n", "\n  - ", "- ", "\r"]
_IDENTS = ("zz_unknown", "amount_typo", "form", "row", "ctx", "R", "__import__", "_k0", "self", "None_")


def typo(rng: Any, word: str) -> str:
    """One keyboard slip: a letter dropped, doubled, swapped or replaced, or the case changed."""
    if not word:
        return "x"
    i = rng.randrange(len(word))
    kind = rng.randrange(5)
    if kind == 0 and len(word) > 1:
        return word[:i] + word[i + 1:]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    if kind == 2 and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == 3:
        return word[:i] + str(rng.choice("abcdefghijklmnopqrstuvwxyz_0")) + word[i + 1:]
    return word.upper() if word.islower() else word + "s"


def _slots(data: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) pair below ``data``, in a stable order."""
    out: list[tuple[Any, Any]] = []
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            pairs: list[tuple[Any, Any]] = list(node.items())
        elif isinstance(node, list):
            pairs = list(enumerate(node))
        else:
            continue
        for key, value in pairs:
            out.append((node, key))
            stack.append(value)
    return out


def _dicts(data: Any, having: str | None = None) -> list[dict[str, Any]]:
    found = [c[k] for c, k in _slots(data) if isinstance(c[k], dict)]
    if isinstance(data, dict):
        found.append(data)
    return [d for d in found if having is None or having in d]


def _lists(data: Any) -> list[list[Any]]:
    return [c[k] for c, k in _slots(data) if isinstance(c[k], list)]


def _fields(data: Any) -> list[dict[str, Any]]:
    return [d for d in _dicts(data, "id") if "type" in d]


def _pick(rng: Any, seq: list[Any]) -> Any:
    return seq[rng.randrange(len(seq))] if seq else None


# -- data operators: mutate parsed data in place, return a short description (None: not applicable)

def op_delete_key(rng: Any, data: Any) -> str | None:
    d = _pick(rng, [x for x in _dicts(data) if x])
    if d is None:
        return None
    key = _pick(rng, list(d))
    del d[key]
    return f"delete {key}"


def op_wrong_type(rng: Any, data: Any) -> str | None:
    slot = _pick(rng, _slots(data))
    if slot is None:
        return None
    container, key = slot
    container[key] = copy.deepcopy(_pick(rng, list(_WRONG_VALUES)))
    return f"wrong type at {key}"


def op_misspell_key(rng: Any, data: Any) -> str | None:
    d = _pick(rng, [x for x in _dicts(data) if x])
    if d is None:
        return None
    key = _pick(rng, list(d))
    new = typo(rng, str(key))
    items = [(new if k == key else k, v) for k, v in d.items()]
    d.clear()
    d.update(items)
    return f"misspell key {key} → {new}"


def op_type_name(rng: Any, data: Any) -> str | None:
    from .fieldtypes import TYPES

    f = _pick(rng, _fields(data) + _dicts(data, "cell"))
    if f is None:
        return None
    target = f if "type" in f else f["cell"] if isinstance(f.get("cell"), dict) else f
    old = str(target.get("type", ""))
    target["type"] = typo(rng, old) if rng.random() < 0.5 else _pick(rng, sorted(TYPES))
    return f"type {old} → {target['type']}"


def op_break_expression(rng: Any, data: Any) -> str | None:
    slots = [(c, k) for c, k in _slots(data) if k in EXPR_KEYS and isinstance(c[k], str)]
    slot = _pick(rng, slots)
    if slot is None:
        return None
    container, key = slot
    src: str = container[key]
    how = rng.randrange(6)
    import re

    names = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", src)
    if how == 0 and names:  # an unknown or misspelt field name
        name = _pick(rng, names)
        container[key] = src.replace(name, rng.choice([typo(rng, name), *_IDENTS]), 1)
    elif how == 1:  # cut
        container[key] = src[: rng.randrange(len(src) + 1)] or "("
    elif how == 2:  # a stray token
        i = rng.randrange(len(src) + 1)
        container[key] = src[:i] + rng.choice(["(", ")", "[0]", ".__class__", " + ", " ** ", ",", "'", "lambda: ",
                                               " if ", "{", "@", ":=", "\\", "\u202e", "ａ"]) + src[i:]
    elif how == 3:
        container[key] = rng.choice(SANDBOX_PAYLOADS).expr
    elif how == 4:  # a different, well-formed but mistyped expression
        container[key] = rng.choice(["today() + 1", "'text' * 3", "sum(1, 'a')", "round()", "len(1, 2, 3)",
                                     "row_number()", "level()", "nowhere.total", "1 < 'a'", "not", "x" * 1001])
    else:
        container[key] = rng.choice([1, True, None, [], {"a": 1}, "", " "])
    return f"break expression {key}"


def op_break_reference(rng: Any, data: Any) -> str | None:
    refs: list[tuple[Any, Any]] = []
    for c, k in _slots(data):
        if k in ("choices", "use", "path") and isinstance(c[k], str):
            refs.append((c, k))
        elif isinstance(c, list) and isinstance(c[k], str) and c[k].endswith(".yaml"):
            refs.append((c, k))  # an include
        elif k == "text" and isinstance(c[k], str) and "{" in c[k]:
            refs.append((c, k))
    slot = _pick(rng, refs)
    if slot is None:
        return None
    container, key = slot
    old = container[key]
    if key == "text":
        container[key] = old.replace("{", "{zz_", 1) if rng.random() < 0.5 else old + "{nowhere}"
    elif isinstance(key, int):  # include
        container[key] = rng.choice(["../../outside.yaml", "/etc/passwd", "missing.yaml", "../_shared",
                                     "../_shared/nope.yaml", "C:/x.yaml", "..\\..\\x.yaml", "./" + old, old + "/"])
    else:
        container[key] = rng.choice([typo(rng, old), "zz_unknown", old.upper(), ""])
    return f"break reference {key}: {old}"


def op_deep_nesting(rng: Any, data: Any) -> str | None:
    how = rng.randrange(3)
    if how == 0:  # wrap a value in many levels of lists or mappings
        slot = _pick(rng, _slots(data))
        if slot is None:
            return None
        container, key = slot
        value = container[key]
        for _ in range(rng.choice([10, 40, 70])):
            value = [value] if rng.random() < 0.5 else {"items": value}
        container[key] = value
        return f"nest {key}"
    items = [lst for lst in _lists(data) if lst and isinstance(lst[0], dict)]
    target = _pick(rng, items)
    if target is None:
        return None
    if how == 1:  # groups in groups
        item = target[0]
        for n in range(rng.choice([5, 25, 60])):
            item = {"group": {"title": f"g{n}", "items": [item]}}
        target[0] = item
        return "nested groups"
    # blocks that use themselves or each other
    if not isinstance(data, dict):
        return None
    blocks = data.setdefault("blocks", {}) if isinstance(data.get("blocks", {}), dict) else {}
    blocks["loop_a"] = [{"use": "loop_b"}, {"id": "loop_x", "label": "x", "type": "text"}]
    blocks["loop_b"] = [{"use": "loop_a", "prefix": "p_"}]
    target.append({"use": "loop_a"})
    return "block cycle"


def op_huge(rng: Any, data: Any) -> str | None:
    slot = _pick(rng, _slots(data))
    if slot is None:
        return None
    container, key = slot
    value = container[key]
    if isinstance(value, str):
        container[key] = value * rng.choice([1000, 20000]) if value else "x" * 100000
    elif isinstance(value, bool) or value is None:
        container[key] = "长" * 50000
    elif isinstance(value, (int, Decimal)):
        container[key] = rng.choice([10**9, 2**31, 2**63 + 1, 10**40, -(10**9), 10**4000])
    elif isinstance(value, list) and value:
        container[key] = value * rng.choice([20, 100])
    elif isinstance(value, dict):
        for i in range(rng.choice([100, 2000])):
            value[f"k{i}"] = i
    else:
        return None
    return f"huge {key}"


def op_duplicate(rng: Any, data: Any) -> str | None:
    fields = _fields(data)
    how = rng.randrange(4)
    if how == 0 and len(fields) >= 2:
        a, b = rng.sample(fields, 2)
        b["id"] = a["id"]
        return f"duplicate id {a['id']}"
    lists = [lst for lst in _lists(data) if lst]
    lst = _pick(rng, lists)
    if lst is None:
        return None
    if how == 1:  # the same item (field, option, section, column …) twice
        lst.append(copy.deepcopy(_pick(rng, lst)))
        return "duplicate item"
    if how == 2 and isinstance(data, dict) and isinstance(data.get("sections"), list) and data["sections"]:
        data["sections"].append(copy.deepcopy(data["sections"][0]))
        return "duplicate section"
    if fields:
        f = _pick(rng, fields)
        f["id"] = rng.choice(["id", "model_config", "model_dump", "children", "form", "class", "true", "none",
                              "x" * 300, "a" * 5 + "1" * 5])
        return f"reserved or odd id {f['id']}"
    return None


def op_move(rng: Any, data: Any) -> str | None:
    """Move an item where a different kind is expected (a field into choices, a table into columns …)."""
    lists = [lst for lst in _lists(data) if lst]
    if len(lists) < 2:
        return None
    a, b = rng.sample(lists, 2)
    b.insert(rng.randrange(len(b) + 1), a.pop(rng.randrange(len(a))))
    return "move item"


def op_swap(rng: Any, data: Any) -> str | None:
    """Swap two values of the same kind (an id with another id, a number with a number …): the
    result often still fits the schema, so the builder and the expression checker meet it."""
    slots = [(c, k) for c, k in _slots(data) if isinstance(c[k], (str, int, Decimal)) and not isinstance(c[k], bool)]
    if len(slots) < 2:
        return None
    (c1, k1) = _pick(rng, slots)
    same = [(c, k) for c, k in slots if type(c[k]) is type(c1[k1]) and (c, k) != (c1, k1)]
    if not same:
        return None
    (c2, k2) = _pick(rng, same)
    c1[k1], c2[k2] = c2[k2], c1[k1]
    return f"swap {k1} ↔ {k2}"


DATA_OPS: dict[str, Callable[[Any, Any], str | None]] = {
    "swap": op_swap,
    "delete_key": op_delete_key, "wrong_type": op_wrong_type, "misspell_key": op_misspell_key,
    "type_name": op_type_name, "break_expression": op_break_expression, "break_reference": op_break_reference,
    "deep_nesting": op_deep_nesting, "huge": op_huge, "duplicate": op_duplicate, "move": op_move,
}


# -- text operators: YAML text in, text (or bytes) out

def t_truncate(rng: Any, text: str) -> str:
    return text[: rng.randrange(len(text) + 1)]


def t_indent(rng: Any, text: str) -> str:
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    line = lines[i]
    stripped = line.lstrip(" ")
    lead = len(line) - len(stripped)
    lines[i] = rng.choice([" " * (lead + rng.randint(1, 3)), " " * max(0, lead - rng.randint(1, 2)), "\t" + " " * lead,
                           "", " " * lead + "\t"]) + stripped
    return "\n".join(lines)


def t_stray(rng: Any, text: str) -> str:
    out = text
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(out) + 1)
        out = out[:i] + rng.choice(_STRAY) + out[i:]
    return out


def t_cut(rng: Any, text: str) -> str:
    i = rng.randrange(len(text) + 1)
    return text[:i] + text[i + rng.randint(1, 40):]


def t_lines(rng: Any, text: str) -> str:
    lines = text.split("\n")
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    how = rng.randrange(3)
    if how == 0:
        lines.insert(j, lines[i])  # a duplicated line: duplicate keys, duplicate ids
    elif how == 1:
        lines[i], lines[j] = lines[j], lines[i]
    else:
        del lines[i]
    return "\n".join(lines)


def t_scalar(rng: Any, text: str) -> str:
    lines = text.split("\n")
    candidates = [i for i, line in enumerate(lines) if ": " in line and not line.lstrip().startswith("#")]
    if not candidates:
        return text
    i = rng.choice(candidates)
    head, _, _ = lines[i].partition(": ")
    lines[i] = f"{head}: {rng.choice(_SPECIAL_SCALARS)}"
    return "\n".join(lines)


def t_nest(rng: Any, text: str) -> str:
    n = rng.choice([65, 300, 5000, 200000])
    bomb = "[" * n + "]" * n if rng.random() < 0.5 else "{a: " * n + "1" + "}" * n
    lines = text.split("\n")
    candidates = [i for i, line in enumerate(lines) if line.rstrip().endswith(":") is False and ": " in line]
    if not candidates:
        return text + f"\nextra: {bomb}\n"
    i = rng.choice(candidates)
    head, _, _ = lines[i].partition(": ")
    lines[i] = f"{head}: {bomb}"
    return "\n".join(lines)


def t_alias(rng: Any, text: str) -> str:
    how = rng.randrange(4)
    if how == 0:  # billion laughs
        lines = ['lol0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        for k in range(1, 9):
            lines.append(f"lol{k}: &l{k} [" + ",".join([f"*l{k - 1}"] * 9) + "]")
        return text.rstrip("\n") + "\n" + "\n".join(lines) + "\n"
    if how == 1:  # a recursive alias
        return text.rstrip("\n") + "\nloop: &loop [*loop]\n"
    if how == 2:  # a merge key
        return text.rstrip("\n") + "\nbase: &base {id: x}\nother:\n  <<: *base\n"
    return text.replace("title:", "title: &t", 1) + "\nnotes: [*t, *t, *undefined]\n"


def t_encoding(rng: Any, text: str) -> bytes | str:
    raw = text.encode("utf-8")
    how = rng.randrange(6)
    i = rng.randrange(len(raw) + 1)
    if how == 0:
        return raw[:i] + bytes(rng.choice([b"\xff", b"\xc3\x28", b"\xe4\xb8", b"\xed\xa0\x80", b"\x00"])) + raw[i:]
    if how == 1:
        return "\ufeff" + text
    if how == 2:
        return text.replace("\n", "\r\n")
    if how == 3:
        return text.replace("\n", "\r")
    if how == 4:
        return text.encode("utf-16")
    return raw[: max(0, i - 1)] if raw[:i] else raw  # cut inside a multi-byte character, sometimes


def t_huge(rng: Any, text: str) -> str:
    if rng.random() < 0.3:  # over the 2 MB limit
        from .loader import MAX_FILE_BYTES

        return text + "#" * (MAX_FILE_BYTES + 10) + "\n"
    return text.rstrip("\n") + "\nnotes: [" + ", ".join(["x" * 1000] * 1500) + "]\n"


TEXT_OPS: dict[str, Callable[[Any, str], Any]] = {
    "truncate": t_truncate, "indent": t_indent, "stray": t_stray, "cut": t_cut, "lines": t_lines,
    "scalar": t_scalar, "nest": t_nest, "alias": t_alias, "encoding": t_encoding, "huge_text": t_huge,
}


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


_Dumper.add_representer(Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", str(v)))


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096)


_PARSED: dict[str, Any] = {}  # the catalog's texts, parsed once


def mutate(rng: Any, text: str) -> tuple[list[str], str | bytes]:
    """One mutant of a definition's text: 1–3 data operators, 1–2 text operators, or both."""
    from .loader import YamlError, parse_yaml

    ops: list[str] = []
    out: str | bytes = text
    mode = rng.random()
    if mode < 0.65:
        if text not in _PARSED:
            try:
                _PARSED[text] = parse_yaml(text).data
            except YamlError:
                _PARSED[text] = None
        data = copy.deepcopy(_PARSED[text])
        if data is not None:
            for _ in range(rng.randint(1, 3)):
                name = rng.choice(sorted(DATA_OPS))
                if DATA_OPS[name](rng, data) is not None:
                    ops.append(name)
            try:
                out = dump(data)
            except RecursionError:  # PyYAML's representer recurses: nested too deep to write back
                ops = []
    if mode >= 0.55 or not ops:
        for _ in range(rng.randint(1, 2)):
            if not isinstance(out, str):
                break
            name = rng.choice(sorted(TEXT_OPS))
            out = TEXT_OPS[name](rng, out)
            ops.append(name)
    return ops, out


def path_to(data: Any, target: Any) -> tuple[Any, ...] | None:
    """The first path (in document order) at which ``target`` itself — not an equal copy — sits."""
    stack: list[tuple[tuple[Any, ...], Any]] = [((), data)]
    while stack:
        path, node = stack.pop()
        if node is target:
            return path
        pairs = list(node.items()) if isinstance(node, dict) else list(enumerate(node)) if isinstance(node, list) else []
        stack.extend((path + (k,), v) for k, v in reversed(pairs))
    return None


def _shape(path: tuple[Any, ...]) -> tuple[Any, ...]:
    """A path with its list positions blanked: an item moved within its list is still reached the same way."""
    return tuple(k if isinstance(k, str) else 0 for k in path)


def mutate_elsewhere(rng: Any, data: Any, keep: list[Any], count: int) -> tuple[Any, list[Any], list[str]]:
    """Apply up to ``count`` data operators to a copy of ``data``, none of them touching the values in
    ``keep`` (mappings or lists inside ``data``) or the keys leading to them.

    Used to plant a known mistake and check it is still reported whatever else is wrong. An
    operator whose result changes a kept value, or the way to reach it, is undone and another
    one drawn. → (the mutated copy, the kept values inside it, the operators applied).
    """
    shapes = [_shape(path_to(data, k) or ()) for k in keep]
    snapshots = copy.deepcopy(keep)
    ops: list[str] = []
    for _ in range(10 * count):
        if len(ops) >= count:
            break
        memo: dict[int, Any] = {}
        trial = copy.deepcopy(data, memo)
        trial_keep = [memo[id(k)] for k in keep]
        name = rng.choice(sorted(DATA_OPS))
        if DATA_OPS[name](rng, trial) is None:
            continue
        paths = [path_to(trial, k) for k in trial_keep]
        if all(p is not None and _shape(p) == s for p, s in zip(paths, shapes)) and trial_keep == snapshots:
            data, keep = trial, trial_keep
            ops.append(name)
    return data, keep, ops


# ====================================================================== checking one definition

@dataclass
class Escape:
    """A mutant that did not end in a clear, located FormDefinitionError."""

    source: str  # the form (or include) it came from
    ops: list[str]
    kind: str  # exception | internal | unlocated | timeout | after_load
    detail: str
    mutant: str = ""  # the mutant's text (cut), to reproduce it

    def line(self) -> str:
        return f"{self.source} [{', '.join(self.ops)}] {self.kind}: {self.detail}"


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`Timeout` in the main thread after ``seconds`` (no limit elsewhere)."""
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise Timeout(f"took longer than {seconds:g} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def bad_problems(problems: list[Problem]) -> list[Problem]:
    """Problems that are not clear: no file, no line, an unknown code, or ``internal``."""
    return [p for p in problems
            if p.code == "internal" or p.code not in codes.DEFINITION or not p.file or p.line < 1
            or not p.message_zh or not p.message_en]


def check_definition(path: Path, root: Path | None = None) -> tuple[str, str]:
    """Load one definition: ``("loaded"|"rejected", "")`` or ``(escape kind, detail)``."""
    from .form import load

    try:
        with time_limit(TIMEOUT):
            try:
                form = load(path, root=root)
            except FormDefinitionError as exc:
                bad = bad_problems(exc.problems)
                if not exc.problems:
                    return "unlocated", "FormDefinitionError without problems"
                if bad:
                    kind = "internal" if any(p.code == "internal" for p in bad) else "unlocated"
                    return kind, "; ".join(p.format("en")[:300] for p in bad[:3])
                return "rejected", ""
            stage = "model"
            try:
                form.model  # noqa: B018 - builds the Pydantic model
                stage = "validate"
                result = form.validate({})
                json.dumps([e.as_dict() for e in result.errors], ensure_ascii=False)
                stage = "json_schema"
                json.dumps(form.json_schema(), ensure_ascii=False)
                for fmt, options in (("md", {}), ("html", {}), ("html", {"fillable": True}), ("docx", {})):
                    stage = f"render {fmt}{' fillable' if options else ''}"
                    form.render(fmt, **options)
            except Timeout:
                raise
            except Exception as exc:  # noqa: BLE001 - that is what we are looking for
                return "after_load", f"{stage}: {_describe(exc)}"
            return "loaded", ""
    except Timeout as exc:
        return "timeout", str(exc)
    except RecursionError as exc:
        return "exception", _describe(exc)
    except Exception as exc:  # noqa: BLE001
        return "exception", _describe(exc)


def _describe(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = next((f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames)
                  if "formengine" in f.filename or "renderers" in f.filename), "?")
    return f"{type(exc).__name__} at {where}: {str(exc)[:200]}"


# ====================================================================== the definitions job

@dataclass
class DefinitionCounts:
    tried: int = 0
    loaded: int = 0
    rejected: int = 0
    escaped: int = 0
    slow: int = 0
    slowest: float = 0.0
    seconds: float = 0.0
    slowest_mutants: list[tuple[float, str, list[str]]] = field(default_factory=list)  # the 5 slowest
    by_op: dict[str, int] = field(default_factory=dict)
    codes: dict[str, int] = field(default_factory=dict)
    escapes: list[Escape] = field(default_factory=list)


def catalog(forms: Path = FORMS) -> list[Path]:
    from .form import form_files

    return form_files(forms)


def _includes(form: Path) -> list[Path]:
    from .loader import YamlError, read_yaml

    try:
        data = read_yaml(form).data
    except YamlError:
        return []
    out = []
    names = data.get("include") if isinstance(data, dict) else None
    for rel in names if isinstance(names, list) else ():
        target = (form.parent / str(rel)).resolve()
        if target.is_file():
            out.append(target)
    return out


class Workspace:
    """A copy of the forms root in a temporary folder; each mutant replaces one file, then it is restored."""

    def __init__(self, forms: Path = FORMS, folder: Path | None = None):
        self._tmp = None if folder else tempfile.TemporaryDirectory(prefix="formengine-fuzz-")
        base = folder or Path(self._tmp.name)  # type: ignore[union-attr]
        self.root = base / "forms"
        if not self.root.exists():
            shutil.copytree(forms, self.root, ignore=shutil.ignore_patterns("*.examples.yaml"))
        (base / "outside.yaml").write_text("choices:\n  leak: [secret]\n", "utf-8")
        self.forms = sorted(p.relative_to(self.root) for p in catalog(self.root))
        self.texts = {p: (self.root / p).read_text("utf-8") for p in self.forms}

    def try_mutant(self, rng: Any, counts: DefinitionCounts | None = None) -> tuple[str, list[str], str, str]:
        """Mutate one form (or a file it includes), load it, restore. → (outcome, ops, source, detail)."""
        rel = self.forms[rng.randrange(len(self.forms))]
        form = self.root / rel
        target = form
        includes = _includes(form)
        if includes and rng.random() < 0.15:
            target = includes[rng.randrange(len(includes))]
        original = target.read_bytes()
        ops, mutant = mutate(rng, original.decode("utf-8"))
        try:
            if isinstance(mutant, bytes):
                target.write_bytes(mutant)
            else:
                target.write_bytes(mutant.encode("utf-8", "surrogatepass"))
            start = time.perf_counter()
            outcome, detail = check_definition(form)
            took = time.perf_counter() - start
        finally:
            target.write_bytes(original)
        source = str(target.relative_to(self.root))
        if counts is not None:
            counts.tried += 1
            counts.seconds += took
            counts.slowest = max(counts.slowest, took)
            counts.slow += took > SLOW
            counts.slowest_mutants = sorted([*counts.slowest_mutants, (took, source, ops)], key=lambda t: -t[0])[:5]
            for op in set(ops):
                counts.by_op[op] = counts.by_op.get(op, 0) + 1
            if outcome == "loaded":
                counts.loaded += 1
            elif outcome == "rejected":
                counts.rejected += 1
            else:
                counts.escaped += 1
                text = mutant if isinstance(mutant, str) else mutant.decode("utf-8", "replace")
                counts.escapes.append(Escape(source, ops, outcome, detail, text if len(text) < 300_000 else ""))
        return outcome, ops, source, detail

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()


def run(n: int, seed: int = 0, forms: Path = FORMS, progress: Callable[[int], None] | None = None) -> DefinitionCounts:
    """Try ``n`` mutants of the forms in ``forms``; count loaded, rejected and escaped ones."""
    rng = random.Random(seed)
    counts = DefinitionCounts()
    space = Workspace(forms)
    try:
        for i in range(n):
            space.try_mutant(rng, counts)
            if progress is not None:
                progress(i + 1)
    finally:
        space.close()
    return counts


# ====================================================================== the submissions job

@dataclass
class SubmissionCounts:
    forms: int = 0
    tried: int = 0
    valid: int = 0
    broken: int = 0
    garbage: int = 0
    escaped: int = 0
    valid_rejected: int = 0
    not_round_trip: int = 0
    broken_accepted: int = 0
    misplaced: int = 0
    seconds: float = 0.0
    escapes: list[str] = field(default_factory=list)

    @property
    def failures(self) -> int:
        return self.escaped + self.valid_rejected + self.not_round_trip + self.broken_accepted + self.misplaced


_HUGE: dict[str, Callable[[], Any]] = {  # built on demand: Hypothesis shows strategies by repr
    "10**30": lambda: 10**30, "-10**30": lambda: -(10**30), "10**5000": lambda: 10**5000, "2**64": lambda: 2**64,
    "1e308": lambda: 1e308, "-1e308": lambda: -1e308, "inf": lambda: float("inf"), "-inf": lambda: float("-inf"),
    "nan": lambda: float("nan"), "1e-320": lambda: 1e-320, "Decimal NaN": lambda: Decimal("NaN"),
    "Decimal 1E+999999": lambda: Decimal("1E+999999"), "'1e999999999'": lambda: "1e999999999",
    "'-1e999999999'": lambda: "-1e999999999", "'1e-999999999'": lambda: "1e-999999999", "'NaN'": lambda: "NaN",
    "'nan'": lambda: "nan", "'sNaN'": lambda: "sNaN", "'Infinity'": lambda: "Infinity", "'-Infinity'": lambda: "-Infinity",
    "'inf'": lambda: "inf", "'9'*5000": lambda: "9" * 5000, "'0.000…1'": lambda: "0." + "0" * 5000 + "1",
    "'1_000'": lambda: "1_000", "fullwidth digits": lambda: "１２３", "arabic digit": lambda: "٣", "'0x10'": lambda: "0x10",
    "'1e5'": lambda: "1e5", "' 12 '": lambda: " 12 ", "'12,345.67'": lambda: "12,345.67", "'¥1,000.00'": lambda: "¥1,000.00",
}
_CONTROL = "".join(chr(c) for c in (*range(9), 11, 12, *range(14, 32))) + "\ufffe\uffff"


def _named(table: dict[str, Callable[[], Any]]) -> Any:
    from hypothesis import strategies as st

    return st.sampled_from(sorted(table)).map(lambda name: table[name]())


def garbage_values() -> Any:
    """A Hypothesis strategy of JSON-like values of every shape, hostile ones weighted up."""
    from hypothesis import strategies as st

    texts = st.one_of(
        st.text(max_size=30),
        st.sampled_from(["", " ", "<script>window.__pwned=1</script>", "\u202eevil", _CONTROL, "'; DROP TABLE x;--",
                         "{0.__class__}", "%s%n", "../../etc/passwd", "javascript:alert(1)", "\ud800", "是", "2026-02-30",
                         "2026年13月1日", "25:61", "99999-99-99", "0000-00-00"]),
        st.integers(1, 3).map(lambda k: "长" * (10**k * 10)),
    )
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                        _named(_HUGE), texts)
    keys = st.one_of(texts, st.sampled_from(["value", "detail", "start", "end", "name", "children", "date", "width"]))
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(keys, inner, max_size=4)), max_leaves=12)


def deep(levels: int, kind: str = "list") -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = [value] if kind == "list" else {"children": value}
    return value


def garbage_submissions(form: Any) -> Any:
    """Whole submissions: the form's own keys (and some others) with garbage values."""
    from hypothesis import strategies as st

    keys = [m.id for m in form.spec.members] or ["x"]
    columns = [c.id for t in (*form.spec.tables, *form.spec.trees) for c in t.columns] + ["children", "zz"]
    values = garbage_values()
    rows = st.lists(st.dictionaries(st.sampled_from(columns), values, max_size=6), max_size=3)
    whole = st.dictionaries(st.sampled_from(keys), st.one_of(values, rows), max_size=8)
    specials: dict[str, Callable[[], Any]] = {
        "a list nested 5,000 deep": lambda: deep(5000),
        "children nested 200 deep": lambda: {k: [deep(200, "dict")] for k in keys},
        "every key nested 3,000 deep": lambda: {k: deep(3000) for k in keys},
        "1,000,000-character texts": lambda: {k: "长" * 1_000_000 for k in keys[:3]},
        "10**5000 everywhere": lambda: {k: 10**5000 for k in keys},
        "1e999999999 everywhere": lambda: {k: "1e999999999" for k in keys},
        "NaN everywhere": lambda: {k: float("nan") for k in keys},
        "Infinity strings everywhere": lambda: {k: "Infinity" for k in keys},
        "control characters everywhere": lambda: {k: _CONTROL for k in keys},
        "10,000 empty rows": lambda: {k: [None] * 10000 for k in keys},
        "2,000 rows of garbage": lambda: {k: [{c: "x" for c in columns}] * 2000 for k in keys[:2]},
        "a list": list, "a text": lambda: "x", "null": lambda: None, "a number": lambda: 1,
    }
    return st.one_of(whole, values, _named(specials))


def _drive(strategy: Any, count: int, seed: int, body: Callable[[Any], None]) -> None:
    """Call ``body`` on ``count`` values of a Hypothesis strategy, seeded, outside pytest."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=False)
    @hseed(seed)
    @given(strategy)
    def inner(value: Any) -> None:
        body(value)

    inner()


def check_submission(form: Any, data: Any) -> tuple[Any, str]:
    """Validate; never raises. → (result or None, escape description or "")."""
    try:
        with time_limit(SUBMISSION_TIMEOUT):
            result = form.validate(data)
            for e in result.errors:
                if not isinstance(e.path, str) or not e.code or not e.message_zh or not e.message_en:
                    return result, f"unclear issue {e!r}"
            if result.ok:
                json.dumps(result.data(), ensure_ascii=False)
            return result, ""
    except Exception as exc:  # noqa: BLE001
        return None, _describe(exc)


def run_submissions(n: int, seed: int = 0, forms: Path = FORMS) -> SubmissionCounts:
    """About ``n`` submissions spread over every form: valid, broken and garbage ones."""
    from .form import load
    from .testing import broken_submissions, valid_submissions

    counts = SubmissionCounts()
    files = catalog(forms)
    counts.forms = len(files)
    per = max(1, n // max(1, len(files)))
    start = time.perf_counter()
    for i, path in enumerate(files):
        form = load(path)
        share = max(1, per // 3)

        def valid(data: Any, form: Any = form, name: str = path.stem) -> None:
            counts.tried += 1
            counts.valid += 1
            result, escape = check_submission(form, data)
            if escape:
                counts.escaped += 1
                counts.escapes.append(f"{name} valid: {escape}")
            elif not result.ok:
                counts.valid_rejected += 1
                counts.escapes.append(f"{name} valid data rejected: {result.format('en')[:300]}")
            else:
                again, escape = check_submission(form, json.loads(json.dumps(result.data(), ensure_ascii=False)))
                if escape or not again.ok or again.value != result.value:
                    counts.not_round_trip += 1
                    counts.escapes.append(f"{name} changed by JSON: {escape or again.format('en')[:300]}")

        def broken(case: Any, form: Any = form, name: str = path.stem) -> None:
            data, key = case
            counts.tried += 1
            counts.broken += 1
            result, escape = check_submission(form, data)
            if escape:
                counts.escaped += 1
                counts.escapes.append(f"{name} broken: {escape}")
            elif result.ok:
                counts.broken_accepted += 1
                counts.escapes.append(f"{name} broken data accepted (key {key})")
            elif not any(e.path == key or e.path.startswith((key + ".", key + "[")) for e in result.errors):
                counts.misplaced += 1
                counts.escapes.append(f"{name} error not at {key}: {result.format('en')[:300]}")

        def garbage(data: Any, form: Any = form, name: str = path.stem) -> None:
            counts.tried += 1
            counts.garbage += 1
            _, escape = check_submission(form, data)
            if escape:
                counts.escaped += 1
                counts.escapes.append(f"{name} garbage {_short(data)}: {escape}")

        _drive(valid_submissions(form), share, seed + i, valid)
        _drive(broken_submissions(form), share, seed + i, broken)
        _drive(garbage_submissions(form), max(1, per - 2 * share), seed + i, garbage)
    counts.seconds = time.perf_counter() - start
    return counts


def _short(value: Any) -> str:
    import reprlib

    shown = reprlib.Repr()
    shown.maxlevel, shown.maxstring, shown.maxother, shown.maxlong = 3, 40, 40, 40
    return shown.repr(value)


# ====================================================================== the sandbox table

@dataclass(frozen=True)
class Payload:
    """An expression that tries to leave the sandbox; it must be refused when the form loads."""

    name: str
    expr: str
    slots: tuple[str, ...] = ("compute", "visible_if", "check")
    codes: tuple[str, ...] = ()  # the codes expected (any of them); empty: any expr.* code


SANDBOX_PAYLOADS: tuple[Payload, ...] = (
    Payload("dunder attribute", "amount.__class__", codes=("expr.forbidden",)),
    Payload("__import__", "__import__('os').system('true')", codes=("expr.forbidden",)),
    Payload("__builtins__", "__builtins__", codes=("expr.forbidden",)),
    Payload("builtins module name", "builtins.open", codes=("expr.unknown_name",)),
    Payload("eval", "eval('1')", codes=("expr.unknown_function",)),
    Payload("exec", "exec('import os')", codes=("expr.unknown_function",)),
    Payload("open", "open('/etc/passwd')", codes=("expr.unknown_function",)),
    Payload("getattr", "getattr(amount, 'real')", codes=("expr.unknown_function",)),
    Payload("globals", "globals()", codes=("expr.unknown_function",)),
    Payload("type()", "type(amount)", codes=("expr.unknown_function",)),
    Payload("class bases chain", "().__class__.__bases__[0].__subclasses__()", codes=("expr.forbidden",)),
    Payload("attribute chain", "lines.price.real", codes=("expr.forbidden",)),
    Payload("method of a number", "amount.as_integer_ratio", codes=("expr.attribute",)),
    Payload("method of a text", "name.format", codes=("expr.attribute",)),
    Payload("attribute of a function", "sum.__globals__", codes=("expr.forbidden",)),
    Payload("list comprehension", "[x for x in lines]", codes=("expr.forbidden",)),
    Payload("generator expression", "sum(x for x in [1, 2])", codes=("expr.forbidden",)),
    Payload("set comprehension", "{x for x in [1]}", codes=("expr.forbidden",)),
    Payload("dict display", "{'a': 1}", codes=("expr.forbidden",)),
    Payload("lambda", "(lambda: 1)()", codes=("expr.forbidden",)),
    Payload("walrus", "(y := 1) + y", codes=("expr.forbidden",)),
    Payload("f-string", "f'{amount.__class__}'", codes=("expr.forbidden",)),
    Payload("format() with a format-string attack", "format(amount, '{0.__class__.__init__.__globals__}')",
            codes=("expr.forbidden",)),
    Payload("format() with %", "format(amount, '%s%s%n')", codes=("expr.forbidden",)),
    Payload("printf-style %", "'%s' % name", codes=("expr.type",)),
    Payload("tower of powers", "9**9**9**9", codes=("expr.too_large",)),
    Payload("power by a field", "2 ** qty", codes=("expr.too_large",)),
    Payload("text times a billion", "'a' * 10**9", codes=("expr.type",)),
    Payload("huge int literal", "123456789012345678901234567890 + 1", codes=("expr.too_large",)),
    Payload("huge float literal", "1e999 * amount", codes=("expr.too_large",)),
    Payload("huge exponent", "10 ** 100", codes=("expr.too_large",)),
    Payload("deep nesting", "-" * 60 + "1", codes=("expr.too_large",)),
    Payload("deep lists", "1 in " + "[" * 40 + "1" + "]" * 40, codes=("expr.too_large",)),
    Payload("very long expression", " + ".join(["amount"] * 160), codes=("expr.too_large",)),
    Payload("many nodes", "1 in [" + ",".join(["1"] * 450) + "]", codes=("expr.too_large",)),
    Payload("long text constant", "name == '" + "x" * 300 + "'", codes=("expr.too_large",)),
    Payload("cycle through computed fields", "cyc * 2", slots=("compute",), codes=("compute.cycle",)),
    Payload("self reference", "target + 1", slots=("compute",), codes=("compute.cycle",)),
    Payload("subscript", "name[0]", codes=("expr.forbidden",)),
    Payload("slice", "name[::-1]", codes=("expr.forbidden",)),
    Payload("starred argument", "max(*lines.n)", codes=("expr.forbidden",)),
    Payload("keyword argument", "round(amount, ndigits=2)", codes=("expr.forbidden",)),
    Payload("unicode lookalike name (fullwidth)", "ａmount + 1", codes=("expr.forbidden",)),
    Payload("unicode lookalike function (ligature)", "ﬁlled(name)", codes=("expr.forbidden",)),
    Payload("fullwidth dunder", "＿＿import＿＿('os')", codes=("expr.forbidden", "expr.syntax")),
    Payload("cyrillic lookalike", "аmount + 1", codes=("expr.unknown_name",)),
    Payload("name `form`", "form", codes=("expr.unknown_name",)),
    Payload("name `row`", "row", codes=("expr.unknown_name",)),
    Payload("name `ctx`", "ctx", codes=("expr.unknown_name",)),
    Payload("runtime `R`", "R.fn.constructor('return 1')()", codes=("expr.forbidden",)),
    Payload("compiler helper", "_add(1, 2)", codes=("expr.forbidden",)),
    Payload("bytes literal", "b'\\x00' == name", codes=("expr.forbidden",)),
    Payload("complex literal", "1j + amount", codes=("expr.forbidden",)),
    Payload("ellipsis", "... == amount", codes=("expr.forbidden",)),
    Payload("is operator", "amount is None", codes=("expr.forbidden",)),
    Payload("bitwise shift", "qty << 100000", codes=("expr.forbidden",)),
    Payload("matmul", "qty @ qty", codes=("expr.forbidden",)),
    Payload("statement", "import os", codes=("expr.syntax",)),
    Payload("two statements", "amount; __import__('os')", codes=("expr.syntax", "expr.forbidden")),
    Payload("second line", "amount\n+ 1", codes=("expr.syntax",)),
    Payload("NUL byte", "amount\x00", codes=("expr.syntax",)),
    Payload("yield", "(yield 1)", codes=("expr.forbidden", "expr.syntax")),
    Payload("await", "await amount", codes=("expr.forbidden", "expr.syntax")),
    Payload("break out of the JS string", "name == '</script><script>window.__pwned=1</script>", codes=("expr.syntax",)),
    Payload("break out with a backslash", "name == '\\'); window.__pwned=1; //", codes=("expr.syntax",)),
    Payload("JS comment injection", "amount */ + window.__pwned", codes=("expr.syntax",)),
    Payload("context function outside its table", "row_number()", codes=("expr.context",)),
)

# Accepted by design and proven inert by the tests (tests/test_sandbox.py, tests/test_hostile_render.py).
INERT_PAYLOADS: tuple[str, ...] = (
    "name != '</script><script>window.__pwned=1</script>'",
    "name != '<!--<script>'",
    "name != '\\u2028\\u2029'",
    "concat(name, '\"); window.__pwned=1; (\"') != ''",
    "format(amount, name) != '{0.__class__}'",
)

SANDBOX_FORM = """\
id: sandbox
title: 沙箱
sections:
  - title: 一
    items:
      - {{id: amount, label: 金额, type: money}}
      - {{id: qty, label: 数量, type: integer}}
      - {{id: name, label: 名称, type: text}}
      - table:
          id: lines
          columns:
            - {{id: price, label: 单价, type: money}}
            - {{id: n, label: 数量, type: integer}}
      - {{id: cyc, label: 循环, type: integer, compute: target + 1}}
      - {{id: target, label: 目标, type: integer{target}}}
checks:
  - {{rule: {rule}, message: 检查}}
"""


def sandbox_form(expr: str, slot: str) -> str:
    """The small form's text with ``expr`` in ``slot`` (``compute``, ``visible_if`` or ``check``)."""
    quoted = json.dumps(expr, ensure_ascii=True)
    target = f", {slot}: {quoted}" if slot != "check" else ""
    return SANDBOX_FORM.format(target=target, rule=quoted if slot == "check" else json.dumps("qty >= 0"))


def check_payload(folder: Path, expr: str, slot: str) -> list[Problem] | None:
    """Load the sandbox form carrying ``expr``; its problems, or None when it loads."""
    from .form import load

    path = folder / f"sandbox_{slot}.yaml"
    path.write_text(sandbox_form(expr, slot), "utf-8")
    try:
        with time_limit(TIMEOUT):
            load(path)
    except FormDefinitionError as exc:
        return exc.problems
    return None


@dataclass
class SandboxCounts:
    payloads: int = 0
    tried: int = 0
    rejected: int = 0
    failures: list[str] = field(default_factory=list)


def run_sandbox() -> SandboxCounts:
    counts = SandboxCounts(payloads=len(SANDBOX_PAYLOADS))
    with tempfile.TemporaryDirectory(prefix="formengine-sandbox-") as tmp:
        for p in SANDBOX_PAYLOADS:
            for slot in p.slots:
                counts.tried += 1
                try:
                    problems = check_payload(Path(tmp), p.expr, slot)
                except Exception as exc:  # noqa: BLE001
                    counts.failures.append(f"{p.name} in {slot}: {_describe(exc)}")
                    continue
                found = {q.code for q in problems or ()}
                ok = bool(problems) and not bad_problems(problems or []) and (
                    bool(found & set(p.codes)) if p.codes else any(c.startswith("expr.") for c in found))
                if ok:
                    counts.rejected += 1
                else:
                    counts.failures.append(f"{p.name} in {slot}: {sorted(found) or 'loaded'}")
    return counts


# ====================================================================== report

def report(defs: DefinitionCounts | None, subs: SubmissionCounts | None, sandbox: SandboxCounts | None,
           command: str, seed: int) -> str:
    from . import __version__

    today = dt.date.today().isoformat()
    escaped = (defs.escaped if defs else 0) + (subs.escaped if subs else 0) + (
        len(sandbox.failures) if sandbox else 0)
    out = [
        "# Reliability and security / 可靠性与安全",
        "",
        (f"Generated {today} by `{command}` (formengine {__version__}, seed {seed}, Python "
         f"{sys.version.split()[0]}). Do not edit by hand: run the command again."),
        "",
        "Bad or hostile input must end in a clear error — a `FormDefinitionError` whose every problem",
        "has a file, a line and a stable code, or validation issues with a path and a code — and never",
        "in a crash, a hang or a silently dropped value. `formengine/fuzz.py` tries it; the test suite",
        "runs the same loops with smaller numbers (`FORMENGINE_LONG=1` runs the long job).",
        "",
        "## Figures",
        "",
        "| what | count |",
        "|---|---:|",
    ]
    if defs:
        out += [
            f"| definitions tried (mutants of the {len(catalog())} catalog forms) | {defs.tried:,} |",
            f"| — loaded (the mutation left a valid form) | {defs.loaded:,} |",
            f"| — rejected with located problems | {defs.rejected:,} |",
            f"| — escaped (crash, `internal`, unlocated problem, timeout) | **{defs.escaped:,}** |",
        ]
    if subs:
        out += [
            f"| submissions tried ({subs.forms} forms) | {subs.tried:,} |",
            f"| — generated valid: accepted and unchanged after JSON | {subs.valid - subs.valid_rejected - subs.not_round_trip:,} of {subs.valid:,} |",
            f"| — generated broken: rejected at their path | {subs.broken - subs.broken_accepted - subs.misplaced:,} of {subs.broken:,} |",
            f"| — raw garbage (every JSON shape, deep, huge, NaN/Infinity, control characters) | {subs.garbage:,} |",
            f"| — exceptions escaped from `validate` | **{subs.escaped:,}** |",
        ]
    if sandbox:
        out += [
            f"| sandbox payloads ({sandbox.payloads} escape attempts × compute / visible_if / check) | {sandbox.tried:,} |",
            f"| — rejected at load with an `expr.*` or `compute.cycle` code | {sandbox.rejected:,} |",
        ]
    out += [f"| **exceptions escaped, all jobs** | **{escaped:,}** |", ""]
    if defs:
        out += ["## Definitions", "",
                (f"{defs.tried:,} mutants in {defs.seconds:.0f} s (slowest {defs.slowest:.2f} s, {defs.slow} over "
                 f"{SLOW:g} s; the limit is {TIMEOUT:g} s). Mutants per operator (a mutant may combine several):"), "",
                "| operator | mutants |", "|---|---:|"]
        out += [f"| `{op}` | {n:,} |" for op, n in sorted(defs.by_op.items())]
        out += [""]
        if defs.escapes:
            out += ["Escapes:", ""] + [f"* {e.line()}" for e in defs.escapes[:50]] + [""]
    if subs:
        out += ["## Submissions", "",
                (f"{subs.tried:,} submissions in {subs.seconds:.0f} s: for every form, valid ones from "
                 "`formengine.testing.valid_submissions`, broken ones from `broken_submissions` and garbage "
                 "from `formengine.fuzz.garbage_submissions`."), ""]
        if subs.escapes:
            out += ["Failures:", ""] + [f"* {e}" for e in subs.escapes[:50]] + [""]
    if sandbox:
        out += ["## Expression sandbox", "",
                "Every payload of `formengine.fuzz.SANDBOX_PAYLOADS` is written into a field's `compute`, a",
                "`visible_if` and a check of a small form; each must be refused when the form loads:", "",
                "| escape attempt | expression | code |", "|---|---|---|"]
        for p in SANDBOX_PAYLOADS:
            shown = p.expr if len(p.expr) <= 60 else p.expr[:57] + "…"
            shown = shown.replace("|", "\\|").replace("\n", "\\n").replace("\x00", "\\x00").replace("`", "'")
            name = p.name.replace("_", "\\_") if "`" not in p.name else p.name  # __import__ is not bold
            out.append(f"| {name} | `{shown}` | {', '.join(p.codes) or 'expr.*'} |")
        out += [""]
        if sandbox.failures:
            out += ["Not refused:", ""] + [f"* {f}" for f in sandbox.failures] + [""]
    out += FOUND + POLICY
    return "\n".join(out) + "\n"


FOUND = [
    "## What the fuzzers found (fixed, each with a regression test)",
    "",
    "* **YAML nested 200,000 levels deep** (`[[[[…`, 400 KB) killed the process: libyaml's composer",
    "  overflows the C stack (a segmentation fault, not an exception). The loader now checks the",
    "  nesting on the event stream first: `yaml.too_deep`.",
    "* **Alias bombs** were expanded up to 200,000 values before being refused (about 2 s); the size",
    "  is now measured on the node graph before anything is built, and an anchor holding its own",
    "  alias is refused at once. A tagged mapping key (`? !!python/name:os.system`) was read as text:",
    "  now `yaml.tag`.",
    "* **Whole-file problems** (unreadable, not UTF-8, over 2 MB) were reported at line 0; they are at",
    "  line 1, or at the first byte that is not UTF-8, and a file over the limit is no longer read whole.",
    "  Characters YAML refuses are located at their line (were 1:1).",
    "* **Blocks using themselves** (directly or through another block) crashed the builder with a",
    "  RecursionError, reported as `internal`: now `ref.block_cycle`. Blocks nested deeper than 20",
    "  were skipped silently (their fields vanished): now `form.too_large`. Blocks using the block",
    "  below twice, 24 levels deep (2^24 fields), took exponential time: a 20,000-item budget, and",
    "  each block's ids are collected once.",
    "* **A numbered grid axis** `{from: 1, to: 1000000000}` built a billion labels while loading;",
    "  `{from: 32, to: 31}` loaded as a grid without columns and crashed the Word renderer;",
    "  `print_rows` / `lines` of 10^9 made the blank form run out of memory.",
    "* **An include named by 20,000 characters** made `Path.resolve()` raise OSError (file name too",
    "  long), reported as `internal`: now `include.not_found`. A builder crash explained by a broken",
    "  *include* (the form itself valid) was labelled `internal`: the schema problems of includes now",
    "  count like the form's own.",
    "* **Huge numbers in submissions**: `1e999999999` was a valid amount, and rendering it raised",
    "  `InvalidOperation` or built a billion-digit text; a 5,000-digit integer was valid and could",
    "  not be printed or written as JSON. Numbers now have at most 28 digits.",
    "* **Submissions nested thousands of levels deep** made `validate` raise RecursionError",
    "  (`copy.deepcopy`); the copy is iterative now.",
    "* **Expressions**: `coalesce(name) * 1000000000` built a multi-gigabyte text before its length",
    "  was checked, and `((x ** 10) ** 10) ** 10 …` computed integers of billions of digits: both are",
    "  refused before any work (in runtime.js too). Python rewrote the lookalike names `ａmount` and",
    "  `ﬁlled` into real ones; a `format()` pattern could carry `{0.__class__}`; `1e999` was accepted",
    "  as infinity; a NUL character was reported as \"too deeply nested\"; `ExprError` turned into",
    "  `FrozenInstanceError` when raised inside a `with` block.",
    "* **A hidden computed field**: a submitted value was set to null without a word (or reported as",
    "  a wrong computed value though the field did not apply): now `hidden_filled`.",
    "* **Control characters** were accepted in values and deleted silently from Word documents;",
    "  vertical tab and U+001C–U+001F at either end of a value were trimmed away as whitespace.",
    "* **A malformed piece hid the mistakes after it**: a value of the wrong kind (`type: {…}`,",
    "  `places: [1]`, a table column that is a number), already reported by the schema, crashed the",
    "  builder, and every problem it would have found further on was lost (4 in 300 mutants with a",
    "  planted mistake). Each section, item, column and check is now built on its own when the file",
    "  has schema problems; `tests/test_all_at_once.py` plants a mistake and mutates elsewhere.",
    "",
]

POLICY = [
    "## Limits and decisions",
    "",
    "* **YAML**: only the core schema's tags; aliases expanded within 200,000 nodes; nesting at most",
    "  64 levels, checked on the event stream before anything is built (a deeper document could",
    "  overflow the C stack of libyaml's composer); files at most 2 MB; includes stay inside the forms",
    "  root (`../`, absolute paths and symbolic links leaving it are refused).",
    "* **Definitions**: a form expands (blocks, groups, uses) to at most 20,000 items and 20 levels of",
    "  blocks using blocks; a numbered grid axis has at most 1,000 labels; `print_rows` and `lines` at",
    "  most 1,000; no text of a definition holds a control character (`schema.control_chars`).",
    "* **Expressions**: a whitelist of node types; no name that Unicode normalisation rewrites",
    "  (Python would read the lookalike `ａmount` as `amount`); at most 1,000 characters, 30 levels,",
    "  400 nodes; constants at most 10^15; exponents constant and at most 10; `format()` patterns",
    "  without `{`, `}` or `%`; text constants without control characters. At run time `+`,",
    "  repetition, `concat()`, `format()` and `upper()` give at most 10,000 characters, a repeated",
    "  list at most 1,000,000 items, a whole-number power at most 4,096 bits; beyond that the rule",
    "  reports `evaluation` (nothing is computed first). The other functions are linear in the data",
    "  submitted.",
    "* **Numbers in submissions**: at most 28 digits, decimal places included (Decimal's precision);",
    "  a larger number, NaN or Infinity is refused with `type`. Validation time is linear in the",
    "  size of the submission. A submission reports at most 1,000 issues; past them the work stops",
    "  and one more issue, `too_many_issues`, says the rest were left out.",
    "* **Control characters** (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, U+FFFE, U+FFFF) in a",
    "  submitted text are **refused at validation** with the code `control_chars` at the value's path:",
    "  they cannot be stored in a Word document (XML 1.0 forbids them) and are never typed on purpose.",
    "  Nothing is stripped or replaced silently. Tab, line feed and carriage return are ordinary text.",
    "* **Hostile text** (`<script>`, `\"><img onerror=…>`, `</style>`, `javascript:` addresses, U+202E)",
    "  is printed as text in every format; the HTML pages run no script but their own.",
    "",
]


# ====================================================================== command line

def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m formengine.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--definitions", type=int, default=0, metavar="N", help="mutants of the catalog forms")
    parser.add_argument("--submissions", type=int, default=0, metavar="N", help="submissions over every form")
    parser.add_argument("--sandbox", action="store_true", help="the sandbox payload table")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--forms", type=Path, default=FORMS)
    parser.add_argument("--report", type=Path, metavar="FILE",
                        help="write the figures as Markdown (runs the sandbox table, and 10,000 definitions and "
                             "5,000 submissions unless numbers are given)")
    args = parser.parse_args(argv)
    if args.report and not (args.definitions or args.submissions):
        args.definitions, args.submissions = 10_000, 5_000
    if args.report:
        args.sandbox = True
    _limit_memory()
    defs = subs = sandbox = None
    if args.definitions:
        step = max(1, args.definitions // 20)

        def progress(i: int) -> None:
            if i % step == 0:
                print(f"definitions: {i}/{args.definitions}", file=sys.stderr, flush=True)

        defs = run(args.definitions, args.seed, args.forms, progress)
        print(f"definitions: tried {defs.tried}, loaded {defs.loaded}, rejected {defs.rejected}, "
              f"escaped {defs.escaped} ({defs.seconds:.0f} s, slowest {defs.slowest:.2f} s)")
        for took, source, ops in defs.slowest_mutants:
            print(f"  slow: {took:.2f} s {source} [{', '.join(ops)}]")
        for e in defs.escapes:
            print("  " + e.line())
    if args.submissions:
        subs = run_submissions(args.submissions, args.seed, args.forms)
        print(f"submissions: tried {subs.tried} (valid {subs.valid}, broken {subs.broken}, garbage {subs.garbage}), "
              f"escaped {subs.escaped}, other failures {subs.failures - subs.escaped} ({subs.seconds:.0f} s)")
        for line in subs.escapes:
            print("  " + line)
    if args.sandbox:
        sandbox = run_sandbox()
        print(f"sandbox: {sandbox.rejected}/{sandbox.tried} rejected")
        for line in sandbox.failures:
            print("  " + line)
    if args.report:
        command = "python -m formengine.fuzz " + " ".join(argv if argv is not None else sys.argv[1:])
        args.report.write_text(report(defs, subs, sandbox, command.strip(), args.seed), "utf-8")
        print(f"wrote {args.report}")
    failed = (defs.escaped if defs else 0) + (subs.failures if subs else 0) + (len(sandbox.failures) if sandbox else 0)
    return 1 if failed else 0


def _limit_memory() -> None:
    """Keep a runaway mutant from taking the machine down: a MemoryError is an escape like any other."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        limit = int(os.environ.get("FORMENGINE_FUZZ_MEMORY", str(4 * 1024**3)))
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))


if __name__ == "__main__":
    sys.exit(main())


__all__ = [
    "INERT_PAYLOADS", "SANDBOX_PAYLOADS", "DefinitionCounts", "Escape", "Payload", "SubmissionCounts", "Workspace",
    "check_definition", "check_payload", "garbage_submissions", "garbage_values", "mutate", "mutate_elsewhere",
    "path_to", "run",
    "run_sandbox", "run_submissions", "sandbox_form", "typo",
]
