"""Read and validate the support data: consultants, funding, cases, events, awards.

One YAML file per entry under handbook/support/<kind>/, checked against
handbook/support/schemas/<kind>.schema.json. The per-file checks are the
measures' own (cpkb.source.validate: schema errors explained for editors with
file:line:col, NFC, invisible characters, link targets, id = file name, dates
not in the future, well-formed source addresses); this module adds the rules
that tie an entry to the catalogue (sector keys, measure ids) and to time
(a source checked in the future, an event that ends before it starts).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


from cpkb.source.problems import Problem, SourceError, display_path
from cpkb.source.datafile import strings
from cpkb.source.validate import Report, SchemaCheck, _check_file

SUPPORT_DIR = Path("handbook") / "support"
SCHEMAS_DIR = SUPPORT_DIR / "schemas"
KINDS = ("consultants", "funding", "cases", "events", "awards")
"""Every kind of support entry, in the order the site and the downloads show them."""


@dataclass(frozen=True)
class Entry:
    """One support file that validated: its kind, the path shown to editors and its data."""

    kind: str
    shown: str
    data: dict

    @property
    def id(self) -> str:
        return self.data["id"]


@dataclass
class Support:
    """All support entries by kind (sorted by id), plus what a run checked."""

    entries: dict[str, tuple[Entry, ...]] = field(default_factory=lambda: {k: () for k in KINDS})
    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0

    def of(self, kind: str) -> tuple[Entry, ...]:
        return self.entries.get(kind, ())

    @property
    def empty(self) -> bool:
        return not any(self.entries.values())


def schema_path(root: Path, kind: str) -> Path:
    return Path(root) / SCHEMAS_DIR / f"{kind}.schema.json"


@lru_cache(maxsize=16)
def _schema(path: Path, mtime: int) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def load_support_schema(root: Path, kind: str) -> dict | None:
    """The JSON Schema of `kind`, or None when the project has none (no support data)."""
    path = schema_path(root, kind)
    return _schema(path, path.stat().st_mtime_ns) if path.exists() else None


def support_files(root: Path, kind: str) -> list[Path]:
    """handbook/support/<kind>/*.yml, sorted."""
    folder = Path(root) / SUPPORT_DIR / kind
    return sorted(p for p in folder.glob("*.y*ml") if p.suffix in (".yml", ".yaml")) if folder.is_dir() else []


def validate_support(
    root: Path,
    measure_ids: Iterable[str] | None = None,
    sector_keys: Iterable[str] | None = None,
    only: Iterable[Path] | None = None,
) -> Support:
    """Validate every support file of the project at `root`.

    `measure_ids` and `sector_keys` are what cases and consultants may refer
    to; by default they are read from measures/. With `only`, problems are
    kept for those files or folders alone.
    """
    root = Path(root)
    if sector_keys is None or measure_ids is None:
        from cpkb.source.validate import validate_catalogue

        catalogue = validate_catalogue(root / "measures", root=root)
        sector_keys = [s["key"] for s in catalogue.sectors] if sector_keys is None else sector_keys
        measure_ids = [str(r.data.get("id")) for r in catalogue.records] if measure_ids is None else measure_ids
    sectors, measures = set(sector_keys), set(measure_ids)
    support = Support()
    for kind in KINDS:
        files = support_files(root, kind)
        schema = load_support_schema(root, kind)
        if schema is None:
            if files:
                shown = display_path(schema_path(root, kind), root)
                support.problems.append(
                    Problem(
                        shown, 1, 1, "", f"the schema for {kind} is missing", f"restore {shown} from the repository"
                    )
                )
            continue
        _check_kind(support, kind, files, schema, root, sectors, measures)
    if only is not None:
        wanted = [Path(p).resolve() for p in only]
        support.problems = [
            p
            for p in support.problems
            if any((root / p.file).resolve() == w or w in (root / p.file).resolve().parents for w in wanted)
        ]
    support.problems.sort()
    return support


def _check_kind(
    support: Support, kind: str, files: list[Path], schema: dict, root: Path, sectors: set[str], measures: set[str]
) -> None:
    """Check the files of one kind; keep in `support` the entries without problems."""
    validator = SchemaCheck(schema)
    # The measures' checker reads sectors from the report: support files have
    # no `sector` field (they list `sectors`), so it never applies its
    # measure-only folder and prefix rules to them.
    report = Report(root=root)
    good = []
    for path in files:
        support.files_checked += 1
        shown = display_path(path, root)
        before = len(report.problems)
        record = _check_file(path, shown, validator, report)
        if record is None:
            continue
        _check_links(kind, record.doc, record.data, shown, sectors, measures, report.problems)
        if len(report.problems) == before:
            good.append(Entry(kind, shown, record.data))
    _check_unique(good, report.problems)
    support.problems.extend(report.problems)
    support.entries[kind] = tuple(sorted(good, key=lambda e: e.id))


def load_support(
    root: Path, measure_ids: Iterable[str] | None = None, sector_keys: Iterable[str] | None = None
) -> Support:
    """The validated support data; raises SourceError listing every problem."""
    support = validate_support(root, measure_ids, sector_keys)
    if support.problems:
        raise SourceError(support.problems)
    return support


def _check_links(
    kind: str, doc, data: dict, shown: str, sectors: set[str], measures: set[str], problems: list[Problem]
) -> None:
    def problem(at: tuple, message: str, hint: str) -> None:
        line, col = doc.position(at)
        from cpkb.source.problems import dotted

        problems.append(Problem(shown, line, col, dotted(at), message, hint))

    for i, key in enumerate(data.get("sectors") or []):
        if isinstance(key, str) and key not in sectors:
            close = difflib.get_close_matches(key, sectors, n=1)
            problem(
                ("sectors", i),
                f"unknown sector '{key}'; allowed: {', '.join(sorted(sectors))}",
                f"did you mean '{close[0]}'?" if close else "use a key of measures/sectors.yml",
            )
    for i, mid in enumerate(data.get("measures") or []):
        if isinstance(mid, str) and mid not in measures:
            close = difflib.get_close_matches(mid, measures, n=1)
            problem(
                ("measures", i),
                f"measure '{mid}' does not exist",
                f"did you mean '{close[0]}'?" if close else "give the id of a measure in measures/",
            )
    for at, value in strings(data):
        if PLACEHOLDER in value:
            problem(
                at, f"the placeholder {PLACEHOLDER} is still here", "replace it with the real value from the source"
            )
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    for list_name in ("sources", "legal_basis"):
        for i, item in enumerate(data.get(list_name) or []):
            checked = _day(item.get("checked")) if isinstance(item, dict) else None
            if checked and checked > tomorrow:
                problem(
                    (list_name, i, "checked"),
                    f"{checked.isoformat()} is in the future",
                    "give the day you read the source",
                )
    if kind == "events":
        start, end = _day(data.get("start")), _day(data.get("end"))
        if start and end and end < start:
            problem(("end",), f"the event ends ({end}) before it starts ({start})", "swap start and end")


def _check_unique(entries: list[Entry], problems: list[Problem]) -> None:
    # Ids equal file names (checked per file), so duplicates only arise across
    # .yml/.yaml twins; report them rather than let one silently win.
    seen: dict[str, Entry] = {}
    for e in entries:
        if e.id in seen:
            problems.append(
                Problem(
                    e.shown,
                    1,
                    1,
                    "id",
                    f"duplicate id '{e.id}', already used by {seen[e.id].shown}",
                    "rename one of the two files",
                )
            )
        seen.setdefault(e.id, e)


def _day(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


PLACEHOLDER = "TODO"
"""What a skeleton (`cpkb new --kind ...`) writes where the editor must give a
real value; the validator refuses it, so no placeholder is ever published."""


def skeleton_yaml(root: Path, kind: str, entry_id: str, today: dt.date | None = None) -> str:
    """A new entry of `kind`, generated from its schema: every required field
    (and the optional ones, commented) with placeholders to replace."""
    schema = load_support_schema(root, kind)
    if schema is None:
        raise FileNotFoundError(schema_path(root, kind))
    day = (today or dt.date.today()).isoformat()
    required = schema.get("required", [])
    lines = [
        f"# yaml-language-server: $schema=../schemas/{kind}.schema.json",
        f"# A new {kind} entry: replace every {PLACEHOLDER}; cite a public source that shows it, with the day you checked it.",
        "# Optional fields are commented out; see the field reference page.",
    ]
    props = schema["properties"]
    order = [n for n in props if n not in ("sources", "reviewed")] + [n for n in ("sources", "reviewed") if n in props]
    for name in order:
        node = props[name]
        value = _skeleton_value(name, node, entry_id, day)
        text = f"{name}: {value}" if not value.startswith("\n") else f"{name}:{value}"
        if name in required:
            lines.append(text)
        else:
            lines.extend("# " + line for line in text.split("\n"))
    return "\n".join(lines) + "\n"


def _skeleton_value(name: str, node: dict, entry_id: str, day: str) -> str:
    if name == "id":
        return entry_id
    if node.get("type") == "object" and set(node.get("properties", {})) == {"vi", "en"}:
        return f'{{vi: "{PLACEHOLDER}", en: "{PLACEHOLDER}"}}'
    if node.get("enum"):
        return f"{node['enum'][0]}  # one of: {', '.join(map(str, node['enum']))}"
    if node.get("format") == "date":
        return day
    if node.get("type") == "array":
        items = node.get("items", {})
        if items.get("type") == "object":
            props = items.get("properties", {})
            fields = []
            for key, sub in props.items():
                if key in items.get("required", []):
                    if set(sub.get("properties", {})) == {"vi", "en"}:
                        fields.append(f'{key}: {{vi: "{PLACEHOLDER}", en: "{PLACEHOLDER}"}}')
                    elif sub.get("format") == "date":
                        fields.append(f"{key}: {day}")
                    elif sub.get("type") == "integer":
                        fields.append(f"{key}: {day[:4]}")
                    elif key == "url":
                        fields.append(f"{key}: https://{PLACEHOLDER}")
                    else:
                        fields.append(f'{key}: "{PLACEHOLDER}"')
            return "\n  - " + "\n    ".join(fields)
        if items.get("enum"):
            return f"[{items['enum'][0]}]  # any of: {', '.join(map(str, items['enum']))}"
        return "[]"
    if node.get("type") == "boolean":
        return "false"
    if node.get("type") in ("number", "integer"):
        return "0"
    if node.get("pattern", "").startswith("^https?"):
        return f"https://{PLACEHOLDER}"
    return f'"{PLACEHOLDER}"'
