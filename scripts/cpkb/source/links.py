"""The one URL rule of the project, shared by the validator and the sanitiser.

A link may go to http(s) or mailto, or stay inside the site or the book
(relative paths, #anchors); in the sources a `measure:ID` link names a measure.
Everything else (javascript:, data:, vbscript:, file:, //other-host, \\host)
is refused by `cpkb validate` with file:line:col and removed from the output.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

SCHEMES = frozenset({"http", "https", "mailto"})
SOURCE_SCHEMES = SCHEMES | {"measure"}
"""In a source file a link may also be measure:ID, resolved when pages are made."""

_IGNORED = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]+")
"""What browsers strip before reading a scheme: "java\\nscript:" is javascript:."""


def safe_url(url: str, schemes: frozenset[str] = SCHEMES) -> bool:
    """True for a link to an allowed scheme or inside the site/book."""
    cleaned = _IGNORED.sub("", url)
    if cleaned.startswith(("//", "\\", "/\\")) or "\\" in cleaned.split("/", 1)[0]:
        return False  # another host, or a backslash browsers read as a slash
    head = cleaned.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if ":" not in head:
        return True  # relative: inside the site or the book
    return urlsplit(cleaned).scheme.lower() in schemes
