"""The site's navigation: readers' sections first, the pages for editors last.

MkDocs takes it in the default language; static-i18n translates the section
titles with nav_translations.
"""

from __future__ import annotations

from pathlib import Path

from cpkb import LANGUAGES
from cpkb.site import support_pages
from cpkb.site.handbook_pages import both_languages
from cpkb.source import handbook
from cpkb.source.benchmarks import RESULTS
from cpkb.source.catalogue import load_catalogue
from cpkb.text.labels import label


def build_nav(root: Path) -> list:
    """The navigation, in the default language; static-i18n translates section titles."""
    cat = load_catalogue(root / "measures", root=root)
    t = lambda key: label(key, LANGUAGES[0])
    docs = root / "docs"
    general = [
        f"handbook/general/{slug}.md"
        for slug in handbook.general_chapters(root)
        if all(handbook.chapter_path(root, slug, l).exists() for l in LANGUAGES)
    ]
    sector_books = [f"handbook/{s.key}.md" for s in cat.sectors if both_languages(root, s.key)]
    book = ["handbook/index.md"]
    if general:
        book.append({t("nav.general"): general})
    if sector_books:
        book.append({t("nav.sector_handbooks"): sector_books})
    if (root / "handbook" / "glossary.yml").exists():
        book.append("handbook/glossary.md")
    generated = ["field-reference", "translations"] + (["benchmarks"] if (root / RESULTS).exists() else [])
    guides = ["guides/index.md"] + [
        f"guides/{name}.md"
        for name in ("editing", "field-reference", "translations", "benchmarks")
        if name in generated or (docs / "guides" / f"{name}.{LANGUAGES[0]}.md").exists()
    ]
    # Readers' sections first; the pages for editors (field reference, translation
    # status, benchmarks) are kept apart, last.
    return [
        "index.md",
        {t("nav.sectors"): ["sectors/index.md"] + [f"sectors/{s.key}.md" for s in cat.sectors]},
        {t("nav.catalogue"): ["measures/index.md"]},
        {t("nav.handbook"): book},
        *([{t("nav.support"): support_nav}] if (support_nav := support_pages.nav_section(root)) else []),
        {t("planner.nav"): ["plan/index.md", "report/index.md", "report/merge.md"]},
        {t("nav.downloads"): ["downloads.md"]},
        {t("nav.about"): ["about.md"]},
        {t("nav.guides"): guides},
    ]


def nav_translations(lang: str) -> dict[str, str]:
    """Section titles of the default language mapped to `lang`."""
    keys = (
        "sectors",
        "catalogue",
        "handbook",
        "general",
        "sector_handbooks",
        "support",
        "downloads",
        "guides",
        "about",
    )
    titles = {label(f"nav.{k}", LANGUAGES[0]): label(f"nav.{k}", lang) for k in keys}
    titles[label("planner.nav", LANGUAGES[0])] = label("planner.nav", lang)
    return titles
