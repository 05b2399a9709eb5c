"""`cpkb bench`: how the pipeline scales, on synthetic catalogues of 100,
1,000 and 10,000 measures, with the results written to the benchmark page
(what a reader downloads and finds is measured in cpkb.bench.browser).

Synthetic measures are copies of the real ones (so text lengths and both
languages are realistic) with new ids, sectors and jittered figures, drawn
from a fixed seed. Every step runs as the user runs it (subprocesses), in a
temporary project next to the repository.
"""

from __future__ import annotations

import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from cpkb.source.catalogue import load_catalogue
from cpkb.source.factors import FACTORS_FILE, FACTORS_SCHEMA
from cpkb.source.validate import validate_catalogue

SIZES = (100, 1_000, 10_000)
SEED = 20261128


def _env(root: Path) -> dict:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH="1767225600")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root / "scripts"), env.get("PYTHONPATH")]))
    return env


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def make_project(repo: Path, folder: Path, size: int) -> Path:
    """A project with `size` synthetic measures and the mini handbook."""
    project = folder / f"catalogue-{size}"
    shutil.rmtree(project, ignore_errors=True)
    (project / "measures").mkdir(parents=True)
    for name in ("schema.json", "sectors.yml"):
        shutil.copy2(repo / "measures" / name, project / "measures" / name)
    shutil.copytree(repo / "tests" / "fixtures" / "mini" / "handbook", project / "handbook")
    # The planner's emission factors: the scripts are copied, so the repository
    # fallback of cpkb.source.factors would look inside the project.
    for name in (FACTORS_FILE, FACTORS_SCHEMA):
        shutil.copy2(repo / name, project / name)
    shutil.copy2(repo / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(repo / "overrides", project / "overrides")
    shutil.copytree(
        repo / "docs",
        project / "docs",
        ignore=lambda d, names: [
            n for n in names if Path(d) == repo / "docs" and n in ("measures", "sectors", "handbook")
        ],
    )
    shutil.copytree(repo / "benchmarks", project / "benchmarks")  # the guides link to the benchmark page
    # A copy, not a link: the benchmark must measure the code as it was when it started.
    shutil.copytree(repo / "scripts", project / "scripts", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))

    real = load_catalogue(repo / "measures", root=repo)
    # libyaml (C) both ways: the pure-Python emitter took 12 s for 1,000 records.
    templates = [yaml.load(Path(repo / m.path).read_text(encoding="utf-8"), Loader=_Loader) for m in real.measures]
    sectors = real.sectors
    rng = random.Random(SEED)
    counters = {s.key: 0 for s in sectors}
    for i in range(size):
        sector = sectors[i % len(sectors)]
        counters[sector.key] += 1
        number = counters[sector.key]
        data = json.loads(json.dumps(templates[rng.randrange(len(templates))], default=str))
        data["id"] = f"{sector.prefix}-{number:03d}"
        data["sector"] = sector.key
        data["related"] = []
        also_in = [k for k in data.pop("also_in", []) if k != sector.key]  # never its own (new) sector
        if also_in:
            data["also_in"] = also_in
        factor = rng.uniform(0.7, 1.4)
        for key in ("investment_vnd",):
            data[key] = {"min": round(data[key]["min"] * factor), "max": round(data[key]["max"] * factor)}
        data.pop("translation", None)
        folder_ = project / "measures" / sector.key
        folder_.mkdir(exist_ok=True)
        text = "# yaml-language-server: $schema=../schema.json\n" + yaml.dump(
            data, Dumper=_Dumper, allow_unicode=True, sort_keys=False
        )
        # A link in the copied text names a real measure: point it at the first synthetic
        # measure of that sector, which exists once there are as many measures as sectors.
        text = re.sub(r"measure:([A-Z]+)-\d{3}", r"measure:\1-001", text)
        (folder_ / f"{data['id']}.yml").write_text(text, encoding="utf-8")
    return project


def _folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _timed(cmd: list[str], cwd: Path, env: dict) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (KiB) of the child, and its output. The CPU
    seconds of the child and its children are kept in LAST_CPU_S: on a machine
    others use too, wall time depends on their load, CPU time much less."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{output[-3000:]}")
    LAST_CPU_S[0] = usage.ru_utime + usage.ru_stime
    return time.perf_counter() - start, usage.ru_maxrss, output


LAST_CPU_S = [0.0]


