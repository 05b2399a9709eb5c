"""The benchmark page: results of `cpkb bench` as a table and a chart, in both languages.

The numbers are stored in benchmarks/results.json (committed, with the
machine and the command); the site build renders the page from it, with the
analysis written in benchmarks/notes.<lang>.md. Page strings are labels bench.*.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

from babel.numbers import format_decimal

from cpkb.source.benchmarks import LIMITS, read_results
from cpkb.text.numbers import format_count
from cpkb.text.labels import label
from cpkb.text.markdown import escape_markdown_inline


def _text(value) -> str:
    """A string from results.json shown literally: no HTML, no Markdown, one line."""
    return escape_markdown_inline(str(value))


ROWS = (
    "validate_s",
    "build_s",
    "mkdocs_s",
    "pagefind_s",
    "catalogue_index_s",
    "build_cpu_s",
    "load_before",
    "load_after",
    "pages",
    "per_page_ms",
    "bare_s",
    "overhead_ratio",
    "site_mib",
    "median_measure_page_kib",
    "pagefind_mib",
    "first_result_kib",
    "first_result_raw_kib",
    "catalogue_first_view_kib",
    "catalogue_first_view_raw_kib",
    "build_peak_mib",
    "sector_pdf_measures",
    "sector_pdf_pages",
    "sector_pdf_s",
    "sector_pdf_pps",
    "sector_pdf_peak_mib",
    "complete_pdf_pages",
    "complete_pdf_s",
    "complete_pdf_pps",
    "complete_pdf_peak_mib",
)
"""The measurements in table order; their names are labels bench.row.<key>."""


def _num(value, lang: str) -> str:
    # results.json comes with a pull request: anything but a finite number shows as "–".
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        return "–"
    if isinstance(value, int):
        return format_count(value, lang)
    return format_decimal(round(value, 2 if value < 10 else 1), locale=lang)


def check_targets(results: list[dict], lang: str = "en") -> dict[str, tuple[bool | None, str]]:
    """Each target of LIMITS: (met?, the measured value as shown); None when not measured."""
    n = lambda value: _num(value, lang)
    by = {r["measures"]: r for r in results}
    out: dict[str, tuple[bool | None, str]] = {}
    if 1000 in by and 10000 in by:
        ratio = by[10000]["per_page_ms"] / by[1000]["per_page_ms"]
        out["linear"] = (ratio <= LIMITS["linear"], f"{n(ratio)}×")
    if not by:
        return out
    big = by[max(by)]
    out["overhead"] = (
        big["overhead_ratio"] <= LIMITS["overhead"],
        f"{n(big['overhead_ratio'])}× ({n(big['measures'])})",
    )
    if 10000 in by:
        out["total_10k"] = (by[10000]["build_s"] < LIMITS["total_10k"], f"{n(round(by[10000]['build_s']))} s")
        kib = by[10000].get("first_result_kib")  # KiB as sent; the limit is in KB (1,000 bytes)
        out["first_result"] = (
            kib * 1.024 <= LIMITS["first_result"] if kib else None,
            f"{n(round(kib))} KiB" if kib else "–",
        )
    pdf = next((r for r in results if 80 <= r.get("sector_pdf_measures", 0) <= 150), None)
    if pdf:
        out["sector_pdf"] = (
            pdf["sector_pdf_s"] < LIMITS["sector_pdf"],
            f"{n(pdf['sector_pdf_s'])} s ({n(pdf['sector_pdf_measures'])})",
        )
    return out


def _search_targets(search: dict, lang: str) -> list[tuple[str, bool | None, str]]:
    """Search quality and bytes on the real catalogue: (target, met?, shown value)."""
    n = lambda value: _num(value, lang)
    out = []
    if "top3_share" in search:
        pct = search["top3_share"] * 100
        out.append(("search_top3", pct >= LIMITS["search_top3"], f"{n(round(pct, 1))} % ({n(search['queries'])})"))
    if "title_top5_share" in search:
        pct = search["title_top5_share"] * 100
        out.append(("title_top5", pct >= LIMITS["title_top5"], f"{n(round(pct, 1))} % ({n(search['measures'])})"))
    if "catalogue_first_view_kib" in search:
        kib = max(search["catalogue_first_view_kib"], search.get("catalogue_first_view_kib_en", 0))  # as sent
        out.append(
            (
                "catalogue_view",
                kib * 1.024 <= LIMITS["catalogue_view"],
                f"{n(round(kib))} KiB ({n(search['measures'])})",
            )
        )
    return out


def _build_targets(build: dict, lang: str) -> list[tuple[str, bool | None, str]]:
    """The real project's `cpkb build` (bench.run_real_build): (target, met?, shown value)."""
    n = lambda value: _num(value, lang)
    out = []
    if isinstance(build.get("pages_per_second"), (int, float)):
        out.append(
            (
                "books_pps",
                build["pages_per_second"] >= LIMITS["books_pps"],
                f"{n(round(build['pages_per_second'], 1))} ({n(build.get('pages'))} / {n(round(build.get('pdf_s', 0), 1))} s)",
            )
        )
    for key in ("cold_build", "warm_build"):
        seconds = build.get(f"{key}_s")
        if isinstance(seconds, (int, float)):
            out.append((key, seconds < LIMITS[key], f"{n(round(seconds))} s"))
    return out


