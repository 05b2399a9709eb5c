"""Translation status of the catalogue: which English texts lag behind the Vietnamese.

Vietnamese is the source language. When the English of a measure is brought
up to date, `cpkb translations --mark ID` stores a hash of the Vietnamese text
in the record (`translation: {vi_hash: ...}`). If the Vietnamese later changes,
the stored hash no longer matches and the measure is *stale*. This works
without git history, so it survives squashed merges, copies and forks.

Pure Python, no MkDocs import: the site build calls `render_translation_status`.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cpkb.source.problems import Problem, display_path, dotted
from cpkb.source.validate import measure_files
from cpkb.source.yamlfile import YamlError, load_plain, parse_yaml

TODO = "TODO"
"""The placeholder marker `cpkb new` writes; CI fails on it anywhere under measures/."""


HASH_DIGITS = 12
"""Length of the stored hash; the schema's pattern for translation.vi_hash."""

STATUSES = ("untranslated", "stale", "untracked", "current")
"""Every status, from the most to the least urgent. A measure gets the first that applies."""


def bilingual_texts(data: Any, at: tuple = ()) -> dict[str, dict]:
    """Every bilingual text of a record, keyed by its dotted field path.

    A bilingual text is a mapping holding a `vi` or an `en` key (the schema's
    short_text and text), e.g. {"title": {...}, "savings.basis": {...}}.
    List items are keyed by index ("items[0].note") so nothing is missed if
    the schema ever adds bilingual texts inside lists.
    """
    found: dict[str, dict] = {}
    if isinstance(data, dict):
        if at and ("vi" in data or "en" in data) and set(data) <= {"vi", "en"}:
            found[dotted(at)] = data
            return found
        for key, value in data.items():
            if key == "translation":
                continue  # the tracking block itself is not text to translate
            found.update(bilingual_texts(value, at + (str(key),)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found.update(bilingual_texts(value, at + (i,)))
    return found


def vi_hash(data: dict) -> str:
    """The hash of a record's Vietnamese text, as stored in translation.vi_hash.

    Definition (keep it stable: changing it makes every measure stale):
    take every bilingual text of the record (`bilingual_texts`), map its dotted
    path to its `vi` string normalised to Unicode NFC with leading and trailing
    whitespace removed (a missing `vi` counts as ""), serialise that mapping as
    JSON with sorted keys, `ensure_ascii=False` and separators (",", ":"),
    encode it as UTF-8, and keep the first 12 hex digits of its SHA-256.

    So the hash changes when any Vietnamese text changes, and does not change
    when only English text, numbers, sources, field order or the YAML layout
    (folded vs. literal blocks, trailing newlines) change.
    """
    texts = {path: _clean(value.get("vi")) for path, value in bilingual_texts(data).items()}
    canonical = json.dumps(texts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:HASH_DIGITS]


@dataclass(frozen=True)
class MeasureTranslation:
    """The translation state of one measure file."""

    id: str
    path: Path
    shown: str
    status: str
    """One of STATUSES."""
    current_hash: str
    stored_hash: str | None
    untranslated: tuple[tuple[str, str], ...] = ()
    """(field path, reason) for English texts that are missing ("missing") or
    a verbatim copy of the Vietnamese ("copy")."""
    title: tuple[str, str] = ("", "")
    """The title in Vietnamese and English, for listings."""

    def title_in(self, lang: str) -> str:
        """The title in `lang`, or in the other language when that one is blank."""
        vi, en = self.title
        return (en or vi) if lang == "en" else (vi or en)


@dataclass
class TranslationReport:
    """Every measure's state, plus the files that could not be read."""

    measures: list[MeasureTranslation]
    problems: list[Problem]

    def with_status(self, status: str) -> list[MeasureTranslation]:
        return [m for m in self.measures if m.status == status]

    def counts(self) -> dict[str, int]:
        return {status: len(self.with_status(status)) for status in STATUSES}


def measure_translation(data: dict, path: Path, shown: str | None = None) -> MeasureTranslation:
    """Classify one parsed record.

    untranslated: an English text is absent, blank or still the `cpkb new`
    placeholder (TODO ...), or is the same as the Vietnamese (a copy left for later); stale: a stored vi_hash differs from
    the current one; untracked: no vi_hash stored; current: otherwise.
    """
    untranslated = []
    for field_path, text in bilingual_texts(data).items():
        vi, en = _clean(text.get("vi")), _clean(text.get("en"))
        if not en or en.startswith(TODO):
            untranslated.append((field_path, "missing"))
        elif en == vi and len(re.findall(r"[^\W\d_]{2,}", vi)) >= 2:
            # Identical text of two words or more was copied, not translated;
            # a name, acronym or number ("CIP", "CO₂", "5%") may rightly be the same.
            untranslated.append((field_path, "copy"))
    current = vi_hash(data)
    stored = (data.get("translation") or {}).get("vi_hash") if isinstance(data.get("translation"), dict) else None
    stored = stored if isinstance(stored, str) and stored else None
    if untranslated:
        status = "untranslated"
    elif stored is not None and stored != current:
        status = "stale"
    elif stored is None:
        status = "untracked"
    else:
        status = "current"
    measure_id = data["id"] if isinstance(data.get("id"), str) else path.stem
    title = data["title"] if isinstance(data.get("title"), dict) else {}
    return MeasureTranslation(
        measure_id,
        path,
        shown or path.as_posix(),
        status,
        current,
        stored,
        tuple(untranslated),
        (_clean(title.get("vi")), _clean(title.get("en"))),
    )


def translation_report(measures_dir: Path, root: Path | None = None) -> TranslationReport:
    """The translation state of every measure file in `measures_dir`.

    Files that do not parse are reported as problems, not classified: this
    report must work on a catalogue that `cpkb validate` would reject, because
    translators run it while the Vietnamese is still being edited.
    """
    measures_dir = Path(measures_dir)
    root = root or measures_dir.parent
    measures, problems = [], []
    for path in measure_files(measures_dir):
        shown = display_path(path, root)
        try:
            data = load_plain(path.read_text(encoding="utf-8"))
        except (YamlError, UnicodeDecodeError) as err:
            line, col = (err.line, err.column) if isinstance(err, YamlError) else (1, 1)
            problems.append(Problem(shown, line, col, "", getattr(err, "message", str(err))))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(shown, 1, 1, "", "a measure file must be a YAML mapping of fields"))
            continue
        measures.append(measure_translation(data, path, shown))
    order = {status: i for i, status in enumerate(STATUSES)}
    measures.sort(key=lambda m: (order[m.status], m.id))
    return TranslationReport(measures, problems)


class MarkError(Exception):
    """A measure file whose translation block cannot be written."""


def mark_translated(path: Path) -> bool:
    """Record that the English of the measure in `path` matches its current Vietnamese.

    Writes or updates `translation: {vi_hash: <hash>}` with a minimal text
    edit: the rest of the file (comments, quoting, block styles, order) is
    kept byte for byte. Returns True when the file changed. Raises MarkError
    when the file does not parse or an English text is missing or copied,
    because marking it would hide untranslated text.
    """
    text = path.read_text(encoding="utf-8")
    try:
        data = parse_yaml(text).data
    except YamlError as err:
        raise MarkError(f"{path}:{err.line}:{err.column}: {err.message}") from None
    if not isinstance(data, dict):
        raise MarkError(f"{path}: not a YAML mapping")
    state = measure_translation(data, path)
    if state.untranslated:
        fields = ", ".join(f"{f} ({why})" for f, why in state.untranslated)
        raise MarkError(f"{path}: English not written yet for {fields}")
    new_text = _with_hash(text, state.current_hash)
    if new_text == text:
        return False
    path.write_text(new_text, encoding="utf-8")
    return True


def _with_hash(text: str, digest: str) -> str:
    """`text` with translation.vi_hash set to `digest`, touching only that value.

    We locate nodes with PyYAML's composer (which knows exact character
    offsets) instead of loading and re-dumping, which would drop comments and
    reflow every text.
    """
    value = _hash_scalar(digest)
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        raise MarkError("not a YAML mapping")
    for key_node, value_node in root.value:
        if key_node.value != "translation":
            continue
        if isinstance(value_node, yaml.MappingNode):
            for sub_key, sub_value in value_node.value:
                if sub_key.value == "vi_hash" and isinstance(sub_value, yaml.ScalarNode):
                    start, end = sub_value.start_mark.index, sub_value.end_mark.index
                    if sub_value.value == digest:
                        return text
                    return text[:start] + value + text[end:]
        # translation: with no usable vi_hash (empty, null or malformed):
        # replace the whole value by the flow form, the smallest valid one.
        start, end = value_node.start_mark.index, value_node.end_mark.index
        if start == end:  # `translation:` with nothing after it
            return text[:start].rstrip(" ") + f" {{vi_hash: {value}}}" + text[end:]
        return text[:start] + f"{{vi_hash: {value}}}" + text[end:]
    # No block yet: append it, so the diff of a pull request is two lines.
    if text and not text.endswith("\n"):
        text += "\n"
    return text + f"translation:\n  vi_hash: {value}\n"


def _hash_scalar(digest: str) -> str:
    """The hash as a YAML scalar that reads back as text: a hash of only
    digits (729222762945) would otherwise load as a number and fail the schema."""
    return digest if isinstance(yaml.safe_load(digest), str) else f"'{digest}'"


def find_measure_file(measures_dir: Path, measure_id: str) -> Path | None:
    """The file of measure `measure_id` (case-insensitive), or None."""
    wanted = measure_id.strip().upper()
    for path in measure_files(Path(measures_dir)):
        if path.stem.upper() == wanted:
            return path
    return None


def _clean(value: Any) -> str:
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else ""
