"""HTML → PDF with WeasyPrint: fonts, stylesheet, metadata, tags.

Imported only in the processes that lay out pages (WeasyPrint is slow to
import and not needed to check the sources).
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from .problems import Problem, SourceError

TEMPLATES = Path(__file__).parent / "templates" / "pdf"

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


def _fetcher():
    from weasyprint.urls import URLFetcher

    # Only local files (fonts, images next to the chapters) and data: URIs: a
    # build must not depend on the network, nor leak a request from a chapter.
    return URLFetcher(allowed_protocols={"file", "data"})


def write_pdf(html: str, target: Path, metadata: dict) -> int:
    """Lay out `html` and write a tagged PDF/UA-1 file to target; return the page count."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(TEMPLATES) + "/", url_fetcher=_fetcher()).render()
    # A stable identifier derived from the content keeps builds byte-identical.
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    document.write_pdf(target, pdf_variant="pdf/ua-1", pdf_identifier=identifier)
    return len(document.pages)
