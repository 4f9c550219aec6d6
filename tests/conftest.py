"""Every test runs with its own, empty user catalog directory: a catalog that `hflint catalog sync`
wrote on the developer's machine must not change what lint reports in a test."""

from __future__ import annotations

from pathlib import Path

import pytest

from hflint.catalog import CATALOG_DIR_ENV


@pytest.fixture(autouse=True)
def isolated_catalog_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    directory = tmp_path_factory.mktemp("catalogs")
    monkeypatch.setenv(CATALOG_DIR_ENV, str(directory))
    return directory
