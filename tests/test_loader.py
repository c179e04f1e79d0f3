"""Definitions: safe YAML, located problems, all of them at once, includes inside the root."""

from __future__ import annotations

import os
import time
from decimal import Decimal
from pathlib import Path

import pytest

import formengine
from formengine.errors import FormDefinitionError

from .helpers import codes, load_text, problems, write_form

MINIMAL = """\
id: t
title: 测试
sections:
  - title: 一
    items:
      - {id: a, label: A, type: text}
"""


def test_minimal_form_loads(tmp_path: Path) -> None:
    form = load_text(tmp_path, MINIMAL)
    assert form.id == "t" and form.title.zh == "测试"
    assert form.spec.data_ids == ("a",)


def test_every_problem_is_reported_at_once_with_location(tmp_path: Path) -> None:
    found = problems(tmp_path, """\
        id: t
        title: 测试
        sections:
          - title: 一
            items:
              - {id: a, lable: A, type: text}
              - {id: b, label: B, type: integr}
              - {id: c, label: C, type: integer, compute: a_typo + 1}
              - {id: d, label: D, type: choice, choices: nowhere}
        """)
    by_code = {p.code: p for p in found}
    assert {"schema.unknown_key", "schema.enum", "expr.unknown_name", "ref.unknown_choices"} <= set(by_code)
    key = by_code["schema.unknown_key"]
    assert (key.line, key.column) == (6, 17) and key.file.endswith("form.yaml")
    assert "did you mean label" in key.message_en
    assert "integer" in by_code["schema.enum"].message_en
    assert by_code["expr.unknown_name"].path == "sections[0].items[2].compute"
    text = by_code["schema.enum"].format("en")
    assert text.startswith(f"{key.file}:7:") and text.endswith("[schema.enum]")


def test_messages_in_both_languages_with_fix_hint(tmp_path: Path) -> None:
    p = problems(tmp_path, MINIMAL.replace("type: text", "type: txt"))[0]
    assert "不在允许范围内" in p.format("zh") and "not allowed" in p.format("en")
    assert "提示" in p.format("zh", hint=True)


@pytest.mark.parametrize("body,code", [
    ("id: t\ntitle: [\n", "yaml.syntax"),
    ("id: !!python/object:os.system x\n", "yaml.tag"),
    ("- just\n- a list\n", "yaml.not_mapping"),
    ("id: t\nid: u\ntitle: x\nsections: []\n", "schema.invalid"),
])
def test_bad_yaml_is_a_located_problem(tmp_path: Path, body: str, code: str) -> None:
    assert code in codes(tmp_path, body)


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    start = time.perf_counter()
    assert "yaml.alias" in codes(tmp_path, "\n".join(lines) + "\n")
    assert time.perf_counter() - start < 5


def test_duplicate_ids_and_cycles_are_load_errors(tmp_path: Path) -> None:
    found = codes(tmp_path, """\
        id: t
        title: 测试
        sections:
          - title: 一
            items:
              - {id: a, label: A, type: integer, compute: b + 1}
              - {id: b, label: B, type: integer, compute: a + 1}
              - {id: a, label: A2, type: text}
        """)
    assert {"compute.cycle", "id.duplicate"} <= found


SHARED = """\
choices:
  colour: [红, 绿]
blocks:
  contact:
    - {id: phone, label: 电话, type: phone}
    - {id: note, label: 备注, type: text, visible_if: "phone != ''"}
"""


def test_includes_and_prefixed_blocks(tmp_path: Path) -> None:
    (tmp_path / "formengine.yaml").write_text("")
    write_form(tmp_path, SHARED, "_shared/lib.yaml")
    form = formengine.load(write_form(tmp_path, """\
        id: t
        title: 测试
        include: [../_shared/lib.yaml]
        sections:
          - title: 甲方
            items: [{use: contact, prefix: buyer_}]
          - title: 乙方
            items: [{use: contact, prefix: seller_}, {id: c, label: 颜色, type: choice, choices: colour}]
        """, "sales/t.yaml"))
    assert form.spec.data_ids == ("buyer_phone", "buyer_note", "seller_phone", "seller_note", "c")
    note = form.spec.field("seller_note")
    assert note is not None and note.visible_if[0].names == {"seller_phone"}


@pytest.mark.parametrize("target", ["../../outside.yaml", "/etc/passwd"])
def test_include_leaving_the_root_is_refused(tmp_path: Path, target: str) -> None:
    root = tmp_path / "forms"
    root.mkdir()
    (root / "formengine.yaml").write_text("")
    (tmp_path / "outside.yaml").write_text(SHARED)
    found = problems(root, MINIMAL + f"include: [{target}]\n", "sales/t.yaml")
    assert [p.code for p in found] == ["include.outside_root"]


def test_include_through_symlink_leaving_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "forms"
    root.mkdir()
    (root / "formengine.yaml").write_text("")
    (tmp_path / "secret.yaml").write_text(SHARED)
    os.symlink(tmp_path / "secret.yaml", root / "link.yaml")
    assert codes(root, MINIMAL + "include: [link.yaml]\n") == {"include.outside_root"}


def test_include_cycle_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "formengine.yaml").write_text("")
    write_form(tmp_path, "include: [b.yaml]\n", "a.yaml")
    write_form(tmp_path, "include: [a.yaml]\n", "b.yaml")
    assert {"include.cycle", "include.not_found"} <= codes(tmp_path, MINIMAL + "include: [a.yaml, nope.yaml]\n")


def test_load_dir_collects_problems_of_all_files(tmp_path: Path) -> None:
    write_form(tmp_path, MINIMAL.replace("type: text", "type: nope"), "x/a.yaml")
    write_form(tmp_path, MINIMAL.replace("id: t", "id: u").replace("compute", "x"), "y/b.yaml")
    write_form(tmp_path, MINIMAL.replace("title: 测试", "title: 测试\nbogus: 1"), "y/c.yaml")
    with pytest.raises(FormDefinitionError) as info:
        formengine.load_dir(tmp_path)
    files = {Path(p.file).name for p in info.value.problems}
    assert files == {"a.yaml", "c.yaml"}


def test_field_options_that_do_not_fit_the_type(tmp_path: Path) -> None:
    found = problems(tmp_path, MINIMAL.replace("type: text}", "type: text, min: 3}"))
    assert [p.code for p in found] == ["field.option"]


def test_yaml_values_keep_their_kind_and_place() -> None:
    from formengine.loader import parse_yaml

    doc = parse_yaml("a: !!str [x, 1]\nb: !!str {c: 0.10}\nc: !!str 3\nd: 'no'\ne: no\nf: ~\n")
    assert doc.data == {"a": ["x", 1], "b": {"c": Decimal("0.10")}, "c": "3", "d": "no", "e": "no", "f": None}
    assert doc.where(("b", "c")) == (2, 14) and doc.where(("b", "c"), key=True) == (2, 11)


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x0b", "\x0c", "\x1f", "\ufffe", "\uffff"])
def test_control_characters_reach_a_value_only_through_an_escape(char: str) -> None:
    """The definition check skips its control-character walk for a text without a backslash."""
    from formengine.loader import YamlError, parse_yaml

    with pytest.raises(YamlError) as raw:
        parse_yaml(f"id: f\ntitle: 'a{char}b'\n")
    assert [p.code for p in raw.value.problems] == ["yaml.syntax"]
    escaped = parse_yaml(f'id: f\ntitle: "a\\u{ord(char):04x}b"\n')
    assert escaped.escapes and escaped.data["title"] == f"a{char}b"
    assert not parse_yaml("id: f\ntitle: 'a b'\n").escapes
