"""Suite-wide isolation: no test reads or writes the user's own Rollcall data (imported site
lists), and subprocesses started by a test inherit the same private directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.platforms.sites import DATA_DIR_ENV


@pytest.fixture(autouse=True)
def private_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    path = tmp_path_factory.mktemp("rollcall-data")
    monkeypatch.setenv(DATA_DIR_ENV, str(path))
    return path
