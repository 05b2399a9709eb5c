"""Check measure files against the schema and the rules the schema cannot express.

Every problem of a run is collected (never just the first), with the file,
line, column, field path, offending value, what is allowed and a hint.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import multiprocessing
import os
import re
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

import jsonschema
import jsonschema_rs

from cpkb.source.crossfile import Record, check_cross_file
from cpkb.source.problems import Problem, display_path
from cpkb.source.datafile import Reporter, check_data_file, check_texts, package_schema, read_document
from cpkb.source.explain import explain
from cpkb.source.moved import Moved, load_moved
from cpkb.source.textrules import MEASURE_SCHEMES
from cpkb.source.yamlfile import Document

SCHEMA_FILE = "schema.json"
SECTORS_FILE = "sectors.yml"

PAYBACK_TOLERANCE = 2.0
"""The stated payback may differ from investment ÷ money savings by this factor
either way: ranges are indicative and savings often include more than money."""


@dataclass
class Report:
    """The outcome of a validation run."""

    records: list[Record] = field(default_factory=list)
    sectors: list[dict] = field(default_factory=list)
    moved: dict[str, Moved] = field(default_factory=dict)
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


def validate_catalogue(measures_dir: Path, only: Iterable[Path] | None = None, root: Path | None = None) -> Report:
    """Validate the catalogue in `measures_dir`.

    With `only`, problems are reported for those files alone, but cross-file
    rules (unique ids, related ids) still see the whole catalogue.
    """
    measures_dir = Path(measures_dir)
    root = root or measures_dir.parent
    report = Report(root=root)
    report.sectors = _load_sectors(measures_dir, report, root)
    report.moved = load_moved(measures_dir, root, report.problems)
    files = measure_files(measures_dir)
    report.files_checked = len(files)
    for records, problems in _check_files_in_parallel(measures_dir, root, report.sectors, files):
        report.records += records
        report.problems += problems
    check_cross_file(report.records, report.moved, report.root, report.problems)
    if only is not None:
        wanted = {Path(p).resolve() for p in only}
        keep_dirs = [w for w in wanted if w.is_dir()]

        def selected(problem: Problem) -> bool:
            target = (root / problem.file).resolve() if not Path(problem.file).is_absolute() else Path(problem.file)
            return target in wanted or any(d in target.parents for d in keep_dirs)

        report.problems = [p for p in report.problems if selected(p)]
    report.problems.sort()
    return report


PARALLEL_FROM = {"fork": 600, "spawn": 2000}
"""From this many measure files, they are checked in one process per core. A
spawned process costs about 0.3 s to start (Python, cpkb, jsonschema), a forked
one a few milliseconds; either way its records cost 0.2 s per 1,000 to send
back. So a spawned pool pays from about 2,000 files, a forked one from about 600
(1,000 files: 0.83 s in one process, 0.6 s in two)."""


def _check_files_in_parallel(
    measures_dir: Path, root: Path, sectors: list[dict], files: list[Path]
) -> list[tuple[list[Record], list[Problem]]]:
    """The records and problems of `files`, in their order, from consecutive slices:
    this process checks the first while the pool checks the others."""
    method = _start_method()
    jobs = min(os.cpu_count() or 1, len(files) * 2 // PARALLEL_FROM[method])
    if jobs < 2:
        return [check_files(measures_dir, root, sectors, files)]
    size = -(-len(files) // jobs)
    slices = [files[i : i + size] for i in range(0, len(files), size)]
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=len(slices) - 1, mp_context=context) as pool:
        later = [pool.submit(check_files, measures_dir, root, sectors, part) for part in slices[1:]]
        first = check_files(measures_dir, root, sectors, slices[0])
        return [first] + [future.result() for future in later]


def _start_method() -> str:
    """Fork when this process has no other thread (a command line run), else
    spawn: a thread of the caller (MkDocs, a test session driving Chromium, a
    native library's pool) can hold a lock at fork time, and the child then waits
    forever. Linux lists a process's threads in /proc/self/task."""
    try:
        alone = len(os.listdir("/proc/self/task")) == 1
    except OSError:
        alone = False
    return "fork" if alone and "fork" in multiprocessing.get_all_start_methods() else "spawn"


def check_files(
    measures_dir: Path, root: Path, sectors: list[dict], files: list[Path]
) -> tuple[list[Record], list[Problem]]:
    """Check each file on its own (schema, texts, identity, values): its record when
    it parsed as a mapping, and every problem found. Cross-file rules come after."""
    report = Report(root=root, sectors=sectors)
    validator = SchemaCheck(load_schema(measures_dir))
    for path in files:
        record = _check_file(path, display_path(path, root), validator, report)
        if record:
            report.records.append(record)
    return report.records, report.problems


def _load_sectors(measures_dir: Path, report: Report, root: Path) -> list[dict]:
    """The sectors of measures/sectors.yml that are valid (schema, unique key and prefix)."""
    path = measures_dir / SECTORS_FILE
    shown = display_path(path, root)
    if not path.exists():
        report.problems.append(
            Problem(
                shown,
                1,
                1,
                "",
                "the sector list is missing",
                f"create {shown}: a list of sectors with key, prefix, vsic and name {{vi, en}}",
            )
        )
        return []
    schema = package_schema("sectors")
    before = len(report.problems)
    doc = check_data_file(path, shown, root, schema, report.problems)
    if doc is None or not isinstance(doc.data, list):
        return []
    bad = {p.field.split("]")[0] for p in report.problems[before:] if p.file == shown and p.field.startswith("[")}
    first: dict[tuple[str, str], int] = {}
    good = []
    for i, sector in enumerate(doc.data):
        if f"[{i}" in bad or not isinstance(sector, dict):
            continue
        clash = False
        for fld in ("key", "prefix"):
            line, col = doc.position((i, fld))
            seen = first.setdefault((fld, sector[fld]), line)
            if seen != line:
                clash = True
                report.problems.append(
                    Problem(
                        shown,
                        line,
                        col,
                        f"[{i}].{fld}",
                        f"duplicate sector {fld} '{sector[fld]}' (first on line {seen})",
                        f"each sector needs its own {fld}",
                    )
                )
        if not clash:
            good.append(sector)
    return good


class SchemaCheck:
    """The schema check of a record: jsonschema for the errors, jsonschema-rs first.

    jsonschema-rs (compiled) decides "valid" about fifty times faster, and almost
    every record is valid; only a record it does not pass (or cannot read: a
    non-text key) goes through jsonschema, whose errors `explain` turns into
    messages. The fast path can only skip work, never add a problem: where the two
    libraries differ (regular expressions: ECMA against Python's), jsonschema-rs is
    the stricter, and tests/test_validate.py checks the hostile corpus agrees."""

    def __init__(self, schema: dict):
        self.slow = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
        self.fast = jsonschema_rs.validator_for(schema, validate_formats=True)

    def errors(self, data: Any) -> Iterable[jsonschema.ValidationError]:
        try:
            if self.fast.is_valid(data):
                return ()
        except ValueError:  # a key jsonschema-rs cannot take (not a string)
            pass
        return self.slow.iter_errors(data)


def _check_file(path: Path, shown: str, validator: SchemaCheck, report: Report) -> Record | None:
    """Check one file; its Record when it parsed as a mapping (problems are in the report)."""
    problem = Reporter(shown, report.problems)
    doc = read_document(path, Path(report.root), problem)
    if doc is None:
        return None
    if not isinstance(doc.data, dict):
        problem(
            (),
            "a measure file must be a YAML mapping of fields",
            "start from a copy of an existing measure or run `cpkb new`",
        )
        return None
    for error in validator.errors(doc.data):
        message, hint, at = explain(error)
        problem(at, message, hint, doc)
    check_texts(doc, problem, MEASURE_SCHEMES)
    _check_identity(doc, path, report, problem)
    _check_values(doc, problem)
    _check_payback(doc.data, doc, problem)
    return Record(path, shown, doc)


def _check_identity(doc: Document, path: Path, report: Report, problem: Reporter) -> None:
    """The id matches the file name and the sector's prefix; the sector exists and is the folder."""
    data = doc.data
    measure_id = data.get("id")
    if isinstance(measure_id, str) and measure_id != path.stem:
        problem(
            ("id",),
            f"id '{measure_id}' does not match the file name '{path.name}'",
            f"rename the file to {measure_id}.yml or change the id to {path.stem}",
            doc,
        )
    sector_key = data.get("sector")
    sectors = {s["key"]: s for s in report.sectors}
    if not isinstance(sector_key, str):
        return
    if sector_key not in sectors:
        close = difflib.get_close_matches(sector_key, sectors, n=1)
        problem(
            ("sector",),
            f"unknown sector '{sector_key}'; allowed: {', '.join(sectors)}",
            f"did you mean '{close[0]}'?" if close else "add the sector to measures/sectors.yml first",
            doc,
        )
        return
    prefix = sectors[sector_key]["prefix"]
    if isinstance(measure_id, str) and not measure_id.startswith(prefix + "-"):
        problem(
            ("id",),
            f"id '{measure_id}' does not start with the prefix '{prefix}-' of sector '{sector_key}'",
            f"use an id like {prefix}-001 (the next free one: `cpkb new --sector {sector_key}`)",
            doc,
        )
    for i, other in enumerate(data.get("also_in") or ()):
        if isinstance(other, str) and (other not in sectors or other == sector_key):
            problem(
                ("also_in", i),
                f"'{other}' is {'the measure’s own sector' if other == sector_key else 'not a sector'}",
                "list other sectors' keys from measures/sectors.yml"
                if other == sector_key
                else f"allowed: {', '.join(k for k in sectors if k != sector_key)}",
                doc,
            )
    if path.parent.name != sector_key:
        problem(
            ("sector",),
            f"the file is in folder '{path.parent.name}' but its sector is '{sector_key}'",
            f"move the file to measures/{sector_key}/",
            doc,
        )


def _check_values(doc: Document, problem: Reporter) -> None:
    """Ranges in order, the review date not in the future, well-formed source addresses."""
    data = doc.data
    for at, rng in _ranges(data):
        lo, hi = rng.get("min"), rng.get("max")
        if (
            isinstance(lo, (int, float))
            and isinstance(hi, (int, float))
            and _is_number(lo)
            and _is_number(hi)
            and lo > hi
        ):
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
                problem(
                    ("sources", i, "url"),
                    f"'{url}' is not a well-formed web address",
                    "give the full address, e.g. https://www.unep.org/...",
                    doc,
                )


def _check_payback(data: dict, doc: Document, problem: Reporter) -> None:
    inv, pb = data.get("investment_vnd"), data.get("payback_years")
    money = (data.get("savings") or {}).get("money_vnd_per_year") if isinstance(data.get("savings"), dict) else None
    if not (isinstance(inv, dict) and isinstance(pb, dict) and isinstance(money, dict)) or not all(
        _is_number(r.get("min")) and _is_number(r.get("max")) for r in (inv, pb, money)
    ):
        return
    if money["max"] <= 0 or inv["max"] <= 0:
        return
    implied_lo = inv["min"] / money["max"]
    implied_hi = inv["max"] / money["min"] if money["min"] > 0 else float("inf")
    if pb["max"] * PAYBACK_TOLERANCE < implied_lo or pb["min"] / PAYBACK_TOLERANCE > implied_hi:
        hi = "∞" if implied_hi == float("inf") else f"{implied_hi:.2g}"
        problem(
            ("payback_years",),
            f"payback {_num(pb['min'])}–{_num(pb['max'])} years does not fit investment ÷ money savings "
            f"= {implied_lo:.2g}–{hi} years (tolerance ×{PAYBACK_TOLERANCE:g})",
            "check the units (VND, per year) of investment_vnd and savings.money_vnd_per_year",
            doc,
        )


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
