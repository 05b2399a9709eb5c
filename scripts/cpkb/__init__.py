"""CP Handbook: cleaner-production measures and handbooks, from YAML and Markdown
to a bilingual website and print-ready PDFs."""

__version__ = "0.1.0"

LANGUAGES = ("vi", "en")
"""Every text exists in these languages; the first is the default (served at /)."""
