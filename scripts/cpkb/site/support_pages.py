"""The support part of the site: consultant directory, funding guide, case pages,
training calendar (with an iCalendar feed per language) and awards, plus the
support lines shown on measure and sector pages and the support downloads.

Pages are written like the other generated pages (site.pages): Markdown with
HTML blocks, one file per page and language under docs/support/. Every value
comes from the views (cpkb.support_view): Markdown rendered and sanitised
there, plain text escaped by the templates here.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
from pathlib import Path

from markupsafe import Markup, escape

from cpkb import LANGUAGES
from cpkb.source.catalogue import Catalogue, Measure
from cpkb.source.support import KINDS, SUPPORT_DIR, Support, load_support
from cpkb.support_view import (
    cases_for_measure,
    cases_in_sector,
    consultant_view,
    consultants_for_sector,
    export_rows,
    funding_for_measure,
    support_views,
)
from cpkb.site.common import env, translator
from cpkb.text.labels import label

PAGES = ("consultants", "funding", "cases", "events", "awards")
"""The support pages besides support/index, in the order of the navigation."""
DATA_BASENAME = "cp-support"


def has_support(root: Path) -> bool:
    return (Path(root) / SUPPORT_DIR).is_dir()


def load(root: Path, cat: Catalogue) -> Support:
    """The validated support data of the project (empty without handbook/support/);
    raises SourceError listing every problem."""
    if not has_support(root):
        return Support()
    return load_support(root, [m.id for m in cat.measures], [s.key for s in cat.sectors])


def ics_name(lang: str) -> str:
    # Not <name>.<lang>.ics: static-i18n would treat that as a localised file of one language.
    return f"calendar-{lang}.ics"


_env, _t = env, translator  # one Jinja environment with the shared filters


def _front(title: str, source: str) -> str:
    """Front matter: Material's templates do not escape the title, so escape it here."""
    return (
        f"---\ntitle: {json.dumps(html.escape(title), ensure_ascii=False)}\ncpkb_source: {json.dumps(source)}\n---\n\n"
    )


def render_support_pages(
    root: Path, cat: Catalogue, support: Support, lang: str, today: dt.date | None = None
) -> dict[str, str]:
    """Every support page and feed in `lang`: {path under docs/: text}."""
    if not has_support(root):
        return {}
    env, t = _env(), _t(lang)
    # Pages are /support/<page>/ (depth 2) and /support/cases/<id>/ (depth 3).
    href2 = lambda mid: f"../../measures/{cat.by_id[mid].slug}/" if mid in cat.by_id else None
    href3 = lambda mid: f"../../../measures/{cat.by_id[mid].slug}/" if mid in cat.by_id else None
    views = support_views(cat, support, lang, href2, today)
    case_views = support_views(cat, support, lang, href3, today).cases
    # downloads/ and the feeds sit at the site root, shared by both languages
    # (static-i18n copies non-Markdown files once): from /support/<page>/ that is
    # ../../, from /en/support/<page>/ ../../../.
    up = "../" * (2 + (0 if lang == LANGUAGES[0] else 1))
    common = dict(
        lang=lang, t=t, downloads=f"{up}downloads/", data_name=DATA_BASENAME, ics=f"{up}support/{ics_name(lang)}"
    )
    pages = {
        f"support/index.{lang}.md": _front(t("support.title"), "handbook/support/")
        + env.get_template("support_index.md.j2").render(views=views, pages=PAGES, **common)
    }
    for page in PAGES:
        pages[f"support/{page}.{lang}.md"] = _front(
            t(f"support.{page}.title"), f"handbook/support/{page}/"
        ) + env.get_template(f"support_{page}.md.j2").render(views=views, sectors=cat.sectors, **common)
    for view, entry in zip(case_views, support.of("cases")):
        pages[f"support/cases/{view.id}.{lang}.md"] = _front(view.title, entry.shown) + env.get_template(
            "support_case.md.j2"
        ).render(c=view, **common)
    pages[f"support/{ics_name(lang)}"] = render_ics(views.events, lang)
    pages[f"support/reference.{lang}.md"] = _front(
        t("support.reference.title"), "handbook/support/schemas/"
    ) + render_support_reference(root, lang)
    return pages


def render_support_reference(root: Path, lang: str) -> str:
    """The field reference of every support kind, from its schema (the measures'
    generator, one section per kind; anchors prefixed with the kind so that
    `id` or `sources` of two kinds do not collide)."""
    import re

    from cpkb.site.reference import render_field_reference
    from cpkb.source.support import load_support_schema

    t = _t(lang)
    out = [f"# {t('support.reference.title')}", "", t("support.reference.intro"), ""]
    for kind in KINDS:
        schema = load_support_schema(root, kind)
        if schema is None:
            continue
        body = render_field_reference(schema, lang)
        body = body[body.index("\n## ") :] if "\n## " in body else body  # drop the measures' own title and intro
        body = re.sub(r"\(#([\w-]+)\)", rf"(#{kind}-\1)", body)
        body = re.sub(r"\{#([\w-]+)\}", rf"{{#{kind}-\1}}", body)
        body = re.sub(r"^(#{2,3}) ", r"#\1 ", body, flags=re.MULTILINE)  # one level down, under the kind
        out += [
            f"## {t('support.' + kind + '.title')} (`handbook/support/{kind}/`)",
            "",
            f"`cpkb new --kind {kind} --id <id>`",
            "",
            body.strip(),
            "",
        ]
    return "\n".join(out)


