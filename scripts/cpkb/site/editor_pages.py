"""Pages for editors: the field reference (from the schema), the translation
status and the benchmarks."""

from __future__ import annotations

from pathlib import Path

from cpkb.site.benchmarks import render_benchmark_page
from cpkb.site.common import with_source
from cpkb.site.reference import render_field_reference
from cpkb.site.translations import render_translation_status
from cpkb.source.translations import TranslationReport
from cpkb.source.validate import load_schema


def editor_pages(root: Path, lang: str, translations: TranslationReport) -> dict[str, str]:
    """Field reference (from the schema), translation status and benchmark pages."""
    pages = {
        f"guides/field-reference.{lang}.md": with_source(
            "measures/schema.json", render_field_reference(load_schema(root / "measures"), lang)
        ),
        f"guides/translations.{lang}.md": with_source(
            "", render_translation_status(root / "measures", lang, translations)
        ),
    }
    benchmarks = render_benchmark_page(root, lang)
    if benchmarks:
        pages[f"guides/benchmarks.{lang}.md"] = with_source(f"benchmarks/notes.{lang}.md", benchmarks)
    return pages
