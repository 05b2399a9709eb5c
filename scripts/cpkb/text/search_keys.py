"""Search keys: extra words indexed with a page so that Pagefind ranks the way a
Vietnamese reader types, and so that the first hit costs one small download.

Pagefind folds diacritics, so the unaccented "bien tan" matches "biến tần", but
it also matches every scattered "tan" (tân, tấn, tan...) and ranks those pages as
high as the phrase. So each page also carries *phrase keys*: from each word of
its title and lead, that word and the next ones folded to ASCII and joined, at
most PHRASE_WORDS of them, behind the prefix "zz" ("biến tần cho bơm" ->
"zzbientanchobom zztanchobom zzchobom zzbom"). search.js turns a query into
the same keys; Pagefind matches a key by prefix, so "bien tan" finds
"zzbientanchobom": the words in sequence. A query is one key per PHRASE_WORDS
words, so it touches one small index chunk per key: every key sorts after every
real word ("zz..."), in chunks of keys only, whose postings are short. Glossary
terms found on a page add keys for their other forms (abbreviations, variant
spellings), so "VSD", "VFD" and "biến tần" find the same pages.
"""

from __future__ import annotations

import functools
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


PHRASE_PREFIX = "zz"
"""Sorts the keys after every real word (no Vietnamese or English word starts so)."""
PHRASE_WORDS = 4
"""Words in one key; a longer query is cut into keys of this many (search.js: same)."""
STOP_WORDS = {
    "en": frozenset("a an and as at by for from in into of on or the to with".split()),
    # None for Vietnamese: typed without diacritics, its short words collide
    # ("cua": của, cua; "o": ở, ô as in ô nhiễm; "nhung": những, nhúng).
    "vi": frozenset(),
}
"""Words a key skips, so that "return condensate boiler" finds "Return condensate
to the boiler" (search.js gets the same list from the page's cp-config)."""


def phrase_keys(text: str, stop: frozenset[str] = frozenset()) -> list[str]:
    """From each word on, that word and up to PHRASE_WORDS - 1 following, joined:
    "lò hơi đốt bã" -> ["zzlohoidotba", "zzhoidotba", "zzdotba", "zzba"].

    A key never runs across a line break (separate fields). search.js builds a
    query's keys the same way (keep the two in step)."""
    keys = []
    for line in text.splitlines():
        w = [x for x in words(line) if x not in stop]
        keys += [PHRASE_PREFIX + "".join(w[i : i + PHRASE_WORDS]) for i in range(len(w))]
    return keys


def query_keys(query: str, stop: frozenset[str] = frozenset()) -> list[str]:
    """A query's keys: its words in groups of PHRASE_WORDS, each joined (as search.js)."""
    w = [x for x in words(query) if x not in stop]
    return [PHRASE_PREFIX + "".join(w[i : i + PHRASE_WORDS]) for i in range(0, len(w), PHRASE_WORDS)]


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
        if any(needle in haystack for needle in _needles(forms)):
            found.extend(forms)
    return found


@functools.lru_cache(maxsize=None)
def _needles(forms: tuple[str, ...]) -> tuple[str, ...]:
    """The forms of a term as `_exact` writes them, empty ones left out: the same few
    hundred terms are looked for in every page (a tenth of an MkDocs build otherwise)."""
    return tuple(needle for needle in map(_exact, forms) if needle.strip())


def search_keys(
    title: str, lead: str, body: str, terms: Iterable[tuple[str, ...]], stop: frozenset[str] = frozenset()
) -> tuple[str, str]:
    """(title keys, other keys): the phrase keys of the title and of every form of
    the glossary terms met in the title; then those of the lead and of the forms
    of the terms met only in the lead or the body (weighted less by the page)."""
    title_keys = phrase_keys(title, stop)
    for form in synonym_forms(title, terms):
        title_keys.extend(phrase_keys(form, stop))
    other = phrase_keys(lead, stop)
    for form in synonym_forms(" ".join((lead, body)), terms):
        other.extend(phrase_keys(form, stop))
    seen = set(title_keys)
    other = [k for k in dict.fromkeys(other) if k not in seen]
    return " ".join(dict.fromkeys(title_keys)), " ".join(other)
