"""The rules across measure files: ids are unique, related ids exist and are not
the measure itself, and every `measure:` link in a text names a current measure.

They need the whole catalogue, so validate.py runs them after reading every file.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from cpkb.source.datafile import strings
from cpkb.source.moved import MOVED_FILE, Moved, check_moved, retired_hint
from cpkb.source.problems import Problem, display_path, dotted
from cpkb.source.textrules import MEASURE_LINK
from cpkb.source.yamlfile import Document


@dataclass
class Record:
    """One measure file that parsed: its path (as shown to users) and its document."""

    path: Path
    shown: str
    doc: Document

    @property
    def data(self) -> dict:
        return self.doc.data


def check_cross_file(records: list[Record], moved: dict[str, Moved], root: Path, problems: list[Problem]) -> None:
    """Add to `problems` what breaks a rule across the files of `records`."""
    first_seen = _check_unique_ids(records, problems)
    check_moved(
        moved,
        display_path(Path(root) / "measures" / MOVED_FILE, root),
        {i: r.shown for i, r in first_seen.items()},
        problems,
    )
    for record in records:
        _check_measure_links(record, first_seen, moved, problems)
        _check_related(record, first_seen, moved, problems)


def _check_unique_ids(records: list[Record], problems: list[Problem]) -> dict[str, Record]:
    """Each id names one measure; the first record of each id."""
    first_seen: dict[str, Record] = {}
    for record in records:
        measure_id = record.data.get("id")
        if not isinstance(measure_id, str):
            continue
        if measure_id in first_seen:
            line, col = record.doc.position(("id",))
            problems.append(
                Problem(
                    record.shown,
                    line,
                    col,
                    "id",
                    f"duplicate id '{measure_id}', already used by {first_seen[measure_id].shown}",
                    "give this measure the next free id of its sector",
                )
            )
        else:
            first_seen[measure_id] = record
    return first_seen


def _check_related(
    record: Record, first_seen: dict[str, Record], moved: dict[str, Moved], problems: list[Problem]
) -> None:
    """`related:` names other measures that exist and are not retired."""
    related = record.data.get("related")
    if not isinstance(related, list):
        return
    for i, other in enumerate(related):
        if not isinstance(other, str):
            continue
        line, col = record.doc.position(("related", i))
        if other == record.data.get("id"):
            problems.append(
                Problem(
                    record.shown,
                    line,
                    col,
                    f"related[{i}]",
                    "a measure cannot be related to itself",
                    "remove this entry",
                )
            )
        elif other in moved:
            problems.append(
                Problem(
                    record.shown,
                    line,
                    col,
                    f"related[{i}]",
                    f"related measure '{other}' is retired",
                    retired_hint(moved, other) or "",
                )
            )
        elif other not in first_seen:
            close = difflib.get_close_matches(other, first_seen, n=1)
            problems.append(
                Problem(
                    record.shown,
                    line,
                    col,
                    f"related[{i}]",
                    f"related measure '{other}' does not exist",
                    f"did you mean '{close[0]}'?" if close else "remove it or add that measure",
                )
            )


def _check_measure_links(
    record: Record, first_seen: dict[str, Record], moved: dict[str, Moved], problems: list[Problem]
) -> None:
    """`measure:` links in a record's texts name a measure that exists and is not retired
    (the site and the PDF would refuse them later, without the line)."""
    for at, value in strings(record.data):
        for match in MEASURE_LINK.finditer(value):
            target = match.group(1).upper()
            hint = retired_hint(moved, target)
            if not hint and target in first_seen:
                continue
            line, col = record.doc.locate(at, match.group(0))
            if hint:
                problems.append(
                    Problem(record.shown, line, col, dotted(at), f"link to retired measure '{match.group(1)}'", hint)
                )
            else:
                close = difflib.get_close_matches(target, first_seen, n=1)
                problems.append(
                    Problem(
                        record.shown,
                        line,
                        col,
                        dotted(at),
                        f"link to unknown measure '{match.group(1)}'",
                        f"did you mean '{close[0]}'?" if close else "check the id: `ls measures/*/` lists them",
                    )
                )
