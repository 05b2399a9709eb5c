"""`cpkb validate`: check measure files; exit 1 on any error."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cpkb.cli.common import project_root


def register(sub) -> None:
    p = sub.add_parser(
        "validate",
        help="check measure and support files; exit 1 on any error",
        description="Check measure files against measures/schema.json and the catalogue rules. "
        "All errors are reported together, sorted by file and line.",
    )
    p.add_argument("paths", nargs="*", help="files or folders to report on (default: the whole catalogue)")
    p.add_argument(
        "--format",
        choices=("human", "github"),
        default="human",
        help="github: emit ::error annotations for GitHub Actions",
    )
    p.add_argument("--fix", action="store_true", help="normalise text to Unicode NFC in place before checking")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from cpkb.source.support import KINDS, support_files, validate_support
    from cpkb.source.validate import fix_nfc, measure_files, validate_catalogue

    root = project_root()
    measures_dir = root / "measures"
    paths = [Path(p) for p in args.paths] or None
    if paths:
        for p in paths:
            if not p.exists():
                print(f"cpkb validate: no such file or folder: {p}", file=sys.stderr)
                return 2
    if args.fix:
        targets = [
            p
            for p in measure_files(measures_dir) + [f for k in KINDS for f in support_files(root, k)]
            if not paths or any(p.resolve() == q.resolve() or q.resolve() in p.resolve().parents for q in paths)
        ]
        for changed in fix_nfc(targets):
            print(f"normalised to NFC: {changed}")
    report = validate_catalogue(measures_dir, only=paths, root=root)
    if not paths:  # the whole project: chapters and symbolic links too
        from cpkb.source.handbook import chapter_problems

        report.problems = sorted(report.problems + chapter_problems(root))
    # Support entries (handbook/support/) refer to measures and sectors: check them with the catalogue.
    support = validate_support(
        root, [r.data.get("id") for r in report.records], [s["key"] for s in report.sectors], only=paths
    )
    report.problems = sorted(report.problems + support.problems)
    for problem in report.problems:
        print(problem.format_github() if args.format == "github" else problem.format())
    count = len(report.problems)
    checked = (
        f"{report.files_checked} measure file(s)"
        + (f" and {support.files_checked} support file(s)" if support.files_checked else "")
        + " checked"
    )
    if count:
        print(f"\n{count} error(s); {checked}.", file=sys.stderr)
        return 1
    print(f"OK: {checked}, no errors.", file=sys.stderr)
    return 0
