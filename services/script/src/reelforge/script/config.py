"""Script service settings (environment variables; see the README table).

Field names carry the SCRIPT_ prefix themselves because the runtime's ServiceSettings, which this
class extends, reads unprefixed names (KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL, ...).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator

from reelforge.runtime.settings import ServiceSettings


class ScriptSettings(ServiceSettings):
    http_port: int = Field(default=8081, ge=0, le=65535, description="Port of the HTTP server.")

    script_writer: Literal["template", "openai"] = Field(
        default="template",
        description="`template`: the offline writer (embedded default); `openai`: any "
        "OpenAI-compatible chat-completions endpoint (Groq, OpenAI, Ollama, vLLM).",
    )
    script_llm_base_url: str = Field(
        default="https://api.groq.com/openai/v1",
        description="Base URL of the chat-completions API; the writer POSTs to "
        "{base}/chat/completions (e.g. http://127.0.0.1:11434/v1 for a local Ollama).",
    )
    script_llm_model: str | None = Field(
        default=None, description="Model name, e.g. openai/gpt-oss-120b on Groq (required)."
    )
    script_llm_api_key: SecretStr | None = Field(
        default=None, description="Bearer key for the LLM endpoint (never logged); empty for none."
    )
    script_llm_timeout_s: float = Field(
        default=30.0, gt=0, description="Longest wait for one LLM answer before it is retried."
    )
    script_llm_connect_timeout_s: float = Field(
        default=5.0, gt=0, description="Longest wait to connect to the LLM endpoint."
    )
    script_llm_max_retries: int = Field(
        default=3, ge=0, description="Retries of one LLM request after a 429, a 5xx or a timeout."
    )
    script_llm_backoff_base_s: float = Field(
        default=0.5, ge=0, description="First retry delay; doubles per retry, with full jitter."
    )
    script_llm_backoff_max_s: float = Field(
        default=20.0, ge=0, description="Longest delay between two retries (before Retry-After)."
    )
    script_llm_max_retry_after_s: float = Field(
        default=60.0,
        ge=0,
        description="A Retry-After longer than this fails the request at once instead of waiting.",
    )
    script_llm_deadline_s: float = Field(
        default=180.0, gt=0, description="Cap on writing one script with the LLM, retries included."
    )
    script_llm_temperature: float | None = Field(
        default=0.7,
        ge=0,
        le=2,
        description="Sampling temperature; empty to leave it out (some reasoning models "
        "refuse it).",
    )
    script_llm_max_tokens_field: Literal["max_completion_tokens", "max_tokens", "none"] = Field(
        default="max_completion_tokens",
        description="Name of the output-limit field: OpenAI and Groq take max_completion_tokens; "
        "older servers (Ollama) read max_tokens; `none` sends no limit.",
    )
    script_llm_breaker_failures: int = Field(
        default=5, ge=1, description="Consecutive LLM failures that open its circuit breaker."
    )
    script_llm_breaker_reset_s: float = Field(
        default=30.0, ge=0, description="How long the LLM circuit stays open before a trial call."
    )
    script_fallback_to_template: bool = Field(
        default=True,
        description="When the LLM cannot write a script, write it with the template writer "
        "instead of failing the job.",
    )
    script_budget_attempts: int = Field(
        default=3,
        ge=1,
        le=10,
        description="Drafts requested from the LLM at most to land within the word budget "
        "(+-10% of 2.5 words a second); the closest one is kept.",
    )
    script_max_scene_chars: int = Field(
        default=5000,
        ge=200,
        le=5000,
        description="Longest script per scene; a longer one is split at sentence boundaries "
        "into consecutive scenes with the same avatar and voice.",
    )

    @model_validator(mode="after")
    def _llm_needs_a_model(self) -> ScriptSettings:
        if self.script_writer == "openai" and not (self.script_llm_model or "").strip():
            raise ValueError("SCRIPT_WRITER=openai needs SCRIPT_LLM_MODEL")
        return self
