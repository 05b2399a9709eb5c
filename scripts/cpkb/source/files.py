"""Reading a source file as an untrusted pull request wrote it.

Whoever opens a pull request controls measures/, handbook/, docs/ and
benchmarks/, and CI builds it: a symbolic link there could publish a file of
the build machine (/etc/passwd, the checkout's .git/config with its token).
So every source is read through `read_source`, which refuses links and any
path that resolves outside the project.
"""

from __future__ import annotations

import os
from pathlib import Path


class UnsafePath(ValueError):
    """A source path that is a symbolic link or leaves the project; the message says which."""


def check_inside(path: Path, root: Path) -> Path:
    """`path` if it is a regular file (or folder) inside `root` reached without any link."""
    root = Path(root).resolve()
    absolute = Path(os.path.abspath(path))
    try:
        parts = absolute.relative_to(root).parts
    except ValueError:
        raise UnsafePath(f"{path} is outside the project folder") from None
    current = root
    for part in parts:  # a link anywhere on the way (folder or file) is refused
        current = current / part
        if current.is_symlink():
            raise UnsafePath(f"{current.relative_to(root).as_posix()} is a symbolic link")
    return absolute


def read_source(path: Path, root: Path) -> str:
    """The text of a source file (UTF-8), refusing links and paths outside `root`.

    Raises UnsafePath, or UnicodeDecodeError for a file that is not UTF-8.
    """
    return check_inside(path, root).read_bytes().decode("utf-8")
