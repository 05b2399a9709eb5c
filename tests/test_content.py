"""The real content: counts, spread, completeness, both languages, no placeholders (issue 5)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from cpkb import LANGUAGES
from cpkb.source import handbook
from cpkb.source.catalogue import load_catalogue
from cpkb.source.validate import validate_catalogue

ROOT = Path(__file__).resolve().parents[1]
MIN_SECTORS, MIN_MEASURES, MIN_PER_SECTOR = 16, 300, 10  # issue 15
PLACEHOLDER = re.compile(r"\b(TODO|TBD|FIXME|XXX|lorem ipsum)\b|\?\?\?", re.I)
SECTION_COUNT = 7  # the sector handbook sections of handbook/README.md


@pytest.fixture(scope="module")
def cat():
    return load_catalogue(ROOT / "measures", root=ROOT)


def test_the_catalogue_validates_clean():
    report = validate_catalogue(ROOT / "measures", root=ROOT)
    assert report.problems == [], "\n".join(p.format() for p in report.problems)


def test_counts(cat):
    assert len(cat.sectors) >= MIN_SECTORS + 1  # plus the cross-cutting utilities
    assert len(cat.measures) >= MIN_MEASURES
    for sector in cat.sectors:
        assert len(cat.in_sector(sector.key)) >= MIN_PER_SECTOR, sector.key


def test_every_measure_names_its_reviewer_and_review_day(cat):
    """Issue 15: a reviewer and a review date per measure, the date never in the future."""
    import datetime as dt

    for m in cat.measures:
        assert m.reviewer.strip(), f"{m.path}: no reviewer"
        assert dt.date(2026, 11, 1) <= m.reviewed <= dt.date.today(), f"{m.path}: reviewed {m.reviewed}"


def test_spread_over_techniques_and_complexity(cat):
    techniques = Counter(m.technique for m in cat.measures)
    every = set(cat.vocabulary.techniques)
    assert set(techniques) == every, f"techniques without a measure: {every - set(techniques)}"
    for sector in cat.sectors:
        levels = Counter(m.complexity for m in cat.in_sector(sector.key))
        assert set(levels) == {1, 2, 3}, f"{sector.key}: {dict(levels)}"


def test_every_source_entry_is_complete(cat):
    for m in cat.measures:
        for s in m.sources:
            assert s.title.strip() and s.publisher.strip(), m.id
            # a dated publication, or an undated web page with url and the day it was read
            assert (s.year is not None and 1950 <= s.year <= 2026) or (s.url and s.accessed), m.id


def test_every_sector_has_its_handbook_in_both_languages(cat):
    for sector in cat.sectors:
        for lang in LANGUAGES:
            path = handbook.sector_handbook_path(ROOT, sector.key, lang)
            assert path.exists(), path
            text = path.read_text(encoding="utf-8")
            assert len(re.findall(r"^## ", text, re.M)) >= SECTION_COUNT, f"{path}: sections"
            assert "```flow" in text, f"{path}: flow diagram"
            assert re.search(r"^- \[ \] ", text, re.M), f"{path}: self-check list"


def test_every_measure_is_linked_from_its_sector_handbook(cat):
    for sector in cat.sectors:
        for lang in LANGUAGES:
            text = handbook.sector_handbook_path(ROOT, sector.key, lang).read_text(encoding="utf-8")
            linked = set(re.findall(r"\]\(measure:([A-Z]+-\d{3,4})\)", text))
            missing = {m.id for m in cat.in_sector(sector.key)} - linked
            assert not missing, f"{sector.key} ({lang}) does not link {sorted(missing)}"


def test_general_chapters_exist_in_both_languages():
    chapters = handbook.general_chapters(ROOT)
    assert len(chapters) >= 6
    for slug in chapters:
        for lang in LANGUAGES:
            assert handbook.chapter_path(ROOT, slug, lang).exists(), (slug, lang)


def test_glossary_and_worksheets_are_bilingual():
    entries = handbook.glossary(ROOT)
    assert len(entries) >= 40
    for e in entries:
        for lang in LANGUAGES:
            assert e.term[lang].strip() and e.definition[lang].strip(), e.term
    sheets = handbook.worksheets(ROOT)
    assert len(sheets) >= 8
    for w in sheets:
        for lang in LANGUAGES:
            assert w.title[lang].strip()
            assert all(c[lang].strip() for c in w.columns)


def _content_files():
    yield from (ROOT / "measures").glob("*/*.yml")
    yield from (ROOT / "handbook").rglob("*.md")
    yield from (ROOT / "handbook").glob("*.yml")
    yield from (ROOT / "docs").glob("**/*.md")


def test_all_text_is_nfc_and_has_no_placeholder():
    for path in _content_files():
        if (
            any(part in ("measures", "sectors", "handbook") for part in path.relative_to(ROOT).parts[1:2])
            and path.relative_to(ROOT).parts[0] == "docs"
        ):
            continue  # generated
        text = path.read_text(encoding="utf-8")
        assert text == unicodedata.normalize("NFC", text), f"{path} is not NFC"
        match = PLACEHOLDER.search(text)
        assert not match, f"{path}: placeholder text '{match.group(0)}'"


def test_vietnamese_text_really_is_vietnamese_and_english_is_not(cat):
    vietnamese_letters = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
    for m in cat.measures:
        assert vietnamese_letters.search(m.description.vi), f"{m.id}: description.vi has no Vietnamese letters"
        assert not vietnamese_letters.search(m.title.en), f"{m.id}: title.en contains Vietnamese"
        assert m.description.vi != m.description.en, m.id


def _texts_in(node, lang):
    """Every string held under a `lang:` key of a parsed measure (titles, descriptions, notes...)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == lang and isinstance(value, str):
                yield value
            elif key == lang and isinstance(value, list):
                yield from (v for v in value if isinstance(v, str))
            else:
                yield from _texts_in(value, lang)
    elif isinstance(node, list):
        for item in node:
            yield from _texts_in(item, lang)


