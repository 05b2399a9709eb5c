"""Views made once for all the books of a run.

Most of a sector book is in every other sector book of its language too (the
utilities measures, the support annex), and making their views again for each
of the 40 books took half of the time spent writing the books' Typst text.
"""

from __future__ import annotations

from typing import Callable, TypeVar

from cpkb.view import HrefFor

View = TypeVar("View")


def reuse_view(source: object, lang: str, href_for: HrefFor, make: Callable[[HrefFor], View]) -> View:
    """make(href_for) once per source object, language and link targets.

    A view asks href_for about each measure it links; a later book whose href_for
    answers those questions the same way gets the same view back. The source
    object is kept with its views, so its id is never reused while cached."""
    kept = _VIEWS.setdefault((id(source), lang), (source, []))[1]
    for asked, view in kept:
        if all(href_for(mid) == target for mid, target in asked.items()):
            return view
    answers: dict[str, str | None] = {}

    def recording(mid: str) -> str | None:
        answers[mid] = href_for(mid)
        return answers[mid]

    view = make(recording)
    kept.append((answers, view))
    return view


_VIEWS: dict[tuple[int, str], tuple[object, list]] = {}
