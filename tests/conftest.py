"""Shared pytest fixtures: the repository root and a throw-away copy of the mini project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The repository root (holding measures/, handbook/, docs/)."""
    return ROOT


@pytest.fixture
def mini_project(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/mini with the real measures/schema.json: a small,
    valid project (2 sectors, 5 measures, handbook) that a test may modify freely."""
    project = tmp_path / "project"
    shutil.copytree(MINI, project)
    shutil.copy2(ROOT / "measures" / "schema.json", project / "measures" / "schema.json")
    return project
