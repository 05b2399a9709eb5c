"""HTML → PDF with WeasyPrint: fonts, stylesheet, metadata, tags.

Imported only in the processes that lay out pages (WeasyPrint is slow to
import and not needed to check the sources).
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from cpkb.source.problems import Problem, SourceError

FONT_DIRS = ("/usr/share/fonts/truetype/noto", "/usr/share/fonts/noto", "/usr/local/share/fonts/noto")
"""Where Debian's fonts-noto-core puts Noto Sans: one complete TTF per face.
One file per face matters: WeasyPrint garbles Vietnamese when a family is
split into unicode-range subsets (see design.md)."""

FACES = {("normal", "normal"): "NotoSans-Regular.ttf", ("bold", "normal"): "NotoSans-Bold.ttf",
         ("normal", "italic"): "NotoSans-Italic.ttf", ("bold", "italic"): "NotoSans-BoldItalic.ttf"}


def find_font_dir() -> Path:
    """The folder holding the four Noto Sans faces; CPKB_FONT_DIR overrides the search."""
    candidates = [os.environ["CPKB_FONT_DIR"]] if os.environ.get("CPKB_FONT_DIR") else list(FONT_DIRS)
    for folder in map(Path, candidates):
        if all((folder / name).is_file() for name in FACES.values()):
            return folder
    raise SourceError([Problem("(fonts)", 1, 1, "", f"Noto Sans not found in {', '.join(candidates)}",
                               "install it: sudo apt-get install fonts-noto-core (or set CPKB_FONT_DIR)")])


@lru_cache(maxsize=1)
def font_css() -> str:
    """@font-face rules pointing at the installed font files (embedded, subset, in the PDF)."""
    folder = find_font_dir()
    rules = [f'@font-face {{ font-family: "CP Noto Sans"; font-weight: {weight}; font-style: {style}; '
             f'src: url("{(folder / name).as_uri()}"); }}'
             for (weight, style), name in FACES.items()]
    return "\n".join(rules)


ASSET_DIRS = ("handbook", "docs/assets")
"""Project folders a book may read images from (besides the font folder)."""


def allowed_file(url: str, roots: tuple[Path, ...]) -> bool:
    """True when a file: URL names a regular file that, symbolic links resolved,
    lies inside one of `roots`. Everything else (/etc/passwd, ../.git/config,
    /proc/self/environ, a link pointing out) is refused."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    try:
        path = Path(unquote(parts.path)).resolve(strict=True)
    except (OSError, RuntimeError):
        return False
    return path.is_file() and any(path.is_relative_to(r) for r in roots)


def _fetcher(base: Path):
    from weasyprint.urls import URLFetcher

    project = base.resolve().parent  # base is the project's handbook/ folder
    roots = tuple((project / d).resolve() for d in ASSET_DIRS) + (find_font_dir().resolve(),)

    class _ProjectFetcher(URLFetcher):
        """data: URIs and the project's own assets and fonts, nothing else: a
        pull request must not get a file of the build machine into a PDF, nor
        make the build send a request."""

        def fetch(self, url, headers=None):
            if url.startswith("data:") or allowed_file(url, roots):
                return super().fetch(url, headers)
            raise ValueError(f"cpkb: the PDF may not read {url[:80]}")

    return _ProjectFetcher(allowed_protocols={"file", "data"})


def content_key(html: str) -> str:
    """Fingerprint of everything a PDF is made from: the HTML (which embeds the
    CSS), the font files and the WeasyPrint version. Stored as the PDF's /ID:
    stable, so builds stay byte-identical, and readable to skip unchanged books."""
    digest = hashlib.sha256(html.encode("utf-8"))
    digest.update(f"weasyprint {version('weasyprint')}".encode())
    folder = find_font_dir()
    for name in sorted(FACES.values()):
        stat = (folder / name).stat()
        digest.update(f"{name} {stat.st_size} {stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:32]


_ID = re.compile(rb"/ID\s*\[\s*\(([0-9a-f]{32})\)")


def read_content_key(path: Path) -> str | None:
    """The fingerprint stored in an existing PDF's trailer (None if absent or unreadable)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 64))
            tail = f.read()
            start = re.search(rb"startxref\s+(\d+)", tail)
            f.seek(int(start.group(1)) if start else max(0, size - 4096))
            match = _ID.search(f.read(4096))
    except (OSError, ValueError):
        return None
    return match.group(1).decode() if match else None


def count_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def write_pdf(html: str, target: Path, key: str, base: Path) -> int:
    """Lay out `html` and write a tagged PDF/UA-1 file to target; return the page count.

    base: the folder relative links (an image next to a chapter) resolve from;
    given here rather than in the HTML so the checkout path never reaches the PDF.
    """
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(base) + "/", url_fetcher=_fetcher(base)).render()
    # No attachments at all: <link rel="attachment"> and <a rel="attachment">
    # would embed whatever file the fetcher returns.
    document.metadata.attachments = []
    for page in document.pages:
        page.links[:] = [link for link in page.links if link[0] != "attachment"]
    document.write_pdf(target, pdf_variant="pdf/ua-1", pdf_identifier=key.encode("ascii"))
    return len(document.pages)
