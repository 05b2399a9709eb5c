"""Typst document → PDF: fonts, sandbox, standards, reproducible bytes.

Typst compiles in a temporary folder that holds only the generated .typ and
its assets (the `root`), with fonts from an explicit folder (`font_paths`)
and system fonts ignored, so a book can read no file outside what cpkb
wrote for it, and builds on two machines with the same fonts give the same bytes.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import io
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from cpkb.source.problems import Problem, SourceError


@dataclass
class BookSource:
    """The Typst document of a book and the files it reads (flow diagrams), by name."""

    typ: str
    assets: dict[str, bytes] = field(default_factory=dict)
    timestamp: dt.datetime | None = None


FONT_DIRS = {
    "noto": ("/usr/share/fonts/truetype/noto", "/usr/share/fonts/noto", "/usr/local/share/fonts/noto"),
    "dejavu": ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts/dejavu"),
}
"""Where Debian's fonts-noto-core and fonts-dejavu-core put their files."""

FACES = {
    "noto": ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSans-Italic.ttf", "NotoSans-BoldItalic.ttf"),
    "dejavu": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf"),
}
"""Noto Sans for the text (it draws stacked Vietnamese diacritics); DejaVu for symbols and code."""


def _find(family: str) -> Path:
    override = os.environ.get("CPKB_FONT_DIR") if family == "noto" else None
    candidates = [override] if override else list(FONT_DIRS[family])
    for folder in map(Path, candidates):
        if all((folder / name).is_file() for name in FACES[family]):
            return folder
    package = "fonts-noto-core" if family == "noto" else "fonts-dejavu-core"
    raise SourceError(
        [
            Problem(
                "(fonts)",
                1,
                1,
                "",
                f"{', '.join(FACES[family])} not found in {', '.join(candidates)}",
                f"install it: sudo apt-get install {package}"
                + (" (or set CPKB_FONT_DIR)" if override is None and family == "noto" else ""),
            )
        ]
    )


def find_font_dir() -> Path:
    """The folder holding the four Noto Sans faces; CPKB_FONT_DIR overrides the search."""
    return _find("noto")


@lru_cache(maxsize=1)
def font_files() -> tuple[Path, ...]:
    return tuple(_find(family) / name for family in FACES for name in FACES[family])


def process_folder(prefix: str) -> Path:
    """A new temporary folder that is removed when this process ends. The pools
    start their workers with "spawn", whose processes leave through sys.exit, so
    atexit runs in them too."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def exit_on_sigterm() -> None:
    """Pool initializer: SIGTERM (the whole build's process group being stopped)
    ends a layout process through SystemExit, after the layout in progress, so
    its temporary folders go as on any other exit. The default action kills it
    on the spot and leaves them in the temporary folder."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


@lru_cache(maxsize=1)
def font_folder() -> Path:
    """A private folder with only our font files (links), so Typst never scans the
    system's hundreds of Noto files and uses exactly these faces."""
    folder = process_folder("cpkb-fonts-")
    for path in font_files():
        os.symlink(path, folder / path.name)
    return folder


def content_key(source: BookSource) -> str:
    """Fingerprint of everything a PDF is made from: the Typst text, its assets, the
    date, the font files and the Typst version. Kept beside the PDFs (pdf.keys),
    so an unchanged book or fact sheet need not be laid out again."""
    digest = hashlib.sha256(source.typ.encode("utf-8"))
    for name in sorted(source.assets):
        digest.update(name.encode() + b"\0" + hashlib.sha256(source.assets[name]).digest())
    digest.update(f"{_tools_fingerprint()} {source.timestamp}".encode())
    return digest.hexdigest()[:32]


@lru_cache(maxsize=1)
def _tools_fingerprint() -> str:
    """The Typst version and the font files (name, size, time): the same for every PDF
    of a run, so read once (hundreds of fact sheets ask)."""
    fonts = [f"{path.name} {path.stat().st_size} {path.stat().st_mtime_ns}" for path in font_files()]
    return f"typst {version('typst')} " + " ".join(fonts)


_PAGE_COUNT = re.compile(rb"/Type\s*/Pages\s*/Count\s+(\d+)")


def page_count(data: bytes) -> int:
    """Pages of a PDF Typst wrote: its page tree's /Count, read from the bytes
    (pypdf, used when the tree looks otherwise, takes about 20 times as long)."""
    counts = _PAGE_COUNT.findall(data)
    if len(counts) == 1:
        return int(counts[0])
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def compile_pdf(source: BookSource, sys_inputs: dict[str, str] | None = None) -> bytes:
    """Lay out a book; raises typst.TypstError with Typst's diagnostic."""
    import typst

    with tempfile.TemporaryDirectory(prefix="cpkb-typst-") as tmp:
        root = Path(tmp)
        (root / "book.typ").write_text(source.typ, encoding="utf-8")
        for name, data in source.assets.items():
            if "/" in name or name.startswith("."):
                raise ValueError(f"bad asset name {name!r}")
            (root / name).write_bytes(data)
        return typst.compile(
            str(root / "book.typ"),
            root=str(root),
            font_paths=[str(font_folder())],
            ignore_system_fonts=True,
            pdf_standards=["ua-1"],
            timestamp=source.timestamp,
            sys_inputs=sys_inputs or {},
        )


def write_pdf(source: BookSource, target: Path) -> int:
    """Lay out `source` and write a tagged PDF/UA-1 file to target; return the page count.

    The file is exactly what Typst wrote, ending with `%%EOF`; its content key
    is kept in the folder's sidecar (pdf.keys), never inside the PDF.
    """
    data = compile_pdf(source)
    target.write_bytes(data)
    return page_count(data)


def write_book(source: BookSource, target: Path) -> tuple[int, float]:
    """Lay out one book and write it atomically (temporary name, then rename);
    return its pages and layout seconds. The work of a pool process: this module
    imports nothing heavy, so a fresh process starts in a fraction of a second."""
    start = time.perf_counter()
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        pages = write_pdf(source, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return pages, time.perf_counter() - start
