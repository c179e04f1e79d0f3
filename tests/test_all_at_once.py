"""Every mistake at once: a structural mistake must not hide the other mistakes of a definition.

When the schema refuses a value, the builder still runs to find the semantic problems (unknown
names, duplicate ids …). Code that assumes a well-formed value used to raise on a malformed one
(``places: [1]``, a column that is a number) and every problem after that point went missing.
Here a known semantic mistake is planted in a catalogue form, random structural mutations are
made *elsewhere*, and the planted problem must still be reported, at its line.
"""

from __future__ import annotations

import copy
import random
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import formengine
from formengine import fuzz
from formengine.builder import Builder, build_form
from formengine.errors import FormDefinitionError, Problem
from formengine.form import form_files
from formengine.loader import Document, parse_yaml

from .conftest import FORMS
from .helpers import write_form

UNKNOWN = "zz_unknown"  # the name planted in an expression: no form defines it
CASES = 300
SEED = 2024

Build = Callable[[Path], object]


# ---------------------------------------------------------------- written by hand

HEAD = """\
id: t
title: 测试
sections:
  - title: 一
    items:
      - {id: a, label: A, type: decimal}
"""
LATER = """\
  - title: 二
    items:
      - {id: b, label: B, type: decimal, compute: a + zz_unknown}
"""
LATER_LINE = HEAD.count("\n") + 1 + LATER.count("\n")  # the malformed item takes one line


@pytest.mark.parametrize("malformed", [
    "      - table: {id: lines, columns: [5]}",  # a column that is a number
    "      - table: {id: lines, columns: 5}",
    "      - table: {id: lines, columns: [{id: c, label: C, type: text}], min_rows: '['}",
    "      - table: {id: lines, columns: [{id: c, label: C, type: {x: 1}}]}",
    "      - {id: c, label: C, type: decimal, places: [1]}",
    "      - {id: c, label: C, type: textarea, lines: {x: 1}}",
    "      - grid: {id: g, rows: [r], columns: {from: x}, cell: {type: integer}}",
    "      - grid: {id: g, rows: [r], columns: [c], cell: {type: {x: 1}}}",
    "      - {use: {x: 1}}",
])
def test_a_schema_problem_does_not_hide_a_later_unknown_name(tmp_path: Path, malformed: str) -> None:
    found = _problems(write_form(tmp_path, HEAD + malformed + "\n" + LATER))
    assert not fuzz.bad_problems(found), [p.format("en") for p in found]
    malformed_line = HEAD.count("\n") + 1
    assert ("expr.unknown_name", LATER_LINE) in [(p.code, p.line) for p in found]
    others = [p for p in found if p.code != "expr.unknown_name"]
    assert others and all(p.code.startswith("schema.") and p.line == malformed_line for p in others), \
        [p.format("en") for p in found]


@pytest.mark.parametrize("item", [
    "      - {label: C, type: decimal}",  # a field without an id
    "      - table: {label: L, columns: [{label: C, type: text}]}",  # a table and a column without one
    "      - {id: 7, label: C, type: decimal}",  # an id that is a number
])
def test_a_missing_id_is_reported_by_the_schema_alone(tmp_path: Path, item: str) -> None:
    """It was also reported as the reserved word "None" (or declared as the id "7")."""
    found = _problems(write_form(tmp_path, HEAD + item + "\n" + LATER))
    assert ("expr.unknown_name", LATER_LINE) in [(p.code, p.line) for p in found]
    others = [p for p in found if p.code != "expr.unknown_name"]
    assert others and all(p.code.startswith("schema.") for p in others), [p.format("en") for p in found]


def test_a_malformed_item_drops_only_itself(tmp_path: Path) -> None:
    """Problems of the items before and after it, in the same section, a table and the checks, stay."""
    found = _problems(write_form(tmp_path, """\
        id: t
        title: 测试
        sections:
          - title: 一
            items:
              - {id: a, label: A, type: decimal, compute: zz_before}
              - {id: c, label: C, type: decimal, places: [1], compute: zz_inside}
              - {id: a, label: again, type: decimal}
              - table:
                  id: lines
                  columns:
                    - {id: q, label: Q, type: decimal, places: {x: 1}}
                    - {id: p, label: P, type: money, compute: zz_column}
                  checks:
                    - {rule: zz_row_check > 0, message: 行}
            checks:
              - {rule: zz_section_check > 0, message: 节}
        checks:
          - {rule: zz_form_check > 0, message: 表}
        """))
    assert not fuzz.bad_problems(found), [p.format("en") for p in found]
    got = {(p.code, p.line) for p in found}
    assert {("expr.unknown_name", 6), ("id.duplicate", 8), ("expr.unknown_name", 13),
            ("expr.unknown_name", 15), ("expr.unknown_name", 17), ("expr.unknown_name", 19)} <= got
    assert {("schema.type", 7), ("schema.type", 12)} <= got


