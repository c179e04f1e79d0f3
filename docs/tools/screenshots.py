#!/usr/bin/env python
"""Screenshots of printed forms for the docs: ``python docs/tools/screenshots.py [FORM_ID ...]``.

For each form, the printable HTML page (filled with the form's first valid example when it has
one, blank otherwise) is opened in headless Chromium and saved as a full-page PNG in
``docs/img/<form_id>.png``. Rerun it after changing a form or the HTML templates.

Needs the ``browser`` extra (``pip install -e .[browser]``) and a Chromium binary: ``/usr/bin/chromium``
by default, or the path in the ``CHROMIUM`` environment variable.

``main()`` runs each screenshot step in turn: :func:`html_screenshots`, then
:func:`docx_screenshots` (the filled DOCX → PDF with LibreOffice → first page as
``docs/img/<form_id>-docx.png`` with pdftoppm; skipped with a message when ``soffice`` is
missing). ``--only html`` / ``--only docx`` runs one of them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FORMS = ROOT / "forms"
OUT = ROOT / "docs" / "img"
DEFAULT_FORMS = ("sales_contract", "showroom_traffic_statistics", "personnel_resume", "new_customer_report",
                 "customer_maintenance_statistics")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

sys.path.insert(0, str(ROOT))  # run from a checkout without installing


def form_paths(form_ids: tuple[str, ...] | list[str] = (), forms_dir: Path = FORMS) -> dict[str, Path]:
    """Form id → file, for the given ids (all forms when none are given); unknown ids are skipped."""
    from formengine.form import form_files, load

    found: dict[str, Path] = {}
    for path in form_files(forms_dir):
        try:
            form = load(path)
        except Exception as exc:  # noqa: BLE001 - a broken form must not stop the other screenshots
            print(f"skip {path}: {exc}", file=sys.stderr)
            continue
        found[form.id] = path
    if not form_ids:
        return found
    missing = [f for f in form_ids if f not in found]
    for form_id in missing:
        print(f"skip {form_id}: no such form under {forms_dir}", file=sys.stderr)
    return {f: found[f] for f in form_ids if f in found}


def first_valid_example(path: Path) -> Any:
    """The data of the form's first valid example, or None."""
    from formengine.examples import load_examples

    return next((e.data for e in load_examples(path) if e.valid), None)


def printable_html(path: Path) -> str:
    """The printable page of a form, filled with its first valid example when it has one."""
    from formengine.form import load

    form = load(path)
    data = first_valid_example(path)
    if data is not None and not form.validate(data).ok:
        print(f"{form.id}: first valid example does not validate; printing the blank form", file=sys.stderr)
        data = None
    html = form.render("html", data)
    assert isinstance(html, str)
    return html


class _Browser:
    """One headless Chromium for all screenshots."""

    def __enter__(self) -> Any:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        return self.browser

    def __exit__(self, *exc: object) -> None:
        self.browser.close()
        self._pw.stop()


def _pages(browser: Any, items: dict[str, Path], viewport: tuple[int, int] = (1240, 900),
           scale: float = 1) -> Iterator[tuple[str, Any]]:
    for form_id, path in items.items():
        page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]}, device_scale_factor=scale)
        try:
            page.set_content(printable_html(path), wait_until="load")
            page.evaluate("document.fonts.ready")
            yield form_id, page
        finally:
            page.close()


def html_screenshots(form_ids: tuple[str, ...] | list[str] = DEFAULT_FORMS, out: Path = OUT, *,
                     forms_dir: Path = FORMS, viewport: tuple[int, int] = (1240, 900),
                     full_page: bool = True, scale: float = 1) -> list[Path]:
    """PNGs of the printable HTML of each form into ``out/<form_id>.png``: the full page by default,
    or only the first screen (``full_page=False``) of a ``viewport`` (width, height) window, as the
    gallery's thumbnails are (``docs/tools/gallery.py``); ``scale`` < 1 gives smaller pictures."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with _Browser() as browser:
        for form_id, page in _pages(browser, form_paths(form_ids, forms_dir), viewport, scale):
            target = out / f"{form_id}.png"
            page.screenshot(path=str(target), full_page=full_page)
            written.append(target)
            print(f"{form_id} → {_shown(target)}")
    return written


def _shown(path: Path) -> str:
    """A path for messages: relative to the checkout when inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


