"""MkDocs hooks (``hooks:`` in mkdocs.yml): publish the repository files the pages link to.

The pages link to files outside ``docs/`` the way GitHub shows them — ``docs/forms.md`` to
``../forms/sales/sales_contract.yaml``, the gallery to ``../../forms/...`` — and the editor page
to ``../schemas/form.schema.json``. These links work when the repository is browsed; for the site,
the hooks copy those files into it at the same place relative to the site root
(``forms/sales/sales_contract.yaml``, ``schemas/form.schema.json``) and point the links there, so
``mkdocs build --strict`` still checks every link.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = ("forms/**/*.yaml", "schemas/*.json")  # repository files copied into the site
_LINK = re.compile(r"(\]\()([^)\s#]+)([^)]*\))")

_published: set[str] = set()


def on_files(files: Files, config: Any) -> Files:
    _published.clear()
    for pattern in PUBLISHED:
        for path in sorted(ROOT.glob(pattern)):
            uri = path.relative_to(ROOT).as_posix()
            if files.get_file_from_path(uri) is None:
                files.append(File(uri, str(ROOT), config["site_dir"], config["use_directory_urls"]))
                _published.add(uri)
    return files


def _rewrite(target: str, page_dir: str) -> str:
    """A link leaving ``docs/`` to a published repository file → its place in the site."""
    if "://" in target or target.startswith(("/", "mailto:")):
        return target
    in_repo = posixpath.normpath(posixpath.join("docs", page_dir, target))
    if in_repo not in _published:
        return target
    return posixpath.relpath(in_repo, page_dir or ".")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    page_dir = posixpath.dirname(page.file.src_uri)
    return _LINK.sub(lambda m: m.group(1) + _rewrite(m.group(2), page_dir) + m.group(3), markdown)
