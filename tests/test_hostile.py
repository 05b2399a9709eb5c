"""Generated and hostile records through validation and rendering (issue 7):
never a crash; either a clear error with a location, or a page where the
record's text is text."""

from __future__ import annotations

import re

import shutil
from pathlib import Path

import yaml
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpkb.source.catalogue import load_catalogue
from cpkb.text.markdown import to_html
from cpkb.source.problems import SourceError
from cpkb.site.pages import render_measure_page
from cpkb.source.validate import validate_catalogue

ROOT = Path(__file__).resolve().parents[1]
MINI = Path(__file__).parent / "fixtures" / "mini"
BASE = yaml.load(
    (MINI / "measures" / "beverages" / "BEV-001.yml").read_text(encoding="utf-8"),
    Loader=type(
        "L",
        (yaml.SafeLoader,),
        {
            "yaml_implicit_resolvers": {
                k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
                for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
            }
        },
    ),
)

NASTY = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '{: onclick="alert(1)"}',
        "[x](javascript:alert(1))",
        "<svg onload=alert(1)>",
        "\u202egnp.exe",
        "\u200b",
        "&amp;&lt;",
        "**",
        "`code`",
        "# heading",
        "| a | b |",
        "<!--",
        "]]>",
        "\\",
        "Lò hơi ề ẫ ự ỗ",
        "' OR 1=1 --",
        "${x}",
        "{{ x }}",
        "{% x %}",
        "\ud7ff",
        "🏭",
    ]
)
TEXT = st.one_of(st.text(max_size=60), NASTY, st.lists(NASTY, max_size=4).map(" ".join))
TEXT_FIELDS = ["title", "summary", "description", "environmental_benefits", "applicability", "process_stage"]


def _write(folder: Path, record: dict) -> None:
    target = folder / "measures" / "beverages" / "BEV-001.yml"
    target.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    field=st.sampled_from(TEXT_FIELDS),
    lang=st.sampled_from(["vi", "en"]),
    value=TEXT,
    number=st.one_of(st.integers(-10, 10**13), st.floats(allow_nan=True), st.text(max_size=5), st.none()),
    number_field=st.sampled_from(["investment_vnd", "payback_years", "complexity", None]),
)
def test_generated_records_never_crash(tmp_path_factory, field, lang, value, number, number_field):
    project = tmp_path_factory.mktemp("h")
    shutil.copytree(MINI / "measures", project / "measures")
    shutil.copy2(ROOT / "measures" / "schema.json", project / "measures" / "schema.json")
    record = yaml.safe_load(yaml.safe_dump(BASE))
    record[field] = dict(record[field], **{lang: value})
    if number_field == "complexity":
        record["complexity"] = number
    elif number_field:
        record[number_field] = dict(record[number_field], min=number)
    _write(project, record)  # without this the unmodified fixture was validated, every time

    report = validate_catalogue(project / "measures", root=project)
    if report.problems:
        for p in report.problems:
            assert p.file.endswith(".yml") and p.line >= 1 and p.column >= 1 and p.message
        return
    cat = load_catalogue(project / "measures", root=project)
    for out_lang in ("vi", "en"):
        html = to_html(render_measure_page(cat, cat.by_id["BEV-001"], out_lang).split("---", 2)[2])
        soup = BeautifulSoup(html, "html.parser")
        # Only the page's own scripts: the calculator's data (JSON, "<" escaped) and our assets.
        ours = lambda tag: (
            tag.name == "script"
            and (
                tag.get("id") == "cp-calc-data"
                and "<" not in tag.string
                or re.fullmatch(r"(\.\./)+assets/(javascripts|generated)/[a-z-]+\.js", str(tag.get("src", "")))
            )
        )
        assert not [t for t in soup.find_all(["script", "iframe", "img", "style"]) if not ours(t)]
        assert not [t for t in soup.find_all(True) if any(a.lower().startswith("on") for a in t.attrs)]
        assert not soup.select('a[href^="javascript"]')


def test_the_corpus_of_broken_files_never_gives_a_traceback(tmp_path):
    """Every fixture in tests/fixtures/invalid together: one run, every file reported, no exception."""
    project = tmp_path / "p"
    shutil.copytree(MINI / "measures", project / "measures")
    shutil.copy2(ROOT / "measures" / "schema.json", project / "measures" / "schema.json")
    cases = sorted((Path(__file__).parent / "fixtures" / "invalid").glob("*.yml"))
    for i, case in enumerate(cases):
        (project / "measures" / "beverages" / f"BEV-{100 + i}.yml").write_text(
            case.read_text(encoding="utf-8"), encoding="utf-8"
        )
    report = validate_catalogue(project / "measures", root=project)
    reported = {p.file for p in report.problems}
    assert {f"measures/beverages/BEV-{100 + i}.yml" for i in range(len(cases))} <= reported
    try:
        load_catalogue(project / "measures", root=project)
    except SourceError as err:
        assert len(err.problems) == len(report.problems)
    else:
        raise AssertionError("a broken catalogue must not load")
