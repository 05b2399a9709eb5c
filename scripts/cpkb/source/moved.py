"""Retired measure ids (measures/moved.yml): a measure merged into another keeps
its public address, which forwards to the measure that replaced it.

A retired id is never used again, and nothing in the sources may still point at
it: `related:` entries and `measure:` links name the measure it moved to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cpkb.source.datafile import check_data_file, package_schema
from cpkb.source.problems import Problem, display_path

MOVED_FILE = "moved.yml"


@dataclass(frozen=True)
class Moved:
    """One retired id, where it went, when and why ({vi, en})."""

    id: str
    to: str
    date: dt.date
    reason: dict
    line: int
    column: int


def load_moved(measures_dir: Path, root: Path, problems: list[Problem]) -> dict[str, Moved]:
    """The retired ids of measures/moved.yml (none when the file is absent); problems
    (schema, a duplicate id) go to `problems`."""
    path = measures_dir / MOVED_FILE
    if not path.exists():
        return {}
    shown = display_path(path, root)
    before = len(problems)
    doc = check_data_file(path, shown, root, package_schema("moved"), problems)
    if doc is None or not isinstance(doc.data, list) or len(problems) > before:
        return {}
    moved: dict[str, Moved] = {}
    for i, entry in enumerate(doc.data):
        line, col = doc.position((i, "id"))
        if entry["id"] in moved:
            problems.append(
                Problem(
                    shown, line, col, f"[{i}].id", f"'{entry['id']}' is listed twice", "keep one entry per retired id"
                )
            )
            continue
        moved[entry["id"]] = Moved(
            entry["id"], entry["to"], dt.date.fromisoformat(entry["date"]), entry["reason"], line, col
        )
    return moved


def check_moved(moved: dict[str, Moved], shown: str, ids: dict[str, str], problems: list[Problem]) -> None:
    """Each retired id has no file any more and forwards to a measure that exists.

    `ids` maps every measure id of the catalogue to the file that holds it."""
    for entry in moved.values():
        if entry.id in ids:
            problems.append(
                Problem(
                    shown,
                    entry.line,
                    entry.column,
                    "id",
                    f"'{entry.id}' is retired (merged into {entry.to}) but {ids[entry.id]} still uses it",
                    "a retired id is never used again: give the measure the next free id of its sector",
                )
            )
        if entry.to not in ids:
            hint = (
                f"'{entry.to}' is itself retired: forward to {moved[entry.to].to}"
                if entry.to in moved
                else "name the measure that replaces it"
            )
            problems.append(
                Problem(
                    shown,
                    entry.line,
                    entry.column,
                    "to",
                    f"'{entry.id}' forwards to '{entry.to}', which does not exist",
                    hint,
                )
            )


def retired_hint(moved: dict[str, Moved], measure_id: str) -> str | None:
    """How to fix a reference to a retired id, or None when the id is not retired."""
    entry = moved.get(measure_id)
    return f"'{measure_id}' was merged into {entry.to} on {entry.date.isoformat()}: write {entry.to}" if entry else None
