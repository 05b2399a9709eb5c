"""`cpkb build`: the whole site and the PDFs into site/."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cpkb.cli.common import project_root


def run(args: argparse.Namespace) -> int:
    from cpkb.build import BuildError, BuildInterrupted, build_site

    root = project_root()
    try:
        report = build_site(
            root, Path(args.site_dir) if args.site_dir else None, with_pdf=not args.no_pdf, jobs=args.jobs
        )
    except BuildInterrupted as err:  # one line: the user asked for it, no need to explain
        print(f"cpkb build: {err}", file=sys.stderr)
        return 128 + err.signum
    except BuildError as err:
        print(f"cpkb build: {err}\nThe previous site/ is unchanged.", file=sys.stderr)
        return 1
    times = ", ".join(f"{k} {v:.1f}s" for k, v in report.seconds.items())
    print(f"cpkb: site built in {report.site_dir} ({times})")
    if args.no_pdf:
        print("cpkb: PDFs skipped (--no-pdf)")
    else:
        pages = sum(book.pages for book in report.pdfs)
        print(
            f"cpkb: {len(report.pdfs)} PDF handbooks, {pages} pages, and {len(report.factsheets)} one-page "
            f"fact sheets, in {report.site_dir / 'downloads'}"
        )
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "build",
        help="build the bilingual site, search index, data downloads and PDFs into site/",
        description="Validate the catalogue, build the site (MkDocs, both languages), the Pagefind "
        "index, the CSV/JSON/XLSX downloads and the PDF handbooks, then swap the result "
        "into site/. A failed build leaves the previous site/ untouched.",
    )
    p.add_argument("--site-dir", help="output folder (default: site/)")
    p.add_argument("--no-pdf", action="store_true", help="skip the PDF handbooks (faster previews)")
    p.add_argument("--jobs", type=int, help="parallel PDF builds (default: number of cores)")
    p.set_defaults(func=run)
