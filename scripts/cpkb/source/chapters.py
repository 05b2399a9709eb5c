"""The handbook's Markdown chapters, found by path and read as untrusted text:
general chapters, sector handbooks, their titles and introductions, and the
rules every chapter must keep (no links to outside files, no invisible
characters, safe link targets)."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from cpkb.source.problems import Problem, SourceError, display_path
from cpkb.source.textrules import MEASURE_SCHEMES, path_problem, text_problems

SOURCE_FOLDERS = ("measures", "handbook", "docs", "benchmarks", "overrides")
"""Folders a pull request controls; none of them may hold a symbolic link."""


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


def read_markdown(path: Path, root: Path | None = None) -> str | None:
    """A chapter's text (NFC), None when absent; SourceError when it breaks a rule."""
    if not path.exists() and not path.is_symlink():
        return None
    text, found = read_chapter(path, root or path.parents[2])
    if found:
        raise SourceError(found)
    return text


def read_chapter(path: Path, root: Path) -> tuple[str, list[Problem]]:
    """A chapter's text in NFC and the rules it breaks, each with file:line:col:
    a symbolic link or a path outside the project (nothing is read then), invisible
    characters, unsafe link targets, runs of '['."""
    shown = display_path(path, root)
    refused = path_problem(path, root)
    if refused:
        return "", [
            Problem(
                shown, 1, 1, "", f"the file {refused}", "replace the link by a copy of the file, inside the project"
            )
        ]
    text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
    problems = []
    for message, hint, needle in text_problems(text, MEASURE_SCHEMES):
        index = max(text.find(needle), 0)
        line = text.count("\n", 0, index) + 1
        problems.append(Problem(shown, line, index - text.rfind("\n", 0, index), "", message, hint))
    return text, problems


def chapter_problems(root: Path) -> list[Problem]:
    """Every rule broken by the handbook's Markdown chapters, and every symbolic
    link in the folders a pull request controls (for `cpkb validate` and the build)."""
    problems = symlink_problems(root)
    folder = root / "handbook"
    for path in sorted(folder.rglob("*.md")) if folder.is_dir() else []:
        if not path.is_symlink():
            problems.extend(read_chapter(path, root)[1])
    return problems


def symlink_problems(root: Path) -> list[Problem]:
    """A problem for each symbolic link under the source folders (links are never followed)."""
    problems = []
    for name in SOURCE_FOLDERS:
        for folder, dirs, files in os.walk(root / name):  # os.walk does not follow links
            for entry in dirs + files:
                path = Path(folder) / entry
                if path.is_symlink():
                    problems.append(
                        Problem(
                            display_path(path, root),
                            1,
                            1,
                            "",
                            "is a symbolic link; the build reads only regular files inside the project",
                            "replace the link by a copy of the file",
                        )
                    )
    return problems


def title_of(markdown: str, fallback: str = "") -> str:
    """The text of the first `# ` heading."""
    match = _H1.search(markdown or "")
    return match.group(1).strip() if match else fallback


def introduction(markdown: str) -> str:
    """The paragraphs between the `# ` title and the first `## ` section."""
    body = _H1.sub("", markdown or "", count=1)
    match = _H2.search(body)
    return (body[: match.start()] if match else body).strip()
