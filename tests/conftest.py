from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORMS = ROOT / "forms"


@pytest.fixture(scope="session")
def forms():
    import formengine

    return formengine.load_dir(FORMS)
