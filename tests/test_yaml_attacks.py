"""Hostile YAML: every attack is refused quickly with a located problem, and nothing runs.

tests/test_loader.py already covers the classic alias bomb, one ``!!python/object`` tag and
includes through ``../``, ``/etc/passwd`` and a symlinked file; this file extends them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import formengine
from formengine.errors import FormDefinitionError
from formengine.fuzz import bad_problems
from formengine.loader import MAX_FILE_BYTES

from .helpers import write_form

MINIMAL = """\
id: t
title: 测试
sections:
  - title: 一
    items:
      - {id: a, label: A, type: text}
"""

LIBRARY = """\
choices:
  colour: [红, 绿]
blocks:
  contact:
    - {id: phone, label: 电话, type: phone}
"""


def refused(path: Path, *, within: float = 5.0) -> list[formengine.Problem]:
    """Load, expecting located problems (file, line ≥ 1, a known code, never `internal`) in time."""
    start = time.perf_counter()
    with pytest.raises(FormDefinitionError) as info:
        formengine.load(path)
    took = time.perf_counter() - start
    assert took < within, f"took {took:.1f} s"
    problems = info.value.problems
    assert problems and not bad_problems(problems), [p.format("en") for p in problems]
    return problems


def codes_of(path: Path) -> set[str]:
    return {p.code for p in refused(path)}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A forms root holding a shared library, with a secret file next to (outside) it."""
    forms = tmp_path / "forms"
    (forms / "_shared").mkdir(parents=True)
    (forms / "formengine.yaml").write_text("")
    (forms / "_shared" / "lib.yaml").write_text(LIBRARY, "utf-8")
    (tmp_path / "secret.yaml").write_text("choices:\n  leak: [秘密]\n", "utf-8")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "lib.yaml").write_text(LIBRARY, "utf-8")
    return forms


# ---------------------------------------------------------------- aliases


LAUGHS = ['lol0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'] + [
    f"lol{k}: &l{k} [" + ",".join([f"*l{k - 1}"] * 10) + "]" for k in range(1, 10)]


@pytest.mark.parametrize("body", [
    pytest.param(MINIMAL + "\n".join(LAUGHS) + "\n", id="billion-laughs-at-top"),
    pytest.param(MINIMAL + "notes: &n [x, x, x, x, x, x, x, x]\n" + "\n".join(
        f"k{k}: &n{k} [" + ", ".join(["*n" if k == 0 else f"*n{k - 1}"] * 8) + "]" for k in range(12)) + "\n",
        id="laughs-in-a-known-key"),
    pytest.param(MINIMAL + "x: &x {a: [b, c], d: {e: f}}\nm: {" + ", ".join(
        f"k{i}: *x" for i in range(100)) + "}\n" + "\n".join(
        f"m{k}: &m{k} [" + ", ".join(["*x" if k == 0 else f"*m{k - 1}"] * 30) + "]" for k in range(6)) + "\n",
        id="wide-mapping-bomb"),
    pytest.param(MINIMAL + "loop: &loop [*loop]\n", id="recursive-sequence"),
    pytest.param(MINIMAL + "loop: &loop {self: *loop}\n", id="recursive-mapping"),
    pytest.param("id: t\ntitle: &t [*t]\nsections: []\n", id="recursive-in-a-known-key"),
])
def test_alias_bombs_are_refused_before_anything_is_built(tmp_path: Path, body: str) -> None:
    problems = refused(write_form(tmp_path, body), within=2)
    alias = [p for p in problems if p.code == "yaml.alias"]
    assert alias and alias[0].line > 1


def test_an_alias_bomb_in_an_include_is_located_in_that_file(root: Path) -> None:
    (root / "_shared" / "bomb.yaml").write_text("\n".join(LAUGHS) + "\n")
    form = write_form(root, MINIMAL + "include: [../_shared/bomb.yaml]\n", "sales/t.yaml")
    problems = refused(form, within=2)
    assert any(p.code == "yaml.alias" and p.file.endswith("bomb.yaml") for p in problems)


def test_plain_aliases_still_work(tmp_path: Path) -> None:
    form = formengine.load(write_form(tmp_path, """\
        id: t
        title: &title 测试
        notes: [*title, *title]
        sections:
          - title: 一
            items:
              - &field {id: a, label: A, type: text}
        """))
    assert [n.zh for n in form.spec.notes] == ["测试", "测试"]


