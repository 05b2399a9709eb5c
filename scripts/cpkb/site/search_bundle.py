"""The catalogue's own Pagefind bundle (pagefind-catalogue/ at the site root).

The catalogue (/measures/) filters, sorts and takes a keyword. Its bundle
holds one record per measure and language: the facets and sort keys, what a
card shows (cpkb.site.search_records), and as its only words the phrase keys
(cpkb.text.search_keys) of its title, summary, process stage, technique,
sector and id and of the glossary terms met in its text. A keyword is searched
as its phrase keys, so it finds the same measures in every sort order and the
facet counts agree with the list. The site's bundle carries no facets or sort
keys: its page list, which every search downloads first, stays small.

Without a keyword the catalogue searches ALL_TOKEN, a key every record has:
Pagefind answers a search without any word by loading every chunk of its
index, this one loads one chunk.

The records are written as tiny HTML pages for Pagefind's command line (its
Python API answers one record per 0.1 s: 33 minutes at 10,000 measures).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from cpkb import LANGUAGES
from cpkb.site.search_records import SearchRecord, catalogue_records
from cpkb.source.catalogue import Catalogue

CATALOGUE_BUNDLE = "pagefind-catalogue"
"""Folder of the bundle under the site root (catalogue.js loads it from there)."""


ALL_TOKEN = "zz0"
"""A key in every record (catalogue.js searches it when no keyword is given)."""


def record_page(r: SearchRecord, keys: tuple[str, str]) -> str:
    """One record as a page Pagefind indexes: its keys as words (title keys
    weighted as on the measure page), the rest as data."""
    data = [f'<span data-pagefind-filter="{k}">{escape(v)}</span>' for k, values in r.filters.items() for v in values]
    data += [f'<span data-pagefind-meta="{k}">{escape(v)}</span>' for k, v in r.meta.items()]
    data += [f'<span data-pagefind-sort="{k}">{escape(v)}</span>' for k, v in r.sort.items()]
    return (
        f'<!doctype html><html lang="{r.lang}"><head><meta charset="utf-8"><title>{escape(r.meta["title"])}</title>'
        f'</head><body data-pagefind-body><p data-pagefind-weight="9">{keys[0]}</p><p data-pagefind-weight="4">{keys[1]}</p><p>{ALL_TOKEN}</p>'
        + "<div data-pagefind-ignore>"
        + "".join(data)
        + "</div></body></html>\n"
    )


def write_record_pages(root: Path, cat: Catalogue, folder: Path) -> int:
    """Write every record's page under `folder` at its URL path; return how many."""
    from cpkb.site.pages import page_search_keys
    from cpkb.text.labels import value_label

    count = 0
    for lang in LANGUAGES:
        for r in catalogue_records(cat, lang):
            m = cat.by_id[r.meta["id"]]
            # Each field on its own line: a key never runs from one field into the next.
            lead = "\n".join(
                (
                    m.summary[lang],
                    m.process_stage[lang],
                    value_label("technique", m.technique, lang),
                    r.meta["sector"],
                    m.id,
                )
            )
            body = " ".join(t[lang] for t in (m.description, m.environmental_benefits, m.applicability))
            path = folder / r.url.strip("/") / "index.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(record_page(r, page_search_keys(root, lang, m.title[lang], lead, body)), encoding="utf-8")
            count += 1
    return count
