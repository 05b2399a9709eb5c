"""Shared pytest fixtures: the repository root, throw-away projects (empty, mini),
built sites (mini, real), a local web server and the browser."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The repository root (holding measures/, handbook/, docs/)."""
    return ROOT


@pytest.fixture
def empty_project(tmp_path: Path) -> Path:
    """A project with the real schema and sector list and no measure yet."""
    measures = tmp_path / "measures"
    measures.mkdir()
    for name in ("schema.json", "sectors.yml"):
        shutil.copy2(ROOT / "measures" / name, measures / name)
    return tmp_path


@pytest.fixture
def mini_project(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/mini with the real measures/schema.json: a small,
    valid project (2 sectors, 5 measures, handbook) that a test may modify freely."""
    project = tmp_path / "project"
    shutil.copytree(MINI, project)
    shutil.copy2(ROOT / "measures" / "schema.json", project / "measures" / "schema.json")
    return project


# --- site builds (shared by the site, link and browser tests) -----------------


SITE_SHELL = ("mkdocs.yml", "docs", "overrides", "benchmarks")
GENERATED = (
    "measures",
    "sectors",
    "handbook",
    "support",
    "plan",
    "report",
    "fonts",
    "generated",
    "field-reference.vi.md",
    "field-reference.en.md",
    "translations.vi.md",
    "translations.en.md",
    "benchmarks.vi.md",
    "benchmarks.en.md",
    "downloads.vi.md",
    "downloads.en.md",
)
"""Generated files under docs/ (git-ignored): a fixture project starts without them, as a clean clone does."""


def make_site_project(project: Path) -> Path:
    """Give a fixture project the site shell of the repository (mkdocs.yml,
    docs/ without generated pages, overrides/, recorded benchmarks) and the build code."""
    for name in SITE_SHELL:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, project / name, dirs_exist_ok=True, ignore=lambda d, names: [n for n in names if n in GENERATED]
            )
        else:
            shutil.copy2(source, project / name)
    (project / "scripts").symlink_to(ROOT / "scripts", target_is_directory=True)
    return project


def run_cpkb(args: list[str], cwd: Path, timeout: int = 1800) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "scripts"), NO_MKDOCS_2_WARNING="1")
    return subprocess.run(
        [sys.executable, "-m", "cpkb", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


HOSTILE = """\
# yaml-language-server: $schema=../schema.json
id: BEV-009
sector: beverages
process_stage: {vi: "<b>Rửa</b> chai", en: "<b>Bottle</b> washing"}
technique: good_housekeeping
complexity: 1
title:
  vi: "Đóng vòi <script>window.__pwned=1</script> khi nghỉ ca"
  en: "Close taps <script>window.__pwned=1</script> at breaks"
summary:
  vi: "<img src=x onerror=\\"window.__pwned=2\\"> Tóm tắt {: onclick=\\"window.__pwned=3\\"}"
  en: "<img src=x onerror=\\"window.__pwned=2\\"> Summary {: onclick=\\"window.__pwned=3\\"}"
description:
  vi: "<iframe src=\\"https://evil.example\\"></iframe> [liên kết](https://example.org) **đậm** & <style>body{display:none}</style>"
  en: "<iframe src=\\"https://evil.example\\"></iframe> [link](https://example.org) **bold** & <style>body{display:none}</style>"
investment_vnd: {min: 0, max: 1000000}
savings: {water_pct: {min: 1, max: 2, scope: process_stage}}
payback_years: {min: 0, max: 0.1}
figure_basis: indicative
environmental_benefits: {vi: "<svg onload=alert(1)>Ít nước", en: "<svg onload=alert(1)>Less water"}
applicability: {vi: "Mọi nhà máy", en: "Any plant"}
sources:
  - {title: "<a href='javascript:alert(1)'>Guide</a>", publisher: "<b>UNEP</b>", year: 1996}
reviewed: 2026-11-01
"""
"""A valid record full of markup: it must show as text, never run (issue 7)."""


@pytest.fixture(scope="session")
def mini_site(tmp_path_factory) -> Path:
    """The mini project plus one hostile record, built with `cpkb build` (PDFs included); returns the project."""
    project = tmp_path_factory.mktemp("mini-site") / "project"
    shutil.copytree(MINI, project)
    shutil.copy2(ROOT / "measures" / "schema.json", project / "measures" / "schema.json")
    (project / "measures" / "beverages" / "BEV-009.yml").write_text(HOSTILE, encoding="utf-8")
    make_site_project(project)
    result = run_cpkb(["build"], project)
    assert result.returncode == 0, result.stdout + result.stderr
    return project


REAL_SITE_ENV = "CPKB_TEST_REAL_SITE"
"""The folder of the session's real build, made by the main pytest process and inherited by the xdist workers."""


class RealBuild:
    """`cpkb build` of the real project (every PDF, both languages), started in the
    background as soon as tests that read it are collected, once for the whole session.

    The build takes about a minute and a half, so it runs beside the other tests
    (which yield the processor to it) and the modules that read its site run last
    (pytest_collection_modifyitems). With pytest-xdist every
    worker collects: the first to create `started` launches the build and every
    worker waits for its exit code file. It builds a copy of the project's files, so
    the pages it generates under docs/ never appear while other tests read docs/;
    the copy has the repository's .git (a few MB), so the build dates its pages by
    the last commit as a build in place does."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.site, self.log, self.code, self.pid = (folder / name for name in ("site", "build.log", "exit", "pid"))

    def start(self) -> None:
        try:
            (self.folder / "started").mkdir()
        except FileExistsError:
            return  # another worker started it
        project = self.folder / "project"
        files = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True,
            text=True,
        )
        if files.returncode == 0:
            for name in filter(None, files.stdout.split("\0")):
                if not name.startswith("tests/") and (ROOT / name).is_file():
                    (project / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(ROOT / name, project / name)
            shutil.copytree(ROOT / ".git", project / ".git", symlinks=True)
        else:  # not a git checkout: everything but the output, the tools and the tests
            ignored = shutil.ignore_patterns("site", ".site-*", ".venv", "node_modules", "tests", "__pycache__")
            shutil.copytree(ROOT, project, ignore=ignored, symlinks=True)
        env = dict(os.environ, PYTHONPATH=str(ROOT / "scripts"), NO_MKDOCS_2_WARNING="1")
        # The exit code is written under another name, then renamed: a waiting worker never reads half of it.
        script = '"$@" > "$LOG" 2>&1; echo $? > "$CODE.tmp"; mv "$CODE.tmp" "$CODE"'
        child = subprocess.Popen(
            ["sh", "-c", script, "sh", sys.executable, "-m", "cpkb", "build", "--site-dir", str(self.site)],
            cwd=project,
            env=dict(env, LOG=str(self.log), CODE=str(self.code)),
            # A process group of its own (stop() ends it), but not a session of its own: with the
            # kernel's autogroups each session gets an equal share of the processor whatever the
            # nice values, and the build would then get no more than the niced tests.
            process_group=0,
        )
        self.pid.write_text(str(child.pid))

    def wait(self) -> Path:
        """The built site, once the build has ended; fails with the build's output if it failed."""
        deadline = time.monotonic() + 1800
        while not self.code.exists():
            assert time.monotonic() < deadline, "the real build took more than 30 minutes"
            time.sleep(0.5)
        assert self.code.read_text().strip() == "0", self.log.read_text(encoding="utf-8", errors="replace")
        return self.site

    def stop(self) -> None:
        """End the build if it still runs (an interrupted session) and remove its folder."""
        if self.pid.exists() and not self.code.exists():
            # SIGTERM: `cpkb build` then ends its MkDocs processes and removes its temporary folders.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(int(self.pid.read_text()), signal.SIGTERM)
            deadline = time.monotonic() + 20
            while not self.code.exists() and time.monotonic() < deadline:
                time.sleep(0.2)
        shutil.rmtree(self.folder, ignore_errors=True)


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the main process (with or without xdist)
        os.environ[REAL_SITE_ENV] = tempfile.mkdtemp(prefix="cpkb-real-site-")


def pytest_unconfigure(config):
    if not hasattr(config, "workerinput") and os.environ.get(REAL_SITE_ENV):
        RealBuild(Path(os.environ.pop(REAL_SITE_ENV))).stop()


def pytest_collection_modifyitems(session, config, items):
    """Modules that read the real site run last (in their usual order), and its build starts now."""
    late = {item.path for item in items if "real_site" in getattr(item, "fixturenames", ())}
    if not late or config.option.collectonly:
        return
    items.sort(key=lambda item: item.path in late)  # a stable sort: each group keeps its order
    RealBuild(Path(os.environ[REAL_SITE_ENV])).start()
    # The tests then yield to the build (which keeps the priority it started with):
    # it is on the way to the longest tests, they are not on its way.
    os.nice(10)


@pytest.fixture(scope="session")
def real_site() -> Path:
    """The real catalogue built with PDFs (once per session, see RealBuild) into a temporary site folder."""
    return RealBuild(Path(os.environ[REAL_SITE_ENV])).wait()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder: Path):
    """Serve `folder` on a free loopback port in a thread; returns (base_url, server)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


# --- the browser (Debian's Chromium through Playwright) ---------------------------


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def base_url(mini_site):
    """The mini site served over HTTP (Pagefind does not work from file://)."""
    url, server = serve(mini_site / "site")
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.fail("Debian's chromium is required for the browser tests (make system-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


class Watch:
    """Console errors and requests that leave the local server."""

    def __init__(self, page, base_url):
        self.errors, self.external = [], []
        host = urlparse(base_url).netloc
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on(
            "request",
            lambda r: (
                self.external.append(r.url)
                if urlparse(r.url).scheme in ("http", "https") and urlparse(r.url).netloc != host
                else None
            ),
        )