def test_merge_keys_are_refused(tmp_path: Path) -> None:
    problems = refused(write_form(tmp_path, """\
        id: t
        title: 测试
        base: &base {label: A, type: text}
        sections:
          - title: 一
            items:
              - {<<: *base, id: a}
        """))
    tags = [p for p in problems if p.code == "yaml.tag"]
    assert tags and "<<" in tags[0].message_en and tags[0].line == 7


# ---------------------------------------------------------------- tags


@pytest.mark.parametrize("value", [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:os.system ['touch {marker}']",
    "!!python/object:os.system {{}}",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/tuple [1, 2]",
    "!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']",
    "!custom x",
    "!!binary aGVsbG8=",
    "!!set {{a, b}}",
    "!!omap [a: 1, b: 2]",
    "!!pairs [a: 1]",
    "!!js/function 'function () {{}}'",
])
def test_tags_outside_the_core_schema_are_refused_and_never_run(tmp_path: Path, value: str) -> None:
    marker = tmp_path / "pwned"
    body = MINIMAL + "notes:\n  - " + value.format(marker=marker) + "\n"
    problems = refused(write_form(tmp_path, body))
    tag = [p for p in problems if p.code == "yaml.tag"]
    assert tag and tag[0].line == 8, [p.format("en") for p in problems]
    assert not marker.exists()


def test_a_tag_on_a_key_and_in_an_include(root: Path) -> None:
    (root / "_shared" / "tagged.yaml").write_text("choices:\n  ? !!python/name:os.system\n  : [a]\n")
    form = write_form(root, MINIMAL + "include: [../_shared/tagged.yaml]\n", "sales/t.yaml")
    problems = refused(form)
    assert any(p.code == "yaml.tag" and p.file.endswith("tagged.yaml") and p.line == 2 for p in problems)


# ---------------------------------------------------------------- size and depth


def test_a_document_over_the_size_limit_is_refused_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:  # a sparse 3 GB file: reading it whole would take the machine down
        f.write(MINIMAL.encode())
        f.seek(3 * 1024**3)
        f.write(b"\n")
    problems = refused(path, within=2)
    assert [(p.code, p.line, p.column) for p in problems] == [("yaml.too_large", 1, 1)]
    assert f"{MAX_FILE_BYTES}" in problems[0].message_en


def test_a_document_just_over_the_limit(tmp_path: Path) -> None:
    path = write_form(tmp_path, MINIMAL + "#" * MAX_FILE_BYTES + "\n")
    assert [p.code for p in refused(path)] == ["yaml.too_large"]


@pytest.mark.parametrize(("name", "nest"), [
    ("flow-sequences", lambda n: "[" * n + "]" * n),
    ("flow-mappings", lambda n: "{a: " * n + "1" + "}" * n),
])
def test_deep_flow_nesting_is_refused_not_a_crash(tmp_path: Path, name: str, nest) -> None:  # type: ignore[no-untyped-def]
    """200,000 levels (400 KB, under the size limit) used to overflow the C stack of libyaml's
    composer: a segmentation fault, not an exception. Run in a child process so that a regression
    fails this test instead of killing the test run."""
    path = write_form(tmp_path, MINIMAL + "notes: " + nest(200_000) + "\n")
    code = (
        "import sys, formengine\n"
        "from formengine.errors import FormDefinitionError\n"
        "try:\n    formengine.load(sys.argv[1])\n"
        "except FormDefinitionError as e:\n    print('|'.join(f'{p.code}@{p.line}' for p in e.problems))\n"
    )
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    assert proc.stdout.strip() == "yaml.too_deep@7"
    assert time.perf_counter() - start < 30


def test_deep_block_nesting_is_refused(tmp_path: Path) -> None:
    lines = [MINIMAL.rstrip("\n"), "notes:"]
    for depth in range(100):
        lines.append("  " * (depth + 1) + "- ")
    lines[-1] += "x"
    problems = refused(write_form(tmp_path, "\n".join(lines) + "\n"))
    assert [p.code for p in problems] == ["yaml.too_deep"] and problems[0].line > 7


# ---------------------------------------------------------------- encodings and odd characters