def _target_rows(rows: list[tuple[str, bool | None, str]], t, lang: str) -> list[str]:
    lines = [f"| {t('target_column')} | {t('result')} | {t('verdict')} |", "| --- | --- | --- |"]
    for key, ok, shown in rows:
        verdict = "–" if ok is None else (t("met") if ok else f"**{t('missed')}**")
        lines.append(f"| {t('goal.' + key, limit=_num(LIMITS[key], lang))} | {shown} | {verdict} |")
    return lines


def machine_text(value, lang: str) -> str:
    """The machine in words: results.json holds it as data (cores, cpu, ram_gib, os,
    python); an older file's plain string is shown as it is."""
    if not isinstance(value, dict):
        return _text(value)
    return _text(
        label(
            "bench.machine_text",
            lang,
            cores=_num(value.get("cores"), lang),
            cpu=value.get("cpu", ""),
            ram=_num(value.get("ram_gib"), lang),
            os=value.get("os", ""),
            python=value.get("python", ""),
        )
    )


def render_page(data: dict, lang: str, notes: str = "") -> str:
    t = lambda key, **values: label(f"bench.{key}", lang, **values)
    results = data["results"]
    lines = [
        f"# {t('title')}",
        "",
        t("intro"),
        "",
        f"- **{t('machine')}**: {machine_text(data.get('machine', ''), lang)}",
        f"- **{t('command')}**: <code>{html.escape(str(data.get('command', '')))}</code>",
        f"- **{t('date')}**: {_text(data.get('date', ''))}",
        "",
        f"| {t('measures')} | " + " | ".join(_num(r["measures"], lang) for r in results) + " |",
        "| --- |" + " ---: |" * len(results),
    ]
    for key in ROWS:
        if any(key in r for r in results):
            lines.append(f"| {t('row.' + key)} | " + " | ".join(_num(r.get(key), lang) for r in results) + " |")
    lines += ["", f"## {t('targets')}", ""]
    lines += _target_rows([(key, ok, shown) for key, (ok, shown) in check_targets(results, lang).items()], t, lang)
    search = data.get("search")
    if search:
        lines += [
            "",
            f"## {label('bench.search.title', lang)}",
            "",
            label("bench.search.intro", lang, command=search.get("command", data["command"])),
            "",
        ]
        lines += _target_rows(_search_targets(search, lang), t, lang)
    build = data.get("real_build")
    if isinstance(build, dict):
        lines += [
            "",
            f"## {label('bench.build.title', lang)}",
            "",
            label(
                "bench.build.intro", lang, books=_num(build.get("books"), lang), pages=_num(build.get("pages"), lang)
            ),
            "",
        ]
        lines += _target_rows(_build_targets(build, lang), t, lang)
    lines += ["", _chart(results, t("chart"), lang), ""]
    if notes:
        lines += [f"## {t('notes')}", "", notes, ""]
    return "\n".join(lines)


def _chart(results: list[dict], title: str, lang: str) -> str:
    width, height, pad = 560, 220, 50
    results = [r for r in results if _num(r.get("per_page_ms"), "en") != "–" and _num(r.get("measures"), "en") != "–"]
    if not results:
        return ""
    top = max(r["per_page_ms"] for r in results) * 1.15 or 1
    bar = (width - 2 * pad) / len(results) * 0.6
    parts = []
    for i, r in enumerate(results):
        x = pad + i * (width - 2 * pad) / len(results) + bar / 3
        h = r["per_page_ms"] / top * (height - 2 * pad)
        parts.append(
            f'<rect x="{x:.0f}" y="{height - pad - h:.0f}" width="{bar:.0f}" height="{h:.0f}" fill="#1f6b4a"/>'
        )
        parts.append(
            f'<text x="{x + bar / 2:.0f}" y="{height - pad - h - 6:.0f}" text-anchor="middle" font-size="12" fill="currentColor">{_num(round(r["per_page_ms"], 1), lang)}</text>'
        )
        parts.append(
            f'<text x="{x + bar / 2:.0f}" y="{height - pad + 16:.0f}" text-anchor="middle" font-size="12" fill="currentColor">{_num(r["measures"], lang)}</text>'
        )
    return (
        f'<figure class="cp-chart"><svg viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{html.escape(title)}</title>'
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="currentColor"/>'
        + "".join(parts)
        + f"</svg><figcaption>{html.escape(title)}</figcaption></figure>"
    )


def render_benchmark_page(root: Path, lang: str) -> str | None:
    """The benchmark page from benchmarks/results.json and the hand-written
    analysis in benchmarks/notes.<lang>.md; None when no results are recorded."""
    data = read_results(root)
    if data is None:
        return None
    notes = root / "benchmarks" / f"notes.{lang}.md"
    return render_page(data, lang, notes.read_text(encoding="utf-8") if notes.exists() else "")
