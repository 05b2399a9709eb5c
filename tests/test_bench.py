"""The benchmark's own parts: synthetic catalogues are valid, targets are judged right,
the recorded results render as a page in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from cpkb.bench import make_project
from cpkb.site.benchmarks import check_targets, render_benchmark_page
from cpkb.source.validate import validate_catalogue

ROOT = Path(__file__).resolve().parents[1]


def test_synthetic_catalogue_is_valid_and_deterministic(tmp_path):
    # The bench's middle size: every kind of real record serves as a template somewhere.
    size = 1000
    first = make_project(ROOT, tmp_path / "a", size)
    second = make_project(ROOT, tmp_path / "b", size)
    report = validate_catalogue(first / "measures", root=first)
    assert report.problems == [] and report.files_checked == size
    files = sorted(p.relative_to(first / "measures") for p in (first / "measures").glob("*/*.yml"))
    assert files == sorted(p.relative_to(second / "measures") for p in (second / "measures").glob("*/*.yml"))
    assert all((first / "measures" / f).read_text() == (second / "measures" / f).read_text() for f in files)
    # Links copied from the real texts lead to measures of the synthetic catalogue (the site build refuses others).
    ids = {f.stem for f in files}
    linked = {mid for f in files for mid in re.findall(r"measure:([A-Z]+-\d{3})", (first / "measures" / f).read_text())}
    assert linked and linked <= ids, linked - ids


def test_targets_are_judged_from_the_numbers():
    results = [
        {"measures": 1000, "per_page_ms": 10.0, "overhead_ratio": 1.2, "sector_pdf_measures": 110, "sector_pdf_s": 2.5},
        {"measures": 10000, "per_page_ms": 14.0, "overhead_ratio": 1.4, "build_s": 200.0, "first_result_kib": 350.0},
    ]
    verdicts = {key: ok for key, (ok, _) in check_targets(results).items()}
    assert verdicts == {
        "linear": False,
        "overhead": False,
        "total_10k": True,
        "first_result": False,
        "sector_pdf": True,
    }


def test_the_real_build_is_judged_on_the_page():
    from cpkb.site.benchmarks import render_page

    data = {
        "machine": {},
        "command": "make bench",
        "date": "2026-12-02",
        "results": [],
        "real_build": {
            "books": 40,
            "pages": 7554,
            "pdf_s": 114.2,
            "pages_per_second": 66.1,
            "cold_build_s": 146.0,
            "warm_build_s": 31.5,
        },
    }
    en, vi = render_page(data, "en"), render_page(data, "vi")
    assert (
        "| the real books laid out at 60 pages per second or more (wall clock, every core) | 66.1 (7,554 / 114.2 s) | met |"
        in en
    )
    assert "in under 60 s | 146 s | **missed** |" in en and "kept, in under 60 s | 32 s | met |" in en
    assert "| 66,1 (7.554 / 114,2 s) | đạt |" in vi and "40 sổ tay PDF, 7.554 trang" in vi


def test_recorded_results_render_in_both_languages():
    assert (ROOT / "benchmarks" / "results.json").exists(), "make bench records its results in the repository"
    vi, en = render_benchmark_page(ROOT, "vi"), render_benchmark_page(ROOT, "en")
    assert vi.startswith("# Đo hiệu năng") and en.startswith("# Benchmarks")
    assert "make bench" in vi and "make bench" in en
    assert "## Ghi chú" in vi and "## Notes" in en


def test_the_benchmark_page_speaks_the_readers_language():
    """Issue 13: the machine, the chart's numbers and every table header in the page's language."""
    from cpkb.site.benchmarks import render_page

    data = {
        "machine": {"cores": 2, "cpu": "AMD EPYC", "ram_gib": 24, "os": "Linux 6.1", "python": "3.11.7"},
        "command": "make bench",
        "date": "2026-12-02",
        "results": [
            {"measures": 1000, "per_page_ms": 18.5, "overhead_ratio": 1.2},
            {"measures": 10000, "per_page_ms": 14.25, "overhead_ratio": 1.3, "build_s": 200.0},
        ],
    }
    vi, en = render_page(data, "vi"), render_page(data, "en")
    assert "2 nhân (AMD EPYC), RAM 24 GiB, Linux 6.1, Python 3.11.7" in vi and "cores" not in vi
    assert "2 cores (AMD EPYC), 24 GiB RAM" in en
    vi_labels = re.findall(r"<text [^>]*>([^<]+)</text>", vi)
    assert vi_labels == ["18,5", "1.000", "14,2", "10.000"]  # Vietnamese separators in the chart
    assert re.findall(r"<text [^>]*>([^<]+)</text>", en) == ["18.5", "1,000", "14.2", "10,000"]
    for page in (vi, en):
        headers = [
            line
            for line in page.splitlines()
            if line.startswith("| ") and "---" not in line and ("Mục tiêu" in line or "Target" in line)
        ]
        assert headers and all(all(cell.strip() for cell in h.strip("|").split("|")) for h in headers), headers
