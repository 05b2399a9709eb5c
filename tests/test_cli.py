"""The `cpkb` command line as a user runs it: exit codes and output."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import cpkb


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(Path(cpkb.__file__).parents[1]))
    return subprocess.run(
        [sys.executable, "-m", "cpkb", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_version_and_help(mini_project):
    assert run(["--version"], mini_project).stdout.strip() == f"cpkb {cpkb.__version__}"
    help_text = run(["--help"], mini_project).stdout
    for command in ("validate", "build", "pdf"):
        assert command in help_text


def test_validate_clean_exits_0(mini_project):
    result = run(["validate"], mini_project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 measure file(s) checked, no errors" in result.stderr


def test_validate_error_exits_1_with_location_and_no_traceback(mini_project):
    path = mini_project / "measures" / "beverages" / "BEV-001.yml"
    text = path.read_text(encoding="utf-8").replace("complexity: 1", "complexity: 5")
    path.write_text(text, encoding="utf-8")
    line = text.split("\n").index("complexity: 5") + 1

    result = run(["validate"], mini_project)

    assert result.returncode == 1
    assert f"measures/beverages/BEV-001.yml:{line}:1 complexity: 5 is not allowed; allowed: 1, 2, 3" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert "1 error(s)" in result.stderr


def test_github_annotations(mini_project):
    path = mini_project / "measures" / "utilities" / "UTL-001.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("sector: utilities", "sector: utility"), encoding="utf-8")
    result = run(["validate", "--format", "github"], mini_project)
    assert result.returncode == 1
    assert result.stdout.startswith(
        "::error file=measures/utilities/UTL-001.yml,line=3,col=1::sector: unknown sector 'utility'"
    )


def test_broken_yaml_is_an_error_not_a_traceback(mini_project):
    (mini_project / "measures" / "beverages" / "BEV-002.yml").write_text("id: [unclosed\n", encoding="utf-8")
    result = run(["validate"], mini_project)
    assert result.returncode == 1
    assert "measures/beverages/BEV-002.yml:2:1" in result.stdout and "YAML syntax error" in result.stdout
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2(mini_project):
    assert run(["validate", "--format", "xml"], mini_project).returncode == 2
    assert run(["no-such-command"], mini_project).returncode == 2
    assert run(["validate", "measures/nowhere"], mini_project).returncode == 2


def test_validate_only_reports_on_given_paths(mini_project):
    bad = mini_project / "measures" / "utilities" / "UTL-002.yml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("complexity: ", "complexity: 8 #", 1), encoding="utf-8")
    assert run(["validate", "measures/beverages"], mini_project).returncode == 0
    assert run(["validate", "measures/utilities/UTL-002.yml"], mini_project).returncode == 1


def test_fix_normalises_nfd_to_nfc(mini_project):
    path = mini_project / "measures" / "beverages" / "BEV-001.yml"
    path.write_text(unicodedata.normalize("NFD", path.read_text(encoding="utf-8")), encoding="utf-8")
    assert run(["validate"], mini_project).returncode == 1
    fixed = run(["validate", "--fix"], mini_project)
    assert fixed.returncode == 0, fixed.stdout
    text = path.read_text(encoding="utf-8")
    assert text == unicodedata.normalize("NFC", text)
