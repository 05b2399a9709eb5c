"""Numbers for readers: money, ranges, percentages and years in each language.

Digits, separators and scale words ("tỷ", "billion") come from Babel's CLDR
data; only the arrangement of a range is ours.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from functools import lru_cache

from babel.dates import format_date
from babel.numbers import format_compact_decimal, format_decimal

from cpkb.source.catalogue import Range
from cpkb.text.labels import label

DASH = "–"


@lru_cache(maxsize=65536)  # Babel's compact formatting is slow; values repeat a lot
def _compact(value: float, lang: str) -> tuple[str, str]:
    """(number, scale word): 1_200_000_000 → ("1,2", "tỷ") in vi, ("1.2", "billion") in en."""
    if value < 1_000_000:
        return format_decimal(round(value), locale=lang), ""
    text = format_compact_decimal(value, format_type="long", locale=lang, fraction_digits=1)
    number, _, scale = text.partition(" ")
    return number, scale


def format_vnd(value: float, lang: str) -> str:
    """1.2e9 → "1,2 tỷ đồng" (vi) or "VND 1.2 billion" (en)."""
    number, scale = _compact(value, lang)
    return _money(f"{number} {scale}".strip(), lang)


def format_vnd_exact(value: float, lang: str) -> str:
    """Full figure for tables and exports: "1.200.000.000 ₫" (vi), "VND 1,200,000,000" (en)."""
    number = format_decimal(round(value), locale=lang)
    return f"{number} ₫" if lang == "vi" else f"VND {number}"


def format_vnd_range(rng: Range, lang: str) -> str:
    """50e6–200e6 → "50–200 triệu đồng"; 0–5e6 → "0–5 triệu đồng"; mixed scales are spelled out."""
    if rng.max == 0:
        return label("figures.no_investment", lang)
    lo_n, lo_s = _compact(rng.min, lang)
    hi_n, hi_s = _compact(rng.max, lang)
    if rng.min == rng.max:
        return format_vnd(rng.max, lang)
    if lo_s == hi_s or rng.min == 0:
        return _money(f"{'0' if rng.min == 0 else lo_n}{DASH}{hi_n} {hi_s}".strip(), lang)
    return _money(f"{lo_n} {lo_s} {DASH} {hi_n} {hi_s}", lang)


def _money(amount: str, lang: str) -> str:
    return f"{amount} đồng" if lang == "vi" else f"VND {amount}"


def _plain(value: float, lang: str) -> str:
    return format_decimal(value, locale=lang, decimal_quantization=False)


def format_range(rng: Range, lang: str, unit_key: str | None = None) -> str:
    """A plain numeric range with an optional unit label: "0,5–2 năm" / "0.5–2 years"."""
    text = _plain(rng.min, lang) if rng.min == rng.max else f"{_plain(rng.min, lang)}{DASH}{_plain(rng.max, lang)}"
    if unit_key:
        text += " " + label(unit_key, lang)
    return text


def format_percent_range(rng: Range, lang: str) -> str:
    """15–30 → "15–30%"."""
    return format_range(rng, lang) + "%"


def format_years(rng: Range, lang: str) -> str:
    """Payback: "< 3 tháng" for very short paybacks, else "0,5–2 năm"."""
    if rng.max <= 0.25:
        return label("figures.payback_immediate", lang)
    return format_range(rng, lang, "unit.years")


def format_day(day: dt.date, lang: str) -> str:
    """28 tháng 11, 2026 / 28 November 2026."""
    return format_date(day, format="long", locale=lang)


def format_count(n: int, lang: str) -> str:
    return format_decimal(n, locale=lang)


def format_file_size(n_bytes: int, lang: str) -> str:
    """A download's size as a reader judges it: "850 KB", "2,4 MB" / "2.4 MB" (1 KB = 1,024 bytes),
    with a no-break space so that a narrow table cell never parts number and unit."""
    if n_bytes < 1024 * 1024:
        return f"{format_decimal(max(1, round(n_bytes / 1024)), locale=lang)}\u00a0KB"
    return f"{format_decimal(n_bytes / 1024 / 1024, format='#,##0.0', locale=lang)}\u00a0MB"


_VI_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_VI_MODIFIERS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: new letters
_VI_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vi_sort_key(text: str) -> tuple:
    """Vietnamese dictionary order: a ă â b c d đ e ê ..., tones only break ties."""
    letters: list[str] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFD", text.casefold()):
        if ch in _VI_MODIFIERS and letters:
            letters[-1] = unicodedata.normalize("NFC", letters[-1] + ch)
        elif ch in _VI_TONES and tones:
            tones[-1] = _VI_TONES[ch]
        else:
            letters.append(ch)
            tones.append(0)
    rank = tuple(_VI_ALPHABET.index(c) if c in _VI_ALPHABET else 100 + ord(c) for c in letters)
    return rank, tuple(tones)


def sort_key(lang: str):
    """Alphabetical order of a language: Vietnamese dictionary order for vi."""
    return vi_sort_key if lang == "vi" else (lambda s: s.casefold())
