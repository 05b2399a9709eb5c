"""Read a YAML file into plain data, remembering where every value stands.

PyYAML's safe loader forgets positions and silently keeps the last of two
duplicate keys; editors need both facts, so we compose the node tree ourselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
"""Characters YAML 1.1 does not allow in a document."""


# libyaml's parser when available: the pure-Python one spends ~30 ms per
# measure file, which dominated validation at 1,000 measures.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]  # a base chosen at import time
    """Safe loader that keeps dates as text: the schema checks their format,
    and a date object would not survive JSON Schema validation."""


_Loader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class YamlError(Exception):
    """A syntax error or duplicate key, with its 1-based position."""

    line: int
    column: int
    message: str
    hint: str = ""
    path: tuple = ()


@dataclass
class Document:
    """Parsed data plus the 1-based (line, column) of every value, keyed by JSON path."""

    data: Any
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    text: str = ""

    def position(self, path: tuple) -> tuple[int, int]:
        """Position of the value at `path`, or of its nearest existing parent."""
        path = tuple(path)
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, (1, 1))

    def locate(self, path: tuple, needle: str) -> tuple[int, int]:
        """Position of `needle` inside the value at `path`: a problem inside a
        multi-line text is reported on its own line, not on the field's first line."""
        line, col = self.position(path)
        lines = self.text.split("\n")
        for number in range(line - 1, len(lines)):
            found = lines[number].find(needle, col - 1 if number == line - 1 else 0)
            if found >= 0:
                return number + 1, found + 1
        return line, col


def refuse_aliases(text: str) -> None:
    """Raise YamlError at the first anchor (&) or alias (*).

    Aliases let a few lines expand into billions of values (the "billion
    laughs" bomb) and nothing in our sources needs them; refusing them keeps
    reading bounded. Only the scanner runs here, so a bomb costs nothing.
    """
    if "&" not in text and "*" not in text:
        return  # the common case: no scan at all
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                mark = token.start_mark
                raise YamlError(
                    mark.line + 1,
                    mark.column + 1,
                    "YAML anchors and aliases (&name, *name) are not allowed",
                    "write the value out in full; quote a text that starts with & or *",
                )
    except yaml.YAMLError:
        return  # a syntax error: the parser reports it with its position


def load_plain(text: str) -> Any:
    """Parse one YAML document without positions or duplicate-key checks (fast);
    for readers of files that the validator already checked. Raises YamlError."""
    refuse_aliases(text)
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise YamlError(
            mark.line + 1 if mark else 1,
            mark.column + 1 if mark else 1,
            f"YAML syntax error: {getattr(exc, 'problem', None) or exc}",
        ) from None


def parse_yaml(text: str) -> Document:
    """Parse one YAML document. Raises YamlError on bad syntax, duplicate keys or aliases."""
    refuse_aliases(text)
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:
        # Characters YAML forbids (control characters). libyaml reports a byte
        # offset, the Python reader a character offset: find the character itself.
        bad = _FORBIDDEN.search(text)
        index = bad.start() if bad else min(exc.position, len(text))
        before = text[:index]
        code = ord(text[index]) if index < len(text) else 0
        raise YamlError(
            before.count("\n") + 1,
            index - before.rfind("\n"),
            f"YAML syntax error: the character U+{code:04X} is not allowed",
            "delete the invisible control character; retype the text around it",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlError(
            line,
            col,
            f"YAML syntax error: {exc.problem or exc}",
            "check the indentation and quoting on this line; a text containing ': ' or '#' must be quoted",
        ) from None
    doc = Document(None, text=text)
    if node is None:
        return doc
    doc.data = _build(loader, node, (), doc.positions)
    return doc


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: tuple, positions: dict) -> Any:
    positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolves YAML merge keys (<<)
        result: dict = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                first = positions[path + (key,)]
                raise YamlError(
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                    f"duplicate key '{key}' (first defined on line {first[0]})",
                    "remove one of the two; YAML would silently keep only the last",
                    path + (key,),
                )
            positions[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = _build(loader, value_node, path + (key,), positions)
            # The key's own position is more useful for errors about the value too.
            positions[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, path + (i,), positions) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)
