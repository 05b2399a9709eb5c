"""The handbook sources, read and checked: handbook/book.yml, the Markdown
chapters (general and per sector), the glossary and the worksheets. Shared by
the site and the PDF.

Every problem of a run is collected and raised together as a SourceError, so
an author sees all of them at once, each with its file and line.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from cpkb import LANGUAGES
from cpkb.source.catalogue import Catalogue, Text
from cpkb.source.problems import Problem, SourceError, display_path, dotted
# The chapter functions are part of this module's interface (the site reads chapters through it).
from cpkb.source.chapters import (chapter_path, chapter_problems, general_chapters,  # noqa: F401
                                   introduction, read_chapter, read_markdown, sector_handbook_path,
                                   symlink_problems, title_of)
from cpkb.source.yamlfile import Document, YamlError, parse_yaml


BOOK_FILE = "book.yml"
APPENDICES = ("worksheets", "glossary", "index")


def book_filename(sector_key: str | None, lang: str) -> str:
    """Stable download name: cp-handbook-vi.pdf (complete), cp-handbook-beverages-en.pdf."""
    return f"cp-handbook-{lang}.pdf" if sector_key is None else f"cp-handbook-{sector_key}-{lang}.pdf"


def factsheet_filename(measure_id: str, lang: str) -> str:
    """Stable download name of a measure's one-page fact sheet: BEV-004.vi.pdf (in downloads/factsheets/)."""
    return f"{measure_id}.{lang}.pdf"


FACTSHEETS_DIR = "factsheets"
"""The folder of downloads/ that holds the fact sheets."""


@dataclass(frozen=True)
class SectorEntry:
    """A sector in the books; `chapter` False for a sector printed from its measures only."""

    key: str
    chapter: bool = True


@dataclass(frozen=True)
class BookSpec:
    """handbook/book.yml: what goes into every book, in which order."""

    edition: str
    date: dt.date
    title: Text
    subtitle: Text | None
    general: tuple[str, ...]
    sectors: tuple[SectorEntry, ...]
    appendices: tuple[str, ...]


@dataclass(frozen=True)
class Chapter:
    """One Markdown chapter in one language."""

    slug: str
    path: Path
    shown: str
    title: str
    markdown: str


@dataclass(frozen=True)
class GlossaryTerm:
    term: Text
    abbr: Text | None
    definition: Text
    # Other ways an engineer writes the term, per language (abbreviations,
    # British/American spellings): search treats every form as the same term.
    variants: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def forms(self, lang: str) -> tuple[str, ...]:
        """The term, its abbreviation and its variants in one language."""
        found = [self.term[lang]] + ([self.abbr[lang]] if self.abbr else []) + list(self.variants.get(lang, ()))
        return tuple(dict.fromkeys(f for f in found if f))


@dataclass(frozen=True)
class Worksheet:
    key: str
    step: int | None
    title: Text
    purpose: Text | None
    fields: tuple[Text, ...]
    columns: tuple[Text, ...]
    rows: int


@dataclass
class Sources:
    """Everything the books are made of, checked."""

    root: Path
    spec: BookSpec
    catalogue: Catalogue
    general: dict[str, list[Chapter]]           # lang -> chapters in order
    sector_chapters: dict[tuple[str, str], Chapter]  # (sector, lang) -> chapter
    glossary: list[GlossaryTerm]
    worksheets: list[Worksheet]


class _Collector:
    """Gathers problems of one file with their YAML positions."""

    def __init__(self, shown: str, doc: Document | None, problems: list[Problem]):
        self.shown, self.doc, self.problems = shown, doc, problems

    def add(self, path: tuple, message: str, hint: str = "") -> None:
        line, col = self.doc.position(path) if self.doc else (1, 1)
        self.problems.append(Problem(self.shown, line, col, dotted(path), message, hint))