def render_ics(events, lang: str) -> str:
    """An iCalendar feed of every documented event (past ones too: an archive),
    made with the `icalendar` library; all-day events, one UID per entry id."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//CP Handbook//cpkb support calendar//" + lang.upper())
    cal.add("version", "2.0")
    cal.add("x-wr-calname", label("support.events.title", lang))
    for e in events:
        event = icalendar.Event()
        event.add("uid", f"{e.id}@cpkb")
        event.add("summary", e.title)
        event.add("dtstart", e.start)
        event.add("dtend", e.end + dt.timedelta(days=1))  # DTEND of an all-day event is exclusive
        # DTSTAMP from the entry itself, not the clock: the feed is reproducible.
        event.add("dtstamp", dt.datetime.combine(e.start, dt.time(0, 0), tzinfo=dt.UTC))
        event.add("location", label("support.events.online", lang) if e.online else e.place)
        event.add("organizer", e.organiser)  # free text: the sources give no address
        if e.sources:
            event.add("url", e.registration or e.sources[0].url)
        event.add(
            "description",
            f"{label('support.events.audience', lang)}: {e.audience}\n"
            f"{label('support.sources', lang)}: " + " ; ".join(s.url for s in e.sources),
        )
        cal.add_component(event)
    return cal.to_ical().decode("utf-8")


def measure_block(cat: Catalogue, support: Support, m: Measure, lang: str) -> Markup:
    """The support lines of a measure page (/measures/<slug>/): the funding that
    can apply and the documented cases that applied it."""
    if support.empty:
        return Markup("")
    t = _t(lang)
    funding = funding_for_measure(support, m)
    cases = cases_for_measure(support, m.id)
    return Markup(
        _env()
        .get_template("support_measure_block.md.j2")
        .render(
            t=t,
            lang=lang,
            funding=[(e.id, e.data["name"][lang]) for e in funding],
            cases=[(e.id, e.data["title"][lang]) for e in cases],
            n=len(cases),
        )
    )


def sector_block(cat: Catalogue, support: Support, sector: str, lang: str) -> Markup:
    """Cases and consultants listed on a sector page (/sectors/<key>/)."""
    if support.empty:
        return Markup("")
    href = lambda mid: f"../../measures/{cat.by_id[mid].slug}/" if mid in cat.by_id else None
    consultants = [consultant_view(cat, e, lang, href) for e in consultants_for_sector(support, sector)]
    cases = [(e.id, e.data["title"][lang]) for e in cases_in_sector(support, sector)]
    return Markup(
        _env()
        .get_template("support_sector_block.md.j2")
        .render(t=_t(lang), lang=lang, consultants=consultants, cases=cases)
    )


def _cell(value) -> str:
    """A CSV cell that a spreadsheet never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_support_exports(root: Path, cat: Catalogue, out_dir: Path, lang: str) -> list[Path]:
    """cp-support-<kind>-<lang>.csv (UTF-8 with BOM) and one cp-support-<lang>.json with every kind."""
    if not has_support(root):
        return []
    support = load(root, cat)
    out_dir.mkdir(parents=True, exist_ok=True)
    written, everything = [], {"language": lang}
    for kind in KINDS:
        rows = export_rows(support, kind, lang)
        everything[kind] = rows
        columns = list(dict.fromkeys(k for row in rows for k in row)) or ["id"]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
        path = out_dir / f"{DATA_BASENAME}-{kind}-{lang}.csv"
        path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")
        written.append(path)
    path = out_dir / f"{DATA_BASENAME}-{lang}.json"
    path.write_text(json.dumps(everything, ensure_ascii=False, indent=1), encoding="utf-8")
    return written + [path]


def downloads_section(root: Path, lang: str) -> str:
    """Rows for the Downloads page (/downloads/, depth 1): the support data files."""
    if not has_support(root):
        return ""
    return (
        _env()
        .get_template("support_downloads.md.j2")
        .render(t=_t(lang), kinds=KINDS, root="../" * (1 + (0 if lang == LANGUAGES[0] else 1)), data_name=DATA_BASENAME)
    )


def nav_section(root: Path) -> list[str]:
    return (
        ["support/index.md"] + [f"support/{p}.md" for p in PAGES] + ["support/reference.md"]
        if has_support(root)
        else []
    )


SUPPORT_CHAPTER = "handbook/general/06-support"
"""The handbook chapter on finding support, which leads to the support pages."""


def chapter_link(target: str) -> str:
    """On the site only, the support chapter ends with links to the support pages;
    other pages get nothing (the PDF prints the same data as its annex)."""
    if not target.startswith(SUPPORT_CHAPTER + "."):
        return ""
    lang = target.rsplit(".", 2)[-2]
    links = [
        f'<a class="md-button" href="../../../support/{page}/">{escape(label(f"support.{page}.title", lang))}</a>'
        for page in PAGES
    ]
    return '\n\n<p class="cp-actions">' + " ".join(links) + "</p>\n"
