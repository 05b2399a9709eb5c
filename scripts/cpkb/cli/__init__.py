"""The `cpkb` command line: one module per command, listed in COMMANDS."""

from __future__ import annotations

import argparse
import sys

from cpkb import __version__
from cpkb.cli import bench, build, new, pdf, report, translations, validate
from cpkb.source.problems import SourceError

COMMANDS = (validate, build, pdf, new, translations, bench, report)
"""Each module adds its sub-command with `register(sub)`, in this order in --help."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cpkb",
        description="CP Handbook: validate the cleaner-production catalogue and build the bilingual site and PDF handbooks.",
    )
    parser.add_argument("--version", action="version", version=f"cpkb {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except SourceError as err:
        for problem in err.problems:
            print(problem.format(), file=sys.stderr)
        print(f"\n{len(err.problems)} error(s); nothing was written.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
