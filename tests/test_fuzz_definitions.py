"""Bad definitions: mutants of the real forms load, or fail with located problems — never a crash.

The mutation operators and the loop live in ``formengine.fuzz``; ``python -m formengine.fuzz
--definitions 10000`` runs the long job outside pytest (FORMENGINE_LONG=1 runs it here).
Each crash the fuzzer found is fixed in the engine and has a regression test below.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import formengine
from formengine import fuzz
from formengine.errors import FormDefinitionError
from formengine.loader import parse_yaml

from .conftest import FORMS
from .helpers import write_form

LONG = bool(os.environ.get("FORMENGINE_LONG"))
MUTANTS = 10_000 if LONG else 300


@pytest.fixture(scope="module")
def space(tmp_path_factory: pytest.TempPathFactory) -> fuzz.Workspace:
    return fuzz.Workspace(FORMS, tmp_path_factory.mktemp("fuzz"))


@settings(max_examples=MUTANTS, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(rng=st.randoms(use_true_random=False))
def test_mutants_load_or_fail_with_located_problems(space: fuzz.Workspace, rng: random.Random) -> None:
    outcome, ops, source, detail = space.try_mutant(rng)
    assert outcome in ("loaded", "rejected"), f"{source} [{', '.join(ops)}] {outcome}: {detail}"


@pytest.mark.parametrize("op", sorted(fuzz.DATA_OPS) + sorted(fuzz.TEXT_OPS))
def test_every_operator_on_every_kind_of_form(space: fuzz.Workspace, op: str) -> None:
    """Each operator alone, on a few forms (tables, grids, trees, blocks, includes)."""
    rng = random.Random(op)
    for rel in [p for p in space.forms if p.stem in ("sales_contract", "showroom_traffic_statistics", "product_bom",
                                                     "customer_record", "daily_feedback")]:
        path = space.root / rel
        original = path.read_bytes()
        text = original.decode()
        try:
            if op in fuzz.DATA_OPS:
                data = parse_yaml(text).data
                fuzz.DATA_OPS[op](rng, data)
                mutant: str | bytes = fuzz.dump(data)
            else:
                mutant = fuzz.TEXT_OPS[op](rng, text)
            path.write_bytes(mutant if isinstance(mutant, bytes) else mutant.encode("utf-8", "surrogatepass"))
            outcome, detail = fuzz.check_definition(path)
        finally:
            path.write_bytes(original)
        assert outcome in ("loaded", "rejected"), f"{rel} {op}: {outcome}: {detail}"


def test_run_counts_add_up() -> None:
    counts = fuzz.run(20, seed=7)
    assert counts.tried == 20 == counts.loaded + counts.rejected + counts.escaped
    assert counts.escaped == 0, [e.line() for e in counts.escapes]
    assert counts.rejected > 0 and sum(counts.by_op.values()) >= 20


def test_the_catalog_itself_loads() -> None:
    assert len(fuzz.catalog()) >= 40
    for path in fuzz.catalog():
        assert fuzz.check_definition(path) == ("loaded", "")


# ---------------------------------------------------------------- crashes found, fixed, kept fixed

BASE = """\
id: t
title: 测试
sections:
  - title: 一
    items:
      - {id: a, label: A, type: text}
"""


def problems_of(path: Path, within: float = 5.0) -> list[formengine.Problem]:
    start = time.perf_counter()
    with pytest.raises(FormDefinitionError) as info:
        formengine.load(path)
    assert time.perf_counter() - start < within
    assert not fuzz.bad_problems(info.value.problems), [p.format("en") for p in info.value.problems]
    return info.value.problems


def test_a_block_that_uses_itself_is_a_problem_not_a_recursion_error(tmp_path: Path) -> None:
    """Found by the fuzzer (`deep_nesting`): walk() and make_use() recursed until RecursionError,
    reported as `internal`."""
    found = problems_of(write_form(tmp_path, """\
        id: t
        title: 测试
        blocks:
          a:
            - {id: x, label: X, type: text}
            - {use: b, prefix: p_}
          b:
            - group:
                title: 组
                items: [{use: a}]
          s:
            title: 自身
            items: [{use: s}]
        sections:
          - title: 一
            items: [{use: a}]
          - use: s
        """))
    cycles = sorted((p.code, p.line, p.message_en) for p in found)
    assert cycles == [("ref.block_cycle", 10, "A block uses itself: a → b → a"),
                      ("ref.block_cycle", 13, "A block uses itself: s → s")]


def test_blocks_doubling_at_every_level_stop_at_a_budget(tmp_path: Path) -> None:
    """A "billion laughs" made of blocks: each block uses the one below twice, 2**24 fields."""
    lines = ["id: t", "title: 测试", "blocks:", "  b0:", "    - {id: x, label: X, type: text}"]
    for k in range(1, 25):
        lines += [f"  b{k}:", f"    - {{use: b{k - 1}, prefix: l{k}_}}", f"    - {{use: b{k - 1}, prefix: r{k}_}}"]
    lines += ["sections:", "  - title: 一", "    items: [{use: b24}]"]
    found = problems_of(write_form(tmp_path, "\n".join(lines) + "\n"), within=10)
    assert {p.code for p in found} == {"form.too_large"}


def test_twenty_one_levels_of_blocks_are_reported_not_dropped(tmp_path: Path) -> None:
    """Before, blocks nested deeper than 20 were skipped silently: their fields vanished."""
    lines = ["id: t", "title: 测试", "blocks:", "  b0:", "    - {id: deepest, label: X, type: text}"]
    for k in range(1, 22):
        lines += [f"  b{k}:", f"    - {{use: b{k - 1}}}"]
    lines += ["sections:", "  - title: 一", "    items: [{use: b21}]"]
    found = problems_of(write_form(tmp_path, "\n".join(lines) + "\n"))
    assert [p.code for p in found] == ["form.too_large"] and "20 levels" in found[0].message_en
    lines[-1] = "    items: [{use: b19}]"  # twenty blocks deep is allowed
    assert formengine.load(write_form(tmp_path, "\n".join(lines) + "\n")).spec.data_ids == ("deepest",)


def test_a_numbered_grid_axis_of_a_billion_labels(tmp_path: Path) -> None:
    """`{from: 1, to: 1000000000}` built a billion labels (minutes and gigabytes) before."""
    found = problems_of(write_form(tmp_path, BASE + """\
      - grid:
          id: g
          rows: [a]
          columns: {from: 1, to: 1000000000}
          cell: {type: integer}
