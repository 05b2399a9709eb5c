"""`cpkb bench`: benchmarks at 100, 1,000 and 10,000 measures."""

from __future__ import annotations

import argparse
from pathlib import Path

from cpkb.cli.common import project_root


def run(args: argparse.Namespace) -> int:
    from cpkb.bench import run as run_bench
    from cpkb.source.benchmarks import write_results

    root = project_root()
    if args.search_only:
        # Only the search measurements (real catalogue), kept with the last sizes' results.
        import tempfile

        from cpkb.bench import search_bench
        from cpkb.source.benchmarks import read_results

        data = read_results(root) or {"machine": "", "command": "make bench", "date": "", "results": []}
        with tempfile.TemporaryDirectory(prefix="cpkb-bench-", dir=root) as tmp:
            data["search"] = search_bench(root, Path(tmp))
        data["search"]["command"] = "cpkb bench --search-only"
        print(data["search"])
        if not args.dry_run:
            write_results(root, data)
        return 0
    data = run_bench(root, sizes=tuple(args.sizes), with_pdf=not args.no_pdf)
    default = tuple(args.sizes) == (100, 1000, 10000) and not args.no_pdf
    data["command"] = "make bench" if default else "cpkb bench --sizes " + " ".join(map(str, args.sizes))
    if args.dry_run:
        print(data)
        return 0
    path = write_results(root, data)
    print(f"bench: wrote {path.relative_to(root)}; the site's benchmark page is made from it at build time")
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "bench",
        help="benchmark validation, site build, search and PDFs at several catalogue sizes",
        description="Generate synthetic catalogues (fixed seed) and measure every step; write the "
        "results to benchmarks/results.json, from which the site's benchmark page is built "
        "(with the analysis in benchmarks/notes.<lang>.md).",
    )
    p.add_argument(
        "--sizes", type=int, nargs="+", default=[100, 1000, 10000], help="catalogue sizes (default: 100 1000 10000)"
    )
    p.add_argument("--no-pdf", action="store_true", help="skip the PDF measurements")
    p.add_argument(
        "--search-only",
        action="store_true",
        help="only search quality and bytes on the real catalogue; keep the other recorded results",
    )
    p.add_argument("--dry-run", action="store_true", help="print the results, write nothing")
    p.set_defaults(func=run)
