"""Rules for every text in a source file: Unicode NFC, no invisible or format
characters, safe links, no pathological bracket runs.

The same rules protect the site and the PDF later (the sanitiser removes what
slips through); reporting them here gives editors file:line:col first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from html.parser import HTMLParser

import markdown

from cpkb.source.links import SOURCE_SCHEMES, safe_url

ALLOWED_CONTROLS = {"\t", "\n", "\r"}
BLANK_LOOKALIKES = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u034f", "\u17b4", "\u17b5"}
"""Letters and symbols that draw nothing (Hangul fillers, the Braille blank, …)."""
MAX_BRACKET_RUN = 10
"""A run of more [ or ] than this is never prose; Markdown's link parser slows down on it."""
_BRACKETS = re.compile(r"[\[\]]{%d,}" % (MAX_BRACKET_RUN + 1))


def invisible_character(text: str) -> str | None:
    """The first character that a reader cannot see or that reorders text, if any.

    Format characters (Unicode category Cf: zero-width spaces and joiners,
    bidirectional controls, U+061C, U+00AD, tag characters), controls other
    than tab and newline, private-use and unassigned code points, and blank
    look-alike letters.
    """
    for ch in text:
        if ch in ALLOWED_CONTROLS:
            continue
        category = unicodedata.category(ch)
        if category in ("Cf", "Cc", "Co", "Cs", "Cn") or ch in BLANK_LOOKALIKES:
            return ch
    return None


class _Targets(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("href", "src") and value is not None]


def link_targets(text: str) -> list[str]:
    """Every href and src that a Markdown renderer makes of `text`: inline and
    reference-style links, images, autolinks and raw HTML alike."""
    if "[" not in text and "<" not in text:
        return []
    parser = _Targets()
    parser.feed(markdown.markdown(text))
    return parser.urls


def unsafe_links(text: str) -> Iterator[str]:
    """Link targets that break the URL rule (see cpkb.source.links)."""
    return (url for url in link_targets(text) if not safe_url(url, SOURCE_SCHEMES))


def measure_links(text: str) -> list[str]:
    """The ids that `measure:ID` links in `text` point to."""
    return [url.split(":", 1)[1].strip().upper() for url in link_targets(text) if url.lower().startswith("measure:")]


def text_problems(text: str) -> Iterator[tuple[str, str, str]]:
    """(message, hint, needle) for each rule `text` breaks; the needle locates it."""
    if unicodedata.normalize("NFC", text) != text:
        word = next(w for w in text.split() if unicodedata.normalize("NFC", w) != w)
        yield ("text is not in Unicode NFC (decomposed accents, as some keyboards type them)",
               "run `cpkb validate --fix` to normalise the file", word)
    bad = invisible_character(text)
    if bad:
        name = unicodedata.name(bad, "unnamed")
        yield (f"contains the invisible or format character U+{ord(bad):04X} ({name})",
               "delete it; retype the text around it if you cannot see it", bad)
    run = _BRACKETS.search(text)
    if run:
        yield (f"a run of {len(run.group())} brackets", f"Markdown needs at most a few; write at most "
               f"{MAX_BRACKET_RUN} in a row", run.group()[:4])
        return  # do not hand a pathological text to the Markdown parser
    for url in unsafe_links(text):
        yield (f"link target '{url[:60]}' is not allowed",
               "links must be https://, mailto:, measure:ID or a relative path", url.strip()[:20] or url)
