"""What every page generator shares: the Jinja environment, the translator,
paths to the site root and the downloads, and "edit this file" links."""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from cpkb import LANGUAGES
from cpkb.source import handbook
from cpkb.site.rawhtml import html_block
from cpkb.source.catalogue import Measure
from cpkb.text.labels import label
from cpkb.text.numbers import format_count, format_file_size
from cpkb.text.markdown import escape_markdown_block, escape_markdown_inline


def pdf_name(sector: str | None, lang: str) -> str:
    return handbook.book_filename(sector or None, lang)


PDF_DIR_ENV = "CPKB_PDF_DIR"
"""Where `cpkb build` laid out the PDFs (books, and fact sheets in factsheets/) before
running MkDocs: the pages that link them show their pages and size."""


@dataclass(frozen=True)
class PdfFile:
    """A PDF the site will publish, as its links describe it."""

    bytes: int
    pages: int | None
    """From the folder's sidecar (None if it does not say)."""


def published_pdfs(root: Path, subfolder: str = "") -> dict[str, PdfFile]:
    """The PDFs of one folder of downloads/ (file name -> PdfFile): from the folder
    `cpkb build` names in CPKB_PDF_DIR, else from the last build's site/downloads/
    (`mkdocs serve`). A page links a PDF only when it is there."""
    folder = Path(os.environ.get(PDF_DIR_ENV) or root / "site" / "downloads") / subfolder
    if not folder.is_dir():
        return {}
    try:
        keys = json.loads((folder / handbook.PDF_KEYS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        keys = {}
    found = {}
    for path in sorted(folder.glob("*.pdf")):
        entry = keys.get(path.name) if isinstance(keys, dict) else None
        pages = entry.get("pages") if isinstance(entry, dict) else None
        if path.is_file():
            found[path.name] = PdfFile(path.stat().st_size, pages if isinstance(pages, int) else None)
    return found


def pdf_facts(pdf: PdfFile | None, lang: str) -> str:
    """What a link to a PDF says of it, "178 trang, 2,4 MB" / "178 pages, 2.4 MB"
    ("" for a PDF not laid out: a site built without PDFs)."""
    if pdf is None:
        return ""
    size = format_file_size(pdf.bytes, lang)
    return (
        size
        if pdf.pages is None
        else label("downloads.pdf_facts", lang, pages=format_count(pdf.pages, lang), size=size)
    )


def factsheet_sizes(root: Path) -> dict[str, int]:
    """Bytes of each fact sheet (file name -> size) that the site will publish."""
    return {name: f.bytes for name, f in published_pdfs(root, handbook.FACTSHEETS_DIR).items()}


def to_root(depth: int, lang: str) -> str:
    """Relative path from a page `depth` folders deep (sectors/beverages/ is 2)
    to the site root, where downloads/ and pagefind/ are shared by both languages."""
    return "../" * (depth + (0 if lang == LANGUAGES[0] else 1))


@lru_cache(maxsize=1)
def env() -> Environment:
    """One Jinja environment per process: compiling templates dominates otherwise."""
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md_block"] = lambda s: Markup(escape_markdown_block(str(s)))
    env.filters["md_inline"] = lambda s: Markup(escape_markdown_inline(str(s)))
    # Front-matter values reach Material's templates (<title>, header, meta
    # description), which do not autoescape: escape HTML before quoting.
    env.filters["yaml_str"] = lambda s: Markup(json.dumps(html.escape(str(s)), ensure_ascii=False))
    env.filters["url"] = lambda s: Markup(str(escape(s)).replace("(", "%28").replace(")", "%29").replace(" ", "%20"))
    env.filters["html_block"] = html_block
    from cpkb.site.planner import calculator  # the measure page's calculator (site.planner needs no common)

    env.globals["planner_calculator"] = calculator
    return env


def edit_base(repo_url: str | None, edit_uri: str | None) -> str | None:
    """Where "edit this file" links start (mkdocs.yml's repo_url + edit_uri, which
    names the repository root, e.g. edit/main/); a source path is appended."""
    if not repo_url or edit_uri is None:
        return None
    return f"{repo_url.rstrip('/')}/{edit_uri.strip('/')}/"


def with_source(source: str, markdown: str) -> str:
    """A generated page with the file an editor changes to change it ("" for none)."""
    return f"---\ncpkb_source: {json.dumps(source)}\n---\n\n{markdown}"


def translator(lang: str):
    return lambda key, **values: label(key, lang, **values)


def measure_url(site_url: str, m: Measure, lang: str) -> str:
    """The measure's page: absolute when the site's address is known, else from the site root."""
    prefix = "" if lang == LANGUAGES[0] else f"{lang}/"
    return f"{site_url.rstrip('/')}/{prefix}measures/{m.slug}/" if site_url else f"/{prefix}measures/{m.slug}/"
