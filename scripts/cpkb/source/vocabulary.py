"""The enumerations of the record format, read from measures/schema.json.

Facets, charts, the PDF index, the downloads and `cpkb new` iterate over these,
so a technique, complexity level, savings kind or scope added to the schema
appears everywhere with no other change (its display name comes from the label
files, with a readable fallback until it is translated).
"""

from __future__ import annotations

from dataclasses import dataclass

from cpkb.source.schema import SCOPE, range_scopes, resolve_ref


@dataclass(frozen=True)
class Vocabulary:
    techniques: tuple[str, ...]
    """The UNEP cleaner-production techniques, in the schema's (customary) order."""
    complexities: tuple[int, ...]
    percent_kinds: tuple[str, ...]
    """Keys of `savings` that hold a percentage range (energy_pct, water_pct, ...)."""
    money_kinds: tuple[str, ...]
    """Keys of `savings` that hold an amount of money per year."""
    scopes: tuple[str, ...]
    """What a percentage can be a share of (plant, process_stage, ...)."""
    figure_bases: tuple[str, ...]


def vocabulary(schema: dict) -> Vocabulary:
    props = schema["properties"]
    savings = resolve_ref(props["savings"], schema).get("properties") or {}
    percent, money, scopes = [], [], []
    for key, node in savings.items():
        node = resolve_ref(node, schema)
        node_props = node.get("properties") or {}
        if not {"min", "max"} <= set(node_props):
            continue  # the text basis
        if node_props["max"].get("maximum") == 100:
            percent.append(key)
            scopes += [s for s in range_scopes(node) if s not in scopes]
        else:
            money.append(key)
    return Vocabulary(
        techniques=tuple(props["technique"]["enum"]),
        complexities=tuple(props["complexity"]["enum"]),
        percent_kinds=tuple(percent),
        money_kinds=tuple(money),
        scopes=tuple(scopes),
        figure_bases=tuple(props["figure_basis"]["enum"]),
    )


__all__ = ["SCOPE", "Vocabulary", "vocabulary"]
