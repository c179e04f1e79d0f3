from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the property tests with fixed seeds: a red run must be reproducible, not a coin toss.
# Locally they stay random, to keep finding new cases.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
FORMS = ROOT / "forms"


@pytest.fixture(scope="session")
def forms():
    import formengine

    return formengine.load_dir(FORMS)


# CI sets these: there a missing browser or node must fail the run instead of skipping tests.
_REQUIRED = {
    "FORMENGINE_REQUIRE_BROWSER": ("chromium", "playwright", "browser"),
    "FORMENGINE_REQUIRE_NODE": ("node",),
    "FORMENGINE_REQUIRE_LIBREOFFICE": ("soffice", "libreoffice"),
}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    import os

    outcome = yield
    report = outcome.get_result()
    if not report.skipped:
        return
    reason = str(report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr).lower()
    for var, words in _REQUIRED.items():
        if os.environ.get(var) and any(w in reason for w in words):
            report.outcome = "failed"
            report.longrepr = f"{var} is set but the test was skipped: {reason}"
