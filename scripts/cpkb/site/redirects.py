"""Forwarding pages for retired measure ids (measures/moved.yml).

A merged measure keeps its public address in both languages: /measures/<old>/
becomes a small page that forwards to the measure that replaced it, says so in
words for readers whose browser does not follow the refresh, and asks search
engines to index the new page instead. Written after MkDocs, so neither the
navigation nor the search index lists them.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from cpkb import LANGUAGES
from cpkb.source.catalogue import Catalogue
from cpkb.text.labels import label


def redirect_page(cat: Catalogue, old: str, lang: str) -> str:
    """The forwarding page of `old` in `lang` (it lives at measures/<old>/)."""
    new = cat.by_id[cat.moved[old]]
    href = f"../{new.slug}/"
    title = label("moved.title", lang, old=old, new=new.id)
    text = label("moved.text", lang, old=old)
    link = f'<a href="{href}">{escape(new.id)}: {escape(new.title[lang])}</a>'
    return (
        f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<title>{escape(title)}</title>\n<link rel="canonical" href="{href}">\n'
        f'<meta name="robots" content="noindex">\n<meta http-equiv="refresh" content="0; url={href}">\n'
        f"</head>\n<body>\n<main>\n<h1>{escape(title)}</h1>\n<p>{escape(text)} {link}</p>\n</main>\n"
        f"</body>\n</html>\n"
    )


def write_redirects(cat: Catalogue, site_dir: Path) -> list[Path]:
    """Write measures/<old>/index.html for every retired id, in both languages."""
    written = []
    for old in sorted(cat.moved):
        for lang in LANGUAGES:
            folder = site_dir / ("" if lang == LANGUAGES[0] else lang) / "measures" / old.lower()
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "index.html").write_text(redirect_page(cat, old, lang), encoding="utf-8")
            written.append(folder / "index.html")
    return written
