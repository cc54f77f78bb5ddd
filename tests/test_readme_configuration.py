"""The README's configuration table lists every variable the services read, with real defaults."""

from __future__ import annotations

import pytest

from reelforge.runtime.settings_docs import declared_settings, main
from reelforge.runtime.testing import repo_root

pytestmark = pytest.mark.unit


def test_every_service_declares_its_settings_for_the_table():
    services = {service for service, _ in declared_settings()}
    assert {"script", "render", "webhook", "storage"} <= services


def test_the_readme_table_matches_the_settings_classes(capsys: pytest.CaptureFixture[str]):
    status = main([str(repo_root() / "README.md"), "--check"])
    assert status == 0, capsys.readouterr().err
