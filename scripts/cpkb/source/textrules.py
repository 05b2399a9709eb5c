"""Rules for every text of a source file, measures and chapters alike:
no invisible or format characters, only safe link targets, no attachments,
no pathological bracket runs; and the rule that a source is a regular file
inside the project. The sanitiser enforces the same on the output; reporting
them here gives editors file:line:col first.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from cpkb.source.urls import link_targets, safe_url

# Characters that are invisible or reorder text: in a record they are either a
# copy-paste accident or an attempt to make the page say something else. All
# control, format (Cf: U+061C, U+00AD, tag characters U+E0001...), private-use
# and unassigned code points, plus the letters and symbols that draw nothing.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5\u180b\u180c\u180d")
_BLANK_LOOKING_RE = re.compile("[" + "".join(sorted(_BLANK_LOOKING)) + "]")
_ALLOWED_CONTROLS = frozenset("\t\n\r")
MAX_BRACKET_RUN = 8
"""Longest run of '[' a text may hold: Markdown's link parser is quadratic in them."""
_BRACKETS = re.compile(r"(?:\[[ \t]*){%d,}" % (MAX_BRACKET_RUN + 1))
_ATTACHMENT = re.compile(r"""\brel\s*=\s*["']?[^"'>]*?\battachment""", re.I)
MEASURE_SCHEMES = frozenset({"measure"})
"""Besides the site-wide URL policy, a measure may link to another by id."""

MEASURE_LINK = re.compile(r"\]\(\s*measure:([A-Za-z0-9-]+)\s*\)")
"""A Markdown link to a measure by id: `[text](measure:UTL-001)`."""


def invisible_character(value: str) -> str | None:
    """The first invisible, control or format character in `value`, or None."""
    # The common case in C: str.isprintable() is false for every category refused
    # here (and for spaces other than " ", which are allowed: the exact check below
    # then judges them), so a printable text needs only the blank-looking letters.
    if value.replace("\n", "").replace("\t", "").replace("\r", "").isprintable():
        blank = _BLANK_LOOKING_RE.search(value)
        return blank.group() if blank else None
    # Each distinct character is judged once: a catalogue's texts are millions of
    # characters drawn from a few hundred (validation spent a third of its time here).
    bad = [char for char in set(value) if _invisible(char)]
    return min(bad, key=value.index) if bad else None


@lru_cache(maxsize=None)
def _invisible(char: str) -> bool:
    if char in _ALLOWED_CONTROLS:
        return False
    return char in _BLANK_LOOKING or unicodedata.category(char) in ("Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp")


def text_problems(
    value: str, extra_schemes: frozenset[str] = frozenset(), raw_html: bool = True
) -> list[tuple[str, str, str]]:
    """(message, hint, needle) for every rule a Markdown text breaks: invisible
    characters, unsafe link targets, runs of '['. Shared by measures and chapters;
    raw_html False for measure text, whose HTML is escaped (it shows as text)."""
    found = []
    bad = invisible_character(value)
    if bad:
        found.append(
            (
                f"contains the invisible or control character U+{ord(bad):04X} ({unicodedata.name(bad, 'unnamed')})",
                "delete it; retype the text around it if you cannot see it",
                bad,
            )
        )
    # A link target needs "](", "]:", "<" or (raw HTML) "="; most texts have none,
    # and the patterns cost a third of the text rules on a large catalogue.
    maybe_link = "]" in value or "<" in value or (raw_html and "=" in value)
    for _, target in link_targets(value, raw_html) if maybe_link else ():
        if target and not safe_url(target, extra_schemes):
            shown = " ".join(target.split())[:60]
            found.append(
                (
                    f"link target '{shown}' is not allowed",
                    "links must be https://, http://, mailto:, measure:ID or a relative path inside the project",
                    target.split()[0] if target.split() else target,
                )
            )
    attachment = _ATTACHMENT.search(value) if raw_html else None
    if attachment:
        found.append(
            (
                'rel="attachment" is not allowed: the PDF would embed the file',
                'remove rel="attachment"; link to the file with an ordinary Markdown link',
                attachment.group(),
            )
        )
    run = _BRACKETS.search(value) if "[" in value else None
    if run:
        found.append(
            (
                f"a run of more than {MAX_BRACKET_RUN} '[' characters",
                "remove the extra brackets; write \\[ for a literal bracket",
                run.group()[:MAX_BRACKET_RUN],
            )
        )
    return found


def path_problem(path: Path, root: Path) -> str | None:
    """Why a source file may not be read (a symbolic link, or outside the project), or None."""
    if path.is_symlink():
        return "is a symbolic link; sources must be regular files inside the project"
    try:
        path.resolve(strict=True).relative_to(root.resolve())
    except (OSError, ValueError):
        return "resolves to a place outside the project"
    return None