def _read_yaml(path: Path, shown: str, problems: list[Problem]) -> Document | None:
    if not path.exists():
        problems.append(Problem(shown, 1, 1, "", "file is missing",
                                "see handbook/README.md for the layout of the handbook folder"))
        return None
    try:
        text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
        return parse_yaml(text)
    except YamlError as err:
        problems.append(Problem(shown, err.line, err.column, "", err.message, err.hint))
        return None


def _text(value, at: tuple, c: _Collector, required: bool = True) -> Text | None:
    """A {vi, en} mapping of non-empty strings, or a problem."""
    if value is None and not required:
        return None
    if not isinstance(value, dict) or not all(isinstance(value.get(l), str) and value[l].strip() for l in LANGUAGES):
        c.add(at, "needs a text in every language", "write it as {vi: ..., en: ...}")
        return None
    return Text(value["vi"].strip(), value["en"].strip())


def load_sources(root: Path, catalogue: Catalogue) -> Sources:
    """Read and check every source of the books; raise SourceError listing all problems."""
    problems: list[Problem] = []
    handbook = root / "handbook"
    spec = _load_spec(handbook, catalogue, root, problems)
    general: dict[str, list[Chapter]] = {lang: [] for lang in LANGUAGES}
    sector_chapters: dict[tuple[str, str], Chapter] = {}
    if spec:
        for slug in spec.general:
            for lang in LANGUAGES:
                chapter = _load_chapter(handbook / "general" / f"{slug}.{lang}.md", slug, root, problems)
                if chapter:
                    general[lang].append(chapter)
        for entry in spec.sectors:
            if not entry.chapter:
                continue
            for lang in LANGUAGES:
                chapter = _load_chapter(handbook / entry.key / f"index.{lang}.md", entry.key, root, problems)
                if chapter:
                    sector_chapters[(entry.key, lang)] = chapter
    needs = spec.appendices if spec else ()
    glossary = load_glossary(handbook / "glossary.yml", root, problems) if "glossary" in needs else []
    worksheets = load_worksheets(handbook / "worksheets.yml", root, problems) if "worksheets" in needs else []
    if problems or spec is None:
        raise SourceError(problems)
    return Sources(root, spec, catalogue, general, sector_chapters, glossary, worksheets)


def _load_spec(handbook: Path, catalogue: Catalogue, root: Path, problems: list[Problem]) -> BookSpec | None:
    path = handbook / BOOK_FILE
    shown = display_path(path, root)
    doc = _read_yaml(path, shown, problems)
    if doc is None:
        return None
    c = _Collector(shown, doc, problems)
    data = doc.data if isinstance(doc.data, dict) else {}
    if not isinstance(doc.data, dict):
        c.add((), "must be a mapping with edition, date, title, general, sectors, appendices")
        return None
    before = len(problems)
    for unknown in sorted(set(data) - {"edition", "date", "title", "subtitle", "general", "sectors", "appendices"}):
        c.add((unknown,), f"unknown key '{unknown}'",
              "allowed: edition, date, title, subtitle, general, sectors, appendices")
    edition = data.get("edition")
    if not isinstance(edition, (str, int, float)) or not str(edition).strip():
        c.add(("edition",), "edition is missing", 'write e.g. edition: "1"')
    date = _date(data.get("date"), c)
    title = _text(data.get("title"), ("title",), c)
    subtitle = _text(data.get("subtitle"), ("subtitle",), c, required=False)
    general = _general(data.get("general", "all"), handbook, c)
    sectors = _sectors(data.get("sectors", "all"), handbook, catalogue, c)
    appendices = _appendices(data.get("appendices", list(APPENDICES)), c)
    if len(problems) > before:
        return None
    return BookSpec(str(edition).strip(), date, title, subtitle, general, sectors, appendices)


def _date(value, c: _Collector) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        c.add(("date",), f"'{value}' is not a date", "write it as YYYY-MM-DD, e.g. date: 2026-11-28")
        return None


