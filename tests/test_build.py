"""Whole builds: the real catalogue, atomicity on failure, reproducibility."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

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
    result = subprocess.run([lychee, "--offline", "--include-fragments", "--no-progress",
                             "--exclude-path", str(real_site / "assets" / "generated"),
                             "--root-dir", str(real_site), f"{real_site}/**/*.html"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:]


def test_a_measure_page_stays_small(real_site):
    sizes = sorted(p.stat().st_size for p in (real_site / "measures").glob("*-*/index.html"))
    # About 60 KB today: Material's page frame, the figures, calculator, fact-sheet link and support blocks.
    assert sizes[len(sizes) // 2] < 64_000, "measure pages must not carry the whole catalogue"


@pytest.fixture
def site_project(mini_project) -> Path:
    return make_site_project(mini_project)


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


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
    assert run_cpkb(["build", "--site-dir", str(first)], site_project).returncode == 0
    assert run_cpkb(["build", "--site-dir", str(second)], site_project).returncode == 0
    a, b = _digest(first), _digest(second)
    ours = lambda d: {k: v for k, v in d.items() if not k.startswith(("pagefind/", "pagefind-catalogue/"))}
    assert ours(a) == ours(b)
    assert any(k.endswith(".pdf") for k in ours(a)) and any(k.endswith(".xlsx") for k in ours(a))
    assert len(a) == len(b)


def test_both_languages_built_at_once_are_the_bytes_of_one_static_i18n_run(site_project, tmp_path):
    """`cpkb build` runs one MkDocs process per language and merges their sites;
    plain `mkdocs build` is static-i18n building them one after the other in one
    process. Pages, assets and the sitemap (with an address, as the deploy build
    has) are the same bytes. The 404 page differs, for the better: one run
    leaves the language switcher of the last page it built in it (on the real
    site it linked a case study), the parallel build links the home pages."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "scripts"), NO_MKDOCS_2_WARNING="1",
               SOURCE_DATE_EPOCH="1767225600", CPKB_SITE_URL="https://example.org/cp/")
    one, two = tmp_path / "one", tmp_path / "two"
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--site-dir", str(one)], cwd=site_project,
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    result = subprocess.run([sys.executable, "-m", "cpkb", "build", "--no-pdf", "--site-dir", str(two)],
                            cwd=site_project, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    # cpkb build also writes the forwarding pages of retired ids (measures/moved.yml), which MkDocs knows nothing of.
    retired = tuple(f"{lang}measures/{e['id'].lower()}/" for e in
                    yaml.safe_load((site_project / "measures" / "moved.yml").read_text(encoding="utf-8")) for lang in ("", "en/"))
    ours = lambda d: {k: v for k, v in _digest(d).items()
                      if not k.startswith(("pagefind/", "pagefind-catalogue/", "downloads/") + retired) and k != "404.html"}
    a, b = ours(one), ours(two)
    assert a.keys() == b.keys() and "sitemap.xml" in a and "en/measures/bev-001/index.html" in a
    assert [k for k in a if a[k] != b[k]] == []
    page = (two / "404.html").read_text(encoding="utf-8")
    assert 'href="/cp/" hreflang="vi"' in page and 'href="/cp/en/" hreflang="en"' in page
    assert not list(site_project.glob(".site-*")), "the languages' folders are merged, not left behind"


def test_a_broken_link_fails_the_build(site_project):
    """MkDocs runs in strict mode: a link to a page that does not exist is an error."""
    page = site_project / "docs" / "about.en.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[gone](no-such-page.md)\n", encoding="utf-8")
    result = run_cpkb(["build", "--no-pdf"], site_project)
    assert result.returncode == 1
    assert "no-such-page.md" in result.stderr


def test_no_sitemap_without_a_published_address(mini_site):
    """MkDocs would write 'None/...' addresses; with CPKB_SITE_URL the deploy build has one."""
    assert not (mini_site / "site" / "sitemap.xml").exists()
