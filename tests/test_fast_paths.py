"""The shortcuts taken for speed give exactly the answers of the slow paths they skip."""

from __future__ import annotations

import copy
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from formengine import cn
from formengine.fastschema import Unsupported, compile_schema, equal
from formengine.loader import read_yaml
from formengine.schema_check import _is_valid, _validator

from .conftest import FORMS

DEFINITIONS = [p for p in sorted(FORMS.rglob("*.yaml")) if not p.name.endswith(".examples.yaml")]

VALUES: list[Any] = [None, True, False, 0, 1, -1, 2, Decimal("1.5"), "", "x", "Bad-Id", "text", "money", "choice",
                     "digit_boxes", "inline", "children", "default", "image", [], {}, ["a"], ["a", "a"], {"zh": "a"},
                     {"zh": ""}, {"x": 1}, {"id": "a", "label": "A", "type": "text"}]
KEYS = ["id", "label", "type", "required", "choices", "pattern", "pattern_message", "default", "default_expr",
        "print", "blank", "unit", "use", "table", "text", "group", "visible_if", "min", "max", "places", "lines",
        "zzz", "one_per_row", "cell", "rows", "columns", "unique", "include", "blocks", "sections"]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, prefix + (i,))
    return out


def _mutate(doc: Any, rng: random.Random) -> Any:
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(_paths(doc))
        if not path:
            continue
        node = doc
        for part in path[:-1]:
            node = node[part]
        target = node[path[-1]]
        op = rng.random()
        if op < 0.4:
            node[path[-1]] = copy.deepcopy(rng.choice(VALUES))
        elif op < 0.6:
            del node[path[-1]]
        elif isinstance(target, dict):
            target[rng.choice(KEYS)] = copy.deepcopy(rng.choice(VALUES))
        elif isinstance(target, list):
            target.append(copy.deepcopy(rng.choice(VALUES)))
        else:
            node[path[-1]] = copy.deepcopy(rng.choice(VALUES))
    return doc


def test_the_compiled_check_agrees_with_jsonschema_on_the_catalogue_and_its_mutants() -> None:
    fast, slow = _is_valid(), _validator()
    assert fast is not None, "schemas/form.schema.json uses a keyword fastschema does not compile"
    docs = [read_yaml(p).data for p in DEFINITIONS]
    for doc in docs:
        assert fast(doc) == slow.is_valid(doc)
    rng = random.Random(20260115)
    seen = {True: 0, False: 0}
    for _ in range(1500):
        doc = _mutate(copy.deepcopy(rng.choice(docs)), rng)
        expected = slow.is_valid(doc)
        assert fast(doc) == expected, doc
        seen[expected] += 1
    assert seen[True] > 50 and seen[False] > 500  # both answers exercised


