"""What search and the catalogue know about a measure: its Pagefind filters,
sort keys and metadata, from one place.

The measure page carries them as data-pagefind-* elements (measure.md.j2), the
catalogue page renders its first cards and facet counts from them at build
time, and the catalogue's own small Pagefind bundle is made of them
(cpkb.build): the three can never disagree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from cpkb import LANGUAGES
from cpkb.source.catalogue import Catalogue, Measure, cost_band, payback_band, savings_band
from cpkb.text.labels import label, value_label
from cpkb.text.numbers import format_vnd_range, format_years
from cpkb.view import saved_resources, saving_views, savings_line


@dataclass(frozen=True)
class SearchRecord:
    url: str
    """From the site root, as Pagefind reports it: /measures/bev-004/, /en/measures/bev-004/."""
    lang: str
    filters: dict[str, list[str]]
    sort: dict[str, str]
    meta: dict[str, str]
    """title, id, sector, figures, savings: what a search hit and a catalogue card show."""


def measure_record(cat: Catalogue, m: Measure, lang: str) -> SearchRecord:
    """The record of `m` in `lang`: figures formatted as its page shows them
    (no Markdown is rendered, so the whole catalogue's records are cheap)."""
    t = lambda key: label(key, lang)
    savings = saving_views(cat, m, lang)
    money = cat.vocabulary.money_kinds[0] if cat.vocabulary.money_kinds else None
    filters = {
        "kind": ["measure"],
        "sector": [m.sector, *m.also_in],
        "technique": [m.technique],
        "complexity": [str(m.complexity)],
        "cost": [cost_band(m)],
        "payback": [payback_band(m)],
    }
    if saved_resources(savings):
        filters["resource"] = list(saved_resources(savings))
    band = savings_band(m, money) if money else None
    if band:
        filters["savings"] = [band]
    # Sort keys are compared as text: numbers are zero-padded to one width.
    sort = {
        "investment": f"{m.investment_vnd.mid:015.0f}",
        "payback": f"{m.payback_years.mid:08.3f}",
        "complexity": str(m.complexity),
        "id": m.id,
    }
    if money and money in m.savings:
        sort["money_saved"] = f"{m.savings[money].mid:015.0f}"
    figures = (
        f"{t('figures.investment')}: {format_vnd_range(m.investment_vnd, lang)} · "
        f"{t('figures.payback')}: {format_years(m.payback_years, lang)} · "
        f"{value_label('complexity', m.complexity, lang)}"
    )
    # plan: investment (and money saved) low and high, what a card's "add to plan" stores.
    money_range = m.savings.get(money) if money else None
    plan = f"{m.investment_vnd.min:.0f} {m.investment_vnd.max:.0f}" + (
        f" {money_range.min:.0f} {money_range.max:.0f}" if money_range else ""
    )
    meta = {
        "title": m.title[lang],
        "id": m.id,
        "sector": cat.sector_by_key[m.sector].name[lang],
        "savings": savings_line(savings),
        "figures": figures,
        "plan": plan,
    }
    prefix = "/" if lang == LANGUAGES[0] else f"/{lang}/"
    return SearchRecord(f"{prefix}measures/{m.slug}/", lang, filters, sort, meta)


def catalogue_records(cat: Catalogue, lang: str) -> list[SearchRecord]:
    """Every measure's record in one language, in the catalogue's first order (by id)."""
    return sorted((measure_record(cat, m, lang) for m in cat.measures), key=lambda r: r.sort["id"])


def facet_counts(records: list[SearchRecord]) -> dict[str, Counter]:
    """{facet: {value: number of records}}, as Pagefind counts them with nothing selected."""
    counts: dict[str, Counter] = {}
    for r in records:
        for facet, values in r.filters.items():
            counts.setdefault(facet, Counter()).update(values)
    return counts
