#!/usr/bin/env python
"""Screenshots of schema help while editing a form: ``python docs/tools/editor_screenshots.py``.

VS Code cannot run on the headless machine that builds the docs, so the pictures of
``docs/editor.md`` are taken in Monaco, the editor component of VS Code, with monaco-yaml, which
runs yaml-language-server — the language server of VS Code's Red Hat YAML extension — with
``schemas/form.schema.json``. The page is ``docs/tools/editor/`` (``main.js``, ``index.html``,
versions pinned in ``package.json`` / ``package-lock.json``); this script

1. copies it into ``build/editor-screenshots/`` (git-ignored), installs it with ``npm ci`` (only
   when the lock file changed) and bundles it with esbuild;
2. serves the bundle on 127.0.0.1 and opens ``forms/customer/customer_record.yaml`` in it in
   headless Chromium; the form's first-line comment ``# yaml-language-server: $schema=...``
   points the language server at the schema, as it does in VS Code;
3. works the editor with the keyboard and the mouse, as a person would, and saves into docs/img/:

   * ``editor-completion.png`` — a new column typed after ``visit_date``, Ctrl+Space on its next
     line, Ctrl+Space again for the descriptions, arrow keys down to ``compute``: the keys a field
     may have, with the focused key's zh/en description beside the list;
   * ``editor-hover.png`` — the mouse resting on the key ``type`` of the ``visit_date`` column;
   * ``editor-error.png`` — the type ``phone`` of the ``contact`` column retyped as ``nummber``:
     the wavy line under it, and the mouse on it shows the language server's message.

Each step checks that the editor shows what its picture claims (the description beside the list
is the schema's, the hover explains ``type``, the problem is reported on the misspelt value) and
stops with a message — and ``build/editor-screenshots/failed-<shot>.png`` — if not.
Needs node and npm (the npm registry, the first time), the ``browser`` extra and Chromium, the same
one as ``docs/tools/screenshots.py`` (``CHROMIUM`` environment variable, ``/usr/bin/chromium`` by default).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SOURCE = Path(__file__).resolve().parent / "editor"
WORK = ROOT / "build" / "editor-screenshots"  # build/ is git-ignored
OUT = ROOT / "docs" / "img"
FORM = "forms/customer/customer_record.yaml"
SCHEMA = "schemas/form.schema.json"
PAGE_FILES = ("package.json", "package-lock.json", "index.html", "main.js")
COMPLETION_KEY = "compute"  # the key focused in the completion list
VIEWPORT = {"width": 960, "height": 520}
TIMEOUT_MS = 20_000

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screenshots import CHROMIUM, CHROMIUM_ARGS  # the docs' one Chromium setup


class ScreenshotError(RuntimeError):
    """The editor did not show what a picture is meant to show."""


def _run(command: list[str], cwd: Path) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ScreenshotError(f"{' '.join(command)} failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")


def build_page(work: Path = WORK) -> Path:
    """Install and bundle docs/tools/editor/ into ``work``; returns the folder to serve."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise ScreenshotError(f"{tool} is not installed (Node.js 18 or later is needed to build the editor page)")
    work.mkdir(parents=True, exist_ok=True)
    lock = (SOURCE / "package-lock.json").read_bytes()
    installed_lock = work / "node_modules" / ".formengine-lock"  # the lock node_modules was installed from
    for name in PAGE_FILES:
        shutil.copyfile(SOURCE / name, work / name)
    if not installed_lock.is_file() or installed_lock.read_bytes() != lock:
        print("npm ci (monaco-editor, monaco-yaml, esbuild) …")
        _run(["npm", "ci", "--no-audit", "--no-fund"], work)
        installed_lock.write_bytes(lock)
    dist = work / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    # Workers are bundles of their own: main.js starts them by file name (MonacoEnvironment.getWorker).
    _run([str(work / "node_modules" / ".bin" / "esbuild"), "main.js",
          "editor.worker=monaco-editor/esm/vs/editor/editor.worker.js",
          "yaml.worker=monaco-yaml/yaml.worker.js",
          "--bundle", "--format=esm", "--minify", "--loader:.ttf=file", f"--outdir={dist}",
          "--log-level=error"], work)
    shutil.copyfile(work / "index.html", dist / "index.html")
    return dist


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """The folder over HTTP on a free loopback port (module workers cannot load from file://)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Editor:
    """One form open in Monaco in a fresh page; keyboard and mouse go through Playwright."""

    def __init__(self, page: Any, url: str) -> None:
        self.page = page
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.goto(url)
        self.page.wait_for_function("window.formEditor && window.formEditor.ready")
        self.page.evaluate("args => window.formEditor.open(args)", {
            "path": FORM, "schemaPath": SCHEMA,
            "text": (ROOT / FORM).read_text("utf-8"),
            "schema": json.loads((ROOT / SCHEMA).read_text("utf-8")),
        })
        self.page.wait_for_selector(".monaco-editor .view-lines")
        self.page.evaluate("document.fonts.ready")

    def line_of(self, needle: str) -> int:
        line = int(self.page.evaluate("n => window.formEditor.findLine(n)", needle))
        if not line:
            raise ScreenshotError(f"{FORM} has no line with {needle!r}: choose another line for the screenshots")
        return line

    def line_text(self, line: int) -> str:
        return str(self.page.evaluate("l => window.formEditor.editorLine(l)", line))

    def column_of(self, line: int, needle: str) -> int:
        return self.line_text(line).index(needle) + 1

    def place_caret(self, line: int, column: int) -> None:
        self.page.evaluate("([l, c]) => window.formEditor.placeCaret(l, c)", [line, column])

    def point(self, line: int, column: int) -> tuple[float, float]:
        at = self.page.evaluate("([l, c]) => window.formEditor.pointAt(l, c)", [line, column])
        return at["x"], at["y"]

    def shoot(self, name: str, out: Path) -> Path:
        target = out / name
        self.page.wait_for_timeout(300)  # let the widget's fade-in finish
        self.page.screenshot(path=str(target))
        print(f"{name} → {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
        return target


def _expect_text(locator: Any, text: str, what: str) -> None:
    """Wait until ``locator`` shows ``text``; a clear error when it does not."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        locator.filter(has_text=text).first.wait_for(timeout=5_000)
    except PlaywrightTimeout:
        shown = locator.first.inner_text() if locator.count() else "nothing"
        raise ScreenshotError(f"{what} does not show {text!r}; it shows {shown!r}") from None


