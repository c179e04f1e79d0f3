"""Every form under forms/ loads, matches the published schema, and behaves as its examples say."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import formengine
from formengine.examples import load_examples
from formengine.form import form_files
from formengine.loader import read_yaml

from .conftest import FORMS, ROOT

FORM_FILES = form_files(FORMS)
ALL_YAML = sorted(p for p in FORMS.rglob("*.yaml") if not p.name.endswith(".examples.yaml")
                  and p.name != "formengine.yaml")
SCHEMA = json.loads((ROOT / "schemas" / "form.schema.json").read_text("utf-8"))


def _id(p: Path) -> str:
    return str(p.relative_to(FORMS))


@pytest.mark.parametrize("path", ALL_YAML, ids=_id)
def test_file_matches_published_schema(path: Path) -> None:
    errors = [e.message for e in Draft202012Validator(SCHEMA).iter_errors(read_yaml(path).data)]
    assert errors == []


@pytest.mark.parametrize("path", FORM_FILES, ids=_id)
def test_form_starts_with_schema_line(path: Path) -> None:
    first = path.read_text("utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=") and first.endswith("schemas/form.schema.json")


@pytest.mark.parametrize("path", FORM_FILES, ids=_id)
def test_form_has_examples(path: Path) -> None:
    examples = load_examples(path)
    assert sum(e.valid for e in examples) >= 1, "at least one valid example"
    assert sum(not e.valid for e in examples) >= 2, "at least two invalid examples"


def _cases() -> list[tuple[Path, object]]:
    return [(p, e) for p in FORM_FILES for e in load_examples(p)]


@pytest.mark.parametrize("path,example", _cases(), ids=lambda x: _id(x) if isinstance(x, Path) else x.name)
def test_example_behaves_as_declared(path: Path, example, forms) -> None:
    form = formengine.load(path)
    result = form.validate(example.data)
    if example.valid:
        assert result.ok, result.format("en")
    else:
        assert not result.ok, "an invalid example was accepted"
        found = {(e.path, e.code) for e in result.errors}
        missing = [x for x in example.errors if x not in found]
        assert example.errors, "an invalid example must declare the errors it produces"
        assert not missing, f"missing {missing}; got {sorted(found)}"


def test_load_dir_finds_every_form(forms) -> None:
    assert len(forms) == len(FORM_FILES)