def bare_build(project: Path, env: dict) -> float:
    """mkdocs-material alone on the same generated Markdown, with the same
    Markdown extensions: no hooks, no i18n, no page generation, no Pagefind.
    The difference to our MkDocs time is the cost of our layer."""
    from cpkb.text.flowchart import format_flow
    from cpkb.text.markdown import EXTENSIONS

    config = project / "mkdocs-bare.yml"
    config.write_text(
        yaml.safe_dump(
            {
                "site_name": "bare",
                "docs_dir": "docs",
                "theme": {"name": "material", "font": False},
                "plugins": [],
                "markdown_extensions": [e for e in EXTENSIONS if not e.startswith("cpkb")],
                "not_in_nav": "/measures/*-*.md\n",
            }
        ),
        encoding="utf-8",
    )
    # the flow fence needs its formatter; YAML's python tag cannot be written by safe_dump
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "- pymdownx.superfences",
            "- pymdownx.superfences:\n    custom_fences:\n    - name: flow\n      class: cp-flow\n"
            f"      format: !!python/name:{format_flow.__module__}.format_flow",
        ),
        encoding="utf-8",
    )
    seconds, _, _ = _timed(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d", str(project / "site-bare")], project, env
    )
    return seconds


def search_bench(repo: Path, work: Path) -> dict:
    """The real catalogue, built without PDFs: search quality, first-result and
    catalogue first-view bytes (the catalogue budget is stated at this size)."""
    from cpkb.bench.browser import Browser, search_quality, site_bytes

    site = work / "real-site"
    env = _env(repo)
    _timed([sys.executable, "-m", "cpkb", "build", "--no-pdf", "--site-dir", str(site)], repo, env)
    if not shutil.which("chromium"):
        return {}
    with Browser(site) as b:
        out = search_quality(b, repo)
    out.update(site_bytes(site))
    shutil.rmtree(site, ignore_errors=True)
    return out


def run_size(repo: Path, work: Path, size: int, with_pdf: bool) -> dict:
    project = make_project(repo, work, size)
    env = _env(project)
    result: dict = {"measures": size}
    start = time.perf_counter()
    report = validate_catalogue(project / "measures", root=project)
    result["validate_s"] = time.perf_counter() - start
    assert not report.problems, report.problems[:3]

    result.update(_site_build(project, env))
    # PDFs at 10,000 measures would be a 2,000-page sector book; the PDF
    # targets are about 100-measure sector books, so stop at 1,000.
    if with_pdf and size <= 1_000:
        result.update(_pdf_builds(project, env))
    shutil.rmtree(project, ignore_errors=True)
    return result


def _site_build(project: Path, env: dict) -> dict:
    """`cpkb build --no-pdf` of the project: its time and memory, its steps, the pages
    and their sizes, and mkdocs-material alone on the same pages (bare_build)."""
    result: dict = {}
    load = os.getloadavg()[0]
    seconds, rss, output = _timed([sys.executable, "-m", "cpkb", "build", "--no-pdf"], project, env)
    result.update(build_cpu_s=LAST_CPU_S[0], load_before=load, load_after=os.getloadavg()[0])
    site = project / "site"
    pages = list(site.rglob("*.html"))
    measure_pages = list(site.glob("measures/*-*/index.html")) + list(site.glob("en/measures/*-*/index.html"))
    steps = dict(re.findall(r"(\w+) ([\d.]+)s", output.split("(", 1)[-1]))
    result.update(
        {
            "build_s": seconds,
            "build_peak_mib": rss / 1024,
            "mkdocs_s": float(steps.get("mkdocs", 0)),
            "pagefind_s": float(steps.get("pagefind", 0)),
            "catalogue_index_s": float(steps.get("catalogue_index", 0)),
            "pages": len(pages),
            "per_page_ms": seconds / len(pages) * 1000,
            "site_mib": _folder_size(site) / 2**20,
            "median_measure_page_kib": statistics.median(p.stat().st_size for p in measure_pages) / 1024,
            "pagefind_mib": _folder_size(site / "pagefind") / 2**20,
        }
    )
    result["bare_s"] = bare_build(project, env)
    result["overhead_ratio"] = result["mkdocs_s"] / result["bare_s"]
    if shutil.which("chromium"):
        from cpkb.bench.browser import site_bytes

        result.update({k: v for k, v in site_bytes(site).items() if not k.endswith("_en")})
    return result


