"""All fact sheets: one one-page PDF per measure and language, in one folder.

Hundreds of sheets must cost seconds, not minutes, so they are not laid out
with one fresh Typst run each: one `typst.Compiler` per process keeps the
fonts loaded and Typst's memoised layout of what the sheets share (the
template, the labels), and each sheet is compiled from its own source bytes
in an empty root folder (a sheet reads no file). A sheet whose content key
(render.content_key) is unchanged is not laid out at all: it is kept in the
output folder, or copied from the previous build's folder (`reuse_from`).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from cpkb import LANGUAGES
from cpkb.pdf.factsheet import factsheet_name, render_factsheet
from cpkb.pdf.keys import KeyStore
from cpkb.pdf.render import BookSource
from cpkb.pdf.render import content_key, exit_on_sigterm, page_count
from cpkb.source.catalogue import load_catalogue
from cpkb.source.problems import Problem, SourceError


@dataclass(frozen=True)
class SheetResult:
    """One fact sheet in the output folder."""

    path: Path
    measure_id: str
    lang: str
    pages: int
    reused: bool


@dataclass(frozen=True)
class SheetRun:
    """What build_factsheets did: the sheets, and how long laying out took (wall clock)."""

    sheets: list[SheetResult]
    seconds: float

    @property
    def laid_out(self) -> int:
        return sum(1 for s in self.sheets if not s.reused)


def build_factsheets(
    root: Path,
    out_dir: Path,
    langs: Sequence[str] = LANGUAGES,
    *,
    reuse: bool = True,
    reuse_from: Path | None = None,
    jobs: int | None = None,
) -> SheetRun:
    """Write <ID>.<lang>.pdf for every measure into out_dir; raise SourceError if one
    does not fit on one page (cannot happen for the catalogue: see the tests).

    reuse: keep a sheet already in out_dir made from the same content key;
    reuse_from: another folder of sheets (the previous site's) to copy unchanged
    sheets from. When every language is built, sheets of measures no longer in
    the catalogue are removed from out_dir.
    """
    start = time.perf_counter()
    root, out_dir = Path(root).resolve(), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cat = load_catalogue(root / "measures", root=root)
    store = KeyStore(out_dir)
    previous = KeyStore(reuse_from) if reuse_from and Path(reuse_from).resolve() != out_dir.resolve() else None
    done: dict[str, SheetResult] = {}
    keys: dict[str, str] = {}

    def to_lay_out() -> Iterator[tuple[str, str, str, BookSource]]:
        for m in cat.measures:
            for lang in langs:
                source = render_factsheet(cat, m, lang)
                name, key = factsheet_name(m.id, lang), content_key(source)
                if (pages := store.kept(name, key, reuse, previous)) is not None:
                    done[name] = SheetResult(out_dir / name, m.id, lang, pages, True)
                else:
                    keys[name] = key
                    yield name, m.id, lang, source

    for name, mid, lang, pages in _lay_out(to_lay_out(), out_dir, jobs):
        store.record(name, keys[name], pages)
        done[name] = SheetResult(out_dir / name, mid, lang, pages, False)
    if set(langs) == set(LANGUAGES):
        _remove_stale(out_dir, done)
    store.save()
    _check_one_page(done.values())
    order = [factsheet_name(m.id, lang) for m in cat.measures for lang in langs]
    return SheetRun([done[name] for name in order], time.perf_counter() - start)


def _remove_stale(out_dir: Path, done: dict[str, SheetResult]) -> None:
    """Drop the sheets of measures no longer in the catalogue."""
    for path in out_dir.glob("*.pdf"):
        if path.name not in done:
            path.unlink()


def _check_one_page(sheets: Iterable[SheetResult]) -> None:
    """Raise SourceError naming every sheet that does not fit on one page."""
    too_long = [s for s in sheets if s.pages != 1]
    if too_long:
        raise SourceError(
            [
                Problem(
                    f"{s.measure_id} ({s.lang})",
                    1,
                    1,
                    "",
                    f"the fact sheet has {s.pages} pages, not one",
                    "shorten the summary, benefits or applicability of this measure",
                )
                for s in too_long
            ]
        )


BATCH = 40
"""Sheets per task of the layout processes: a process costs about half a second to
start (Python, cpkb, Typst), so fewer sheets than this are laid out in the caller."""


def _lay_out(
    todo: Iterable[tuple[str, str, str, BookSource]], out_dir: Path, jobs: int | None
) -> list[tuple[str, str, str, int]]:
    """Compile the sheets of `todo` as they come; return (name, id, lang, pages) for each.

    Each full batch of BATCH sheets goes to a pool of `jobs` processes (one Compiler
    each), started with the first full batch, so sheets are laid out while the next
    ones are still being written; with fewer sheets than a batch there is no pool."""
    jobs = max(1, jobs or os.cpu_count() or 1)
    pool, futures, batch = None, [], []
    try:
        for name, mid, lang, source in todo:
            batch.append((name, mid, lang, source, str(out_dir)))
            if len(batch) == BATCH and jobs > 1:
                if pool is None:
                    spawn = multiprocessing.get_context("spawn")
                    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=spawn, initializer=exit_on_sigterm)
                futures.append(pool.submit(_compile_chunk, batch))
                batch = []
        if batch and pool is not None:
            futures.append(pool.submit(_compile_chunk, batch))
        elif batch:
            return _compile_chunk(batch)
        return [row for future in futures for row in future.result()]
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


_COMPILER: list = []


def _compiler():
    """One Typst compiler per process: fonts from our own folder only, an empty root."""
    if not _COMPILER:
        import typst

        from cpkb.pdf.render import font_folder, process_folder

        fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(font_folder())])
        empty = process_folder("cpkb-sheet-root-")
        _COMPILER.append(typst.Compiler(root=str(empty), font_paths=fonts, ignore_system_fonts=True))
    return _COMPILER[0]


def _compile_chunk(work: list) -> list[tuple[str, str, str, int]]:
    out = []
    for name, mid, lang, source, folder in work:
        data, pages = _compile(source, fit=False)
        if pages > 1:  # rare: the template's fitting (smaller text, fewer steps) is worth a second layout
            data, pages = _compile(source, fit=True)
        target = Path(folder) / name
        tmp = target.with_name(f".{name}.{os.getpid()}.tmp")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        out.append((name, mid, lang, pages))
    return out


def _compile(source: BookSource, fit: bool) -> tuple[bytes, int]:
    """The PDF of one sheet and its page count; `fit` switches on templates/factsheet.typ's fitting."""
    inputs = {"cp-fit": "yes"} if fit else {}
    if source.assets:  # a figure in a step: the sheet needs its own root holding the file
        from cpkb.pdf.render import compile_pdf

        data = compile_pdf(source, sys_inputs=inputs)
    else:
        data = _compiler().compile(
            input=source.typ.encode("utf-8"), pdf_standards=["ua-1"], timestamp=source.timestamp, sys_inputs=inputs
        )
    return data, page_count(data)
