"""Views of the support data (consultants, funding, cases, events, awards) in one
language, for the site, the downloads and the PDF annex alike.

Like cpkb.view: every field formatted, Markdown rendered through
text.markdown.render_fragment (which sanitises), plain text left for the
output's own escaping. Links to measures go through `href_for`, so the site
points at pages and the PDF at anchors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup

from cpkb.source.catalogue import Catalogue, Measure
from cpkb.source.support import KINDS, Entry, Support
from cpkb.text.labels import label, value_label
from cpkb.text.markdown import render_fragment
from cpkb.text.numbers import format_day, format_vnd_exact
from cpkb.view import HrefFor, RelatedView


@dataclass(frozen=True)
class SupportSourceView:
    title: str
    publisher: str
    date: str | None
    url: str
    pages: str | None
    checked: str
    checked_iso: str


@dataclass(frozen=True)
class Labelled:
    """An enumeration value with its label in the page language."""

    key: str
    label: str


@dataclass(frozen=True)
class ConsultantView:
    id: str
    name: str
    kind: Labelled
    region: Labelled
    provinces: tuple[str, ...]
    sectors: tuple[Labelled, ...]
    """Empty: the source shows no restriction to particular sectors."""
    services: tuple[Labelled, ...]
    website: str | None
    description: Markup
    sources: tuple[SupportSourceView, ...]
    reviewed: str


@dataclass(frozen=True)
class LegalBasisView:
    title: str
    url: str
    checked: str


@dataclass(frozen=True)
class FundingView:
    id: str
    name: str
    provider: str
    kind: Labelled
    finances: Markup
    eligible: Markup
    terms: Markup | None
    how_to_apply: Markup
    legal_basis: tuple[LegalBasisView, ...]
    techniques: tuple[Labelled, ...]
    savings_kinds: tuple[Labelled, ...]
    min_investment: str | None
    sources: tuple[SupportSourceView, ...]
    reviewed: str


@dataclass(frozen=True)
class CaseView:
    id: str
    title: str
    sectors: tuple[Labelled, ...]
    facility: str
    company: str | None
    province: str | None
    year: int | None
    programme: str | None
    measures: tuple[RelatedView, ...]
    summary: Markup
    investment: str | None
    savings: str | None
    results: tuple[str, ...]
    figure_basis: str
    sources: tuple[SupportSourceView, ...]
    reviewed: str


@dataclass(frozen=True)
class EventView:
    id: str
    title: str
    start: dt.date
    end: dt.date
    when: str
    place: str
    online: bool
    organiser: str
    languages: tuple[Labelled, ...]
    audience: str
    registration: str | None
    description: Markup
    upcoming: bool
    sources: tuple[SupportSourceView, ...]
    reviewed: str


@dataclass(frozen=True)
class RecipientView:
    year: int
    name: str
    url: str


@dataclass(frozen=True)
class AwardView:
    id: str
    name: str
    authority: str
    scope: Labelled
    purpose: Markup
    criteria: Markup
    how_to_apply: Markup
    recipients: tuple[RecipientView, ...]
    sources: tuple[SupportSourceView, ...]
    reviewed: str


def _md(entry: Entry, key: str, lang: str, href_for: HrefFor) -> Markup:
    return Markup(render_fragment(entry.data[key][lang], href_for, f"{entry.shown} {key}.{lang}"))


def _day(text: str, lang: str) -> str:
    return format_day(dt.date.fromisoformat(text), lang)


def _sources(entry: Entry, lang: str) -> tuple[SupportSourceView, ...]:
    return tuple(
        SupportSourceView(
            s["title"], s["publisher"], s.get("date"), s["url"], s.get("pages"), _day(s["checked"], lang), s["checked"]
        )
        for s in entry.data["sources"]
    )


def _sector(cat: Catalogue, key: str, lang: str) -> Labelled:
    return Labelled(key, cat.sector_by_key[key].name[lang])


def consultant_view(cat: Catalogue, e: Entry, lang: str, href_for: HrefFor) -> ConsultantView:
    d = e.data
    return ConsultantView(
        e.id,
        d["name"][lang],
        Labelled(d["kind"], value_label("consultant_kind", d["kind"], lang)),
        Labelled(d["region"], value_label("support_region", d["region"], lang)),
        tuple(d.get("provinces") or ()),
        tuple(_sector(cat, k, lang) for k in d.get("sectors") or ()),
        tuple(Labelled(s, value_label("support_service", s, lang)) for s in d["services"]),
        d.get("website"),
        _md(e, "description", lang, href_for),
        _sources(e, lang),
        _day(d["reviewed"], lang),
    )


def funding_view(cat: Catalogue, e: Entry, lang: str, href_for: HrefFor) -> FundingView:
    d = e.data
    return FundingView(
        e.id,
        d["name"][lang],
        d["provider"][lang],
        Labelled(d["kind"], value_label("funding_kind", d["kind"], lang)),
        _md(e, "finances", lang, href_for),
        _md(e, "eligible", lang, href_for),
        _md(e, "terms", lang, href_for) if d.get("terms") else None,
        _md(e, "how_to_apply", lang, href_for),
        tuple(LegalBasisView(b["title"], b["url"], _day(b["checked"], lang)) for b in d["legal_basis"]),
        tuple(Labelled(t, value_label("technique", t, lang)) for t in d.get("techniques") or ()),
        tuple(Labelled(k, label(f"figures.{k}", lang)) for k in d.get("savings_kinds") or ()),
        format_vnd_exact(d["min_investment_vnd"], lang) if d.get("min_investment_vnd") is not None else None,
        _sources(e, lang),
        _day(d["reviewed"], lang),
    )


def case_view(cat: Catalogue, e: Entry, lang: str, href_for: HrefFor) -> CaseView:
    d = e.data
    return CaseView(
        e.id,
        d["title"][lang],
        tuple(_sector(cat, k, lang) for k in d.get("sectors") or ()),
        d["facility"][lang],
        d.get("company"),
        d.get("province"),
        d.get("year"),
        d["programme"][lang] if d.get("programme") else None,
        # The validator refuses unknown measure ids, so each is in the catalogue.
        tuple(RelatedView(m, cat.by_id[m].title[lang], href_for(m)) for m in d.get("measures") or ()),
        _md(e, "summary", lang, href_for),
        format_vnd_exact(d["investment_vnd"], lang) if d.get("investment_vnd") is not None else None,
        format_vnd_exact(d["savings_vnd_per_year"], lang) + label("unit.per_year", lang)
        if d.get("savings_vnd_per_year") is not None
        else None,
        tuple(r[lang] for r in d["results"]),
        label("support.reported", lang),
        _sources(e, lang),
        _day(d["reviewed"], lang),
    )


def event_view(e: Entry, lang: str, href_for: HrefFor, today: dt.date) -> EventView:
    d = e.data
    start = dt.date.fromisoformat(d["start"])
    end = dt.date.fromisoformat(d["end"]) if d.get("end") else start
    when = format_day(start, lang) if end == start else f"{format_day(start, lang)} – {format_day(end, lang)}"
    return EventView(
        e.id,
        d["title"][lang],
        start,
        end,
        when,
        d["place"][lang],
        bool(d.get("online")),
        d["organiser"][lang],
        tuple(Labelled(x, label(f"support.language.{x}", lang)) for x in d.get("language") or ()),
        d["audience"][lang],
        d.get("registration"),
        _md(e, "description", lang, href_for),
        end >= today,
        _sources(e, lang),
        _day(d["reviewed"], lang),
    )


def award_view(e: Entry, lang: str, href_for: HrefFor) -> AwardView:
    d = e.data
    return AwardView(
        e.id,
        d["name"][lang],
        d["authority"][lang],
        Labelled(d["scope"], value_label("award_scope", d["scope"], lang)),
        _md(e, "purpose", lang, href_for),
        _md(e, "criteria", lang, href_for),
        _md(e, "how_to_apply", lang, href_for),
        tuple(RecipientView(r["year"], r["name"], r["url"]) for r in d.get("recipients") or ()),
        _sources(e, lang),
        _day(d["reviewed"], lang),
    )


@dataclass(frozen=True)
class SupportViews:
    """Everything of the support data in one language."""

    lang: str
    consultants: tuple[ConsultantView, ...]
    funding: tuple[FundingView, ...]
    cases: tuple[CaseView, ...]
    events: tuple[EventView, ...]
    awards: tuple[AwardView, ...]

    @property
    def upcoming(self) -> tuple[EventView, ...]:
        return tuple(sorted((e for e in self.events if e.upcoming), key=lambda e: e.start))

    @property
    def past(self) -> tuple[EventView, ...]:
        return tuple(sorted((e for e in self.events if not e.upcoming), key=lambda e: e.start, reverse=True))


def support_views(
    cat: Catalogue, support: Support, lang: str, href_for: HrefFor, today: dt.date | None = None
) -> SupportViews:
    today = today or dt.date.today()
    return SupportViews(
        lang,
        tuple(consultant_view(cat, e, lang, href_for) for e in support.of("consultants")),
        tuple(funding_view(cat, e, lang, href_for) for e in support.of("funding")),
        tuple(case_view(cat, e, lang, href_for) for e in support.of("cases")),
        tuple(event_view(e, lang, href_for, today) for e in support.of("events")),
        tuple(award_view(e, lang, href_for) for e in support.of("awards")),
    )


def funding_applies(entry: Entry, m: Measure) -> bool:
    """Whether a funding line can apply to a measure: its technique is one the
    line lists (or the line lists none), the measure saves one of the kinds the
    line requires (if any), and its investment can reach the line's minimum."""
    d = entry.data
    techniques = d.get("techniques") or ()
    if techniques and m.technique not in techniques:
        return False
    kinds = d.get("savings_kinds") or ()
    if kinds and not any(k in m.savings for k in kinds):
        return False
    minimum = d.get("min_investment_vnd")
    return minimum is None or m.investment_vnd.max >= minimum


