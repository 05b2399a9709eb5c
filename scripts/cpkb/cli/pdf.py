"""`cpkb pdf`: build the PDF handbooks into site/downloads/ (or --out)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from cpkb import LANGUAGES
from cpkb.cli.common import project_root

COMPLETE = "complete"


def register(sub) -> None:
    p = sub.add_parser(
        "pdf",
        help="build the print-ready PDF handbooks",
        description="Build one PDF per sector and language plus the complete handbook per language, "
        "as handbook/book.yml declares. Exit 1 on bad sources (every problem listed), 2 on usage errors.",
    )
    p.add_argument("--lang", choices=LANGUAGES, action="append", help="only this language (repeatable; default: all)")
    p.add_argument(
        "--book",
        action="append",
        metavar="complete|SECTOR",
        help="only this book: 'complete' or a sector key (repeatable; default: all)",
    )
    p.add_argument("--out", type=Path, default=None, help="output folder (default: site/downloads)")
    p.add_argument(
        "--jobs", type=int, default=None, metavar="N", help="books laid out in parallel (default: number of CPU cores)"
    )
    p.add_argument(
        "--reuse",
        action="store_true",
        help="keep PDFs in the output folder that were made from identical sources (incremental builds)",
    )
    p.add_argument(
        "--factsheets",
        action="store_true",
        help="build the one-page fact sheets of the measures (into OUT/factsheets/) instead of the books",
    )
    p.set_defaults(func=run_pdf)


def run_pdf(args: argparse.Namespace) -> int:
    from cpkb.pdf import books as pdf

    root = project_root()
    if args.jobs is not None and args.jobs < 1:
        print("cpkb pdf: --jobs must be 1 or more", file=sys.stderr)
        return 2
    books = None if not args.book else [None if b == COMPLETE else b for b in args.book]
    out = args.out or root / "site" / "downloads"
    if args.factsheets:
        return _run_factsheets(root, out, args)
    start = time.perf_counter()
    try:
        results = pdf.build_books(
            root, out, langs=args.lang or LANGUAGES, books=books, jobs=args.jobs, reuse=args.reuse
        )
    except ValueError as err:  # an unknown book or language: a usage error, not a source error
        print(f"cpkb pdf: {err}", file=sys.stderr)
        return 2
    wall = time.perf_counter() - start
    for r in results:
        print(f"{r.path}  {r.pages} pages  " + ("unchanged, kept" if r.reused else f"{r.seconds:.1f} s"))
    made = [r for r in results if not r.reused]
    print(
        f"{len(made)} PDF(s) laid out, {len(results) - len(made)} kept; {sum(r.pages for r in made)} pages "
        f"in {wall:.1f} s: {pdf.pages_per_second(made, wall):.1f} pages/s",
        file=sys.stderr,
    )
    return 0


def _run_factsheets(root: Path, out: Path, args: argparse.Namespace) -> int:
    from cpkb.pdf.factsheets import build_factsheets
    from cpkb.source.handbook import FACTSHEETS_DIR

    if args.book:
        print("cpkb pdf: --factsheets and --book do not go together", file=sys.stderr)
        return 2
    run = build_factsheets(root, out / FACTSHEETS_DIR, langs=args.lang or LANGUAGES, reuse=args.reuse, jobs=args.jobs)
    print(
        f"{len(run.sheets)} fact sheets in {out / FACTSHEETS_DIR}: {run.laid_out} laid out, "
        f"{len(run.sheets) - run.laid_out} kept, in {run.seconds:.1f} s",
        file=sys.stderr,
    )
    return 0
