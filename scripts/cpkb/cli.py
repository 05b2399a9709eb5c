"""The `cpkb` command line: validate, build, pdf, new, translations, bench."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .problems import SourceError


def project_root() -> Path:
    """The project root: the nearest folder upwards holding measures/schema.json."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "measures" / "schema.json").exists():
            return folder
    return here


def cmd_validate(args: argparse.Namespace) -> int:
    from .validate import fix_nfc, measure_files, validate_catalogue

    root = project_root()
    measures_dir = root / "measures"
    paths = [Path(p) for p in args.paths] or None
    if paths:
        for p in paths:
            if not p.exists():
                print(f"cpkb validate: no such file or folder: {p}", file=sys.stderr)
                return 2
    if args.fix:
        targets = [p for p in measure_files(measures_dir)
                   if not paths or any(p.resolve() == q.resolve() or q.resolve() in p.resolve().parents for q in paths)]
        for changed in fix_nfc(targets):
            print(f"normalised to NFC: {changed}")
    report = validate_catalogue(measures_dir, only=paths, root=root)
    for problem in report.problems:
        print(problem.format_github() if args.format == "github" else problem.format())
    count = len(report.problems)
    checked = f"{report.files_checked} measure file(s) checked"
    if count:
        print(f"\n{count} error(s); {checked}.", file=sys.stderr)
        return 1
    print(f"OK: {checked}, no errors.", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cpkb",
        description="CP Handbook: validate the cleaner-production catalogue and build the bilingual site and PDF handbooks.")
    parser.add_argument("--version", action="version", version=f"cpkb {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("validate", help="check measure files; exit 1 on any error",
                       description="Check measure files against measures/schema.json and the catalogue rules. "
                                   "All errors are reported together, sorted by file and line.")
    p.add_argument("paths", nargs="*", help="files or folders to report on (default: the whole catalogue)")
    p.add_argument("--format", choices=("human", "github"), default="human",
                   help="github: emit ::error annotations for GitHub Actions")
    p.add_argument("--fix", action="store_true", help="normalise text to Unicode NFC in place before checking")
    p.set_defaults(func=cmd_validate)

    for register in _EXTRA_COMMANDS:
        register(sub)
    return parser


_EXTRA_COMMANDS: list = []


def command(register):
    """Decorator for modules that add a sub-command (keeps cli.py small)."""
    _EXTRA_COMMANDS.append(register)
    return register


def main(argv: list[str] | None = None) -> int:
    _load_commands()
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


def _load_commands() -> None:
    """Import the modules that register sub-commands (each keeps its own arguments)."""
    from . import commands_bench, commands_build, commands_new, commands_pdf, commands_translations  # noqa: F401
