"""The documentation site builds with ``mkdocs build --strict`` (every warning is an error) and
holds every page; the gallery lists every form of forms/."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from formengine.form import form_files, load

from .conftest import FORMS, ROOT

DOCS = ROOT / "docs"
GALLERY = DOCS / "gallery"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("mkdocs", reason="the docs extra: pip install -e .[docs]")
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # Material's banner about MkDocs 2.0
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", "mkdocs.yml",
                           "--site-dir", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    assert "WARNING" not in log, log
    return out


PAGES = ["index.md", "guide/getting-started.md", "guide/field-types.md", "guide/choices.md", "guide/tables.md",
         "guide/grids.md", "guide/trees.md", "guide/rules.md", "guide/checks.md", "guide/includes.md",
         "guide/numbering.md", "guide/signatures.md", "guide/printing.md", "guide/roundtrip.md", "reference.md",
         "forms.md", "gallery/index.md", "editor.md", "api.md", "language.md", "performance.md", "reliability.md"]


def _built(site: Path, page: str) -> Path:
    name = page.removesuffix(".md")
    return site / ("index.html" if name == "index" else f"{name.removesuffix('/index')}/index.html")


@pytest.mark.parametrize("page", PAGES)
def test_page_is_built(site: Path, page: str) -> None:
    assert (DOCS / page).is_file()
    html = _built(site, page).read_text("utf-8")
    assert "--8<--" not in html, f"{page}: a snippet was not included"


def test_every_page_is_in_the_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text("utf-8")
    for page in sorted(DOCS.rglob("*.md")):
        rel = page.relative_to(DOCS).as_posix()
        if rel.startswith("gallery/files/"):
            continue
        assert rel in PAGES and f": {rel}" in nav, f"{rel} is not in the nav of mkdocs.yml"


def test_guide_examples_are_shown(site: Path) -> None:
    page = _built(site, "guide/field-types.md").read_text("utf-8")
    assert "supplier_card" in page and "统一社会信用代码" in page


def test_repository_files_the_pages_link_to_are_published(site: Path) -> None:
    assert (site / "forms" / "sales" / "sales_contract.yaml").is_file()
    assert (site / "schemas" / "form.schema.json").is_file()
    assert 'href="sales/sales_contract.yaml"' in _built(site, "forms.md").read_text("utf-8")


def test_gallery_lists_every_form() -> None:
    index = (GALLERY / "index.md").read_text("utf-8")
    for path in form_files(FORMS):
        form_id = load(path).id
        hint = f"{form_id} is missing from the gallery: run python docs/tools/gallery.py"
        assert f"files/{form_id}.html" in index, hint
        for ext in ("html", "md", "docx"):
            assert (GALLERY / "files" / f"{form_id}.{ext}").is_file(), hint
        assert f"img/{form_id}.png" in index and (GALLERY / "img" / f"{form_id}.png").is_file(), hint
    linked = set(re.findall(r"\(files/([\w.-]+)\)", index))
    assert {p.name for p in (GALLERY / "files").iterdir()} == linked, "stale gallery files: rerun the gallery"


def test_gallery_thumbnails_are_small() -> None:
    for png in (GALLERY / "img").glob("*.png"):
        assert png.stat().st_size < 150_000, f"{png.name} is {png.stat().st_size} bytes"
