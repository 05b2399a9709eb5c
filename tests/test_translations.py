"""Translation status: the vi_hash, stale detection, marking with a minimal edit, the page and the CLI."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from cpkb import cli
from cpkb.text.labels import label
from cpkb.site.translations import render_translation_status
from cpkb.source.translations import (
    MarkError,
    _with_hash,
    bilingual_texts,
    mark_translated,
    measure_translation,
    translation_report,
    vi_hash,
)
from cpkb.source.validate import validate_catalogue
from cpkb.source.yamlfile import parse_yaml

ROOT = Path(__file__).resolve().parents[1]

# A complete, valid record, with comments and mixed block styles that marking must keep.
MEASURE = """\
# yaml-language-server: $schema=../schema.json
# A comment the editor wrote; marking must keep it.
id: {id}
sector: utilities
process_stage: {{vi: Lò hơi và mạng hơi, en: Boilers and steam distribution}}
technique: equipment_modification
complexity: 1   # aligned comment
title:
  vi: {title_vi}
  en: {title_en}
summary:
  vi: >-
    Bọc bảo ôn các đoạn ống hơi trần
    để giảm tổn thất nhiệt.
  en: >-
    Insulate bare steam pipes
    to cut heat losses.
description:
  vi: |
    Ống trần mất nhiệt.
  en: |
    Bare pipes lose heat.
investment_vnd: {{min: 10000000, max: 100000000}}
savings:
  energy_pct: {{min: 2, max: 5, scope: process_stage}}
  basis: {{vi: Nhiên liệu lò hơi, en: Boiler fuel}}
payback_years: {{min: 0.2, max: 1}}
figure_basis: indicative
environmental_benefits: {{vi: Giảm nhiên liệu và CO₂., en: Less fuel and CO₂.}}
applicability: {{vi: Mọi mạng hơi., en: Any steam network.}}
sources:
  - title: Insulate Steam Distribution and Condensate Return Lines
    publisher: U.S. Department of Energy
    year: 2012
reviewed: 2026-11-01
"""


def write_measure(
    project: Path,
    measure_id: str,
    title_vi: str = "Bảo ôn đường ống hơi",
    title_en: str = "Insulate steam pipes",
    extra: str = "",
) -> Path:
    path = project / "measures" / "utilities" / f"{measure_id}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(MEASURE.format(id=measure_id, title_vi=title_vi, title_en=title_en) + extra, encoding="utf-8")
    return path


@pytest.fixture
def project(empty_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A catalogue of four measures: current, stale, untracked and untranslated."""
    tmp_path = empty_project
    current = write_measure(tmp_path, "UTL-001")
    mark_translated(current)
    stale = write_measure(tmp_path, "UTL-002")
    mark_translated(stale)
    text = stale.read_text(encoding="utf-8")
    stale.write_text(text.replace("vi: Bảo ôn đường ống hơi", "vi: Bảo ôn toàn bộ đường ống hơi"), encoding="utf-8")
    write_measure(tmp_path, "UTL-003")
    write_measure(tmp_path, "UTL-004", title_vi="Bảo ôn van và mặt bích", title_en="Bảo ôn van và mặt bích")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CPKB_LANG", "en")
    return tmp_path


def record(**changes) -> dict:
    data = parse_yaml(
        MEASURE.format(id="UTL-001", title_vi="Bảo ôn đường ống hơi", title_en="Insulate steam pipes")
    ).data
    data.update(changes)
    return data


# --- the hash -------------------------------------------------------------------


def test_vi_hash_follows_its_documented_definition():
    data = record()
    texts = {
        "process_stage": "Lò hơi và mạng hơi",
        "title": "Bảo ôn đường ống hơi",
        "summary": "Bọc bảo ôn các đoạn ống hơi trần để giảm tổn thất nhiệt.",
        "description": "Ống trần mất nhiệt.",
        "savings.basis": "Nhiên liệu lò hơi",
        "environmental_benefits": "Giảm nhiên liệu và CO₂.",
        "applicability": "Mọi mạng hơi.",
    }
    assert set(bilingual_texts(data)) == set(texts)
    # Pinned: the first 12 hex digits of SHA-256 over the canonical JSON of those texts,
    # computed outside Python with `printf '%s' '{"applicability":"Mọi mạng hơi.",...}' | sha256sum`.
    assert vi_hash(data) == "54d3a378b402"