def _described(definition: str, key: str) -> str:
    """The Chinese half of the schema's description of ``key`` in ``$defs/<definition>``."""
    schema = json.loads((ROOT / SCHEMA).read_text("utf-8"))
    return str(schema["$defs"][definition]["properties"][key]["description"]).split(" / ")[0]


def completion(editor: Editor, out: Path) -> Path:
    """Type a new column after ``visit_date``; Ctrl+Space where its next key goes, then arrow
    down the list to ``compute`` so its description shows beside the list."""
    page = editor.page
    line = editor.line_of("{id: visit_date,")
    editor.place_caret(line, len(editor.line_text(line)) + 1)
    page.keyboard.press("Enter")  # Monaco keeps the list's indentation
    page.keyboard.type("- id: remark")
    page.keyboard.press("Enter")
    page.keyboard.type("  label: 备注")
    page.keyboard.press("Enter")
    page.evaluate("window.formEditor.scrollCaretTo(8)")  # the typed column in view, room below for the list
    page.keyboard.press("Control+Space")
    focused = page.locator(".suggest-widget.visible .monaco-list-row.focused .label-name")
    focused.wait_for()
    details = page.locator(".suggest-details-container .suggest-details")
    if not details.is_visible():
        page.keyboard.press("Control+Space")  # Ctrl+Space again: "Read more", the description beside the list
    details.wait_for()
    for _ in range(80):  # the list holds some 40 keys
        if focused.inner_text().strip() == COMPLETION_KEY:
            break
        page.keyboard.press("ArrowDown")
    else:
        raise ScreenshotError(f"the completion list has no key `{COMPLETION_KEY}`")
    # Monaco sizes the description box on focus, sometimes before the text is laid out; moving the
    # focus off and back (as a person would) sizes it to the whole text.
    clipped = "d => d.clientHeight < d.querySelector('.body').scrollHeight"
    for _ in range(3):
        if not details.evaluate(clipped):
            break
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowUp")
        page.wait_for_timeout(200)
    _expect_text(details, _described("field", COMPLETION_KEY), "the description beside the list")
    return editor.shoot("editor-completion.png", out)


