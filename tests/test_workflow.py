"""CI, pre-commit and contributor docs: valid, and calling only what exists.

The workflow must run what the README tells people to run, and the guides must
not mention a command, option or make target that does not exist.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from cpkb import cli

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
GUIDES = [
    ROOT / "CONTRIBUTING.md",
    ROOT / "CONTRIBUTING.vi.md",
    ROOT / "docs" / "guides" / "editing.en.md",
    ROOT / "docs" / "guides" / "editing.vi.md",
    ROOT / ".github" / "pull_request_template.md",
]
# `make X` as a command: at the start of a line, in backticks or after && || ; {
# (not "apt-get install git make python3", where make is a package name).
MAKE_TARGET = re.compile(r"(?:^\s*|[`;&|({]\s*)make ([a-z][a-z-]*)\b", re.M)


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def run_text(workflow: dict, job: str) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow, job))


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z-]*):", text, re.M))


def test_workflow_is_valid_yaml_with_the_expected_triggers(workflow):
    triggers = workflow.get("on", workflow.get(True))  # PyYAML reads the key `on` as True
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == ["main"]
    for job in workflow["jobs"].values():
        assert job["runs-on"] and job["steps"]
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), f"a step needs exactly one of uses/run: {step}"


def test_pull_requests_validate_with_annotations_build_and_test(workflow):
    job = next(iter(workflow["jobs"]))
    commands = run_text(workflow, job)
    names = [s.get("uses", s.get("run", "")) for s in steps(workflow, job)]
    order = [
        next(i for i, n in enumerate(names) if marker in n)
        for marker in ("cpkb validate --format github", "make build", "make test")
    ]
    assert order == sorted(order), "validate first, then build, then test"
    assert "make system-deps" in commands
    upload = next(s for s in steps(workflow, job) if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"].rstrip("/") == "site"
    assert "push" not in upload.get("if", ""), "the preview is uploaded for pull requests"


def test_main_deploys_to_github_pages(workflow):
    build_job = next(iter(workflow["jobs"]))
    pages = next(
        s for s in steps(workflow, build_job) if s.get("uses", "").startswith("actions/upload-pages-artifact@")
    )
    assert pages["with"]["path"].rstrip("/") == "site"
    assert "refs/heads/main" in pages["if"] and "push" in pages["if"]
    deploy = next(
        job
        for job in workflow["jobs"].values()
        if any(s.get("uses", "").startswith("actions/deploy-pages@") for s in job["steps"])
    )
    assert deploy["needs"] == build_job
    assert "refs/heads/main" in deploy["if"] and "push" in deploy["if"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"


def test_workflow_runs_the_make_targets_the_readme_documents(workflow):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(MAKE_TARGET.findall(readme))
    called = set(MAKE_TARGET.findall("\n".join(run_text(workflow, job) for job in workflow["jobs"])))
    assert {"build", "test"} <= documented, "the README documents make build and make test"
    assert {"build", "test"} <= called, "CI runs what the README tells people to run"
    assert called <= makefile_targets(), f"CI calls targets the Makefile lacks: {called - makefile_targets()}"
    undocumented = called - documented
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in undocumented:  # e.g. system-deps: then at least `make help` must describe it
        assert re.search(rf"^{target}:.*## ", makefile, re.M), (
            f"make {target} is neither in the README nor in make help"
        )


def test_the_todo_check_looks_for_the_cpkb_new_marker(workflow):
    from cpkb.source.translations import TODO

    step = next(s for s in steps(workflow, next(iter(workflow["jobs"]))) if "TODO" in s.get("run", ""))
    assert f"'{TODO}'" in step["run"] and "measures/" in step["run"]


def test_pre_commit_runs_the_validator_on_changed_measure_files():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [hook for repo in config["repos"] if repo["repo"] == "local" for hook in repo["hooks"]]
    hook = next(h for h in hooks if ".venv/bin/cpkb validate" in h["entry"])
    files = re.compile(hook["files"])
    assert files.search("measures/utilities/UTL-001.yml")
    assert files.search("measures/sectors.yml")
    assert not files.search("handbook/general/01-cleaner-production.vi.md")
    assert not files.search("scripts/cpkb/labels/vi.yml")
    assert hook.get("pass_filenames", True) is True, "only the changed files are reported"
    assert hook["language"] == "system"


def subcommands() -> dict[str, set[str]]:
    """Every `cpkb` sub-command with its option strings, from the real parser."""
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return {name: {o for action in p._actions for o in action.option_strings} for name, p in sub.choices.items()}


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_guides_mention_only_commands_options_and_targets_that_exist(guide):
    text = guide.read_text(encoding="utf-8")
    commands = subcommands()
    mentioned = re.findall(r"cpkb ([a-z]+)((?:\s+(?:--[a-z-]+|[<A-Za-z0-9][^\s`\\]*))*)", text)
    assert mentioned or guide.name.startswith("editing"), "the guide shows the cpkb commands"
    for name, rest in mentioned:
        assert name in commands, f"{guide.name} mentions `cpkb {name}`, which does not exist"
        for option in re.findall(r"--[a-z-]+", rest):
            assert option in commands[name], f"{guide.name}: `cpkb {name} {option}` does not exist"
    for target in MAKE_TARGET.findall(text):
        assert target in makefile_targets(), f"{guide.name} mentions `make {target}`, not in the Makefile"


def test_both_contributing_guides_cover_the_same_sections():
    en = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    vi = (ROOT / "CONTRIBUTING.vi.md").read_text(encoding="utf-8")
    heading = re.compile(r"^## (\d+)\.", re.M)
    assert heading.findall(en) == heading.findall(vi) and len(heading.findall(en)) >= 6
    for needed in ("cpkb new", "cpkb validate", "cpkb translations --mark", "make serve", "make test"):
        assert needed in en and needed in vi, needed
    assert "CONTRIBUTING.vi.md" in en and "CONTRIBUTING.md" in vi


def test_pull_request_template_has_a_checklist():
    text = (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    items = re.findall(r"^- \[ \] (.+)$", text, re.M)
    assert len(items) >= 6
    assert any("cpkb validate" in item for item in items)
    assert any("TODO" in item for item in items)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_editing_guide_links_the_generated_pages(lang):
    text = (ROOT / "docs" / "guides" / f"editing.{lang}.md").read_text(encoding="utf-8")
    links = set(re.findall(r"\]\(([^)\s]+)\)", text))
    assert {"field-reference.md", "translations.md"} <= links
    assert "redhat.vscode-yaml" in text
    from cpkb.cli.draft import SCHEMA_HEADER

    assert SCHEMA_HEADER in text, "the guide shows the exact header line cpkb new writes"


def test_a_broken_measure_is_annotated_on_its_exact_line(workflow, tmp_path, monkeypatch, capsys):
    """The workflow's validate step, run on a pull request that breaks one value."""
    import shutil

    from test_new import FULL_FLAGS

    commands = run_text(workflow, next(iter(workflow["jobs"])))
    assert ".venv/bin/cpkb validate --format github" in commands
    (tmp_path / "measures").mkdir()
    for name in ("schema.json", "sectors.yml"):
        shutil.copy2(ROOT / "measures" / name, tmp_path / "measures" / name)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["new", "--no-input", *FULL_FLAGS]) == 0
    path = tmp_path / "measures" / "utilities" / "UTL-001.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("complexity:"))
    lines[number - 1] = "complexity: 5"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["validate", "--format", "github"]) == 1
    out = capsys.readouterr().out
    assert f"::error file=measures/utilities/UTL-001.yml,line={number},col=1::complexity" in out


@pytest.mark.parametrize("guide", [ROOT / "CONTRIBUTING.md", ROOT / "CONTRIBUTING.vi.md"], ids=lambda p: p.name)
def test_every_command_and_option_is_documented(guide):
    """The converse of the test above (Datasette's test_docs): nothing exists undocumented.
    The per-field flags of `cpkb new` are documented by `cpkb new --help` itself."""
    text = guide.read_text(encoding="utf-8")
    field_flags = {o for f in flag_fields_of_schema() for o in f}
    for name, options in subcommands().items():
        assert f"`cpkb {name}" in text, f"{guide.name} does not document `cpkb {name}`"
        for option in sorted(options - {"-h", "--help", "-i"} - field_flags):
            if option.startswith("--"):
                assert f"`{option}" in text, f"{guide.name} does not document `cpkb {name} {option}`"


def flag_fields_of_schema() -> list[set[str]]:
    from cpkb.cli.draft import flag_fields
    from cpkb.cli.new import flag_name

    schema = json.loads((ROOT / "measures" / "schema.json").read_text(encoding="utf-8"))
    out = []
    for f in flag_fields(schema):
        out.append({flag_name(f), flag_name(f, "vi"), flag_name(f, "en"), "--source"})
    return out