def test_no_avoided_term_form_is_used():
    """The glossary's `avoid:` forms (non-preferred spellings and mistranslations) appear nowhere.

    Vietnamese forms are looked for in the `vi:` texts of measures/**/*.yml, handbook/support/*/*.yml
    and handbook/**/*.vi.md,
    English forms in the `en:` texts and handbook/**/*.en.md; the glossary itself is exempt. A form is
    matched as a whole word, across line breaks, ignoring case when it is written in lower case (so
    "nồi hơi" also catches "Nồi hơi") and exactly when it has capitals ("Trung tâm Sản xuất sạch Việt Nam").
    """
    import yaml

    avoid = {lang: set() for lang in LANGUAGES}
    for entry in yaml.safe_load((ROOT / "handbook" / "glossary.yml").read_text(encoding="utf-8")):
        for lang, forms in ((entry or {}).get("avoid") or {}).items():
            avoid.setdefault(lang, set()).update(forms if isinstance(forms, list) else [forms])
    assert any(avoid.values()), "handbook/glossary.yml has no avoid: forms"
    patterns = {
        lang: [
            (
                form,
                re.compile(
                    r"(?<!\w)" + r"\s+".join(map(re.escape, form.split())) + r"(?!\w)",
                    0 if form != form.lower() else re.I,
                ),
            )
            for form in sorted(forms)
        ]
        for lang, forms in avoid.items()
    }

    def line_of(text, pos):
        return text.count("\n", 0, pos) + 1

    found = []
    for lang, pats in patterns.items():
        for path in sorted([*(ROOT / "measures").rglob("*.yml"), *(ROOT / "handbook" / "support").glob("*/*.yml")]):
            raw = path.read_text(encoding="utf-8")
            own = " ".join(" ".join(t.split()) for t in _texts_in(yaml.safe_load(raw), lang))
            for form, pat in pats:
                if pat.search(own):
                    hits = [line_of(raw, m.start()) for m in pat.finditer(raw)] or ["?"]
                    found += [f"{path.relative_to(ROOT)}:{n}: '{form}' ({lang})" for n in hits]
        for path in sorted((ROOT / "handbook").rglob(f"*.{lang}.md")):
            raw = path.read_text(encoding="utf-8")
            for form, pat in pats:
                found += [
                    f"{path.relative_to(ROOT)}:{line_of(raw, m.start())}: '{form}' ({lang})" for m in pat.finditer(raw)
                ]
    assert not found, "non-preferred forms (see avoid: in handbook/glossary.yml):\n" + "\n".join(found)


LEGAL_CODE = re.compile(
    r"QCVN \d+(?:-MT)?:\d{4}/BTNMT|\b\d{1,4}/\d{4}/(?:TT-BCT|TT-BTNMT|TT-BXD|TT-BTC|NĐ-CP|ND-CP|"
    r"QĐ-TTg|QD-TTg|QĐ-BCT|QH1[0-5])"
)


def test_every_cited_legal_text_is_in_the_register_with_its_status():
    """Issue 15: every Vietnamese legal text cited anywhere is in handbook/legal-references.yml,
    with a source and the day it was checked; a replaced or expired one is cited only beside
    what replaced it (or with the statement that its period ended)."""
    import yaml

    register = {
        e["code"]: e for e in yaml.safe_load((ROOT / "handbook" / "legal-references.yml").read_text(encoding="utf-8"))
    }
    for code, entry in register.items():
        assert entry.get("source_url", "").startswith("http") and entry.get("checked"), code
        assert entry["status"] in ("current", "replaced", "expired"), code
    files = [*ROOT.glob("measures/*/*.yml"), *ROOT.glob("handbook/**/*.md"), *ROOT.glob("handbook/support/*/*.yml")]
    unregistered, stale = [], []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for match in LEGAL_CODE.finditer(text):
            code = match.group(0).replace("ND-CP", "NĐ-CP").replace("QD-TTg", "QĐ-TTg")
            where = f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}: {code}"
            entry = register.get(code)
            if entry is None:
                unregistered.append(where)
            elif entry["status"] == "replaced" and entry.get("replaced_by") and entry["replaced_by"] not in text:
                stale.append(f"{where} (replaced by {entry['replaced_by']}, which the file never names)")
    assert not unregistered, "legal texts missing from handbook/legal-references.yml:\n" + "\n".join(
        sorted(set(unregistered))
    )
    assert not stale, "replaced legal texts cited without their successor:\n" + "\n".join(sorted(set(stale)))


CASE_HEADING = {
    "en": re.compile(r"^\*\*Documented cases? in Vietnam\.\*\*", re.M),
    "vi": re.compile(r"^\*\*(Các )?[Tt]rường hợp (đã )?được ghi nhận (ở|tại) Việt Nam\.\*\*", re.M),
}


def test_every_sector_handbook_has_flows_benchmarks_and_a_vietnamese_case(cat):
    """Issue 15: per sector, a table of inputs, outputs and losses per operation, a table of
    benchmarks, and a documented Vietnamese case (or the plain statement that none was found)."""
    for sector in cat.sectors:
        for lang in LANGUAGES:
            path = handbook.sector_handbook_path(ROOT, sector.key, lang)
            text = path.read_text(encoding="utf-8")
            assert len(re.findall(r"^\|\s*-{3}", text, re.M)) >= 2, f"{path}: per-operation and benchmark tables"
            assert CASE_HEADING[lang].search(text), f"{path}: no '{CASE_HEADING[lang].pattern}' paragraph"
