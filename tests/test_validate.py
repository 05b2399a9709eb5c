"""The validator against one fixture per kind of error.

Each file in tests/fixtures/invalid/ starts with
    # expect: LINE:COL FIELD | MESSAGE
    # place: measures/<sector>/<ID>.yml
and replaces that file in a copy of the mini project. The test asserts the
exact location, field and message, and that nothing else is reported.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from cpkb.source.catalogue import load_catalogue
from cpkb.source.problems import SourceError
from cpkb.source.validate import validate_catalogue

INVALID = Path(__file__).parent / "fixtures" / "invalid"
CASES = sorted(INVALID.glob("*.yml"))
EXPECT = re.compile(r"^# expect: (\d+):(\d+) (\S*) \| (.+)$", re.M)
PLACE = re.compile(r"^# place: (\S+)$", re.M)


def test_the_mini_project_is_valid(mini_project):
    report = validate_catalogue(mini_project / "measures")
    assert report.problems == []
    assert report.files_checked == 5


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_each_error_is_reported_at_its_place(mini_project, case):
    text = case.read_text(encoding="utf-8")
    line, column, field, message = EXPECT.search(text).groups()
    place = mini_project / PLACE.search(text).group(1)
    original = mini_project / "measures" / "beverages" / "BEV-001.yml"
    original.unlink()
    place.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(case, place)

    report = validate_catalogue(mini_project / "measures", root=mini_project)

    shown = place.relative_to(mini_project).as_posix()
    matching = [p for p in report.problems if p.file == shown and message in p.message]
    assert matching, f"{case.name}: expected '{message}', got:\n" + "\n".join(p.format() for p in report.problems)
    found = matching[0]
    assert (found.line, found.column, found.field) == (int(line), int(column), field), found.format()
    assert found.hint, "every problem carries a hint on how to fix it"


def test_all_problems_are_reported_together_sorted(mini_project):
    bev = mini_project / "measures" / "beverages" / "BEV-001.yml"
    utl = mini_project / "measures" / "utilities" / "UTL-001.yml"
    bev.write_text(bev.read_text(encoding="utf-8").replace("complexity: 1", "complexity: 7"), encoding="utf-8")
    utl.write_text(utl.read_text(encoding="utf-8").replace("technique: ", "technique: x", 1), encoding="utf-8")
    bev2 = mini_project / "measures" / "beverages" / "BEV-002.yml"
    bev2.write_text(bev2.read_text(encoding="utf-8").replace("complexity: ", "complexity: 9 #", 1), encoding="utf-8")

    problems = validate_catalogue(mini_project / "measures", root=mini_project).problems

    assert [p.file for p in problems] == sorted(p.file for p in problems)
    assert {p.file for p in problems} == {
        "measures/beverages/BEV-001.yml",
        "measures/beverages/BEV-002.yml",
        "measures/utilities/UTL-001.yml",
    }


def test_duplicate_ids_name_both_files(mini_project):
    source = mini_project / "measures" / "beverages" / "BEV-001.yml"
    copy = mini_project / "measures" / "beverages" / "BEV-003.yml"
    copy.write_text(source.read_text(encoding="utf-8").replace("id: BEV-001", "id: BEV-003"), encoding="utf-8")
    other = mini_project / "measures" / "beverages" / "BEV-002.yml"
    other.write_text(other.read_text(encoding="utf-8").replace("id: BEV-002", "id: BEV-001"), encoding="utf-8")

    problems = validate_catalogue(mini_project / "measures", root=mini_project).problems

    duplicate = [p for p in problems if "duplicate id" in p.message]
    assert len(duplicate) == 1
    assert duplicate[0].file == "measures/beverages/BEV-002.yml"
    assert "measures/beverages/BEV-001.yml" in duplicate[0].message


def test_load_catalogue_raises_with_every_problem(mini_project):
    path = mini_project / "measures" / "beverages" / "BEV-001.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("complexity: 1", "complexity: 4"), encoding="utf-8")
    with pytest.raises(SourceError) as err:
        load_catalogue(mini_project / "measures", root=mini_project)
    assert "measures/beverages/BEV-001.yml" in str(err.value)


def test_the_typed_model(mini_project):
    cat = load_catalogue(mini_project / "measures", root=mini_project)
    assert [s.key for s in cat.sectors] == ["beverages", "utilities"]
    m = cat.by_id["BEV-001"]
    assert m.slug == "bev-001" and m.complexity == 1 and m.technique == "good_housekeeping"
    assert m.investment_vnd.min == 50_000_000 and m.investment_vnd.max == 300_000_000
    assert m.title["vi"].startswith("Lắp đồng hồ")
    assert m.sources and m.sources[0].year > 1950


def test_sector_list_errors(mini_project):
    sectors = mini_project / "measures" / "sectors.yml"
    text = sectors.read_text(encoding="utf-8")
    sectors.write_text(
        text + "- key: beverages\n  prefix: BEV\n  vsic: ''\n  name: {vi: Trùng, en: Duplicate}\n", encoding="utf-8"
    )
    problems = validate_catalogue(mini_project / "measures", root=mini_project).problems
    assert any(p.file == "measures/sectors.yml" and "duplicate sector key 'beverages'" in p.message for p in problems)


def test_a_comma_in_an_unquoted_sector_name_is_caught(mini_project):
    sectors = mini_project / "measures" / "sectors.yml"
    sectors.write_text(
        sectors.read_text(encoding="utf-8")
        + "- key: bricks\n  prefix: BRK\n  vsic: ''\n  name: {vi: Gạch (nung, không nung), en: Bricks}\n",
        encoding="utf-8",
    )
    problems = validate_catalogue(mini_project / "measures", root=mini_project).problems
    assert any(
        "unexpected key 'không nung)'" in p.message
        and "put each text in quotes" in p.hint
        and p.field.startswith("[")
        and ".name" in p.field
        for p in problems
    ), [p.format() for p in problems]


def test_a_file_that_is_not_utf8_is_located(mini_project):
    path = mini_project / "measures" / "beverages" / "BEV-002.yml"
    raw = path.read_bytes()
    third_line = raw.index(b"\n", raw.index(b"\n") + 1) + 1
    path.write_bytes(raw[:third_line] + b"sector: caf\xe9\n" + raw[third_line:])
    problems = validate_catalogue(mini_project / "measures", root=mini_project).problems
    assert [(p.file, p.line, p.column) for p in problems if "UTF-8" in p.message] == [
        ("measures/beverages/BEV-002.yml", 3, 12)
    ]


def _moved(project, text):
    (project / "measures" / "moved.yml").write_text(text, encoding="utf-8")
    return validate_catalogue(project / "measures", root=project).problems


MOVED_OK = "- {id: BEV-005, to: UTL-001, date: 2026-12-02, reason: {vi: Gộp., en: Merged.}}\n"


def test_a_retired_id_must_not_be_used_again_nor_forward_nowhere(mini_project):
    problems = _moved(
        mini_project,
        MOVED_OK.replace("BEV-005", "BEV-001")
        + "- {id: BEV-007, to: UTL-099, date: 2026-12-02, reason: {vi: Gộp., en: Merged.}}\n",
    )
    found = {(p.file, p.line, p.field, p.message) for p in problems}
    assert (
        "measures/moved.yml",
        1,
        "id",
        "'BEV-001' is retired (merged into UTL-001) but measures/beverages/BEV-001.yml still uses it",
    ) in found
    assert ("measures/moved.yml", 2, "to", "'BEV-007' forwards to 'UTL-099', which does not exist") in found


def test_references_to_a_retired_id_name_where_it_went(mini_project):
    record = mini_project / "measures" / "beverages" / "BEV-002.yml"
    text = record.read_text(encoding="utf-8")
    text = re.sub(r"^related: \[.*\]$", "related: [BEV-005]", text, flags=re.M)
    text = text.replace("applicability:\n  vi: ", "applicability:\n  vi: Xem [thu hồi](measure:BEV-005). ", 1)
    record.write_text(text, encoding="utf-8")
    problems = _moved(mini_project, MOVED_OK)
    hints = {(p.field, p.message, p.hint) for p in problems if p.file.endswith("BEV-002.yml")}
    assert (
        "related[0]",
        "related measure 'BEV-005' is retired",
        "'BEV-005' was merged into UTL-001 on 2026-12-02: write UTL-001",
    ) in hints
    assert (
        "applicability.vi",
        "link to retired measure 'BEV-005'",
        "'BEV-005' was merged into UTL-001 on 2026-12-02: write UTL-001",
    ) in hints


def test_the_moved_list_is_checked_against_its_schema(mini_project):
    problems = _moved(mini_project, "- {id: bev-5, to: UTL-001, date: 2026-13-01}\n")
    messages = [(p.line, p.field, p.message) for p in problems if p.file == "measures/moved.yml"]
    assert any(f == "[0].id" and "bev-5" in m for _, f, m in messages), messages
    assert any("reason" in m for _, _, m in messages), messages
    assert any(f == "[0].date" for _, f, _ in messages), messages


def test_also_in_names_other_existing_sectors(mini_project):
    record = mini_project / "measures" / "utilities" / "UTL-001.yml"
    text = record.read_text(encoding="utf-8").replace(
        "\nsources:", "\nalso_in: [beverages, utilities, breweries]\nsources:", 1
    )
    record.write_text(text, encoding="utf-8")
    problems = [(p.field, p.message) for p in validate_catalogue(mini_project / "measures", root=mini_project).problems]
    assert ("also_in[1]", "'utilities' is the measure’s own sector") in problems
    assert ("also_in[2]", "'breweries' is not a sector") in problems
    assert not any(f == "also_in[0]" for f, _ in problems)


def test_the_fast_schema_check_never_passes_what_jsonschema_refuses():
    """validate.SchemaCheck skips jsonschema when jsonschema-rs says "valid": that
    must never hide a problem. Every invalid fixture, hostile record and real
    measure is checked by both; the corpus holds records both refuse, so a fast
    path that passed everything would fail here."""
    from cpkb.source.datafile import Reporter, read_document
    from cpkb.source.validate import SchemaCheck, load_schema

    root = Path(__file__).parent.parent
    check = SchemaCheck(load_schema(root / "measures"))
    files = [
        *CASES,
        *sorted((root / "tests" / "hostile" / "measures").glob("*.yml")),
        *sorted((root / "measures").glob("*/*.yml")),
    ]
    refused = 0
    for path in files:
        doc = read_document(path, root, Reporter(path.name, []))
        if doc is None or not isinstance(doc.data, dict):
            continue
        slow = list(check.slow.iter_errors(doc.data))
        refused += bool(slow)
        assert not slow or list(check.errors(doc.data)), f"{path.name}: jsonschema-rs passed {slow[0].message}"
    assert refused >= 10, f"only {refused} schema-invalid records in the corpus"


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_checking_in_parallel_finds_the_same_as_one_process(mini_project, monkeypatch, method):
    """Large catalogues are checked in one process per core (validate.PARALLEL_FROM):
    the records come back in file order and every problem is kept."""
    from cpkb.source import validate as module

    bev = mini_project / "measures" / "beverages" / "BEV-002.yml"
    bev.write_text(bev.read_text(encoding="utf-8").replace("complexity: ", "complexity: 9 #", 1), encoding="utf-8")
    (mini_project / "measures" / "utilities" / "UTL-009.yml").write_text("id: [\n", encoding="utf-8")
    serial = validate_catalogue(mini_project / "measures", root=mini_project)
    monkeypatch.setattr(module, "PARALLEL_FROM", {"fork": 2, "spawn": 2})
    monkeypatch.setattr(module, "_start_method", lambda: method)
    monkeypatch.setattr(module.os, "cpu_count", lambda: 2)
    pools = []
    real_pool = module.ProcessPoolExecutor
    monkeypatch.setattr(module, "ProcessPoolExecutor", lambda **kw: pools.append(kw["max_workers"]) or real_pool(**kw))
    parallel = validate_catalogue(mini_project / "measures", root=mini_project)
    assert pools == [1]  # this process checks the first slice itself
    assert (
        [r.shown for r in parallel.records]
        == [r.shown for r in serial.records]
        == [
            "measures/beverages/BEV-001.yml",
            "measures/beverages/BEV-002.yml",
            "measures/utilities/UTL-001.yml",
            "measures/utilities/UTL-002.yml",
            "measures/utilities/UTL-008.yml",
        ]
    )
    assert parallel.problems == serial.problems
    assert {p.file for p in serial.problems} == {"measures/beverages/BEV-002.yml", "measures/utilities/UTL-009.yml"}
    assert parallel.files_checked == serial.files_checked == 6


def test_the_check_forks_only_when_no_other_thread_runs():
    """fork is cheap but unsafe beside other threads: a command line run forks, a
    process with a thread running (MkDocs, a test session) spawns."""
    code = (
        "import threading, time\n"
        "from cpkb.source.validate import _start_method\n"
        "alone = _start_method()\n"
        "threading.Thread(target=time.sleep, args=(2,), daemon=True).start()\n"
        "print(alone, _start_method())\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "scripts"))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["fork", "spawn"]