def _general(value, handbook: Path, c: _Collector) -> tuple[str, ...]:
    """`all` means every chapter in handbook/general/, in file-name order."""
    folder = handbook / "general"
    if value == "all":
        return tuple(general_chapters(handbook.parent))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        c.add(("general",), "must be `all` or a list of chapter slugs", "e.g. general: [01-cleaner-production, 03-assessment]")
        return ()
    for i, slug in enumerate(value):
        if not any((folder / f"{slug}.{lang}.md").exists() for lang in LANGUAGES):
            known = ", ".join(general_chapters(handbook.parent)) or "none yet"
            c.add(("general", i), f"chapter '{slug}' does not exist: no handbook/general/{slug}.vi.md or .en.md",
                  f"chapters present: {known}")
    return tuple(value)


def _sectors(value, handbook: Path, catalogue: Catalogue, c: _Collector) -> tuple[SectorEntry, ...]:
    """`all`: every sector with measures or a chapter; a chapter is printed when present."""
    if value == "all":
        return tuple(SectorEntry(s.key, (handbook / s.key / "index.vi.md").exists()
                                 or (handbook / s.key / "index.en.md").exists())
                     for s in catalogue.sectors
                     if catalogue.in_sector(s.key) or any((handbook / s.key).glob("index.*.md")))
    if not isinstance(value, list):
        c.add(("sectors",), "must be `all` or a list of sector keys", "e.g. sectors: [beverages, {key: utilities, chapter: false}]")
        return ()
    entries = []
    for i, item in enumerate(value):
        key, chapter = (item, True) if isinstance(item, str) else (
            (item.get("key"), item.get("chapter", True)) if isinstance(item, dict) else (None, True))
        if key not in catalogue.sector_by_key:
            c.add(("sectors", i), f"'{key}' is not a sector of measures/sectors.yml",
                  "sectors: " + ", ".join(catalogue.sector_by_key))
            continue
        if not isinstance(chapter, bool):
            c.add(("sectors", i, "chapter"), "chapter must be true or false")
            continue
        entries.append(SectorEntry(key, chapter))
    return tuple(entries)


def _appendices(value, c: _Collector) -> tuple[str, ...]:
    if not isinstance(value, list) or any(v not in APPENDICES for v in value):
        c.add(("appendices",), f"must be a list drawn from: {', '.join(APPENDICES)}")
        return ()
    return tuple(value)


def _load_chapter(path: Path, slug: str, root: Path, problems: list[Problem]) -> Chapter | None:
    shown = display_path(path, root)
    if not path.exists():
        other = [p.name for p in path.parent.glob(f"{path.name.split('.')[0]}.*.md")]
        hint = (f"{', '.join(other)} exists: every chapter needs a file in each language ({', '.join(LANGUAGES)})"
                if other else f"write it, or remove it from handbook/{BOOK_FILE}")
        problems.append(Problem(shown, 1, 1, "", "chapter file is missing", hint))
        return None
    text, found = read_chapter(path, root)
    if found:
        problems.extend(found)
        return None
    title = title_of(text)
    if not title:
        problems.append(Problem(shown, 1, 1, "", "chapter has no title", "start the file with '# Title'"))
        return None
    return Chapter(slug, path, shown, title, text)


def _read_list(path: Path, root: Path, problems: list[Problem], what: str, hint: str = "") -> tuple[list, _Collector]:
    """The YAML list in `path` and a collector for its problems; [] when unreadable."""
    shown = display_path(path, root)
    doc = _read_yaml(path, shown, problems)
    c = _Collector(shown, doc, problems)
    if doc is None:
        return [], c
    if not isinstance(doc.data, list):
        c.add((), f"must be a list of {what}", hint)
        return [], c
    return doc.data, c


