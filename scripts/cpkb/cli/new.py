"""`cpkb new`: start a measure file that validates, interactively or from flags.

The flags are generated from measures/schema.json (one per field: `--title-vi`,
`--savings-energy-pct MIN MAX`, ...), so every field can be given without
prompts, e.g. by a script importing measures from a spreadsheet.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, Callable

import yaml

from cpkb.cli.common import cli_language, project_root
from cpkb.text.labels import LabelGroup, label
from cpkb.source.translations import TODO
from cpkb.cli.draft import NewMeasureError, build_draft, flag_fields, render_measure_yaml, write_draft
from cpkb.source.support import KINDS as SUPPORT_KINDS
from cpkb.source.schema import Field, child_fields, description, first_sentence, range_scopes, resolve_ref


class _UsageError(Exception):
    def __init__(self, key: str, **values: Any):
        self.key, self.values = key, values


def flag_name(f: Field, lang: str | None = None) -> str:
    """The command-line flag of a field: savings.energy_pct -> --savings-energy-pct, title + vi -> --title-vi."""
    base = "--" + f.path.replace(".", "-").replace("_", "-")
    return f"{base}-{lang}" if lang else base


def _load_schema() -> dict | None:
    try:
        return json.loads((project_root() / "measures" / "schema.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # outside a project: `cpkb new` explains when it runs


def register(sub: argparse._SubParsersAction) -> None:
    lang = cli_language()
    t = LabelGroup("cli.new", lang)
    p = sub.add_parser("new", help=t["help"], description=t["description"], allow_abbrev=False)
    p.add_argument("--dry-run", action="store_true", help=t["dry_run"])
    p.add_argument("--kind", choices=("measure",) + SUPPORT_KINDS, default="measure", help=t["kind"])
    p.add_argument("--lang", choices=("vi", "en"), default=lang, help=t["lang"])
    ask = p.add_mutually_exclusive_group()
    ask.add_argument("-i", "--interactive", action="store_true", default=None, help=t["interactive"])
    ask.add_argument("--no-input", dest="interactive", action="store_false", default=None, help=t["no_input"])
    schema = _load_schema()
    fields = p.add_argument_group(t["fields"]) if schema else None
    for f in flag_fields(schema) if schema else []:
        # argparse %-formats help texts; the schema says "(%)".
        text = first_sentence(description(f.node, lang)).replace("%", "%%")
        dest = f"field:{f.path}"
        if f.kind == "bilingual":
            for text_lang in ("vi", "en"):
                fields.add_argument(
                    flag_name(f, text_lang), dest=f"{dest}:{text_lang}", metavar="TEXT", help=f"{text} [{text_lang}]"
                )
        elif f.kind == "range" and range_scopes(f.node):
            fields.add_argument(
                flag_name(f),
                dest=dest,
                nargs=3,
                metavar=("MIN", "MAX", "SCOPE"),
                help=t["range_scope"].format(text=text, scopes=", ".join(range_scopes(f.node))),
            )
        elif f.kind == "range":
            fields.add_argument(
                flag_name(f), dest=dest, nargs=2, type=float, metavar=("MIN", "MAX"), help=t["range"].format(text=text)
            )
        elif f.kind == "list":
            fields.add_argument(flag_name(f), dest=dest, nargs="+", metavar="ID", help=text)
        elif f.kind == "list_objects":
            keys = ", ".join(c.name for c in child_fields(_items_schema(f, schema), schema))
            fields.add_argument(
                "--" + _singular(f.name),
                dest=dest,
                nargs="+",
                action="append",
                metavar="KEY=VALUE",
                help=t["source"].format(keys=keys).replace("%", "%%"),
            )
        elif f.node.get("enum"):
            kind = int if f.node.get("type") == "integer" else str
            fields.add_argument(
                flag_name(f),
                dest=dest,
                type=kind,
                choices=f.node["enum"],
                help=text,
                metavar=f.name.upper() if kind is str else None,
            )
        else:
            fields.add_argument(flag_name(f), dest=dest, metavar=f.name.upper(), help=text)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ask: Callable[[str], str] = input) -> int:
    """Build, show or write the measure. 0: written (or printed) and valid; 1: not valid; 2: usage error."""
    lang = args.lang
    t = LabelGroup("cli.new", lang)
    root = project_root()
    if getattr(args, "kind", "measure") != "measure":
        return _new_support_entry(args, root, t)
    measures_dir = root / "measures"
    schema = _load_schema()
    if schema is None:
        print(t["error"].format(message=t["no_schema"]), file=sys.stderr)
        return 2
    sectors = yaml.safe_load((measures_dir / "sectors.yml").read_text(encoding="utf-8")) or []
    try:
        values = _values_from_args(args, schema, lang)
        interactive = args.interactive if args.interactive is not None else sys.stdin.isatty()
        if interactive:
            try:
                _ask_missing(values, schema, sectors, lang, ask)
            except EOFError:  # Ctrl-D at a prompt: stop, write nothing
                print(file=sys.stderr)
                return 130
        if not values.get("sector"):
            raise _UsageError("need_sector", keys=", ".join(s["key"] for s in sectors))
        draft = build_draft(measures_dir, schema, sectors, values)
    except _UsageError as err:
        print(t["error"].format(message=t[err.key].format(**err.values)), file=sys.stderr)
        return 2
    except NewMeasureError as err:
        print(t["error"].format(message=err.message(lang)), file=sys.stderr)
        return 2
    draft.text = render_measure_yaml(draft, schema)
    shown = draft.path.relative_to(root).as_posix() if draft.path.is_relative_to(root) else draft.path.as_posix()
    todo = sum(line.count(TODO) for line in draft.text.splitlines()[1:] if not _is_instruction(line))
    if args.dry_run:
        sys.stdout.write(draft.text)
        print(t["dry"].format(path=shown), file=sys.stderr)
        return 0
    try:
        write_draft(draft, schema)
    except FileExistsError:
        taken = NewMeasureError("id_taken", id=draft.id, path=shown)  # created meanwhile
        print(t["error"].format(message=taken.message(lang)), file=sys.stderr)
        return 2
    print(t["created"].format(path=shown, id=draft.id), file=sys.stderr)
    from cpkb.source.validate import validate_catalogue

    report = validate_catalogue(measures_dir, only=[draft.path], root=root)
    if report.problems:
        print(t["invalid"], file=sys.stderr)
        for problem in report.problems:
            print(problem.format(), file=sys.stderr)
        return 1
    if todo:
        print(t["todo_left"].format(n=todo), file=sys.stderr)
    print(t["next"].format(path=shown), file=sys.stderr)
    return 0


def _is_instruction(line: str) -> bool:
    """The header's instructions mention TODO but are not placeholders."""
    return line.startswith("# ") and "cpkb new" in line


