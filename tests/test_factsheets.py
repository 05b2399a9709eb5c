"""Fact sheets: one A4 page per measure and language, read back as a trainer uses
them (pdftotext, pdffonts, pypdf), reused when unchanged, and linked from the
measure pages with their size."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from pypdf import PdfReader

from cpkb import LANGUAGES
from cpkb.pdf.factsheet import factsheet_view, render_factsheet
from cpkb.pdf.factsheets import build_factsheets
from cpkb.pdf.keys import KEYS_FILE
from cpkb.pdf.htmltree import parse_html, _find
from cpkb.source.catalogue import load_catalogue
from cpkb.source.problems import SourceError
from cpkb.text.labels import label
from cpkb.text.numbers import format_day

from conftest import ROOT

A4 = (595.28, 841.89)


def text_of(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"-\s+", "", " ".join(out.split()))  # hyphenated line ends joined


def flat(text: str) -> str:
    return re.sub(r"-\s+", "", " ".join(str(text).split()))


def squash(text: str) -> str:
    """Text without white space and hyphens: line breaks fall anywhere (after a slash, at a hyphen)."""
    return re.sub(r"[\s\-\u00ad]+", "", str(text))


def plain(html) -> str:
    return flat(parse_html(str(html)).text())


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def mini_sheets(tmp_path_factory):
    project = tmp_path_factory.mktemp("sheets") / "project"
    shutil.copytree(Path(__file__).parent / "fixtures" / "mini", project)
    shutil.copy2(ROOT / "measures" / "schema.json", project / "measures" / "schema.json")
    out = project / "factsheets"
    return project, out, build_factsheets(project, out, jobs=1)


# --- fast: the Typst source ------------------------------------------------


def test_the_steps_are_the_numbered_list_of_the_description(mini_project):
    from cpkb.pdf.markup import escape

    cat = load_catalogue(mini_project / "measures", root=mini_project)
    m = cat.by_id["UTL-002"]
    for lang in LANGUAGES:
        items = _find(parse_html(str(factsheet_view(cat, m, lang).description)), lambda n: n.tag == "li")
        source = render_factsheet(cat, m, lang).typ
        steps = source.split(f"[{escape(label('factsheet.steps', lang))}], (", 1)[1]
        assert len(items) == 5
        positions = [steps.index(escape(" ".join(li.text().split()[:4]))) for li in items]
        assert positions == sorted(positions)


def test_hostile_text_stays_text_in_the_typst_source(mini_project):
    path = mini_project / "measures" / "utilities" / "UTL-002.yml"
    edit_yaml(path, lambda d: d["title"].update(en='Traps #set page(width: 1cm) ] [ #import "/etc/passwd"'))
    cat = load_catalogue(mini_project / "measures", root=mini_project)
    source = render_factsheet(cat, cat.by_id["UTL-002"], "en").typ
    # Raw only inside the string literals of the PDF's metadata; escaped wherever it is printed.
    raw = [line for line in source.splitlines() if "#set page(width" in line or "#import" in line.replace("\\#", "")]
    assert len(raw) == 1 and raw[0].startswith("#set document(")
    assert r"Traps \#set page\(width\: 1cm\) \] \[ \#import \"\/etc\/passwd\"" in source


# --- the mini catalogue, laid out ------------------------------------------


@pytest.mark.build
def test_one_tagged_a4_page_per_measure_and_language(mini_sheets):
    project, out, run = mini_sheets
    cat = load_catalogue(project / "measures", root=project)
    assert {p.name for p in out.iterdir()} == {f"{m.id}.{l}.pdf" for m in cat.measures for l in LANGUAGES} | {KEYS_FILE}
    assert len(run.sheets) == 2 * len(cat.measures) and run.laid_out == len(run.sheets)
    for sheet in run.sheets:
        reader = PdfReader(str(sheet.path))
        assert len(reader.pages) == 1 == sheet.pages
        box = reader.pages[0].mediabox
        assert (round(float(box.width), 1), round(float(box.height), 1)) == (round(A4[0], 1), round(A4[1], 1))
        root = reader.trailer["/Root"]
        assert root["/Lang"] == sheet.lang and root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
        m = cat.by_id[sheet.measure_id]
        assert reader.metadata.title == f"{m.id}. {m.title[sheet.lang]}"
        assert sheet.path.read_bytes().rstrip(b"\r\n").endswith(b"%%EOF")
        fonts = subprocess.run(["pdffonts", str(sheet.path)], check=True, capture_output=True, text=True).stdout
        rows = fonts.splitlines()[2:]
        assert all(row.split()[-5] == "yes" for row in rows) and any("NotoSans-Regular" in r for r in rows)


@pytest.mark.build
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_sheet_holds_everything_a_trainer_needs(mini_sheets, lang):
    project, out, _ = mini_sheets
    cat = load_catalogue(project / "measures", root=project)
    for m in cat.measures:
        v = factsheet_view(cat, m, lang)
        text = text_of(out / f"{m.id}.{lang}.pdf")
        wanted = [
            v.title,
            v.id,
            v.sector_name,
            v.stage,
            v.technique,
            v.complexity_long,
            v.investment,
            v.payback,
            v.figure_basis,
            v.figure_basis_note,
            v.summary,
            label("factsheet.steps", lang),
            plain(v.environmental_benefits),
            plain(v.applicability),
            label("measure.reviewed", lang),
            format_day(m.reviewed, lang),
            f"/{'' if lang == 'vi' else 'en/'}measures/{m.slug}/",
        ]
        wanted += [f"{s.label}: {s.value}" for s in v.savings] + [
            f"({s.scope_label})" for s in v.savings if s.scope_label
        ]
        for s in v.sources:
            wanted += [s.publisher, s.title, s.when] + ([s.pages] if s.pages else [])
        steps = _find(parse_html(str(v.description)), lambda n: n.tag == "li")
        wanted += [flat(li.text()) for li in steps]
        squashed = squash(text)
        missing = [w for w in wanted if squash(w) not in squashed]
        assert not missing, (m.id, lang, missing)
        assert label("factsheet.more_steps", lang).split("{n}")[1].strip() not in text  # nothing was left out


@pytest.mark.build
def test_english_sheets_have_no_vietnamese_ui_text(mini_sheets):
    _, out, _ = mini_sheets
    text = text_of(out / "BEV-001.en.pdf")
    for key in ("factsheet.steps", "measure.sources", "figures.investment", "factsheet.title"):
        assert label(key, "vi") not in text and label(key, "en") in text


@pytest.mark.build
def test_same_sources_give_the_same_bytes_and_unchanged_sheets_are_kept(mini_sheets, tmp_path):
    project, out, first = mini_sheets
    again = build_factsheets(project, tmp_path / "again", jobs=2)
    for a, b in zip(first.sheets, again.sheets):
        assert a.path.read_bytes() == b.path.read_bytes(), a.path.name
    kept = build_factsheets(project, tmp_path / "again", jobs=1)
    assert kept.laid_out == 0 and all(s.reused for s in kept.sheets)
    keys = json.loads((tmp_path / "again" / KEYS_FILE).read_text(encoding="utf-8"))
    assert keys["BEV-001.vi.pdf"]["sha256"] == hashlib.sha256((out / "BEV-001.vi.pdf").read_bytes()).hexdigest()

    copy = tmp_path / "project"
    shutil.copytree(project, copy)
    edit_yaml(copy / "measures" / "beverages" / "BEV-002.yml", lambda d: d["summary"].update(en="A new summary."))
    (copy / "measures" / "utilities" / "UTL-008.yml").unlink()
    # A new build folder, the previous one to copy from: only the changed sheet is laid out.
    fresh = build_factsheets(copy, tmp_path / "fresh", reuse_from=tmp_path / "again", jobs=1)
    assert [s.path.name for s in fresh.sheets if not s.reused] == ["BEV-002.en.pdf"]
    assert "A new summary." in text_of(tmp_path / "fresh" / "BEV-002.en.pdf")
    assert not (tmp_path / "fresh" / "UTL-008.vi.pdf").exists()
    assert (tmp_path / "fresh" / "BEV-001.vi.pdf").read_bytes() == (out / "BEV-001.vi.pdf").read_bytes()


@pytest.mark.build
def test_a_long_measure_is_fitted_on_one_page_and_says_what_was_left_out(mini_project):
    def lengthen(d):
        steps = "\n".join(
            f"{i}. " + "Check the flow meter, log the reading and compare it with the target. " * 4
            for i in range(1, 31)
        )
        d["description"]["en"] = "Why it matters.\n\nHow to do it:\n\n" + steps + "\n"

    edit_yaml(mini_project / "measures" / "utilities" / "UTL-002.yml", lengthen)
    run = build_factsheets(mini_project, mini_project / "out", langs=["en"], jobs=1)
    sheet = next(s for s in run.sheets if s.measure_id == "UTL-002")
    assert sheet.pages == 1
    text = text_of(sheet.path)
    left = re.search(r"(\d+) more steps on the measure's page", text)
    assert left and 0 < int(left.group(1)) < 30
    printed = len(re.findall(r"Check the flow meter, log the reading", text)) // 4
    assert printed == 30 - int(left.group(1))
    assert "Sources" in text and "/en/measures/utl-002/" in text  # what follows the steps is still there


@pytest.mark.build
def test_a_measure_that_cannot_fit_is_a_precise_error(mini_project):
    edit_yaml(
        mini_project / "measures" / "utilities" / "UTL-002.yml",
        lambda d: d["applicability"].update(en="Any plant with steam. " * 700),
    )
    with pytest.raises(SourceError) as err:
        build_factsheets(mini_project, mini_project / "out", langs=["en"], jobs=1)
    assert "UTL-002 (en)" in str(err.value) and "not one" in str(err.value)


# --- the real catalogue ----------------------------------------------------


@pytest.fixture(scope="session")
def real_sheets(real_site):
    """The fact sheets of the session's real site (laid out once, by `cpkb build`).
    Asked for again, every sheet is kept: they were made from the current sources."""
    out = real_site / "downloads" / "factsheets"
    run = build_factsheets(ROOT, out)
    assert run.laid_out == 0, [s.path.name for s in run.sheets if not s.reused]
    return out, run


def _per_core(work, paths):
    """`work` over every path, one pdftotext per core (632 sheets one by one: 20 s)."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return dict(zip(paths, pool.map(work, paths)))


