"""The benchmark page: results of `cpkb bench` as a table and a chart, in both languages.

The numbers are stored in docs/guides/benchmarks.json (committed, with the
machine and the command); the two Markdown pages are rendered from it.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from .bench import TARGETS
from .formatting import format_count
from babel.numbers import format_decimal

TEXT = {
    "vi": {
        "title": "Đo hiệu năng", "intro": "Kết quả đo trên các danh mục tổng hợp 100, 1.000 và 10.000 biện pháp (sinh từ các biện pháp thật, hai ngôn ngữ).",
        "machine": "Máy đo", "command": "Lệnh", "date": "Ngày đo", "measures": "Số biện pháp",
        "rows": [("validate_s", "Kiểm tra dữ liệu (s)"), ("build_s", "Dựng trang web, tổng (s)"), ("mkdocs_s", "— trong đó MkDocs (s)"),
                 ("pagefind_s", "— trong đó Pagefind (s)"), ("pages", "Số trang HTML"), ("per_page_ms", "Thời gian mỗi trang (ms)"),
                 ("bare_s", "MkDocs-Material thuần, cùng Markdown (s)"), ("overhead_ratio", "Tỷ lệ MkDocs của chúng ta / thuần"),
                 ("site_mib", "Dung lượng trang web (MiB)"), ("median_measure_page_kib", "Trang biện pháp, trung vị (KiB)"),
                 ("pagefind_mib", "Chỉ mục Pagefind (MiB)"), ("first_result_kib", "Tải về đến kết quả tìm kiếm đầu tiên (KiB)"),
                 ("build_peak_mib", "Bộ nhớ đỉnh khi dựng (MiB)"),
                 ("sector_pdf_measures", "PDF một ngành: số biện pháp"), ("sector_pdf_pages", "PDF một ngành: số trang"),
                 ("sector_pdf_s", "PDF một ngành: thời gian (s)"), ("sector_pdf_pps", "PDF một ngành: trang/giây"),
                 ("sector_pdf_peak_mib", "PDF một ngành: bộ nhớ đỉnh (MiB)"), ("complete_pdf_pages", "PDF đầy đủ: số trang"),
                 ("complete_pdf_s", "PDF đầy đủ: thời gian (s)"), ("complete_pdf_pps", "PDF đầy đủ: trang/giây"),
                 ("complete_pdf_peak_mib", "PDF đầy đủ: bộ nhớ đỉnh (MiB)")],
        "targets": "Mục tiêu", "target": "Mục tiêu", "result": "Kết quả", "met": "đạt", "missed": "chưa đạt",
        "chart": "Thời gian dựng mỗi trang (ms) theo số biện pháp", "notes": "Ghi chú",
    },
    "en": {
        "title": "Benchmarks", "intro": "Measured on synthetic catalogues of 100, 1,000 and 10,000 measures (made from the real ones, both languages).",
        "machine": "Machine", "command": "Command", "date": "Date", "measures": "Measures",
        "rows": [("validate_s", "Validation (s)"), ("build_s", "Site build, total (s)"), ("mkdocs_s", "— of which MkDocs (s)"),
                 ("pagefind_s", "— of which Pagefind (s)"), ("pages", "HTML pages"), ("per_page_ms", "Time per page (ms)"),
                 ("bare_s", "Bare mkdocs-material, same Markdown (s)"), ("overhead_ratio", "Our MkDocs time / bare"),
                 ("site_mib", "Site size (MiB)"), ("median_measure_page_kib", "Measure page, median (KiB)"),
                 ("pagefind_mib", "Pagefind index (MiB)"), ("first_result_kib", "Downloaded until the first search result (KiB)"),
                 ("build_peak_mib", "Peak memory of the build (MiB)"),
                 ("sector_pdf_measures", "Sector PDF: measures"), ("sector_pdf_pages", "Sector PDF: pages"),
                 ("sector_pdf_s", "Sector PDF: time (s)"), ("sector_pdf_pps", "Sector PDF: pages/second"),
                 ("sector_pdf_peak_mib", "Sector PDF: peak memory (MiB)"), ("complete_pdf_pages", "Complete PDF: pages"),
                 ("complete_pdf_s", "Complete PDF: time (s)"), ("complete_pdf_pps", "Complete PDF: pages/second"),
                 ("complete_pdf_peak_mib", "Complete PDF: peak memory (MiB)")],
        "targets": "Targets", "target": "Target", "result": "Result", "met": "met", "missed": "missed",
        "chart": "Build time per page (ms) by number of measures", "notes": "Notes",
    },
}


def _num(value, lang: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, int):
        return format_count(value, lang)
    return format_decimal(round(value, 2 if value < 10 else 1), locale=lang)


def check_targets(results: list[dict], lang: str = "en") -> dict[str, tuple[bool | None, str]]:
    """Each target: (met?, the measured value as shown); None when not measured."""
    n = lambda value: _num(value, lang)
    by = {r["measures"]: r for r in results}
    out: dict[str, tuple[bool | None, str]] = {}
    if 1000 in by and 10000 in by:
        ratio = by[10000]["per_page_ms"] / by[1000]["per_page_ms"]
        out["linear"] = (ratio <= 1.3, f"{n(ratio)}×")
    big = by.get(max(by))
    out["overhead"] = (big["overhead_ratio"] <= 1.3, f"{n(big['overhead_ratio'])}× ({n(big['measures'])})")
    if 10000 in by:
        out["total_10k"] = (by[10000]["build_s"] < 240, f"{n(round(by[10000]['build_s']))} s")
        kib = by[10000].get("first_result_kib")
        out["first_result"] = (kib < 300 if kib else None, f"{n(round(kib))} KiB" if kib else "–")
    pdf = next((r for r in results if 80 <= r.get("sector_pdf_measures", 0) <= 150), None)
    if pdf:
        out["sector_pdf"] = (pdf["sector_pdf_s"] < 15, f"{n(pdf['sector_pdf_s'])} s ({n(pdf['sector_pdf_measures'])})")
    return out


def render_page(data: dict, lang: str, notes: str = "") -> str:
    t = TEXT[lang]
    results = data["results"]
    lines = [f"# {t['title']}", "", t["intro"], "",
             f"- **{t['machine']}**: {data['machine']}", f"- **{t['command']}**: `{data['command']}`",
             f"- **{t['date']}**: {data['date']}", "",
             "| " + t["measures"] + " | " + " | ".join(_num(r["measures"], lang) for r in results) + " |",
             "| --- |" + " ---: |" * len(results)]
    for key, name in t["rows"]:
        if any(key in r for r in results):
            lines.append(f"| {name} | " + " | ".join(_num(r.get(key), lang) for r in results) + " |")
    lines += ["", f"## {t['targets']}", "", f"| {t['target']} | {t['result']} | |", "| --- | --- | --- |"]
    for key, (ok, shown) in check_targets(results, lang).items():
        verdict = "–" if ok is None else (t["met"] if ok else f"**{t['missed']}**")
        lines.append(f"| {TARGETS[key][lang]} | {shown} | {verdict} |")
    lines += ["", _chart(results, t["chart"]), ""]
    if notes:
        lines += [f"## {t['notes']}", "", notes, ""]
    return "\n".join(lines)


def _chart(results: list[dict], title: str) -> str:
    width, height, pad = 560, 220, 50
    top = max(r["per_page_ms"] for r in results) * 1.15
    bar = (width - 2 * pad) / len(results) * 0.6
    parts = []
    for i, r in enumerate(results):
        x = pad + i * (width - 2 * pad) / len(results) + bar / 3
        h = r["per_page_ms"] / top * (height - 2 * pad)
        parts.append(f'<rect x="{x:.0f}" y="{height - pad - h:.0f}" width="{bar:.0f}" height="{h:.0f}" fill="#1f6b4a"/>')
        parts.append(f'<text x="{x + bar / 2:.0f}" y="{height - pad - h - 6:.0f}" text-anchor="middle" font-size="12" fill="currentColor">{r["per_page_ms"]:.1f}</text>')
        parts.append(f'<text x="{x + bar / 2:.0f}" y="{height - pad + 16:.0f}" text-anchor="middle" font-size="12" fill="currentColor">{r["measures"]:,}</text>')
    return (f'<figure class="cp-chart"><svg viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{html.escape(title)}</title>'
            f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="currentColor"/>'
            + "".join(parts) + f"</svg><figcaption>{html.escape(title)}</figcaption></figure>")


RESULTS = Path("benchmarks") / "results.json"
"""Committed results of the last `make bench` (with machine and command)."""


def write_results(root: Path, data: dict) -> Path:
    path = root / RESULTS
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def render_benchmark_page(root: Path, lang: str) -> str | None:
    """The benchmark page from benchmarks/results.json and the hand-written
    analysis in benchmarks/notes.<lang>.md; None when no results are recorded."""
    path = root / RESULTS
    if not path.exists():
        return None
    notes = root / "benchmarks" / f"notes.{lang}.md"
    return render_page(json.loads(path.read_text(encoding="utf-8")), lang,
                       notes.read_text(encoding="utf-8") if notes.exists() else "")
