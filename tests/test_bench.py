"""The benchmark's own parts: synthetic catalogues are valid, targets are judged right,
the recorded results render as a page in both languages."""

from __future__ import annotations

from pathlib import Path

from cpkb.bench import make_project
from cpkb.site.benchmarks import check_targets, render_benchmark_page
from cpkb.source.validate import validate_catalogue

ROOT = Path(__file__).resolve().parents[1]


def test_synthetic_catalogue_is_valid_and_deterministic(tmp_path):
    first = make_project(ROOT, tmp_path / "a", 40)
    second = make_project(ROOT, tmp_path / "b", 40)
    report = validate_catalogue(first / "measures", root=first)
    assert report.problems == [] and report.files_checked == 40
    files = sorted(p.relative_to(first / "measures") for p in (first / "measures").glob("*/*.yml"))
    assert files == sorted(p.relative_to(second / "measures") for p in (second / "measures").glob("*/*.yml"))
    assert all((first / "measures" / f).read_text() == (second / "measures" / f).read_text() for f in files)


def test_targets_are_judged_from_the_numbers():
    results = [
        {"measures": 1000, "per_page_ms": 10.0, "overhead_ratio": 1.2, "sector_pdf_measures": 110, "sector_pdf_s": 14.0},
        {"measures": 10000, "per_page_ms": 14.0, "overhead_ratio": 1.4, "build_s": 200.0, "first_result_kib": 350.0},
    ]
    verdicts = {key: ok for key, (ok, _) in check_targets(results).items()}
    assert verdicts == {"linear": False, "overhead": False, "total_10k": True, "first_result": False, "sector_pdf": True}


def test_recorded_results_render_in_both_languages():
    assert (ROOT / "benchmarks" / "results.json").exists(), "make bench records its results in the repository"
    vi, en = render_benchmark_page(ROOT, "vi"), render_benchmark_page(ROOT, "en")
    assert vi.startswith("# Đo hiệu năng") and en.startswith("# Benchmarks")
    assert "make bench" in vi and "make bench" in en
    assert "## Ghi chú" in vi and "## Notes" in en
