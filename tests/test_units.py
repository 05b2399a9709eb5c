"""Unit tests of the small pure pieces: formatting, labels, Markdown dialect, flow diagrams, charts."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from cpkb.source.catalogue import Range
from cpkb.text.flowchart import parse_flow, render_flow_svg
from cpkb.text.numbers import format_percent_range, format_vnd, format_vnd_exact, format_vnd_range, format_years
from cpkb.text.labels import label, labels, missing_labels
from cpkb.text.markdown import (
    MeasureLinkError,
    escape_markdown_block,
    escape_markdown_inline,
    resolve_measure_links,
    to_html,
)

PACKAGE = Path(__file__).resolve().parents[1] / "scripts" / "cpkb"


@pytest.mark.parametrize(
    "value,vi,en",
    [
        (1_200_000_000, "1,2 tỷ đồng", "VND 1.2 billion"),
        (350_000_000, "350 triệu đồng", "VND 350 million"),
        (500_000, "500.000 đồng", "VND 500,000"),
    ],
)
def test_money(value, vi, en):
    assert format_vnd(value, "vi") == vi
    assert format_vnd(value, "en") == en


def test_exact_money_and_ranges():
    assert format_vnd_exact(1_200_000_000, "vi") == "1.200.000.000 ₫"
    assert format_vnd_exact(1_200_000_000, "en") == "VND 1,200,000,000"
    assert format_vnd_range(Range(50e6, 200e6), "vi") == "50–200 triệu đồng"
    assert format_vnd_range(Range(100e6, 1.5e9), "en") == "VND 100 million – 1.5 billion"
    assert format_vnd_range(Range(0, 0), "vi") == "Không cần đầu tư"
    assert format_percent_range(Range(15, 30), "en") == "15–30%"
    assert format_years(Range(0.5, 2), "vi") == "0,5–2 năm"
    assert format_years(Range(0.5, 2), "en") == "0.5–2 years"
    assert format_years(Range(0, 0.2), "en") == "Under 3 months"


def test_every_label_exists_in_both_languages():
    assert missing_labels() == {}
    assert set(labels("vi")) == set(labels("en"))


def test_every_label_used_in_templates_and_code_exists():
    used = set()
    for path in list(PACKAGE.rglob("*.py")) + list(PACKAGE.rglob("*.j2")) + list(PACKAGE.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""(?:\bt|label|cp_label)\(\s*['"]([a-z_]+\.[a-z0-9_.]+)['"]""", text))
    missing = {key for key in used if key not in labels("en")}
    assert not missing


def test_unknown_label_is_an_error():
    with pytest.raises(KeyError):
        label("no.such.key", "vi")


def test_measure_links_resolve_or_fail_with_location():
    text = "Xem [biện pháp](measure:UTL-001).\n\nVà [khác](measure:UTL-999)."
    with pytest.raises(MeasureLinkError) as err:
        resolve_measure_links(text, lambda mid: "../measures/utl-001.md" if mid == "UTL-001" else None, "x.md")
    assert err.value.problems[0].line == 3 and "UTL-999" in err.value.problems[0].message
    assert resolve_measure_links("[a](measure:UTL-001)", lambda mid: "#m-utl-001") == "[a](#m-utl-001)"


def test_escaping_keeps_markdown_but_not_html():
    html = to_html(escape_markdown_block('**đậm** <script>x()</script> {: onclick="y()"}'))
    assert "<strong>đậm</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    assert not [tag for tag in soup.find_all(True) if "onclick" in tag.attrs]
    assert 'onclick="y()"' in soup.get_text()  # shown as text
    inline = to_html(escape_markdown_inline("# *not* [a](b)"))
    assert "<h1" not in inline and "<em>" not in inline and "<a " not in inline


def test_flow_diagram():
    source = "Nghiền malt | malt, điện | bụi\nNấu | nước, hơi | bã malt, nước thải\nLọc | | bã"
    assert parse_flow(source)[1] == ("Nấu", ["nước", "hơi"], ["bã malt", "nước thải"])
    svg = render_flow_svg(source)
    root = ElementTree.fromstring(svg)
    texts = "".join(root.itertext())
    for word in ("Nghiền malt", "Nấu", "Lọc", "bã malt, nước thải"):
        assert word in texts
    assert root.get("role") == "img" and "Nghiền malt → Nấu → Lọc" in root.get("aria-label")
    assert len(root.findall("{http://www.w3.org/2000/svg}rect")) == 3
    html = to_html("```flow\nA | x | y\n```")
    assert html.startswith('<figure class="cp-flow"><svg')


def test_flow_text_is_escaped():
    svg = render_flow_svg("<script>alert(1)</script> | a | b")
    assert "<script>" not in svg
