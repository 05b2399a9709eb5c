"""Check measure files against the schema and the rules the schema cannot express.

Every problem of a run is collected (never just the first), with the file,
line, column, field path, offending value, what is allowed and a hint.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

import jsonschema

from cpkb import LANGUAGES
from cpkb.source.problems import Problem, display_path, dotted
from cpkb.source.explain import explain
from cpkb.source.textrules import MEASURE_SCHEMES, path_problem, text_problems
from cpkb.source.yamlfile import Document, YamlError, parse_yaml

SCHEMA_FILE = "schema.json"
SECTORS_FILE = "sectors.yml"

PAYBACK_TOLERANCE = 2.0
"""The stated payback may differ from investment ÷ money savings by this factor
either way: ranges are indicative and savings often include more than money."""

@dataclass
class Record:
    """One measure file that parsed: its path (as shown to users) and its document."""

    path: Path
    shown: str
    doc: Document

    @property
    def data(self) -> dict:
        return self.doc.data


@dataclass
class Report:
    """The outcome of a validation run."""

    records: list[Record] = field(default_factory=list)
    sectors: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0
    root: Path = Path(".")


@lru_cache(maxsize=4)
def load_schema(measures_dir: Path) -> dict:
    """The measure schema: the single source of truth for the record format."""
    return json.loads((measures_dir / SCHEMA_FILE).read_text(encoding="utf-8"))


def measure_files(measures_dir: Path) -> list[Path]:
    """All measure files: measures/<sector>/<ID>.yml, sorted."""
    return sorted(p for p in measures_dir.glob("*/*.y*ml") if p.suffix in (".yml", ".yaml"))


def validate_catalogue(measures_dir: Path, only: Iterable[Path] | None = None,
                       root: Path | None = None) -> Report:
    """Validate the catalogue in `measures_dir`.

    With `only`, problems are reported for those files alone, but cross-file
    rules (unique ids, related ids) still see the whole catalogue.
    """
    measures_dir = Path(measures_dir)
    root = root or measures_dir.parent
    report = Report(root=root)
    report.sectors = _load_sectors(measures_dir, report, root)
    schema = load_schema(measures_dir)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for path in measure_files(measures_dir):
        report.files_checked += 1
        record = _check_file(path, display_path(path, root), validator, report)
        if record:
            report.records.append(record)
    _check_cross_file(report)
    if only is not None:
        wanted = {Path(p).resolve() for p in only}
        keep_dirs = [w for w in wanted if w.is_dir()]
        def selected(problem: Problem) -> bool:
            target = (root / problem.file).resolve() if not Path(problem.file).is_absolute() else Path(problem.file)
            return target in wanted or any(d in target.parents for d in keep_dirs)
        report.problems = [p for p in report.problems if selected(p)]
    report.problems.sort()
    return report


def _load_sectors(measures_dir: Path, report: Report, root: Path) -> list[dict]:
    path = measures_dir / SECTORS_FILE
    shown = display_path(path, root)
    if not path.exists():
        report.problems.append(Problem(shown, 1, 1, "", "the sector list is missing",
                                       f"create {shown}: a list of sectors with key, prefix, vsic and name {{vi, en}}"))
        return []
    try:
        doc = parse_yaml(path.read_text(encoding="utf-8"))
    except YamlError as err:
        report.problems.append(Problem(shown, err.line, err.column, "", err.message, err.hint))
        return []
    sectors = doc.data if isinstance(doc.data, list) else []
    seen_keys: dict[str, int] = {}
    seen_prefixes: dict[str, int] = {}
    good = []
    for i, sector in enumerate(sectors):
        line, col = doc.position((i,))
        if not isinstance(sector, dict):
            report.problems.append(Problem(shown, line, col, f"[{i}]", "a sector must be a mapping",
                                           "give key, prefix, vsic and name {vi, en}"))
            continue
        key, prefix, name = sector.get("key"), sector.get("prefix"), sector.get("name")
        errors = []
        if not isinstance(key, str) or not re.fullmatch(r"[a-z][a-z0-9-]*", key):
            errors.append(("key", f"{key!r} is not a valid sector key", "use lower-case letters, digits and hyphens, e.g. pulp-paper"))
        elif key in seen_keys:
            errors.append(("key", f"duplicate sector key '{key}' (first on line {seen_keys[key]})", "each sector key must be unique"))
        if not isinstance(prefix, str) or not re.fullmatch(r"[A-Z]{2,5}", prefix):
            errors.append(("prefix", f"{prefix!r} is not a valid id prefix", "use 2 to 5 capital letters, e.g. BEV"))
        elif prefix in seen_prefixes:
            errors.append(("prefix", f"duplicate prefix '{prefix}' (first on line {seen_prefixes[prefix]})", "each sector needs its own prefix"))
        if not isinstance(name, dict) or any(not isinstance(name.get(l), str) or not name[l].strip() for l in LANGUAGES):
            errors.append(("name", "the sector name must be given in both languages", "write name: {vi: ..., en: ...}"))
        elif set(name) - set(LANGUAGES):
            extra = sorted(set(name) - set(LANGUAGES))[0]
            errors.append(("name", f"unexpected key '{extra}' in the sector name",
                           'a comma inside {vi: ..., en: ...} splits the text: put each name in quotes'))
        unknown = sorted(set(sector) - {"key", "prefix", "vsic", "name"})
        if unknown:
            errors.append((unknown[0], f"unknown field '{unknown[0]}'", "allowed fields: key, prefix, vsic, name"))
        for fld, message, hint in errors:
            fl, fc = doc.position((i, fld))
            report.problems.append(Problem(shown, fl, fc, f"[{i}].{fld}", message, hint))
        if not errors:
            seen_keys[key] = line
            seen_prefixes[prefix] = line
            good.append(sector)
    return good


class _Reporter:
    """Problems of one file, located in its document (line 1 before it parses)."""

    def __init__(self, shown: str, report: Report):
        self.shown, self.report = shown, report

    def __call__(self, doc_path: tuple, message: str, hint: str = "", doc: Document | None = None,
                 needle: str | None = None) -> None:
        if doc is None:
            line, col = 1, 1
        else:
            line, col = doc.locate(doc_path, needle) if needle else doc.position(doc_path)
        self.report.problems.append(Problem(self.shown, line, col, dotted(doc_path), message, hint))

    def at(self, line: int, column: int, message: str, hint: str, field: str = "") -> None:
        self.report.problems.append(Problem(self.shown, line, column, field, message, hint))


def _check_file(path: Path, shown: str, validator: jsonschema.Validator, report: Report) -> Record | None:
    """Check one file; its Record when it parsed as a mapping (problems are in the report)."""
    problem = _Reporter(shown, report)
    doc = _read_document(path, Path(report.root), problem)
    if doc is None:
        return None
    if not isinstance(doc.data, dict):
        problem((), "a measure file must be a YAML mapping of fields",
                "start from a copy of an existing measure or run `cpkb new`")
        return None
    for error in validator.iter_errors(doc.data):
        message, hint, at = explain(error)
        problem(at, message, hint, doc)
    _check_texts(doc, problem)
    _check_identity(doc, path, report, problem)
    _check_values(doc, problem)
    _check_payback(doc.data, doc, problem)
    return Record(path, shown, doc)


def _read_document(path: Path, root: Path, problem: _Reporter) -> Document | None:
    """The parsed file, or None with the reason reported: a link, not UTF-8, bad YAML."""
    refused = path_problem(path, root)
    if refused:
        problem.at(1, 1, f"the file {refused}", "replace the link by a copy of the file, inside measures/<sector>/")
        return None
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        problem.at(line, column, f"the file is not valid UTF-8 (byte {err.start})",
                   "save the file as UTF-8; most editors offer it in 'Save with encoding'")
        return None
    try:
        return parse_yaml(text)
    except YamlError as err:
        problem.at(err.line, err.column, err.message, err.hint, dotted(err.path))
        return None


def _check_texts(doc: Document, problem: _Reporter) -> None:
    """NFC, the text rules (invisible characters, links, brackets), blanks, finite numbers."""
    for at, value in _strings(doc.data):
        if unicodedata.normalize("NFC", value) != value:
            word = next(w for w in value.split() if unicodedata.normalize("NFC", w) != w)
            problem(at, "text is not in Unicode NFC (decomposed accents, as some keyboards type them)",
                    "run `cpkb validate --fix` to normalise the file", doc, needle=word)
        for message, hint, needle in text_problems(value, MEASURE_SCHEMES, raw_html=False):
            problem(at, message, hint, doc, needle=needle)
        if at and at[-1] in LANGUAGES and not value.strip():
            problem(at, "the text is blank", f"write the {'Vietnamese' if at[-1] == 'vi' else 'English'} text", doc)
    for at, number in _numbers(doc.data):
        if not math.isfinite(number):
            problem(at, f"{number} is not a finite number", "write a plain number such as 12.5 (not .nan or .inf)", doc)


def _check_identity(doc: Document, path: Path, report: Report, problem: _Reporter) -> None:
    """The id matches the file name and the sector's prefix; the sector exists and is the folder."""
    data = doc.data
    measure_id = data.get("id")
    if isinstance(measure_id, str) and measure_id != path.stem:
        problem(("id",), f"id '{measure_id}' does not match the file name '{path.name}'",
                f"rename the file to {measure_id}.yml or change the id to {path.stem}", doc)
    sector_key = data.get("sector")
    sectors = {s["key"]: s for s in report.sectors}
    if not isinstance(sector_key, str):
        return
    if sector_key not in sectors:
        close = difflib.get_close_matches(sector_key, sectors, n=1)
        problem(("sector",), f"unknown sector '{sector_key}'; allowed: {', '.join(sectors)}",
                f"did you mean '{close[0]}'?" if close else "add the sector to measures/sectors.yml first", doc)
        return
    prefix = sectors[sector_key]["prefix"]
    if isinstance(measure_id, str) and not measure_id.startswith(prefix + "-"):
        problem(("id",), f"id '{measure_id}' does not start with the prefix '{prefix}-' of sector '{sector_key}'",
                f"use an id like {prefix}-001 (the next free one: `cpkb new --sector {sector_key}`)", doc)
    if path.parent.name != sector_key:
        problem(("sector",), f"the file is in folder '{path.parent.name}' but its sector is '{sector_key}'",
                f"move the file to measures/{sector_key}/", doc)


