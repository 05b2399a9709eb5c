"""Print-ready PDF handbooks: one per sector and language, plus the complete book.

Each book is written as one Typst document (cpkb.pdf.book) from the same
views as the site (cpkb.view) and laid out by Typst (cpkb.pdf.render). Besides
the books, the worksheets alone are made per language for photocopying. No
MkDocs import: the site build calls `build_books`.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from cpkb import LANGUAGES
from cpkb.source.catalogue import load_catalogue
from cpkb.pdf.book import WORKSHEETS_BOOK, BookPlan, check_measure_links, plan_books, render_book
from cpkb.pdf.keys import KeyStore
from cpkb.pdf.render import content_key, exit_on_sigterm, write_book
from cpkb.source.handbook import book_filename, load_sources
from cpkb.source.problems import SourceError


@dataclass(frozen=True)
class BookResult:
    """One PDF written: where, which book, how many pages, how long its layout took."""

    path: Path
    lang: str
    sector: str | None
    pages: int
    seconds: float
    reused: bool = False
    """True when the existing PDF was kept: it was made from exactly the same Typst source (see `reuse`)."""


def build_books(
    root: Path,
    out_dir: Path,
    langs: Sequence[str] = LANGUAGES,
    books: Sequence[str | None] | None = None,
    jobs: int | None = None,
    *,
    reuse: bool = False,
    reuse_from: Path | None = None,
) -> list[BookResult]:
    """Build the PDFs into out_dir, in parallel; return one BookResult per PDF.

    books: None means the complete book plus every sector of book.yml; else a
    list of sector keys, None standing for the complete book. Every source is
    read and checked before any PDF is laid out, and each PDF is written to a
    temporary name and renamed, so bad sources or a crash never leave a
    half-written or stale-looking PDF. Raises SourceError on bad sources.

    A full build (books and langs left to their defaults) also deletes
    cp-handbook-*.pdf files in out_dir that book.yml no longer asks for.

    reuse: keep a PDF already in out_dir when it was laid out from the same
    Typst source, assets, fonts and Typst version (see render.content_key), so
    a pull request that touches one sector lays out only the books it changes.
    The keys are kept in out_dir's sidecar file (pdf.keys.KEYS_FILE).
    reuse_from: another folder of books (the previous site's downloads/) to copy
    each unchanged book from, checked the same way.
    """
    root, out_dir = Path(root).resolve(), Path(out_dir)
    plans = _plan(root, langs, books)
    out_dir.mkdir(parents=True, exist_ok=True)
    # The complete books are the longest: start them first so the pool ends evenly.
    plans.sort(key=lambda p: (p.sector is not None, p.sector == WORKSHEETS_BOOK, p.sector or "", p.lang))
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(plans)))
    store = KeyStore(out_dir)
    previous = KeyStore(reuse_from) if reuse_from and Path(reuse_from).resolve() != out_dir.resolve() else None
    by_path, keys = _lay_out(plans, out_dir, jobs, store, reuse, previous)
    for path, result in by_path.items():
        if not result.reused:
            store.record(path.name, keys[path.name], result.pages)
    if books is None and set(langs) == set(LANGUAGES):
        _remove_stale(out_dir, set(by_path))
    store.save()
    return [by_path[out_dir / book_filename(p.sector, p.lang)] for p in plans]


def _lay_out(
    plans: list[BookPlan], out_dir: Path, jobs: int, store: KeyStore, reuse: bool, previous: KeyStore | None
) -> tuple[dict[Path, BookResult], dict[str, str]]:
    """Make each book's Typst source and lay out those not kept, in `jobs` processes;
    return the results by path and the content key of each file name."""
    by_path: dict[Path, BookResult] = {}
    keys: dict[str, str] = {}
    # "spawn", not fork: a caller with threads (a test session driving Chromium, an
    # IDE) can hold a lock at fork time, and the forked worker then waits forever.
    # One process per book: Typst keeps every layout it memoised for the life of the
    # process, and after a complete book that cache makes each later book lay out
    # half as fast again (measured: 1.0 s for a sector book alone, 1.9 s after it).
    spawn = multiprocessing.get_context("spawn")
    pool = (
        ProcessPoolExecutor(max_workers=jobs, mp_context=spawn, max_tasks_per_child=1, initializer=exit_on_sigterm)
        if jobs > 1
        else None
    )
    with pool or nullcontext():
        pending = []
        # Each book's Typst source is made here and handed over at once, so layout
        # starts while the next book's Markdown is still being rendered.
        for plan in plans:
            source, target = render_book(plan), out_dir / book_filename(plan.sector, plan.lang)
            keys[target.name] = key = content_key(source)
            if (pages := store.kept(target.name, key, reuse, previous)) is not None:
                by_path[target] = BookResult(target, plan.lang, plan.sector, pages, 0.0, reused=True)
                continue
            if pool is None:
                by_path[target] = BookResult(target, plan.lang, plan.sector, *write_book(source, target))
            else:
                pending.append((plan, target, pool.submit(write_book, source, target)))
        for plan, target, future in pending:
            by_path[target] = BookResult(target, plan.lang, plan.sector, *future.result())
    return by_path, keys


def _remove_stale(out_dir: Path, current: set[Path]) -> None:
    """After a full build, drop handbooks of sectors no longer in book.yml, so the
    downloads folder holds exactly the current set (only our own file names)."""
    for path in out_dir.glob("cp-handbook-*.pdf"):
        if path not in current:
            path.unlink()


def _plan(root: Path, langs: Sequence[str], books: Sequence[str | None] | None) -> list[BookPlan]:
    for lang in langs:
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language '{lang}': use one of {', '.join(LANGUAGES)}")
    sources = load_sources(root, load_catalogue(root / "measures", root=root))
    problems = check_measure_links(sources)
    if problems:
        raise SourceError(problems)
    known = [e.key for e in sources.spec.sectors]
    wanted = [None, *known, WORKSHEETS_BOOK] if books is None else list(books)
    if not sources.worksheets and WORKSHEETS_BOOK in wanted:
        wanted.remove(WORKSHEETS_BOOK)
    for key in wanted:
        if key is not None and key != WORKSHEETS_BOOK and key not in known:
            raise ValueError(f"no book for sector '{key}': handbook/book.yml lists {', '.join(known) or 'no sector'}")
    return plan_books(sources, wanted, list(langs))


def pages_per_second(results: Sequence[BookResult], wall_seconds: float | None = None) -> float:
    """Throughput: total pages over wall-clock time (or summed layout time if not given)."""
    seconds = wall_seconds if wall_seconds is not None else sum(r.seconds for r in results)
    return sum(r.pages for r in results) / seconds if seconds > 0 else 0.0
