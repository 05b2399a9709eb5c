"""The validator against one fixture per kind of error.

Each file in tests/fixtures/invalid/ starts with
    # expect: LINE:COL FIELD | MESSAGE
    # place: measures/<sector>/<ID>.yml
and replaces that file in a copy of the mini project. The test asserts the
exact location, field and message, and that nothing else is reported.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

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
    assert {p.file for p in problems} == {"measures/beverages/BEV-001.yml", "measures/beverages/BEV-002.yml",
                                          "measures/utilities/UTL-001.yml"}


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
    sectors.write_text(text + "- key: beverages\n  prefix: BEV\n  vsic: ''\n  name: {vi: Trùng, en: Duplicate}\n",
                       encoding="utf-8")
    problems = validate_catalogue(mini_project / "measures", root=mini_project).problems
    assert any(p.file == "measures/sectors.yml" and "duplicate sector key 'beverages'" in p.message for p in problems)


def test_a_comma_in_an_unquoted_sector_name_is_caught(mini_project):
    sectors = mini_project / "measures" / "sectors.yml"
    sectors.write_text(sectors.read_text(encoding="utf-8") +
                       "- key: bricks\n  prefix: BRK\n  vsic: ''\n  name: {vi: Gạch (nung, không nung), en: Bricks}\n",
                       encoding="utf-8")
    problems = validate_catalogue(mini_project / "measures", root=mini_project).problems
    assert any("unexpected key 'không nung)'" in p.message and p.field.endswith(".name") for p in problems)


def test_a_file_that_is_not_utf8_is_located(mini_project):
    path = mini_project / "measures" / "beverages" / "BEV-002.yml"
    raw = path.read_bytes()
    third_line = raw.index(b"\n", raw.index(b"\n") + 1) + 1
    path.write_bytes(raw[:third_line] + b"sector: caf\xe9\n" + raw[third_line:])
    problems = validate_catalogue(mini_project / "measures", root=mini_project).problems
    assert [(p.file, p.line, p.column) for p in problems if "UTF-8" in p.message] == \
        [("measures/beverages/BEV-002.yml", 3, 12)]