def _bbox(path: Path) -> str:
    return subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True).stdout


@pytest.mark.build
def test_every_real_measure_fits_one_page_in_both_languages(real_sheets):
    _, run = real_sheets
    cat = load_catalogue(ROOT / "measures", root=ROOT)
    assert len(run.sheets) == 2 * len(cat.measures) >= 320
    assert all(s.pages == 1 for s in run.sheets)
    for sheet in run.sheets:
        assert len(PdfReader(str(sheet.path)).pages) == 1, sheet.path.name
    # Nothing of a sheet falls outside the page's margins (16 mm, less rounding).
    mm = 72 / 25.4
    boxes = _per_core(_bbox, [sheet.path for sheet in run.sheets])
    for sheet in run.sheets:
        for x0, y0, x1, y1 in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', boxes[sheet.path]
        ):
            assert 15 * mm < float(x0) and float(x1) < A4[0] - 15 * mm, sheet.path.name
            assert 8 * mm < float(y0) and float(y1) < A4[1] - 8 * mm, sheet.path.name


@pytest.mark.build
def test_real_sheets_print_every_step(real_sheets):
    """At the catalogue's lengths no step needs to be left out."""
    _, run = real_sheets
    texts = _per_core(text_of, [sheet.path for sheet in run.sheets])
    for sheet in run.sheets:
        note = label("factsheet.more_steps", sheet.lang).split("{n}")[1].strip()
        assert flat(note) not in texts[sheet.path], sheet.path.name


