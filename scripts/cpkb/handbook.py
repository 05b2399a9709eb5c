"""The handbook sources: general chapters, sector handbooks, glossary, worksheets.

Shared by the site and the PDF; pure Python.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

_H2 = re.compile(r"^## ", re.M)
_H1 = re.compile(r"^# +(.+?)\s*$", re.M)


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


def load_yaml_list(path: Path) -> list[dict]:
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, list) else []


def glossary(root: Path) -> list[dict]:
    """Glossary entries sorted by the English term."""
    entries = [e for e in load_yaml_list(root / "handbook" / "glossary.yml")
               if isinstance(e, dict) and all(isinstance(e.get(k), dict) for k in ("term", "definition"))]
    return sorted(entries, key=lambda e: str(e["term"].get("en", "")).lower())


def worksheets(root: Path) -> list[dict]:
    return [w for w in load_yaml_list(root / "handbook" / "worksheets.yml") if isinstance(w, dict)]

