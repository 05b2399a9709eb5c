"""The PDF handbooks: sources checked precisely, books read back as a trainer would use them.

Fast tests check the sources and the HTML; tests marked `build` lay out real
PDFs (the mini fixture, then the real catalogue) and read them back with
pypdf and poppler's pdftotext / pdffonts.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from cpkb import LANGUAGES
from cpkb import cli
from cpkb.pdf import books as pdf
from cpkb.source.catalogue import load_catalogue
from cpkb.pdf.book import WORKSHEETS_BOOK, column_weights, plan_books, render_book
from cpkb.pdf.keys import KEYS_FILE
from cpkb.pdf.markup import escape, string
from cpkb.text.numbers import vi_sort_key
from cpkb.source import handbook
from cpkb.source.handbook import load_sources
from cpkb.source.problems import SourceError

MINI = Path(__file__).parent / "fixtures" / "mini"
ROOT = Path(__file__).resolve().parents[1]

# Letters that only Vietnamese uses (among the two languages of the books).
VI_LETTERS = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)
EN_FUNCTION_WORDS = {"the", "and", "of", "with", "which", "from", "for", "is", "are", "this", "that"}


# --- helpers ---------------------------------------------------------------


def copy_mini(dest: Path) -> Path:
    shutil.copytree(MINI, dest)
    shutil.copy2(Path(__file__).parent.parent / "measures" / "schema.json", dest / "measures" / "schema.json")
    return dest


def sources_of(root: Path):
    return load_sources(root, load_catalogue(root / "measures", root=root))


def problems_of(root: Path) -> list:
    with pytest.raises(SourceError) as err:
        sources_of(root)
    return err.value.problems


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _version(path: Path) -> tuple[str, int, int]:
    """The file as it is now: the caches below read each PDF once per version."""
    st = Path(path).stat()
    return str(path), st.st_mtime_ns, st.st_size


def page_texts(path: Path) -> list[str]:
    """Text of every page, as pdftotext extracts it (what a reader's search finds)."""
    return list(_page_texts(_version(path)))


@functools.lru_cache(maxsize=16)
def _page_texts(version: tuple[str, int, int]) -> tuple[str, ...]:
    out = subprocess.run(["pdftotext", "-layout", version[0], "-"], check=True, capture_output=True, text=True).stdout
    return tuple(out.split("\f")[:-1])


TOC_LEADER = r"(?: ?\.)+ ?\u2060?(\d+)"
"""A contents line: title, dot leader, page."""


def flat(text: str) -> str:
    return " ".join(text.split())


def searchable(text: str) -> str:
    """Whitespace collapsed and hyphens dropped with the line break after them, so a
    title wrapped at its hyphen ("variable-⏎speed") still matches."""
    return re.sub(r"- ?", "", flat(text))


def outline(path: Path) -> list[tuple[int, str, int]]:
    """(level, title, 1-based page) of every bookmark."""
    return list(_outline(_version(path)))


@functools.lru_cache(maxsize=16)
def _outline(version: tuple[str, int, int]) -> tuple[tuple[int, str, int], ...]:
    reader = PdfReader(version[0])
    result = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                result.append((level, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 1)
    return tuple(result)


def division_pages(path: Path, title: str) -> range:
    """The pages of the top-level division called `title` (from the bookmarks)."""
    tops = [(t, p) for level, t, p in outline(path) if level == 1]
    start = next(p for t, p in tops if t == title)
    later = [p for t, p in tops if p > start]
    return range(start, (min(later) if later else len(PdfReader(str(path)).pages) + 1))


def words_outside_text_block(path: Path) -> list[tuple[int, str, float]]:
    """(page, word, mm) of every word that sticks out of the text block sideways: what
    the printer would cut off. Read from poppler's word boxes (pdftotext -bbox)."""
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True).stdout
    found, page, width = [], 0, 595.0
    mm = 72 / 25.4
    for line in out.splitlines():
        if line.lstrip().startswith("<page "):
            page += 1
            width = float(re.search(r'width="([\d.]+)"', line).group(1))
        elif line.lstrip().startswith("<word "):
            x0, x1 = (float(v) for v in re.search(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', line).groups())
            word = re.sub(r"<[^>]+>", "", line).strip()
            # The smaller margin (outside, 18 mm) on either side, less 1 mm for rounding.
            if x0 < 17 * mm or x1 > width - 17 * mm:
                found.append((page, word, round(max(17 * mm - x0, x1 - width + 17 * mm) / mm, 1)))
    return found


# --- sources: fast, no layout ---------------------------------------------


def test_book_filename_is_stable():
    assert handbook.book_filename(None, "vi") == "cp-handbook-vi.pdf"
    assert handbook.book_filename("beverages", "en") == "cp-handbook-beverages-en.pdf"


def test_book_spec_of_the_mini_project(mini_project):
    sources = sources_of(mini_project)
    assert sources.spec.general == ("01-cleaner-production",)
    assert [e.key for e in sources.spec.sectors] == ["beverages", "utilities"]
    assert sources.spec.appendices == ("worksheets", "glossary", "index")
    assert [c.title for c in sources.general["en"]] == ["What cleaner production is"]
    assert len(sources.glossary) == 3 and len(sources.worksheets) == 2
    assert handbook.planned_books(mini_project) == [None, "beverages", "utilities"]


def test_general_all_takes_every_chapter_in_name_order(mini_project):
    general = mini_project / "handbook" / "general"
    for lang in LANGUAGES:
        (general / f"00-foreword.{lang}.md").write_text("# Foreword\n\nText.\n", encoding="utf-8")
    assert sources_of(mini_project).spec.general == ("00-foreword", "01-cleaner-production")


def test_listed_but_missing_chapter_is_a_precise_error(mini_project):
    book = mini_project / "handbook" / "book.yml"
    book.write_text(
        book.read_text(encoding="utf-8").replace("general: all", "general: [01-cleaner-production, 09-missing]"),
        encoding="utf-8",
    )
    [problem] = problems_of(mini_project)
    assert problem.file == "handbook/book.yml" and problem.field == "general[1]"
    assert (
        problem.line
        == book.read_text(encoding="utf-8").splitlines().index("general: [01-cleaner-production, 09-missing]") + 1
    )
    assert "09-missing" in problem.message and "01-cleaner-production" in problem.hint


def test_chapter_in_one_language_only_names_the_missing_file(mini_project):
    (mini_project / "handbook" / "beverages" / "index.en.md").unlink()
    [problem] = problems_of(mini_project)
    assert problem.file == "handbook/beverages/index.en.md"
    assert "missing" in problem.message and "index.vi.md" in problem.hint


def test_unknown_sector_and_bad_date_in_book_yml(mini_project):
    edit_yaml(
        mini_project / "handbook" / "book.yml", lambda d: d.update(sectors=["beverages", "brewing"], date="28/11/2026")
    )
    problems = problems_of(mini_project)
    assert {p.field for p in problems} == {"sectors[1]", "date"}
    assert all(p.file == "handbook/book.yml" and p.line > 1 for p in problems)


def test_sector_without_chapter_when_declared(mini_project):
    shutil.rmtree(mini_project / "handbook" / "utilities")
    edit_yaml(
        mini_project / "handbook" / "book.yml",
        lambda d: d.update(sectors=["beverages", {"key": "utilities", "chapter": False}]),
    )
    sources = sources_of(mini_project)
    assert ("utilities", "vi") not in sources.sector_chapters


def test_link_to_unknown_measure_fails_with_file_and_line(mini_project):
    chapter = mini_project / "handbook" / "beverages" / "index.vi.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nXem [biện pháp](measure:BEV-999).\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        pdf.build_books(mini_project, mini_project / "out", books=["beverages"], jobs=1)
    [problem] = err.value.problems
    assert problem.file == "handbook/beverages/index.vi.md" and "BEV-999" in problem.message
    assert problem.line == len(chapter.read_text(encoding="utf-8").splitlines())
    assert not (mini_project / "out").exists() or not list((mini_project / "out").iterdir())


def test_bad_glossary_and_worksheets_are_reported_together(mini_project):
    edit_yaml(mini_project / "handbook" / "glossary.yml", lambda d: d[1]["definition"].pop("en"))
    edit_yaml(mini_project / "handbook" / "worksheets.yml", lambda d: d[0].update(rows="ten"))
    problems = problems_of(mini_project)
    assert [(p.file, p.field) for p in problems] == [
        ("handbook/glossary.yml", "[1].definition"),
        ("handbook/worksheets.yml", "[0].rows"),
    ]


def test_cli_usage_errors_exit_2_and_source_errors_exit_1(mini_project, monkeypatch, capsys):
    monkeypatch.chdir(mini_project)
    assert cli.main(["pdf", "--book", "brewing"]) == 2
    assert "brewing" in capsys.readouterr().err
    assert cli.main(["pdf", "--jobs", "0"]) == 2
    (mini_project / "handbook" / "glossary.yml").write_text("- term: [unclosed\n", encoding="utf-8")
    assert cli.main(["pdf", "--out", str(mini_project / "out")]) == 1
    assert "handbook/glossary.yml:" in capsys.readouterr().err


def test_hostile_record_text_is_escaped_in_the_typst_source(mini_project):
    path = mini_project / "measures" / "beverages" / "BEV-001.yml"
    edit_yaml(
        path,
        lambda d: (
            d["title"].update(en="Meter <script>alert(1)</script> & co"),
            d["description"].update(en='Raw <img src=x onerror="alert(1)"> {: onclick="x"} *ok*'),
        ),
    )
    sources = sources_of(mini_project)
    [plan] = plan_books(sources, ["beverages"], ["en"])
    typ = render_book(plan).typ
    assert "Meter \\<script\\>alert\\(1\\)\\<\\/script\\> \\& co" in typ  # every markup character escaped
    assert "onerror" in typ and "#emph[ok]" in typ  # the raw HTML shows as text; Markdown still works
    assert "#image(" not in typ


def test_vietnamese_dictionary_order():
    words = ["đánh giá", "dòng thải", "ăn mòn", "an toàn", "bã malt", "ô nhiễm", "ơn", "o"]
    assert sorted(words, key=vi_sort_key) == [
        "an toàn",
        "ăn mòn",
        "bã malt",
        "dòng thải",
        "đánh giá",
        "o",
        "ô nhiễm",
        "ơn",
    ]


def test_typst_escaping_leaves_no_markup_character_unescaped():
    hostile = '#set page(width: 1cm) *b* _i_ $x$ @ref <l> [c] `r` = h - l + e // c /* */ ~ -- \\ "q" 1. x'
    escaped = escape(hostile)
    assert re.sub(r"\\.", "", escaped).strip(" abcdefghijklmnopqrstuvwxyz0123456789") == ""
    assert string('a"b\\c\n') == '"a\\"b\\\\c\\n"'


def test_worksheet_columns_are_sized_to_what_is_written(mini_project):
    sheets = {w.key: w for w in sources_of(mini_project).worksheets}
    for sheet in sheets.values():
        weights = column_weights(sheet)
        heads = [c["en"] for c in sheet.columns]
        for head, weight in zip(heads, weights):
            if "Description" in head:
                assert weight == max(weights), (sheet.key, head)
            if re.search(r"\(1–5\)|✓|^Option no\.", head):
                assert weight == min(weights), (sheet.key, head)


# --- the mini books, laid out once ----------------------------------------


@pytest.fixture(scope="session")
def mini_books(tmp_path_factory):
    root = copy_mini(tmp_path_factory.mktemp("mini") / "project")
    out = root / "downloads"
    # The layout processes' own temporary folders (fonts, Typst's input) go here,
    # so the test can see that they remove them.
    scratch = root.parent / "scratch"
    scratch.mkdir()
    before = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(scratch)
    try:
        results = pdf.build_books(root, out)
    finally:
        if before is None:
            del os.environ["TMPDIR"]
        else:
            os.environ["TMPDIR"] = before
    return root, out, results


@pytest.mark.build
def test_mini_build_writes_every_book_and_nothing_else(mini_books):
    root, out, results = mini_books
    expected = {
        handbook.book_filename(b, l) for b in (None, "beverages", "utilities", WORKSHEETS_BOOK) for l in LANGUAGES
    }
    assert {p.name for p in out.iterdir()} == expected | {KEYS_FILE}  # no temporary file left behind
    left_in_tmp = list((root.parent / "scratch").iterdir())  # each layout process had a font folder
    assert left_in_tmp == []
    assert all(r.pages > 5 and r.seconds > 0 for r in results)


@pytest.mark.build
def test_every_pdf_ends_with_eof_and_its_key_is_in_the_sidecar(mini_books):
    """A PDF ends with %%EOF (ISO 32000-1, 7.5.5): the content key lives beside it."""
    _, out, results = mini_books
    keys = json.loads((out / KEYS_FILE).read_text(encoding="utf-8"))
    assert set(keys) == {r.path.name for r in results}
    for r in results:
        data = r.path.read_bytes()
        assert data.rstrip(b"\r\n").endswith(b"%%EOF") and b"cpkb-key" not in data
        assert keys[r.path.name]["sha256"] == hashlib.sha256(data).hexdigest()
        assert keys[r.path.name]["pages"] == r.pages and re.fullmatch(r"[0-9a-f]{32}", keys[r.path.name]["key"])
        assert r.pages == len(PdfReader(str(r.path)).pages)  # the count read from the bytes is pypdf's
    assert pdf.pages_per_second(results) > 0


@pytest.mark.build
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_measure_is_in_its_sector_book_and_the_complete_book(mini_books, lang):
    root, out, _ = mini_books
    catalogue = load_catalogue(root / "measures", root=root)
    complete = searchable(" ".join(page_texts(out / handbook.book_filename(None, lang))))
    for sector in ("beverages", "utilities"):
        text = searchable(" ".join(page_texts(out / handbook.book_filename(sector, lang))))
        for m in catalogue.in_sector(sector):
            for where in (text, complete):
                assert searchable(f"{m.id}. {m.title[lang]}") in where  # the fact sheet heading


@pytest.mark.build
@pytest.mark.parametrize("book", [None, "beverages"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_toc_page_numbers_match_the_bookmarks(mini_books, book, lang):
    _, out, _ = mini_books
    path = out / handbook.book_filename(book, lang)
    marks = outline(path)
    contents_title = {"vi": "Mục lục", "en": "Contents"}[lang]
    toc = flat(" ".join(page_texts(path)[p - 1] for p in division_pages(path, contents_title)))
    # A sector book lists its sections and fact sheets too (all its level-2 bookmarks);
    # the complete book lists chapters and sections, not its hundreds of fact sheets.
    depth = 1 if book is None else 2
    entries = [(t, p) for level, t, p in marks if level <= depth and t != contents_title]
    assert sum(1 for level, _, _ in marks if level == 1) >= 6 and len(entries) >= 6
    at = 0
    for title, page in entries:  # in book order: titles such as "Sources" recur
        match = re.compile(re.escape(flat(title)) + TOC_LEADER).search(toc, at)
        assert match, f"{title!r} is not in the table of contents (after {toc[max(0, at - 60) : at]!r})"
        assert int(match.group(1)) == page, title
        at = match.end()


def test_contents_list_the_headings_an_outline_would(mini_project, tmp_path):
    """The contents are written out by cpkb (see cp-toc-entry), not by Typst's
    outline(): they must list exactly the headings outline(depth: 2) would, in order."""
    import typst

    from cpkb.pdf.render import font_folder

    sources = sources_of(mini_project)
    for plan in plan_books(sources, [None, "beverages"], ["vi", "en"]):
        source = render_book(plan)
        folder = tmp_path / f"{plan.sector}-{plan.lang}"
        folder.mkdir()
        (folder / "book.typ").write_text(source.typ, encoding="utf-8")
        for name, data in source.assets.items():
            (folder / name).write_bytes(data)
        headings = json.loads(
            typst.query(
                str(folder / "book.typ"),
                "heading",
                root=str(folder),
                font_paths=[str(font_folder())],
                ignore_system_fonts=True,
            )
        )
        outlined = [h["label"].strip("<>") for h in headings if h["outlined"] and h["level"] <= 2]
        listed = re.findall(r"^#cp-toc-entry\([12], <([^>]+)>\)", source.typ, re.M)
        assert len(listed) > 10 and listed == outlined, (plan.sector, plan.lang)


@pytest.mark.build
def test_bookmarks_cover_chapters_measures_and_worksheets(mini_books):
    _, out, _ = mini_books
    titles = [t for _, t, _ in outline(out / "cp-handbook-beverages-en.pdf")]
    for expected in (
        "Contents",
        "What cleaner production is",
        "Cleaner production handbook for breweries",
        "Cleaner production measures: Beer and beverages",
        "Worksheet 1. CP team",
        "Glossary",
        "Index",
        "Index of measures by technique and complexity",
    ):
        assert expected in titles
    assert any(t.startswith("BEV-001. ") for t in titles) and any(t.startswith("UTL-001. ") for t in titles)


def assert_one_page_per_worksheet(path: Path) -> None:
    """Each form on a right-hand page of its own, its back blank (the books are printed double-sided)."""
    marks = outline(path)
    sheets = [p for level, t, p in marks if level == 2 and re.match(r"(Worksheet|Phiếu) \d+\.", t)]
    texts = page_texts(path)
    assert sheets and all(p % 2 == 1 for p in sheets)
    assert [b - a for a, b in zip(sheets, sheets[1:])] == [2] * (len(sheets) - 1)
    for p in sheets:
        assert p == len(texts) or not texts[p].strip(), f"the back of the form on page {p} is not blank"


@pytest.mark.build
def test_each_worksheet_fits_one_page(mini_books):
    _, out, _ = mini_books
    for lang in LANGUAGES:
        assert_one_page_per_worksheet(out / handbook.book_filename("beverages", lang))


@pytest.mark.build
def test_nothing_sticks_out_of_the_text_block(mini_books):
    _, out, _ = mini_books
    for path in sorted(out.glob("*.pdf")):
        assert words_outside_text_block(path) == [], path.name


@pytest.mark.build
@pytest.mark.parametrize("lang", LANGUAGES)
def test_colophon_on_page_two(mini_books, lang):
    root, out, _ = mini_books
    edition = sources_of(root).spec.edition
    page = flat(page_texts(out / handbook.book_filename("beverages", lang))[1])
    for phrase in {
        "en": ("About this book", f"Edition {edition},", "CC BY 4.0", "How to cite", "indicative ranges"),
        "vi": ("Về cuốn sách này", f"Ấn bản {edition},", "CC BY 4.0", "Cách trích dẫn", "khoảng tham khảo"),
    }[lang]:
        assert phrase in page, phrase


@pytest.mark.build
@pytest.mark.parametrize("lang", LANGUAGES)
def test_keyword_index_lists_terms_and_measures_with_pages(mini_books, lang):
    root, out, _ = mini_books
    path = out / handbook.book_filename("beverages", lang)
    pages = division_pages(path, {"en": "Index", "vi": "Chỉ mục"}[lang])
    text = flat(" ".join(page_texts(path)[p - 1] for p in pages))
    sources = sources_of(root)
    sheet = {t.split(".")[0]: p for _, t, p in outline(path) if re.match(r"[A-Z]+-\d{3}\. ", t)}
    m = sources.catalogue.by_id["BEV-001"]
    assert re.search(re.escape(flat(f"{m.title[lang]} (BEV-001)")) + r"[ .\u2060]*" + str(sheet["BEV-001"]), text)
    terms = [t.term[lang] for t in sources.glossary]
    found = [t for t in terms if re.search(re.escape(t) + r"[ .\u2060]+\d+", text)]
    assert len(found) == len(terms), set(terms) - set(found)
    key = vi_sort_key if lang == "vi" else str.casefold
    positions = sorted(terms, key=key)
    assert [t for t in positions] == sorted(positions, key=lambda t: text.index(t))


@pytest.mark.build
def test_measure_links_point_at_the_fact_sheet(mini_books):
    _, out, _ = mini_books
    path = out / "cp-handbook-beverages-vi.pdf"
    reader = PdfReader(str(path))
    sheet_page = {t.split(".")[0]: p for _, t, p in outline(path) if re.match(r"[A-Z]+-\d{3}\. ", t)}
    chapter_page = next(p for _, t, p in outline(path) if t == "Sổ tay sản xuất sạch hơn ngành bia")
    targets = set()
    for annot in reader.pages[chapter_page - 1].get("/Annots", []):
        annot = annot.get_object()
        dest = annot.get("/Dest") or (annot.get("/A") or {}).get("/D")
        if dest is None:
            continue
        name = str(dest) if not isinstance(dest, list) else None
        page = reader.named_destinations[name].page if name else dest[0]
        targets.add((name, reader.get_page_number(page.get_object()) + 1))
    assert ("measure-bev-001", sheet_page["BEV-001"]) in targets
    assert ("measure-utl-001", sheet_page["UTL-001"]) in targets  # a cross-cutting measure, printed too
    text = flat(page_texts(path)[chapter_page - 1])
    assert f"(tr. {sheet_page['BEV-001']})" in text  # and the page is printed for paper readers


@pytest.mark.build
def test_fonts_are_embedded(mini_books):
    _, out, _ = mini_books
    for path in out.glob("*.pdf"):
        rows = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()[
            2:
        ]
        assert rows and all(row.split()[-5] == "yes" for row in rows), rows  # the "emb" column
        assert any("NotoSans-Regular" in row for row in rows)


@pytest.mark.build
def test_vietnamese_text_extracts_as_nfc(mini_books):
    _, out, _ = mini_books
    text = "\n".join(page_texts(out / "cp-handbook-beverages-vi.pdf"))
    assert unicodedata.is_normalized("NFC", text)
    for word in (
        "Sổ tay sản xuất sạch hơn ngành bia",
        "Lắp đồng hồ đo theo khu vực",
        "Nghiền malt",
        "Thời gian hoàn vốn",
        "Phiếu 1. Đội sản xuất sạch hơn",
        "nồi nấu",
    ):
        assert word in flat(text), word


def _legitimate_other_language(root: Path) -> list[str]:
    """Text that rightly stays in its own language: source citations and the glossary's other column."""
    catalogue = load_catalogue(root / "measures", root=root)
    keep = [flat(s) for m in catalogue.measures for src in m.sources for s in (src.title, src.publisher)]
    return sorted(keep, key=len, reverse=True)


def _pages_outside_glossary(path: Path, lang: str) -> list[str]:
    glossary = division_pages(path, {"vi": "Bảng thuật ngữ", "en": "Glossary"}[lang])
    return [t for i, t in enumerate(page_texts(path), start=1) if i not in glossary]


def _strip(text: str, phrases: list[str]) -> str:
    text = flat(text)
    for phrase in phrases:
        text = text.replace(phrase, " ")
    return re.sub(r"https?://\S+", " ", text)


@pytest.mark.build
@pytest.mark.parametrize("book", [None, "beverages", "utilities"])
def test_english_book_has_no_vietnamese_body_text(mini_books, book):
    root, out, _ = mini_books
    keep = _legitimate_other_language(root)
    for page in _pages_outside_glossary(out / handbook.book_filename(book, "en"), "en"):
        words = [w for w in _strip(page, keep).split() if VI_LETTERS.search(w)]
        assert not words, words


@pytest.mark.build
@pytest.mark.parametrize("book", [None, "beverages", "utilities"])
def test_vietnamese_book_has_no_english_body_text(mini_books, book):
    root, out, _ = mini_books
    keep = _legitimate_other_language(root) + ["UNEP (1996). Cleaner Production: A Training Resource Package."]
    for page in _pages_outside_glossary(out / handbook.book_filename(book, "vi"), "vi"):
        words = [w for w in _strip(page, keep).lower().split() if w in EN_FUNCTION_WORDS]
        assert not words, words


@pytest.mark.build
def test_metadata_language_and_tags(mini_books):
    _, out, _ = mini_books
    reader = PdfReader(str(out / "cp-handbook-beverages-en.pdf"))
    meta = reader.metadata
    assert meta.title == "Handbook on applying cleaner production – Beer and beverages"
    assert meta.subject == "Handbook on applying cleaner production: Beer and beverages"
    assert meta["/CreationDate"].startswith("D:20261128")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert PdfReader(str(out / "cp-handbook-vi.pdf")).trailer["/Root"]["/Lang"] == "vi"


@pytest.mark.build
def test_same_sources_give_byte_identical_pdfs(mini_books, tmp_path, monkeypatch):
    root, out, _ = mini_books
    again = pdf.build_books(root, tmp_path / "a", langs=["vi"], books=["beverages"], jobs=1)
    assert again[0].path.read_bytes() == (out / "cp-handbook-beverages-vi.pdf").read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    [stamped] = pdf.build_books(root, tmp_path / "b", langs=["vi"], books=["beverages"], jobs=1)
    assert PdfReader(str(stamped.path)).metadata["/CreationDate"].startswith("D:20260101")
    [twice] = pdf.build_books(root, tmp_path / "c", langs=["vi"], books=["beverages"], jobs=1)
    assert twice.path.read_bytes() == stamped.path.read_bytes()


@pytest.mark.build
def test_reuse_lays_out_only_the_books_whose_sources_changed(mini_books, tmp_path):
    root, out, _ = mini_books
    copy = tmp_path / "downloads"
    shutil.copytree(out, copy)
    results = pdf.build_books(root, copy, reuse=True)
    assert all(r.reused and r.pages > 5 for r in results)
    edited = copy / "cp-handbook-utilities-vi.pdf"
    edited.write_bytes(edited.read_bytes() + b"\n")  # changed by hand: its key no longer describes it
    assert [
        r.path.name for r in pdf.build_books(root, copy, langs=["vi"], books=["utilities"], reuse=True) if not r.reused
    ] == [edited.name]
    assert edited.read_bytes() == (out / edited.name).read_bytes()
    (copy / "cp-handbook-seafood-vi.pdf").write_bytes(b"%PDF- a sector no longer in book.yml")
    project = copy_mini(tmp_path / "project")
    chapter = project / "handbook" / "utilities" / "index.en.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    changed = {r.path.name for r in pdf.build_books(project, copy, reuse=True) if not r.reused}
    # Every sector book carries the cross-cutting utilities chapter.
    assert changed == {"cp-handbook-en.pdf", "cp-handbook-utilities-en.pdf", "cp-handbook-beverages-en.pdf"}
    assert {p.name for p in copy.iterdir()} == {p.name for p in out.iterdir()}  # the stale book is gone


@pytest.mark.build
def test_layout_raises_no_typst_warning(mini_project, recwarn):
    """A warning means Typst ignored something (an unknown font, a layout that did not converge)."""
    pdf.build_books(mini_project, mini_project / "out", langs=["vi"], books=["beverages"], jobs=1)
    assert [str(w.message) for w in recwarn] == []


@pytest.mark.build
def test_hostile_record_text_prints_literally(mini_project):
    path = mini_project / "measures" / "utilities" / "UTL-002.yml"
    edit_yaml(
        path,
        lambda d: (
            d["title"].update(en="Traps <script>alert(1)</script> & <b>leaks</b>"),
            d["summary"].update(en="Ünïcödé ‘quotes’ — <i>not italic</i> {: .x}"),
        ),
    )
    [result] = pdf.build_books(mini_project, mini_project / "out", langs=["en"], books=["utilities"], jobs=1)
    text = flat(" ".join(page_texts(result.path)))
    assert "UTL-002. Traps <script>alert(1)</script> & <b>leaks</b>" in text
    assert "Ünïcödé ‘quotes’ — <i>not italic</i> {: .x}" in text


@pytest.mark.build
def test_hostile_headings_print_literally_in_the_contents(mini_project):
    """The contents are written from the headings' markup (cp-toc-entry): a heading
    made of Typst syntax prints as text there too, with its page (a tag such as
    <b> is removed by the sanitiser before, as on the site)."""
    chapter = next((mini_project / "handbook" / "general").glob("*.en.md"))
    hostile = ['Fake] #panic("pwned") $x$ @ref', "Close ) ] > // note #set page(fill: red)"]
    with chapter.open("a", encoding="utf-8") as f:
        f.write("".join(f"\n\n## {h}\n\nText under it.\n" for h in hostile))
    [result] = pdf.build_books(mini_project, mini_project / "out", langs=["en"], books=["beverages"], jobs=1)
    pages = page_texts(result.path)
    contents = flat(" ".join(pages[p - 1] for p in division_pages(result.path, "Contents")))
    for heading in hostile:
        page = next(i for i, text in enumerate(pages, 1) if flat(heading) in flat(text) and i > 4)
        match = re.search(re.escape(flat(heading)) + TOC_LEADER, contents)
        assert match and int(match.group(1)) == page, heading


# --- the real catalogue ---------------------------------------------------


@pytest.fixture(scope="session")
def real_books(project_root, real_site):
    """The real books of the session's real site: laid out once, by `cpkb build`. Asking
    for them again with reuse keeps every PDF (same sources) and reports each one."""
    out = real_site / "downloads"
    results = pdf.build_books(project_root, out, reuse=True)
    assert all(r.reused for r in results), [r.path.name for r in results if not r.reused]
    return project_root, out, results


@pytest.mark.build
def test_real_books_are_complete(real_books):
    root, out, results = real_books
    catalogue = load_catalogue(root / "measures", root=root)
    books = handbook.planned_books(root)
    assert {r.path.name for r in results} == {
        handbook.book_filename(b, l) for b in [*books, WORKSHEETS_BOOK] for l in LANGUAGES
    }
    cross_cutting = {"utilities"}  # the one group every sector book prints (not rubber, which has no VSIC code yet)
    for lang in LANGUAGES:
        path = out / handbook.book_filename(None, lang)
        sheets_in_complete = [t for _, t, _ in outline(path) if re.match(r"[A-Z]+-\d{3}\. ", t)]
        assert len(sheets_in_complete) == len(set(sheets_in_complete)) == len(catalogue.measures)  # each measure once
        for sector in books[1:]:
            sheets = {
                t.split(".")[0]
                for _, t, _ in outline(out / handbook.book_filename(sector, lang))
                if re.match(r"[A-Z]+-\d{3}\. ", t)
            }
            wanted = {m.id for m in catalogue.measures if m.sector == sector or m.sector in cross_cutting}
            assert sheets == wanted, (sector, sheets ^ wanted)  # no other sector's fact sheet, every utility
            for m in catalogue.in_sector(sector):
                assert f"{m.id}. {m.title[lang]}" in sheets_in_complete


@pytest.mark.build
@pytest.mark.parametrize("lang", LANGUAGES)
def test_real_complete_book_toc_and_language(real_books, lang):
    root, out, _ = real_books
    path = out / handbook.book_filename(None, lang)
    assert_one_page_per_worksheet(path)
    contents_title = {"vi": "Mục lục", "en": "Contents"}[lang]
    toc = flat(" ".join(page_texts(path)[p - 1] for p in division_pages(path, contents_title)))
    for level, title, page in outline(path):
        if level == 1 and title != contents_title and page > 1:
            match = re.search(re.escape(flat(title)) + TOC_LEADER, toc)
            assert match and int(match.group(1)) == page, title
    pages = _pages_outside_glossary(path, lang)
    text = "\n".join(pages)
    assert unicodedata.is_normalized("NFC", text)
    keep = _legitimate_other_language(root)
    words = _strip(text, keep).split()
    if lang == "en":
        other = [w for w in words if VI_LETTERS.search(w)]
    else:
        other = [w for w in (w.lower() for w in words) if w in EN_FUNCTION_WORDS]
    # Place and organisation names may keep their own spelling; body text may not.
    assert len(other) <= len(words) / 200, other[:40]


@pytest.mark.build
def test_undated_web_sources_give_the_day_they_were_read(real_books):
    """A web page without a date is cited with the day it was read, in the books and the
    downloads, never as "(None)"."""
    root, out, _ = real_books
    catalogue = load_catalogue(root / "measures", root=root)
    undated = [(m, s) for m in catalogue.measures for s in m.sources if s.year is None]
    assert undated, "the catalogue cites undated web pages: this test needs one"
    m, s = undated[0]
    for lang, said in (("vi", "không ghi năm, truy cập"), ("en", "undated, accessed")):
        text = flat(" ".join(page_texts(out / handbook.book_filename(m.sector, lang))))
        assert "(None)" not in text
        assert flat(f"{s.publisher} ({said} ") in text, (m.id, lang)
        rows = list(csv.DictReader(io.StringIO((out / f"cp-measures-{lang}.csv").read_text(encoding="utf-8-sig"))))
        cited = next(r for r in rows if m.id in r.values())
        assert f"{s.publisher} ({said} " in "".join(cited.values()) and "(None)" not in "".join(cited.values())


@pytest.mark.build
def test_real_books_have_nothing_cut_off_and_expected_sizes(real_books):
    _, out, results = real_books
    # pdftotext runs outside Python: one per core at once.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        outside = dict(zip(results, pool.map(lambda r: words_outside_text_block(r.path), results)))
    for r in results:
        assert outside[r] == [], r.path.name
        low, high = {None: (150, 900), WORKSHEETS_BOOK: (20, 40)}.get(r.sector, (60, 200))
        assert low <= r.pages <= high, (r.path.name, r.pages)


# --- the support annex (issue 17) --------------------------------------------------

ANNEX_CASE = """\
id: brewery-case
title: {vi: Nhà máy bia lắp đồng hồ theo khu vực, en: A brewery meters each area}
sectors: [beverages]
facility: {vi: Một nhà máy bia như nguồn mô tả., en: A brewery as the source describes it.}
year: 2012
measures: [BEV-001]
summary: {vi: Nhà máy đo nước theo khu vực., en: The plant metered water by area.}
results:
  - {vi: Giảm 10% lượng nước., en: Water use down by 10%.}
figure_basis: reported
sources:
  - {title: A case report, publisher: A programme, url: "https://example.org/case", checked: 2026-12-01}
reviewed: 2026-12-01
"""


@pytest.mark.build
def test_the_support_annex_carries_consultants_funding_and_the_books_cases(tmp_path):
    root = copy_mini(tmp_path / "project")
    support = root / "handbook" / "support"
    shutil.copytree(ROOT / "handbook" / "support" / "schemas", support / "schemas")
    for kind, name in (("consultants", "vncpc.yml"), ("funding", "vepf-loans.yml")):
        (support / kind).mkdir()
        shutil.copy2(ROOT / "handbook" / "support" / kind / name, support / kind / name)
    (support / "cases").mkdir()
    (support / "cases" / "brewery-case.yml").write_text(ANNEX_CASE, encoding="utf-8")
    edit_yaml(
        root / "handbook" / "book.yml", lambda d: d.update(appendices=["support", "worksheets", "glossary", "index"])
    )
    out = root / "downloads"
    pdf.build_books(root, out, langs=["en"], books=[None, "utilities"])
    complete = out / handbook.book_filename(None, "en")
    marks = [(level, title) for level, title, _ in outline(complete)]
    at = marks.index((1, "Support"))
    assert marks[at + 1 : at + 4] == [(2, "Consultant network"), (2, "Funding guide"), (2, "Demonstration cases")]
    text = flat(" ".join(page_texts(complete)[p - 1] for p in division_pages(complete, "Support")))
    for expected in (
        "Vietnam Cleaner Production Centre (VNCPC)",
        "Preferential loans of the Vietnam Environment Protection Fund",
        "A brewery meters each area",
        "BEV-001",
        "checked December 1, 2026",
    ):
        assert flat(expected) in text, expected
    # A sector book keeps the consultants and funding, and only its own sector's cases.
    utilities = [(level, title) for level, title, _ in outline(out / handbook.book_filename("utilities", "en"))]
    assert (2, "Consultant network") in utilities and (2, "Demonstration cases") not in utilities


def _lay_out_with_the_template(body: str) -> bytes:
    """A small document on the books' template: its helpers, as the book writer calls them."""
    from cpkb.pdf.frontmatter import TEMPLATES
    from cpkb.pdf.render import BookSource, compile_pdf

    template = (TEMPLATES / "book.typ").read_text(encoding="utf-8")
    return compile_pdf(BookSource(typ=f'{template}\n#set document(title: "t")\n#set text(lang: "en")\n{body}'))


def test_page_references_show_the_pages_they_point_to(tmp_path):
    """Cross-references, contents lines and index entries say the real page, each page once
    and in order, after the first pass's stand-ins are gone."""
    pdf = tmp_path / "refs.pdf"
    pdf.write_bytes(
        _lay_out_with_the_template(
            "#let cp-xref = cp-xref.with(abbr: [tr\\.])\n"
            "See #cp-xref(<c>, [the third]).\n\n"
            "#cp-toc-entry(1, <b>, [Second])\n"
            "#cp-index-entry([term], [#context cp-pages-of(<c>, <a>, <c2>, <b>)])\n"
            "#pagebreak()\n= A <a>\n#pagebreak()\n= B <b>\n#pagebreak()\n= C <c>\n== C again <c2>\n"
        )
    )
    first = subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "See the third (tr. 4)." in first
    assert re.search(r"Second[ .]*3\n", first), first
    assert re.search(r"term[ .]*2, 3, 4\n", first), first
    assert "000" not in first


@pytest.mark.parametrize(
    "reference",
    [
        "#cp-xref(<nowhere>, [BEV-001])",
        "#cp-pageref(<nowhere>)",
        "#cp-link(<nowhere>, [x])",
        "#context cp-pages-of(<a>, <nowhere>)",
    ],
)
def test_a_reference_to_a_label_never_laid_out_fails_the_layout(reference):
    """The first pass's stand-ins never reach a PDF: a label that does not appear fails the book."""
    import typst

    with pytest.raises(typst.TypstError, match="nowhere"):
        _lay_out_with_the_template(f"= A <a>\n{reference}\n")
