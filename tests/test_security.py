"""The hostile corpus (tests/hostile/, issue 11): every attack a pull request
can carry is either refused by `cpkb validate` with file:line:col and exit 1,
or comes out inert on the site (Chromium), in the PDF and in the downloads."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, make_site_project, run_cpkb, serve
from cpkb.source.handbook import chapter_problems, read_markdown
from cpkb.source.problems import SourceError
from cpkb.source.validate import validate_catalogue
from cpkb.text.markdown import render_fragment, to_html
from cpkb.text.safety import sanitize_html

HOSTILE = Path(__file__).parent / "hostile"
MEASURES = sorted((HOSTILE / "measures").glob("*.yml"))
REFUSED_CHAPTERS = sorted((HOSTILE / "chapters").glob("refused-*.md"))
INERT_CHAPTER = HOSTILE / "chapters" / "inert-raw-html.md"
TARGET = "measures/beverages/BEV-050.yml"
PASSWD_LINE = "root:x:0:0"

# What each class of refused measure must be told, and a text its line must hold.
EXPECTED = [
    ("js-", "is not allowed", ("java", "&#106;")),
    ("data-uri", "is not allowed", ("data:",)),
    ("vbscript", "is not allowed", ("vbscript",)),
    ("file-", "is not allowed", ("file:",)),
    ("protocol-relative", "is not allowed", ("//evil",)),
    ("nan", "not a finite number", (".nan",)),
    ("inf", "not a finite number", (".inf",)),
    ("neg-inf", "not a finite number", (".Inf",)),
    ("invisible-", "invisible or control character", ("Đóng",)),
    ("brackets", "run of more than", ("[",)),
    ("alias-", "anchors and aliases", ("&",)),
]


def _expected(case: Path) -> tuple[str, tuple[str, ...]]:
    return next((message, needles) for prefix, message, needles in EXPECTED if case.stem.startswith(prefix))


def _plant_measure(project: Path, case: Path) -> Path:
    target = project / TARGET
    target.write_text(case.read_text(encoding="utf-8").replace("BEV-0NN", "BEV-050"), encoding="utf-8")
    return target


@pytest.mark.parametrize("case", MEASURES, ids=lambda p: p.stem)
def test_hostile_measure_is_refused_at_its_line(mini_project, case):
    target = _plant_measure(mini_project, case)
    started = time.perf_counter()
    report = validate_catalogue(mini_project / "measures", root=mini_project)
    assert time.perf_counter() - started < 10, "reading must stay bounded"
    message, needles = _expected(case)
    mine = [p for p in report.problems if p.file == TARGET and message in p.message]
    assert mine, [p.format() for p in report.problems]
    lines = target.read_text(encoding="utf-8").split("\n")
    problem = mine[0]
    assert 1 <= problem.column <= len(lines[problem.line - 1]) + 1
    assert any(n.lower() in lines[problem.line - 1].lower() for n in needles), (
        problem.format(),
        lines[problem.line - 1],
    )


def test_cpkb_validate_exits_1_with_file_line_col(mini_project):
    _plant_measure(mini_project, HOSTILE / "measures" / "js-reference.yml")
    result = run_cpkb(["validate"], mini_project)
    assert result.returncode == 1
    assert re.search(rf"^{re.escape(TARGET)}:\d+:\d+ .*javascript:alert\(1\)' is not allowed", result.stdout, re.M), (
        result.stdout
    )


@pytest.mark.parametrize("case", REFUSED_CHAPTERS, ids=lambda p: p.stem)
def test_hostile_chapter_is_refused_at_its_line(mini_project, case):
    for lang in ("vi", "en"):
        shutil.copy2(case, mini_project / "handbook" / "general" / f"99-hostile.{lang}.md")
    problems = [p for p in chapter_problems(mini_project) if p.file == "handbook/general/99-hostile.vi.md"]
    assert problems, case.name
    lines = case.read_text(encoding="utf-8").split("\n")
    assert problems[0].line >= 3 and lines[problems[0].line - 1].strip()  # the offending line, not the title
    with pytest.raises(SourceError):  # the site's reader refuses it too
        read_markdown(mini_project / "handbook" / "general" / "99-hostile.vi.md", mini_project)


def test_symlinked_sources_are_refused(mini_project, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("# Secret\n\nfrom the build machine\n", encoding="utf-8")
    (mini_project / TARGET).symlink_to(mini_project / "measures" / "beverages" / "BEV-001.yml")
    (mini_project / "handbook" / "general" / "02-secret.vi.md").symlink_to(outside)
    (mini_project / "docs").mkdir(exist_ok=True)
    (mini_project / "docs" / "passwd.en.md").symlink_to("/etc/passwd")
    report = validate_catalogue(mini_project / "measures", root=mini_project)
    assert any(p.file == TARGET and "symbolic link" in p.message for p in report.problems)
    linked = {p.file for p in chapter_problems(mini_project) if "symbolic link" in p.message}
    assert {TARGET, "handbook/general/02-secret.vi.md", "docs/passwd.en.md"} <= linked
    with pytest.raises(SourceError):
        read_markdown(mini_project / "handbook" / "general" / "02-secret.vi.md", mini_project)


# --- the renderers, one level down: what the validator would refuse stays inert anyway ----


def _assert_inert(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all(["script", "iframe", "style", "object", "embed", "form", "link", "math", "animate"])
    assert not [t for t in soup.find_all(True) if any(a.lower().startswith("on") for a in t.attrs)]
    for tag in soup.find_all(href=True) + soup.find_all(src=True):
        url = re.sub(r"[\x00-\x20]", "", tag.get("href") or tag.get("src")).lower()
        assert not url.startswith(("javascript:", "data:", "vbscript:", "file:")), tag


@pytest.mark.parametrize("case", [c for c in MEASURES if _expected(c)[0] == "is not allowed"], ids=lambda p: p.stem)
def test_unsafe_links_render_inert_in_measure_text(case):
    body = case.read_text(encoding="utf-8").split("  vi: |\n", 1)[1].split("  en: |", 1)[0]
    text = "\n".join(line[4:] for line in body.split("\n"))
    _assert_inert(render_fragment(text, lambda mid: None))


@pytest.mark.parametrize("case", REFUSED_CHAPTERS + [INERT_CHAPTER], ids=lambda p: p.stem)
def test_hostile_chapters_render_inert(case):
    _assert_inert(sanitize_html(to_html(case.read_text(encoding="utf-8"))))


@pytest.mark.parametrize(
    "probe",
    [
        '#read("/etc/passwd")',
        '#image("/etc/passwd")',
        '#read("../../../../../../etc/passwd")',
        '#image("/proc/self/environ")',
        '#read(sys.inputs.at("x", default: "/etc/passwd"))',
    ],
)
def test_typst_reads_nothing_outside_its_own_folder(probe):
    """Typst compiles in a fresh folder (its root) with the book and its assets only:
    even Typst code that reached the compiler could not read a file of the machine."""
    import typst

    from cpkb.pdf.book import BookSource
    from cpkb.pdf.render import compile_pdf

    with pytest.raises(typst.TypstError) as err:
        compile_pdf(BookSource(typ=f"{probe}\n"))
    assert PASSWD_LINE not in str(err.value)


# --- downloads --------------------------------------------------------------------------

FORMULAS = ["=1+1", "+1+1", "-1+1", "@SUM(1,1)", "\t=1+1", "\r=1+1", '=HYPERLINK("https://evil.example","x")', "  =1+1"]


def test_downloads_carry_no_formula(mini_project, tmp_path):
    from openpyxl import load_workbook

    from cpkb.site.exports import write_exports
    from cpkb.source.catalogue import load_catalogue

    files = sorted((mini_project / "measures").glob("*/*.yml"))
    for path, formula in zip(files * 2, FORMULAS):
        text = path.read_text(encoding="utf-8")
        title = json.dumps(formula)
        path.write_text(
            re.sub(r"^title:\n  vi: .*\n  en: .*$", f"title:\n  vi: {title}\n  en: {title}", text, count=1, flags=re.M),
            encoding="utf-8",
        )
    cat = load_catalogue(mini_project / "measures", root=mini_project)
    assert sum(m.title["en"].lstrip().startswith(("=", "+", "-", "@")) for m in cat.measures) >= len(files)
    for lang in ("vi", "en"):
        paths = write_exports(cat, tmp_path, lang)
        for csv_path, separator in ((paths[0], ","), (paths[1], ";")):
            rows = list(csv.reader(csv_path.read_text(encoding="utf-8-sig").splitlines(), delimiter=separator))
            for row in rows[1:]:
                for cell in row:
                    if cell and not re.fullmatch(r"-?[\d.,]+", cell):
                        assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), cell
        xlsx_path = next(p for p in paths if p.suffix == ".xlsx")
        sheet = load_workbook(xlsx_path).active
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
        # The workbook keeps each title exactly as written, typed as text (never a formula).
        titles = [c for c in next(sheet.iter_cols(min_col=6, max_col=6))][1:]
        hostile = [c for c in titles if str(c.value).lstrip(" ").startswith(("=", "+", "-", "@"))]
        assert hostile and all(c.data_type == "s" for c in hostile), [(c.value, c.data_type) for c in titles]
        with zipfile.ZipFile(xlsx_path) as z:
            assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")


# --- nothing runs from the working tree ------------------------------------------------------


def test_a_planted_cache_pickle_is_never_loaded(mini_project, tmp_path):
    marker = tmp_path / "pwned"
    cache = mini_project / ".cache" / "cpkb"
    cache.mkdir(parents=True)
    code = (
        f"import pickle, pathlib\nclass P:\n    def __reduce__(self):\n        return (pathlib.Path.touch, (pathlib.Path({str(marker)!r}),))\n"
        f"open({str(cache / 'catalogue.pickle')!r}, 'wb').write(pickle.dumps(P()))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert run_cpkb(["validate"], mini_project).returncode == 0
    from cpkb.source.catalogue import load_catalogue

    load_catalogue(mini_project / "measures", root=mini_project)
    assert not marker.exists()
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "scripts" / "cpkb").rglob("*.py"))
    assert not re.search(r"^\s*(import|from)\s+(pickle|marshal|shelve|dill|cloudpickle)\b", sources, re.M)


def test_the_handed_over_catalogue_is_used_only_when_signed_and_current(mini_project, tmp_path, monkeypatch):
    """`cpkb build` hands its validated catalogue to the MkDocs processes (a signed
    JSON file). A child uses it instead of validating again, but never when the
    file was changed, signed with another key, or the sources changed since."""
    from cpkb.source import catalogue as module

    measures = mini_project / "measures"
    value = module.hand_over(measures, tmp_path / "handover", mini_project)
    path = Path(value.rpartition(":")[0])
    validations = []
    real = module.validate_catalogue
    monkeypatch.setattr(module, "validate_catalogue", lambda *a, **k: validations.append(1) or real(*a, **k))

    def load(env_value: str) -> list[str]:
        module._CACHE.clear()
        monkeypatch.setenv(module.HANDOVER_ENV, env_value)
        return [m.id for m in module.load_catalogue(measures, root=mini_project).measures]

    ids = load(value)
    assert validations == [] and ids == ["BEV-001", "BEV-002", "UTL-001", "UTL-002", "UTL-008"]
    signed = path.read_bytes()
    assert b'"BEV-002"' in signed
    path.write_bytes(signed.replace(b'"BEV-002"', b'"BEV-009"'))  # edited: the signature fails
    assert load(value) == ids and validations == [1]
    path.write_bytes(signed)
    assert load(value.rpartition(":")[0] + ":" + "00" * 32) == ids and validations == [1, 1]  # another key
    bev = measures / "beverages" / "BEV-001.yml"
    os.utime(bev, ns=(bev.stat().st_atime_ns, bev.stat().st_mtime_ns + 10**9))  # a source changed since
    assert load(value) == ids and validations == [1, 1, 1]


def test_every_invisible_code_point_is_refused_and_no_visible_one():
    """Every code point of Unicode, between visible letters: refused exactly when it is a
    control, format, private-use, surrogate, unassigned or line/paragraph separator
    character (tab, newline and carriage return aside), or one of the letters that
    draw nothing. The validator's fast path (str.isprintable) must never let one by."""
    import unicodedata

    from cpkb.source.textrules import invisible_character

    drawn_blank = {0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x034F, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D}
    wrong = []
    for code in range(0x110000):
        char = chr(code)
        refused = code in drawn_blank or (
            char not in "\t\n\r" and unicodedata.category(char) in ("Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp")
        )
        if invisible_character(f"Nước {char} sạch") != (char if refused else None):
            wrong.append(f"U+{code:04X}")
    assert wrong == []