@pytest.mark.parametrize(("schema", "good", "bad"), [
    ({"type": "integer"}, [1, -3], [True, 1.5, Decimal(2), "1", None]),
    ({"type": "number", "minimum": 0}, [0, Decimal("0.5"), 3], [-1, True, "1"]),
    ({"type": ["string", "object"], "minLength": 2, "required": ["zh"]}, ["ab", {"zh": 1}], ["a", {}, 3]),
    ({"enum": [1, "a"]}, [1, "a"], [True, "b", 1.5]),
    ({"const": False}, [False], [0, None]),
    ({"uniqueItems": True}, [[1, True], ["a", "b"], "not an array"], [[1, 1.0], ["a", "a"], [{"x": [1]}, {"x": [1]}]]),
    ({"properties": {"a": {"type": "string"}}, "additionalProperties": False}, [{"a": "x"}, {}, 3], [{"a": 1}, {"b": 1}]),
    ({"propertyNames": {"pattern": "^[a-z]+$"}, "minProperties": 1}, [{"ab": 1}], [{}, {"A": 1}]),
    ({"dependentRequired": {"a": ["b"]}, "dependentSchemas": {"c": {"required": ["d"]}}},
     [{"a": 1, "b": 2}, {"c": 1, "d": 2}, {}], [{"a": 1}, {"c": 1}]),
    ({"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}},
     [{"a": 1, "b": 1}, {"c": 1}], [{"a": 1}, {}]),
    ({"anyOf": [{"type": "string"}, {"type": "null"}], "not": {"const": "x"}}, ["y", None], ["x", 1]),
    ({"oneOf": [{"minimum": 0}, {"maximum": 10}]}, [-5, 20], [5]),
    ({"anyOf": [{"required": ["a"]}, {"required": ["b"], "$comment": "x"}]}, [{"a": 1}, {"b": None}, 3, "s"], [{}, {"c": 1}]),
    ({"anyOf": [{"required": ["a", "b"]}, {"required": ["c"]}]}, [{"a": 1, "b": 1}, {"c": 1}], [{"a": 1}, {"b": 1}]),
    ({"$defs": {"n": {"items": {"$ref": "#/$defs/n"}, "type": "array", "maxItems": 2}}, "$ref": "#/$defs/n"},
     [[], [[], [[]]]], [[[], [], []], [[1]]]),
])
def test_keywords_mean_what_jsonschema_says(schema: dict[str, Any], good: list[Any], bad: list[Any]) -> None:
    from jsonschema import Draft202012Validator

    fast, slow = compile_schema(schema), Draft202012Validator(schema)
    for value in good:
        assert slow.is_valid(value) and fast(value), value
    for value in bad:
        assert not slow.is_valid(value) and not fast(value), value


@pytest.mark.parametrize("schema", [{"prefixItems": [{}]}, {"patternProperties": {"a": {}}},
                                    {"$ref": "other.json#/x"}, {"$schema": "http://json-schema.org/draft-07/schema#"},
                                    {"items": {"$id": "inner.json"}}])
def test_anything_else_falls_back_to_jsonschema(schema: dict[str, Any]) -> None:
    with pytest.raises(Unsupported):
        compile_schema(schema)


def test_equal_keeps_bool_apart_from_numbers() -> None:
    assert equal([1, {"a": 2}], [1.0, {"a": 2}])
    assert not equal(True, 1) and not equal([False], [0])


def test_number_zh_matches_cn2an_without_importing_it() -> None:
    import cn2an

    for n in range(10_000):
        assert cn.number_zh(n) == cn2an.an2cn(n), n
    assert cn.number_zh(123456) == cn2an.an2cn(123456)


def test_check_and_import_leave_slow_libraries_alone() -> None:
    """``import formengine`` imports nothing heavy; checking a valid form never imports
    jsonschema (the compiled check answers) nor cn2an (section numbers are written directly)."""
    code = ("import sys, formengine\n"
            "assert 'pydantic' not in sys.modules and 'formengine.form' not in sys.modules\n"
            f"formengine.load({str(FORMS / 'sales' / 'sales_contract.yaml')!r})\n"
            "print(sorted(m for m in ('jsonschema', 'cn2an', 'docx', 'jinja2') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_an_included_file_is_read_once_while_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import formengine
    from formengine import library

    (tmp_path / "formengine.yaml").write_text("{}\n", "utf-8")
    (tmp_path / "_shared").mkdir()
    shared = tmp_path / "_shared" / "lib.yaml"
    shared.write_text("choices:\n  colour: [红, 绿]\n", "utf-8")
    form = "id: f{n}\ntitle: T\ninclude: [_shared/lib.yaml]\nsections:\n  - title: A\n    items:\n" \
           "      - {{id: c, label: C, type: choice, choices: colour}}\n"
    for n in (1, 2):
        (tmp_path / f"f{n}.yaml").write_text(form.format(n=n), "utf-8")
    reads: list[Path] = []
    real = library.Library.read

    def counting(self: library.Library, path: Path, display: str) -> Any:
        reads.append(path)
        return real(self, path, display)

    monkeypatch.setattr(library.Library, "read", counting)
    assert set(formengine.load_dir(tmp_path)) == {"f1", "f2"}
    assert sum(1 for p in reads if p.name == "lib.yaml") == 1
    shared.write_text("choices:\n  colour: [红, 绿, 蓝色]\n", "utf-8")  # changed: read again
    options = formengine.load(tmp_path / "f1.yaml").spec.fields[0].choices
    assert options is not None and options.values == ("红", "绿", "蓝色")


def test_parallel_check_reports_like_a_serial_one(tmp_path: Path) -> None:
    """``check`` of many files forks workers; the report is the same, in the same order."""
    from click.testing import CliRunner

    from formengine.cli import PARALLEL_CHECK_FROM, main

    good = "id: f{n}\ntitle: T\nsections:\n  - title: A\n    items:\n      - {{id: a, label: A, type: text}}\n"
    bad = "id: f{n}\ntitle: T\nsections:\n  - title: A\n    items:\n      - {{id: a, lable: A, type: text}}\n"
    for n in range(PARALLEL_CHECK_FROM + 4):
        (tmp_path / f"f{n:02d}.yaml").write_text((bad if n % 5 == 2 else good).format(n=n), "utf-8")
    serial = CliRunner().invoke(main, ["check", str(tmp_path), "--jobs", "1", "--lang", "en"])
    parallel = CliRunner().invoke(main, ["check", str(tmp_path), "--jobs", "2", "--lang", "en"])
    assert serial.exit_code == parallel.exit_code == 1
    assert parallel.output == serial.output
    assert serial.output.count("[schema.unknown_key]") == 4 and "checked 20 forms: 16 ok, 4 with problems" in serial.output
