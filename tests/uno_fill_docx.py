"""Fill a fillable DOCX in LibreOffice through UNO, as a person typing in Writer would.

Run by the system Python that has LibreOffice's ``uno`` module (not the test environment):

    python3 uno_fill_docx.py IN.docx OUT.docx ACTIONS.json PROFILE_DIR

ACTIONS.json is a list of ``[index, "type", text]`` / ``[index, "tick", true]``: the index of a
content control in page order (paragraphs, then table cells row by row). LibreOffice 7.4 drops
content-control tags when it opens a .docx, so a script can only find a control by its place.
The script prints the controls' texts as it found them (JSON) so the caller can check that it
addressed the controls it meant to, then saves the document as .docx.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path


def main(source: str, target: str, actions_path: str, profile: str) -> None:
    import uno
    from com.sun.star.beans import PropertyValue

    pipe = f"formengine_docx_{os.getpid()}"
    office = subprocess.Popen(
        ["soffice", f"-env:UserInstallation={Path(profile).resolve().as_uri()}", "--headless", "--invisible",
         "--norestore", "--nologo", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        for _ in range(200):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:  # noqa: BLE001 - office still starting
                time.sleep(0.25)
        if ctx is None:
            raise SystemExit("LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)

        def prop(name: str, value: object) -> PropertyValue:
            p = PropertyValue()
            p.Name, p.Value = name, value
            return p

        doc = desktop.loadComponentFromURL(Path(source).resolve().as_uri(), "_blank", 0, (prop("Hidden", True),))
        controls = []

        def walk(text: object) -> None:
            paragraphs = text.createEnumeration()
            while paragraphs.hasMoreElements():
                block = paragraphs.nextElement()
                if block.supportsService("com.sun.star.text.TextTable"):
                    for name in _row_major(block.getCellNames()):
                        walk(block.getCellByName(name))
                    continue
                portions = block.createEnumeration()
                while portions.hasMoreElements():
                    portion = portions.nextElement()
                    if portion.TextPortionType == "ContentControl":
                        controls.append(portion.ContentControl)
        walk(doc.getText())
        print(json.dumps([c.getAnchor().getString() for c in controls], ensure_ascii=False))
        for index, action, value in json.loads(Path(actions_path).read_text("utf-8")):
            control = controls[index]
            if action == "tick":
                control.Checked = bool(value)
                _replace(control, "☒" if value else "☐")
            else:
                _replace(control, value)
                control.ShowingPlaceHolder = False
        doc.storeToURL(Path(target).resolve().as_uri(), (prop("FilterName", "MS Word 2007 XML"),))
        doc.close(True)
    finally:
        office.terminate()
        office.wait(timeout=60)


def _row_major(names: tuple[str, ...]) -> list[str]:
    """Cell names (A1, B1 … A2) in reading order: by row, then by column."""
    def key(name: str) -> tuple[int, int]:
        letters = "".join(ch for ch in name if ch.isalpha())
        column = 0
        for ch in letters:
            column = column * 52 + (ord(ch) - 65 if ch.isupper() else ord(ch) - 97 + 26)
        return int(name[len(letters):].split(".")[0]), column
    return sorted(names, key=key)


def _replace(control: object, text: str) -> None:
    """Replace what a control holds, keeping the control: its anchor starts with a mark."""
    anchor = control.getAnchor()
    length = len(anchor.getString())
    cursor = control.getText().createTextCursorByRange(anchor.getStart())
    cursor.goRight(1, False)
    cursor.goRight(length, True)
    cursor.setString(text)


if __name__ == "__main__":
    main(*sys.argv[1:5])
