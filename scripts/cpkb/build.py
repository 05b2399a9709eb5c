"""Build everything into site/: validate, MkDocs (both languages), Pagefind,
data downloads and PDFs, then swap the result in.

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
"""

from __future__ import annotations

import contextlib
import gzip
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from cpkb import LANGUAGES
from cpkb.source.catalogue import load_catalogue
from cpkb.site.exports import write_exports
from cpkb.site.search_bundle import CATALOGUE_BUNDLE, write_record_pages
from cpkb.site.support_pages import write_support_exports

PAGEFIND_EXCLUDE = ".headerlink, .cp-chart, .cp-compare, .md-source-file"
"""Parts of pages kept out of search excerpts (anchors, chart data, tables)."""


class BuildError(Exception):
    """A build step failed; the message says which and why."""


class BuildInterrupted(BuildError):
    """SIGTERM or SIGINT arrived: cleaned up like a failed build."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(f"interrupted by {signal.Signals(signum).name}; site/ is unchanged "
                         "and the temporary files were removed")


@contextlib.contextmanager
def _signals_raise():
    """Turn SIGTERM and SIGINT into BuildInterrupted for the duration of a build,
    so that the cleanup in `finally` blocks runs (the default SIGTERM action
    kills the process on the spot and leaves .site-build-* behind)."""
    def interrupt(signum, frame):
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


def remove_stale_builds(parent: Path) -> list[Path]:
    """Remove .site-build-<pid> and .site-old-<pid> folders whose process is gone
    (a build killed with SIGKILL, or a power cut); return them. A folder of a
    build still running (another terminal) is left alone."""
    removed = []
    for folder in list(parent.glob(".site-build-*")) + list(parent.glob(".site-old-*")):
        pid = folder.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
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


def _start(cmd: list[str], cwd: Path, env: dict) -> subprocess.Popen:
    # The child gets its own process group, so that on any exit from here
    # (failure, SIGTERM, Ctrl-C) the whole group is ended: no orphaned MkDocs.
    return subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)


def _finish(step: str, child: subprocess.Popen) -> str | None:
    """Wait for `child`; None when it succeeded, else why it failed (its output
    without the progress lines: the reasons, with their file:line)."""
    try:
        output, _ = child.communicate()
    finally:
        _end(child)
    if child.returncode == 0:
        return None
    useful = [line for line in output.strip().splitlines() if not line.startswith("INFO")]
    return f"{step} failed (exit {child.returncode}):\n" + "\n".join(useful)[-6000:]


def _end(child: subprocess.Popen) -> None:
    if child.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()


def _run(step: str, cmd: list[str], cwd: Path, env: dict) -> None:
    failure = _finish(step, _start(cmd, cwd, env))
    if failure:
        raise BuildError(failure)


def _mkdocs(root: Path, out: Path, env: dict) -> None:
    """MkDocs for every language at once, one process each, merged into `out`.

    Each child stops at its first error; the other is then stopped too, and
    the error is reported once (both report the same source errors)."""
    parts = [out / f".{lang}" for lang in LANGUAGES]
    cmd = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(root / "mkdocs.yml"), "--site-dir"]
    children = [_start(cmd + [str(part)], root, dict(env, CPKB_BUILD_LANGUAGE=lang))
                for lang, part in zip(LANGUAGES, parts)]
    try:
        failures = [_finish(f"mkdocs build ({lang})", child) for lang, child in zip(LANGUAGES, children)]
    finally:
        for child in children:
            _end(child)
    failures = [f for f in failures if f]
    if failures:
        first_reason = failures[0].split("\n", 1)[-1]
        raise BuildError("\n\n".join([failures[0]] + [f for f in failures[1:] if f.split("\n", 1)[-1] != first_reason]))
    merge_language_sites(parts, out, int(env["SOURCE_DATE_EPOCH"]))


def merge_language_sites(parts: list[Path], out: Path, epoch: int) -> None:
    """Move each language's site into `out`, in order; a later file replaces an
    earlier one, as in one static-i18n run. Sitemaps are joined."""
    sitemaps = [p / "sitemap.xml" for p in parts if (p / "sitemap.xml").exists()]
    joined = _join_sitemaps([p.read_text(encoding="utf-8") for p in sitemaps]) if len(sitemaps) > 1 else None
    for part in parts:
        for folder, dirs, files in os.walk(part, topdown=True):
            target = out / Path(folder).relative_to(part)
            target.mkdir(parents=True, exist_ok=True)
            for name in list(dirs):
                if not (target / name).exists():  # a whole folder of this language only: one rename
                    os.rename(Path(folder) / name, target / name)
                    dirs.remove(name)
            for name in files:
                os.replace(Path(folder) / name, target / name)
        shutil.rmtree(part)
    if joined is not None:
        (out / "sitemap.xml").write_text(joined, encoding="utf-8")
        # As MkDocs writes it: the same compression, name and time in the header.
        with open(out / "sitemap.xml.gz", "wb") as f, gzip.GzipFile(
                fileobj=f, filename=str(out / "sitemap.xml.gz"), mode="wb", mtime=epoch) as gz:
            gz.write(joined.encode("utf-8"))


def _join_sitemaps(texts: list[str]) -> str:
    """static-i18n's sitemap of one language each, as its one sitemap of all:
    the <url> entries of each in turn, in the first one's frame."""
    end = "\n</urlset>"
    head = texts[0][:texts[0].index(">", texts[0].index("<urlset")) + 1]
    return head + "".join(t[len(head):t.rindex(end)] for t in texts) + texts[0][texts[0].rindex(end):]


def build_site(root: Path, site_dir: Path | None = None, with_pdf: bool = True,
               langs: tuple[str, ...] = LANGUAGES, jobs: int | None = None, log=print) -> BuildReport:
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
    report.seconds["validate"] = time.perf_counter() - started

    env = dict(os.environ, SOURCE_DATE_EPOCH=source_date_epoch(root), NO_MKDOCS_2_WARNING="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root / "scripts"), env.get("PYTHONPATH")]))
    tmp = site_dir.parent / f".site-build-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        _site(root, catalogue, tmp, env, report, log)

        step = time.perf_counter()
        downloads = tmp / "downloads"
        site_url = env.get("CPKB_SITE_URL", "")
        if not site_url:
            log("cpkb: CPKB_SITE_URL is not set: the downloads link measures from the site root, not absolutely")
        for lang in LANGUAGES:
            write_exports(catalogue, downloads, lang, site_url=site_url)
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


def _site(root: Path, catalogue, tmp: Path, env: dict, report: BuildReport, log) -> None:
    """The pages of both languages, then the site's and the catalogue's search bundles."""
    step = time.perf_counter()
    log(f"cpkb: building the site ({len(catalogue.measures)} measures, {', '.join(LANGUAGES)})")
    _mkdocs(root, tmp, env)
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
    records = tmp.parent / f".site-build-records-{os.getpid()}"  # outside the site: only the bundle is published
    try:
        write_record_pages(root, catalogue, records)
        _run("pagefind (catalogue)", [sys.executable, "-m", "pagefind", "--site", str(records),
                                      "--output-path", str(tmp / CATALOGUE_BUNDLE)], root, env)
    finally:
        shutil.rmtree(records, ignore_errors=True)
    report.seconds["catalogue_index"] = time.perf_counter() - step


def _swap(new: Path, target: Path) -> None:
    """Replace `target` by `new` with two renames (same file system)."""
    old = target.parent / f".site-old-{os.getpid()}"
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
