"""MkDocs glue: generate pages from the catalogue, set the navigation and the
shared Markdown dialect. Everything real happens in cpkb.sitegen; keep this short.

static-i18n runs the whole build once per language, so each hook runs twice:
generation is cached and writes a file only when its content changed (under
`mkdocs serve` a write would otherwise trigger an endless rebuild loop).

`cpkb build` runs one MkDocs process per language at once: CPKB_BUILD_LANGUAGE
tells static-i18n which one this process builds (and that it builds only
that one); both processes share docs/, where the pages are generated once
under a lock (cpkb.site.pages.generate_pages).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # works without `pip install -e .` too

from cpkb.text import markdown as markdown_render
from cpkb.site import nav as sitenav
from cpkb.site import pages as sitegen
from cpkb.site import rawhtml
from cpkb.source.handbook import symlink_problems
from cpkb.source.problems import SourceError  # noqa: E402
from cpkb.text.safety import sanitize_html
from cpkb.text.search_keys import STOP_WORDS


def refuse_links(root: Path) -> None:
    """MkDocs follows symbolic links in docs/: a link to /etc/passwd would be published."""
    problems = symlink_problems(root)
    if problems:
        raise SourceError(problems)


def _root(config) -> Path:
    """The project root is the folder of mkdocs.yml (tests build fixture projects)."""
    return Path(config.config_file_path).resolve().parent


def on_config(config):
    root = _root(config)
    for name in markdown_render.EXTENSIONS:
        if name not in config.markdown_extensions:
            config.markdown_extensions.append(name)
    config.mdx_configs.update(markdown_render.extension_configs())
    try:
        refuse_links(root)
        sitegen.load_catalogue(root / "measures", root=root)  # validated while the other language generates
        sitegen.generate_pages(root, Path(config.docs_dir), sitegen.edit_base(config.repo_url, config.edit_uri))
    except SourceError as err:
        from mkdocs.exceptions import Abort

        raise Abort("cpkb: the sources have errors; nothing was built\n" + str(err)) from None
    config.nav = sitenav.build_nav(root)
    i18n = config.plugins.get("i18n")
    if i18n is not None:
        for language in i18n.config.languages:
            language.nav_translations = sitenav.nav_translations(language.locale)
        only = os.environ.get("CPKB_BUILD_LANGUAGE")
        if only and i18n.current_language is None:
            # static-i18n builds its current language, then the others from its
            # post-build hook unless it is already "building" them: this process
            # builds `only`, with every language's alternates and switcher.
            i18n.current_language = only
            i18n.building = True
    return config


def on_page_markdown(markdown, page, config, files):
    # MkDocs reads mdx_configs for each page: the ¶ tooltip speaks the page's language.
    from cpkb.text.labels import label

    config.mdx_configs["toc"]["permalink_title"] = label("markdown.permalink", config.theme["language"])
    if page.file.src_uri.startswith(TRUSTED_PAGES):
        markdown, page.cpkb_html_blocks = rawhtml.stash(markdown)
    return markdown


def on_env(env, config, files):
    from cpkb.text.labels import label

    env.globals["cp_label"] = lambda key: label(key, config.theme["language"])
    env.globals["cp_stop_words"] = sorted(STOP_WORDS.get(config.theme["language"], ()))  # search.js: the same keys
    env.globals["cp_label_in"] = label  # pages that speak both languages (404)
    return env


def on_page_context(context, page, config, nav):
    # "Edit" opens the file an editor really changes: a generated page names it
    # (a YAML file, a handbook chapter, "" for none); a docs/ page is itself.
    base = sitegen.edit_base(config.repo_url, config.edit_uri)
    source = page.meta.get("cpkb_source")
    if source is None:
        docs = Path(config.docs_dir).resolve().relative_to(_root(config)).as_posix()
        source = f"{docs}/{page.file.src_uri}"
    page.edit_url = f"{base}{source}" if base and source else None
    # Pagefind's bundle is at the site root, shared by both languages.
    context["cp_site_root"] = sitegen.to_root(page.url.count("/"), config.theme["language"]) or "./"
    # Search: editor pages stay out of the index; the others carry search keys.
    context["cp_searchable"] = sitegen.searchable(page.file.src_uri)
    if context["cp_searchable"]:
        context["cp_search_keys"] = sitegen.page_search_keys(
            _root(config),
            config.theme["language"],
            page.title or "",
            page.meta.get("description", ""),
            page.content or "",
        )
    return context


def on_post_template(output, template_name, config):
    # The 404 page speaks both languages, the default first; static-i18n renders
    # it during the last language's build, so state the document language here.
    if template_name == "404.html":
        from cpkb import LANGUAGES

        output = output.replace(f'<html lang="{config.theme["language"]}"', f'<html lang="{LANGUAGES[0]}"', 1)
    return output


# Pages built from our own templates: their HTML is trusted and their record
# text was already rendered through render_fragment (sanitised). Every other
# page (handbook chapters, the glossary, docs/ pages, the benchmark page) comes
# from a pull request's Markdown and is sanitised as a whole after rendering.
TRUSTED_PAGES = (
    "measures/",
    "sectors/",
    "support/",
    "plan/",
    "report/",
    "handbook/index.",
    "downloads.",
    "guides/field-reference.",
    "guides/translations.",
)


def on_page_content(html, page, config, files):
    if page.file.src_uri.startswith(TRUSTED_PAGES):
        return rawhtml.unstash(html, getattr(page, "cpkb_html_blocks", []))
    return sanitize_html(html)
