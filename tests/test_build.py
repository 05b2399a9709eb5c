"""Whole builds: the real catalogue, atomicity on failure, reproducibility."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cpkb.source.catalogue import load_catalogue
from cpkb.source.handbook import book_filename, planned_books

from conftest import ROOT, make_site_project, run_cpkb

pytestmark = pytest.mark.build


def test_real_site_has_every_page_pdf_and_no_broken_link(real_site):
    cat = load_catalogue(ROOT / "measures", root=ROOT)
    for prefix in ("", "en/"):
        for m in cat.measures:
            assert (real_site / prefix / "measures" / m.slug / "index.html").exists(), (prefix, m.id)
        for s in cat.sectors:
            assert (real_site / prefix / "sectors" / s.key / "index.html").exists(), (prefix, s.key)
    # The books handbook/book.yml asks for (a sector declared without measures has none),
    # the worksheets as PDF and XLSX, and a fact sheet per measure.
    for lang in ("vi", "en"):
        for key in [*planned_books(ROOT, cat), "worksheets"]:
            pdf = real_site / "downloads" / book_filename(key, lang)
            assert pdf.exists() and pdf.stat().st_size > 10_000, pdf
        assert (real_site / "downloads" / f"cp-worksheets-{lang}.xlsx").is_file()
        for m in cat.measures:
            assert (real_site / "downloads" / "factsheets" / f"{m.id}.{lang}.pdf").is_file(), (m.id, lang)
    lychee = shutil.which("lychee") or str(Path(sys.executable).parent / "lychee")
    # The catalogue's chart fragment links relative to /measures/ (see test_site.py).
    result = subprocess.run(
        [
            lychee,
            "--offline",
            "--include-fragments",
            "--no-progress",
            "--exclude-path",
            str(real_site / "assets" / "generated"),
            "--root-dir",
            str(real_site),
            f"{real_site}/**/*.html",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:]


def test_a_measure_page_stays_small(real_site):
    sizes = sorted(p.stat().st_size for p in (real_site / "measures").glob("*-*/index.html"))
    # About 60 KB today: Material's page frame, the figures, calculator, fact-sheet link and support blocks.
    assert sizes[len(sizes) // 2] < 64_000, "measure pages must not carry the whole catalogue"


@pytest.fixture
def site_project(mini_project) -> Path:
    return make_site_project(mini_project)


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_failed_build_leaves_the_previous_site_untouched(site_project):
    assert run_cpkb(["build", "--no-pdf"], site_project).returncode == 0
    before = _digest(site_project / "site")
    bad = site_project / "measures" / "beverages" / "BEV-001.yml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("complexity: 1", "complexity: 0"), encoding="utf-8")

    result = run_cpkb(["build", "--no-pdf"], site_project)

    assert result.returncode == 1
    assert "measures/beverages/BEV-001.yml" in result.stderr and "Traceback" not in result.stderr
    assert _digest(site_project / "site") == before
    assert not list(site_project.glob(".site-*")), "no half-written build left behind"


def test_a_failure_inside_mkdocs_also_keeps_the_site(site_project):
    assert run_cpkb(["build", "--no-pdf"], site_project).returncode == 0
    before = _digest(site_project / "site")
    chapter = site_project / "handbook" / "general" / "01-cleaner-production.vi.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n[x](measure:BEV-777)\n", encoding="utf-8")

    result = run_cpkb(["build", "--no-pdf"], site_project)

    assert result.returncode == 1 and "BEV-777" in result.stderr
    assert _digest(site_project / "site") == before


def test_two_builds_are_identical(site_project, tmp_path):
    """Pages, PDFs and data files are byte-identical. Pagefind's own filter and
    metadata indexes are not (upstream: Pagefind issue #638, only its fragment
    files were made stable), so its folder is compared by file count only."""
    first, second = tmp_path / "one", tmp_path / "two"
    # A preview without PDFs first: its pages (no fact-sheet link, no book sizes) must not be kept for the next build.
    assert run_cpkb(["build", "--no-pdf", "--site-dir", str(tmp_path / "preview")], site_project).returncode == 0
    assert run_cpkb(["build", "--site-dir", str(first)], site_project).returncode == 0
    downloads = (first / "downloads" / "index.html").read_text(encoding="utf-8")
    assert "\u00a0trang, " in downloads and "/factsheets/BEV-001.vi.pdf" in (
        first / "measures" / "bev-001" / "index.html"
    ).read_text(encoding="utf-8")
    assert run_cpkb(["build", "--site-dir", str(second)], site_project).returncode == 0
    a, b = _digest(first), _digest(second)
    ours = lambda d: {k: v for k, v in d.items() if not k.startswith(("pagefind/", "pagefind-catalogue/"))}
    assert ours(a) == ours(b)
    assert any(k.endswith(".pdf") for k in ours(a)) and any(k.endswith(".xlsx") for k in ours(a))
    assert len(a) == len(b)
    # Built again over itself, nothing changed: every PDF is the previous one, not laid out again.
    again = run_cpkb(["build", "--site-dir", str(first)], site_project)
    assert again.returncode == 0
    books = len([k for k in a if k.startswith("downloads/cp-handbook-")])
    sheets = len([k for k in a if k.startswith("downloads/factsheets/") and k.endswith(".pdf")])
    assert f"cpkb: {books} PDF handbooks (0 laid out, {books} unchanged from the previous site)" in again.stdout
    assert f"cpkb: {sheets} fact sheets (0 laid out, {sheets} unchanged from the previous site)" in again.stdout
    assert ours(_digest(first)) == ours(a)


def test_links_to_the_books_say_their_pages_and_size(real_site):
    """The downloads page, the sector list and each sector page: what a link says of a PDF
    is what the file is (pages read by pypdf; the size within rounding)."""
    import re

    from bs4 import BeautifulSoup
    from pypdf import PdfReader

    for prefix, word, decimal in (("", "trang", ","), ("en/", "pages", ".")):
        for page in ("downloads", "sectors", "sectors/beverages"):
            soup = BeautifulSoup((real_site / prefix / page / "index.html").read_text(encoding="utf-8"), "html.parser")
            links = soup.select('a[href$=".pdf"]')
            assert links, (prefix, page)
            for a in links:
                pdf = real_site / "downloads" / a["href"].rsplit("/downloads/", 1)[1]
                text = a.get_text(" ", strip=True)
                said = re.search(rf"(\d+)\s{word}, (\d+(?:[{decimal}]\d)?)\s(KB|MB)\)", text)
                assert said, (prefix, page, text)
                assert int(said[1]) == len(PdfReader(str(pdf)).pages), (pdf.name, text)
                size = float(said[2].replace(decimal, ".")) * 1024 ** (1 if said[3] == "KB" else 2)
                assert abs(size - pdf.stat().st_size) <= 0.06 * 1024 ** (1 if said[3] == "KB" else 2) + 1024, (
                    pdf.name,
                    text,
                )
