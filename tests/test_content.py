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
MIN_SECTORS, MIN_MEASURES, MIN_PER_SECTOR = 8, 100, 10
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
            assert s.title.strip() and s.publisher.strip() and 1950 <= s.year <= 2026, m.id


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
        if any(part in ("measures", "sectors", "handbook") for part in path.relative_to(ROOT).parts[1:2]) \
                and path.relative_to(ROOT).parts[0] == "docs":
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