def load_glossary(path: Path, root: Path, problems: list[Problem]) -> list[GlossaryTerm]:
    """handbook/glossary.yml, checked (problems are appended); the site's glossary page uses it too."""
    items, c = _read_list(path, root, problems, "terms", "- term: {vi: ..., en: ...}\n  definition: {vi: ..., en: ...}")
    terms = []
    for i, item in enumerate(items):
        item = item if isinstance(item, dict) else {}
        term = _text(item.get("term"), (i, "term"), c)
        abbr = _text(item.get("abbr"), (i, "abbr"), c, required=False)
        definition = _text(item.get("definition"), (i, "definition"), c)
        variants = _variants(item.get("variants"), (i, "variants"), c)
        if term and definition:
            terms.append(GlossaryTerm(term, abbr, definition, variants))
    return terms


def _variants(value, at: tuple, c: _Collector) -> dict[str, tuple[str, ...]]:
    """`variants: {vi: [...], en: [...]}`: optional, lists of short strings per language."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        c.add(at, "must be a mapping {vi: [...], en: [...]}")
        return {}
    out = {}
    for lang, forms in value.items():
        if lang not in ("vi", "en"):
            c.add((*at, lang), f"unknown language {lang!r}", "use vi or en")
            continue
        if not isinstance(forms, list) or not all(isinstance(f, str) and 0 < len(f.strip()) <= 80 for f in forms):
            c.add((*at, lang), "must be a list of short texts (1 to 80 characters)")
            continue
        out[lang] = tuple(unicodedata.normalize("NFC", f.strip()) for f in forms)
    return out


def load_worksheets(path: Path, root: Path, problems: list[Problem]) -> list[Worksheet]:
    """handbook/worksheets.yml, checked (problems are appended)."""
    items, c = _read_list(path, root, problems, "worksheets")
    sheets = []
    for i, item in enumerate(items):
        item = item if isinstance(item, dict) else {}
        title = _text(item.get("title"), (i, "title"), c)
        purpose = _text(item.get("purpose"), (i, "purpose"), c, required=False)
        fields = [_text(f, (i, "fields", j), c) for j, f in enumerate(item.get("fields") or [])]
        columns = [_text(f, (i, "columns", j), c) for j, f in enumerate(item.get("columns") or [])]
        rows = item.get("rows", 10)
        if not columns:
            c.add((i, "columns"), "a worksheet needs at least one column")
        if not isinstance(rows, int) or not 1 <= rows <= 40:
            c.add((i, "rows"), f"rows must be a whole number from 1 to 40, not {rows!r}")
        step = item.get("step")
        if title and columns and all(fields) and all(columns) and isinstance(rows, int) and 1 <= rows <= 40:
            sheets.append(Worksheet(str(item.get("key") or i), step if isinstance(step, int) else None,
                                    title, purpose, tuple(fields), tuple(columns), rows))
    return sheets


# --- chapters by path (the site reads them without the book plan) ---

def glossary(root: Path) -> list[GlossaryTerm]:
    """Glossary terms, sorted by the English term.

    One reader for the site and the PDF; raises SourceError on a broken file.
    """
    problems: list = []
    path = root / "handbook" / "glossary.yml"
    terms = load_glossary(path, root, problems) if path.exists() else []
    if problems:
        raise SourceError(problems)
    return sorted(terms, key=lambda t: t.term.en.lower())


def worksheets(root: Path) -> list[Worksheet]:
    """The assessment worksheets; raises SourceError on a broken file."""
    problems: list = []
    path = root / "handbook" / "worksheets.yml"
    sheets = load_worksheets(path, root, problems) if path.exists() else []
    if problems:
        raise SourceError(problems)
    return sheets


def planned_books(root: Path, catalogue: Catalogue | None = None) -> list[str | None]:
    """The books handbook/book.yml asks for: None (complete) then sector keys.

    The site links only these, so a sector page never points at a PDF that
    is not built. Raises SourceError on bad sources.
    """
    from cpkb.source.catalogue import load_catalogue

    root = Path(root)
    catalogue = catalogue or load_catalogue(root / "measures", root=root)
    return [None] + [entry.key for entry in load_sources(root, catalogue).spec.sectors]
