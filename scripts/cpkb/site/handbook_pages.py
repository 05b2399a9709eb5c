"""Pages made from the handbook: chapters (measure: links resolved), the
handbook index and the glossary."""

from __future__ import annotations

import json
from pathlib import Path

from markupsafe import escape

from cpkb import LANGUAGES
from cpkb.source import handbook
from cpkb.source.catalogue import Catalogue
from cpkb.site import planner, support_pages
from cpkb.site.common import env, translator, with_source
from cpkb.source.problems import display_path
from cpkb.text.labels import label
from cpkb.text.markdown import MeasureLinkError, escape_markdown_inline, resolve_measure_links
from cpkb.text.numbers import sort_key


def link_resolver(cat: Catalogue, prefix: str):
    return lambda mid: f"{prefix}{cat.by_id[mid].slug}.md" if mid in cat.by_id else None


def handbook_page(root: Path, source: Path, cat: Catalogue, prefix: str) -> str:
    text = handbook.read_markdown(source, root) or ""
    body = resolve_measure_links(text, link_resolver(cat, prefix), display_path(source, root))
    return with_source(display_path(source, root), body)


def handbook_pages(root: Path, cat: Catalogue, lang: str, glossary: list, problems: list) -> dict[str, str]:
    """General chapters and sector handbooks with measure: links resolved, and the glossary."""
    pages = {}
    sources = [
        (f"handbook/general/{slug}.{lang}.md", handbook.chapter_path(root, slug, lang), "../../measures/")
        for slug in handbook.general_chapters(root)
        if all(handbook.chapter_path(root, slug, l).exists() for l in LANGUAGES)
    ]
    sources += [
        (f"handbook/{s.key}.{lang}.md", handbook.sector_handbook_path(root, s.key, lang), "../measures/")
        for s in cat.sectors
        if both_languages(root, s.key)
    ]
    for target, source, prefix in sources:
        try:
            pages[target] = (
                handbook_page(root, source, cat, prefix)
                + planner.chapter_link(target)
                + support_pages.chapter_link(target)
            )
        except MeasureLinkError as err:
            problems.extend(err.problems)
    if glossary:
        order = sort_key(lang)
        other = next(l for l in LANGUAGES if l != lang)
        pages[f"handbook/glossary.{lang}.md"] = (
            env()
            .get_template("glossary.md.j2")
            .render(
                lang=lang, t=translator(lang), other=other, entries=sorted(glossary, key=lambda e: order(e.term[lang]))
            )
        )
    return pages


def both_languages(root: Path, sector: str) -> bool:
    return all(handbook.sector_handbook_path(root, sector, l).exists() for l in LANGUAGES)


def handbook_index(root: Path, cat: Catalogue, pages: dict[str, str], lang: str) -> str:
    t = lambda key: label(key, lang)
    lines = [
        "---",
        f"title: {json.dumps(t('nav.handbook'), ensure_ascii=False)}",
        f"cpkb_source: {json.dumps('handbook/README.md' if (root / 'handbook' / 'README.md').exists() else '')}",
        "---",
        "",
        f"# {t('nav.handbook')}",
        "",
        f'<p class="cp-actions"><a class="md-button md-button--primary" href="../downloads/">{escape(t("downloads.title"))}</a></p>',
        "",
    ]
    general = [slug for slug in handbook.general_chapters(root) if f"handbook/general/{slug}.{lang}.md" in pages]
    if general:
        lines += [f"## {t('nav.general')}", ""]
        for slug in general:
            title = handbook.title_of(handbook.read_markdown(handbook.chapter_path(root, slug, lang), root), slug)
            lines.append(f"1. [{escape_markdown_inline(title)}](general/{slug}.md)")
        lines.append("")
    sectors = [s for s in cat.sectors if f"handbook/{s.key}.{lang}.md" in pages]
    if sectors:
        lines += [f"## {t('nav.sector_handbooks')}", ""]
        for s in sectors:
            lines.append(f"- [{escape_markdown_inline(s.name[lang])}]({s.key}.md)")
        lines.append("")
    if f"handbook/glossary.{lang}.md" in pages:
        lines += [f"## {t('nav.glossary')}", "", f"[{t('nav.glossary')}](glossary.md)", ""]
    return "\n".join(lines)
