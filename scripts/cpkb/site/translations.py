"""The translation status page (guides/translations), in each language."""

from __future__ import annotations

from pathlib import Path

from cpkb.source.translations import STATUSES, TranslationReport, translation_report
from cpkb.text.labels import label
from cpkb.text.markdown import escape_markdown_inline


def render_translation_status(measures_dir: Path, lang: str, report: TranslationReport | None = None) -> str:
    """The Markdown of the translation status page in `lang` ("vi" or "en").

    A `# ` title, an explanation, the count per status, then one table per
    non-empty status among untranslated, stale and untracked, listing each
    measure's id, title (in `lang`, linked to ../measures/<id>.md, the
    generated measure page) and file. Deterministic (sorted, no
    date), so the site build can skip writing an unchanged page. Pass `report`
    to render several languages from one reading of the catalogue.
    """
    measures_dir = Path(measures_dir)
    report = report or translation_report(measures_dir, root=measures_dir.parent)
    t = lambda key, **kw: label(f"translations.{key}", lang, **kw)  # noqa: E731
    out = [f"# {t('title')}", "", t("intro"), "", t("how_to_mark"), ""]
    counts = report.counts()
    out += [f"## {t('summary')}", "", f"| {t('status')} | {t('count')} |", "| --- | ---: |"]
    for status in STATUSES:
        out.append(f"| {t('status_' + status)} | {counts[status]} |")
    out.append(f"| **{t('total')}** | **{len(report.measures)}** |")
    out.append("")
    for status in ("untranslated", "stale", "untracked"):
        rows = report.with_status(status)
        if not rows:
            continue
        # A fixed anchor: the count in the heading would change the generated one.
        out += [f"## {t('status_' + status)} ({len(rows)}) {{#{status}}}", "", t("explain_" + status), ""]
        if status == "untranslated":
            out += [f"| {t('id')} | {t('measure')} | {t('fields')} | {t('file')} |", "| --- | --- | --- | --- |"]
        else:
            out += [f"| {t('id')} | {t('measure')} | {t('file')} |", "| --- | --- | --- |"]
        for m in rows:
            title = escape_markdown_inline(m.title_in(lang)) or m.id
            # The measure pages are generated next door, in docs/measures/<slug>.<lang>.md.
            cells = [f"`{m.id}`", f"[{title}](../measures/{m.id.lower()}.md)"]
            if status == "untranslated":
                cells.append(", ".join(f"`{f}` ({t('reason_' + why)})" for f, why in m.untranslated))
            cells.append(f"`{m.shown}`")
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    if not any(report.with_status(s) for s in ("untranslated", "stale", "untracked")):
        out += [t("all_current"), ""]
    if report.problems:
        out += [f"## {t('unreadable')}", ""]
        out += [f"- `{p.file}:{p.line}`: {escape_markdown_inline(p.message)}" for p in report.problems]
        out.append("")
    return "\n".join(out)
