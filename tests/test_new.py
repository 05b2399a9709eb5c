"""`cpkb new`: the file it writes validates, has every field, and says what to fill in."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from cpkb import cli
from cpkb.cli.new import flag_name, run
from cpkb.source.translations import TODO
from cpkb.cli.draft import SCHEMA_HEADER, NewMeasureError, build_draft, next_id, render_measure_yaml
from cpkb.source.schema import schema_fields
from cpkb.source.validate import validate_catalogue
from cpkb.source.yamlfile import parse_yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(empty_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty catalogue with the real schema and sector list; cwd is its root."""
    monkeypatch.chdir(empty_project)
    monkeypatch.setenv("CPKB_LANG", "en")
    return empty_project


def schema() -> dict:
    return json.loads((ROOT / "measures" / "schema.json").read_text(encoding="utf-8"))


def sectors(project: Path) -> list[dict]:
    import yaml

    return yaml.safe_load((project / "measures" / "sectors.yml").read_text(encoding="utf-8"))


FULL_FLAGS = [
    "--sector",
    "utilities",
    "--title-vi",
    "Bảo ôn đường ống hơi",
    "--title-en",
    "Insulate steam pipes",
    "--process-stage-vi",
    "Lò hơi và mạng hơi",
    "--process-stage-en",
    "Boilers and steam distribution",
    "--technique",
    "equipment_modification",
    "--complexity",
    "1",
    "--summary-vi",
    "Bọc bảo ôn các đoạn ống hơi trần để giảm tổn thất nhiệt.",
    "--summary-en",
    "Insulate bare steam pipes to cut heat losses.",
    "--description-vi",
    "Vấn đề: ống trần mất nhiệt.\n\n1. Khảo sát.\n2. Bọc bảo ôn.\n",
    "--description-en",
    "Problem: bare pipes lose heat.\n\n1. Survey.\n2. Insulate.\n",
    "--investment-vnd",
    "10000000",
    "100000000",
    "--savings-energy-pct",
    "2",
    "5",
    "system",
    "--savings-money-vnd-per-year",
    "20000000",
    "200000000",
    "--savings-basis-vi",
    "Nhiên liệu lò hơi",
    "--savings-basis-en",
    "Boiler fuel",
    "--payback-years",
    "0.2",
    "1",
    "--figure-basis",
    "indicative",
    "--figure-note-vi",
    "Lò hơi 2–10 tấn/giờ.",
    "--figure-note-en",
    "Boilers of 2–10 t/h.",
    "--environmental-benefits-vi",
    "Giảm nhiên liệu và CO₂.",
    "--environmental-benefits-en",
    "Less fuel and CO₂.",
    "--applicability-vi",
    "Mọi mạng hơi.",
    "--applicability-en",
    "Any steam network.",
    "--source",
    "title=Insulate Steam Distribution and Condensate Return Lines",
    "publisher=U.S. Department of Energy",
    "year=2012",
    "url=https://www.energy.gov/steam",
    "pages=p. 1",
    "--reviewed",
    "2026-11-01",
]


def cpkb(*argv: str) -> int:
    return cli.main(list(argv))


def test_dry_run_prints_a_valid_file_and_writes_nothing(project, capsys):
    assert cpkb("new", "--sector", "utilities", "--no-input", "--dry-run") == 0
    text = capsys.readouterr().out
    assert not list((project / "measures").glob("*/*.yml")), "--dry-run must not write"
    assert text.splitlines()[0] == SCHEMA_HEADER
    target = project / "measures" / "utilities" / "UTL-001.yml"
    target.parent.mkdir()
    target.write_text(text, encoding="utf-8")
    report = validate_catalogue(project / "measures", root=project)
    assert report.problems == [], "\n".join(p.format() for p in report.problems)


def test_written_file_validates_and_placeholders_say_todo(project, capsys):
    assert cpkb("new", "--sector", "beverages", "--no-input", "--title-vi", "Thu hồi nước rửa chai") == 0
    path = project / "measures" / "beverages" / "BEV-001.yml"
    text = path.read_text(encoding="utf-8")
    assert validate_catalogue(project / "measures", root=project).problems == []
    doc = parse_yaml(text)
    assert doc.data["title"]["vi"] == "Thu hồi nước rửa chai"
    # Every value the author has not given carries TODO on its own line.
    lines = text.splitlines()
    for field_path in ("summary", "description", "applicability"):
        line, _ = doc.position((field_path, "vi"))
        assert TODO in lines[line - 1], field_path
    for field_path in ("technique", "complexity", "investment_vnd", "payback_years"):
        line, _ = doc.position((field_path,))
        assert lines[line - 1].rstrip().endswith(f"# {TODO}"), field_path
    line, _ = doc.position(("title", "en"))
    assert TODO in lines[line - 1], "a language not given is a placeholder"
    assert "Created measures/beverages/BEV-001.yml" in capsys.readouterr().err