def hover(editor: Editor, out: Path) -> Path:
    """Rest the mouse on the key ``type`` of the ``visit_date`` column."""
    page = editor.page
    line = editor.line_of("{id: visit_date,")
    column = editor.column_of(line, "type:") + 1
    x, y = editor.point(line, column)
    page.mouse.move(x - 30, y + 40)
    page.mouse.move(x, y, steps=5)
    _expect_text(page.locator(".monaco-hover:not(.hidden)"), _described("field", "type")[:12], "the hover")
    return editor.shoot("editor-hover.png", out)


def error(editor: Editor, out: Path) -> Path:
    """Retype the column type ``phone`` as ``nummber``; the mouse on the wavy line shows the message."""
    page = editor.page
    line = editor.line_of("{id: contact,")
    column = editor.column_of(line, "type: phone") + len("type: ")
    x, y = editor.point(line, column + 1)
    page.mouse.dblclick(x, y)  # selects the word "phone"
    page.keyboard.type("nummber")
    on_value = f"m => m.line === {line} && m.column === {column}"
    page.wait_for_function(f"window.formEditor.markers().some({on_value})")
    message = str(page.evaluate(f"window.formEditor.markers().find({on_value}).message"))
    # yaml-language-server reports schema problems as warnings (a yellow wavy line), as in VS Code;
    # only YAML syntax errors are red.
    page.locator(".squiggly-warning, .squiggly-error").first.wait_for()
    x, y = editor.point(line, column + 3)
    page.mouse.move(x, y + 40)
    page.mouse.move(x, y, steps=5)
    _expect_text(page.locator(".monaco-hover:not(.hidden)"), message[:30], "the hover on the wavy line")
    print(f"  line {line}: {message}")
    return editor.shoot("editor-error.png", out)


SHOTS = {"completion": completion, "hover": hover, "error": error}


def editor_screenshots(which: list[str], out: Path = OUT) -> list[Path]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ScreenshotError("Playwright is not installed: pip install -e \".[browser]\"") from None
    if shutil.which(CHROMIUM) is None:
        raise ScreenshotError(f"no Chromium at {CHROMIUM}: apt-get install chromium, or set CHROMIUM")
    dist = build_page()
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with serve(dist) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name in which:
                written.append(_take(browser, url, name, out))
        finally:
            browser.close()
    return written


def _take(browser: Any, url: str, name: str, out: Path) -> Path:
    """One picture in a fresh editor, so nothing is left over from the last one."""
    page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
    try:
        return SHOTS[name](Editor(page, url), out)
    except Exception as exc:  # a check or a Playwright time-out: say which picture, keep what the editor showed
        failed = WORK / f"failed-{name}.png"
        page.screenshot(path=str(failed))
        raise ScreenshotError(f"{name}: {exc}\nthe editor as it was: {failed}") from exc
    finally:
        page.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shots", nargs="*", metavar="SHOT",
                        help=f"which pictures to take: {', '.join(SHOTS)} (default: all)")
    parser.add_argument("-o", "--out", type=Path, default=OUT, help="folder for the PNGs (default: docs/img)")
    args = parser.parse_args(argv)
    unknown = [s for s in args.shots if s not in SHOTS]
    if unknown:
        parser.error(f"unknown picture {', '.join(unknown)}: choose from {', '.join(SHOTS)}")
    try:
        editor_screenshots(args.shots or list(SHOTS), args.out)
    except ScreenshotError as exc:
        print(f"editor screenshots: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
