"""The handbook sources, read and checked: handbook/book.yml, the Markdown
chapters (general and per sector), the glossary and the worksheets. Shared by
the site and the PDF.

Every problem of a run is collected and raised together as a SourceError, so
an author sees all of them at once, each with its file and line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from cpkb import LANGUAGES
from cpkb.source.catalogue import Catalogue, Text
from cpkb.source.problems import Problem, SourceError, display_path, dotted
from cpkb.source.support import Support, validate_support

# The chapter functions are part of this module's interface (the site reads chapters through it).
from cpkb.source.chapters import (
    chapter_path,  # noqa: F401
    chapter_problems,  # noqa: F401
    general_chapters,  # noqa: F401
    introduction,  # noqa: F401
    read_chapter,
    read_markdown,  # noqa: F401
    sector_handbook_path,  # noqa: F401
    symlink_problems,  # noqa: F401
    title_of,
)
from cpkb.source.datafile import check_data_file, package_schema
from cpkb.source.yamlfile import Document


BOOK_FILE = "book.yml"
APPENDICES = ("support", "worksheets", "glossary", "index")


def book_filename(sector_key: str | None, lang: str) -> str:
    """Stable download name: cp-handbook-vi.pdf (complete), cp-handbook-beverages-en.pdf."""
    return f"cp-handbook-{lang}.pdf" if sector_key is None else f"cp-handbook-{sector_key}-{lang}.pdf"


def factsheet_filename(measure_id: str, lang: str) -> str:
    """Stable download name of a measure's one-page fact sheet: BEV-004.vi.pdf (in downloads/factsheets/)."""
    return f"{measure_id}.{lang}.pdf"


FACTSHEETS_DIR = "factsheets"
"""The folder of downloads/ that holds the fact sheets."""

PDF_KEYS_FILE = ".cpkb-keys.json"
"""The sidecar beside each folder of PDFs (written by cpkb.pdf.keys): {file name:
{key, sha256, pages}}; the site reads the page counts from it."""


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
    general: dict[str, list[Chapter]]  # lang -> chapters in order
    sector_chapters: dict[tuple[str, str], Chapter]  # (sector, lang) -> chapter
    glossary: list[GlossaryTerm]
    worksheets: list[Worksheet]
    support: Support | None = None
    """The consultants, funding and cases of the annex (when book.yml lists `support`)."""


class _Collector:
    """Gathers problems of one file with their YAML positions."""

    def __init__(self, shown: str, doc: Document | None, problems: list[Problem]):
        self.shown, self.doc, self.problems = shown, doc, problems

    def add(self, path: tuple, message: str, hint: str = "") -> None:
        line, col = self.doc.position(path) if self.doc else (1, 1)
        self.problems.append(Problem(self.shown, line, col, dotted(path), message, hint))


def _read_checked(
    path: Path, root: Path, schema: str, problems: list[Problem], parsed: bool = False
) -> Document | None:
    """The file checked against the package's schema `schema`; None (problems appended) when
    it is missing or breaks the schema, so that what follows may trust its shape. With
    `parsed`, the document as soon as it parses, for checks that report alongside the schema's."""
    shown = display_path(path, root)
    if not path.exists():
        problems.append(
            Problem(shown, 1, 1, "", "file is missing", "see handbook/README.md for the layout of the handbook folder")
        )
        return None
    before = len(problems)
    doc = check_data_file(path, shown, root, package_schema(schema), problems)
    return doc if doc is not None and (parsed or len(problems) == before) else None


def _text(value: dict | None) -> Text | None:
    return Text(value["vi"].strip(), value["en"].strip()) if value else None


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
    support = None
    if "support" in needs:
        support = validate_support(root, [m.id for m in catalogue.measures], [s.key for s in catalogue.sectors])
        problems.extend(support.problems)
    if problems or spec is None:
        raise SourceError(problems)
    return Sources(root, spec, catalogue, general, sector_chapters, glossary, worksheets, support)