# --- the site ------------------------------------------------------------------


@pytest.mark.build
@pytest.mark.parametrize("lang,prefix", [("vi", ""), ("en", "en/")])
def test_measure_pages_link_their_fact_sheet_with_its_size(mini_site, lang, prefix):
    site = mini_site / "site"
    cat = load_catalogue(mini_site / "measures", root=mini_site)
    for m in cat.measures:
        html = (site / prefix / "measures" / m.slug / "index.html").read_text(encoding="utf-8")
        link = BeautifulSoup(html, "html.parser").select_one("[data-pagefind-body] .cp-factsheet a[download]")
        assert link is not None, (m.id, lang)
        target = (site / prefix / "measures" / m.slug / link["href"]).resolve()
        assert target == (site / "downloads" / "factsheets" / f"{m.id}.{lang}.pdf").resolve() and target.is_file()
        kb = round(target.stat().st_size / 1024)
        assert link.get_text(strip=True) == label("factsheet.link", lang, size=kb)
        assert len(PdfReader(str(target)).pages) == 1


@pytest.mark.build
def test_cpkb_pdf_factsheets_builds_them_alone(mini_project, monkeypatch, capsys):
    from cpkb import cli

    monkeypatch.chdir(mini_project)
    assert cli.main(["pdf", "--factsheets", "--book", "complete"]) == 2
    assert "--factsheets" in capsys.readouterr().err
    out = mini_project / "out"
    assert cli.main(["pdf", "--factsheets", "--lang", "en", "--out", str(out), "--jobs", "1"]) == 0
    assert sorted(p.name for p in (out / "factsheets").glob("*.pdf")) == [
        "BEV-001.en.pdf",
        "BEV-002.en.pdf",
        "UTL-001.en.pdf",
        "UTL-002.en.pdf",
        "UTL-008.en.pdf",
    ]
    assert not list(out.glob("cp-handbook-*.pdf"))  # the books are not built
    assert cli.main(["pdf", "--factsheets", "--lang", "en", "--out", str(out), "--reuse"]) == 0
    assert "0 laid out, 5 kept" in capsys.readouterr().err


@pytest.mark.build
def test_the_hostile_record_prints_literally_on_its_sheet(mini_site):
    """conftest.HOSTILE (BEV-009): markup in every field comes out as text, links only http(s)."""
    for lang, title in (
        ("en", "Close taps <script>window.__pwned=1</script> at breaks"),
        ("vi", "Đóng vòi <script>window.__pwned=1</script> khi nghỉ ca"),
    ):
        path = mini_site / "site" / "downloads" / "factsheets" / f"BEV-009.{lang}.pdf"
        assert squash(title) in squash(text_of(path))
        reader = PdfReader(str(path))
        uris = [a.get_object()["/A"].get("/URI") for a in reader.pages[0].get("/Annots", []) if "/A" in a.get_object()]
        assert all(u is None or str(u).startswith(("http://", "https://")) for u in uris), uris
        assert "/JavaScript" not in str(reader.trailer["/Root"]) and "/EmbeddedFiles" not in str(
            reader.trailer["/Root"]
        )
