"""How wide each column of a worksheet is, on paper (pdf.backmatter) and in the
workbook (site.worksheets) alike."""

from __future__ import annotations

import re

from cpkb.source.handbook import Worksheet

# Columns of a worksheet get a share of the width by what is written in them:
# a tick or a score needs a little, a figure a little more, a description most.
_NARROW = re.compile(
    r"\(1–5\)|✓|\bno\.|yes/no|^(before|after|reject|status|implement now|study further)$|"
    r"met / not met|\(%\)|^unit\b",
    re.I,
)
_FIGURE = re.compile(r"\((vnd|unit|years|hours/week)|vnd/year|quantity|budget|start – finish", re.I)
_WIDE = re.compile(
    r"description|notes|reason|cause$|evidence|actions|how to resolve|what the|change in|"
    r"side effects|tasks|^cp option$|^option$|inputs|waste streams|conclusion",
    re.I,
)


def column_weights(sheet: Worksheet) -> list[float]:
    """Relative widths of a worksheet's columns, judged from the English headings
    (the same widths in both languages)."""
    weights = []
    for c in sheet.columns:
        head = c["en"].strip()
        if _WIDE.search(head):
            weights.append(2.6 if "description" in head.lower() else 2.0)
        elif _NARROW.search(head):
            weights.append(0.8)
        elif _FIGURE.search(head):
            weights.append(1.2)
        else:
            weights.append(1.5)
    return weights
