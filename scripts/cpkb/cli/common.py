"""What every command shares: the project root and the language of messages."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The project root: the nearest folder upwards holding measures/schema.json."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "measures" / "schema.json").exists():
            return folder
    return here


def cli_language(environ: dict | None = None) -> str:
    """The language for command-line messages: CPKB_LANG, else the locale (vi_* → vi), else en."""
    env = os.environ if environ is None else environ
    wanted = env.get("CPKB_LANG") or env.get("LC_ALL") or env.get("LC_MESSAGES") or env.get("LANG") or ""
    return "vi" if wanted.lower().startswith("vi") else "en"