def _values_from_args(args: argparse.Namespace, schema: dict, lang: str) -> dict[str, Any]:
    """Turn the field flags into build_draft's dotted-path values."""
    given = vars(args)
    values: dict[str, Any] = {}
    for f in flag_fields(schema):
        dest = f"field:{f.path}"
        if f.kind == "bilingual":
            text = {text_lang: _read_text(given.get(f"{dest}:{text_lang}"), lang) for text_lang in ("vi", "en")}
            if any(text.values()):
                values[f.path] = text
        elif given.get(dest) is None:
            continue
        elif f.kind == "range":
            values[f.path] = _range_value(given[dest], f)
        elif f.kind == "list":
            values[f.path] = [v.upper() for v in given[dest]]
        elif f.kind == "list_objects":
            values[f.path] = [_parse_item(pairs, _items_schema(f, schema), schema, lang) for pairs in given[dest]]
        elif f.node.get("format") == "date":
            try:
                dt.date.fromisoformat(given[dest])
            except ValueError:
                raise _UsageError("bad_date", value=given[dest]) from None
            values[f.path] = given[dest]
        else:
            values[f.path] = given[dest]
    return values


def _range_value(given: list, f: Field) -> dict:
    """MIN MAX [SCOPE] from the command line; the scope one of the schema's."""
    try:
        value: dict = {"min": float(given[0]), "max": float(given[1])}
    except ValueError:
        raise _UsageError("bad_number", flag=flag_name(f), value=" ".join(given[:2])) from None
    if len(given) > 2:
        if given[2] not in range_scopes(f.node):
            raise _UsageError("bad_scope", flag=flag_name(f), value=given[2], allowed=", ".join(range_scopes(f.node)))
        value["scope"] = given[2]
    return value