# --- the built site, in Chromium -----------------------------------------------------------


def _hostile_project(base: Path) -> Path:
    project = base / "project"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", project)
    shutil.copy2(ROOT / "measures" / "schema.json", project / "measures" / "schema.json")
    hostile = INERT_CHAPTER.read_text(encoding="utf-8")
    body = hostile.split("\n", 1)[1]
    for lang in ("vi", "en"):
        (project / "handbook" / "general" / f"02-hostile.{lang}.md").write_text(hostile, encoding="utf-8")
        intro = project / "handbook" / "beverages" / f"index.{lang}.md"
        title, rest = intro.read_text(encoding="utf-8").split("\n", 1)
        intro.write_text(f"{title}\n{body}\n{rest}", encoding="utf-8")
    make_site_project(project)
    for lang in ("vi", "en"):
        about = project / "docs" / f"about.{lang}.md"
        about.write_text(about.read_text(encoding="utf-8") + "\n" + body, encoding="utf-8")
    results = json.loads((project / "benchmarks" / "results.json").read_text(encoding="utf-8"))
    results["machine"] = "<script>window.__pwned='bench'</script><img src=x onerror=alert(10)>"
    results["command"] = "make bench` <script>alert(11)</script>"
    (project / "benchmarks" / "results.json").write_text(json.dumps(results), encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    project = _hostile_project(tmp_path_factory.mktemp("hostile"))
    result = run_cpkb(["build"], project)
    assert result.returncode == 0, result.stdout + result.stderr
    url, server = serve(project / "site")
    yield project, url
    server.shutdown()


HOSTILE_PAGES = [
    "handbook/general/02-hostile/",
    "en/handbook/general/02-hostile/",
    "sectors/beverages/",
    "en/sectors/beverages/",
    "about/",
    "en/about/",
    "guides/benchmarks/",
    "en/guides/benchmarks/",
]


@pytest.mark.build
@pytest.mark.browser
@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_hostile_pages_do_not_run_in_chromium(browser, hostile_site, path):
    project, url = hostile_site
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    response = page.goto(url + path)
    assert response and response.ok, path
    page.mouse.move(10, 10)
    page.keyboard.press("Tab")
    for el in page.query_selector_all("article p, article a, article details"):
        if el.is_visible():  # a reader's pointer passes over what is shown (mouseover handlers)
            el.hover(timeout=2000)
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.evaluate("() => window.__pwned") is None
    # The page content (our own search form in the header has onsubmit="return false").
    handlers = page.evaluate("""() => [...document.querySelectorAll('.md-content *')].flatMap(e =>
        [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))""")
    assert handlers == []
    assert (
        page.evaluate("""() => [...document.querySelectorAll('.md-content [href], .md-content [src]')].map(e => e.getAttribute('href') || e.getAttribute('src'))
        .filter(u => /^\\s*(javascript|data|vbscript):/i.test(u)).length""")
        == 0
    )
    assert (
        page.evaluate(
            "() => document.querySelectorAll('article script, article iframe, article style, article object').length"
        )
        == 0
    )
    page.close()


@pytest.mark.build
def test_hostile_book_pdfs_are_inert(hostile_site):
    from pypdf import PdfReader

    project, _ = hostile_site
    pdfs = sorted((project / "site" / "downloads").glob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        raw = pdf.read_bytes()
        assert b"/EmbeddedFiles" not in raw and b"/JavaScript" not in raw and b"/JS" not in raw, pdf.name
        assert PASSWD_LINE.encode() not in raw
        for page in PdfReader(str(pdf)).pages:
            for annot in page.get("/Annots") or []:
                action = annot.get_object().get("/A") or {}
                assert not str(action.get("/URI", "")).lower().lstrip().startswith(("javascript", "file", "data")), (
                    pdf.name
                )
    assert not list((project / "site").rglob("*.tmp"))


# --- interrupted builds -------------------------------------------------------------------------


def _mkdocs_children(project: Path) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if proc.name.isdigit() and b"mkdocs" in cmd and str(project).encode() in b" ".join(cmd):
            found.append(int(proc.name))
    return found


def _background_build(project: Path, **env: str) -> subprocess.Popen:
    """`cpkb build` of `project` in its own process group, its output captured."""
    return subprocess.Popen(
        [sys.executable, "-m", "cpkb", "build"],
        cwd=project,
        env=dict(os.environ, PYTHONPATH=str(ROOT / "scripts"), NO_MKDOCS_2_WARNING="1", **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        process_group=0,
    )


def _wait_for(condition, what: str) -> None:
    deadline = time.time() + 120
    while time.time() < deadline and not condition():
        time.sleep(0.05)
    assert condition(), what


def test_a_signal_while_a_step_starts_still_stops_that_step(monkeypatch):
    """SIGTERM after the fork of MkDocs or Pagefind but before Popen returns: the
    step is still on the list the build stops on its way out (CI saw an MkDocs
    outlive a build stopped at this moment)."""
    from cpkb import build

    started = subprocess.Popen

    def popen_then_sigterm(*args, **kwargs):
        child = started(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)  # its handler runs here, before Popen returns
        return child

    monkeypatch.setattr(build.subprocess, "Popen", popen_then_sigterm)
    children: list = []
    with pytest.raises(build.BuildInterrupted), build._signals_raise():
        build._start([sys.executable, "-c", "import time; time.sleep(60)"], ROOT, dict(os.environ), into=children)
    assert [child.poll() for child, _ in children] == [None], "the started step was lost"
    for child, _ in children:
        build._stop(child)
    assert children[0][0].returncode == -signal.SIGKILL


@pytest.mark.build
def test_stopping_the_whole_build_during_layout_leaves_no_temporary_folder(mini_project, tmp_path):
    """SIGTERM to the build's process group (a service manager, a CI runner, the test
    session) while Typst lays out books: every process removes its own temporary
    folders (fonts, Typst's input) and the build ends as interrupted."""
    project = make_site_project(mini_project)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    build = _background_build(project, TMPDIR=str(scratch))
    _wait_for(lambda: list(scratch.glob("cpkb-typst-*")), "no book was being laid out")
    os.killpg(build.pid, signal.SIGTERM)
    _, err = build.communicate(timeout=60)
    assert build.returncode == 128 + signal.SIGTERM, err
    assert list(scratch.iterdir()) == []
    assert not list(project.glob(".site-build-*")) and not (project / "site").exists()


def test_sigterm_cleans_up_like_a_failed_build(mini_project):
    project = make_site_project(mini_project)
    stale = project / ".site-build-999999999"
    (stale / "downloads").mkdir(parents=True)
    build = _background_build(project)
    _wait_for(lambda: _mkdocs_children(project), "MkDocs never started")
    assert not stale.exists(), "a stale .site-build-* folder survived the start of a build"
    build.send_signal(signal.SIGTERM)
    _, err = build.communicate(timeout=60)
    assert build.returncode == 128 + signal.SIGTERM
    assert err.strip().count("\n") == 0 and "interrupted by SIGTERM" in err, err
    assert not list(project.glob(".site-build-*")) and not (project / "site").exists()
    time.sleep(0.5)
    assert _mkdocs_children(project) == []