def test_on_a_valid_file_a_crash_is_still_an_internal_problem(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing the schema refused explains a crash there: it is our bug, and must not be hidden."""
    def crash(self: Builder, *args: object, **kwargs: object) -> None:
        raise TypeError("a bug")

    monkeypatch.setattr(Builder, "grid", crash)
    grid = "      - grid: {id: g, rows: [r], columns: [c], cell: {type: integer}}\n"
    found = _problems(write_form(tmp_path, HEAD + grid + LATER))
    assert [p.code for p in found if "TypeError: a bug" in p.message_en] == ["internal"]


def _problems(path: Path) -> list[Problem]:
    with pytest.raises(FormDefinitionError) as info:
        formengine.load(path)
    return info.value.problems


# ---------------------------------------------------------------- planted in the catalogue


@dataclass(frozen=True)
class Plant:
    """A semantic mistake planted in a form: its code, and where in the planted mappings it is reported."""

    form: Path  # relative to the forms root
    data: Any  # the whole form, mistake planted
    keep: tuple[Any, ...]  # the mappings holding the mistake: no mutation may touch them
    code: str
    key: str  # reported at this key of one of ``keep``: the last of them in the file

    def line(self, doc: Document, data: Any, keep: list[Any]) -> int:
        """The line the problem must be reported at, in a (mutated) copy read as ``doc``."""
        return max(doc.where((fuzz.path_to(data, k) or ()) + (self.key,))[0] for k in keep)


def _reached(data: Any) -> Iterator[tuple[dict[str, Any], str]]:
    """Every field, column, blank, group and table the sections reach without a block, in order."""
    def items(seq: Any) -> Iterator[tuple[dict[str, Any], str]]:
        for item in seq if isinstance(seq, list) else ():
            if not isinstance(item, dict) or "use" in item:
                continue
            for kind in ("group", "table", "tree"):
                inner = item.get(kind)
                if isinstance(inner, dict):
                    yield inner, kind
                    yield from items(inner.get("items"))
                    yield from ((c, "column") for c in inner.get("columns") or () if isinstance(c, dict))
            if isinstance(item.get("text"), (str, dict)):
                yield from ((b, "blank") for b in item.get("blanks") or () if isinstance(b, dict))
            elif "id" in item and "type" in item:
                yield item, "field"

    for section in data.get("sections") or ():
        if isinstance(section, dict) and "use" not in section:
            yield from items(section.get("items"))


def _candidates(data: Any) -> list[tuple[str, tuple[Any, ...]]]:
    """Where a mistake can be planted: ("compute"|"visible_if", path) or ("duplicate", path, path)."""
    out: list[tuple[str, tuple[Any, ...]]] = []
    fields = []
    for mapping, kind in _reached(data):
        path = fuzz.path_to(data, mapping)
        for key in ("compute", "visible_if"):
            if isinstance(mapping.get(key), str) or (key == "visible_if" and kind == "field"):
                out.append((key, (path,)))
        if kind == "field":
            fields.append(path)
    out += [("duplicate", (a, b)) for i, a in enumerate(fields) for b in fields[i + 1:]]
    return out


def _plant(rel: Path, pristine: Any, how: str, paths: tuple[Any, ...]) -> Plant:
    data = copy.deepcopy(pristine)
    keep = []
    for path in paths:
        node = data
        for key in path:
            node = node[key]
        keep.append(node)
    if how == "duplicate":  # the later field takes the id of the earlier one
        keep[1]["id"] = keep[0]["id"]
        return Plant(rel, data, tuple(keep), "id.duplicate", "id")
    keep[0][how] = UNKNOWN
    return Plant(rel, data, tuple(keep), "expr.unknown_name", how)


@dataclass
class Survey:
    """What happened to the planted problem over many mutants."""

    tried: int = 0
    structural: int = 0  # mutants the schema refused
    planted: set[tuple[str, str]] = field(default_factory=set)  # (code, key) of the plants drawn
    lost: list[str] = field(default_factory=list)


def _load_problems(build: Build, path: Path) -> list[Problem] | None:
    try:
        build(path)
    except FormDefinitionError as exc:
        return exc.problems
    return None


class Planter:
    """Plants mistakes in a copy of the forms root, mutates the rest, and looks for the planted problem."""

    def __init__(self, root: Path):
        self.root = root
        self.forms = sorted(p.relative_to(root) for p in form_files(root))
        self.data = {rel: parse_yaml((root / rel).read_text("utf-8")).data for rel in self.forms}
        self.candidates = {rel: _candidates(self.data[rel]) for rel in self.forms}

    def draw(self, rng: random.Random) -> Plant:
        """An unknown name in a compute or visible_if, or (about one time in three) a duplicate id."""
        while True:
            rel = self.forms[rng.randrange(len(self.forms))]
            cands = self.candidates[rel]
            dup = [c for c in cands if c[0] == "duplicate"]
            expr = [c for c in cands if c[0] != "duplicate"]
            pool = dup if dup and (rng.random() < 0.3 or not expr) else expr
            if pool:
                return _plant(rel, self.data[rel], *pool[rng.randrange(len(pool))])

    def build(self, build: Build, plant: Plant, data: Any, keep: list[Any]) -> tuple[list[Problem] | None, int]:
        """Build ``data`` (the plant, mutated or not) as a file beside the form, so that its includes
        resolve the same way. → (the problems, None if it loaded; the line of the planted problem)."""
        text = fuzz.dump(data)
        path = self.root / plant.form.parent / f"zz_case_{plant.form.name}"
        path.write_text(text, "utf-8")
        try:
            found = _load_problems(build, path)
        finally:
            path.unlink()
        if found is not None and any(p.code.startswith(("yaml.", "file.")) for p in found):
            return found, 0  # the file cannot be read at all (too deep, too large): no line for anything
        mine = None if found is None else [p for p in found if p.file == str(path)]  # not the includes'
        return mine, plant.line(parse_yaml(text), data, keep)

    def survey(self, build: Build, cases: int, seed: int) -> Survey:
        """Plant, mutate elsewhere, build with ``build``: which mutants lost the planted problem?"""
        rng = random.Random(seed)
        out = Survey()
        while out.tried < cases:
            plant = self.draw(rng)
            data, keep, ops = fuzz.mutate_elsewhere(rng, plant.data, list(plant.keep), rng.randint(1, 3))
            if not ops:
                continue
            try:
                found, line = self.build(build, plant, data, keep)
            except RecursionError:  # PyYAML cannot write it back: nested too deep
                continue
            if not line:
                continue  # no semantic pass is possible on a file that cannot be read
            out.tried += 1
            out.planted.add((plant.code, plant.key))
            out.structural += any(p.code.startswith("schema.") for p in found or ())
            if (plant.code, line) not in {(p.code, p.line) for p in found or ()}:
                alone, alone_line = self.build(build_form, plant, plant.data, list(plant.keep))
                premise = "reported" if (plant.code, alone_line) in {(p.code, p.line) for p in alone or ()} else "LOST"
                out.lost.append(f"{plant.form} {plant.code}@{line} [{', '.join(ops)}] → "
                                f"{sorted({p.code for p in found or ()})} (the plant alone: {premise})")
        return out


@pytest.fixture(scope="module")
def planter(tmp_path_factory: pytest.TempPathFactory) -> Planter:
    root = tmp_path_factory.mktemp("planted") / "forms"
    shutil.copytree(FORMS, root, ignore=shutil.ignore_patterns("*.examples.yaml"))
    return Planter(root)


def test_a_planted_mistake_survives_structural_mutations_elsewhere(planter: Planter) -> None:
    found = planter.survey(build_form, CASES, SEED)
    assert found.tried == CASES
    assert found.structural >= CASES // 2  # most mutants are refused by the schema: the case this is about
    assert found.planted == {("expr.unknown_name", "compute"), ("expr.unknown_name", "visible_if"),
                             ("id.duplicate", "id")}
    assert found.lost == []


def test_each_plant_alone_gives_its_problem_and_nothing_structural(planter: Planter) -> None:
    """The premise of the survey, on a sample: unmutated, a plant is a purely semantic mistake."""
    rng = random.Random(SEED)
    for _ in range(30):
        plant = planter.draw(rng)
        found, line = planter.build(build_form, plant, plant.data, list(plant.keep))
        assert found is not None and (plant.code, line) in {(p.code, p.line) for p in found}, plant.form
        assert not fuzz.bad_problems(found)
        assert not [p for p in found if p.code.startswith(("schema.", "yaml.", "include."))], plant.form
