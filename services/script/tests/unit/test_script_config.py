"""Writer choice and LLM settings come from SCRIPT_* environment variables."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from reelforge.script.config import ScriptSettings

pytestmark = pytest.mark.unit


def test_the_offline_template_writer_is_the_default(monkeypatch):
    for name in ("SCRIPT_WRITER", "SCRIPT_LLM_MODEL", "SCRIPT_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)

    settings = ScriptSettings()

    assert settings.script_writer == "template"
    assert settings.script_fallback_to_template
    assert settings.script_max_scene_chars == 5000


def test_llm_settings_are_read_and_the_key_stays_secret(monkeypatch):
    monkeypatch.setenv("SCRIPT_WRITER", "openai")
    monkeypatch.setenv("SCRIPT_LLM_BASE_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("SCRIPT_LLM_MODEL", "llama3.1")
    monkeypatch.setenv("SCRIPT_LLM_API_KEY", "gsk_live_secret_value")
    monkeypatch.setenv("SCRIPT_LLM_TIMEOUT_S", "12.5")
    monkeypatch.setenv("SCRIPT_LLM_MAX_RETRIES", "5")
    monkeypatch.setenv("SCRIPT_FALLBACK_TO_TEMPLATE", "false")

    settings = ScriptSettings()

    assert (settings.script_llm_model, settings.script_llm_timeout_s) == ("llama3.1", 12.5)
    assert settings.script_llm_max_retries == 5
    assert not settings.script_fallback_to_template
    assert settings.script_llm_api_key is not None
    assert settings.script_llm_api_key.get_secret_value() == "gsk_live_secret_value"
    assert "gsk_live_secret_value" not in repr(settings)
    assert "gsk_live_secret_value" not in settings.model_dump_json()


def test_the_llm_writer_needs_a_model(monkeypatch):
    monkeypatch.setenv("SCRIPT_WRITER", "openai")
    monkeypatch.delenv("SCRIPT_LLM_MODEL", raising=False)

    with pytest.raises(ValidationError, match="SCRIPT_LLM_MODEL"):
        ScriptSettings()
