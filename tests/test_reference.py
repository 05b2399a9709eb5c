"""The field reference page is generated from the schema and covers every property, in both languages."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from cpkb.text.labels import label
from cpkb.text.markdown import to_html
from cpkb.site.reference import render_field_reference

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("vi", "en")


def load_schema() -> dict:
    return json.loads((ROOT / "measures" / "schema.json").read_text(encoding="utf-8"))


def every_property(schema: dict) -> dict[str, dict]:
    """All property paths of the schema, walked here independently of cpkb.reference.

    Returns {path: node}. The parts of a bilingual text (vi, en) and of a range
    (min, max, and the scope of a percentage) are documented with their parent, so they are not paths of
    their own; everything else is, however deeply nested.
    """
    out: dict[str, dict] = {}

    def resolve(node: dict) -> dict:
        if "$ref" in node:
            target = schema
            for part in node["$ref"][2:].split("/"):
                target = target[part]
            return {**resolve(target), **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def walk(node: dict, prefix: str) -> None:
        props = node.get("properties") or {}
        if set(props) in ({"vi", "en"}, {"min", "max"}, {"min", "max", "scope"}):
            return
        for name, sub in props.items():
            sub = resolve(sub)
            out[prefix + name] = sub
            walk(sub, prefix + name + ".")
            if sub.get("type") == "array":
                walk(resolve(sub.get("items") or {}), prefix + name + "[].")

    walk(schema, "")
    return out


def section(page: str, path: str) -> str:
    """The text of the section about `path`, up to the next heading."""
    match = re.search(rf"^#+ `{re.escape(path)}` \{{#[^}}]+\}}\n(.*?)(?=^#+ |\Z)", page, re.M | re.S)
    assert match, f"no section for {path}"
    return match.group(1)


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    schema = load_schema()
    return {lang: render_field_reference(schema, lang) for lang in LANGS}


@pytest.mark.parametrize("lang", LANGS)
def test_every_schema_property_has_a_row_and_a_section(pages, lang):
    page = pages[lang]
    assert page.startswith(f"# {label('reference.title', lang)}\n")
    properties = every_property(load_schema())
    assert {"savings.energy_pct", "sources[].url", "translation.vi_hash"} <= set(properties)
    overview = page.split("\n## ", 2)[1]
    for path in properties:
        assert f"[`{path}`](#" in overview, f"{path} missing from the overview table"
        section(page, path)


@pytest.mark.parametrize("lang", LANGS)
def test_descriptions_are_in_the_page_language(pages, lang):
    other = "en" if lang == "vi" else "vi"
    schema = load_schema()
    for path, node in every_property(schema).items():
        paragraphs = node["description"].split("\n\n")
        mine, theirs = (paragraphs[0], paragraphs[-1]) if lang == "vi" else (paragraphs[-1], paragraphs[0])
        words = re.sub(r"[`\\]", "", section(pages[lang], path))
        # Compare on the first few words: names in the text are set as code.
        assert " ".join(mine.split()[:3]) in words, f"{path}: {lang} description missing"
        if mine != theirs:
            assert " ".join(theirs.split()[:4]) not in words, f"{path}: {other} text on the {lang} page"


@pytest.mark.parametrize("lang", LANGS)
def test_required_type_limits_and_examples(pages, lang):
    page = pages[lang]
    yes, no = label("reference.yes", lang), label("reference.no", lang)
    assert re.search(rf"^\| \[`id`\]\(#field-id\) \| [^|]+ \| {yes} \|", page, re.M)
    assert re.search(rf"^\| \[`figure_note`\]\(#field-figure_note\) \| [^|]+ \| {no} \|", page, re.M)
    assert label("reference.limit_text_length", lang, min=1, max=160) in section(page, "title")
    assert label("reference.limit_range_bounded", lang, lo=0, hi=100) in section(page, "savings.energy_pct")
    year = section(page, "sources[].year")
    assert (
        label("reference.limit_minimum", lang, n=1950) in year
        and label("reference.limit_maximum", lang, n=2100) in year
    )
    assert f"`{load_schema()['properties']['id']['pattern']}`" in section(page, "id")
    assert "```yaml\nid: BEV-004\n```" in section(page, "id"), "the schema's own example"
    assert "```yaml\nsources:\n  - url: " in section(page, "sources[].url"), "nested example shows the nesting"
    assert "```yaml\nsavings:\n  energy_pct: {min: " in section(page, "savings.energy_pct")


@pytest.mark.parametrize("lang", LANGS)
def test_technique_and_complexity_values_are_explained(pages, lang):
    schema = load_schema()
    technique = section(pages[lang], "technique")
    for value in schema["properties"]["technique"]["enum"]:
        row = next((l for l in technique.splitlines() if l.startswith(f"| `{value}` |")), None)
        assert row, f"technique {value} not listed"
        assert label(f"technique.{value}", lang) in row
        assert label(f"reference.technique.{value}", lang)[:30] in row, f"technique {value} not explained"
    complexity = section(pages[lang], "complexity")
    for value in (1, 2, 3):
        row = next(l for l in complexity.splitlines() if l.startswith(f"| `{value}` |"))
        assert label(f"complexity.{value}", lang) in row
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells[2]) > 20, f"complexity {value} has no explanation"


@pytest.mark.parametrize("lang", LANGS)
def test_page_renders_with_working_anchors_and_no_stray_html(pages, lang):
    soup = BeautifulSoup(to_html(pages[lang]), "html.parser")
    ids = {tag["id"] for tag in soup.find_all(id=True)}
    overview = soup.find("table")
    links = [a["href"] for a in overview.find_all("a") if a["href"].startswith("#field-")]
    assert len(links) == len(every_property(load_schema()))
    assert not [href for href in links if href[1:] not in ids], "overview links to missing sections"
    # `measures/<sector>/` must show as text, not vanish as an unknown HTML tag.
    assert not soup.find(["sector", "ngành", "id"])
    assert not soup.find("em", string=re.compile("housekeeping|material"))
    # Names inside the schema's descriptions are set as code: file paths,
    # other fields' paths, enum values.
    id_section = BeautifulSoup(to_html(section(pages[lang], "id")), "html.parser")
    assert "measures/sectors.yml" in [c.get_text() for c in id_section.find_all("code")]
    energy = BeautifulSoup(to_html(section(pages[lang], "savings.energy_pct")), "html.parser")
    assert "savings.basis" in [c.get_text() for c in energy.find_all("code")]
    technique = BeautifulSoup(to_html(section(pages[lang], "technique").strip().split("\n\n")[0]), "html.parser")
    assert "good_housekeeping" in [c.get_text() for c in technique.find_all("code")]


def test_the_page_follows_the_schema():
    """Generated, never hand-written: a change in the schema shows on the page."""
    schema = copy.deepcopy(load_schema())
    schema["properties"]["savings"]["properties"]["co2_t_per_year"] = {
        "$ref": "#/$defs/range",
        "description": "Lượng CO₂ giảm mỗi năm, tính bằng tấn.\n\nCO₂ avoided per year, in tonnes.",
    }
    schema["properties"]["figure_basis"]["enum"].append("measured")
    del schema["properties"]["related"]
    for lang in LANGS:
        page = render_field_reference(schema, lang)
        assert "`savings.co2_t_per_year`" in page
        assert ("Lượng CO₂ giảm mỗi năm" if lang == "vi" else "CO₂ avoided per year") in page
        assert "| `measured` |" in section(page, "figure_basis")
        assert "`related`" not in page


def test_output_is_deterministic(pages):
    assert render_field_reference(load_schema(), "vi") == pages["vi"]
