"""The one URL policy, and where link targets stand in Markdown source.

It lives in `source` (the bottom layer) so that the validator can report the
rule with file:line:col and text.safety can enforce it on rendered HTML: one
rule, two places, never two rules.
"""

from __future__ import annotations

import html
import re
from typing import Iterator
from urllib.parse import urlsplit

SCHEMES = frozenset({"http", "https", "mailto"})
"""Schemes allowed in links; everything else must be relative (inside the site or book)."""

# Browsers drop ASCII control characters and white space anywhere in a URL
# before reading its scheme ("java\nscript:" is javascript:); so do we, plus
# the invisible format characters an editor cannot see.
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]+")


def safe_url(url: str, extra_schemes: frozenset[str] = frozenset()) -> bool:
    """True for http(s) and mailto links and for links inside the site or book.

    Character references are decoded first (`&#106;avascript:` is javascript:),
    then control characters and white space are removed. A relative link may
    not start with "//" (another host) or a backslash (browsers read it as "/").
    """
    cleaned = _CONTROL.sub("", html.unescape(html.unescape(url)))
    if cleaned.startswith(("//", "\\", "/\\")):
        return False
    head = re.split(r"[/?#]", cleaned, maxsplit=1)[0]
    if ":" not in head:
        return True
    scheme = urlsplit(cleaned).scheme.lower() or head.split(":", 1)[0].lower()
    return scheme in SCHEMES or scheme in extra_schemes


# Where a link target stands in Markdown or raw HTML. The patterns are
# deliberately generous (targets may span lines, as Markdown allows): a false
# alarm costs an editor a minute, a missed javascript: link costs a reader.
_INLINE = re.compile(r"\]\(\s*<?([^)>]*)")
_REFERENCE = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\n?[ \t]*<?([^\s>]+)", re.M)
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]*:[^\s<>]*)>")
_ATTRIBUTE = re.compile(
    r"""\b(?:href|src|action|formaction|xlink:href|data)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I
)
_TITLE = re.compile(r"""\s+(?:"[^"]*"|'[^']*'|\([^)]*\))\s*$""")


def link_targets(text: str, raw_html: bool = True) -> Iterator[tuple[int, str]]:
    """(offset, target) of every link or image target in a Markdown text;
    with raw_html, also of href/src attributes (Markdown passes raw HTML on)."""
    for match in _INLINE.finditer(text):
        yield match.start(1), _TITLE.sub("", match.group(1)).strip()
    for pattern in (_REFERENCE, _AUTOLINK):
        for match in pattern.finditer(text):
            yield match.start(1), match.group(1)
    for match in _ATTRIBUTE.finditer(text) if raw_html else ():
        group = next(g for g in (1, 2, 3) if match.group(g) is not None)
        yield match.start(group), match.group(group)