"""), within=2)
    assert [(p.code, p.line) for p in found] == [("form.too_large", 10)]


@pytest.mark.parametrize("key,where", [("print_rows", "table"), ("lines", "field")])
def test_printing_a_billion_blank_rows_is_refused(tmp_path: Path, key: str, where: str) -> None:
    """A blank form with `print_rows: 1000000000` rendered until it ran out of memory."""
    item = ("      - table: {id: t1, columns: [{id: c, label: C, type: text}], print_rows: 1000000000}\n"
            if where == "table" else "      - {id: b, label: B, type: textarea, lines: 1000000000}\n")
    found = problems_of(write_form(tmp_path, BASE + item))
    assert [p.code for p in found] == ["schema.invalid"] and "1000" in found[0].message_en


def test_problems_about_a_whole_file_have_a_line(tmp_path: Path) -> None:
    """`file.unreadable` and `yaml.too_large` were reported at line 0."""
    missing = problems_of(tmp_path / "nope.yaml")
    assert [(p.code, p.line, p.column) for p in missing] == [("file.unreadable", 1, 1)]
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(BASE.encode() + b"      - {id: b, label: \"\xc3\x28\", type: text}\n")
    assert [(p.code, p.line, p.column) for p in problems_of(bad)] == [("file.unreadable", 7, 25)]


@pytest.mark.parametrize("target", ["../_shared/lib.yaml" * 1000, "a" * 300 + ".yaml", "x\0.yaml"])
def test_an_include_name_the_file_system_refuses(tmp_path: Path, target: str) -> None:
    """Found by the fuzzer (`huge` on an include): a 20,000-character name made `Path.resolve()`
    raise OSError (file name too long), reported as `internal`."""
    (tmp_path / "formengine.yaml").write_text("")
    found = problems_of(write_form(tmp_path, BASE + f"include: [{json.dumps(target)}]\n", "sales/t.yaml"))
    assert {p.code for p in found} <= {"include.not_found", "schema.pattern", "schema.control_chars"}
    assert any(p.code == "include.not_found" and p.line == 7 for p in found)
    assert all(len(p.message_en) < 1000 for p in found)


def test_a_numbered_axis_running_backwards(tmp_path: Path) -> None:
    """Found by the fuzzer (`huge` on `from`): `{from: 10**40, to: 31}` gave a grid without columns,
    which loaded and then crashed the DOCX renderer (IndexError)."""
    found = problems_of(write_form(tmp_path, BASE + """\
      - grid:
          id: g
          rows: [a]
          columns: {from: 32, to: 31}
          cell: {type: integer}
"""))
    assert [(p.code, p.line, p.path) for p in found] == [("field.bounds", 10, "sections[0].items[1].grid.columns.from")]


def test_a_crash_explained_by_a_broken_include_is_not_internal(tmp_path: Path) -> None:
    """Found by the fuzzer (`wrong_type` in _shared/people.yaml): an include the schema refuses
    crashed the builder, and since the form itself was valid the crash was labelled `internal`."""
    (tmp_path / "formengine.yaml").write_text("")
    write_form(tmp_path, "blocks:\n  contact:\n    - {use: {a: 1}}\n", "_shared/lib.yaml")
    found = problems_of(write_form(tmp_path, BASE + "      - {use: contact}\ninclude: [../_shared/lib.yaml]\n",
                                   "sales/t.yaml"))
    assert found and all(Path(p.file).name == "lib.yaml" and p.line == 3 for p in found), \
        [p.format("en") for p in found]
