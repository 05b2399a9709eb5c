"""User-interface strings: one YAML file per language in strings/, keyed by name.

English is the fallback, so a missing key never breaks a page; the test suite
lists missing keys (`missing_labels`) so none ships.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from cpkb import LANGUAGES

LABELS_DIR = Path(__file__).parent / "strings"
FALLBACK = "en"


@lru_cache(maxsize=None)
def labels(lang: str) -> dict[str, str]:
    """All labels of a language, flattened to dotted keys ("measure.investment")."""
    path = LABELS_DIR / f"{lang}.yml"
    # libyaml when present: every process reads both files (0.15 s in pure Python).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) if path.exists() else {}
    flat: dict[str, str] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        else:
            flat[prefix] = str(value)

    walk("", data)
    return flat


def label(key: str, lang: str, **values) -> str:
    """The label `key` in `lang` (English if missing), with {placeholders} filled in."""
    text = labels(lang).get(key) or labels(FALLBACK).get(key)
    if text is None:
        raise KeyError(f"unknown label '{key}': add it to scripts/cpkb/text/strings/{FALLBACK}.yml")
    return text.format(**values) if values else text


def missing_labels() -> dict[str, list[str]]:
    """Keys present in one language's file and missing in another's."""
    keys = {lang: set(labels(lang)) for lang in LANGUAGES}
    every = set().union(*keys.values())
    return {lang: sorted(every - keys[lang]) for lang in LANGUAGES if every - keys[lang]}


def value_label(group: str, value: object, lang: str, suffix: str = "") -> str:
    """The display name of a schema enumeration value: label `group.value[suffix]`
    ("technique.good_housekeeping", "complexity.1_long"), else a readable form of
    the value itself, so a value new in the schema shows before it is translated
    (missing_labels and the tests still report it)."""
    key = f"{group}.{value}{suffix}"
    text = labels(lang).get(key) or labels(FALLBACK).get(key)
    return text if text is not None else str(value).replace("_", " ").capitalize()


class LabelGroup:
    """The labels under one prefix in one language: `LabelGroup("cli.new", "vi")["help"]`."""

    def __init__(self, prefix: str, lang: str):
        self.prefix, self.lang = prefix, lang

    def __getitem__(self, key: str) -> str:
        return label(f"{self.prefix}.{key}", self.lang)