def test_every_schema_field_is_in_the_file_as_value_or_commented_out(project, capsys):
    cpkb("new", "--sector", "utilities", "--no-input", "--dry-run")
    text = capsys.readouterr().out
    keys = {line.strip().lstrip("#").strip().lstrip("- ").split(":")[0] for line in text.splitlines() if ":" in line}
    names = set()

    def collect(node: dict) -> None:
        for name, sub in (node.get("properties") or {}).items():
            if name in ("vi", "en", "min", "max"):
                continue
            names.add(name)
            collect(sub)
            collect(sub.get("items") or {})

    collect(schema())
    missing = names - keys
    assert not missing, f"fields absent from the cpkb new template: {sorted(missing)}"


def test_all_flags_give_a_complete_file_without_todo(project):
    assert cpkb("new", "--no-input", *FULL_FLAGS) == 0
    path = project / "measures" / "utilities" / "UTL-001.yml"
    text = path.read_text(encoding="utf-8")
    body = [line for line in text.splitlines() if not line.startswith("# ")]
    assert not [line for line in body if TODO in line]
    assert validate_catalogue(project / "measures", root=project).problems == []
    data = parse_yaml(text).data
    assert data["description"]["vi"] == "Vấn đề: ống trần mất nhiệt.\n\n1. Khảo sát.\n2. Bọc bảo ôn.\n"
    assert data["investment_vnd"] == {"min": 10_000_000, "max": 100_000_000}
    assert data["payback_years"] == {"min": 0.2, "max": 1}
    assert data["savings"] == {
        "energy_pct": {"min": 2, "max": 5, "scope": "system"},
        "money_vnd_per_year": {"min": 20_000_000, "max": 200_000_000},
        "basis": {"vi": "Nhiên liệu lò hơi", "en": "Boiler fuel"},
    }
    assert data["sources"] == [
        {
            "title": "Insulate Steam Distribution and Condensate Return Lines",
            "publisher": "U.S. Department of Energy",
            "year": 2012,
            "url": "https://www.energy.gov/steam",
            "pages": "p. 1",
        }
    ]
    assert data["complexity"] == 1 and data["reviewed"] == "2026-11-01"
    assert list(data)[:3] == ["id", "sector", "process_stage"], "fields follow the schema's order"


def test_every_schema_field_has_a_flag():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices["new"]
    flags = {opt for action in sub._actions for opt in action.option_strings}
    expected = set()
    for name, node in schema()["properties"].items():
        if name == "translation":
            continue  # written by cpkb translations --mark
        if name == "sources":
            expected.add("--source")
        elif name == "savings":
            for child, sub_node in node["properties"].items():
                ref = sub_node.get("$ref", "")
                expected |= (
                    {f"--savings-{child.replace('_', '-')}-vi", f"--savings-{child.replace('_', '-')}-en"}
                    if ref.endswith("/text")
                    else {f"--savings-{child.replace('_', '-')}"}
                )
        elif node.get("$ref", "").endswith(("/text", "/short_text")):
            expected |= {f"--{name.replace('_', '-')}-vi", f"--{name.replace('_', '-')}-en"}
        else:
            expected.add(f"--{name.replace('_', '-')}")
    assert expected - flags == set()


def test_next_id_is_one_more_than_the_highest_and_never_reuses_gaps(project):
    measures = project / "measures"
    assert next_id(measures, "UTL") == "UTL-001"
    (measures / "utilities").mkdir()
    for stem in ("UTL-001", "UTL-007"):
        (measures / "utilities" / f"{stem}.yml").write_text("id: x\n", encoding="utf-8")
    assert next_id(measures, "UTL") == "UTL-008"
    (measures / "beverages").mkdir()
    (measures / "beverages" / "UTL-009.yml").write_text("id: x\n", encoding="utf-8")
    assert next_id(measures, "UTL") == "UTL-010", "a misplaced file still reserves its id"
    assert next_id(measures, "BEV") == "BEV-001"
    (measures / "utilities" / "UTL-999.yml").write_text("id: x\n", encoding="utf-8")
    assert next_id(measures, "UTL") == "UTL-1000", "past 999 the id grows a digit"


