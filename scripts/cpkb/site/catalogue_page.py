"""The measure catalogue (/measures/) and the downloads page.

The catalogue's first view is complete at build time: the first cards (by id),
the facet counts and "showing N of M" are in the HTML, so opening the page
downloads no search index at all. assets/javascripts/catalogue.js takes over
when a reader types, ticks a facet, sorts or asks for more (cpkb.build gives it
a small Pagefind bundle of the catalogue's records for that).
"""

from __future__ import annotations

import json

from markupsafe import Markup, escape

from cpkb.site.common import env, pdf_name, to_root, translator
from cpkb.site.worksheets import workbook_filename
from cpkb.source import handbook
from cpkb.site.search_records import SearchRecord, catalogue_records, facet_counts
from cpkb.source.catalogue import COST_BANDS, PAYBACK_BANDS, SAVINGS_BANDS, Catalogue
from cpkb.text.charts import investment_payback_chart, savings_chart, technique_chart
from cpkb.text.labels import label, value_label

DATA_BASENAME = "cp-measures"
FIRST_CARDS = 30
"""Cards in the first view, and in each "show more" (catalogue.js PAGE)."""
CHARTS_FILE = "assets/generated/catalogue-charts-{lang}.html"
"""The catalogue's charts, under docs/ and the site root; catalogue.js inserts them."""


def catalogue_charts(cat: Catalogue, measures: list, lang: str, key: str, measures_prefix: str) -> str:
    href = lambda mid: f"{measures_prefix}{mid.lower()}/"
    return (
        investment_payback_chart(measures, cat.vocabulary, lang, f"chart-{key}-ip", href)
        + technique_chart(measures, cat.vocabulary, lang, f"chart-{key}-tech")
        + savings_chart(measures, cat.vocabulary, lang, f"chart-{key}-sav")
    )


def catalogue_and_downloads(
    cat: Catalogue, lang: str, with_pdf: set[str], with_worksheets: bool, book_facts=lambda key, book_lang: ""
) -> dict[str, str]:
    """The catalogue page, its charts and the downloads page; book_facts(key, lang) is what
    a link to a book says of it (pages, size; key None for the complete book)."""
    jinja, t = env(), translator(lang)
    up = to_root(1, lang)
    records = catalogue_records(cat, lang)
    counts = facet_counts(records)
    facets = [
        dict(f, values=[(value, text, counts.get(f["key"], {}).get(value, 0)) for value, text in f["values"]])
        for f in facets_of(cat, lang)
    ]
    return {
        f"measures/index.{lang}.md": jinja.get_template("catalogue.md.j2").render(
            lang=lang,
            t=t,
            facets=facets,
            labels_json=Markup(_catalogue_labels(cat, lang)),
            total=len(records),
            first=[card_html(r) for r in records[:FIRST_CARDS]],
            shown=label("catalogue.shown", lang, shown=min(FIRST_CARDS, len(records)), total=len(records)),
            charts_src=CHARTS_FILE.format(lang=lang),
            data_name=f"{up}downloads/{DATA_BASENAME}-{lang}",
            plan_store=f"{up}assets/javascripts/plan-store.js",
        ),
        # Relative links in it are followed from the catalogue page, /measures/.
        CHARTS_FILE.format(lang=lang): catalogue_charts(cat, cat.measures, lang, "all", "") + "\n",
        f"downloads.{lang}.md": jinja.get_template("downloads.md.j2").render(
            lang=lang,
            t=t,
            sectors=[s for s in cat.sectors if s.key in with_pdf],
            root=up,
            pdf=lambda key, book_lang: f"{up}downloads/{pdf_name(key or None, book_lang)}",
            facts=lambda key, book_lang: book_facts(key or None, book_lang),
            worksheets=with_worksheets,
            workbook=workbook_filename,
            example=handbook.factsheet_filename(cat.measures[0].id if cat.measures else "BEV-001", lang),
        ),
    }


def card_html(r: SearchRecord) -> Markup:
    """One card as catalogue.js draws it from a Pagefind hit (keep the two in step)."""
    href = escape(r.url.rsplit("/measures/", 1)[1])  # the catalogue is /measures/: a measure is <slug>/
    meta = r.meta
    figures = " · ".join(x for x in (meta["sector"], meta["figures"]) if x)
    savings = f'<p class="cp-result__savings">{escape(meta["savings"])}</p>' if meta["savings"] else ""
    # data-plan: the ranges "add to plan" puts in the plan (catalogue.js adds the button).
    return Markup(
        f'<li data-plan="{escape(meta["plan"])}"><code>{escape(meta["id"])}</code> <a class="cp-result__title" href="{href}">'
        f'{escape(meta["title"])}</a><p class="cp-result__figures">{escape(figures)}</p>{savings}</li>'
    )


def facets_of(cat: Catalogue, lang: str) -> list[dict]:
    vocab = cat.vocabulary
    t = lambda key: label(key, lang)
    return [
        {"key": "sector", "label": t("figures.sector"), "values": [(s.key, s.name[lang]) for s in cat.sectors]},
        {
            "key": "technique",
            "label": t("figures.technique"),
            "values": [(k, value_label("technique", k, lang)) for k in vocab.techniques],
        },
        {
            "key": "complexity",
            "label": t("figures.complexity"),
            "values": [(str(i), value_label("complexity", i, lang)) for i in vocab.complexities],
        },
        {"key": "cost", "label": t("catalogue.cost_band"), "values": [(k, t(f"cost_band.{k}")) for k, _ in COST_BANDS]},
        {
            "key": "payback",
            "label": t("catalogue.payback_band"),
            "values": [(k, t(f"payback_band.{k}")) for k, _ in PAYBACK_BANDS],
        },
        # What is saved, not how much: percentages of different scopes never meet.
        {
            "key": "resource",
            "label": t("catalogue.resource"),
            "values": [(k.removesuffix("_pct"), t(f"figures.{k}")) for k in vocab.percent_kinds],
        },
        {
            "key": "savings",
            "label": t("catalogue.savings_band"),
            "values": [(k, t(f"savings_band.{k}")) for k, _ in SAVINGS_BANDS],
        },
    ]


def _catalogue_labels(cat: Catalogue, lang: str) -> str:
    """Strings the catalogue script needs, in the page's language (JSON, safe inside <script>)."""
    vocab = cat.vocabulary
    data = {
        "shown": label("catalogue.shown", lang),
        "none": label("catalogue.none", lang),
        "show_filters": label("catalogue.show_filters", lang),
        "hide_filters": label("catalogue.hide_filters", lang),
        "active_filters": label("catalogue.active_filters", lang),
        "shown_filtered": label("catalogue.shown_filtered", lang),
        "unavailable": label("search.unavailable", lang),
        "loading": label("catalogue.loading", lang),
        "add": label("planner.add", lang),
        "added": label("planner.added", lang),
        "added_note": label("planner.added_note", lang),
        "complexity": {str(i): value_label("complexity", i, lang) for i in vocab.complexities},
        "technique": {k: value_label("technique", k, lang) for k in vocab.techniques},
    }
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
