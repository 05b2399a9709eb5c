"""Build everything into site/: validate, the PDFs, MkDocs (both languages),
Pagefind and the data downloads, then swap the result in.

The build happens in a temporary folder next to site/ and replaces site/
only when every step succeeded, so a failed build leaves the previous site
untouched. MkDocs and Pagefind run as subprocesses: each gets a clean state,
and this module stays free of MkDocs imports.

The two languages are built by two MkDocs processes at once, one language
each (CPKB_BUILD_LANGUAGE, read by the MkDocs hook), into folders of their own
that are then merged in language order: a file both write (the 404 page, the
theme's assets) is taken from the later language, as when static-i18n builds
them one after the other in one process, and the sitemap lists both. The
result is the same bytes (tests/test_build.py compares the two).

The PDFs come first, so that the pages linking them can say how many pages
and how large they are; a PDF whose content key has not changed since the
previous build is copied from site/downloads/ rather than laid out again.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from cpkb import LANGUAGES
from cpkb.source.catalogue import HANDOVER_ENV, hand_over, load_catalogue
from cpkb.site.common import PDF_DIR_ENV
from cpkb.site.exports import write_exports
from cpkb.site.language_merge import merge_language_sites
from cpkb.site.search_bundle import CATALOGUE_BUNDLE, write_record_pages
from cpkb.site.support_pages import write_support_exports
from cpkb.site.redirects import write_redirects
from cpkb.site.worksheets import check_worksheet_columns, write_worksheet_workbooks
from cpkb.source.handbook import FACTSHEETS_DIR

PAGEFIND_EXCLUDE = ".headerlink, .cp-chart, .cp-compare, .md-source-file"
"""Parts of pages kept out of search excerpts (anchors, chart data, tables)."""


class BuildError(Exception):
    """A build step failed; the message says which and why."""


class BuildInterrupted(BuildError):
    """SIGTERM or SIGINT arrived: cleaned up like a failed build."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(
            f"interrupted by {signal.Signals(signum).name}; site/ is unchanged and the temporary files were removed"
        )


# Signals that arrived while a step was being started (see _start), or None when
# signals are not being held.
_held: list[int] | None = None


@contextlib.contextmanager
def _signals_raise():
    """Turn SIGTERM and SIGINT into BuildInterrupted for the duration of a build,
    so that the cleanup in `finally` blocks runs (the default SIGTERM action
    kills the process on the spot and leaves .site-build-* behind)."""

    def interrupt(signum, frame):
        if _held is not None:
            _held.append(signum)
            return
        raise BuildInterrupted(signum)

    try:
        previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGINT)}
    except ValueError:  # not the main thread: signals cannot be caught here
        yield
        return
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def _signals_held():
    """Hold SIGTERM and SIGINT until the block ends, then raise BuildInterrupted.

    Raised inside Popen after the fork, the exception would lose the child's pid:
    a step in a session of its own would outlive the build."""
    global _held
    outer, _held = _held, []
    try:
        yield
    finally:
        arrived, _held = _held, outer
    if arrived:
        raise BuildInterrupted(arrived[0])


def remove_stale_builds(parent: Path) -> list[Path]:
    """Remove .site-build-<pid> and .site-old-<pid> folders whose process is gone
    (a build killed with SIGKILL, or a power cut); return them. A folder of a
    build still running (another terminal) is left alone."""
    removed = []
    for folder in list(parent.glob(".site-build-*")) + list(parent.glob(".site-old-*")):
        # .site-build-<pid>, .site-old-<pid>, .site-build-<pid>-pdf (the PDFs laid out before MkDocs),
        # .site-build-<pid>-handover (the validated catalogue for the MkDocs processes)
        match = re.match(r"\.site-(?:build|old)-(?:records-)?(\d+)(?:-pdf|-handover)?$", folder.name)
        if match and int(match.group(1)) != os.getpid() and _alive(int(match.group(1))):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class BuildReport:
    site_dir: Path
    seconds: dict[str, float] = field(default_factory=dict)
    pdfs: list = field(default_factory=list)
    factsheets: list = field(default_factory=list)


def source_date_epoch(root: Path) -> str:
    """SOURCE_DATE_EPOCH if set, else the last commit's time, else a fixed date:
    dates inside the outputs then depend on the sources, not on the clock."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%ct"], capture_output=True, text=True, check=True
        ).stdout.strip()
        if out:
            return out
    except (OSError, subprocess.CalledProcessError):
        pass
    return "1767225600"  # 2026-01-01


def _start(cmd: list[str], cwd: Path, env: dict, into: list) -> None:
    """Start a step in its own process group, its output into a temporary file (a
    pipe nobody reads while the step runs beside other work would stall it), and
    append it to `into`, the list of children the caller stops on any exit."""
    with _signals_held():
        out = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")
        child = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )
        into.append((child, out))


def _stop(child: subprocess.Popen) -> None:
    """End the step's whole process group if it still runs: no orphaned MkDocs on any exit."""
    if child.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()


