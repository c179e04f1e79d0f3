"""Submissions generated from each form: valid ones accepted and stable, broken ones rejected."""

from __future__ import annotations

import functools
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import formengine
from formengine.form import form_files
from formengine.testing import broken_submissions, valid_submissions

from .conftest import FORMS

PATHS = form_files(FORMS)


@functools.cache
def load(path) -> formengine.Form:
    return formengine.load(path)
# A few examples per form in the normal run; FORMENGINE_LONG=1 runs the long job.
EXAMPLES = 200 if os.environ.get("FORMENGINE_LONG") else 4
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_generated_valid_submissions_round_trip(path) -> None:
    form = load(path)

    @SETTINGS
    @given(data=valid_submissions(form))
    def check(data: dict) -> None:
        first = form.validate(data)
        assert first.ok, first.format("en")
        again = form.validate(json.loads(json.dumps(first.data(), ensure_ascii=False)))
        assert again.ok and again.value == first.value

    check()


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_broken_submissions_are_rejected_at_their_path(path) -> None:
    form = load(path)

    @SETTINGS
    @given(case=broken_submissions(form))
    def check(case: tuple[dict, str]) -> None:
        data, key = case
        result = form.validate(data)
        assert not result.ok
        assert any(e.path == key or e.path.startswith((key + ".", key + "[")) for e in result.errors), \
            (key, result.format("en"))

    check()
