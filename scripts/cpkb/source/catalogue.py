"""The catalogue as typed Python objects: sectors and measures, validated.

Pure Python: no MkDocs import, so the site, the PDFs and the CLI share it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from cpkb.source.problems import SourceError
from cpkb.source.validate import load_schema, validate_catalogue
from cpkb.source.vocabulary import Vocabulary, vocabulary


@dataclass(frozen=True)
class Text:
    """A text in both languages."""

    vi: str
    en: str

    def __getitem__(self, lang: str) -> str:
        return getattr(self, lang)

    @classmethod
    def of(cls, value: dict | None) -> "Text | None":
        return cls(value["vi"], value["en"]) if value else None

    @classmethod
    def given(cls, value: dict) -> "Text":
        """A required text (the validator has checked that it is there)."""
        return cls(value["vi"], value["en"])


@dataclass(frozen=True)
class Range:
    """An indicative range [min, max]; a percentage also says what it is a share of."""

    min: float
    max: float
    scope: str | None = None

    @classmethod
    def of(cls, value: dict | None) -> "Range | None":
        return cls.given(value) if value else None

    @classmethod
    def given(cls, value: dict) -> "Range":
        """A required range (the validator has checked that it is there)."""
        return cls(value["min"], value["max"], value.get("scope"))

    @property
    def mid(self) -> float:
        return (self.min + self.max) / 2


@dataclass(frozen=True)
class Source:
    """A publication behind the figures; an undated web page has no year but the date it was read."""

    title: str
    publisher: str
    year: int | None = None
    url: str | None = None
    pages: str | None = None
    accessed: str | None = None


@dataclass(frozen=True)
class Sector:
    key: str
    prefix: str
    vsic: str
    name: Text
    cross_cutting: bool = False
    """Shared by every sector (utilities): each sector book prints its measures too."""


@dataclass(frozen=True)
class Measure:
    id: str
    sector: str
    process_stage: Text
    technique: str
    complexity: int
    title: Text
    summary: Text
    description: Text
    investment_vnd: Range
    savings: dict[str, Range]
    savings_basis: Text | None
    payback_years: Range
    figure_basis: str
    figure_note: Text | None
    environmental_benefits: Text
    applicability: Text
    related: tuple[str, ...]
    also_in: tuple[str, ...]
    """Other sectors where the measure commonly applies (listed on their pages)."""
    sources: tuple[Source, ...]
    reviewed: dt.date
    reviewer: str
    path: str

    @property
    def slug(self) -> str:
        """URL segment: /measures/<slug>/ in both languages."""
        return self.id.lower()

    @property
    def money_vnd_per_year(self) -> Range | None:
        return self.savings.get("money_vnd_per_year")


@dataclass
class Catalogue:
    """All sectors and measures, in a stable order (sector list order, then id),
    with the enumerations of the schema they were validated against."""

    sectors: list[Sector]
    measures: list[Measure]
    vocabulary: Vocabulary
    moved: dict[str, str] = field(default_factory=dict)
    """Retired id → the id it forwards to (measures/moved.yml)."""

    @cached_property
    def by_id(self) -> dict[str, Measure]:
        return {m.id: m for m in self.measures}

    @cached_property
    def sector_by_key(self) -> dict[str, Sector]:
        return {s.key: s for s in self.sectors}

    def in_sector(self, key: str) -> list[Measure]:
        return [m for m in self.measures if m.sector == key]

    def also_in_sector(self, key: str) -> list[Measure]:
        """Measures of other sectors that list `key` in also_in."""
        return [m for m in self.measures if key in m.also_in]


def _measure(data: dict, shown: str) -> Measure:
    savings = {k: Range.given(v) for k, v in data["savings"].items() if k != "basis"}
    return Measure(
        id=data["id"],
        sector=data["sector"],
        process_stage=Text.given(data["process_stage"]),
        technique=data["technique"],
        complexity=data["complexity"],
        title=Text.given(data["title"]),
        summary=Text.given(data["summary"]),
        description=Text.given(data["description"]),
        investment_vnd=Range.given(data["investment_vnd"]),
        savings=savings,
        savings_basis=Text.of(data["savings"].get("basis")),
        payback_years=Range.given(data["payback_years"]),
        figure_basis=data["figure_basis"],
        figure_note=Text.of(data.get("figure_note")),
        environmental_benefits=Text.given(data["environmental_benefits"]),
        applicability=Text.given(data["applicability"]),
        related=tuple(data.get("related") or ()),
        also_in=tuple(data.get("also_in") or ()),
        sources=tuple(Source(**s) for s in data["sources"]),
        reviewed=dt.date.fromisoformat(data["reviewed"]),
        reviewer=data.get("reviewer", ""),
        path=shown,
    )


_CACHE: dict[Path, tuple[tuple, Catalogue, dict]] = {}


def load_catalogue(measures_dir: Path, root: Path | None = None) -> Catalogue:
    """Load and validate the catalogue; raise SourceError listing every problem.

    Cached in memory on the files' names and modification times: static-i18n
    builds once per language and `mkdocs serve` rebuilds on every change. There
    is deliberately no cache on disk: a file in the working tree is written by
    whoever opened the pull request, and reading it back could hide a new
    validation rule or (with pickle) run their code. The one exception is signed
    by the build that wrote it (hand_over).
    """
    measures_dir = Path(measures_dir).resolve()
    stamp = _stamp(measures_dir)
    cached = _CACHE.get(measures_dir)
    if cached and cached[0] == stamp:
        return cached[1]
    valid = _handed_over(stamp) or _validated(measures_dir, root)
    sectors = [
        Sector(s["key"], s["prefix"], str(s.get("vsic") or ""), Text.given(s["name"]), s.get("cross_cutting") is True)
        for s in valid["sectors"]
    ]
    order = {s.key: i for i, s in enumerate(sectors)}
    measures = sorted(
        (_measure(data, shown) for shown, data in valid["records"]), key=lambda m: (order[m.sector], m.id)
    )
    catalogue = Catalogue(sectors, measures, vocabulary(load_schema(measures_dir)), dict(valid["moved"]))
    _CACHE[measures_dir] = (stamp, catalogue, valid)
    return catalogue


def _validated(measures_dir: Path, root: Path | None) -> dict:
    """The validated sources as plain data: sectors, (shown path, record) pairs, forwards."""
    report = validate_catalogue(measures_dir, root=root)
    if report.problems:
        raise SourceError(report.problems)
    return {
        "sectors": report.sectors,
        "records": [(r.shown, r.data) for r in report.records],
        "moved": {k: v.to for k, v in report.moved.items()},
    }


def _stamp(measures_dir: Path) -> tuple:
    return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in measures_dir.rglob("*") if p.is_file()))


HANDOVER_ENV = "CPKB_CATALOGUE"
"""How `cpkb build` hands its validated catalogue to the MkDocs processes it starts:
"<file>:<key>", a file it wrote and the HMAC key that signs it."""


def hand_over(measures_dir: Path, folder: Path, root: Path | None = None) -> str:
    """Write the validated catalogue for the child processes of this build; return
    the value of HANDOVER_ENV for them.

    At 10,000 measures each MkDocs process would otherwise spend 13 s validating
    what the build has just validated. The file is JSON (data, never code),
    signed with a key that only this process and its children know (it lives in
    their environment): a file planted in the working tree, or this one edited,
    fails the signature and the child validates the sources itself."""
    measures_dir = Path(measures_dir).resolve()
    load_catalogue(measures_dir, root)
    stamp, _, valid = _CACHE[measures_dir]
    key = secrets.token_bytes(32)
    data = json.dumps({"stamp": stamp, **valid}, ensure_ascii=False, allow_nan=False).encode("utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "catalogue.json"
    path.write_bytes(hmac.new(key, data, hashlib.sha256).digest() + data)
    return f"{path}:{key.hex()}"


def _handed_over(stamp: tuple) -> dict | None:
    """The validated sources our parent build handed over, when the signature holds
    and they were read from exactly the files there are now (names and times)."""
    path, _, key = os.environ.get(HANDOVER_ENV, "").rpartition(":")
    try:
        blob = Path(path).read_bytes() if path else b""
        signature, data = blob[:32], blob[32:]
        if not data or not hmac.compare_digest(signature, hmac.new(bytes.fromhex(key), data, hashlib.sha256).digest()):
            return None
        valid = json.loads(data)
    except (OSError, ValueError):
        return None
    return valid if tuple(map(tuple, valid.pop("stamp"))) == stamp else None


COST_BANDS = (("none", 10e6), ("low", 100e6), ("medium", 1e9), ("high", float("inf")))
"""Investment bands for filtering, by the middle of the range (upper bounds, VND)."""
PAYBACK_BANDS = (("quick", 1.0), ("medium", 3.0), ("long", float("inf")))
"""Payback bands for filtering, by the middle of the range (upper bounds, years)."""


SAVINGS_BANDS = (("small", 100e6), ("medium", 1e9), ("large", float("inf")))
"""Bands of money saved per year, by the middle of the range (upper bounds, VND).
Money is comparable across measures; percentages are not (each has its own scope)."""


def savings_band(measure: Measure, money_kind: str) -> str | None:
    """The band of money saved per year, or None when the measure states no amount."""
    rng = measure.savings.get(money_kind)
    return None if rng is None else next(key for key, upper in SAVINGS_BANDS if rng.mid < upper)


def cost_band(measure: Measure) -> str:
    return next(key for key, upper in COST_BANDS if measure.investment_vnd.mid < upper)


def payback_band(measure: Measure) -> str:
    return next(key for key, upper in PAYBACK_BANDS if measure.payback_years.mid < upper)
