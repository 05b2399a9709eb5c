"""Both languages built at once: each MkDocs run (one per language, see
cpkb.build) writes a site of its own, and this puts them together as one
static-i18n run would have written them, sitemaps joined."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path


def merge_language_sites(parts: list[Path], out: Path, epoch: int) -> None:
    """Move each language's site into `out`, in order; a later file replaces an
    earlier one, as in one static-i18n run. Sitemaps are joined."""
    sitemaps = [p / "sitemap.xml" for p in parts if (p / "sitemap.xml").exists()]
    joined = _join_sitemaps([p.read_text(encoding="utf-8") for p in sitemaps]) if len(sitemaps) > 1 else None
    for part in parts:
        for folder, dirs, files in os.walk(part, topdown=True):
            target = out / Path(folder).relative_to(part)
            target.mkdir(parents=True, exist_ok=True)
            for name in list(dirs):
                if not (target / name).exists():  # a whole folder of this language only: one rename
                    os.rename(Path(folder) / name, target / name)
                    dirs.remove(name)
            for name in files:
                os.replace(Path(folder) / name, target / name)
        shutil.rmtree(part)
    if joined is not None:
        (out / "sitemap.xml").write_text(joined, encoding="utf-8")
        # As MkDocs writes it: the same compression, name and time in the header.
        with (
            open(out / "sitemap.xml.gz", "wb") as f,
            gzip.GzipFile(fileobj=f, filename=str(out / "sitemap.xml.gz"), mode="wb", mtime=epoch) as gz,
        ):
            gz.write(joined.encode("utf-8"))


def _join_sitemaps(texts: list[str]) -> str:
    """static-i18n's sitemap of one language each, as its one sitemap of all:
    the <url> entries of each in turn, in the first one's frame."""
    end = "\n</urlset>"
    head = texts[0][: texts[0].index(">", texts[0].index("<urlset")) + 1]
    return head + "".join(t[len(head) : t.rindex(end)] for t in texts) + texts[0][texts[0].rindex(end) :]
