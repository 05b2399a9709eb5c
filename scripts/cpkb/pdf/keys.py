"""Content keys of the PDFs in one folder, kept beside them in a sidecar file.

A PDF laid out from exactly the same Typst source, assets, fonts and Typst
version as an existing file need not be laid out again (render.content_key).
The key used to be a comment after the PDF's `%%EOF`, which made the file
non-conforming (a PDF ends with `%%EOF`); it now lives in `KEYS_FILE` next to
the PDFs, with the SHA-256 of each file's bytes, so a file replaced or edited
by hand is never mistaken for the one the key describes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from cpkb.source.handbook import PDF_KEYS_FILE as KEYS_FILE  # the site reads it too


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class KeyStore:
    """The content keys of the PDFs in `folder` (an empty store if the sidecar is missing or unreadable)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.entries: dict[str, dict] = {}
        try:
            data = json.loads((self.folder / KEYS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if isinstance(data, dict):
            self.entries = {
                name: e
                for name, e in data.items()
                if isinstance(e, dict) and isinstance(e.get("key"), str) and isinstance(e.get("pages"), int)
            }

    def reusable(self, name: str, key: str) -> int | None:
        """The page count of `name` if it exists and was made from `key` (its bytes unchanged since), else None."""
        entry = self.entries.get(name)
        path = self.folder / name
        if not entry or entry["key"] != key or not path.is_file():
            return None
        try:
            return entry["pages"] if file_digest(path) == entry.get("sha256") else None
        except OSError:
            return None

    def record(self, name: str, key: str, pages: int) -> None:
        """Note that the file `name` in the folder was just made from `key`."""
        self.entries[name] = {"key": key, "sha256": file_digest(self.folder / name), "pages": pages}

    def kept(self, name: str, key: str, in_place: bool, previous: "KeyStore | None") -> int | None:
        """The page count of an unchanged file: kept in this folder (`in_place`) or
        copied, with its entry, from `previous` (the last build's folder); None when
        it must be laid out again."""
        if in_place and (pages := self.reusable(name, key)) is not None:
            return pages
        if previous is not None and (pages := previous.reusable(name, key)) is not None:
            shutil.copyfile(previous.folder / name, self.folder / name)
            self.copy_entry(previous, name)
            return pages
        return None

    def copy_entry(self, other: "KeyStore", name: str) -> None:
        """Take over `other`'s entry for a file copied from its folder unchanged."""
        self.entries[name] = dict(other.entries[name])

    def save(self, keep: set[str] | None = None) -> None:
        """Write the sidecar (atomically), keeping entries of existing files (and only `keep`, if given)."""
        entries = {
            name: e
            for name, e in sorted(self.entries.items())
            if (self.folder / name).is_file() and (keep is None or name in keep)
        }
        tmp = self.folder / f"{KEYS_FILE}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(entries, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, self.folder / KEYS_FILE)
