"""The guide cannot drift from the engine.

Every YAML example of the guide (docs/guide/*.md) is a real file under docs/examples/, embedded
with ``--8<--``; every example form loads, its valid examples validate, its invalid examples fail
with exactly the errors they list, and it renders as HTML, Markdown and DOCX, blank and filled.
The command outputs shown in the getting-started page are what the commands print.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import formengine
from formengine.examples import load_examples
from formengine.form import form_files

from .conftest import ROOT

DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
GUIDE = DOCS / "guide"
GETTING_STARTED = EXAMPLES / "getting-started"
EXAMPLE_FORMS = form_files(EXAMPLES)
# --8<-- "path" or --8<-- "path:section" (pymdownx.snippets)
_SNIPPET = re.compile(r'--8<--\s+"([^"]+)"')
_FENCE = re.compile(r"^([ \t]*)```(\w+)[^\n]*\n(.*?)^\1```", re.MULTILINE | re.DOTALL)


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def _snippets() -> list[tuple[Path, str, str | None]]:
    """(page, file, section) of every snippet of every page."""
    out = []
    for page in _pages():
        for target in _SNIPPET.findall(page.read_text("utf-8")):
            file, _, section = target.partition(":")
            out.append((page, file, section or None))
    return out


def test_there_are_guide_examples() -> None:
    assert len(EXAMPLE_FORMS) >= 11
    assert (EXAMPLES / "formengine.yaml").is_file(), "docs/examples is a forms root (includes resolve inside it)"


@pytest.mark.parametrize("path", EXAMPLE_FORMS, ids=_rel)
def test_example_form_loads_validates_and_renders(path: Path) -> None:
    form = formengine.load(path)
    examples = load_examples(path)
    valid = [e for e in examples if e.valid]
    assert valid, f"{_rel(path)}: put at least one valid example in {path.stem}.examples.yaml"
    for example in examples:
        result = form.validate(example.data)
        found = {(e.path, e.code) for e in result.errors}
        if example.valid:
            assert result.ok, f"{example.name}: {result.format('en')}"
        else:
            assert found == set(example.errors), f"{example.name}: {result.format('en')}"
    for fmt in ("html", "md", "docx"):
        if fmt == "docx":
            pytest.importorskip("docx", reason="python-docx (pip install -e .[docx])")
        for data in (None, *(e.data for e in valid)):
            content = form.render(fmt, data)
            assert content and isinstance(content, bytes if fmt == "docx" else str)
    assert form.render("html", valid[0].data, fillable=True)


def test_every_example_form_is_in_the_guide() -> None:
    shown = {file for _, file, _ in _snippets()}
    for path in EXAMPLE_FORMS:
        assert _rel(path) in shown, f"{_rel(path)} is not embedded in any page"
        examples = path.with_name(path.stem + ".examples.yaml")
        assert _rel(examples) in shown, f"{_rel(examples)} is not embedded in any page"


def test_snippets_point_at_real_files_and_sections() -> None:
    snippets = _snippets()
    assert snippets
    for page, file, section in snippets:
        target = ROOT / file
        assert target.is_file(), f"{_rel(page)}: --8<-- {file}: no such file"
        if section:
            text = target.read_text("utf-8")
            for mark in (f"--8<-- [start:{section}]", f"--8<-- [end:{section}]"):
                assert mark in text, f"{_rel(page)}: {file} has no {mark}"


def test_guide_yaml_is_embedded_not_copied() -> None:
    """Every YAML block of the guide is a snippet of a real file: no YAML written into a page."""
    for page in sorted(GUIDE.glob("*.md")):
        for _indent, lang, body in _FENCE.findall(page.read_text("utf-8")):
            if lang in ("yaml", "yml"):
                lines = [line.strip() for line in body.strip().splitlines()]
                assert len(lines) == 1 and _SNIPPET.fullmatch(lines[0]), \
                    f"{_rel(page)}: a YAML block must be one --8<-- line, not:\n{body}"


def test_every_guide_page_is_in_the_site() -> None:
    nav = (ROOT / "mkdocs.yml").read_text("utf-8")
    for page in sorted(GUIDE.glob("*.md")):
        assert f"guide/{page.name}" in nav, f"{_rel(page)} is missing from the nav of mkdocs.yml"


# -- the getting-started page: the files and outputs it shows -------------------------------------

PAGE = GUIDE / "getting-started.md"


def _run(cwd: Path, *args: str) -> tuple[int, str]:
    """A formengine command as a user runs it; stdout and stderr together."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-m", "formengine.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    return done.returncode, (done.stdout + done.stderr).strip()


def test_the_starter_shown_is_what_formengine_new_writes() -> None:
    from formengine.starter import starter_form

    shown = GETTING_STARTED / "_new" / "visit_log.yaml"
    assert shown.read_text("utf-8") == starter_form("visit_log", "来访登记表", shown), \
        "rerun: formengine new visit_log --title 来访登记表 -o docs/examples/getting-started/_new/visit_log.yaml --force"
    assert _run(shown.parent, "check", "visit_log.yaml")[0] == 0


@pytest.mark.parametrize(("folder", "args", "code"), [
    (GETTING_STARTED, ("check", "visit_log.yaml"), 0),
    (GETTING_STARTED / "_mistake", ("check", "visit_log.yaml"), 1),
    (GETTING_STARTED, ("validate", "visit_log.yaml", "visit_log.data.json"), 0),
    (GETTING_STARTED, ("validate", "visit_log.yaml", "visit_log.wrong.json"), 1),
], ids=["check", "check-mistakes", "validate", "validate-wrong"])
def test_outputs_shown_are_what_the_commands_print(folder: Path, args: tuple[str, ...], code: int) -> None:
    returncode, output = _run(folder, *args)
    assert returncode == code, output
    text = PAGE.read_text("utf-8")
    assert f"```text\n{output}\n```" in text, \
        f"docs/guide/getting-started.md must show the output of `formengine {' '.join(args)}`:\n{output}"


def test_render_command_of_the_page_works(tmp_path: Path) -> None:
    pytest.importorskip("docx")
    returncode, output = _run(GETTING_STARTED, "render", "visit_log.yaml", "--to", "html,md,docx",
                              "--data", "visit_log.data.json", "-o", str(tmp_path))
    assert returncode == 0, output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["visit_log.docx", "visit_log.html", "visit_log.md"]


def test_computed_values_shown_in_the_rules_page() -> None:
    """docs/guide/rules.md prints the computed values of the expense claim's first example."""
    path = EXAMPLES / "rules" / "expense_claim.yaml"
    data = formengine.load(path).validate(load_examples(path)[0].data).data()
    assert data is not None
    line = " · ".join(f"{k}: {data[k]}" for k in ("days", "allowance", "total", "total_upper", "balance"))
    assert f"```text\n{line}\n```" in (GUIDE / "rules.md").read_text("utf-8"), line