def test_vi_hash_changes_with_vietnamese_only():
    base = vi_hash(record())
    assert vi_hash(record(title={"vi": "Bảo ôn đường ống hơi", "en": "Completely different"})) == base
    assert vi_hash(record(investment_vnd={"min": 1, "max": 2})) == base
    assert vi_hash(record(title={"vi": "Bảo ôn đường ống hơi\n", "en": "x"})) == base, "layout, not text"
    assert vi_hash(record(title={"vi": unicodedata.normalize("NFD", "Bảo ôn đường ống hơi"), "en": "x"})) == base
    reordered = dict(reversed(list(record().items())))
    assert vi_hash(reordered) == base, "field order in the file does not matter"
    assert vi_hash(record(title={"vi": "Bảo ôn đường ống", "en": "Insulate steam pipes"})) != base
    nested = record(savings={"energy_pct": {"min": 2, "max": 5}, "basis": {"vi": "Điện", "en": "Boiler fuel"}})
    assert vi_hash(nested) != base, "nested texts (savings.basis) count too"
    with_block = record(translation={"vi_hash": "0" * 12})
    assert vi_hash(with_block) == base, "the tracking block is not part of the text"


def test_status_of_each_kind():
    data = record()
    path = Path("UTL-001.yml")
    assert measure_translation(data, path).status == "untracked"
    assert measure_translation(record(translation={"vi_hash": vi_hash(data)}), path).status == "current"
    assert measure_translation(record(translation={"vi_hash": "0" * 12}), path).status == "stale"
    copied = measure_translation(record(summary={"vi": "Giống nhau.", "en": "Giống nhau."}), path)
    assert copied.status == "untranslated" and copied.untranslated == (("summary", "copy"),)
    blank = measure_translation(record(applicability={"vi": "Mọi mạng hơi.", "en": "  "}), path)
    assert blank.untranslated == (("applicability", "missing"),)
    placeholder = measure_translation(record(summary={"vi": "Tóm tắt.", "en": "TODO (write in English)"}), path)
    assert placeholder.untranslated == (("summary", "missing"),)
    same_symbols = measure_translation(
        record(process_stage={"vi": "CO₂", "en": "CO₂"}, translation={"vi_hash": "0" * 12}), path
    )
    assert same_symbols.status == "stale", "identical text without letters is not a copy"


# --- the fixture catalogue ---------------------------------------------------------


def test_report_detects_the_stale_translation(project):
    report = translation_report(project / "measures")
    by_id = {m.id: m.status for m in report.measures}
    assert by_id == {"UTL-001": "current", "UTL-002": "stale", "UTL-003": "untracked", "UTL-004": "untranslated"}
    assert report.counts() == {"untranslated": 1, "stale": 1, "untracked": 1, "current": 1}
    assert [m.id for m in report.measures][:2] == ["UTL-004", "UTL-002"], "most urgent first"


def test_mark_appends_two_lines_and_keeps_everything_else(project):
    path = project / "measures" / "utilities" / "UTL-003.yml"
    before = path.read_text(encoding="utf-8")
    assert mark_translated(path) is True
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before), "comments, folded blocks and alignment are untouched"
    data = parse_yaml(after).data
    assert re.fullmatch(r"translation:\n  vi_hash: '?[0-9a-f]{12}'?\n", after[len(before) :])
    assert data["translation"] == {"vi_hash": vi_hash(data)}
    assert mark_translated(path) is False, "marking twice changes nothing"
    assert path.read_text(encoding="utf-8") == after


def test_mark_updates_a_stale_hash_in_place(project):
    path = project / "measures" / "utilities" / "UTL-002.yml"
    before = path.read_text(encoding="utf-8").splitlines()
    assert mark_translated(path)
    after = path.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after) and len(changed) == 1
    assert changed[0][1].strip().startswith("vi_hash: ")
    assert parse_yaml("\n".join(after)).data["translation"]["vi_hash"] == vi_hash(parse_yaml("\n".join(after)).data)
    assert measure_translation(parse_yaml("\n".join(after)).data, path).status == "current"