def _pdf_builds(project: Path, env: dict) -> dict:
    """`cpkb pdf` of the first sector's book and of the complete book (Vietnamese, one job)."""
    cat = load_catalogue(project / "measures", root=project)
    sector = cat.sectors[0].key
    secs, pdf_pages, rss = _pdf_build(project, env, sector, f"cp-handbook-{sector}-vi.pdf")
    # The measures the book prints: its own and the cross-cutting ones (the utilities).
    printed = [m for m in cat.measures if m.sector == sector or cat.sector_by_key[m.sector].cross_cutting]
    result = {
        "sector_pdf_measures": len(printed),
        "sector_pdf_s": secs,
        "sector_pdf_pages": pdf_pages,
        "sector_pdf_pps": pdf_pages / secs,
        "sector_pdf_peak_mib": rss / 1024,
    }
    secs, pdf_pages, rss = _pdf_build(project, env, "complete", "cp-handbook-vi.pdf")
    result.update(
        {
            "complete_pdf_s": secs,
            "complete_pdf_pages": pdf_pages,
            "complete_pdf_pps": pdf_pages / secs,
            "complete_pdf_peak_mib": rss / 1024,
        }
    )
    return result


def _pdf_build(project: Path, env: dict, book: str, filename: str) -> tuple[float, int, int]:
    """One Vietnamese book laid out in one job: wall seconds, pages and peak RSS (KiB)."""
    from pypdf import PdfReader

    secs, rss, _ = _timed(
        [
            sys.executable,
            "-m",
            "cpkb",
            "pdf",
            "--book",
            book,
            "--lang",
            "vi",
            "--jobs",
            "1",
            "--out",
            str(project / "pdf"),
        ],
        project,
        env,
    )
    return secs, len(PdfReader(project / "pdf" / filename).pages), rss


def machine() -> dict:
    """The machine as data (the benchmark page words it in each language)."""
    cpu = "unknown CPU"
    try:
        cpu = next(
            l.split(":", 1)[1].strip()
            for l in Path("/proc/cpuinfo").read_text().splitlines()
            if l.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(mem),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def run_real_build(repo: Path, work: Path) -> dict:
    """`cpkb build` of the real project as a trainer runs it (every core, PDFs included),
    wall clock: first into an empty folder (every PDF laid out), then again over it
    (unchanged PDFs are kept: the usual rebuild after an edit). The books' throughput
    is their pages over the PDF step (target: 60 pages/s on 2 cores)."""
    from pypdf import PdfReader

    site = work / "real-full"
    steps = lambda output: {
        k: float(v) for k, v in re.findall(r"(\w+) ([\d.]+)s", output.split("site built", 1)[-1].split(")", 1)[0])
    }
    cold_s, rss, output = _timed([sys.executable, "-m", "cpkb", "build", "--site-dir", str(site)], repo, _env(repo))
    cold = steps(output)
    books = sorted((site / "downloads").glob("cp-handbook-*.pdf"))
    pages = sum(len(PdfReader(p).pages) for p in books)
    warm_s, _, output = _timed([sys.executable, "-m", "cpkb", "build", "--site-dir", str(site)], repo, _env(repo))
    shutil.rmtree(site, ignore_errors=True)
    return {
        "books": len(books),
        "pages": pages,
        "pdf_s": cold["pdf"],
        "pages_per_second": pages / cold["pdf"],
        "factsheets_s": cold["factsheets"],
        "mkdocs_s": cold["mkdocs"],
        "cold_build_s": cold_s,
        "warm_build_s": warm_s,
        "warm_steps": steps(output),
        "peak_mib": rss / 1024,
    }


def run(repo: Path, sizes=SIZES, with_pdf: bool = True, log=print, search: bool = True) -> dict:
    results = []
    data: dict = {}
    with tempfile.TemporaryDirectory(prefix="cpkb-bench-", dir=repo) as tmp:
        if search:
            log("bench: search on the real catalogue …")
            data["search"] = search_bench(repo, Path(tmp))
            log(
                "bench: search "
                + ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in data["search"].items())
            )
        for size in sizes:
            log(f"bench: {size} measures …")
            results.append(run_size(repo, Path(tmp), size, with_pdf))
            log(
                "bench: "
                + ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in results[-1].items())
            )
        if with_pdf:
            log("bench: the real project's build, PDFs included …")
            data["real_build"] = run_real_build(repo, Path(tmp))
            log(
                "bench: "
                + ", ".join(
                    f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in data["real_build"].items()
                )
            )
    return {
        "machine": machine(),
        "command": "make bench",
        "date": time.strftime("%Y-%m-%d"),
        "results": results,
        **data,
    }
