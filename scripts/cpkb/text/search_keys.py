"""Search keys: extra words indexed with a page so that Pagefind ranks the way a
Vietnamese reader types.

Pagefind folds diacritics, so the unaccented "bien tan" matches "biến tần", but
it also matches every scattered "tan" (tân, tấn, tan...) and ranks those pages as
high as the phrase. So each page also carries *syllable pairs*: its title and
lead folded to ASCII and each two neighbouring syllables joined ("biến tần cho
bơm" -> "bientan tancho chobom"). search.js asks for the same pairs first; a
page that has them has the words in sequence. Glossary terms found on a page
add their other forms (abbreviations, variant spellings) and their pairs, so
"VSD", "VFD" and "biến tần" find the same pages.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

_WORD = re.compile(r"[a-z0-9]+")
_TAG = re.compile(r"<[^>]+>")


def fold(text: str) -> str:
    """Lower case, đ -> d, diacritics stripped: "Tiết kiệm ĐIỆN" -> "tiet kiem dien"."""
    text = unicodedata.normalize("NFC", text).lower().replace("đ", "d")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    return _WORD.findall(fold(text))


def pairs(text: str) -> list[str]:
    """Neighbouring folded syllables joined: "lò hơi đốt bã" -> ["lohoi", "hoidot", "dotba"].

    search.js builds the same pairs from a query (keep the two in step)."""
    w = words(text)
    return [a + b for a, b in zip(w, w[1:])]


def plain_text(html: str) -> str:
    """Rendered HTML to its words (tags dropped); good enough for finding terms."""
    return _TAG.sub(" ", html)


def _exact(text: str) -> str:
    """Lower-case words with their diacritics, space-separated and padded."""
    return " " + " ".join(re.findall(r"\w+", unicodedata.normalize("NFC", text).lower())) + " "


def synonym_forms(text: str, terms: Iterable[tuple[str, ...]]) -> list[str]:
    """Every form of each term one of whose forms occurs in `text` as whole words.

    Matched with diacritics: folded, "bẫy hơi" (steam trap) would match "bay hơi"
    (evaporation) and give a page synonyms it has nothing to do with."""
    haystack = _exact(text)
    found: list[str] = []
    for forms in terms:
        if any(_exact(f) in haystack for f in forms if _exact(f).strip()):
            found.extend(forms)
    return found


def search_keys(title: str, lead: str, body: str, terms: Iterable[tuple[str, ...]]) -> tuple[str, str]:
    """(title keys, other keys): the title's pairs, then the lead's pairs and the
    synonyms of the glossary terms met in the title, lead or body.

    A one-word synonym ("VSD") is added as a word, a longer one only as its pairs:
    its single syllables would be more scattered matches, the very noise the
    pairs are there to outrank."""
    title_keys = pairs(title)
    other = pairs(lead)
    for form in synonym_forms(" ".join((title, lead, body)), terms):
        other.extend(words(form) if len(words(form)) == 1 else pairs(form))
    seen = set(title_keys)
    other = [k for k in dict.fromkeys(other) if k not in seen]
    return " ".join(dict.fromkeys(title_keys)), " ".join(other)
