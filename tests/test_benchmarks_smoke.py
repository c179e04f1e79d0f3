"""CI smoke of the benchmark suite: it runs and prints its figures and ratios.

Times on a shared machine say nothing in CI, so nothing here asserts a time or a ratio's
value; ``python benchmarks/run.py`` (docs/performance.md) is where the figures are read.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "benchmarks" / "run.py"


@pytest.mark.skipif(not RUN.is_file(), reason="benchmarks/ is not part of this checkout")
def test_quick_benchmark_prints_every_ratio() -> None:
    done = subprocess.run([sys.executable, str(RUN), "--quick", "--no-subprocess-heavy", "--smoke"], cwd=ROOT, check=False,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert "ratios:" in lines
    figures = lines[:lines.index("ratios:")]
    ratios = lines[lines.index("ratios:") + 1:]
    assert all(re.fullmatch(r"[\w.]+: .+", line) for line in figures), figures
    names = {line.split(":")[0].removeprefix("ratio ") for line in ratios}
    assert {"validate_vs_handwritten_pydantic", "validate_speedup_vs_jsonschema", "load_compile_vs_pyxform",
            "check_catalog_cold_seconds", "import_formengine_vs_pydantic", "render_html_vs_handwritten_jinja2",
            "render_docx_vs_python_docx", "scale_validate_10x_input", "scale_validate_2x_input",
            "check_catalog_memory_over_pydantic_mb",
            "batch_docx_jobs2_vs_jobs1_throughput", "batch_peak_memory"} <= names, ratios
    assert all(re.fullmatch(r"ratio [\w.]+: (\S+ \(.+\)( ok| MISS)?|skipped \(.+\))", line) for line in ratios), ratios