@pytest.mark.parametrize(
    "block",
    ["translation: {vi_hash: 000000000000}  # flow\n", "translation:\n  vi_hash: '000000000000'\n", "translation:\n"],
)
def test_mark_rewrites_other_forms_of_the_block(project, block):
    path = write_measure(project, "UTL-005", extra=block)
    mark_translated(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(
        MEASURE.format(id="UTL-005", title_vi="Bảo ôn đường ống hơi", title_en="Insulate steam pipes")
    )
    data = parse_yaml(text).data
    assert data["translation"] == {"vi_hash": vi_hash(data)}
    assert "# flow" in text or "# flow" not in block


@pytest.mark.parametrize("digest", ["729222762945", "000000001234", "54d3a378b402"])
def test_a_hash_of_digits_stays_text(digest):
    # 729222762945 would load as a number, 000000001234 as octal 668: both fail the schema.
    text = _with_hash("id: UTL-001\n", digest)
    assert parse_yaml(text).data == {"id": "UTL-001", "translation": {"vi_hash": digest}}
    assert parse_yaml(_with_hash(text, digest)).data["translation"]["vi_hash"] == digest


def test_mark_refuses_untranslated_text(project):
    path = project / "measures" / "utilities" / "UTL-004.yml"
    before = path.read_text(encoding="utf-8")
    with pytest.raises(MarkError, match="title"):
        mark_translated(path)
    assert path.read_text(encoding="utf-8") == before


def test_marked_file_still_validates(project):
    report = validate_catalogue(project / "measures", root=project)
    assert report.problems == [], "\n".join(p.format() for p in report.problems)


# --- the page -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_page_lists_counts_and_each_measure_under_its_status(project, lang):
    page = render_translation_status(project / "measures", lang)
    assert page.startswith(f"# {label('translations.title', lang)}\n")
    sections = {}
    current = None
    for line in page.splitlines():
        if line.startswith("## "):
            current = re.sub(r" \{#[a-z]+\}$", "", line[3:])
            sections[current] = []
        elif current:
            sections[current].append(line)
    t = lambda key: label(f"translations.{key}", lang)  # noqa: E731
    summary = "\n".join(sections[t("summary")])
    for status in ("untranslated", "stale", "untracked", "current"):
        assert f"| {t('status_' + status)} | 1 |" in summary
    assert f"| **{t('total')}** | **4** |" in summary
    stale = "\n".join(sections[f"{t('status_stale')} (1)"])
    assert "`UTL-002`" in stale and "`measures/utilities/UTL-002.yml`" in stale and "UTL-003" not in stale
    untranslated = "\n".join(sections[f"{t('status_untranslated')} (1)"])
    assert "`UTL-004`" in untranslated and "`title`" in untranslated and t("reason_copy") in untranslated
    assert "`UTL-003`" in "\n".join(sections[f"{t('status_untracked')} (1)"])
    assert "`UTL-001`" not in page, "up-to-date measures are counted, not listed"
    if lang == "en":
        assert "[Insulate steam pipes](../measures/utl-002.md)" in stale


def test_page_is_deterministic(project):
    assert render_translation_status(project / "measures", "vi") == render_translation_status(
        project / "measures", "vi"
    )


# --- the command line ----------------------------------------------------------------------


def test_cli_lists_and_check_fails_on_stale(project, capsys):
    assert cli.main(["translations"]) == 0
    out = capsys.readouterr().out
    assert "UTL-002" in out and "UTL-003" in out and "UTL-001" not in out
    assert cli.main(["translations", "--check"]) == 1
    assert cli.main(["translations", "--mark", "utl-002"]) == 0
    assert "Marked as translated: measures/utilities/UTL-002.yml" in capsys.readouterr().out
    (project / "measures" / "utilities" / "UTL-004.yml").unlink()
    assert cli.main(["translations", "--check"]) == 0, "untracked alone does not fail the check"


def test_cli_mark_all_skips_untranslated_and_reports_unknown_ids(project, capsys):
    assert cli.main(["translations", "--mark-all"]) == 0
    statuses = {m.id: m.status for m in translation_report(project / "measures").measures}
    assert statuses == {"UTL-001": "current", "UTL-002": "current", "UTL-003": "current", "UTL-004": "untranslated"}
    assert cli.main(["translations", "--mark", "UTL-404"]) == 1
    assert "UTL-404" in capsys.readouterr().err
    assert cli.main(["translations", "--mark", "UTL-004"]) == 1


def test_cli_github_format_annotates_the_line(project, capsys):
    cli.main(["translations", "--format", "github"])
    lines = capsys.readouterr().out.splitlines()
    stale = next(l for l in lines if "UTL-002" in l)
    path = project / "measures" / "utilities" / "UTL-002.yml"
    line = next(
        i for i, l in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if l.startswith("translation:")
    )
    assert stale.startswith(f"::warning file=measures/utilities/UTL-002.yml,line={line}::")
    copy = next(l for l in lines if "UTL-004" in l)
    en_line = next(
        i
        for i, l in enumerate((project / "measures/utilities/UTL-004.yml").read_text(encoding="utf-8").splitlines(), 1)
        if l.startswith("  en: Bảo ôn van")
    )
    assert f"line={en_line}::" in copy
    assert not [l for l in lines if "UTL-003" in l], "untracked measures are not annotated"
