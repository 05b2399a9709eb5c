"""Heading anchors: the same readable, accent-free slugs everywhere on the site."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^\w\s-]")
_DASHES = re.compile(r"[-\s]+")


def slugify(text: str, separator: str = "-") -> str:
    """ "Đun sôi dịch đường" -> "dun-soi-dich-duong".

    Python-Markdown's own slugify drops "đ" (it has no decomposition into d +
    a mark, so the ASCII step deletes it): fold it to d first, then strip the
    diacritics of every other letter.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _DASHES.sub(separator, _NOT_WORD.sub("", ascii_text).strip().lower()).strip(separator)
