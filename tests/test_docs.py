"""Generated documentation is up to date and complete."""

from __future__ import annotations

from formengine import codes
from formengine.docgen import forms_markdown, reference_markdown
from formengine.expr.functions import FUNCTIONS
from formengine.fieldtypes import TYPES

from .conftest import FORMS, ROOT


def test_reference_is_generated_and_current() -> None:
    assert (ROOT / "docs" / "reference.md").read_text("utf-8") == reference_markdown(), \
        "run: python -m formengine.docgen"


def test_reference_has_an_entry_for_everything() -> None:
    text = reference_markdown()
    for name in TYPES:
        assert f"| `{name}` |" in text
    for f in FUNCTIONS.values():
        assert f"`{f.signature}`" in text
    for code in (*codes.DEFINITION, *codes.VALIDATION):
        assert f"| `{code}` |" in text
    for c in (*codes.DEFINITION.values(), *codes.VALIDATION.values()):
        assert c.zh and c.en


def test_definition_codes_say_how_to_fix() -> None:
    for code, c in codes.DEFINITION.items():
        assert c.fix_zh and c.fix_en, code


def test_forms_catalogue_is_generated_and_current() -> None:
    assert (ROOT / "docs" / "forms.md").read_text("utf-8") == forms_markdown(FORMS), \
        "run: python -m formengine.docgen"