@pytest.mark.parametrize(("raw", "line", "code"), [
    (MINIMAL.encode() + b"notes: [\xff]\n", 7, "file.unreadable"),
    (MINIMAL.encode().replace("测试".encode(), b"\xe6\xb5"), 2, "file.unreadable"),
    (MINIMAL.encode("utf-16"), 1, "file.unreadable"),
    (MINIMAL.encode() + b"notes: [a\x00b]\n", 7, "yaml.syntax"),
    (MINIMAL.encode() + b"notes: [a\x07b]\n", 7, "yaml.syntax"),
])
def test_bytes_that_are_not_text_are_located(tmp_path: Path, raw: bytes, line: int, code: str) -> None:
    path = tmp_path / "form.yaml"
    path.write_bytes(raw)
    problems = refused(path)
    assert (problems[0].code, problems[0].line) == (code, line), [p.format("en") for p in problems]


def test_byte_order_mark_and_crlf_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "form.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.replace("\n", "\r\n").encode())
    assert formengine.load(path).id == "t"


def test_control_characters_written_as_escapes_are_refused_where_written(tmp_path: Path) -> None:
    problems = refused(write_form(tmp_path, MINIMAL.replace("label: A", 'label: "A\\x07B"')
                                  + 'notes: ["\\0", "\\uFFFE", "ok\\ttab\\nline"]\n'))
    found = sorted((p.code, p.line, p.path) for p in problems)
    assert found == [("schema.control_chars", 6, "sections[0].items[0].label"),
                     ("schema.control_chars", 7, "notes[0]"), ("schema.control_chars", 7, "notes[1]")]
    assert "U+0007" in problems[0].message_en


# ---------------------------------------------------------------- includes leaving the root


@pytest.mark.parametrize("target", [
    "../../secret.yaml", "../../outside/lib.yaml", "../../../../../../../../etc/passwd", "/etc/passwd",
    "//etc/passwd", "C:/Windows/win.ini", "C:\\\\Windows\\\\win.ini", "\\\\\\\\server\\\\share\\\\x.yaml",
    "../_shared/../../secret.yaml", "file:///etc/passwd",
])
def test_includes_cannot_leave_the_root(root: Path, target: str) -> None:
    form = write_form(root, MINIMAL + f'include: ["{target}"]\n', "sales/t.yaml")
    problems = refused(form)
    assert {p.code for p in problems} <= {"include.outside_root", "include.not_found"}, [p.format("en") for p in problems]
    assert all(p.line == 7 for p in problems)
    assert "leak" not in str(problems)


def test_a_symlinked_folder_leaving_the_root_is_refused(root: Path) -> None:
    os.symlink(root.parent / "outside", root / "_linked")
    form = write_form(root, MINIMAL + "include: [../_linked/lib.yaml]\n", "sales/t.yaml")
    assert {p.code for p in refused(form)} == {"include.outside_root"}


def test_a_symlink_to_a_device_is_refused(root: Path) -> None:
    os.symlink("/dev/zero", root / "_shared" / "zero.yaml")
    form = write_form(root, MINIMAL + "include: [../_shared/zero.yaml]\n", "sales/t.yaml")
    assert {p.code for p in refused(form, within=2)} == {"include.outside_root"}


def test_an_include_that_is_a_folder_or_a_fifo(root: Path) -> None:
    os.mkfifo(root / "_shared" / "pipe.yaml")
    form = write_form(root, MINIMAL + "include: [../_shared, ../_shared/pipe.yaml]\n", "sales/t.yaml")
    assert {p.code for p in refused(form, within=2)} == {"include.not_found"}


def test_an_included_file_cannot_reach_outside_either(root: Path) -> None:
    (root / "_shared" / "hop.yaml").write_text("include: [../../secret.yaml]\n")
    form = write_form(root, MINIMAL + "include: [../_shared/hop.yaml]\n", "sales/t.yaml")
    problems = refused(form)
    assert [(p.code, Path(p.file).name, p.line) for p in problems] == [("include.outside_root", "hop.yaml", 1)]


def test_a_symlinked_forms_root_works_inside_itself(tmp_path: Path, root: Path) -> None:
    """Resolving symbolic links must not refuse a root that is itself reached through a link."""
    os.symlink(root, tmp_path / "link")
    form = write_form(tmp_path / "link", MINIMAL.replace("type: text}", "type: choice, choices: colour}")
                      + "include: [../_shared/lib.yaml]\n", "sales/t.yaml")
    assert formengine.load(form).spec.field("a").choices.name == "colour"  # type: ignore[union-attr]
