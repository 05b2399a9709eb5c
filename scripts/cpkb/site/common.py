"""What every page generator shares: the Jinja environment, the translator,
paths to the site root and the downloads, and "edit this file" links."""

from __future__ import annotations

import html
import json
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from cpkb import LANGUAGES
from cpkb.source import handbook
from cpkb.source.catalogue import Measure
from cpkb.text.labels import label
from cpkb.text.markdown import escape_markdown_block, escape_markdown_inline


def pdf_name(sector: str | None, lang: str) -> str:
    return handbook.book_filename(sector or None, lang)


FACTSHEETS_ENV = "CPKB_FACTSHEETS_DIR"
"""Where `cpkb build` laid out the fact sheets before running MkDocs (the pages show their sizes)."""


def factsheet_sizes(root: Path) -> dict[str, int]:
    """Bytes of each fact sheet (file name -> size) that the site will publish: the folder
    `cpkb build` names in CPKB_FACTSHEETS_DIR, else the last build's site/downloads/factsheets/
    (`mkdocs serve`). A measure page links its fact sheet only when it exists."""
    import os

    folder = Path(os.environ.get(FACTSHEETS_ENV) or root / "site" / "downloads" / handbook.FACTSHEETS_DIR)
    if not folder.is_dir():
        return {}
    return {p.name: p.stat().st_size for p in folder.glob("*.pdf") if p.is_file()}


def to_root(depth: int, lang: str) -> str:
    """Relative path from a page `depth` folders deep (sectors/beverages/ is 2)
    to the site root, where downloads/ and pagefind/ are shared by both languages."""
    return "../" * (depth + (0 if lang == LANGUAGES[0] else 1))


@lru_cache(maxsize=1)
def env() -> Environment:
    """One Jinja environment per process: compiling templates dominates otherwise."""
    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                      autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["md_block"] = lambda s: Markup(escape_markdown_block(str(s)))
    env.filters["md_inline"] = lambda s: Markup(escape_markdown_inline(str(s)))
    # Front-matter values reach Material's templates (<title>, header, meta
    # description), which do not autoescape: escape HTML before quoting.
    env.filters["yaml_str"] = lambda s: Markup(json.dumps(html.escape(str(s)), ensure_ascii=False))
    env.filters["url"] = lambda s: Markup(str(escape(s)).replace("(", "%28").replace(")", "%29").replace(" ", "%20"))
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
