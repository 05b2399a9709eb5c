"""Which book holds what: the plan of a book (sector or complete, language) and
the measures it prints as fact sheets or only references."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from cpkb import LANGUAGES
from cpkb.source.catalogue import Measure, Sector
from cpkb.source.handbook import Sources
from cpkb.source.problems import Problem
from cpkb.text.labels import label
from cpkb.text.markdown import MEASURE_LINK, MeasureLinkError, resolve_measure_links

WORKSHEETS_BOOK = "worksheets"
"""The `sector` of a plan that holds only the worksheets (the photocopy PDF)."""


@dataclass
class BookPlan:
    """Which book (sector, complete or worksheets only) in which language, and its sources."""

    sources: Sources
    sector: str | None
    lang: str

    @property
    def sector_obj(self) -> Sector | None:
        return self.sources.catalogue.sector_by_key.get(self.sector) if self.sector else None

    def title(self) -> str:
        return self.sources.spec.title[self.lang]

    def scope(self) -> str:
        """The sector's name, "all sectors" for the complete book, or "worksheets"."""
        if self.sector == WORKSHEETS_BOOK:
            return label("pdf.worksheets", self.lang)
        sector = self.sector_obj
        return sector.name[self.lang] if sector else label("pdf.complete", self.lang)


def source_date(book_date: dt.date) -> dt.datetime:
    """The date stamped into the PDFs: SOURCE_DATE_EPOCH when set (reproducible builds), else book.yml's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.combine(book_date, dt.time(), tzinfo=dt.timezone.utc)


def site_url() -> str:
    """The published site's address (CPKB_SITE_URL, as for MkDocs), without a trailing slash; may be empty."""
    return os.environ.get("CPKB_SITE_URL", "").strip().rstrip("/")


def measure_url(m: Measure, lang: str) -> str | None:
    base = site_url()
    if not base:
        return None
    return f"{base}/measures/{m.slug}/" if lang == LANGUAGES[0] else f"{base}/{lang}/measures/{m.slug}/"


def plan_books(sources: Sources, books: list[str | None], langs: list[str]) -> list[BookPlan]:
    return [BookPlan(sources, book, lang) for book in books for lang in langs]


def check_measure_links(sources: Sources) -> list[Problem]:
    """Every `measure:ID` link in the chapters and measure descriptions must name a measure."""
    known = sources.catalogue.by_id
    problems: list[Problem] = []
    texts = [(c.markdown, c.shown) for chapters in sources.general.values() for c in chapters]
    texts += [(c.markdown, c.shown) for c in sources.sector_chapters.values()]
    texts += [
        (m.description[lang], f"{m.path} description.{lang}") for m in sources.catalogue.measures for lang in LANGUAGES
    ]
    for text, where in texts:
        try:
            resolve_measure_links(text, lambda mid: "#" if mid in known else None, where)
        except MeasureLinkError as err:
            problems.extend(err.problems)
    return problems


# --- what goes into a book -------------------------------------------------


def book_sectors(plan: BookPlan) -> list[str]:
    """The sectors whose measures a book prints: all for the complete book; for a
    sector book the sector and every cross-cutting one (sectors.yml: cross_cutting, the utilities)."""
    if plan.sector == WORKSHEETS_BOOK:
        return []
    keys = [e.key for e in plan.sources.spec.sectors]
    if plan.sector is None:
        return keys
    by_key = plan.sources.catalogue.sector_by_key
    return [plan.sector] + [k for k in keys if k != plan.sector and k in by_key and by_key[k].cross_cutting]


def book_measures(plan: BookPlan) -> list[Measure]:
    """The measures printed as fact sheets: those of the book's sectors."""
    keys = set(book_sectors(plan))
    return [m for m in plan.sources.catalogue.measures if m.sector in keys]


def referenced_measures(plan: BookPlan, printed: list[Measure]) -> list[Measure]:
    """Measures the book mentions (chapters, fact sheets, related) but does not print:
    listed with id, title and the site's address."""
    if plan.sector == WORKSHEETS_BOOK:
        return []
    cat, lang = plan.sources.catalogue, plan.lang
    texts = [c.markdown for c in _chapters(plan)]
    mentioned: set[str] = set()
    for m in printed:
        texts += [m.description[lang], m.environmental_benefits[lang], m.applicability[lang]]
        if m.figure_note:
            texts.append(m.figure_note[lang])
        mentioned.update(m.related)
    for text in texts:
        mentioned.update(mid.upper() for mid in MEASURE_LINK.findall(text))
    own = {m.id for m in printed}
    return [m for m in cat.measures if m.id in mentioned and m.id not in own]


def _chapters(plan: BookPlan):
    if plan.sector == WORKSHEETS_BOOK:
        return []
    chapters = list(plan.sources.general[plan.lang])
    for key in book_sectors(plan):
        chapter = plan.sources.sector_chapters.get((key, plan.lang))
        if chapter:
            chapters.append(chapter)
    return chapters