DOCX_FORMS = ("sales_contract",)
# LibreOffice has no 宋体/SimSun here; map them to a serif CJK face so the picture looks like
# Word on Windows (the document itself keeps asking for 宋体).
_FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <match target="pattern"><test name="family"><string>宋体</string></test>
    <edit name="family" mode="assign" binding="strong"><string>{face}</string></edit></match>
  <match target="pattern"><test name="family"><string>SimSun</string></test>
    <edit name="family" mode="assign" binding="strong"><string>{face}</string></edit></match>
</fontconfig>
"""


def _soffice() -> str | None:
    import shutil

    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_screenshots(form_ids: tuple[str, ...] | list[str] = DOCX_FORMS, out: Path = OUT,
                     dpi: int = 80) -> list[Path]:
    """First page of the filled DOCX of each form as ``out/<form_id>-docx.png``
    (DOCX → PDF with LibreOffice, PDF → PNG with pdftoppm)."""
    import shutil
    import subprocess
    import tempfile

    soffice, pdftoppm = _soffice(), shutil.which("pdftoppm")
    if not soffice or not pdftoppm:
        print("skip DOCX screenshots: needs LibreOffice (soffice) and pdftoppm (poppler-utils); "
              "apt-get install -y libreoffice-writer-nogui poppler-utils", file=sys.stderr)
        return []
    from formengine.form import load

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="formengine-docx-") as tmp_name:
        tmp = Path(tmp_name)
        env = dict(os.environ)
        face = "Noto Serif CJK SC"
        if shutil.which("fc-list") and face in subprocess.run(["fc-list", ":lang=zh", "family"],
                                                                check=False, capture_output=True, text=True).stdout:
            (tmp / "fonts.conf").write_text(_FONTS_CONF.format(face=face), encoding="utf-8")
            env["FONTCONFIG_FILE"] = str(tmp / "fonts.conf")
        for form_id, path in form_paths(form_ids).items():
            form = load(path)
            data = first_valid_example(path)
            if data is not None and not form.validate(data).ok:
                print(f"{form_id}: first valid example does not validate; printing the blank form", file=sys.stderr)
                data = None
            content = form.render("docx", data)
            assert isinstance(content, bytes)
            docx_file = tmp / f"{form_id}.docx"
            docx_file.write_bytes(content)
            # a private LibreOffice profile: works while another soffice is running
            subprocess.run([soffice, f"-env:UserInstallation=file://{tmp / 'profile'}", "--headless",
                            "--convert-to", "pdf", "--outdir", str(tmp), str(docx_file)],
                           check=True, capture_output=True, env=env, timeout=300)
            target = out / f"{form_id}-docx.png"
            subprocess.run([pdftoppm, "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile",
                            str(tmp / f"{form_id}.pdf"), str(target.with_suffix(""))], check=True)
            written.append(target)
            print(f"{form_id} (docx) → {target.relative_to(ROOT)}")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("forms", nargs="*", help=f"form ids (default: {', '.join(DEFAULT_FORMS)})")
    parser.add_argument("--all", action="store_true", help="every form under forms/")
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default docs/img)")
    parser.add_argument("--only", choices=("html", "docx"), help="take only the HTML or only the DOCX screenshots")
    args = parser.parse_args(argv)
    ids: tuple[str, ...] | list[str] = () if args.all else (args.forms or DEFAULT_FORMS)
    written: list[Path] = []
    if args.only != "docx":
        written += html_screenshots(ids, args.out)
    if args.only != "html":
        docx_ids = () if args.all else (args.forms or DOCX_FORMS)
        written += docx_screenshots(docx_ids, args.out)
    return 0 if written else 1


if __name__ == "__main__":
    sys.exit(main())
