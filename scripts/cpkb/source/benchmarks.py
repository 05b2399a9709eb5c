"""The recorded benchmark results (benchmarks/results.json) and their targets.

`cpkb bench` writes the file; the site renders it. Both sides read the targets
from here, so a target is stated once.
"""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path("benchmarks") / "results.json"
"""Committed results of the last `make bench` (with machine and command)."""

LIMITS = {
    "linear": 1.3,
    "overhead": 1.3,
    "total_10k": 240,
    "first_result": 300,
    "sector_pdf": 3,
    "catalogue_view": 300,
    "search_top3": 90,
    "title_top5": 95,
    "books_pps": 60,
    "cold_build": 60,
    "warm_build": 60,
}
"""The targets: ratios, seconds and kilobytes; described by labels bench.goal.<key>."""


def read_results(root: Path) -> dict | None:
    """The recorded results, or None when no benchmark has been recorded."""
    path = root / RESULTS
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def write_results(root: Path, data: dict) -> Path:
    path = root / RESULTS
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
