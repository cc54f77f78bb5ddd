"""The README configuration table generator."""

from __future__ import annotations

import pytest
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from reelforge.runtime.settings import ServiceSettings
from reelforge.runtime.settings_docs import BEGIN, END, markdown_table, rewrite, setting_rows

pytestmark = pytest.mark.unit


class ExampleSettings(ServiceSettings):
    """Prefixed like the storage service's settings."""

    model_config = SettingsConfigDict(env_prefix="EXAMPLE_", extra="ignore")

    api_key: SecretStr = Field(default=SecretStr("not-shown"), description="A | key.")
    hosts: list[str] = Field(default_factory=list, description="Allowed\n   hosts.")
    region: str | None = Field(default=None, description="Region.")


class PortSettings(ServiceSettings):
    http_port: int = Field(default=9999, description="Port of the HTTP server.")


def rows_by_variable() -> dict[str, list[str]]:
    table = markdown_table(setting_rows([("example", ExampleSettings), ("ports", PortSettings)]))
    found: dict[str, list[str]] = {}
    for line in table.splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        found.setdefault(cells[0].strip("`"), []).append(" | ".join(cells[1:]))
    return found


def test_a_service_variable_carries_its_prefix_default_and_one_line_description():
    rows = rows_by_variable()
    assert rows["EXAMPLE_HOSTS"] == ["`(empty)` | example | Allowed hosts."]
    assert rows["EXAMPLE_REGION"] == ["`(unset)` | example | Region."]


def test_a_secret_default_is_never_printed():
    rows = rows_by_variable()
    assert rows["EXAMPLE_API_KEY"] == ["`(secret)` | example | A \\| key."]
    assert "not-shown" not in markdown_table(setting_rows([("example", ExampleSettings)]))


def test_common_variables_appear_once_and_an_overridden_default_gets_its_own_row():
    rows = rows_by_variable()
    assert rows["KAFKA_BOOTSTRAP_SERVERS"] == [
        "`127.0.0.1:9092` | all services | Kafka bootstrap servers, comma-separated."
    ]
    assert [row.split(" | ")[:2] for row in rows["HTTP_PORT"]] == [
        ["`8080`", "all services"],
        ["`9999`", "ports"],
    ]


def test_rewrite_replaces_only_the_text_between_the_markers():
    readme = f"intro\n{BEGIN}\nold table\n{END}\noutro\n"
    assert rewrite(readme, "new table") == f"intro\n{BEGIN}\nnew table\n{END}\noutro\n"


def test_rewrite_names_the_missing_markers():
    with pytest.raises(ValueError, match="configuration markers"):
        rewrite("no markers here", "table")
