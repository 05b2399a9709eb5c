"""HTML that our page templates have already rendered, kept away from Markdown.

A generated measure page is mostly HTML (key figures, prose rendered from the
record, the calculator). Python-Markdown would run it through its HTML parser
only to copy it out unchanged, and that was a third of a MkDocs build: at
10,000 measures, about a minute. A template marks such a block with the
`html_block` filter; on trusted pages (mkdocs_hooks.TRUSTED_PAGES) the hook
swaps each marked block for a placeholder before Markdown and puts it back in
the rendered page. Headings stay Markdown, so the table of contents and the
permalinks are unchanged.
"""

from __future__ import annotations

import re
import secrets

from markupsafe import Markup

START, END = "<!--cpkb:html-->", "<!--/cpkb:html-->"
_BLOCK = re.compile(rf"^{re.escape(START)}\n(.*?)\n{re.escape(END)}$", re.S | re.M)
_NONCE = secrets.token_hex(8)
"""In each placeholder, so no text of a page can pose as one."""
_PLACEHOLDER = re.compile(rf"<!--cpkb:{_NONCE}:(\d+)-->")


def html_block(html: str) -> Markup:
    """The Jinja filter: mark rendered HTML (whole lines, block-level) as needing no Markdown."""
    return Markup(f"{START}\n{str(html).strip(chr(10))}\n{END}")


def stash(markdown: str) -> tuple[str, list[str]]:
    """The page with each marked block replaced by a placeholder, and the blocks."""
    blocks: list[str] = []

    def keep(match: re.Match) -> str:
        blocks.append(match.group(1))
        return f"\n<!--cpkb:{_NONCE}:{len(blocks) - 1}-->\n"

    return _BLOCK.sub(keep, markdown), blocks


def unstash(html: str, blocks: list[str]) -> str:
    """The rendered page with each placeholder replaced by its block."""
    if not blocks:
        return html
    return _PLACEHOLDER.sub(lambda m: blocks[int(m.group(1))], html)
