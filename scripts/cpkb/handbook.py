"""The handbook sources: general chapters, sector handbooks, glossary, worksheets.

Shared by the site and the PDF; pure Python.
"""

from __future__ import annotations

import re
from pathlib import Path

_H2 = re.compile(r"^## ", re.M)
_H1 = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.M)


def general_chapters(root: Path) -> list[str]:
    """Slugs of the general chapters (handbook/general/<slug>.<lang>.md), in name order."""
    folder = root / "handbook" / "general"
    slugs = {p.name.split(".")[0] for p in folder.glob("*.md")} if folder.exists() else set()
    return sorted(slugs)


def chapter_path(root: Path, slug: str, lang: str) -> Path:
    return root / "handbook" / "general" / f"{slug}.{lang}.md"


def sector_handbook_path(root: Path, sector: str, lang: str) -> Path:
    return root / "handbook" / sector / f"index.{lang}.md"


def read_markdown(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def title_of(markdown: str, fallback: str = "") -> str:
    """The text of the first `# ` heading."""
    match = _H1.search(markdown or "")
    return match.group(1).strip() if match else fallback


def introduction(markdown: str) -> str:
    """The paragraphs between the `# ` title and the first `## ` section."""
    body = _H1.sub("", markdown or "", count=1)
    match = _H2.search(body)
    return (body[: match.start()] if match else body).strip()


def glossary(root: Path) -> list:
    """Glossary terms (pdf_sources.GlossaryTerm), sorted by the English term.

    One reader for the site and the PDF; raises SourceError on a broken file.
    """
    from .pdf_sources import load_glossary
    from .problems import SourceError

    problems: list = []
    path = root / "handbook" / "glossary.yml"
    terms = load_glossary(path, root, problems) if path.exists() else []
    if problems:
        raise SourceError(problems)
    return sorted(terms, key=lambda t: t.term.en.lower())


def worksheets(root: Path) -> list:
    """The assessment worksheets (pdf_sources.Worksheet); raises SourceError on a broken file."""
    from .pdf_sources import load_worksheets
    from .problems import SourceError

    problems: list = []
    path = root / "handbook" / "worksheets.yml"
    sheets = load_worksheets(path, root, problems) if path.exists() else []
    if problems:
        raise SourceError(problems)
    return sheets
