"""Build everything into site/: validate, MkDocs (both languages), Pagefind,
data downloads and PDFs, then swap the result in.

The build happens in a temporary folder next to site/ and replaces site/
only when every step succeeded, so a failed build leaves the previous site
untouched. MkDocs and Pagefind run as subprocesses: each gets a clean state,
and this module stays free of MkDocs imports.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from cpkb import LANGUAGES
from cpkb.source.catalogue import load_catalogue
from cpkb.site.exports import write_exports
from cpkb.site.support_pages import write_support_exports

PAGEFIND_EXCLUDE = ".headerlink, .cp-chart, .cp-compare, .md-source-file"
"""Parts of pages kept out of search excerpts (anchors, chart data, tables)."""


class BuildError(Exception):
    """A build step failed; the message says which and why."""


@dataclass
class BuildReport:
    site_dir: Path
    seconds: dict[str, float] = field(default_factory=dict)
    pdfs: list = field(default_factory=list)


def source_date_epoch(root: Path) -> str:
    """SOURCE_DATE_EPOCH if set, else the last commit's time, else a fixed date:
    dates inside the outputs then depend on the sources, not on the clock."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        out = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%ct"],
                             capture_output=True, text=True, check=True).stdout.strip()
        if out:
            return out
    except (OSError, subprocess.CalledProcessError):
        pass
    return "1767225600"  # 2026-01-01


def _run(step: str, cmd: list[str], cwd: Path, env: dict) -> None:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        lines = (result.stdout + result.stderr).strip().splitlines()
        useful = [line for line in lines if not line.startswith("INFO")]  # the reasons, not the progress
        raise BuildError(f"{step} failed (exit {result.returncode}):\n" + "\n".join(useful)[-6000:])


def build_site(root: Path, site_dir: Path | None = None, with_pdf: bool = True,
               langs: tuple[str, ...] = LANGUAGES, jobs: int | None = None, log=print) -> BuildReport:
    """Build the whole site into `site_dir` (default root/site) atomically."""
    root = root.resolve()
    site_dir = (site_dir or root / "site").resolve()
    report = BuildReport(site_dir)
    started = time.perf_counter()
    catalogue = load_catalogue(root / "measures", root=root)  # raises SourceError before anything is written
    report.seconds["validate"] = time.perf_counter() - started

    env = dict(os.environ, SOURCE_DATE_EPOCH=source_date_epoch(root), NO_MKDOCS_2_WARNING="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root / "scripts"), env.get("PYTHONPATH")]))
    tmp = site_dir.parent / f".site-build-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        step = time.perf_counter()
        log(f"cpkb: building the site ({len(catalogue.measures)} measures, {', '.join(LANGUAGES)})")
        # Not --quiet: MkDocs' strict mode counts warnings through its logger,
        # and --quiet silences them, so broken links would pass unnoticed.
        _run("mkdocs build", [sys.executable, "-m", "mkdocs", "build", "--config-file",
                              str(root / "mkdocs.yml"), "--site-dir", str(tmp)], root, env)
        report.seconds["mkdocs"] = time.perf_counter() - step
        if not env.get("CPKB_SITE_URL"):
            # Without site_url MkDocs writes "None/..." addresses into the sitemap.
            for name in ("sitemap.xml", "sitemap.xml.gz"):
                (tmp / name).unlink(missing_ok=True)

        step = time.perf_counter()
        log("cpkb: indexing for search (Pagefind)")
        _run("pagefind", [sys.executable, "-m", "pagefind", "--site", str(tmp),
                          "--exclude-selectors", PAGEFIND_EXCLUDE], root, env)
        report.seconds["pagefind"] = time.perf_counter() - step

        step = time.perf_counter()
        downloads = tmp / "downloads"
        for lang in LANGUAGES:
            write_exports(catalogue, downloads, lang)
            write_support_exports(root, catalogue, downloads, lang)
        report.seconds["exports"] = time.perf_counter() - step

        if with_pdf:
            step = time.perf_counter()
            log("cpkb: building the PDF handbooks")
            from cpkb.pdf.books import build_books

            report.pdfs = build_books(root, downloads, langs=langs, jobs=jobs)
            report.seconds["pdf"] = time.perf_counter() - step
        _swap(tmp, site_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report.seconds["total"] = time.perf_counter() - started
    return report


def _swap(new: Path, target: Path) -> None:
    """Replace `target` by `new` with two renames (same file system)."""
    old = target.parent / f".site-old-{os.getpid()}"
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