def test_refuses_taken_or_foreign_ids_and_unknown_sectors(project, capsys):
    (project / "measures" / "utilities").mkdir()
    (project / "measures" / "utilities" / "UTL-001.yml").write_text("id: UTL-001\n", encoding="utf-8")
    assert cpkb("new", "--no-input", "--sector", "utilities", "--id", "UTL-001") == 2
    assert "already used" in capsys.readouterr().err
    assert cpkb("new", "--no-input", "--sector", "utilities", "--id", "BEV-001") == 2
    assert "prefix" in capsys.readouterr().err
    with pytest.raises(NewMeasureError):
        build_draft(project / "measures", schema(), sectors(project), {"sector": "bakeries"})
    assert cpkb("new", "--no-input", "--sector", "utilities", "--id", "UTL-12") == 2
    assert "expected form" in capsys.readouterr().err
    assert cpkb("new", "--no-input") == 2
    assert "--sector" in capsys.readouterr().err
    assert (project / "measures" / "utilities" / "UTL-001.yml").read_text(encoding="utf-8") == "id: UTL-001\n"


def test_messages_follow_the_language(project, capsys):
    assert cpkb("new", "--no-input", "--lang", "vi", "--sector", "khong-co") == 2
    assert "không có ngành 'khong-co'" in capsys.readouterr().err


def test_interactive_prompts_for_sector_title_technique_complexity(project, capsys):
    args = cli.build_parser().parse_args(["new", "--interactive", "--dry-run", "--lang", "vi"])
    names = [s["key"] for s in sectors(project)]
    decomposed = unicodedata.normalize("NFD", "Bảo ôn đường ống hơi")  # as some keyboards type it
    answers = iter([str(names.index("utilities") + 1), decomposed, "Insulate steam pipes", "9", "4", ""])
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next(answers)

    assert run(args, ask=ask) == 0
    out = capsys.readouterr()
    data = parse_yaml(out.out).data
    assert data["id"] == "UTL-001" and data["sector"] == "utilities"
    assert data["title"] == {"vi": "Bảo ôn đường ống hơi", "en": "Insulate steam pipes"}
    assert unicodedata.is_normalized("NFC", out.out)
    assert "Lựa chọn không hợp lệ" in out.err, "'9' is not one of the 8 techniques: asked again"
    assert data["technique"] == "equipment_modification"  # the 4th of the schema's list
    assert "Tên biện pháp bằng tiếng Việt" in "".join(prompts)
    line = next(l for l in out.out.splitlines() if l.startswith("complexity:"))
    assert line.endswith(f"# {TODO}"), "complexity skipped with Enter stays a marked placeholder"


@pytest.mark.parametrize(
    "text",
    [
        "Key: value # not a comment",
        "- starts like a list item",
        "yes",
        "2026-01-01",
        "'quoted' and \"double\"",
        "Dòng một\nDòng hai\n",
        "  leading spaces\nand a second line",
        "trailing newlines\n\n",
        "Một câu rất dài " * 12,
        "@ at sign, % percent, {braces} and [brackets]",
    ],
)
def test_any_text_reads_back_exactly(project, text):
    draft = build_draft(
        project / "measures", schema(), sectors(project), {"sector": "utilities", "summary": {"vi": text, "en": text}}
    )
    rendered = render_measure_yaml(draft, schema())
    assert parse_yaml(rendered).data["summary"] == {"vi": text, "en": text}


def test_flag_names_are_derived_from_field_paths():
    fields = {f.path: f for f in schema_fields(schema())}
    assert flag_name(fields["savings.money_vnd_per_year"]) == "--savings-money-vnd-per-year"
    assert flag_name(fields["title"], "vi") == "--title-vi"


@pytest.mark.build
def test_a_new_measure_reaches_the_site_and_the_pdfs_in_both_languages(mini_project):
    """The CONTRIBUTING path end to end: cpkb new, --mark, make build's cpkb build."""
    from pypdf import PdfReader

    from conftest import make_site_project, run_cpkb
    from cpkb.source.handbook import book_filename

    project = make_site_project(mini_project)
    created = run_cpkb(["new", "--no-input", "--lang", "en", *FULL_FLAGS], project)
    assert created.returncode == 0, created.stderr
    measure_id = created.stderr.split("(id ")[1].split(")")[0]
    assert run_cpkb(["translations", "--mark", measure_id], project).returncode == 0
    built = run_cpkb(["build"], project)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    site = project / "site"
    for prefix, title in (("", "Bảo ôn đường ống hơi"), ("en/", "Insulate steam pipes")):
        page = (site / prefix / "measures" / measure_id.lower() / "index.html").read_text(encoding="utf-8")
        assert title in page
        status = (site / prefix / "guides" / "translations" / "index.html").read_text(encoding="utf-8")
        assert measure_id not in status, "marked as translated: not listed as needing work"
        assert (site / prefix / "guides" / "field-reference" / "index.html").exists()
    for lang in ("vi", "en"):
        text = "".join(
            page.extract_text() for page in PdfReader(site / "downloads" / book_filename("utilities", lang)).pages
        )
        assert measure_id in text, f"{measure_id} missing from the {lang} utilities handbook"