def funding_for_measure(support: Support, m: Measure) -> tuple[Entry, ...]:
    return tuple(e for e in support.of("funding") if funding_applies(e, m))


def cases_for_measure(support: Support, measure_id: str) -> tuple[Entry, ...]:
    return tuple(e for e in support.of("cases") if measure_id in (e.data.get("measures") or ()))


def cases_in_sector(support: Support, sector: str) -> tuple[Entry, ...]:
    return tuple(e for e in support.of("cases") if sector in (e.data.get("sectors") or ()))


def consultants_for_sector(support: Support, sector: str) -> tuple[Entry, ...]:
    """Consultants whose source names the sector, then those that serve every sector."""
    named = [e for e in support.of("consultants") if sector in (e.data.get("sectors") or ())]
    general = [e for e in support.of("consultants") if not e.data.get("sectors")]
    return tuple(named + general)


def export_rows(support: Support, kind: str, lang: str) -> list[dict]:
    """One flat row per entry of `kind` in `lang` for the CSV/JSON downloads:
    texts in the language, lists joined with "; ", sources as "publisher. title. url (checked)"."""
    rows = []
    for e in support.of(kind):
        row: dict = {}
        for key, value in e.data.items():
            if key == "sources":
                row["sources"] = "; ".join(
                    f"{s['publisher']}. {s['title']}. {s['url']} ({s['checked']})" for s in value
                )
            elif key == "legal_basis":
                row["legal_basis"] = "; ".join(f"{b['title']}. {b['url']} ({b['checked']})" for b in value)
            elif key == "recipients":
                row["recipients"] = "; ".join(f"{r['year']} {r['name']} {r['url']}" for r in value)
            elif key == "results":
                row["results"] = "; ".join(r[lang] for r in value)
            elif isinstance(value, dict) and lang in value:
                row[key] = value[lang]
            elif isinstance(value, list):
                row[key] = "; ".join(str(v) for v in value)
            else:
                row[key] = value
        row["checked"] = max(s["checked"] for s in e.data["sources"])
        rows.append(row)
    return rows


__all__ = [
    "KINDS",
    "SupportViews",
    "cases_for_measure",
    "cases_in_sector",
    "consultants_for_sector",
    "export_rows",
    "funding_for_measure",
    "support_views",
]
