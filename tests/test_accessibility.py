"""axe-core in Chromium: no serious or critical accessibility violation on the
main kinds of page, in both languages (issue 7)."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT

pytestmark = [pytest.mark.build, pytest.mark.browser]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [
    "",
    "sectors/",
    "sectors/beverages/",
    "measures/utl-001/",
    "measures/",
    "handbook/beverages/",
    "handbook/general/01-cleaner-production/",
    "handbook/glossary/",
    "downloads/",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("prefix", ["", "en/"])
@pytest.mark.parametrize("path", PAGES + ["404.html"])
def test_no_serious_violation(browser, base_url, prefix, path, viewport):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (make test does it)")
    if path == "404.html" and prefix:
        pytest.skip("one 404 page serves both languages")
    page = browser.new_page(viewport=VIEWPORTS[viewport])
    page.goto(base_url + prefix + path)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    page.close()
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    report = json.dumps(
        [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
            for v in serious
        ],
        indent=1,
    )
    assert not serious, report