def _parse_item(pairs: list[str], item_schema: dict, schema: dict, lang: str) -> dict:
    """`title=... publisher=... year=2012` -> {"title": ..., "publisher": ..., "year": 2012}."""
    fields = {c.name: c for c in child_fields(item_schema, schema)}
    item: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or key not in fields:
            raise _UsageError("bad_source", keys=", ".join(fields))
        if fields[key].node.get("type") == "integer":
            try:
                item[key] = int(value)
            except ValueError:
                raise _UsageError("bad_year", value=value) from None
        else:
            item[key] = _read_text(value, lang)
    # Keep the schema's field order, whatever order the flags came in.
    return {name: item[name] for name in fields if name in item}


def _read_text(value: str | None, lang: str) -> str | None:
    """A flag's text; `@path` reads the text from a file (Markdown descriptions)."""
    if not value or not value.startswith("@") or len(value) == 1:
        return value
    path = Path(value[1:])
    try:
        return path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    except OSError as err:
        raise _UsageError("bad_file", path=path, error=err.strerror or err) from None


def _ask_missing(values: dict, schema: dict, sectors: list[dict], lang: str, ask: Callable[[str], str]) -> None:
    """Prompt for sector, title, technique and complexity when no flag gave them."""

    t = LabelGroup("cli.new", lang)
    if not values.get("sector"):
        options = [(s["key"], f"{s['name'][lang]} ({s['key']}, {s['prefix']})") for s in sectors]
        values["sector"] = _choose(t["sector_prompt"], options, lang, ask, required=True)
    title = values.setdefault("title", {"vi": None, "en": None})
    if not title.get("vi"):
        title["vi"] = ask(t["title_vi"]).strip() or None
    if not title.get("en"):
        title["en"] = ask(t["title_en"]).strip() or None
    if not any(title.values()):
        values.pop("title")
    props = schema.get("properties") or {}
    if "technique" not in values and "technique" in props:
        options = [(v, f"{label(f'technique.{v}', lang)} ({v})") for v in props["technique"]["enum"]]
        chosen = _choose(t["technique_prompt"], options, lang, ask)
        if chosen is not None:
            values["technique"] = chosen
    if "complexity" not in values and "complexity" in props:
        options = [(v, label(f"complexity.{v}_long", lang)) for v in props["complexity"]["enum"]]
        chosen = _choose(t["complexity_prompt"], options, lang, ask)
        if chosen is not None:
            values["complexity"] = chosen


def _choose(
    title: str, options: list[tuple[Any, str]], lang: str, ask: Callable[[str], str], required: bool = False
) -> Any:
    t = LabelGroup("cli.new", lang)
    print(title, file=sys.stderr)
    for i, (_, text) in enumerate(options, 1):
        print(f"  {i}. {text}", file=sys.stderr)
    while True:
        answer = ask(t["choose"].format(n=len(options), skip="" if required else t["skip"])).strip()
        if not answer and not required:
            return None
        keys = [str(value) for value, _ in options]
        if answer in keys and not answer.isdigit():
            return options[keys.index(answer)][0]  # typed the key itself, e.g. "beverages"
        if answer.isdigit() and 1 <= int(answer) <= len(options):
            return options[int(answer) - 1][0]
        print(t["invalid_choice"].format(n=len(options)), file=sys.stderr)


def _items_schema(f: Field, schema: dict) -> dict:
    return resolve_ref(f.node.get("items") or {}, schema)


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") else name


def _new_support_entry(args: argparse.Namespace, root: Path, t: LabelGroup) -> int:
    """Write a skeleton of a support entry (handbook/support/<kind>/<id>.yml) from its schema.
    The skeleton's placeholders do not validate: the editor fills them in from the source."""
    import re

    from cpkb.source.support import SUPPORT_DIR, skeleton_yaml

    entry_id = getattr(args, "field:id", None) or ""  # the measures' --id flag names the entry too
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,60}", entry_id):
        print(t["error"].format(message=t["bad_entry_id"]), file=sys.stderr)
        return 2
    try:
        text = skeleton_yaml(root, args.kind, entry_id)
    except FileNotFoundError as err:
        print(t["error"].format(message=str(err)), file=sys.stderr)
        return 2
    if args.dry_run:
        print(text, end="")
        return 0
    path = root / SUPPORT_DIR / args.kind / f"{entry_id}.yml"
    if path.exists():
        print(t["error"].format(message=t["entry_exists"].format(path=path)), file=sys.stderr)
        return 2
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(t["entry_written"].format(path=path))
    return 0