def _load_spec(handbook: Path, catalogue: Catalogue, root: Path, problems: list[Problem]) -> BookSpec | None:
    path = handbook / BOOK_FILE
    before = len(problems)
    doc = _read_checked(path, root, "book", problems, parsed=True)
    if doc is None or not isinstance(doc.data, dict):
        return None
    c = _Collector(display_path(path, root), doc, problems)
    data = doc.data
    general = _general(data.get("general", "all"), handbook, c)
    sectors = _sectors(data.get("sectors", "all"), handbook, catalogue, c)
    if len(problems) > before:
        return None
    title = _text(data["title"])
    assert title is not None  # required by the schema
    return BookSpec(
        str(data["edition"]).strip(),
        dt.date.fromisoformat(data["date"]),
        title,
        _text(data.get("subtitle")),
        general,
        sectors,
        tuple(data.get("appendices", APPENDICES)),
    )


def _general(value, handbook: Path, c: _Collector) -> tuple[str, ...]:
    """`all` means every chapter in handbook/general/, in file-name order."""
    folder = handbook / "general"
    if value == "all":
        return tuple(general_chapters(handbook.parent))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return ()  # the schema has said what is wrong
    for i, slug in enumerate(value):
        if not any((folder / f"{slug}.{lang}.md").exists() for lang in LANGUAGES):
            known = ", ".join(general_chapters(handbook.parent)) or "none yet"
            c.add(
                ("general", i),
                f"chapter '{slug}' does not exist: no handbook/general/{slug}.vi.md or .en.md",
                f"chapters present: {known}",
            )
    return tuple(value)


def _sectors(value, handbook: Path, catalogue: Catalogue, c: _Collector) -> tuple[SectorEntry, ...]:
    """`all`: every sector with measures or a chapter; a chapter is printed when present."""
    if value == "all":
        return tuple(
            SectorEntry(
                s.key, (handbook / s.key / "index.vi.md").exists() or (handbook / s.key / "index.en.md").exists()
            )
            for s in catalogue.sectors
            if catalogue.in_sector(s.key) or any((handbook / s.key).glob("index.*.md"))
        )
    if not isinstance(value, list):
        return ()  # the schema has said what is wrong
    entries = []
    for i, item in enumerate(value):
        key, chapter = (
            (item, True)
            if isinstance(item, str)
            else ((item.get("key"), item.get("chapter", True)) if isinstance(item, dict) else (None, True))
        )
        if key not in catalogue.sector_by_key:
            c.add(
                ("sectors", i),
                f"'{key}' is not a sector of measures/sectors.yml",
                "sectors: " + ", ".join(catalogue.sector_by_key),
            )
            continue
        entries.append(SectorEntry(key, chapter))
    return tuple(entries)


def _load_chapter(path: Path, slug: str, root: Path, problems: list[Problem]) -> Chapter | None:
    shown = display_path(path, root)
    if not path.exists():
        other = [p.name for p in path.parent.glob(f"{path.name.split('.')[0]}.*.md")]
        hint = (
            f"{', '.join(other)} exists: every chapter needs a file in each language ({', '.join(LANGUAGES)})"
            if other
            else f"write it, or remove it from handbook/{BOOK_FILE}"
        )
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


def load_glossary(path: Path, root: Path, problems: list[Problem]) -> list[GlossaryTerm]:
    """handbook/glossary.yml, checked against its schema (problems are appended); the site's glossary page uses it too."""
    doc = _read_checked(path, root, "glossary", problems)
    if doc is None:
        return []
    terms = []
    for item in doc.data:
        variants = {lang: tuple(f.strip() for f in forms) for lang, forms in (item.get("variants") or {}).items()}
        term, definition = _text(item["term"]), _text(item["definition"])
        assert term is not None and definition is not None  # required by the schema
        terms.append(GlossaryTerm(term, _text(item.get("abbr")), definition, variants))
    return terms


def load_worksheets(path: Path, root: Path, problems: list[Problem]) -> list[Worksheet]:
    """handbook/worksheets.yml, checked against its schema (problems are appended)."""
    doc = _read_checked(path, root, "worksheets", problems)
    if doc is None:
        return []
    sheets = []
    for item in doc.data:
        title = _text(item["title"])
        assert title is not None  # required by the schema
        sheets.append(
            Worksheet(
                item["key"],
                item.get("step"),
                title,
                _text(item.get("purpose")),
                tuple(Text(f["vi"].strip(), f["en"].strip()) for f in item.get("fields") or ()),
                tuple(Text(f["vi"].strip(), f["en"].strip()) for f in item["columns"]),
                item.get("rows", 10),
            )
        )
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
