"""A problem found in the sources: where it is, what is wrong, how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One error in one file. Sorted by file, then line, then column."""

    file: str
    line: int
    column: int
    field: str
    message: str
    hint: str = ""

    def format(self) -> str:
        """`file:line:col field: message (hint)`, the form editors and CI jump to."""
        where = f"{self.file}:{self.line}:{self.column}"
        text = f"{where} {self.field}: {self.message}" if self.field else f"{where} {self.message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text

    def format_github(self) -> str:
        """A GitHub Actions workflow command that annotates the exact line of the pull request."""
        body = f"{self.field}: {self.message}" if self.field else self.message
        if self.hint:
            body += f" (hint: {self.hint})"
        body = body.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::error file={self.file},line={self.line},col={self.column}::{body}"


class SourceError(Exception):
    """Raised when the sources cannot be turned into pages or books; carries the problems."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(p.format() for p in self.problems))


def display_path(path: Path, root: Path | None = None) -> str:
    """The path as the user should see it: relative to the root (or cwd) when possible."""
    # The folder is resolved, the file name kept: a symbolic link is reported
    # under its own name, not under the name of the file it points to.
    full = path.parent.resolve() / path.name if path.name else path.resolve()
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            return full.relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def dotted(path: tuple) -> str:
    """A field path as editors read it: ("sources", 0, "url") -> "sources[0].url"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
