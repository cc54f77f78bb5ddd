"""Builds the configured script writer.

`template` (default) is the offline writer. `openai` is the chat-completions writer, falling back to
the template writer when SCRIPT_FALLBACK_TO_TEMPLATE is true. Either way the writer is measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reelforge.runtime.app import Hook

from .adapters.metrics import MeasuredWriter
from .adapters.openai_writer import FallbackWriter, OpenAIChatWriter
from .config import ScriptSettings
from .domain.template_writer import TemplateWriter
from .domain.writer import ScriptWriter


@dataclass
class BuiltWriter:
    writer: ScriptWriter
    on_shutdown: list[Hook] = field(default_factory=list)


def build_writer(settings: ScriptSettings) -> BuiltWriter:
    if settings.script_writer != "openai":
        return BuiltWriter(MeasuredWriter(TemplateWriter()))
    llm = OpenAIChatWriter.from_settings(settings)
    chosen: ScriptWriter = (
        FallbackWriter(llm, TemplateWriter()) if settings.script_fallback_to_template else llm
    )
    return BuiltWriter(MeasuredWriter(chosen), on_shutdown=[llm.aclose])
