"""Reading one YAML data file as editors write it: refused paths, UTF-8, YAML
with positions, text rules, finite numbers, and JSON Schema errors located at
file:line:col. The measures, the sector list, the moved-ids list and the
handbook's data files all go through here."""

from __future__ import annotations

import json
import math
import unicodedata
from pathlib import Path
from typing import Any, Iterable

import jsonschema

from cpkb import LANGUAGES
from cpkb.source.explain import explain
from cpkb.source.problems import Problem, dotted
from cpkb.source.textrules import path_problem, text_problems
from cpkb.source.yamlfile import Document, YamlError, parse_yaml


class Reporter:
    """Problems of one file, located in its document (line 1 before it parses)."""

    def __init__(self, shown: str, problems: list[Problem]):
        self.shown, self.problems = shown, problems

    def __call__(
        self, doc_path: tuple, message: str, hint: str = "", doc: Document | None = None, needle: str | None = None
    ) -> None:
        if doc is None:
            line, col = 1, 1
        else:
            line, col = doc.locate(doc_path, needle) if needle else doc.position(doc_path)
        self.problems.append(Problem(self.shown, line, col, dotted(doc_path), message, hint))

    def at(self, line: int, column: int, message: str, hint: str, field: str = "") -> None:
        self.problems.append(Problem(self.shown, line, column, field, message, hint))


def read_document(path: Path, root: Path, problem: Reporter) -> Document | None:
    """The parsed file, or None with the reason reported: a link, not UTF-8, bad YAML."""
    refused = path_problem(path, root)
    if refused:
        problem.at(1, 1, f"the file {refused}", "replace the link by a copy of the file, inside the project")
        return None
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        problem.at(
            line,
            column,
            f"the file is not valid UTF-8 (byte {err.start})",
            "save the file as UTF-8; most editors offer it in 'Save with encoding'",
        )
        return None
    try:
        return parse_yaml(text)
    except YamlError as err:
        problem.at(err.line, err.column, err.message, err.hint, dotted(err.path))
        return None


def check_texts(doc: Document, problem: Reporter, schemes: frozenset[str] = frozenset()) -> None:
    """NFC, the text rules (invisible characters, links, brackets), blanks, finite numbers."""
    for at, value in strings(doc.data):
        if unicodedata.normalize("NFC", value) != value:
            word = next(w for w in value.split() if unicodedata.normalize("NFC", w) != w)
            problem(
                at,
                "text is not in Unicode NFC (decomposed accents, as some keyboards type them)",
                "run `cpkb validate --fix` to normalise the file",
                doc,
                needle=word,
            )
        for message, hint, needle in text_problems(value, schemes, raw_html=False):
            problem(at, message, hint, doc, needle=needle)
        if at and at[-1] in LANGUAGES and not value.strip():
            problem(at, "the text is blank", f"write the {'Vietnamese' if at[-1] == 'vi' else 'English'} text", doc)
    for at, number in numbers(doc.data):
        if not math.isfinite(number):
            problem(at, f"{number} is not a finite number", "write a plain number such as 12.5 (not .nan or .inf)", doc)


def leaves(value: Any, kind: type, at: tuple = ()) -> Iterable[tuple[tuple, Any]]:
    """(path, value) of every value of type `kind` in a parsed document, depth first."""
    if isinstance(value, kind):
        yield at, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, kind, at + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from leaves(v, kind, at + (i,))


def strings(value: Any) -> Iterable[tuple[tuple, str]]:
    return leaves(value, str)


def numbers(value: Any) -> Iterable[tuple[tuple, float]]:
    """Floats only: YAML's .nan and .inf are floats, and integers are always finite."""
    return leaves(value, float)


SCHEMAS = Path(__file__).parent / "schemas"
"""The package's own schemas of the project's data files (sectors, moved ids,
book, glossary, worksheets): part of the tool, so a pull request cannot loosen them."""


def package_schema(name: str) -> dict:
    """The schema `name` (e.g. "sectors") from the package."""
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


def check_data_file(
    path: Path, shown: str, root: Path, schema: dict, problems: list[Problem], schemes: frozenset[str] = frozenset()
) -> Document | None:
    """Read `path` and check it against `schema` and the text rules; problems go
    to `problems`. The document when it parsed (even with schema problems)."""
    problem = Reporter(shown, problems)
    doc = read_document(path, root, problem)
    if doc is None:
        return None
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for error in validator.iter_errors(doc.data):
        message, hint, at = explain(error)
        problem(at, message, hint, doc)
    check_texts(doc, problem, schemes)
    return doc