def _failure(step: str, child: subprocess.Popen, out) -> str | None:
    """Wait for a started step; None when it succeeded, else why it failed (its
    output without the progress lines: the reasons, with their file:line)."""
    try:
        child.wait()
    finally:
        _stop(child)
    out.seek(0)
    output = out.read()
    out.close()
    if child.returncode == 0:
        return None
    useful = [line for line in output.strip().splitlines() if not line.startswith("INFO")]
    return f"{step} failed (exit {child.returncode}):\n" + "\n".join(useful)[-6000:]


def build_site(
    root: Path,
    site_dir: Path | None = None,
    with_pdf: bool = True,
    langs: tuple[str, ...] = LANGUAGES,
    jobs: int | None = None,
    log=print,
) -> BuildReport:
    """Build the whole site into `site_dir` (default root/site) atomically.

    SIGTERM and SIGINT raise BuildInterrupted: temporary folders are removed
    and site/ is left as it was, as for any failed step."""
    root = root.resolve()
    site_dir = (site_dir or root / "site").resolve()
    with _signals_raise():
        return _build(root, site_dir, with_pdf, langs, jobs, log)


def _build(root: Path, site_dir: Path, with_pdf: bool, langs: tuple[str, ...], jobs: int | None, log) -> BuildReport:
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_builds(site_dir.parent)
    report = BuildReport(site_dir)
    started = time.perf_counter()
    catalogue = load_catalogue(root / "measures", root=root)  # raises SourceError before anything is written
    check_worksheet_columns(root)  # the workbook is written last: refuse changed worksheets first
    report.seconds["validate"] = time.perf_counter() - started

    env = dict(os.environ, SOURCE_DATE_EPOCH=source_date_epoch(root), NO_MKDOCS_2_WARNING="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root / "scripts"), env.get("PYTHONPATH")]))
    tmp = site_dir.parent / f".site-build-{os.getpid()}"
    # The PDFs first, into a folder of their own (MkDocs empties its site folder):
    # the pages that link them say how many pages and how large they are. Each PDF
    # whose content key is unchanged is copied from the previous site.
    pdf_dir = site_dir.parent / f".site-build-{os.getpid()}-pdf"
    env[PDF_DIR_ENV] = str(pdf_dir)
    handover = site_dir.parent / f".site-build-{os.getpid()}-handover"
    for folder in (tmp, pdf_dir, handover):
        shutil.rmtree(folder, ignore_errors=True)
    try:
        if with_pdf:
            _build_factsheets(root, pdf_dir, site_dir / "downloads", langs, jobs, report, log)
            _build_books(root, pdf_dir, site_dir / "downloads", langs, jobs, report, log)
        log(f"cpkb: building the site ({len(catalogue.measures)} measures, {', '.join(LANGUAGES)})")
        env[HANDOVER_ENV] = hand_over(root / "measures", handover, root)
        _mkdocs(root, tmp, env, report)
        _search_bundles(root, catalogue, tmp, env, report, log)

        step = time.perf_counter()
        downloads = tmp / "downloads"
        site_url = env.get("CPKB_SITE_URL", "")
        if not site_url:
            log("cpkb: CPKB_SITE_URL is not set: the downloads link measures from the site root, not absolutely")
        for lang in LANGUAGES:
            write_exports(catalogue, downloads, lang, site_url=site_url)
            write_support_exports(root, catalogue, downloads, lang)
            write_worksheet_workbooks(root, downloads, lang)
        report.seconds["exports"] = time.perf_counter() - step
        if pdf_dir.exists():
            for path in pdf_dir.iterdir():
                path.rename(downloads / path.name)
        _swap(tmp, site_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(pdf_dir, ignore_errors=True)
        shutil.rmtree(handover, ignore_errors=True)
    report.seconds["total"] = time.perf_counter() - started
    return report


def _mkdocs(root: Path, tmp: Path, env: dict, report: BuildReport) -> None:
    """MkDocs into `tmp`, one process per language at the same time.

    Each MkDocs child stops at its first error; the other is then stopped too, and
    an error both report (the same source errors) is reported once."""
    step = time.perf_counter()
    parts = [tmp / f".{lang}" for lang in LANGUAGES]
    # Not --quiet: MkDocs' strict mode counts warnings through its logger,
    # and --quiet silences them, so broken links would pass unnoticed.
    cmd = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(root / "mkdocs.yml"), "--site-dir"]
    children: list[tuple[subprocess.Popen, object]] = []
    try:
        for lang, part in zip(LANGUAGES, parts):
            _start(cmd + [str(part)], root, dict(env, CPKB_BUILD_LANGUAGE=lang), into=children)
        failures = [f for f in (_failure(f"mkdocs build ({lang})", *c) for lang, c in zip(LANGUAGES, children)) if f]
    finally:
        for child, _ in children:
            _stop(child)
    if failures:
        first_reason = failures[0].split("\n", 1)[-1]
        raise BuildError("\n\n".join([failures[0]] + [f for f in failures[1:] if f.split("\n", 1)[-1] != first_reason]))
    merge_language_sites(parts, tmp, int(env["SOURCE_DATE_EPOCH"]))
    report.seconds["mkdocs"] = time.perf_counter() - step


def _search_bundles(root: Path, catalogue, tmp: Path, env: dict, report: BuildReport, log) -> None:
    """The site's search index, and the catalogue's own small bundle of its records."""
    if not env.get("CPKB_SITE_URL"):
        # Without site_url MkDocs writes "None/..." addresses into the sitemap.
        for name in ("sitemap.xml", "sitemap.xml.gz"):
            (tmp / name).unlink(missing_ok=True)
    write_redirects(catalogue, tmp)  # after MkDocs (it would clean them) and outside the search index
    step = time.perf_counter()
    log("cpkb: indexing for search (Pagefind)")
    # The two indexes run at once: Pagefind leaves a core idle for part of its run,
    # and the catalogue's bundle holds no HTML page the site's index could pick up.
    pagefind = [sys.executable, "-m", "pagefind"]
    names = ("pagefind", "pagefind (catalogue)")
    children: list[tuple[subprocess.Popen, object]] = []
    records = tmp.parent / f".site-build-records-{os.getpid()}"  # outside the site: only the bundle is published
    try:
        _start(pagefind + ["--site", str(tmp), "--exclude-selectors", PAGEFIND_EXCLUDE], root, env, into=children)
        write_record_pages(root, catalogue, records)
        _start(
            pagefind + ["--site", str(records), "--output-path", str(tmp / CATALOGUE_BUNDLE)], root, env, into=children
        )
        failures = []
        for name, child, key in zip(names, children, ("pagefind", "catalogue_index")):
            failures.append(_failure(name, *child))
            report.seconds[key] = time.perf_counter() - step
    finally:
        for child, _ in children:
            _stop(child)
        shutil.rmtree(records, ignore_errors=True)
    if any(failures):
        raise BuildError("\n\n".join(f for f in failures if f))


def _build_factsheets(
    root: Path, out: Path, previous: Path, langs: tuple[str, ...], jobs: int | None, report: BuildReport, log
) -> None:
    """The fact sheets into out/factsheets/, before MkDocs (the measure pages show their
    size), taking every unchanged sheet from the previous site (`previous`, its downloads/)."""
    from cpkb.pdf.factsheets import build_factsheets

    step = time.perf_counter()
    run = build_factsheets(root, out / FACTSHEETS_DIR, langs=langs, reuse_from=previous / FACTSHEETS_DIR, jobs=jobs)
    report.factsheets = run.sheets
    log(
        f"cpkb: {len(run.sheets)} fact sheets ({run.laid_out} laid out, "
        f"{len(run.sheets) - run.laid_out} unchanged from the previous site)"
    )
    report.seconds["factsheets"] = time.perf_counter() - step


def _build_books(
    root: Path, out: Path, previous: Path, langs: tuple[str, ...], jobs: int | None, report: BuildReport, log
) -> None:
    """The handbooks into out/, taking every unchanged book from the previous site (`previous`, its downloads/)."""
    from cpkb.pdf.books import build_books

    step = time.perf_counter()
    log("cpkb: building the PDF handbooks")
    report.pdfs = build_books(root, out, langs=langs, jobs=jobs, reuse_from=previous)
    kept = sum(1 for book in report.pdfs if book.reused)
    log(
        f"cpkb: {len(report.pdfs)} PDF handbooks ({len(report.pdfs) - kept} laid out, {kept} unchanged from the previous site)"
    )
    report.seconds["pdf"] = time.perf_counter() - step


def _swap(new: Path, target: Path) -> None:
    """Replace `target` by `new` with two renames (same file system)."""
    old = target.parent / f".site-old-{os.getpid()}"
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