def _check_values(doc: Document, problem: _Reporter) -> None:
    """Ranges in order, the review date not in the future, well-formed source addresses."""
    data = doc.data
    for at, rng in _ranges(data):
        lo, hi = rng.get("min"), rng.get("max")
        if _is_number(lo) and _is_number(hi) and lo > hi:
            problem(at + ("min",), f"min {_num(lo)} is greater than max {_num(hi)}", "swap the two values", doc)
    reviewed = data.get("reviewed")
    if isinstance(reviewed, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", reviewed):
        try:
            day = dt.date.fromisoformat(reviewed)
        except ValueError:
            pass  # the schema's "format: date" already reports it
        else:
            if day > dt.date.today() + dt.timedelta(days=1):
                problem(("reviewed",), f"{reviewed} is in the future", "use the date of your review", doc)
    for i, source in enumerate(data.get("sources") or []):
        url = source.get("url") if isinstance(source, dict) else None
        if isinstance(url, str):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or "." not in parts.netloc or any(c.isspace() for c in url):
                problem(("sources", i, "url"), f"'{url}' is not a well-formed web address",
                        "give the full address, e.g. https://www.unep.org/...", doc)


def _check_payback(data: dict, doc: Document, problem: _Reporter) -> None:
    inv, pb = data.get("investment_vnd"), data.get("payback_years")
    money = (data.get("savings") or {}).get("money_vnd_per_year") if isinstance(data.get("savings"), dict) else None
    if not all(isinstance(r, dict) and _is_number(r.get("min")) and _is_number(r.get("max")) for r in (inv, pb, money)):
        return
    if money["max"] <= 0 or inv["max"] <= 0:
        return
    implied_lo = inv["min"] / money["max"]
    implied_hi = inv["max"] / money["min"] if money["min"] > 0 else float("inf")
    if pb["max"] * PAYBACK_TOLERANCE < implied_lo or pb["min"] / PAYBACK_TOLERANCE > implied_hi:
        hi = "∞" if implied_hi == float("inf") else f"{implied_hi:.2g}"
        problem(("payback_years",),
                f"payback {_num(pb['min'])}–{_num(pb['max'])} years does not fit investment ÷ money savings "
                f"= {implied_lo:.2g}–{hi} years (tolerance ×{PAYBACK_TOLERANCE:g})",
                "check the units (VND, per year) of investment_vnd and savings.money_vnd_per_year", doc)


def _check_cross_file(report: Report) -> None:
    first_seen: dict[str, Record] = {}
    for record in report.records:
        measure_id = record.data.get("id")
        if not isinstance(measure_id, str):
            continue
        if measure_id in first_seen:
            line, col = record.doc.position(("id",))
            report.problems.append(Problem(record.shown, line, col, "id",
                                           f"duplicate id '{measure_id}', already used by {first_seen[measure_id].shown}",
                                           "give this measure the next free id of its sector"))
        else:
            first_seen[measure_id] = record
    for record in report.records:
        related = record.data.get("related")
        if not isinstance(related, list):
            continue
        for i, other in enumerate(related):
            if not isinstance(other, str):
                continue
            line, col = record.doc.position(("related", i))
            if other == record.data.get("id"):
                report.problems.append(Problem(record.shown, line, col, f"related[{i}]",
                                               "a measure cannot be related to itself", "remove this entry"))
            elif other not in first_seen:
                close = difflib.get_close_matches(other, first_seen, n=1)
                report.problems.append(Problem(record.shown, line, col, f"related[{i}]",
                                               f"related measure '{other}' does not exist",
                                               f"did you mean '{close[0]}'?" if close else "remove it or add that measure"))


def _strings(value: Any, at: tuple = ()) -> Iterable[tuple[tuple, str]]:
    if isinstance(value, str):
        yield at, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, at + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, at + (i,))


def _numbers(value: Any, at: tuple = ()) -> Iterable[tuple[tuple, float]]:
    if isinstance(value, float):
        yield at, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _numbers(v, at + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _numbers(v, at + (i,))


def _ranges(value: Any, at: tuple = ()) -> Iterable[tuple[tuple, dict]]:
    if isinstance(value, dict):
        if "min" in value and "max" in value:
            yield at, value
        for k, v in value.items():
            yield from _ranges(v, at + (k,))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def fix_nfc(paths: Iterable[Path]) -> list[Path]:
    """Rewrite files whose text is not NFC; return those changed. Nothing else is touched."""
    changed = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        fixed = unicodedata.normalize("NFC", text)
        if fixed != text:
            path.write_text(fixed, encoding="utf-8")
            changed.append(path)
    return changed
