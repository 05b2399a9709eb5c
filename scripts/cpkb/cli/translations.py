"""`cpkb translations`: list missing and out-of-date English texts; mark measures as translated."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from cpkb.cli.common import cli_language, project_root
from cpkb.text.labels import LabelGroup, label
from cpkb.source.translations import MarkError, find_measure_file, mark_translated, translation_report
from cpkb.source.yamlfile import YamlError, parse_yaml


def register(sub: argparse._SubParsersAction) -> None:
    lang = cli_language()
    h = LabelGroup("cli.translations", lang)
    p = sub.add_parser("translations", help=h["help"], description=h["description"])
    action = p.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true", help=h["check"])
    action.add_argument("--mark", nargs="+", metavar="ID", help=h["mark"])
    action.add_argument("--mark-all", action="store_true", help=h["mark_all"])
    p.add_argument("--all", action="store_true", help=h["all"])
    p.add_argument("--format", choices=("human", "github"), default="human", help=h["format"])
    p.add_argument("--lang", choices=("vi", "en"), default=lang, help=h["lang"])
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """List (exit 0; with --check, 1 if anything is stale or untranslated) or mark (exit 1 if any failed)."""
    root = project_root()
    measures_dir = root / "measures"
    if args.mark or args.mark_all:
        return _mark(args, root, measures_dir)
    t = lambda key, **kw: label(f"translations.{key}", args.lang, **kw)  # noqa: E731
    report = translation_report(measures_dir, root=root)
    for problem in report.problems:
        print(problem.format(), file=sys.stderr)
    for m in report.measures:
        if m.status == "current" and not args.all:
            continue
        detail = {
            "untranslated": lambda: t(
                "cli_untranslated", fields=", ".join(f"{f} ({t('reason_' + why)})" for f, why in m.untranslated)
            ),
            "stale": lambda: t("cli_stale"),
            "untracked": lambda: t("cli_untracked"),
            "current": lambda: "",
        }[m.status]()
        if args.format == "github":
            if m.status in ("untranslated", "stale"):
                line = _line_of(m.path, m.untranslated[0][0] if m.untranslated else "translation")
                body = f"{m.id}: {t('status_' + m.status)}: {detail}".replace("%", "%25").replace("\n", "%0A")
                print(f"::warning file={m.shown},line={line}::{body}")
            continue
        status = t("status_" + m.status)
        print(f"{status:<16} {m.id:<9} {m.shown}" + (f"  {detail}" if detail else ""))
    counts = report.counts()
    print(t("cli_summary", total=len(report.measures), **counts), file=sys.stderr)
    failing = counts["stale"] + counts["untranslated"]
    if args.check and failing:
        print(t("cli_check_failed", n=failing), file=sys.stderr)
        return 1
    return 0


def _mark(args: argparse.Namespace, root: Path, measures_dir: Path) -> int:
    t = lambda key, **kw: label(f"translations.{key}", args.lang, **kw)  # noqa: E731
    failed = 0
    if args.mark_all:
        targets = [
            (m.id, m.path) for m in translation_report(measures_dir, root=root).measures if m.status != "untranslated"
        ]
    else:
        targets = []
        for wanted in args.mark:
            path = (
                Path(wanted)
                if wanted.endswith((".yml", ".yaml")) and Path(wanted).exists()
                else find_measure_file(measures_dir, wanted)
            )
            if path is None:
                print(t("unknown_id", id=wanted), file=sys.stderr)
                failed += 1
            else:
                targets.append((wanted, path))
    for _, path in targets:
        shown = (
            path.resolve().relative_to(root.resolve()).as_posix()
            if path.resolve().is_relative_to(root.resolve())
            else path.as_posix()
        )
        try:
            changed = mark_translated(path)
        except MarkError as err:
            print(t("not_marked", reason=str(err)), file=sys.stderr)
            failed += 1
            continue
        print(t("marked" if changed else "already_marked", file=shown))
    return 1 if failed else 0


def _line_of(path: Path, dotted: str) -> int:
    """The line of a field given as a dotted path ("savings.basis", "items[0].note"), 1 if unknown."""
    parts: list = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", dotted):
        parts.append(int(index) if index else name)
    try:
        doc = parse_yaml(path.read_text(encoding="utf-8"))
    except (YamlError, OSError, UnicodeDecodeError):
        return 1
    # An untranslated text is reported on its `en` line when there is one.
    return doc.position(tuple(parts) + ("en",))[0]
